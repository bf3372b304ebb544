//! What can be asked of a room, and what a request brings from outside it
//! (the time, the establishment's state, the tariff, the calendar).

use super::*;

/// Everything a booking request needs from outside the room's stream.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub now: DateTime<Utc>,
    /// A suspended establishment takes no new requests.
    pub establishment_active: bool,
    /// Whether the establishment can be paid (its payout account receives
    /// transfers); if not, only free slots can be requested.
    pub accepts_payments: bool,
    /// The establishment's grid, or the département's default.
    pub tariff: Option<TariffVersion>,
    pub calendar: Arc<Calendar>,
    /// What the requester's verification lets it do.
    pub requester: crate::association::Standing,
}

#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub booking_id: Uuid,
    pub association_id: Uuid,
    /// The association's category on record; the price follows
    /// [`Standing::priced_as`](crate::association::Standing::priced_as).
    pub category: RequesterCategory,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub attendees: u32,
    pub purpose: String,
}

/// "Every Tuesday 18:00–20:00 from 8 September to 30 June": the weekday is
/// the first day's.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    pub series_id: Uuid,
    pub association_id: Uuid,
    pub category: RequesterCategory,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub attendees: u32,
    pub purpose: String,
}

#[derive(Debug, Clone)]
pub enum RoomCommand {
    Add {
        room_id: Uuid,
        establishment_id: Uuid,
        details: RoomDetails,
        opening: OpeningRules,
        constraints: BookingConstraints,
        now: DateTime<Utc>,
    },
    ChangeDetails {
        details: RoomDetails,
    },
    SetOpening {
        opening: OpeningRules,
    },
    SetConstraints {
        constraints: BookingConstraints,
    },
    AddBlackout {
        blackout_id: Uuid,
        first_day: NaiveDate,
        last_day: NaiveDate,
        reason: String,
    },
    RemoveBlackout {
        blackout_id: Uuid,
    },
    AddInternalBlock {
        block_id: Uuid,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reason: String,
    },
    RemoveInternalBlock {
        block_id: Uuid,
    },
    Withdraw {
        reason: String,
        now: DateTime<Utc>,
    },
    Reinstate {
        now: DateTime<Utc>,
    },
    RequestBooking {
        request: BookingRequest,
        context: RequestContext,
    },
    RequestSeries {
        request: SeriesRequest,
        context: RequestContext,
    },
    Approve {
        booking_id: Uuid,
        by: Uuid,
        now: DateTime<Utc>,
    },
    ApproveSeries {
        series_id: Uuid,
        by: Uuid,
        now: DateTime<Utc>,
    },
    Reject {
        booking_id: Uuid,
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
    RejectSeries {
        series_id: Uuid,
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
    Expire {
        booking_id: Uuid,
        now: DateTime<Utc>,
    },
    /// A reminder's moment has come (the deadline manager).
    Remind {
        booking_id: Uuid,
        reminder: salle_events::catalog::room::Reminder,
        now: DateTime<Utc>,
    },
    RecordPayment {
        booking_id: Uuid,
        amount: Money,
        payment_ref: String,
        now: DateTime<Utc>,
    },
    Cancel {
        booking_id: Uuid,
        by: CancelledBy,
        actor: Uuid,
        reason: String,
        policy: CancellationPolicy,
        now: DateTime<Utc>,
    },
    Complete {
        booking_id: Uuid,
        now: DateTime<Utc>,
    },
    Settle {
        booking_id: Uuid,
        transfer_ref: String,
        now: DateTime<Utc>,
    },
    /// Several changes decided as one: each on the room as the ones before
    /// it left it, all recorded or none (a manager's revision of a room).
    Together(Vec<RoomCommand>),
    /// A message of the booking's conversation, by its association or a
    /// manager of the establishment.
    PostMessage {
        booking_id: Uuid,
        message_id: Uuid,
        by: Uuid,
        author: salle_events::catalog::room::MessageAuthor,
        text: String,
        now: DateTime<Utc>,
    },
    /// Money given back after the slot, by the establishment's manager.
    GrantRefund {
        booking_id: Uuid,
        amount: Money,
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
}
