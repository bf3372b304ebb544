//! `/api/v1/bookings`: requests and series, the lists, one booking with its
//! history, and its lifecycle (approve, reject, pay, cancel).

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use salle_events::catalog::Money;
use salle_projections::bookings::BookingRow;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::money;
use crate::app::accounts::Role;
use crate::app::{App, bookings};
use crate::domain::booking::BookingStatus;
use crate::http::auth::Caller;
use crate::http::error::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewBooking {
    pub room_id: Uuid,
    pub start: DateTime<chrono::FixedOffset>,
    pub end: DateTime<chrono::FixedOffset>,
    pub attendees: u32,
    pub purpose: String,
    pub repeat_weekly_until: Option<NaiveDate>,
}

/// `POST /api/v1/bookings` (association): one slot, or a weekly series.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "bookings", request_body = NewBooking, security(("bearer" = [])),
    responses((status = 201, description = "The booking, or the series with its booked and skipped dates", body = crate::http::api::schemas::BookingCreated),
              (status = 403, description = "Not an association", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such room", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The slot is taken", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Outside opening hours, over capacity, too short notice…", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings")]
pub async fn create_booking(
    app: web::Data<App>,
    caller: Caller,
    body: web::Json<NewBooking>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let new = bookings::NewBooking {
        room_id: body.room_id,
        start: body.start.with_timezone(&Utc),
        end: body.end.with_timezone(&Utc),
        attendees: body.attendees,
        purpose: body.purpose,
        repeat_weekly_until: body.repeat_weekly_until,
    };
    let placed = bookings::place(&app, &caller, &new).await?;
    let mut answer = json!({ "id": placed.id, "status": placed.status, "price": money(placed.price) });
    if let Some(series) = placed.series {
        answer["series"] = json!({
            "id": series.id,
            "booked": series.booked,
            "skipped": series.skipped.iter()
                .map(|s| json!({ "date": s.date, "reason": s.reason, "message": s.message }))
                .collect::<Vec<_>>(),
        });
    }
    Ok(HttpResponse::Created().json(answer))
}

fn booking_json(row: &BookingRow) -> serde_json::Value {
    json!({
        "id": row.booking_id,
        "room_id": row.room_id,
        "establishment_id": row.establishment_id,
        "association_id": row.association_id,
        "series_id": row.series_id,
        "start": row.start_at.with_timezone(&salle_domain::time::LOCAL_TZ).to_rfc3339(),
        "end": row.end_at.with_timezone(&salle_domain::time::LOCAL_TZ).to_rfc3339(),
        "status": row.status,
        "price": money(Money::eur(row.price_cents)),
    })
}

/// `GET /api/v1/bookings/{id}`: with its history (room and payment events).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "The booking and its history", body = crate::http::api::schemas::Booking),
              (status = 404, description = "No such booking, or not the caller's", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/bookings/{id}")]
pub async fn show_booking(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let record = bookings::show(&app, &caller, path.into_inner()).await?;
    let history: Vec<serde_json::Value> = record
        .history
        .iter()
        .map(|e| {
            json!({
                "event": e.event_type,
                "at": e.recorded_at.with_timezone(&salle_domain::time::LOCAL_TZ).to_rfc3339(),
                "actor": e.metadata.actor,
                "event_id": e.event_id,
                "global_position": e.global_position,
            })
        })
        .collect();
    let mut body = booking_json(&record.row);
    body["history"] = json!(history);
    if let Some(refund) = record.row.refund_cents {
        body["refund"] = money(Money::eur(refund));
    }
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

/// `GET /api/v1/bookings?status=`: the association's own, or the manager's establishments'.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "bookings", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "Only bookings in this status")),
    responses((status = 200, description = "The association's bookings, or the manager's establishments'", body = crate::http::api::schemas::BookingList),
              (status = 400, description = "Unknown status", body = crate::http::api::schemas::ErrorBody),
              (status = 403, description = "Finance and admins read ledgers instead", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/bookings")]
pub async fn list_bookings(
    app: web::Data<App>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let status = match query.status.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<BookingStatus>().map_err(|_| AppError::BadRequest {
            code: "invalid_status",
            message: format!(
                "« {text} » n'est pas un statut ({}).",
                BookingStatus::ALL.map(BookingStatus::as_str).join(", ")
            ),
        })?),
    };
    if matches!(caller.role(), Role::Finance | Role::Admin) {
        return Err(AppError::Forbidden(
            "Cette liste est celle d'une association ou d'un gestionnaire ; la finance consulte les grands livres."
                .into(),
        ));
    }
    let rows = bookings::list(&app, &caller, status, 1000).await?;
    Ok(HttpResponse::Ok().json(json!({ "bookings": rows.iter().map(booking_json).collect::<Vec<_>>() })))
}

/// `POST /api/v1/bookings/{id}/approve` (its manager)
#[utoipa::path(post, path = "/api/v1/bookings/{id}/approve", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Its new status", body = crate::http::api::schemas::StatusAnswer),
              (status = 404, description = "No such booking, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "Not in a state to approve", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings/{id}/approve")]
pub async fn approve(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let status = bookings::approve(&app, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": status })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    reason: Option<String>,
}

/// `POST /api/v1/bookings/{id}/reject` (its manager), with a reason.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/reject", tag = "bookings", request_body = Reason, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Its new status", body = crate::http::api::schemas::StatusAnswer),
              (status = 404, description = "No such booking, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "Not in a state to reject", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings/{id}/reject")]
pub async fn reject(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, AppError> {
    let reason = body.reason.clone().unwrap_or_default();
    let status = bookings::reject(&app, &caller, path.into_inner(), &reason).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": status })))
}

/// `POST /api/v1/bookings/{id}/pay` (its association): where to pay.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/pay", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Where to pay", body = crate::http::api::schemas::Checkout),
              (status = 404, description = "No such booking, or not the association's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "Not approved, already paid, or free", body = crate::http::api::schemas::ErrorBody),
              (status = 503, description = "The payment provider does not answer", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings/{id}/pay")]
pub async fn pay(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let checkout = bookings::checkout(&app, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "checkout_url": checkout.url, "payment_id": checkout.payment_id })))
}

/// `POST /api/v1/bookings/{id}/cancel` (its association or manager)
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "bookings", request_body(content = Option<Reason>), security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Cancelled, with the refund", body = crate::http::api::schemas::Cancelled),
              (status = 404, description = "No such booking, or not the caller's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "Already over, or not cancellable", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings/{id}/cancel")]
pub async fn cancel(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    let reason = body.and_then(|b| b.reason.clone()).unwrap_or_default();
    let refund = bookings::cancel(&app, &caller, path.into_inner(), &reason).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": BookingStatus::Cancelled, "refund": money(refund) })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewRefund {
    /// What goes back, in cents (at most what was paid and not given back yet).
    amount_cents: i64,
    reason: String,
}

/// `POST /api/v1/bookings/{id}/refunds` (its manager, admin): money back after the slot.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/refunds", tag = "bookings", request_body = NewRefund, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 201, description = "Recorded: the refund, then the transfer's reversal, follow", body = crate::http::api::schemas::RefundAnswer),
              (status = 403, description = "Not a manager or an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such booking, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The slot is not over, or nothing was paid", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "No reason, not a positive amount, or more than is left", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings/{id}/refunds")]
pub async fn grant_refund(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<NewRefund>,
) -> Result<HttpResponse, AppError> {
    let granted =
        crate::app::refunds::grant(&app, &caller, path.into_inner(), body.amount_cents, &body.reason).await?;
    Ok(HttpResponse::Created().json(json!({
        "id": granted.id,
        "status": "granted",
        "amount": money(granted.amount),
        "refundable_left": money(granted.left),
    })))
}
