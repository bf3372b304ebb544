//! The application layer: typed use-cases, one module per capability. Each
//! takes the [`App`], a [`Caller`] and typed input, decides who may do it
//! ([`access`]), runs the commands and answers typed results. The pages and
//! the JSON API are thin adapters over it: they parse, call a use-case, and
//! render or serialize.
//!
//! # Layout
//! - [`caller`]: the signed-in account a use-case acts for, and role checks.
//! - [`access`]: who may see or decide what (the one place it is decided).
//! - [`error`]: [`AppError`], every kind of "no" a use-case answers.
//! - [`bookings`]: request one slot or a weekly series (and its preview),
//!   approve, reject, cancel, pay; a booking's history.
//! - [`calendars`]: iCalendar feeds: a room's busy times, an account's secret link, one booking.
//! - [`establishments`]: establishments, their managers and rooms (API side).
//! - [`registration`]: an association's sign-up, confirmed by a link mailed to its address.
//! - [`associations`]: an association's own account, its members and their invitations.
//! - [`holds`]: how many dates an association not verified yet may hold.
//! - [`ledger`]: an establishment's ledger lines and balances; the log for auditors.
//! - [`messages`]: the conversation between an association and an establishment about a booking.
//! - [`notices`]: what an account is told by e-mail, and in which language.
//! - [`payouts`]: an establishment's payout account at the provider.
//! - [`refunds`]: money given back after the slot, by the establishment (then the transfer reversed).
//! - [`accounts`]: accounts, sessions and tokens (with their store).
//! - [`invitations`]: managers invited by an admin.
//! - [`password_reset`]: a forgotten password: a single-use link by e-mail.
//! - [`passwords`]: Argon2id, bounded to as many hashes at once as there are cores.
//! - [`sign_in`]: signing in by password, with the attempt limits.
//! - [`staff`]: finance and admin accounts; disabling any account.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod associations;
pub mod bookings;
pub mod calendars;
pub mod caller;
pub mod error;
pub mod establishments;
pub mod holds;
pub mod invitations;
pub mod ledger;
pub mod messages;
pub mod notices;
pub mod password_reset;
pub mod passwords;
pub mod payments;
pub mod payouts;
pub mod refunds;
pub mod registration;
pub mod rooms;
pub mod search;
pub mod sign_in;
pub mod staff;

use std::sync::Arc;

pub use caller::Caller;
pub use error::AppError;
use salle_events::Store;

use crate::commands::Commands;

/// The Département de l'Isère's SIREN: names the demo's FEC exports.
pub const ISERE_SIREN: &str = "223800012";

/// What every use-case may use; cloned cheaply into each HTTP worker.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub commands: Commands,
    pub search: crate::read_side::Search,
    pub communes: Arc<salle_projections::communes::Communes>,
    /// The payment process manager (and through it, the provider).
    pub payments: crate::process::payments::PaymentProcess,
    /// Failed sign-ins per (account, address) and per address.
    pub sign_ins: Arc<sign_in::SignInLimiter>,
    /// Sign-ups per address and hour (`SALLE_SIGN_UPS_PER_HOUR`).
    pub sign_ups: Arc<sign_in::SignUpLimiter>,
    /// The unverified associations' hold limit, and their requests' turns.
    pub holds: Arc<holds::HoldGate>,
    /// The SIREN that names FEC exports.
    pub siren: Option<String>,
    /// Composes and writes e-mail into the outbox (the mail process sends it).
    pub mail: crate::mail::Mailer,
    /// Where the source of the running version is published.
    pub source_url: Option<String>,
}

/// Writes a letter to `to` into the outbox at once, for the messages no
/// event causes (a sign-up's link, a reset, an invitation); the mail process
/// sends it. `cause` keys it: writing the same message twice sends it once.
pub(crate) async fn mail_now(
    app: &App,
    cause: &str,
    notice: crate::mail::notice::Notice,
    to: &crate::mail::Recipient,
    letter: &crate::mail::Letter,
) -> Result<(), AppError> {
    let m = app
        .mail
        .outgoing(cause, notice.code(), to, letter)
        .map_err(|e| AppError::Unprocessable { code: "invalid_email", message: e.to_string() })?;
    app.mail.enqueue(&app.store, &m, chrono::Utc::now()).await?;
    Ok(())
}

/// Waits (bounded) until the search index has seen `position`, so that the
/// next search, the room's week and the admin's lists show a change. The
/// write is committed: if the wait fails, the answer still stands.
pub(crate) async fn search_reached(app: &App, position: Option<salle_events::LogPosition>) {
    if let Some(p) = position
        && let Err(e) = app.search.wait_for(&app.store, p).await
    {
        tracing::warn!(error = format!("{e:#}"), "read-your-writes: the search index could not be awaited");
    }
}
