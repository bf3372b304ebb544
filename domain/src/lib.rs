//! # salle-domain — the decisions
//!
//! Pure and synchronous: no sqlx, actix, tokio, reqwest or clock, which is a
//! fact of this crate's `Cargo.toml` (it depends on the log's contract
//! without its store). The time and anything from outside arrive inside the
//! command.
//!
//! Each aggregate is a state, an `evolve(state, &event) -> state` that folds
//! its history, and `decide(&state, command) -> Result<Vec<event>, DomainError>`.
//! The rules behind each "no" are here too, shared with the read side
//! (availability and search use the same opening hours, calendar and prices).
//!
//! # Layout
//! - [`time`]: Europe/Paris slots, local days and instants, the years salle accepts.
//! - [`calendar`]: school holidays (zone A) and public holidays, shipped with salle.
//! - [`opening`]: whether a slot lies inside a room's opening rules on a given day.
//! - [`pricing`]: the price of a slot from a tariff grid.
//! - [`refusal`]: a rule's "no", with a code and a sentence.
//! - [`identifiers`]: UAI, RNA, SIREN/SIRET (Luhn), INSEE codes.
//! - [`tariff`]: the tariff grid aggregate.
//! - [`establishment`], [`association`]: their aggregates; [`contact`]: an association's contact person.
//! - [`booking`]: one booking's state machine and refund rule.
//! - [`room`]: the room aggregate; owns its bookings (no double booking by construction).
//! - [`series`]: a weekly series expanded into dates, each kept or skipped with its reason.
//! - [`payment`]: the provider's side of a booking's money; records each answer once.
//! - [`text`]: the one rule for what people type (free text, e-mail addresses).
//! - [`typed`]: amounts in euros and time ranges as people type them in forms.

pub mod association;
pub mod booking;
pub mod calendar;
pub mod contact;
pub mod establishment;
pub mod identifiers;
pub mod opening;
pub mod payment;
pub mod pricing;
pub mod refusal;
pub mod room;
pub mod tariff;
pub mod text;
pub mod time;
pub mod typed;

pub use room::series;
pub use text::{email, optional_text, text};

use salle_events::DomainEvent;

/// Whether a refusal is about the current state (409) or a broken rule (422).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Conflicts with the current state: slot taken, transition not allowed.
    Conflict,
    /// Breaks a rule: outside opening hours, over capacity, bad identifier.
    Rule,
    /// The thing the command is about does not exist.
    NotFound,
}

/// A refusal, with a machine code and a French sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl DomainError {
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Rule, code, message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::Conflict, code, message: message.into() }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::NotFound, code, message: message.into() }
    }
}

/// An aggregate: folded from its stream, one stream per instance.
pub trait Aggregate: Default + Clone + std::fmt::Debug + Send + Sync + 'static {
    type Event: DomainEvent;
    /// The stream category (see `salle_events::catalog::category`).
    const CATEGORY: &'static str;

    fn evolve(self, event: &Self::Event) -> Self;

    /// The state after a whole history.
    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self
    where
        Self::Event: 'a,
    {
        events.into_iter().fold(Self::default(), |state, e| state.evolve(e))
    }
}

impl From<crate::refusal::Refusal> for DomainError {
    fn from(r: crate::refusal::Refusal) -> Self {
        Self::rule(r.code, r.message)
    }
}
