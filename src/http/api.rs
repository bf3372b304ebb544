//! The JSON API v1 (`API.md`): accounts, establishments, rooms, bookings and
//! their lifecycle, payment, the ledger and the log. Every route checks the
//! caller's role, and every object route checks that the object is the
//! caller's: a manager asking for another establishment's booking gets 404,
//! as if it did not exist.

use std::time::Duration;

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::EstablishmentKind;
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, CancelledBy, Equipment, OpeningRules, RoomDetails, RoomEvent, RoomKind,
    WeeklyWindow,
};
use salle_events::{DomainEvent, EventStore, LogPosition, Metadata};
use salle_projections::bookings::{self, BookingRow, Filter};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::app::accounts::{self, NewAccount, Role};
use crate::app::bookings::Cancellation;
use crate::app::payments::CheckoutState;
use crate::domain::DomainError;
use crate::domain::establishment::{EstablishmentCommand, RegisterEstablishment};
use crate::domain::room::{BookingRequest, RoomCommand, SeriesRequest};
use crate::http::auth::Caller;
use crate::http::error::AppError;
use crate::startup::AppState;

/// How long a write waits for the read model it answers from.
const READ_YOUR_WRITES: Duration = salle_projections::runner::READ_YOUR_WRITES;

fn created(id: Uuid) -> HttpResponse {
    HttpResponse::Created().json(json!({ "id": id }))
}

pub(crate) fn metadata(caller: &Caller, correlation: Uuid) -> Metadata {
    Metadata {
        correlation_id: Some(correlation),
        causation_id: None,
        actor: Some(caller.user_id().to_string()),
    }
}

fn money(m: Money) -> serde_json::Value {
    json!({ "amount_cents": m.amount_cents, "currency": "EUR" })
}

/// Waits until the bookings read model has seen `position` (bounded). The
/// write it waits for is already committed: if the wait fails (the
/// database went away just after), the answer still says what was done.
pub(crate) async fn bookings_reached(state: &AppState, position: LogPosition) -> Result<(), AppError> {
    if let Err(e) =
        salle_projections::runner::wait_until(&state.store, bookings::NAME, position, READ_YOUR_WRITES).await
    {
        tracing::warn!(error = %e, "read-your-writes: the bookings read model could not be awaited");
    }
    Ok(())
}

/// Whether the caller manages the establishment (from its stream).
async fn manages(state: &AppState, caller: &Caller, establishment_id: Uuid) -> Result<bool, AppError> {
    if caller.role() != Role::Manager {
        return Ok(false);
    }
    Ok(state.commands.establishment(establishment_id).await?.is_managed_by(caller.user_id()))
}

/// The establishment, if the caller runs it (its manager) or is an admin;
/// 404 for another establishment's manager.
pub(crate) async fn managed_establishment(
    state: &AppState,
    caller: &Caller,
    establishment_id: Uuid,
) -> Result<crate::domain::establishment::Establishment, AppError> {
    caller.require(&[Role::Manager, Role::Admin])?;
    let establishment = state.commands.establishment(establishment_id).await?;
    let allowed = caller.role() == Role::Admin || establishment.is_managed_by(caller.user_id());
    if establishment.id.is_none() || !allowed {
        return Err(AppError::NotFound("Cet établissement n'existe pas.".into()));
    }
    Ok(establishment)
}

/// The establishment whose ledger the caller reads: its manager, finance or
/// an admin; 404 for another establishment's manager.
pub(crate) async fn ledger_reader(
    state: &AppState,
    caller: &Caller,
    establishment_id: Uuid,
) -> Result<crate::domain::establishment::Establishment, AppError> {
    caller.require(&[Role::Manager, Role::Finance, Role::Admin])?;
    let establishment = state.commands.establishment(establishment_id).await?;
    let allowed = caller.role() != Role::Manager || establishment.is_managed_by(caller.user_id());
    if establishment.id.is_none() || !allowed {
        return Err(AppError::NotFound("Cet établissement n'existe pas.".into()));
    }
    Ok(establishment)
}

fn booking_not_found() -> AppError {
    AppError::NotFound("Cette réservation n'existe pas.".into())
}

/// The booking, if the caller may see it; 404 otherwise.
pub(crate) async fn visible_booking(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
) -> Result<BookingRow, AppError> {
    let row = bookings::by_id(&state.store, booking_id)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or_else(booking_not_found)?;
    let allowed = match caller.role() {
        Role::Admin | Role::Finance => true,
        Role::Association => caller.0.association_id == Some(row.association_id),
        Role::Manager => manages(state, caller, row.establishment_id).await?,
    };
    if allowed { Ok(row) } else { Err(booking_not_found()) }
}

// ---------------------------------------------------------------- accounts

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    email: String,
    password: String,
    name: String,
    role: String,
}

/// `POST /api/v1/users` (admin): finance and admin accounts.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser, security(("bearer" = [])),
    responses((status = 201, description = "The account", body = crate::http::openapi::Created),
              (status = 403, description = "Not an admin", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "The e-mail is taken", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "Bad role, e-mail or password", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::Admin])?;
    let role = match Role::parse(&body.role) {
        Some(role @ (Role::Finance | Role::Admin)) => role,
        _ => {
            return Err(DomainError::rule(
                "invalid_role",
                "Le rôle est « finance » ou « admin » (les gestionnaires et les associations ont leur propre route).",
            )
            .into());
        }
    };
    let new = NewAccount {
        email: &body.email,
        password: &body.password,
        name: &body.name,
        role,
        association_id: None,
    };
    Ok(created(accounts::create(&state.store, new, Utc::now()).await?))
}

/// `GET /api/v1/me`
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "Who the token belongs to", body = crate::http::openapi::Me),
              (status = 401, description = "No or bad token", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, AppError> {
    let mut body = json!({ "id": caller.user_id(), "role": caller.role().as_str(), "name": caller.0.name });
    if caller.role() == Role::Manager {
        body["establishments"] = json!(accounts::establishments_of(&state.store, caller.user_id()).await?);
    }
    if let Some(association_id) = caller.0.association_id {
        body["association_id"] = json!(association_id);
    }
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewAssociation {
    pub name: String,
    pub rna: Option<String>,
    pub siret: Option<String>,
    pub category: RequesterCategory,
    pub email: String,
    pub password: String,
    pub contact_name: String,
    pub phone: Option<String>,
}

/// `POST /api/v1/associations` (anyone): the association and its account.
#[utoipa::path(post, path = "/api/v1/associations", tag = "accounts", request_body = NewAssociation,
    responses((status = 201, description = "The association", body = crate::http::openapi::Created),
              (status = 409, description = "The e-mail is taken", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "Bad RNA/SIRET, e-mail, phone or password", body = crate::http::openapi::ErrorBody),
              (status = 429, description = "Too many sign-ups from this address; see Retry-After", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/associations")]
pub async fn create_association(
    state: web::Data<AppState>,
    client: crate::http::client::ClientAddress,
    body: web::Json<NewAssociation>,
) -> Result<HttpResponse, AppError> {
    Ok(created(register_association(&state, &body, client).await?))
}

/// An association and its account, both or neither (the sign-up page uses it too).
pub(crate) async fn register_association(
    state: &AppState,
    body: &NewAssociation,
    client: crate::http::client::ClientAddress,
) -> Result<Uuid, AppError> {
    state.sign_ups.attempt(client.0, std::time::Instant::now()).map_err(|retry_after_secs| {
        AppError::TooManyRequests {
            message: format!(
                "Trop d'inscriptions depuis cette adresse : réessayez dans {} minute(s).",
                retry_after_secs.div_ceil(60)
            ),
            retry_after_secs,
        }
    })?;
    let identifier =
        crate::domain::association::parse_identifier(body.rna.as_deref(), body.siret.as_deref())?;
    let contact =
        crate::app::personal_data::Contact::parse(&body.contact_name, &body.email, body.phone.as_deref())?;
    // Checked before anything is written, so a refusal leaves nothing behind.
    accounts::normalise_email(&body.email)?;
    accounts::check_password(&body.password)?;
    let association_id = Uuid::now_v7();
    let now = Utc::now();
    let meta =
        Metadata { correlation_id: Some(association_id), causation_id: None, actor: Some("sign-up".into()) };
    let new = NewAccount {
        email: &body.email,
        password: &body.password,
        name: &body.contact_name,
        role: Role::Association,
        association_id: Some(association_id),
    };
    let user_id = accounts::create(&state.store, new, now).await?;
    let registered = state
        .commands
        .register_association(association_id, &body.name, body.category, identifier, &contact, now, &meta)
        .await;
    if let Err(e) = registered {
        // Nothing half-done: the account goes with the refused association.
        accounts::delete(&state.store, user_id).await?;
        return Err(e.into());
    }
    Ok(association_id)
}

// ---------------------------------------------------------------- establishments and rooms

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
    responses((status = 201, description = "The establishment", body = crate::http::openapi::Created),
              (status = 403, description = "Not an admin", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "Unknown commune", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/establishments")]
pub async fn create_establishment(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewEstablishment>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::Admin])?;
    let commune = state.communes.by_insee(body.commune_insee.trim()).ok_or_else(|| {
        AppError::from(DomainError::rule(
            "unknown_commune",
            format!("« {} » n'est le code INSEE d'aucune commune connue.", body.commune_insee),
        ))
    })?;
    let establishment_id = Uuid::now_v7();
    let registration = RegisterEstablishment {
        establishment_id,
        name: body.name.clone(),
        kind: body.kind,
        uai: body.uai.clone(),
        address: body.address.clone(),
        commune_insee: commune.insee.clone(),
        lat: body.lat.unwrap_or(commune.lat),
        lon: body.lon.unwrap_or(commune.lon),
        legal_basis: None,
        now: Utc::now(),
    };
    state
        .commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::Register(registration),
            &metadata(&caller, establishment_id),
        )
        .await?;
    Ok(created(establishment_id))
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
    responses((status = 201, description = "The manager's account", body = crate::http::openapi::Created),
              (status = 403, description = "Not an admin", body = crate::http::openapi::ErrorBody),
              (status = 404, description = "No such establishment", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "The e-mail is taken", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/establishments/{id}/managers")]
pub async fn add_manager(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<NewManager>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::Admin])?;
    let establishment_id = path.into_inner();
    if state.commands.establishment(establishment_id).await?.id.is_none() {
        return Err(AppError::NotFound("Cet établissement n'existe pas.".into()));
    }
    let new = NewAccount {
        email: &body.email,
        password: &body.password,
        name: &body.name,
        role: Role::Manager,
        association_id: None,
    };
    let user_id = accounts::create(&state.store, new, Utc::now()).await?;
    state
        .commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::AssignManager { user_id },
            &metadata(&caller, establishment_id),
        )
        .await?;
    accounts::add_establishment(&state.store, user_id, establishment_id).await?;
    Ok(created(user_id))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Opening {
    weekday: u8,
    start: NaiveTime,
    end: NaiveTime,
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

/// `POST /api/v1/establishments/{id}/rooms` (its manager, admin)
#[utoipa::path(post, path = "/api/v1/establishments/{id}/rooms", tag = "establishments", request_body = NewRoom, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment")),
    responses((status = 201, description = "The room", body = crate::http::openapi::Created),
              (status = 404, description = "No such establishment, or not the manager's", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "Bad opening window, capacity or rate", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/establishments/{id}/rooms")]
pub async fn add_room(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<NewRoom>,
) -> Result<HttpResponse, AppError> {
    let establishment_id = path.into_inner();
    managed_establishment(&state, &caller, establishment_id).await?;
    let windows: Vec<WeeklyWindow> = body
        .opening
        .iter()
        .map(|o| WeeklyWindow { weekday: o.weekday, start: o.start, end: o.end })
        .collect();
    let opening = OpeningRules {
        school_holidays: if body.open_in_school_holidays { windows.clone() } else { vec![] },
        school_weeks: windows,
        open_on_public_holidays: false,
    };
    let defaults = BookingConstraints::default();
    let constraints = BookingConstraints {
        min_notice_hours: body.min_notice_hours.unwrap_or(defaults.min_notice_hours),
        buffer_minutes: body.buffer_minutes.unwrap_or(defaults.buffer_minutes),
        ..defaults
    };
    let details = RoomDetails {
        name: body.name.clone(),
        kind: body.kind,
        capacity: body.capacity,
        area_m2: body.area_m2,
        equipment: body.equipment.clone(),
        step_free: body.step_free,
        approval: body.approval,
        hourly_rate_cents: body.hourly_rate_cents,
        description: body.description.clone(),
    };
    let room_id = Uuid::now_v7();
    let now = Utc::now();
    state
        .commands
        .on_room(room_id, &metadata(&caller, room_id), || RoomCommand::Add {
            room_id,
            establishment_id,
            details: details.clone(),
            opening: opening.clone(),
            constraints,
            now,
        })
        .await?;
    Ok(created(room_id))
}

/// `GET /api/v1/rooms/{id}` (anyone)
#[utoipa::path(get, path = "/api/v1/rooms/{id}", tag = "search",
    params(("id" = Uuid, Path, description = "The room")),
    responses((status = 200, description = "The room, its establishment, rules and tariff", body = crate::http::openapi::Room),
              (status = 404, description = "No such room", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/rooms/{id}")]
pub async fn show_room(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let room_id = path.into_inner();
    let room = state.commands.room(room_id).await?;
    let Some(details) = room.details.as_ref().filter(|_| room.exists()) else {
        return Err(AppError::NotFound("Cette salle n'existe pas.".into()));
    };
    let establishment = state.commands.establishment(room.establishment_id).await?;
    let tariff = state.commands.tariff_for(room.establishment_id).await?;
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

// ---------------------------------------------------------------- bookings

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
    responses((status = 201, description = "The booking, or the series with its booked and skipped dates", body = crate::http::openapi::BookingCreated),
              (status = 403, description = "Not an association", body = crate::http::openapi::ErrorBody),
              (status = 404, description = "No such room", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "The slot is taken", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "Outside opening hours, over capacity, too short notice…", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/bookings")]
pub async fn create_booking(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewBooking>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Created().json(request_booking(&state, &caller, &body).await?))
}

/// A booking request (or a weekly series) by the caller's association; the
/// answer of `POST /bookings`.
pub(crate) async fn request_booking(
    state: &AppState,
    caller: &Caller,
    body: &NewBooking,
) -> Result<serde_json::Value, AppError> {
    let association_id = caller.association()?;
    let association = state.commands.association(association_id).await?;
    let category = association.category.ok_or_else(|| AppError::Forbidden("Association inconnue.".into()))?;
    let (start, end) = (body.start.with_timezone(&Utc), body.end.with_timezone(&Utc));
    let now = Utc::now();
    let meta = metadata(caller, body.room_id);
    let until = body
        .repeat_weekly_until
        .map(|d| salle_events::time::check_day("repeat_weekly_until", d))
        .transpose()
        .map_err(crate::domain::DomainError::from)?;
    let Some(until) = until else {
        let booking_id = Uuid::now_v7();
        let request = BookingRequest {
            booking_id,
            association_id,
            category,
            start,
            end,
            attendees: body.attendees,
            purpose: body.purpose.clone(),
        };
        let executed = state.commands.request_booking(body.room_id, request, now, &meta).await?;
        bookings_reached(state, executed.append.log_position).await?;
        let status = if executed.events.iter().any(|e| matches!(e, RoomEvent::BookingApproved { .. })) {
            "approved"
        } else {
            "requested"
        };
        let price = executed.events.iter().find_map(|e| match e {
            RoomEvent::BookingRequested { price, .. } => Some(*price),
            _ => None,
        });
        return Ok(json!({
            "id": booking_id,
            "status": status,
            "price": money(price.unwrap_or(Money::ZERO)),
        }));
    };
    let tz = salle_events::time::LOCAL_TZ;
    let (local_start, local_end) = (start.with_timezone(&tz), end.with_timezone(&tz));
    if local_start.date_naive() != local_end.date_naive() {
        return Err(
            DomainError::rule("invalid_slot", "Un créneau répété commence et finit le même jour.").into()
        );
    }
    let series_id = Uuid::now_v7();
    let request = SeriesRequest {
        series_id,
        association_id,
        category,
        first_day: local_start.date_naive(),
        last_day: until,
        start_time: local_start.time(),
        end_time: local_end.time(),
        attendees: body.attendees,
        purpose: body.purpose.clone(),
    };
    let executed = state.commands.request_series(body.room_id, request, now, &meta).await?;
    bookings_reached(state, executed.append.log_position).await?;
    let mut first = None;
    let mut total = Money::ZERO;
    let mut approved = false;
    let mut series = json!(null);
    for e in &executed.events {
        match e {
            RoomEvent::BookingRequested { booking_id, price, .. } => {
                first.get_or_insert(*booking_id);
                total.amount_cents += price.amount_cents;
            }
            RoomEvent::BookingApproved { .. } => approved = true,
            RoomEvent::WeeklySeriesRequested { booked, skipped, .. } => {
                series = json!({
                    "id": series_id,
                    "booked": booked,
                    "skipped": skipped.iter().map(|s| json!({ "date": s.date, "reason": s.reason, "message": s.message })).collect::<Vec<_>>(),
                });
            }
            _ => {}
        }
    }
    let first = first.ok_or_else(|| {
        AppError::from(DomainError::rule("nothing_booked", "Aucune date de la série n'a pu être réservée."))
    })?;
    Ok(json!({
        "id": first,
        "status": if approved { "approved" } else { "requested" },
        "price": money(total),
        "series": series,
    }))
}

fn booking_json(row: &BookingRow) -> serde_json::Value {
    json!({
        "id": row.booking_id,
        "room_id": row.room_id,
        "establishment_id": row.establishment_id,
        "association_id": row.association_id,
        "series_id": row.series_id,
        "start": row.start_at.with_timezone(&salle_events::time::LOCAL_TZ).to_rfc3339(),
        "end": row.end_at.with_timezone(&salle_events::time::LOCAL_TZ).to_rfc3339(),
        "status": row.status,
        "price": money(Money::eur(row.price_cents)),
    })
}

/// Every event about a booking: its own in the room's stream, and its
/// payment stream. Both pages and the API show a booking's history from it.
pub(crate) async fn booking_events(
    state: &AppState,
    room_id: Uuid,
    booking_id: Uuid,
) -> Result<Vec<salle_events::RecordedEvent>, AppError> {
    const PAGE: usize = 1000;
    let mut events = vec![];
    let room_stream = crate::app::Commands::stream_of::<crate::domain::room::Room>(room_id);
    let payment_stream = crate::app::Commands::stream_of::<crate::domain::payment::Payment>(booking_id);
    for stream in [room_stream, payment_stream] {
        let mut from = 1;
        loop {
            let page = state
                .store
                .read_stream(&stream, from, PAGE)
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            let read = page.len();
            events.extend(page.into_iter().filter(|e| {
                e.stream_id.as_str().starts_with("payment-")
                    || RoomEvent::from_recorded(e).ok().and_then(|r| r.booking_id()) == Some(booking_id)
            }));
            if read < PAGE {
                break;
            }
            from += PAGE as u64;
        }
    }
    Ok(events)
}

/// `GET /api/v1/bookings/{id}`: with its history (room and payment events).
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "The booking and its history", body = crate::http::openapi::Booking),
              (status = 404, description = "No such booking, or not the caller's", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/bookings/{id}")]
pub async fn show_booking(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let booking_id = path.into_inner();
    let row = visible_booking(&state, &caller, booking_id).await?;
    let mut history: Vec<serde_json::Value> = booking_events(&state, row.room_id, booking_id)
        .await?
        .iter()
        .map(|e| {
            json!({
                "event": e.event_type,
                "at": e.recorded_at.with_timezone(&salle_events::time::LOCAL_TZ).to_rfc3339(),
                "actor": e.metadata.actor,
                "event_id": e.event_id,
                "global_position": e.global_position,
            })
        })
        .collect();
    history.sort_by_key(|h| h["at"].as_str().map(str::to_owned));
    let mut body = booking_json(&row);
    body["history"] = json!(history);
    if let Some(refund) = row.refund_cents {
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
    responses((status = 200, description = "The association's bookings, or the manager's establishments'", body = crate::http::openapi::BookingList),
              (status = 400, description = "Unknown status", body = crate::http::openapi::ErrorBody),
              (status = 403, description = "Finance and admins read ledgers instead", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/bookings")]
pub async fn list_bookings(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    const STATUSES: [&str; 8] =
        ["requested", "approved", "rejected", "expired", "paid", "completed", "settled", "cancelled"];
    if let Some(status) = &query.status
        && !STATUSES.contains(&status.as_str())
    {
        return Err(AppError::BadRequest {
            code: "invalid_status",
            message: format!("« {status} » n'est pas un statut ({}).", STATUSES.join(", ")),
        });
    }
    let filter = match caller.role() {
        Role::Association => Filter { association: Some(caller.association()?), ..Default::default() },
        Role::Manager => Filter {
            establishments: Some(accounts::establishments_of(&state.store, caller.user_id()).await?),
            ..Default::default()
        },
        Role::Finance | Role::Admin => {
            return Err(AppError::Forbidden(
                "Cette liste est celle d'une association ou d'un gestionnaire ; la finance consulte les grands livres."
                    .into(),
            ));
        }
    };
    let filter = Filter { status: query.status.clone(), ..filter };
    let rows = bookings::list(&state.store, &filter, 1000).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().json(json!({ "bookings": rows.iter().map(booking_json).collect::<Vec<_>>() })))
}

/// The booking, if the caller manages its establishment; 404 otherwise.
pub(crate) async fn managed_booking(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
) -> Result<BookingRow, AppError> {
    caller.require(&[Role::Manager])?;
    let row = visible_booking(state, caller, booking_id).await?;
    Ok(row)
}

async fn status_after(state: &AppState, room_id: Uuid, booking_id: Uuid) -> Result<&'static str, AppError> {
    let room = state.commands.room(room_id).await?;
    Ok(room.booking(booking_id)?.status.as_str())
}

/// `POST /api/v1/bookings/{id}/approve` (its manager)
#[utoipa::path(post, path = "/api/v1/bookings/{id}/approve", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Its new status", body = crate::http::openapi::StatusAnswer),
              (status = 404, description = "No such booking, or not the manager's", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "Not in a state to approve", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/bookings/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .json(json!({ "status": approve_booking(&state, &caller, path.into_inner()).await? })))
}

pub(crate) async fn approve_booking(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
) -> Result<&'static str, AppError> {
    let row = managed_booking(state, caller, booking_id).await?;
    let (by, now) = (caller.user_id(), Utc::now());
    let executed = state
        .commands
        .on_room(row.room_id, &metadata(caller, booking_id), || RoomCommand::Approve { booking_id, by, now })
        .await?;
    bookings_reached(state, executed.append.log_position).await?;
    status_after(state, row.room_id, booking_id).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    reason: Option<String>,
}

/// `POST /api/v1/bookings/{id}/reject` (its manager), with a reason.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/reject", tag = "bookings", request_body = Reason, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Its new status", body = crate::http::openapi::StatusAnswer),
              (status = 404, description = "No such booking, or not the manager's", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "Not in a state to reject", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/bookings/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<Reason>,
) -> Result<HttpResponse, AppError> {
    let reason = body.reason.clone().unwrap_or_default();
    Ok(HttpResponse::Ok()
        .json(json!({ "status": reject_booking(&state, &caller, path.into_inner(), &reason).await? })))
}

pub(crate) async fn reject_booking(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
    reason: &str,
) -> Result<&'static str, AppError> {
    let row = managed_booking(state, caller, booking_id).await?;
    let (by, now) = (caller.user_id(), Utc::now());
    let executed = state
        .commands
        .on_room(row.room_id, &metadata(caller, booking_id), || RoomCommand::Reject {
            booking_id,
            by,
            reason: reason.to_owned(),
            now,
        })
        .await?;
    bookings_reached(state, executed.append.log_position).await?;
    status_after(state, row.room_id, booking_id).await
}

/// `POST /api/v1/bookings/{id}/pay` (its association): where to pay.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/pay", tag = "bookings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Where to pay", body = crate::http::openapi::Checkout),
              (status = 404, description = "No such booking, or not the association's", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "Not approved, already paid, or free", body = crate::http::openapi::ErrorBody),
              (status = 503, description = "The payment provider does not answer", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/bookings/{id}/pay")]
pub async fn pay(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (payment_id, url) = checkout_for(&state, &caller, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(json!({ "checkout_url": url, "payment_id": payment_id })))
}

/// Where the caller's association pays the booking: (payment id, address).
pub(crate) async fn checkout_for(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
) -> Result<(Uuid, String), AppError> {
    let association_id = caller.association()?;
    let row = visible_booking(state, caller, booking_id).await?;
    let now = Utc::now();
    state
        .commands
        .request_checkout(row.room_id, booking_id, association_id, now, &metadata(caller, booking_id))
        .await?;
    // The process manager opens it too, following the log, with the same
    // idempotency key; doing it here lets the answer carry the address.
    state.payments.open_requested(booking_id).await.map_err(|e| match e {
        crate::payments::process::ProcessError::Provider(p) => AppError::Unavailable(format!(
            "Le prestataire de paiement ne répond pas ; réessayez dans un instant ({p})."
        )),
        other => AppError::Internal(other.into()),
    })?;
    match state.commands.checkout_state(booking_id, now).await? {
        CheckoutState::Open { payment_id, url } => Ok((payment_id, url)),
        CheckoutState::Pending { .. } => Err(AppError::Unavailable(
            "Le paiement n'a pas pu être ouvert ; réessayez dans un instant.".into(),
        )),
    }
}

/// `POST /api/v1/bookings/{id}/cancel` (its association or manager)
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "bookings", request_body(content = Option<Reason>), security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The booking")),
    responses((status = 200, description = "Cancelled, with the refund", body = crate::http::openapi::Cancelled),
              (status = 404, description = "No such booking, or not the caller's", body = crate::http::openapi::ErrorBody),
              (status = 409, description = "Already over, or not cancellable", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/bookings/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    let reason = body.and_then(|b| b.reason.clone()).unwrap_or_default();
    let refund = cancel_booking(&state, &caller, path.into_inner(), &reason).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "cancelled", "refund": money(refund) })))
}

/// Cancels for the caller (its association, or its manager); returns the refund.
pub(crate) async fn cancel_booking(
    state: &AppState,
    caller: &Caller,
    booking_id: Uuid,
    reason: &str,
) -> Result<Money, AppError> {
    caller.require(&[Role::Association, Role::Manager])?;
    let row = visible_booking(state, caller, booking_id).await?;
    let by = if caller.role() == Role::Manager { CancelledBy::Manager } else { CancelledBy::Association };
    let cancellation = Cancellation { booking_id, by, actor: caller.user_id(), reason: reason.to_owned() };
    let executed = state
        .commands
        .cancel_booking(row.room_id, cancellation, Utc::now(), &metadata(caller, booking_id))
        .await?;
    bookings_reached(state, executed.append.log_position).await?;
    Ok(executed
        .events
        .iter()
        .find_map(|e| match e {
            RoomEvent::BookingCancelled { refund, .. } => Some(*refund),
            _ => None,
        })
        .unwrap_or(Money::ZERO))
}

// ---------------------------------------------------------------- finance

#[derive(Debug, Deserialize)]
pub struct Period {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

fn period(p: &Period) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    let period = crate::finance::Period::of_days(p.from, p.to)?;
    Ok((period.from, period.to))
}

/// `GET /api/v1/establishments/{id}/ledger?from=&to=` (its manager, finance)
#[utoipa::path(get, path = "/api/v1/establishments/{id}/ledger", tag = "finance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment"),
           ("from" = Option<NaiveDate>, Query, description = "First day (local)"),
           ("to" = Option<NaiveDate>, Query, description = "Last day (local), included")),
    responses((status = 200, description = "Ledger lines and balances", body = crate::http::openapi::Ledger),
              (status = 404, description = "No such establishment, or not the manager's", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "The period ends before it starts", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/establishments/{id}/ledger")]
pub async fn establishment_ledger(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<Period>,
) -> Result<HttpResponse, AppError> {
    let establishment_id = path.into_inner();
    ledger_reader(&state, &caller, establishment_id).await?;
    let (from, to) = period(&query)?;
    let lines = salle_projections::ledger::lines(&state.store, establishment_id, from, to)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let balances = salle_projections::ledger::balances(&lines);
    Ok(HttpResponse::Ok().json(json!({
        "lines": lines.iter().map(|l| json!({
            "at": l.at.with_timezone(&salle_events::time::LOCAL_TZ).to_rfc3339(),
            "transaction_id": l.event_id,
            "account": l.account,
            "account_name": salle_projections::ledger::accounts::name(&l.account),
            "debit_cents": l.debit_cents,
            "credit_cents": l.credit_cents,
            "event_id": l.event_id,
            "booking_id": l.booking_id,
        })).collect::<Vec<_>>(),
        "balances": balances,
    })))
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    establishment: Option<Uuid>,
    as_of: Option<DateTime<chrono::FixedOffset>>,
}

#[utoipa::path(get, path = "/api/v1/ledger/export", tag = "finance", security(("bearer" = [])),
    params(("format" = String, Query, description = "`csv`, `fec` or `hledger`"),
           ("from" = Option<NaiveDate>, Query, description = "First day (local)"),
           ("to" = Option<NaiveDate>, Query, description = "Last day (local), included; names the FEC file"),
           ("establishment" = Option<Uuid>, Query, description = "One establishment; all when absent"),
           ("as_of" = Option<String>, Query, description = "The ledger as it stood at this instant (RFC 3339), replayed from the log")),
    responses((status = 200, description = "The file, with its name in Content-Disposition",
               content((String = "text/csv"), (String = "text/plain"))),
              (status = 400, description = "Unknown format or bad date", body = crate::http::openapi::ErrorBody),
              (status = 403, description = "Not finance or admin", body = crate::http::openapi::ErrorBody),
              (status = 404, description = "No such establishment", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "Bad period, or no SIREN configured for a FEC", body = crate::http::openapi::ErrorBody)))]
/// `GET /api/v1/ledger/export?format=csv|fec|hledger&from=&to=&establishment=&as_of=` (finance)
#[get("/api/v1/ledger/export")]
pub async fn ledger_export(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::Finance, Role::Admin])?;
    let format = query.format.as_deref().unwrap_or_default();
    let format = crate::finance::export::Format::parse(format).ok_or_else(|| AppError::BadRequest {
        code: "invalid_format",
        message: format!("« {format} » n'est pas un format d'export (csv, fec ou hledger)."),
    })?;
    let period = crate::finance::Period::of_days(query.from, query.to)?;
    let exported = crate::finance::export(
        &state.commands,
        format,
        query.establishment,
        &period,
        query.as_of.map(|t| t.with_timezone(&Utc)),
        state.siren.as_deref(),
    )
    .await?;
    Ok(file_answer(exported))
}

/// An export as a download, named by its format's rule.
pub(crate) fn file_answer(exported: crate::finance::Exported) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(exported.content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", exported.file_name),
        ))
        .body(exported.body)
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/events?after=&limit=` (finance, admin): the log, in log order.
#[utoipa::path(get, path = "/api/v1/events", tag = "finance", security(("bearer" = [])),
    params(("after" = Option<String>, Query, description = "A position from `next` (N, or XID:N on PostgreSQL)"),
           ("limit" = Option<u32>, Query, description = "1 to 1000, default 100")),
    responses((status = 200, description = "Events in log order", body = crate::http::openapi::EventsPage),
              (status = 400, description = "Bad position", body = crate::http::openapi::ErrorBody),
              (status = 403, description = "Not finance or admin", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/events")]
pub async fn log_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::Finance, Role::Admin])?;
    let after = match query.after.as_deref() {
        None | Some("") => LogPosition::START,
        Some(text) => text.parse::<LogPosition>().map_err(|_| AppError::BadRequest {
            code: "invalid_position",
            message: format!("« {text} » n'est pas une position du journal (N, ou XID:N sur PostgreSQL)."),
        })?,
    };
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let page = state.store.read_all(after, limit).await.map_err(|e| AppError::Internal(e.into()))?;
    let next = page.last().map(|e| e.log_position().to_string());
    Ok(HttpResponse::Ok().json(json!({
        "events": page.iter().map(|e| json!({
            "global_position": e.global_position,
            "stream_id": e.stream_id.as_str(),
            "stream_version": e.stream_version,
            "event_id": e.event_id,
            "event_type": e.event_type,
            "recorded_at": e.recorded_at.to_rfc3339(),
            "payload": e.payload,
        })).collect::<Vec<_>>(),
        "next": next,
    })))
}
