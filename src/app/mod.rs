//! Command handling: load an aggregate's stream, decide, append with the
//! expected version, and on a `Conflict` decide again on the fresh state, a
//! bounded number of times. Process managers will live here too.
//!
//! # Layout
//! - [`commands`]: [`commands::Commands`], the generic load → decide → append loop.
//! - [`bookings`]: requests, series and decisions on a room, with what they need
//!   from other streams (establishment status, tariff grid, calendar).
//! - [`registry`]: establishments, associations (with their contact's personal
//!   data) and tariff grids.
//! - [`expiry`]: the process manager that expires undecided requests and unpaid bookings.
//! - [`personal_data`]: the erasable table of names, e-mail addresses and phones.
//! - [`passwords`]: Argon2id, bounded to as many hashes at once as there are cores.
//! - [`sign_in`]: signing in by password, with the attempt limits.

pub mod accounts;
pub mod bookings;
pub mod commands;
pub mod expiry;
pub mod invitations;
pub mod passwords;
pub mod payments;
pub mod personal_data;
pub mod registry;
pub mod sign_in;

pub use commands::{CommandError, Commands, Executed};
