//! The HTTP surface: actix handlers for pages and `/api/v1`, and the errors they answer with.

pub mod admin;
pub mod api;
pub mod auth;
pub mod client;
pub mod error;
mod forms;
pub mod headers;
pub mod health;
pub mod manage;
pub mod openapi;
pub mod pages;
pub mod payments;
pub mod rooms;
pub mod search;
pub mod signed_in;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use salle_web::Lang;

use crate::http::error::AppError;

/// Every route of the application.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(rooms::availability)
        .service(search::search)
        .service(payments::stripe_webhook)
        .service(payments::simulated_onboarding)
        .service(payments::simulated_onboarding_done)
        .service(payments::simulated_checkout)
        .service(payments::simulated_outcome)
        .service(auth::issue_token)
        .service(auth::revoke_token)
        .service(api::create_user)
        .service(api::me)
        .service(api::create_association)
        .service(api::create_establishment)
        .service(api::add_manager)
        .service(api::add_room)
        .service(api::show_room)
        .service(api::create_booking)
        .service(api::list_bookings)
        .service(api::show_booking)
        .service(api::approve)
        .service(api::reject)
        .service(api::pay)
        .service(api::cancel)
        .service(api::establishment_ledger)
        .service(api::ledger_export)
        .service(api::log_events)
        .service(openapi::openapi_json)
        .service(pages::stylesheet)
        .service(pages::map_script)
        .service(pages::leaflet)
        .service(pages::home)
        .service(pages::room_page)
        .service(pages::sign_in_page)
        .service(pages::sign_in)
        .service(pages::sign_out)
        .service(pages::sign_up_page)
        .service(pages::sign_up)
        .service(pages::bookings_page)
        .service(pages::request)
        .service(pages::booking_page)
        .service(pages::receipt_page)
        .service(pages::act)
        .service(pages::ledgers_page)
        // Before `/grand-livre/{id}`, whose id would not parse.
        .service(pages::whole_ledger_page)
        .service(pages::reconciliation_page)
        .service(pages::ledger_download)
        .service(pages::ledger_page)
        .service(admin::admin_page)
        .service(admin::import_colleges)
        .service(admin::invite)
        .service(admin::publish_tariff)
        .service(admin::verify_association)
        .service(admin::invitation_page)
        .service(admin::accept_invitation)
        .service(manage::establishments_page)
        .service(pages::establishment_page)
        .service(manage::establishment_page)
        .service(manage::start_payouts)
        .service(manage::add_room)
        .service(manage::room_page)
        // Before `/salles/{id}/gestion/{action}`, which it would match.
        .service(manage::lift)
        .service(manage::room_action)
        .service(pages::legal)
        .service(pages::accessibility);
}

/// Unknown addresses: a JSON error under `/api`, a page elsewhere.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let path = req.path();
    if path.starts_with("/api/") {
        return Err(AppError::NotFound(format!("Aucune ressource à l'adresse {path}.")));
    }
    let lang =
        Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    Ok(HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(salle_web::pages::not_found(lang, path).into_string()))
}
