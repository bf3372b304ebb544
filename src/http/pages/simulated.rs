//! The simulated provider's checkout and onboarding pages, served only when
//! payments are simulated, to the booking's association and the
//! establishment's managers, with a CSRF token on each form. What they make
//! is signed and handed to the same pipeline as the provider's webhook.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Utc;
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::{App, AppError};
use crate::domain::payment::AttemptStatus;
use crate::http::pages::visitor::{PageError, Visitor, see_other};
use crate::payments::{Gateway, SimulatedGateway, simulated};

fn simulated(state: &App) -> Result<&SimulatedGateway, AppError> {
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
    state: &App,
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
async fn payer_signed_in(state: &App, visitor: &Visitor, booking_id: Uuid) -> Result<bool, AppError> {
    let Some(caller) = visitor.caller() else { return Ok(false) };
    let payment = state.commands.payment(booking_id).await?;
    if caller.role() != Role::Association || caller.0.association_id != Some(payment.association_id) {
        return Err(checkout_missing());
    }
    Ok(true)
}

#[get("/paiement/simule/{booking_id}/{payment_id}")]
pub async fn simulated_checkout(
    state: web::Data<App>,
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

/// Pay or decline: the simulated provider makes its event, signs it, and
/// hands it to the webhook pipeline. Only the association that owns the
/// booking, from the checkout page (its CSRF token).
#[post("/paiement/simule/{booking_id}/{payment_id}")]
pub async fn simulated_outcome(
    state: web::Data<App>,
    visitor: Visitor,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let sim = simulated(&state)?;
    let form = crate::http::pages::form::checked(&visitor, &body)?;
    let (booking_id, payment_id) = path.into_inner();
    if !payer_signed_in(&state, &visitor, booking_id).await? {
        return Ok(see_other("/connexion"));
    }
    let (checkout_ref, amount) = open_attempt(&state, booking_id, payment_id).await?;
    let now = Utc::now();
    let paid = match form.get("outcome").as_str() {
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
    let body = if paid {
        let body = sim.pay(&checkout_ref, booking_id, payment_id, amount, now);
        sim.save().await.map_err(|e| AppError::Unavailable(e.to_string()))?;
        body
    } else {
        simulated::payment_failed(booking_id, payment_id, amount, now)
    };
    crate::app::payments::receive(&state, body.as_bytes(), Some(&sim.sign(&body, now))).await?;
    let back = format!("/reservations/{booking_id}");
    Ok(visitor.ok(salle_web::payments::simulated_outcome(visitor.lang, paid, &back)))
}

/// The manager of the establishment the account belongs to, or an admin.
async fn onboarder(state: &App, visitor: &Visitor, account_ref: &str) -> Result<Option<Uuid>, AppError> {
    let Some(caller) = visitor.caller() else { return Ok(None) };
    let establishment_id = establishment_of(state, account_ref).await?;
    crate::app::access::managed_establishment(state, &caller, establishment_id)
        .await
        .map_err(|_| AppError::NotFound("Ce compte de versement n'existe pas.".into()))?;
    Ok(Some(establishment_id))
}

#[get("/paiement/simule/compte/{account_ref}")]
pub async fn simulated_onboarding(
    state: web::Data<App>,
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

#[post("/paiement/simule/compte/{account_ref}")]
pub async fn simulated_onboarding_done(
    state: web::Data<App>,
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let sim = simulated(&state)?;
    crate::http::pages::form::checked(&visitor, &body)?;
    let account_ref = path.into_inner();
    let Some(establishment_id) = onboarder(&state, &visitor, &account_ref).await? else {
        return Ok(see_other("/connexion"));
    };
    let now = Utc::now();
    let body = simulated::account_updated(&account_ref, establishment_id, true, now);
    crate::app::payments::receive(&state, body.as_bytes(), Some(&sim.sign(&body, now))).await?;
    Ok(visitor.ok(salle_web::payments::simulated_onboarding(
        visitor.lang,
        &account_ref,
        req.path(),
        true,
        &visitor.csrf,
    )))
}

/// The establishment a simulated account belongs to (its id is in the reference).
async fn establishment_of(state: &App, account_ref: &str) -> Result<Uuid, AppError> {
    let missing = || AppError::NotFound("Ce compte de versement n'existe pas.".into());
    let id: Uuid =
        account_ref.strip_prefix("acct_sim_").and_then(|id| id.parse().ok()).ok_or_else(missing)?;
    let establishment = state.commands.establishment(id).await?;
    if establishment.payout_account.as_deref() != Some(account_ref) {
        return Err(missing());
    }
    Ok(id)
}
