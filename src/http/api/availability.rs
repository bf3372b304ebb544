//! `/api/v1/rooms/{id}/…`: a room's availability calendar (API.md).

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use salle_projections::availability::{CalendarError, room_calendar};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::app::App;
use crate::http::error::AppError;

#[derive(Debug, Deserialize)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

fn date(field: &'static str, value: Option<&str>) -> Result<NaiveDate, AppError> {
    let value = value.ok_or_else(|| AppError::BadRequest {
        code: "missing_parameter",
        message: format!("Le paramètre « {field} » est obligatoire (AAAA-MM-JJ)."),
    })?;
    salle_domain::time::parse_day(field, value)
        .map_err(|r| AppError::Unprocessable { code: r.code, message: r.message })
}

/// `GET /api/v1/rooms/{id}/availability?from=DATE&to=DATE`: free, held and
/// booked intervals, in local time with its offset.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/availability", tag = "search",
    params(("id" = Uuid, Path, description = "The room"),
           ("from" = NaiveDate, Query, description = "First day (local)"),
           ("to" = NaiveDate, Query, description = "Last day (local), fewer than 62 days after `from`")),
    responses((status = 200, description = "Free, held and booked intervals", body = crate::http::api::schemas::Availability),
              (status = 404, description = "No such room", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Bad dates or range", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/rooms/{id}/availability")]
pub async fn availability(
    state: web::Data<App>,
    path: web::Path<String>,
    range: web::Query<Range>,
) -> Result<HttpResponse, AppError> {
    let not_found = || AppError::NotFound("Cette salle n'existe pas.".into());
    let room_id: Uuid = path.parse().map_err(|_| not_found())?;
    let from = date("from", range.from.as_deref())?;
    let to = date("to", range.to.as_deref())?;
    let intervals = room_calendar(&state.store, &state.commands.calendar, room_id, from, to)
        .await
        .map_err(|e| match e {
            CalendarError::BadRange(..) => AppError::Unprocessable {
                code: "invalid_range",
                message: format!("{}.", capitalized(&e.to_string())),
            },
            CalendarError::Projection(p) => AppError::Internal(p.into()),
        })?
        .ok_or_else(not_found)?;
    let tz = salle_domain::time::LOCAL_TZ;
    let intervals: Vec<_> = intervals
        .iter()
        .map(|i| {
            json!({
                "start": i.start.with_timezone(&tz).to_rfc3339(),
                "end": i.end.with_timezone(&tz).to_rfc3339(),
                "status": i.status,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "room_id": room_id, "from": from, "to": to, "intervals": intervals })))
}

fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
