//! Weekly series: one booking per kept date, each skipped date reported.

use salle::domain::room::{self, RoomCommand};
use salle_events::catalog::room::{ApprovalMode, RoomEvent};

use super::fixtures::*;

fn decide_series(
    room: &salle::domain::room::Room,
    request: salle::domain::room::SeriesRequest,
    now: &str,
) -> Result<Vec<RoomEvent>, salle::domain::DomainError> {
    room::decide(room, RoomCommand::RequestSeries { request, context: context_at(at(now, "09:00")) })
}

fn summary(events: &[RoomEvent]) -> (Vec<chrono::NaiveDate>, Vec<(chrono::NaiveDate, String)>) {
    match &events[0] {
        RoomEvent::WeeklySeriesRequested { booked, skipped, .. } => {
            (booked.clone(), skipped.iter().map(|s| (s.date, s.reason.clone())).collect())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_series_across_toussaint_and_christmas_reports_each_holiday_it_skips() {
    let room = given(&[added()]);
    let events =
        decide_series(&room, series("2026-09-08", "2027-01-12", "18:00", "20:00"), "2026-09-01").unwrap();
    let (booked, skipped) = summary(&events);
    let holidays: Vec<_> =
        skipped.iter().filter(|(_, r)| r == "school_holidays").map(|(d, _)| d.to_string()).collect();
    assert_eq!(holidays, ["2026-10-20", "2026-10-27", "2026-12-22", "2026-12-29"]);
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    assert_eq!(booked.len(), 19 - 4);
    let requested = events.iter().filter(|e| matches!(e, RoomEvent::BookingRequested { .. })).count();
    assert_eq!(requested, booked.len());
    let room = then(room, &events);
    assert_eq!(room.active_bookings().count(), booked.len());
    assert!(room.active_bookings().all(|b| b.series_id.is_some()));
}

#[test]
fn a_series_reports_each_public_holiday_and_taken_date() {
    let room = given(&[added()]);
    // Wednesday 11 November 2026 is a public holiday; Wednesday 18 November is taken.
    let taken = request(at("2026-11-18", "19:00"), at("2026-11-18", "21:00"));
    let room = then(
        room.clone(),
        &room::decide(
            &room,
            RoomCommand::RequestBooking { request: taken, context: context_at(at("2026-11-02", "09:00")) },
        )
        .unwrap(),
    );
    let events =
        decide_series(&room, series("2026-11-04", "2026-12-02", "18:00", "20:00"), "2026-11-02").unwrap();
    let (booked, skipped) = summary(&events);
    assert_eq!(
        skipped,
        vec![(d("2026-11-11"), "public_holiday".to_owned()), (d("2026-11-18"), "slot_taken".to_owned())]
    );
    assert_eq!(booked, vec![d("2026-11-04"), d("2026-11-25"), d("2026-12-02")]);
    let RoomEvent::WeeklySeriesRequested { skipped: full, .. } = &events[0] else { panic!() };
    assert!(full[0].message.contains("11 novembre"), "{:?}", full[0]);
}

#[test]
fn a_series_longer_than_a_school_year_is_refused() {
    let room = given(&[added()]);
    let err =
        decide_series(&room, series("2026-09-08", "2027-09-14", "18:00", "20:00"), "2026-09-01").unwrap_err();
    assert_eq!(err.code, "series_too_long");
}

#[test]
fn a_series_with_no_free_date_fails_with_the_reasons() {
    let room = given(&[added()]);
    let err =
        decide_series(&room, series("2026-10-20", "2026-10-27", "18:00", "20:00"), "2026-09-01").unwrap_err();
    assert_eq!(err.code, "series_empty");
    assert!(err.message.contains("Toussaint"), "{err}");
}

#[test]
fn approving_a_series_approves_each_pending_date_and_single_dates_can_be_rejected() {
    let room = given(&[added()]);
    let request = series("2026-11-03", "2026-12-01", "18:00", "20:00");
    let series_id = request.series_id;
    let room = then(room.clone(), &decide_series(&room, request, "2026-11-02").unwrap());
    let first = *room.series[&series_id].first().unwrap();
    let manager = uuid::Uuid::from_u128(99);
    let reject = RoomCommand::Reject {
        booking_id: first,
        by: manager,
        reason: "Portes ouvertes".into(),
        now: at("2026-11-02", "10:00"),
    };
    let room = then(room.clone(), &room::decide(&room, reject).unwrap());
    let events = room::decide(
        &room,
        RoomCommand::ApproveSeries { series_id, by: manager, now: at("2026-11-02", "10:00") },
    )
    .unwrap();
    assert_eq!(events.len(), room.series[&series_id].len() - 1);
    let room = then(room, &events);
    let again = room::decide(
        &room,
        RoomCommand::ApproveSeries { series_id, by: manager, now: at("2026-11-02", "10:00") },
    )
    .unwrap_err();
    assert_eq!(again.code, "nothing_to_decide");
}

#[test]
fn a_series_in_an_automatic_room_is_approved_date_by_date() {
    let mut automatic = details();
    automatic.approval = ApprovalMode::Automatic;
    let room = given(&[added_with(automatic, evenings(), Default::default())]);
    let events =
        decide_series(&room, series("2026-11-10", "2026-12-01", "18:00", "20:00"), "2026-11-02").unwrap();
    let approved = events.iter().filter(|e| matches!(e, RoomEvent::BookingApproved { .. })).count();
    assert_eq!(approved, 4);
}

#[test]
fn deciding_the_same_series_twice_gives_the_same_booking_ids() {
    let room = given(&[added()]);
    let request = series("2026-11-03", "2026-11-24", "18:00", "20:00");
    let ids = |events: Vec<RoomEvent>| events.iter().filter_map(|e| e.booking_id()).collect::<Vec<_>>();
    let a = ids(decide_series(&room, request.clone(), "2026-11-02").unwrap());
    let b = ids(decide_series(&room, request, "2026-11-02").unwrap());
    assert_eq!(a, b);
}
