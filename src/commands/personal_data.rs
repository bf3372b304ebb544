//! Personal data — a contact's name, e-mail address and phone number — kept in
//! its own table, out of the event log, so that erasing a person (RGPD) leaves
//! every event, projection and total unchanged. Events reference people by id.

use chrono::{DateTime, Utc};
use salle_events::sql::{Args, execute};
use salle_events::{EventStore, Store, StoreError, StoreTx};
use uuid::Uuid;

use crate::domain::{DomainError, text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

impl Contact {
    /// Checks and normalises what a person typed.
    pub fn parse(name: &str, email: &str, phone: Option<&str>) -> Result<Self, DomainError> {
        let name = text("invalid_contact_name", "Le nom du contact", name, 120)?;
        let email = crate::domain::email(email)?;
        let phone = phone.map(str::trim).filter(|p| !p.is_empty()).map(parse_phone).transpose()?;
        Ok(Self { name, email, phone })
    }
}

/// French numbers (`04 76 00 00 00`, `+33 4 76 …`) or international ones.
fn parse_phone(value: &str) -> Result<String, DomainError> {
    let compact: String = value.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let french =
        compact.len() == 10 && compact.starts_with('0') && compact.bytes().all(|b| b.is_ascii_digit());
    let international = compact.starts_with('+')
        && (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit());
    if !(french || international) {
        return Err(DomainError::rule(
            "invalid_phone",
            format!("Le numéro de téléphone « {} » n'est pas valide (ex. 04 76 00 00 00).", value.trim()),
        ));
    }
    Ok(compact)
}

/// Stores a contact in the same transaction as the events that reference it.
pub async fn insert(
    tx: &mut StoreTx,
    person_id: Uuid,
    contact: &Contact,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let args = Args::new()
        .uuid(person_id)
        .text(contact.name.clone())
        .text(contact.email.clone())
        .text(contact.phone.clone())
        .time(now);
    execute(
        tx,
        "INSERT INTO personal_data (person_id, name, email, phone, created_at) VALUES ($1, $2, $3, $4, $5)",
        args,
    )
    .await
    .map_err(|source| StoreError::Database { doing: "storing personal data", source })?;
    Ok(())
}

/// The contact, or `None` when unknown or erased.
pub async fn get(store: &Store, person_id: Uuid) -> Result<Option<Contact>, StoreError> {
    type Row = (Option<String>, Option<String>, Option<String>);
    let doing = |source| StoreError::Database { doing: "reading personal data", source };
    let row: Option<Row> = match store {
        Store::Sqlite(s) => sqlx::query_as(
            "SELECT name, email, phone FROM personal_data WHERE person_id = ? AND erased_at IS NULL",
        )
        .bind(person_id)
        .fetch_optional(s.reader_pool())
        .await
        .map_err(doing)?,
        Store::Postgres(p) => sqlx::query_as(
            "SELECT name, email, phone FROM personal_data WHERE person_id = $1 AND erased_at IS NULL",
        )
        .bind(person_id)
        .fetch_optional(p.pool())
        .await
        .map_err(doing)?,
    };
    Ok(row.map(|(name, email, phone)| Contact {
        name: name.unwrap_or_default(),
        email: email.unwrap_or_default(),
        phone,
    }))
}

/// Erases a person's data for good; the row stays as a tombstone with the
/// date of erasure. Returns whether there was anything to erase.
pub async fn erase(store: &Store, person_id: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let mut tx = store.begin().await?;
    let erased = execute(
        &mut tx,
        "UPDATE personal_data SET name = NULL, email = NULL, phone = NULL, erased_at = $1 \
         WHERE person_id = $2 AND erased_at IS NULL",
        Args::new().time(now).uuid(person_id),
    )
    .await
    .map_err(|source| StoreError::Database { doing: "erasing personal data", source })?;
    tx.commit().await?;
    Ok(erased > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_checked_and_normalised() {
        let c = Contact::parse(" Marie Curie ", "Marie@Asso.FR", Some("04 76 00 00 00")).unwrap();
        assert_eq!(
            (c.name.as_str(), c.email.as_str(), c.phone.as_deref()),
            ("Marie Curie", "marie@asso.fr", Some("0476000000"))
        );
        assert_eq!(Contact::parse("M", "marie@asso", None).unwrap_err().code, "invalid_email");
        assert_eq!(Contact::parse("M", "m@a.fr", Some("12345")).unwrap_err().code, "invalid_phone");
        assert!(Contact::parse("M", "m@a.fr", Some("+33 4 76 00 00 00")).is_ok());
    }
}
