//! `/api/v1/bookings/{id}/messages`: the conversation between the
//! association and the establishment's managers about a booking.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::app::{App, messages};
use crate::http::auth::Caller;
use crate::http::error::AppError;

/// `GET /api/v1/bookings/{id}/messages` (its association, its managers): oldest first.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/messages", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking (a series' dates share one conversation)")),
    responses((status = 200, description = "The conversation", body = crate::http::api::schemas::Messages),
              (status = 403, description = "Finance and admins do not take part in conversations", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such booking, or not the caller's", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/bookings/{id}/messages")]
pub async fn list(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let rows = messages::list(&app, &caller, path.into_inner()).await?;
    let messages: Vec<serde_json::Value> = rows
        .iter()
        .map(|m| {
            json!({
                "id": m.message_id,
                "booking_id": m.booking_id,
                "author_role": m.author_role,
                "at": m.posted_at.with_timezone(&salle_domain::time::LOCAL_TZ).to_rfc3339(),
                // Erased with the association's data: the message stays, its words do not.
                "text": m.body,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "messages": messages })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewMessage {
    /// At most 4,000 characters; shown as text, never as HTML.
    text: String,
}

/// `POST /api/v1/bookings/{id}/messages` (its association, its managers): the other side is told by e-mail.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/messages", tag = "bookings", request_body = NewMessage, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 201, description = "The message", body = crate::http::api::schemas::Created),
              (status = 403, description = "Finance and admins do not take part in conversations", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such booking, or not the caller's", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Empty, too long, or with invisible characters", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/bookings/{id}/messages")]
pub async fn post(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<NewMessage>,
) -> Result<HttpResponse, AppError> {
    let id = messages::post(&app, &caller, path.into_inner(), &body.text, None).await?;
    Ok(HttpResponse::Created().json(json!({ "id": id })))
}
