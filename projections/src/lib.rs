//! # salle-projections — the read side
//!
//! Projections see events only, never aggregates: each follows the global log
//! from a named checkpoint and commits its rows with that checkpoint.
//! The availability calendars, the search index and the revenue ledger will live here.

pub use salle_events::{LogPosition, RecordedEvent, Subscription};
