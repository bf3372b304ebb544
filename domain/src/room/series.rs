//! A weekly series: one booking per kept date, linked by the series id. Dates
//! that fall in school holidays, on public holidays, in blackouts, outside the
//! rules or on a taken slot are skipped and reported with their reason; the
//! series fails only when no date is left.

use chrono::{Datelike, Duration};
use salle_events::catalog::FreeText;
use salle_events::catalog::room::{RoomEvent, SkippedDate};
use uuid::Uuid;

use crate::room::{
    RequestContext, Room, SeriesRequest, check_requester, check_slot_for, with_automatic_approval,
};
use crate::time::{Slot, fr_date};
use crate::{Aggregate, DomainError};

/// At most one school year: 53 weekly dates.
pub const MAX_OCCURRENCES: usize = 53;

/// The id of the booking of `series_id` on `date`: derived, so that deciding
/// the same request twice gives the same events.
pub fn occurrence_id(series_id: Uuid, date: chrono::NaiveDate) -> Uuid {
    Uuid::new_v5(&series_id, date.format("%Y-%m-%d").to_string().as_bytes())
}

pub fn request_series(
    room: &Room,
    request: SeriesRequest,
    context: &RequestContext,
) -> Result<Vec<RoomEvent>, DomainError> {
    if room.series.contains_key(&request.series_id) {
        return Err(DomainError::conflict("series_exists", "Cette série existe déjà."));
    }
    let (purpose, details) = check_requester(room, request.attendees, &request.purpose, context)?;
    let category = context.requester.priced_as(request.category);
    if request.last_day < request.first_day {
        return Err(DomainError::rule("invalid_period", "La série doit finir après sa première date."));
    }
    if request.last_day > request.first_day + Duration::days(366) {
        return Err(DomainError::rule(
            "series_too_long",
            "Une série couvre au plus une année scolaire : choisissez une date de fin moins lointaine.",
        ));
    }
    if request.end_time <= request.start_time {
        return Err(DomainError::rule(
            "slot_end_before_start",
            "La fin du créneau doit être après son début.",
        ));
    }
    let mut state = room.clone();
    let mut events = Vec::new();
    let mut booked = Vec::new();
    let mut skipped = Vec::new();
    let mut day = request.first_day;
    while day <= request.last_day && booked.len() + skipped.len() < MAX_OCCURRENCES {
        // Each date is checked against the room as it will be with the dates
        // already kept, so the series cannot overlap itself.
        let outcome = Slot::from_local(day, request.start_time, request.end_time)
            .map_err(DomainError::from)
            .and_then(|slot| check_slot_for(&state, details, &slot, category, context).map(|p| (slot, p)));
        match outcome {
            Ok((slot, (price, tariff_version))) => {
                let booking_id = occurrence_id(request.series_id, day);
                let requested = RoomEvent::BookingRequested {
                    booking_id,
                    association_id: request.association_id,
                    category,
                    start: slot.start(),
                    end: slot.end(),
                    attendees: request.attendees,
                    // One text for every date of the series.
                    purpose: FreeText::new(
                        request.series_id,
                        "purpose",
                        request.association_id,
                        purpose.clone(),
                    ),
                    price,
                    tariff_version,
                    series_id: Some(request.series_id),
                    requested_at: context.now,
                    decide_by: (context.now + Duration::hours(room.constraints.decision_hold_hours as i64))
                        .min(slot.start()),
                };
                for event in with_automatic_approval(&state, details, requested, context) {
                    state = state.evolve(&event);
                    events.push(event);
                }
                booked.push(day);
            }
            Err(e) => skipped.push(SkippedDate { date: day, reason: e.code.to_owned(), message: e.message }),
        }
        day += Duration::days(7);
    }
    if booked.is_empty() {
        let reasons: Vec<String> =
            skipped.iter().take(3).map(|s| format!("{} : {}", fr_date(s.date), s.message)).collect();
        return Err(DomainError::rule(
            "series_empty",
            format!("Aucune date de la série n'est disponible. {}", reasons.join(" ")),
        ));
    }
    context.requester.check_can_hold(booked.len())?;
    let summary = RoomEvent::WeeklySeriesRequested {
        series_id: request.series_id,
        association_id: request.association_id,
        weekday: request.first_day.weekday().number_from_monday() as u8,
        start_time: request.start_time,
        end_time: request.end_time,
        first_day: request.first_day,
        last_day: request.last_day,
        booked,
        skipped,
    };
    events.insert(0, summary);
    Ok(events)
}
