//! What the pages' forms share: reading a posted body, naming a refused
//! value, amounts in euros as people type them.
//!
//! Bodies are read with `form_urlencoded` rather than `web::Form` because
//! checkboxes repeat one name, which `serde_urlencoded` cannot collect.

use crate::http::error::AppError;

/// The fields of a posted form, names repeated as sent.
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub(crate) fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    }

    /// Every value of `name` (checkboxes).
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

/// A form's value that cannot be accepted (422), with why.
pub(crate) fn refused(message: impl Into<String>) -> AppError {
    AppError::Unprocessable { code: "invalid_form", message: message.into() }
}

/// Cents as a French amount without the currency: `12,50`.
pub(crate) fn euros(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

/// An amount in euros as typed (`15`, `15,50`, `15.5`, `15 €`), in cents;
/// `what` names the field in the refusal.
pub(crate) fn parse_euros(what: &str, text: &str) -> Result<i64, AppError> {
    let wrong = || refused(format!("{what} : « {text} » n'est pas un montant en euros (par exemple 12,50)."));
    let normalised = text.trim().replace(',', ".").replace(['€', ' '], "");
    let (units, decimals) = normalised.split_once('.').unwrap_or((&normalised, ""));
    if units.is_empty() || decimals.len() > 2 || !units.chars().all(|c| c.is_ascii_digit()) {
        return Err(wrong());
    }
    let decimals = if decimals.is_empty() {
        0
    } else {
        format!("{decimals:0<2}").parse::<i64>().map_err(|_| wrong())?
    };
    Ok(units.parse::<i64>().map_err(|_| wrong())? * 100 + decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_euros("Tarif", "12").ok(), Some(1200));
        assert_eq!(parse_euros("Tarif", "12,5").ok(), Some(1250));
        assert_eq!(parse_euros("Tarif", " 8.05 € ").ok(), Some(805));
        for wrong in ["", "douze", "12,505", "-3", ",50"] {
            assert!(parse_euros("Tarif", wrong).is_err(), "{wrong}");
        }
        assert_eq!(euros(1550), "15,50");
    }
}
