//! The store of personal data — a contact's name, e-mail address and phone
//! number — in its own table, out of the event log, so that erasing a person
//! (RGPD) leaves every event, projection and total unchanged. Events
//! reference people by id.

use chrono::{DateTime, Utc};
use salle_events::sql::{self, Args, execute};
use salle_events::{EventStore, Store, StoreError, StoreTx};
use uuid::Uuid;

pub use crate::domain::contact::Contact;

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
    let row: Option<Row> = sql::fetch_optional(
        store,
        "SELECT name, email, phone FROM personal_data WHERE person_id = $1 AND erased_at IS NULL",
        Args::new().uuid(person_id),
    )
    .await
    .map_err(doing)?;
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
