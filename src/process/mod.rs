//! The process managers: they follow the log from a checkpoint and act on
//! what it says, each side effect with an idempotency key, so that a
//! request never waits on a third party it does not need to answer.
//!
//! - [`payments`]: opens checkouts, issues refunds and transfers, records the provider's answers.
//! - [`expiry`]: expires undecided requests and unpaid bookings at their deadlines.
//! - [`mail`]: writes the notices of the log into the outbox, and sends it.

pub mod expiry;
pub mod mail;
pub mod payments;
