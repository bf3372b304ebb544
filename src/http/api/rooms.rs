//! `PATCH /api/v1/rooms/{id}`: its manager (or an admin) revises a room —
//! description, hours, booking rules, listing — in one change.

use actix_web::{HttpResponse, patch, web};
use salle_events::catalog::room::{ApprovalMode, Equipment, RoomKind, WeeklyWindow};
use serde::Deserialize;
use uuid::Uuid;

use super::establishments::Opening;
use crate::app::{App, rooms};
use crate::http::auth::Caller;
use crate::http::error::AppError;

/// Any field of a room's creation, and its booking rules; what is absent stays.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomRevision {
    name: Option<String>,
    kind: Option<RoomKind>,
    capacity: Option<u32>,
    area_m2: Option<u32>,
    equipment: Option<Vec<Equipment>>,
    step_free: Option<bool>,
    approval: Option<ApprovalMode>,
    hourly_rate_cents: Option<i64>,
    description: Option<String>,
    opening: Option<Vec<Opening>>,
    open_in_school_holidays: Option<bool>,
    min_notice_hours: Option<u32>,
    horizon_days: Option<u32>,
    min_duration_minutes: Option<u32>,
    max_duration_minutes: Option<u32>,
    buffer_minutes: Option<u32>,
    /// Hours a request waits for the manager's decision.
    decision_hold_hours: Option<u32>,
    /// Hours an approved booking waits for its payment.
    hold_hours: Option<u32>,
    /// `false` withdraws the room from searches and requests; `true` offers it again.
    listed: Option<bool>,
}

/// `PATCH /api/v1/rooms/{id}` (its manager, admin)
#[utoipa::path(patch, path = "/api/v1/rooms/{id}", tag = "establishments", request_body = RoomRevision, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The room")),
    responses((status = 200, description = "The room as revised", body = crate::http::api::schemas::Room),
              (status = 400, description = "A field that rooms do not have, or of the wrong type", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such room, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The change conflicts with active bookings (capacity)", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "A value outside its bounds", body = crate::http::api::schemas::ErrorBody)))]
#[patch("/api/v1/rooms/{id}")]
pub async fn revise_room(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<RoomRevision>,
) -> Result<HttpResponse, AppError> {
    let room_id = path.into_inner();
    let b = body.into_inner();
    let revision = rooms::Revision {
        name: b.name,
        kind: b.kind,
        capacity: b.capacity,
        area_m2: b.area_m2,
        equipment: b.equipment,
        step_free: b.step_free,
        approval: b.approval,
        hourly_rate_cents: b.hourly_rate_cents,
        description: b.description,
        opening: b.opening.map(|windows| {
            windows.iter().map(|o| WeeklyWindow { weekday: o.weekday, start: o.start, end: o.end }).collect()
        }),
        open_in_school_holidays: b.open_in_school_holidays,
        min_notice_hours: b.min_notice_hours,
        horizon_days: b.horizon_days,
        min_duration_minutes: b.min_duration_minutes,
        max_duration_minutes: b.max_duration_minutes,
        buffer_minutes: b.buffer_minutes,
        decision_hold_hours: b.decision_hold_hours,
        hold_hours: b.hold_hours,
        listed: b.listed,
    };
    rooms::revise(&app, &caller, room_id, revision).await?;
    super::establishments::show_room_answer(&app, room_id).await
}
