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

pub(crate) use crate::domain::typed::{euros, parse_euros};
