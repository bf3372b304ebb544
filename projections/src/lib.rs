//! # salle-projections — the read side
//!
//! Projections see events only, never aggregates: each follows the global log
//! from a named checkpoint and commits its rows with that checkpoint, so every
//! event takes effect exactly once whatever crashes in between.
//!
//! # Layout
//! - [`runner`]: the checkpointed runner (one active per projection: a PostgreSQL
//!   advisory lock), its lag, and rebuilds from zero.
//! - [`availability`]: each room's rules, closures and occupation, and its calendar of
//!   free, held and booked intervals for a date range.
//! - [`ledger`]: the double-entry revenue ledger of each establishment, with its chart of accounts.
//! - [`communes`]: the communes of Isère, found by INSEE code or name.
//! - [`search`]: the in-memory index of rooms answering searches by place, time,
//!   capacity, kind, equipment, access and price.
//! - [`bookings`]: one row per booking (room, establishment, association, status,
//!   slot, price) for look-ups and lists.

pub mod availability;
pub mod bookings;
pub mod communes;
pub mod ledger;
pub mod runner;
pub mod search;

pub use runner::{Lag, Projection, ProjectionError, Runner};
