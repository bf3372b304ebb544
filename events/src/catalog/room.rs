//! Events of a room's stream: the room, its rules, and every booking of it.
//!
//! The room's stream owns its active bookings, so the store's expected-version
//! check on this one stream is what makes double booking impossible: two
//! overlapping requests decided on the same version cannot both be appended.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::association::RequesterCategory;
use super::money::Money;
use super::text::FreeText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    Classroom,
    Multipurpose,
    GymHall,
    SportsField,
    Auditorium,
    MusicRoom,
    Canteen,
    MeetingRoom,
    ScienceLab,
    Other,
}

/// Equipment codes (API.md lists them; new codes may be added, never renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Equipment {
    Projector,
    SoundSystem,
    Stage,
    Kitchen,
    Wifi,
    Piano,
    Whiteboard,
    SportsEquipment,
    ChangingRooms,
    Chairs,
    Tables,
    Screen,
}

super::codes::codes!(RoomKind {
    Classroom => "classroom",
    Multipurpose => "multipurpose",
    GymHall => "gym_hall",
    SportsField => "sports_field",
    Auditorium => "auditorium",
    MusicRoom => "music_room",
    Canteen => "canteen",
    MeetingRoom => "meeting_room",
    ScienceLab => "science_lab",
    Other => "other",
});

super::codes::codes!(Equipment {
    Projector => "projector",
    SoundSystem => "sound_system",
    Stage => "stage",
    Kitchen => "kitchen",
    Wifi => "wifi",
    Piano => "piano",
    Whiteboard => "whiteboard",
    SportsEquipment => "sports_equipment",
    ChangingRooms => "changing_rooms",
    Chairs => "chairs",
    Tables => "tables",
    Screen => "screen",
});

impl Equipment {
    /// What the search form offers to filter on: the most asked for (a
    /// room may list any of [`Equipment::ALL`]).
    pub const SEARCHED: [Self; 9] = [
        Self::Projector,
        Self::SoundSystem,
        Self::Stage,
        Self::Kitchen,
        Self::Wifi,
        Self::Piano,
        Self::Whiteboard,
        Self::SportsEquipment,
        Self::ChangingRooms,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalMode {
    Manual,
    Automatic,
}

super::codes::codes!(ApprovalMode { Manual => "manual", Automatic => "automatic" });

/// Where a booking stands. One type for the domain's state machine, the read
/// model's column, the API's field and the pages' labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    Approved,
    Rejected,
    Expired,
    Paid,
    Completed,
    Settled,
    Cancelled,
}

super::codes::codes!(BookingStatus {
    Requested => "requested",
    Approved => "approved",
    Rejected => "rejected",
    Expired => "expired",
    Paid => "paid",
    Completed => "completed",
    Settled => "settled",
    Cancelled => "cancelled",
});

impl BookingStatus {
    /// The API's name of the status.
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    /// The French word for it, in a sentence (« La réservation est … »).
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Requested => "demandée",
            Self::Approved => "approuvée",
            Self::Rejected => "refusée",
            Self::Expired => "expirée",
            Self::Paid => "payée",
            Self::Completed => "terminée",
            Self::Settled => "reversée",
            Self::Cancelled => "annulée",
        }
    }
}

/// One weekly opening window in Europe/Paris local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WeeklyWindow {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// When the room may be booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OpeningRules {
    /// Windows during school weeks.
    pub school_weeks: Vec<WeeklyWindow>,
    /// Windows during school holidays (zone A); empty: closed in holidays.
    pub school_holidays: Vec<WeeklyWindow>,
    /// Open on public holidays (with the windows of the day); closed by default.
    pub open_on_public_holidays: bool,
}

/// The room's booking constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingConstraints {
    pub min_notice_hours: u32,
    pub horizon_days: u32,
    pub min_duration_minutes: u32,
    pub max_duration_minutes: u32,
    /// Free time kept between two bookings; counts as overlap.
    pub buffer_minutes: u32,
    /// Hours a request waits for a decision before it expires.
    pub decision_hold_hours: u32,
    /// Hours an approved booking waits for its payment before it expires.
    pub payment_hold_hours: u32,
}

impl Default for BookingConstraints {
    fn default() -> Self {
        Self {
            min_notice_hours: 48,
            horizon_days: 365,
            min_duration_minutes: 30,
            max_duration_minutes: 12 * 60,
            buffer_minutes: 0,
            decision_hold_hours: 7 * 24,
            payment_hold_hours: 72,
        }
    }
}

/// The room's description (everything a manager edits together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomDetails {
    pub name: String,
    pub kind: RoomKind,
    pub capacity: u32,
    pub area_m2: Option<u32>,
    pub equipment: Vec<Equipment>,
    pub step_free: bool,
    pub approval: ApprovalMode,
    /// The room's own hourly rate, for every category (0: free room). When
    /// absent, the establishment's tariff grid applies.
    pub hourly_rate_cents: Option<i64>,
    pub description: String,
}

/// Who cancelled a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelledBy {
    Association,
    Manager,
}

/// Who wrote a message of a booking's conversation: the association, or a
/// manager of the establishment that owns the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageAuthor {
    Association,
    Manager,
}

impl MessageAuthor {
    /// The code the API and the read model use.
    pub fn code(self) -> &'static str {
        match self {
            Self::Association => "association",
            Self::Manager => "manager",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "association" => Some(Self::Association),
            "manager" => Some(Self::Manager),
            _ => None,
        }
    }
}

/// What the deadline manager reminds an association of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    /// Its approved booking waits for its payment, and the hold ends within a day.
    PaymentDue,
    /// Its slot starts within two days.
    SlotSoon,
}

impl Reminder {
    pub const ALL: [Reminder; 2] = [Self::PaymentDue, Self::SlotSoon];
}

/// Why a booking expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryReason {
    NoDecision,
    NotPaid,
}

/// A date of a weekly series that was not booked, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedDate {
    pub date: NaiveDate,
    /// Machine code, e.g. `school_holidays`, `public_holiday`, `slot_taken`.
    pub reason: String,
    /// The sentence shown to the association.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum RoomEvent {
    RoomAdded {
        room_id: Uuid,
        establishment_id: Uuid,
        details: RoomDetails,
        opening: OpeningRules,
        constraints: BookingConstraints,
        added_at: DateTime<Utc>,
    },
    RoomDetailsChanged {
        details: RoomDetails,
    },
    OpeningRulesSet {
        opening: OpeningRules,
    },
    BookingConstraintsSet {
        constraints: BookingConstraints,
    },
    BlackoutAdded {
        blackout_id: Uuid,
        /// First and last closed days, inclusive, local dates.
        first_day: NaiveDate,
        last_day: NaiveDate,
        reason: String,
    },
    BlackoutRemoved {
        blackout_id: Uuid,
    },
    InternalBlockAdded {
        block_id: Uuid,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reason: String,
    },
    InternalBlockRemoved {
        block_id: Uuid,
    },
    RoomWithdrawn {
        reason: String,
        at: DateTime<Utc>,
    },
    RoomReinstated {
        at: DateTime<Utc>,
    },
    BookingRequested {
        booking_id: Uuid,
        association_id: Uuid,
        category: RequesterCategory,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        attendees: u32,
        /// The association's words (in the erasable store since they left the log).
        purpose: FreeText,
        /// Computed at request time from `tariff_version` and frozen.
        price: Money,
        tariff_version: Option<u32>,
        series_id: Option<Uuid>,
        requested_at: DateTime<Utc>,
        /// When the request expires without a decision.
        decide_by: DateTime<Utc>,
    },
    WeeklySeriesRequested {
        series_id: Uuid,
        association_id: Uuid,
        weekday: u8,
        start_time: NaiveTime,
        end_time: NaiveTime,
        first_day: NaiveDate,
        last_day: NaiveDate,
        booked: Vec<NaiveDate>,
        skipped: Vec<SkippedDate>,
    },
    BookingApproved {
        booking_id: Uuid,
        /// The manager, or none for automatic approval.
        by: Option<Uuid>,
        at: DateTime<Utc>,
        /// When the booking expires unpaid; none for free bookings.
        pay_by: Option<DateTime<Utc>>,
    },
    BookingRejected {
        booking_id: Uuid,
        by: Uuid,
        reason: FreeText,
        at: DateTime<Utc>,
    },
    BookingExpired {
        booking_id: Uuid,
        reason: ExpiryReason,
        at: DateTime<Utc>,
    },
    BookingPaid {
        booking_id: Uuid,
        amount: Money,
        payment_ref: String,
        at: DateTime<Utc>,
    },
    BookingCancelled {
        booking_id: Uuid,
        by: CancelledBy,
        actor: Uuid,
        reason: FreeText,
        /// What goes back to the association (zero when nothing was paid).
        refund: Money,
        at: DateTime<Utc>,
    },
    BookingCompleted {
        booking_id: Uuid,
        at: DateTime<Utc>,
    },
    BookingSettled {
        booking_id: Uuid,
        amount: Money,
        transfer_ref: String,
        at: DateTime<Utc>,
    },
    /// The deadline manager's reminder, computed in Europe/Paris: a day
    /// before an unpaid booking's hold ends, two days before its slot. The
    /// mail process tells the association.
    BookingReminded {
        booking_id: Uuid,
        reminder: Reminder,
        at: DateTime<Utc>,
    },
    /// After the slot, the establishment gives money back (the room was not
    /// as described, the event was cut short…). The establishment keeps the
    /// revenue, so it is its decision and its money.
    RefundGranted {
        booking_id: Uuid,
        amount: Money,
        by: Uuid,
        reason: FreeText,
        at: DateTime<Utc>,
    },
    /// A message of the conversation between the association and the
    /// establishment about a booking (a series' conversation is that of its
    /// dates). The words are in the erasable store, owned by the association.
    MessagePosted {
        booking_id: Uuid,
        message_id: Uuid,
        by: Uuid,
        author: MessageAuthor,
        text: FreeText,
        at: DateTime<Utc>,
    },
}

super::event_types!(RoomEvent {
    RoomAdded,
    RoomDetailsChanged,
    OpeningRulesSet,
    BookingConstraintsSet,
    BlackoutAdded,
    BlackoutRemoved,
    InternalBlockAdded,
    InternalBlockRemoved,
    RoomWithdrawn,
    RoomReinstated,
    BookingRequested,
    WeeklySeriesRequested,
    BookingApproved,
    BookingRejected,
    BookingExpired,
    BookingPaid,
    BookingCancelled,
    BookingCompleted,
    BookingSettled,
    RefundGranted,
    BookingReminded,
    MessagePosted,
} texts = |e| match e {
    RoomEvent::BookingRequested { purpose: text, .. }
    | RoomEvent::BookingRejected { reason: text, .. }
    | RoomEvent::BookingCancelled { reason: text, .. }
    | RoomEvent::RefundGranted { reason: text, .. }
    | RoomEvent::MessagePosted { text, .. } => text.to_store().into_iter().collect(),
    _ => vec![],
});

impl RoomEvent {
    /// The booking this event is about, if any.
    pub fn booking_id(&self) -> Option<Uuid> {
        match self {
            Self::BookingRequested { booking_id, .. }
            | Self::BookingApproved { booking_id, .. }
            | Self::BookingRejected { booking_id, .. }
            | Self::BookingExpired { booking_id, .. }
            | Self::BookingPaid { booking_id, .. }
            | Self::BookingCancelled { booking_id, .. }
            | Self::BookingCompleted { booking_id, .. }
            | Self::BookingSettled { booking_id, .. }
            | Self::BookingReminded { booking_id, .. }
            | Self::RefundGranted { booking_id, .. }
            | Self::MessagePosted { booking_id, .. } => Some(*booking_id),
            _ => None,
        }
    }
}
