//! The shapes of the API's answers, as the OpenAPI document describes them.
//! The handlers write these bodies with `json!` (or serialize them straight);
//! schemathesis (`tests/schemathesis.rs`) and `tests/api.rs` check real
//! answers of every route against the document, so it cannot drift from the
//! code.

// The answer types describe JSON that handlers build; they are read by the
// derive only.
#![allow(dead_code)]

use chrono::{DateTime, FixedOffset, NaiveDate};
use salle_events::catalog::establishment::EstablishmentKind;
use salle_events::catalog::room::{ApprovalMode, Equipment, RoomKind};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::booking::BookingStatus;

/// Every error: `{"error": {"code", "message"}}`.
#[derive(ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
pub struct ErrorDetail {
    /// A machine code (`slot_taken`, `outside_opening_hours`, …).
    code: String,
    /// A sentence a person can act on (French).
    message: String,
}

/// An amount in integer cents.
#[derive(ToSchema)]
#[schema(as = Money)]
pub struct MoneyDoc {
    amount_cents: i64,
    #[schema(example = "EUR")]
    currency: String,
}

#[derive(ToSchema)]
pub struct Created {
    id: Uuid,
}

/// An account after an admin's change.
#[derive(ToSchema)]
pub struct UserState {
    id: Uuid,
    disabled: bool,
}

/// An establishment after its revision.
#[derive(ToSchema)]
pub struct EstablishmentState {
    id: Uuid,
    name: String,
    address: String,
    /// `active` or `suspended`
    status: String,
}

/// An establishment's payout onboarding.
#[derive(ToSchema)]
pub struct Payouts {
    /// Where its manager completes the payout account at the provider.
    onboarding_url: String,
    /// Whether the account already receives transfers (paid slots can be requested).
    ready: bool,
}

/// A refund after the slot, recorded; the payment process refunds, then
/// reverses the establishment's transfer, each step in the booking's history.
#[derive(ToSchema)]
pub struct RefundAnswer {
    /// The event that records it.
    id: Uuid,
    /// `granted`
    status: String,
    amount: MoneyDoc,
    /// What may still be given back after this one.
    refundable_left: MoneyDoc,
}

/// One message of a booking's conversation.
#[derive(ToSchema)]
pub struct Message {
    id: Uuid,
    /// The date of the series it was posted on, or the booking itself.
    booking_id: Uuid,
    /// `association` or `manager`
    author_role: String,
    at: DateTime<FixedOffset>,
    /// `null` once the association's data was erased.
    text: Option<String>,
}

#[derive(ToSchema)]
pub struct Messages {
    messages: Vec<Message>,
}

/// A new secret calendar link, shown once.
#[derive(ToSchema)]
pub struct CalendarFeed {
    id: Uuid,
    /// `https://…/api/v1/calendars/feeds/<token>.ics`
    url: String,
    /// The same link with `webcal://`, for calendar programs.
    webcal: String,
}

#[derive(ToSchema)]
pub struct CalendarFeedLine {
    id: Uuid,
    created_at: DateTime<FixedOffset>,
}

#[derive(ToSchema)]
pub struct CalendarFeeds {
    feeds: Vec<CalendarFeedLine>,
}

/// A confirmed sign-up: the association, and its first member's account.
#[derive(ToSchema)]
pub struct Confirmed {
    id: Uuid,
    user_id: Uuid,
}

#[derive(ToSchema)]
pub struct Token {
    token: String,
    #[schema(example = "association")]
    role: String,
    expires_at: DateTime<FixedOffset>,
}

#[derive(ToSchema)]
pub struct Me {
    id: Uuid,
    role: String,
    name: String,
    /// Managers: the establishments they manage.
    establishments: Option<Vec<Uuid>>,
    /// Associations' accounts: their association.
    association_id: Option<Uuid>,
}

#[derive(ToSchema)]
pub struct RoomEstablishment {
    id: Uuid,
    name: String,
    kind: EstablishmentKind,
    address: String,
    commune_insee: String,
    lat: f64,
    lon: f64,
    /// Priced slots can be requested only when the establishment can receive payouts.
    accepts_payments: bool,
}

#[derive(ToSchema)]
pub struct Room {
    id: Uuid,
    name: String,
    kind: RoomKind,
    capacity: u32,
    area_m2: Option<u32>,
    equipment: Vec<Equipment>,
    step_free: bool,
    approval: ApprovalMode,
    description: String,
    /// A rate of the room's own; otherwise the tariff grid prices it.
    hourly_rate_cents: Option<i64>,
    withdrawn: bool,
    establishment: RoomEstablishment,
    /// Weekly windows in school weeks and in school holidays (local time).
    #[schema(value_type = Object)]
    opening: serde_json::Value,
    /// Notice, buffer, longest slot, horizon.
    #[schema(value_type = Object)]
    constraints: serde_json::Value,
    /// The grid in force (hourly rates per category, flat fees), if any.
    #[schema(value_type = Option<Object>)]
    tariff: Option<serde_json::Value>,
}

#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum IntervalStatus {
    Free,
    Held,
    Booked,
}

#[derive(ToSchema)]
pub struct Interval {
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    status: IntervalStatus,
}

#[derive(ToSchema)]
pub struct Availability {
    room_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    intervals: Vec<Interval>,
}

#[derive(ToSchema)]
pub struct FreeWindow {
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
}

#[derive(ToSchema)]
pub struct SearchResult {
    room_id: Uuid,
    room_name: String,
    kind: RoomKind,
    capacity: u32,
    equipment: Vec<Equipment>,
    step_free: bool,
    establishment_id: Uuid,
    establishment_name: String,
    commune: String,
    distance_km: f64,
    /// The price of the asked slot; absent without a slot.
    price: Option<MoneyDoc>,
    /// The free windows of the asked day.
    free: Vec<FreeWindow>,
}

#[derive(ToSchema)]
pub struct SearchResults {
    results: Vec<SearchResult>,
    page: u32,
    total: u64,
}

#[derive(ToSchema)]
pub struct SkippedDate {
    date: NaiveDate,
    /// A machine code: `public_holiday`, `closed`, `slot_taken`, …
    reason: String,
    message: String,
}

#[derive(ToSchema)]
pub struct Series {
    id: Uuid,
    booked: Vec<NaiveDate>,
    skipped: Vec<SkippedDate>,
}

#[derive(ToSchema)]
pub struct BookingCreated {
    /// The booking (of a series: its first date).
    id: Uuid,
    status: BookingStatus,
    /// The slot's price (of a series: the total).
    price: MoneyDoc,
    series: Option<Series>,
}

#[derive(ToSchema)]
pub struct HistoryEntry {
    /// The event's type (`BookingRequested`, `PaymentSucceeded`, …).
    event: String,
    at: DateTime<FixedOffset>,
    /// Who caused it: a user id, `system`, the provider.
    actor: Option<String>,
    event_id: Uuid,
    global_position: i64,
}

#[derive(ToSchema)]
pub struct Booking {
    id: Uuid,
    room_id: Uuid,
    establishment_id: Uuid,
    association_id: Uuid,
    series_id: Option<Uuid>,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    status: BookingStatus,
    price: MoneyDoc,
    /// Only on `GET /bookings/{id}`.
    history: Option<Vec<HistoryEntry>>,
    /// What was refunded, once cancelled after payment.
    refund: Option<MoneyDoc>,
}

#[derive(ToSchema)]
pub struct BookingList {
    bookings: Vec<Booking>,
}

#[derive(ToSchema)]
pub struct StatusAnswer {
    status: BookingStatus,
}

#[derive(ToSchema)]
pub struct Checkout {
    /// Where the association pays (the provider's page, or salle's simulated one).
    checkout_url: String,
    payment_id: Uuid,
}

#[derive(ToSchema)]
pub struct Cancelled {
    status: BookingStatus,
    refund: MoneyDoc,
}

#[derive(ToSchema)]
pub struct Received {
    received: bool,
}

#[derive(ToSchema)]
pub struct LedgerLine {
    at: DateTime<FixedOffset>,
    transaction_id: Uuid,
    /// Account number of the plan comptable (`467100`, `708300`, …).
    account: String,
    account_name: String,
    debit_cents: i64,
    credit_cents: i64,
    event_id: Uuid,
    booking_id: Option<Uuid>,
}

#[derive(ToSchema)]
pub struct Ledger {
    lines: Vec<LedgerLine>,
    /// Debit minus credit per account, in cents.
    #[schema(value_type = Object, additional_properties = true)]
    balances: std::collections::BTreeMap<String, i64>,
}

#[derive(ToSchema)]
pub struct LoggedEvent {
    global_position: i64,
    stream_id: String,
    stream_version: i64,
    event_id: Uuid,
    event_type: String,
    recorded_at: DateTime<FixedOffset>,
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

#[derive(ToSchema)]
pub struct EventsPage {
    events: Vec<LoggedEvent>,
    /// Pass as `after` for the next page; null when the page is empty.
    next: Option<String>,
}

#[derive(ToSchema)]
pub struct Member {
    id: Uuid,
    name: String,
    email: String,
}

/// An association as its members see it.
#[derive(ToSchema)]
pub struct AssociationAccount {
    id: Uuid,
    name: String,
    /// As written on documents: `RNA W381000017`, `SIRET …`.
    identifier: Option<String>,
    category: Option<salle_events::catalog::association::RequesterCategory>,
    /// Verified by an admin: until then the "other association" rate, at
    /// most `hold_limit` dates awaiting a decision, and no approval.
    verified: bool,
    /// Dates awaiting a decision, in every room.
    pending_dates: u32,
    /// Until verified: how many dates may await a decision.
    hold_limit: Option<u32>,
    members: Vec<Member>,
}

#[derive(ToSchema)]
pub struct MemberInvitation {
    /// Where the link was mailed; it works once, until `expires_at`.
    sent_to: String,
    expires_at: DateTime<FixedOffset>,
}

#[derive(ToSchema)]
pub struct VerificationAnswer {
    verified: bool,
    category: Option<salle_events::catalog::association::RequesterCategory>,
}
