//! `Refusal`: why a rule says no, as a machine code and a French sentence a
//! person can act on. The domain turns it into a 422.

/// A broken rule of time or opening hours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}
