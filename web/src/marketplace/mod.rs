//! The marketplace's pages, one file per resource. Every view takes a view
//! model of ready-to-show text (dates, money, statuses already written in
//! the page's language) and returns the page.
//!
//! - [`search`]: the home page, its form and results.
//! - [`room`]: a room's page, an establishment's, a weekly series before it is confirmed.
//! - [`session`]: signing in, signing up.
//! - [`association`]: an association's own page, its members.
//! - [`bookings`]: the bookings, one booking, a receipt.
//! - [`conversation`]: a booking's messages between the association and the establishment.
//! - [`ledger`]: the ledgers and the reconciliation.
//! - [`info`]: the legal notice and the accessibility statement.

mod association;
mod bookings;
mod conversation;
mod info;
mod ledger;
mod room;
mod search;
mod session;

pub use association::*;
pub use bookings::*;
pub use conversation::{Conversation, MessageLine};
pub use info::*;
pub use ledger::*;
pub use room::*;
pub use search::*;
pub use session::*;
