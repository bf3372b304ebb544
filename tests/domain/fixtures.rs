//! A room ready for requests, and the helpers every rule test uses.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use salle::domain::Aggregate;
use salle::domain::DomainError;
use salle::domain::calendar::Calendar;
use salle::domain::room::{self, BookingRequest, RequestContext, Room, RoomCommand, SeriesRequest};
use salle::domain::tariff::TariffVersion;
use salle::domain::time::local_instant;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, Equipment, OpeningRules, RoomDetails, RoomEvent, RoomKind, WeeklyWindow,
};
use uuid::Uuid;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn t(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

/// A local Paris time on a day, as an instant.
pub fn at(day: &str, time: &str) -> DateTime<Utc> {
    local_instant(d(day), t(time)).unwrap()
}

pub fn calendar() -> Arc<Calendar> {
    Arc::new(Calendar::isere().unwrap())
}

pub fn details() -> RoomDetails {
    RoomDetails {
        name: "Salle polyvalente".into(),
        kind: RoomKind::Multipurpose,
        capacity: 40,
        area_m2: Some(120),
        equipment: vec![Equipment::Projector, Equipment::Chairs],
        step_free: true,
        approval: ApprovalMode::Manual,
        hourly_rate_cents: None,
        description: String::new(),
    }
}

/// Weekday evenings 18:00–22:00 and Saturdays 09:00–18:00 in school weeks;
/// closed in holidays and on public holidays.
pub fn evenings() -> OpeningRules {
    let w = |weekday, start, end| WeeklyWindow { weekday, start: t(start), end: t(end) };
    OpeningRules {
        school_weeks: (1..=7).map(|d| w(d, "18:00", "22:00")).chain([]).collect(),
        school_holidays: vec![],
        open_on_public_holidays: false,
    }
}

/// 10 € an hour for local associations, 40 € for companies, 5 € cleaning fee.
pub fn grid() -> TariffVersion {
    TariffVersion {
        version: 1,
        hourly_rates_cents: [
            (RequesterCategory::LocalAssociation, 1000),
            (RequesterCategory::OtherAssociation, 1500),
            (RequesterCategory::PublicBody, 0),
            (RequesterCategory::Company, 4000),
        ]
        .into_iter()
        .collect(),
        flat_fees: vec![salle_events::catalog::tariff::FlatFee {
            label: "Ménage".into(), amount_cents: 500
        }],
    }
}

pub fn given(events: &[RoomEvent]) -> Room {
    Room::fold(events)
}

pub fn added_with(details: RoomDetails, opening: OpeningRules, constraints: BookingConstraints) -> RoomEvent {
    RoomEvent::RoomAdded {
        room_id: Uuid::from_u128(1),
        establishment_id: Uuid::from_u128(2),
        details,
        opening,
        constraints,
        added_at: at("2026-01-05", "10:00"),
    }
}

pub fn added() -> RoomEvent {
    added_with(details(), evenings(), BookingConstraints::default())
}

/// "Now" for most tests: a Monday in November 2026.
pub fn now() -> DateTime<Utc> {
    at("2026-11-30", "09:00")
}

pub fn context_at(now: DateTime<Utc>) -> RequestContext {
    RequestContext {
        now,
        establishment_active: true,
        accepts_payments: true,
        tariff: Some(grid()),
        calendar: calendar(),
        requester: salle::domain::association::Standing::VERIFIED,
    }
}

pub fn request(start: DateTime<Utc>, end: DateTime<Utc>) -> BookingRequest {
    BookingRequest {
        booking_id: Uuid::now_v7(),
        association_id: Uuid::from_u128(7),
        category: RequesterCategory::LocalAssociation,
        start,
        end,
        attendees: 20,
        purpose: "Répétition de la chorale".into(),
    }
}

pub fn when_requested(room: &Room, request: BookingRequest) -> Result<Vec<RoomEvent>, DomainError> {
    room::decide(room, RoomCommand::RequestBooking { request, context: context_at(now()) })
}

pub fn series(first: &str, last: &str, start: &str, end: &str) -> SeriesRequest {
    SeriesRequest {
        series_id: Uuid::now_v7(),
        association_id: Uuid::from_u128(7),
        category: RequesterCategory::LocalAssociation,
        first_day: d(first),
        last_day: d(last),
        start_time: t(start),
        end_time: t(end),
        attendees: 15,
        purpose: "Entraînement hebdomadaire".into(),
    }
}

/// Applies the events a decision produced.
pub fn then(room: Room, events: &[RoomEvent]) -> Room {
    events.iter().fold(room, |r, e| r.evolve(e))
}
