//! `POST /api/v1/payments/stripe/webhook`: the provider's events.

use actix_web::{HttpRequest, HttpResponse, post, web};

use crate::app::{App, AppError};

/// `POST /api/v1/payments/stripe/webhook`: the raw body, verified against
/// `Stripe-Signature` before anything is read from it.
#[utoipa::path(post, path = "/api/v1/payments/stripe/webhook", tag = "bookings",
    request_body(content = Object, description = "A Stripe event, as Stripe sends it"),
    params(("Stripe-Signature" = String, Header, description = "Stripe's signature of the raw body")),
    responses((status = 200, description = "Recorded", body = crate::http::api::schemas::Received),
              (status = 400, description = "Unverifiable or unknown event", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/payments/stripe/webhook")]
pub async fn stripe_webhook(
    state: web::Data<App>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let signature = req.headers().get("Stripe-Signature").and_then(|v| v.to_str().ok());
    crate::app::payments::receive(&state, &body, signature).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "received": true })))
}
