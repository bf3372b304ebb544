//! Payment routes: the provider's webhook, and the simulated provider's
//! checkout and onboarding pages (served only when payments are simulated,
//! to the booking's association and the establishment's managers, with a
//! CSRF token on each form).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::domain::payment::AttemptStatus;
use crate::http::error::AppError;
use crate::http::pages::{PageError, Visitor, see_other};
use crate::payments::webhook::{self, ReceiveError};
use crate::payments::{Gateway, SimulatedGateway, simulated};
use crate::startup::AppState;

/// `POST /api/v1/payments/stripe/webhook`: the raw body, verified against
/// `Stripe-Signature` before anything is read from it.
#[utoipa::path(post, path = "/api/v1/payments/stripe/webhook", tag = "bookings",
    request_body(content = Object, description = "A Stripe event, as Stripe sends it"),
    params(("Stripe-Signature" = String, Header, description = "Stripe's signature of the raw body")),
    responses((status = 200, description = "Recorded", body = crate::http::openapi::Received),
              (status = 400, description = "Unverifiable or unknown event", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/payments/stripe/webhook")]
pub async fn stripe_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let signature = req.headers().get("Stripe-Signature").and_then(|v| v.to_str().ok());
    deliver(&state, &body, signature).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}

async fn deliver(state: &AppState, body: &[u8], signature: Option<&str>) -> Result<(), AppError> {
    let gateway = state.payments.gateway();
    match webhook::receive(&state.commands, gateway, body, signature, Utc::now()).await {
        Ok(()) => Ok(()),
        Err(ReceiveError::Rejected(why)) => {
            // The reason only: never the header, the body or a secret.
            tracing::warn!(reason = %why, bytes = body.len(), "webhook rejected");
            crate::metrics::webhook_rejected(why.code());
            Err(AppError::BadRequest {
                code: "invalid_webhook", message: format!("Webhook refusé : {why}.")
            })
        }
        Err(ReceiveError::NotRecorded(e)) => Err(AppError::Internal(e.into())),
    }
}

fn simulated(state: &AppState) -> Result<&SimulatedGateway, AppError> {
    match state.payments.gateway() {
        Gateway::Simulated(sim) => Ok(sim),
        Gateway::Stripe(_) | Gateway::Off => {
            Err(AppError::NotFound("Ce site ne simule pas les paiements.".into()))
        }
    }
}

fn checkout_missing() -> AppError {
    AppError::NotFound("Ce paiement n'existe pas ou n'est plus ouvert.".into())
}

/// The open attempt and its amount, or 404.
async fn open_attempt(
    state: &AppState,
    booking_id: Uuid,
    payment_id: Uuid,
) -> Result<(String, salle_events::catalog::Money), AppError> {
    let payment = state.commands.payment(booking_id).await?;
    let attempt = payment.attempt(payment_id).ok_or_else(checkout_missing)?;
    match &attempt.status {
        AttemptStatus::Open { checkout_ref, .. } if Utc::now() < attempt.pay_by => {
            Ok((checkout_ref.clone(), attempt.amount))
        }
        _ => Err(checkout_missing()),
    }
}

/// Whether someone is signed in (false: send them to sign in), who must be
/// the association that owns the booking this payment is for; anyone else
/// is told there is nothing here, as for any other booking.
async fn payer_signed_in(state: &AppState, visitor: &Visitor, booking_id: Uuid) -> Result<bool, AppError> {
    let Some(caller) = visitor.caller() else { return Ok(false) };
    let payment = state.commands.payment(booking_id).await?;
    if caller.role() != Role::Association || caller.0.association_id != Some(payment.association_id) {
        return Err(checkout_missing());
    }
    Ok(true)
}

#[get("/paiement/simule/{booking_id}/{payment_id}")]
pub async fn simulated_checkout(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, PageError> {
    simulated(&state)?;
    let (booking_id, payment_id) = path.into_inner();
    if !payer_signed_in(&state, &visitor, booking_id).await? {
        return Ok(see_other("/connexion"));
    }
    let (_, amount) = open_attempt(&state, booking_id, payment_id).await?;
    let description = format!("Réservation de salle n° {}", &booking_id.simple().to_string()[..8]);
    Ok(visitor.ok(salle_web::payments::simulated_checkout(
        visitor.lang,
        &amount.to_string(),
        &description,
        req.path(),
        &visitor.csrf,
    )))
}

#[derive(Debug, Deserialize)]
pub struct Outcome {
    #[serde(default)]
    csrf: String,
    outcome: String,
}

/// Pay or decline: the simulated provider makes its event, signs it, and
/// hands it to the webhook pipeline. Only the association that owns the
/// booking, from the checkout page (its CSRF token).
#[post("/paiement/simule/{booking_id}/{payment_id}")]
pub async fn simulated_outcome(
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(Uuid, Uuid)>,
    form: web::Form<Outcome>,
) -> Result<HttpResponse, PageError> {
    let sim = simulated(&state)?;
    visitor.check(&form.csrf)?;
    let (booking_id, payment_id) = path.into_inner();
    if !payer_signed_in(&state, &visitor, booking_id).await? {
        return Ok(see_other("/connexion"));
    }
    let (checkout_ref, amount) = open_attempt(&state, booking_id, payment_id).await?;
    let now = Utc::now();
    let paid = match form.outcome.as_str() {
        "succeeded" => true,
        "declined" => false,
        other => {
            return Err(AppError::BadRequest {
                code: "invalid_outcome",
                message: format!("« {other} » n'est pas une issue : succeeded ou declined."),
            }
            .into());
        }
    };
    let event = if paid {
        let event = sim.pay(&checkout_ref, booking_id, payment_id, amount, now);
        sim.save().await.map_err(|e| AppError::Unavailable(e.to_string()))?;
        event
    } else {
        simulated::payment_failed(booking_id, payment_id, amount, now)
    };
    let body = event.to_string();
    deliver(&state, body.as_bytes(), Some(&sim.sign(&body, now))).await?;
    let back = format!("/reservations/{booking_id}");
    Ok(visitor.ok(salle_web::payments::simulated_outcome(visitor.lang, paid, &back)))
}

/// The manager of the establishment the account belongs to, or an admin.
async fn onboarder(state: &AppState, visitor: &Visitor, account_ref: &str) -> Result<Option<Uuid>, AppError> {
    let Some(caller) = visitor.caller() else { return Ok(None) };
    let establishment_id = establishment_of(state, account_ref).await?;
    crate::http::api::managed_establishment(state, &caller, establishment_id)
        .await
        .map_err(|_| AppError::NotFound("Ce compte de versement n'existe pas.".into()))?;
    Ok(Some(establishment_id))
}

#[get("/paiement/simule/compte/{account_ref}")]
pub async fn simulated_onboarding(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    simulated(&state)?;
    let account_ref = path.into_inner();
    let Some(establishment) = onboarder(&state, &visitor, &account_ref).await? else {
        return Ok(see_other("/connexion"));
    };
    let done = state.commands.establishment(establishment).await?.accepts_payments();
    Ok(visitor.ok(salle_web::payments::simulated_onboarding(
        visitor.lang,
        &account_ref,
        req.path(),
        done,
        &visitor.csrf,
    )))
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

#[post("/paiement/simule/compte/{account_ref}")]
pub async fn simulated_onboarding_done(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    let sim = simulated(&state)?;
    visitor.check(&form.csrf)?;
    let account_ref = path.into_inner();
    let Some(establishment_id) = onboarder(&state, &visitor, &account_ref).await? else {
        return Ok(see_other("/connexion"));
    };
    let now = Utc::now();
    let body = simulated::account_updated(&account_ref, establishment_id, true, now).to_string();
    deliver(&state, body.as_bytes(), Some(&sim.sign(&body, now))).await?;
    Ok(visitor.ok(salle_web::payments::simulated_onboarding(
        visitor.lang,
        &account_ref,
        req.path(),
        true,
        &visitor.csrf,
    )))
}

/// The establishment a simulated account belongs to (its id is in the reference).
async fn establishment_of(state: &AppState, account_ref: &str) -> Result<Uuid, AppError> {
    let missing = || AppError::NotFound("Ce compte de versement n'existe pas.".into());
    let id: Uuid =
        account_ref.strip_prefix("acct_sim_").and_then(|id| id.parse().ok()).ok_or_else(missing)?;
    let establishment = state.commands.establishment(id).await?;
    if establishment.payout_account.as_deref() != Some(account_ref) {
        return Err(missing());
    }
    Ok(id)
}
