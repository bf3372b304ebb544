//! Bookings, as an association and a manager use them: request one slot or
//! a weekly series (and see the series first), approve, reject, cancel, pay,
//! and read a booking with its history. The pages and the API call these
//! and nothing else, so both refuse the same things with the same words.

use chrono::{DateTime, NaiveDate, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::room::{CancelledBy, RoomEvent, SkippedDate};
use salle_events::{DomainEvent, EventStore, LogPosition, RecordedEvent};
use salle_projections::bookings::{self, BookingRow, Filter};
use uuid::Uuid;

use crate::app::accounts::{self, Role};
use crate::app::{App, AppError, Caller, access};
use crate::commands::payments::CheckoutState;
use crate::commands::rooms::Cancellation;
use crate::domain::DomainError;
use crate::domain::association::Standing;
use crate::domain::booking::BookingStatus;
use crate::domain::room::{BookingRequest, RoomCommand, SeriesRequest};

/// A request as the association makes it: one slot, or the same slot every
/// week until `repeat_weekly_until` (included).
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub room_id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub attendees: u32,
    pub purpose: String,
    pub repeat_weekly_until: Option<NaiveDate>,
}

/// What a request recorded.
#[derive(Debug, Clone)]
pub struct BookingPlaced {
    /// The booking, or the series' first booked date.
    pub id: Uuid,
    pub status: BookingStatus,
    /// The booking's price, or the whole series'.
    pub price: Money,
    pub series: Option<SeriesPlaced>,
}

/// The dates a weekly series booked and skipped.
#[derive(Debug, Clone)]
pub struct SeriesPlaced {
    pub id: Uuid,
    pub booked: Vec<NaiveDate>,
    pub skipped: Vec<SkippedDate>,
}

/// What a weekly series would book, skip and cost, recording nothing.
#[derive(Debug, Clone)]
pub struct SeriesPreview {
    pub room_name: String,
    pub booked: Vec<NaiveDate>,
    pub skipped: Vec<SkippedDate>,
    pub total: Money,
}

/// Waits until the bookings read model has seen `position` (bounded). The
/// write it waits for is already committed: if the wait fails (the
/// database went away just after), the answer still says what was done.
pub(crate) async fn bookings_reached(app: &App, position: LogPosition) {
    if let Err(e) = salle_projections::runner::wait_until(
        &app.store,
        bookings::NAME,
        position,
        salle_projections::runner::READ_YOUR_WRITES,
    )
    .await
    {
        tracing::warn!(error = %e, "read-your-writes: the bookings read model could not be awaited");
    }
}

/// The series a request repeats, checked as the real request checks it:
/// the caller's association and its category, a slot within one day.
fn series_of(
    requester: &Requester,
    new: &NewBooking,
    until: NaiveDate,
    series_id: Uuid,
) -> Result<SeriesRequest, AppError> {
    let tz = salle_domain::time::LOCAL_TZ;
    let (start, end) = (new.start.with_timezone(&tz), new.end.with_timezone(&tz));
    if start.date_naive() != end.date_naive() {
        return Err(
            DomainError::rule("invalid_slot", "Un créneau répété commence et finit le même jour.").into()
        );
    }
    Ok(SeriesRequest {
        series_id,
        association_id: requester.association_id,
        category: requester.category,
        first_day: start.date_naive(),
        last_day: salle_domain::time::check_day("repeat_weekly_until", until).map_err(DomainError::from)?,
        start_time: start.time(),
        end_time: end.time(),
        attendees: new.attendees,
        purpose: new.purpose.clone(),
    })
}

/// The caller's association as a request sees it: its category on record,
/// and what its verification lets it do (the dates it holds, if unverified).
struct Requester {
    association_id: Uuid,
    category: RequesterCategory,
    standing: Standing,
}

async fn requester(app: &App, caller: &Caller) -> Result<Requester, AppError> {
    let association_id = caller.association()?;
    let association = app.commands.association(association_id).await?;
    requester_of(app, association_id, association).await
}

async fn requester_of(
    app: &App,
    association_id: Uuid,
    association: crate::domain::association::Association,
) -> Result<Requester, AppError> {
    let category = association.category.ok_or_else(|| AppError::Forbidden("Association inconnue.".into()))?;
    let held = if association.verified {
        0
    } else {
        crate::app::associations::pending_dates(app, association_id).await?
    };
    Ok(Requester { association_id, category, standing: association.standing(held, app.holds.limit()) })
}

/// A booking request (or a weekly series) by the caller's association. The
/// requests of an association not verified yet take turns, so that the
/// dates it holds are counted after its previous request is in.
pub async fn place(app: &App, caller: &Caller, new: &NewBooking) -> Result<BookingPlaced, AppError> {
    let association_id = caller.association()?;
    let association = app.commands.association(association_id).await?;
    let (_turn, association) = match association.verified {
        true => (None, association),
        // Read again once it is this request's turn: the one before may
        // have changed what it holds (or an admin its verification).
        false => {
            let turn = app.holds.turn(association_id).await;
            (Some(turn), app.commands.association(association_id).await?)
        }
    };
    let requester = requester_of(app, association_id, association).await?;
    let now = Utc::now();
    let meta = caller.metadata(new.room_id);
    let Some(until) = new.repeat_weekly_until else {
        let booking_id = Uuid::now_v7();
        let request = BookingRequest {
            booking_id,
            association_id,
            category: requester.category,
            start: new.start,
            end: new.end,
            attendees: new.attendees,
            purpose: new.purpose.clone(),
        };
        let executed =
            app.commands.request_booking(new.room_id, request, requester.standing, now, &meta).await?;
        bookings_reached(app, executed.append.log_position).await;
        let price = executed.events.iter().find_map(|e| match e {
            RoomEvent::BookingRequested { price, .. } => Some(*price),
            _ => None,
        });
        return Ok(BookingPlaced {
            id: booking_id,
            status: status_of(&executed.events),
            price: price.unwrap_or(Money::ZERO),
            series: None,
        });
    };
    let series_id = Uuid::now_v7();
    let request = series_of(&requester, new, until, series_id)?;
    let executed = app.commands.request_series(new.room_id, request, requester.standing, now, &meta).await?;
    bookings_reached(app, executed.append.log_position).await;
    let (mut first, mut total, mut series) = (None, Money::ZERO, None);
    for e in &executed.events {
        match e {
            RoomEvent::BookingRequested { booking_id, price, .. } => {
                first.get_or_insert(*booking_id);
                total.amount_cents += price.amount_cents;
            }
            RoomEvent::WeeklySeriesRequested { booked, skipped, .. } => {
                series =
                    Some(SeriesPlaced { id: series_id, booked: booked.clone(), skipped: skipped.clone() });
            }
            _ => {}
        }
    }
    let first = first.ok_or_else(|| {
        DomainError::rule("nothing_booked", "Aucune date de la série n'a pu être réservée.")
    })?;
    Ok(BookingPlaced { id: first, status: status_of(&executed.events), price: total, series })
}

/// Approved at once (a room that confirms without waiting), or requested.
fn status_of(events: &[RoomEvent]) -> BookingStatus {
    if events.iter().any(|e| matches!(e, RoomEvent::BookingApproved { .. })) {
        BookingStatus::Approved
    } else {
        BookingStatus::Requested
    }
}

/// What [`place`] would record for a weekly series, decided on the room's
/// current state with the same checks, recording nothing.
pub async fn preview_series(app: &App, caller: &Caller, new: &NewBooking) -> Result<SeriesPreview, AppError> {
    let until = new.repeat_weekly_until.ok_or_else(|| {
        DomainError::rule("not_a_series", "Indiquez jusqu'à quand la réservation se répète.")
    })?;
    let requester = requester(app, caller).await?;
    let request = series_of(&requester, new, until, Uuid::nil())?;
    let events = app.commands.preview_series(new.room_id, request, requester.standing, Utc::now()).await?;
    let mut preview =
        SeriesPreview { room_name: String::new(), booked: vec![], skipped: vec![], total: Money::ZERO };
    for e in &events {
        match e {
            RoomEvent::BookingRequested { price, .. } => preview.total.amount_cents += price.amount_cents,
            RoomEvent::WeeklySeriesRequested { booked, skipped, .. } => {
                preview.booked = booked.clone();
                preview.skipped = skipped.clone();
            }
            _ => {}
        }
    }
    let room = app.commands.room(new.room_id).await?;
    preview.room_name = room.details.map(|d| d.name).unwrap_or_default();
    Ok(preview)
}

/// The booking's status as the room's stream has it now.
async fn status_after(app: &App, room_id: Uuid, booking_id: Uuid) -> Result<BookingStatus, AppError> {
    Ok(app.commands.room(room_id).await?.booking(booking_id)?.status)
}

/// Refuses to approve a request of an association not verified yet.
async fn check_approvable(app: &App, row: &BookingRow) -> Result<(), AppError> {
    let association = app.commands.association(row.association_id).await?;
    Ok(association.standing(0, 0).check_can_be_approved()?)
}

/// Its manager approves the booking; answers its new status.
pub async fn approve(app: &App, caller: &Caller, booking_id: Uuid) -> Result<BookingStatus, AppError> {
    let row = access::managed_booking(app, caller, booking_id).await?;
    check_approvable(app, &row).await?;
    let (by, now) = (caller.user_id(), Utc::now());
    let executed = app
        .commands
        .on_room(row.room_id, &caller.metadata(booking_id), || RoomCommand::Approve { booking_id, by, now })
        .await?;
    bookings_reached(app, executed.append.log_position).await;
    status_after(app, row.room_id, booking_id).await
}

/// Its manager rejects the booking, saying why; answers its new status.
pub async fn reject(
    app: &App,
    caller: &Caller,
    booking_id: Uuid,
    reason: &str,
) -> Result<BookingStatus, AppError> {
    let row = access::managed_booking(app, caller, booking_id).await?;
    let (by, now) = (caller.user_id(), Utc::now());
    let executed = app
        .commands
        .on_room(row.room_id, &caller.metadata(booking_id), || RoomCommand::Reject {
            booking_id,
            by,
            reason: reason.to_owned(),
            now,
        })
        .await?;
    bookings_reached(app, executed.append.log_position).await;
    status_after(app, row.room_id, booking_id).await
}

/// A manager's decision on every date of a series still awaiting one.
#[derive(Debug, Clone)]
pub enum SeriesDecision {
    Approve,
    Reject { reason: String },
}

/// Approves or rejects every date of the booking's weekly series that still
/// awaits a decision.
pub async fn decide_series(
    app: &App,
    caller: &Caller,
    booking_id: Uuid,
    decision: SeriesDecision,
) -> Result<(), AppError> {
    let row = access::managed_booking(app, caller, booking_id).await?;
    if matches!(decision, SeriesDecision::Approve) {
        check_approvable(app, &row).await?;
    }
    let room = app.commands.room(row.room_id).await?;
    let Some(series_id) = room.booking(booking_id)?.series_id else {
        return Err(AppError::Unprocessable {
            code: "not_a_series",
            message: "Cette réservation ne fait pas partie d'une série.".into(),
        });
    };
    let (by, now) = (caller.user_id(), Utc::now());
    let executed = app
        .commands
        .on_room(row.room_id, &caller.metadata(series_id), || match &decision {
            SeriesDecision::Approve => RoomCommand::ApproveSeries { series_id, by, now },
            SeriesDecision::Reject { reason } => {
                RoomCommand::RejectSeries { series_id, by, reason: reason.clone(), now }
            }
        })
        .await?;
    bookings_reached(app, executed.append.log_position).await;
    Ok(())
}

/// Cancels for the caller (its association, or its manager) with the
/// establishment's refund policy; answers the refund.
pub async fn cancel(app: &App, caller: &Caller, booking_id: Uuid, reason: &str) -> Result<Money, AppError> {
    caller.require(&[Role::Association, Role::Manager])?;
    let row = access::visible_booking(app, caller, booking_id).await?;
    let by = if caller.role() == Role::Manager { CancelledBy::Manager } else { CancelledBy::Association };
    let cancellation = Cancellation { booking_id, by, actor: caller.user_id(), reason: reason.to_owned() };
    let executed = app
        .commands
        .cancel_booking(row.room_id, cancellation, Utc::now(), &caller.metadata(booking_id))
        .await?;
    bookings_reached(app, executed.append.log_position).await;
    Ok(executed
        .events
        .iter()
        .find_map(|e| match e {
            RoomEvent::BookingCancelled { refund, .. } => Some(*refund),
            _ => None,
        })
        .unwrap_or(Money::ZERO))
}

/// Where the association pays.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub payment_id: Uuid,
    pub url: String,
}

/// Where the caller's association pays the booking.
pub async fn checkout(app: &App, caller: &Caller, booking_id: Uuid) -> Result<Checkout, AppError> {
    let association_id = caller.association()?;
    let row = access::visible_booking(app, caller, booking_id).await?;
    let now = Utc::now();
    app.commands
        .request_checkout(row.room_id, booking_id, association_id, now, &caller.metadata(booking_id))
        .await?;
    // The process manager opens it too, following the log, with the same
    // idempotency key; doing it here lets the answer carry the address.
    app.payments.open_requested(booking_id).await.map_err(|e| match e {
        crate::process::payments::ProcessError::Provider(p) => AppError::Unavailable(format!(
            "Le prestataire de paiement ne répond pas ; réessayez dans un instant ({p})."
        )),
        other => AppError::Internal(other.into()),
    })?;
    match app.commands.checkout_state(booking_id, now).await? {
        CheckoutState::Open { payment_id, url } => Ok(Checkout { payment_id, url }),
        CheckoutState::Pending { .. } => Err(AppError::Unavailable(
            "Le paiement n'a pas pu être ouvert ; réessayez dans un instant.".into(),
        )),
    }
}

/// The bookings the caller works with: its association's, or its
/// establishments' (a manager); every booking for finance and admins.
pub async fn list(
    app: &App,
    caller: &Caller,
    status: Option<BookingStatus>,
    limit: i64,
) -> Result<Vec<BookingRow>, AppError> {
    let filter = match caller.role() {
        Role::Association => Filter { association: Some(caller.association()?), ..Default::default() },
        Role::Manager => Filter {
            establishments: Some(accounts::establishments_of(&app.store, caller.user_id()).await?),
            ..Default::default()
        },
        Role::Finance | Role::Admin => Filter::default(),
    };
    let filter = Filter { status, ..filter };
    bookings::list(&app.store, &filter, limit).await.map_err(|e| AppError::Internal(e.into()))
}

/// How many requests await the manager's decision (the pages' header).
pub async fn pending_for(app: &App, caller: &Caller) -> Result<usize, AppError> {
    caller.require(&[Role::Manager])?;
    let filter = Filter {
        establishments: Some(accounts::establishments_of(&app.store, caller.user_id()).await?),
        status: Some(BookingStatus::Requested),
        ..Default::default()
    };
    let n = bookings::count(&app.store, &filter).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(n.max(0) as usize)
}

/// A booking the caller may see, as its room's stream has it, with every
/// event about it (its own in the room's stream, and its payment stream),
/// in the order they happened.
pub struct BookingRecord {
    pub row: BookingRow,
    pub room: crate::domain::room::Room,
    pub booking: crate::domain::booking::Booking,
    pub history: Vec<RecordedEvent>,
    /// The association's words for it, or `None` once erased.
    pub purpose: Option<String>,
}

pub async fn show(app: &App, caller: &Caller, booking_id: Uuid) -> Result<BookingRecord, AppError> {
    let row = access::visible_booking(app, caller, booking_id).await?;
    let room = app.commands.room(row.room_id).await?;
    let booking = room.booking(booking_id)?.clone();
    let mut history = history(app, row.room_id, booking_id).await?;
    history.sort_by_key(|e| (e.recorded_at, e.global_position));
    let purpose = crate::commands::free_texts::read(&app.store, &booking.purpose)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(BookingRecord { row, room, booking, history, purpose })
}

/// Every event about a booking: its own in the room's stream, and its payment stream.
async fn history(app: &App, room_id: Uuid, booking_id: Uuid) -> Result<Vec<RecordedEvent>, AppError> {
    const PAGE: usize = 1000;
    let mut events = vec![];
    let room_stream = crate::commands::Commands::stream_of::<crate::domain::room::Room>(room_id);
    let payment_stream = crate::commands::Commands::stream_of::<crate::domain::payment::Payment>(booking_id);
    for (stream, whole) in [(room_stream, false), (payment_stream, true)] {
        let mut from = 1;
        loop {
            let page =
                app.store.read_stream(&stream, from, PAGE).await.map_err(|e| AppError::Internal(e.into()))?;
            let read = page.len();
            events.extend(page.into_iter().filter(|e| {
                whole || RoomEvent::from_recorded(e).ok().and_then(|r| r.booking_id()) == Some(booking_id)
            }));
            if read < PAGE {
                break;
            }
            from += PAGE as u64;
        }
    }
    Ok(events)
}
