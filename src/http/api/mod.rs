//! The JSON API v1 (`API.md`), one file per resource: each handler parses
//! its input, calls a use-case of [`crate::app`] and serializes the answer.
//! Who may do what is decided there ([`crate::app::access`]): a manager
//! asking for another establishment's booking gets 404, as if it did not
//! exist.
//!
//! - [`accounts`]: finance and admin accounts, `me`, an association's sign-up.
//! - [`associations`]: an association's own account, its members' invitations, its verification.
//! - [`establishments`]: establishments, their managers and rooms; a room's sheet.
//! - [`rooms`]: a room's revision (description, hours, booking rules, listing).
//! - [`bookings`]: requests and series, the lists, a booking and its lifecycle.
//! - [`messages`]: a booking's conversation.
//! - [`finance`]: ledgers, exports and the log.
//!
//! Bearer tokens themselves are [`crate::http::auth`].

pub mod accounts;
pub mod associations;
pub mod availability;
pub mod bookings;
pub mod calendars;
pub mod establishments;
pub mod finance;
pub mod messages;
pub mod rooms;
pub mod schemas;
pub mod search;
pub mod webhook;

use actix_web::HttpResponse;
use salle_events::catalog::Money;
use serde_json::json;
use uuid::Uuid;

/// `201 {"id": …}`.
fn created(id: Uuid) -> HttpResponse {
    HttpResponse::Created().json(json!({ "id": id }))
}

/// The language a body names (`fr`, `en`), or else the request's `Accept-Language`.
fn lang_of(
    named: Option<&str>,
    req: &actix_web::HttpRequest,
) -> Result<salle_web::Lang, crate::app::AppError> {
    match named {
        None => Ok(salle_web::Lang::from_accept_language(
            req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        )),
        Some(code) => salle_web::Lang::from_code(code).ok_or_else(|| {
            crate::domain::DomainError::rule(
                "invalid_lang",
                format!("La langue « {code} » n'existe pas ici : « fr » ou « en »."),
            )
            .into()
        }),
    }
}

/// An amount as API.md writes it.
fn money(m: Money) -> serde_json::Value {
    json!({ "amount_cents": m.amount_cents, "currency": "EUR" })
}

/// Every route of the API, in the order they are matched.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(accounts::create_user)
        .service(accounts::change_user)
        .service(accounts::me)
        .service(accounts::notices)
        .service(accounts::set_notices)
        .service(accounts::confirm_association)
        .service(accounts::create_association)
        .service(accounts::request_reset)
        .service(accounts::reset_password)
        .service(associations::show)
        .service(associations::invite)
        .service(associations::verification)
        .service(establishments::create_establishment)
        .service(establishments::add_manager)
        .service(establishments::payouts)
        .service(establishments::revise_establishment)
        .service(establishments::remove_manager)
        .service(establishments::add_room)
        .service(establishments::show_room)
        .service(rooms::revise_room)
        .service(calendars::room_feed)
        .service(calendars::secret_feed)
        .service(calendars::create_feed)
        .service(calendars::list_feeds)
        .service(calendars::revoke_feed)
        .service(bookings::create_booking)
        .service(bookings::list_bookings)
        .service(bookings::show_booking)
        .service(bookings::approve)
        .service(bookings::reject)
        .service(bookings::pay)
        .service(bookings::cancel)
        .service(bookings::grant_refund)
        .service(messages::list)
        .service(messages::post)
        .service(finance::establishment_ledger)
        .service(finance::ledger_export)
        .service(finance::log_events);
}
