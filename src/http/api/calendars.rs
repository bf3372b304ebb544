//! `/api/v1/calendars`: a room's public feed, secret feeds and their links.

use actix_web::{HttpResponse, delete, get, post, web};
use serde_json::json;
use uuid::Uuid;

use crate::app::{App, calendars};
use crate::http::auth::Caller;
use crate::http::error::AppError;

const CALENDAR: &str = "text/calendar; charset=utf-8";

fn ics(body: String) -> HttpResponse {
    HttpResponse::Ok().content_type(CALENDAR).body(body)
}

/// `{id}.ics` or `{token}.ics`: the part before `.ics`.
fn stem(segment: &str) -> Option<&str> {
    segment.strip_suffix(".ics").filter(|s| !s.is_empty())
}

/// `GET /api/v1/calendars/rooms/{id}.ics` (anyone): when the room is taken, nothing about by whom.
#[utoipa::path(get, path = "/api/v1/calendars/rooms/{id}.ics", tag = "calendars",
    params(("id" = Uuid, Path, description = "The room")),
    responses((status = 200, description = "The room's busy times (RFC 5545)", content((String = "text/calendar"))),
              (status = 404, description = "No such room", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/calendars/rooms/{file}")]
pub async fn room_feed(app: web::Data<App>, file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let room_id = stem(&file).and_then(|s| s.parse::<Uuid>().ok()).ok_or_else(no_room)?;
    Ok(ics(calendars::room_feed(&app, room_id).await?))
}

fn no_room() -> AppError {
    AppError::NotFound("Cette salle n'existe pas : l'adresse est /api/v1/calendars/rooms/<salle>.ics.".into())
}

/// `GET /api/v1/calendars/feeds/{token}.ics` (the link's holder): an association's or a manager's bookings.
#[utoipa::path(get, path = "/api/v1/calendars/feeds/{token}.ics", tag = "calendars",
    params(("token" = String, Path, description = "The secret of the link")),
    responses((status = 200, description = "The bookings (RFC 5545)", content((String = "text/calendar"))),
              (status = 404, description = "No such link, or revoked", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/calendars/feeds/{file}")]
pub async fn secret_feed(app: web::Data<App>, file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = stem(&file).ok_or_else(|| AppError::NotFound("Ce lien d'agenda n'existe pas.".into()))?;
    Ok(ics(calendars::secret_feed(&app, token).await?))
}

/// `POST /api/v1/calendars/feeds` (an association's member, a manager): a new secret link.
#[utoipa::path(post, path = "/api/v1/calendars/feeds", tag = "calendars", security(("bearer" = [])),
    responses((status = 201, description = "The link, shown this once", body = crate::http::api::schemas::CalendarFeed),
              (status = 401, description = "No or bad token", body = crate::http::api::schemas::ErrorBody),
              (status = 403, description = "Finance and admin accounts have no bookings of their own", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/calendars/feeds")]
pub async fn create_feed(app: web::Data<App>, caller: Caller) -> Result<HttpResponse, AppError> {
    let feed = calendars::create_feed(&app, &caller).await?;
    Ok(HttpResponse::Created().json(json!({ "id": feed.id, "url": feed.url, "webcal": feed.webcal })))
}

/// `GET /api/v1/calendars/feeds` (its owner): the links that work.
#[utoipa::path(get, path = "/api/v1/calendars/feeds", tag = "calendars", security(("bearer" = [])),
    responses((status = 200, description = "The caller's links (their secrets are not kept)", body = crate::http::api::schemas::CalendarFeeds),
              (status = 401, description = "No or bad token", body = crate::http::api::schemas::ErrorBody),
              (status = 403, description = "Finance and admin accounts have no bookings of their own", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/calendars/feeds")]
pub async fn list_feeds(app: web::Data<App>, caller: Caller) -> Result<HttpResponse, AppError> {
    let feeds: Vec<_> = calendars::feeds(&app, &caller)
        .await?
        .into_iter()
        .map(|f| json!({ "id": f.feed_id, "created_at": f.created_at }))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "feeds": feeds })))
}

/// `DELETE /api/v1/calendars/feeds/{id}` (its owner): the link answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/calendars/feeds/{id}", tag = "calendars", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The link's id")),
    responses((status = 204, description = "Revoked"),
              (status = 401, description = "No or bad token", body = crate::http::api::schemas::ErrorBody),
              (status = 403, description = "Finance and admin accounts have no bookings of their own", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "Not one of the caller's links", body = crate::http::api::schemas::ErrorBody)))]
#[delete("/api/v1/calendars/feeds/{id}")]
pub async fn revoke_feed(
    app: web::Data<App>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    calendars::revoke(&app, &caller, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
