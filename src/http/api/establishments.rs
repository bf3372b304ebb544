//! `/api/v1/establishments`, their managers and rooms; `/api/v1/rooms/{id}`.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::NaiveTime;
use salle_events::catalog::establishment::EstablishmentKind;
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, Equipment, OpeningRules, RoomDetails, RoomKind, WeeklyWindow,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::created;
use crate::app::{App, establishments, rooms};
use crate::http::auth::Caller;
use crate::http::error::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewEstablishment {
    name: String,
    kind: EstablishmentKind,
    uai: Option<String>,
    address: String,
    commune_insee: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// `POST /api/v1/establishments` (admin)
#[utoipa::path(post, path = "/api/v1/establishments", tag = "establishments", request_body = NewEstablishment, security(("bearer" = [])),
    responses((status = 201, description = "The establishment", body = crate::http::api::schemas::Created),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Unknown commune", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/establishments")]
pub async fn create_establishment(
    app: web::Data<App>,
    caller: Caller,
    body: web::Json<NewEstablishment>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let new = establishments::NewEstablishment {
        name: body.name,
        kind: body.kind,
        uai: body.uai,
        address: body.address,
        commune_insee: body.commune_insee,
        lat: body.lat,
        lon: body.lon,
    };
    Ok(created(establishments::register(&app, &caller, &new).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewManager {
    email: String,
    password: String,
    name: String,
}

/// `POST /api/v1/establishments/{id}/managers` (admin)
#[utoipa::path(post, path = "/api/v1/establishments/{id}/managers", tag = "establishments", request_body = NewManager, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment")),
    responses((status = 201, description = "The manager's account", body = crate::http::api::schemas::Created),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such establishment", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The e-mail is taken", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/establishments/{id}/managers")]
pub async fn add_manager(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<NewManager>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let new = establishments::NewManager { email: body.email, password: body.password, name: body.name };
    Ok(created(establishments::add_manager(&app, &caller, path.into_inner(), &new).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EstablishmentRevision {
    name: Option<String>,
    address: Option<String>,
    /// `active` or `suspended` (a suspended establishment takes no new requests).
    status: Option<String>,
    /// Why it is suspended (required to suspend; people read it).
    reason: Option<String>,
}

/// `PATCH /api/v1/establishments/{id}` (admin): details, suspension, reactivation.
#[utoipa::path(patch, path = "/api/v1/establishments/{id}", tag = "establishments", request_body = EstablishmentRevision, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment")),
    responses((status = 200, description = "As it is now", body = crate::http::api::schemas::EstablishmentState),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such establishment", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "An empty name or address, an unknown status, a suspension without its reason", body = crate::http::api::schemas::ErrorBody)))]
#[patch("/api/v1/establishments/{id}")]
pub async fn revise_establishment(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<EstablishmentRevision>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let suspended = match body.status.as_deref() {
        None => None,
        Some("active") => Some(false),
        Some("suspended") => Some(true),
        Some(other) => {
            return Err(AppError::Unprocessable {
                code: "invalid_status",
                message: format!("« {other} » n'est pas un état d'établissement (active, suspended)."),
            });
        }
    };
    let revision =
        establishments::Revision { name: body.name, address: body.address, suspended, reason: body.reason };
    let id = path.into_inner();
    let suspended = establishments::revise(&app, &caller, id, &revision).await?;
    let e = app.commands.establishment(id).await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": id,
        "name": e.name,
        "address": e.address,
        "status": if suspended { "suspended" } else { "active" },
    })))
}

/// `DELETE /api/v1/establishments/{id}/managers/{user_id}` (admin)
#[utoipa::path(delete, path = "/api/v1/establishments/{id}/managers/{user_id}", tag = "establishments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment"), ("user_id" = Uuid, Path, description = "The manager's account")),
    responses((status = 204, description = "No longer in their care; the account stays"),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such establishment, or not one of its managers", body = crate::http::api::schemas::ErrorBody)))]
#[delete("/api/v1/establishments/{id}/managers/{user_id}")]
pub async fn remove_manager(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    let (id, user_id) = path.into_inner();
    establishments::remove_manager(&app, &caller, id, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/establishments/{id}/payouts` (its manager, admin)
#[utoipa::path(post, path = "/api/v1/establishments/{id}/payouts", tag = "establishments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment")),
    responses((status = 200, description = "Where its payout account is completed (created once), and whether it is ready", body = crate::http::api::schemas::Payouts),
              (status = 403, description = "Not a manager or an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such establishment, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 503, description = "The payment provider does not answer", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/establishments/{id}/payouts")]
pub async fn payouts(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let onboarding = crate::app::payouts::onboarding(&app, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "onboarding_url": onboarding.url, "ready": onboarding.ready })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct Opening {
    pub(crate) weekday: u8,
    pub(crate) start: NaiveTime,
    pub(crate) end: NaiveTime,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewRoom {
    name: String,
    kind: RoomKind,
    capacity: u32,
    area_m2: Option<u32>,
    #[serde(default)]
    equipment: Vec<Equipment>,
    step_free: bool,
    approval: ApprovalMode,
    hourly_rate_cents: Option<i64>,
    opening: Vec<Opening>,
    #[serde(default)]
    open_in_school_holidays: bool,
    min_notice_hours: Option<u32>,
    buffer_minutes: Option<u32>,
    #[serde(default)]
    description: String,
}

impl NewRoom {
    /// The same windows every school week, and in the holidays if asked.
    fn into_room(self) -> rooms::NewRoom {
        let windows: Vec<WeeklyWindow> = self
            .opening
            .iter()
            .map(|o| WeeklyWindow { weekday: o.weekday, start: o.start, end: o.end })
            .collect();
        let opening = OpeningRules {
            school_holidays: if self.open_in_school_holidays { windows.clone() } else { vec![] },
            school_weeks: windows,
            open_on_public_holidays: false,
        };
        let defaults = BookingConstraints::default();
        let constraints = BookingConstraints {
            min_notice_hours: self.min_notice_hours.unwrap_or(defaults.min_notice_hours),
            buffer_minutes: self.buffer_minutes.unwrap_or(defaults.buffer_minutes),
            ..defaults
        };
        let details = RoomDetails {
            name: self.name,
            kind: self.kind,
            capacity: self.capacity,
            area_m2: self.area_m2,
            equipment: self.equipment,
            step_free: self.step_free,
            approval: self.approval,
            hourly_rate_cents: self.hourly_rate_cents,
            description: self.description,
        };
        rooms::NewRoom { details, opening, constraints }
    }
}

/// `POST /api/v1/establishments/{id}/rooms` (its manager, admin)
#[utoipa::path(post, path = "/api/v1/establishments/{id}/rooms", tag = "establishments", request_body = NewRoom, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment")),
    responses((status = 201, description = "The room", body = crate::http::api::schemas::Created),
              (status = 404, description = "No such establishment, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Bad opening window, capacity or rate", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/establishments/{id}/rooms")]
pub async fn add_room(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<NewRoom>,
) -> Result<HttpResponse, AppError> {
    Ok(created(rooms::add(&app, &caller, path.into_inner(), body.into_inner().into_room()).await?))
}

/// `GET /api/v1/rooms/{id}` (anyone)
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "search",
    params(("id" = Uuid, Path, description = "The room")),
    responses((status = 200, description = "The room, its establishment, rules and tariff", body = crate::http::api::schemas::Room),
              (status = 404, description = "No such room", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/rooms/{id}")]
pub async fn show_room(app: web::Data<App>, path: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    show_room_answer(&app, path.into_inner()).await
}

/// The room as `GET /rooms/{id}` shows it (also the answer to its revision).
pub(super) async fn show_room_answer(app: &App, room_id: Uuid) -> Result<HttpResponse, AppError> {
    let rooms::RoomSheet { room, details, establishment, tariff, .. } = rooms::sheet(app, room_id).await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": room_id,
        "name": details.name,
        "kind": details.kind,
        "capacity": details.capacity,
        "area_m2": details.area_m2,
        "equipment": details.equipment,
        "step_free": details.step_free,
        "approval": details.approval,
        "description": details.description,
        "hourly_rate_cents": details.hourly_rate_cents,
        "withdrawn": room.withdrawn,
        "establishment": {
            "id": room.establishment_id,
            "name": establishment.name,
            "kind": establishment.kind,
            "address": establishment.address,
            "commune_insee": establishment.commune_insee,
            "lat": establishment.lat,
            "lon": establishment.lon,
            "accepts_payments": establishment.accepts_payments(),
        },
        "opening": room.opening,
        "constraints": room.constraints,
        "tariff": tariff.map(|t| json!({
            "version": t.version,
            "hourly_rates_cents": t.hourly_rates_cents,
            "flat_fees": t.flat_fees,
        })),
    })))
}
