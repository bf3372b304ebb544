//! A contact person of an association: their name, e-mail address and
//! phone number as typed, checked and normalised. Personal data: stored out
//! of the log (`commands::personal_data`), referenced in events by id.

use crate::{DomainError, text};

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
        let email = crate::email(email)?;
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
