//! Every booking rule as a given/when/then test named after the fact it checks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod fixtures;
mod lifecycle;
mod registry;
mod series;

use fixtures::*;
use salle::domain::ErrorKind;
use salle::domain::booking::BookingStatus;
use salle::domain::room::{self, RoomCommand};
use salle_events::catalog::Money;
use salle_events::catalog::room::{ApprovalMode, BookingConstraints, RoomEvent, WeeklyWindow};
use uuid::Uuid;

#[test]
fn a_request_inside_the_opening_hours_is_held_with_its_frozen_price() {
    let room = given(&[added()]);
    let events =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap();
    let [RoomEvent::BookingRequested { price, tariff_version, decide_by, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*price, Money::eur(2 * 1000 + 500), "two hours at 10 € plus the cleaning fee");
    assert_eq!(*tariff_version, Some(1));
    assert_eq!(*decide_by, now() + chrono::Duration::days(7));
    let room = then(room, &events);
    assert_eq!(room.active_bookings().count(), 1);
    assert_eq!(room.active_bookings().next().unwrap().status, BookingStatus::Requested);
}

#[test]
fn overlapping_request_is_rejected() {
    let first = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    let room = given(&[added()]);
    let room = then(room.clone(), &when_requested(&room, first).unwrap());
    let err =
        when_requested(&room, request(at("2026-12-08", "19:00"), at("2026-12-08", "21:00"))).unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Conflict, "slot_taken"));
    assert!(err.message.contains("18:00") && err.message.contains("20:00"), "{err}");
}

#[test]
fn back_to_back_bookings_are_allowed_without_a_buffer() {
    let room = given(&[added()]);
    let room = then(
        room.clone(),
        &when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap(),
    );
    assert!(when_requested(&room, request(at("2026-12-08", "20:00"), at("2026-12-08", "22:00"))).is_ok());
}

#[test]
fn the_buffer_between_bookings_counts_as_overlap() {
    let constraints = BookingConstraints { buffer_minutes: 30, ..Default::default() };
    let room = given(&[added_with(details(), evenings(), constraints)]);
    let room = then(
        room.clone(),
        &when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap(),
    );
    let err =
        when_requested(&room, request(at("2026-12-08", "20:15"), at("2026-12-08", "22:00"))).unwrap_err();
    assert_eq!(err.code, "slot_taken");
    assert!(err.message.contains("30 min"), "{err}");
    assert!(when_requested(&room, request(at("2026-12-08", "20:30"), at("2026-12-08", "22:00"))).is_ok());
}

#[test]
fn a_request_outside_the_opening_hours_is_refused() {
    let room = given(&[added()]);
    let err =
        when_requested(&room, request(at("2026-12-08", "16:00"), at("2026-12-08", "18:30"))).unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Rule, "outside_opening_hours"));
}

#[test]
fn a_request_over_capacity_is_refused() {
    let room = given(&[added()]);
    let mut big = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    big.attendees = 41;
    let err = when_requested(&room, big).unwrap_err();
    assert_eq!(err.code, "over_capacity");
    assert!(err.message.contains("40"), "{err}");
}

#[test]
fn a_request_with_too_short_notice_is_refused() {
    let room = given(&[added()]);
    // now() is Monday 30 November 09:00; the default notice is 48 hours.
    let err =
        when_requested(&room, request(at("2026-12-01", "18:00"), at("2026-12-01", "20:00"))).unwrap_err();
    assert_eq!(err.code, "short_notice");
    assert!(when_requested(&room, request(at("2026-12-02", "18:00"), at("2026-12-02", "20:00"))).is_ok());
}

#[test]
fn a_request_beyond_the_booking_horizon_is_refused() {
    let constraints = BookingConstraints { horizon_days: 30, ..Default::default() };
    let room = given(&[added_with(details(), evenings(), constraints)]);
    let err =
        when_requested(&room, request(at("2027-01-12", "18:00"), at("2027-01-12", "20:00"))).unwrap_err();
    assert_eq!(err.code, "beyond_horizon");
}

#[test]
fn too_short_and_too_long_requests_are_refused() {
    let constraints =
        BookingConstraints { min_duration_minutes: 60, max_duration_minutes: 180, ..Default::default() };
    let room = given(&[added_with(details(), evenings(), constraints)]);
    let short =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "18:30"))).unwrap_err();
    assert_eq!(short.code, "too_short");
    let long =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "22:00"))).unwrap_err();
    assert_eq!(long.code, "too_long");
    assert!(long.message.contains("3 h"), "{long}");
}

#[test]
fn a_booking_on_may_day_is_refused_when_public_holidays_are_closed() {
    let ctx_now = at("2026-04-01", "09:00");
    let room = given(&[added()]);
    let cmd = RoomCommand::RequestBooking {
        request: request(at("2026-05-01", "18:00"), at("2026-05-01", "20:00")),
        context: context_at(ctx_now),
    };
    let err = room::decide(&room, cmd).unwrap_err();
    assert_eq!(err.code, "public_holiday");
    assert!(err.message.contains("1er mai"), "{err}");
}

#[test]
fn a_booking_on_may_day_is_accepted_when_the_room_opens_on_public_holidays() {
    let mut opening = evenings();
    opening.open_on_public_holidays = true;
    let room = given(&[added_with(details(), opening, BookingConstraints::default())]);
    let cmd = RoomCommand::RequestBooking {
        request: request(at("2026-05-01", "18:00"), at("2026-05-01", "20:00")),
        context: context_at(at("2026-04-01", "09:00")),
    };
    assert!(room::decide(&room, cmd).is_ok());
}

#[test]
fn the_evening_on_each_clock_change_day_is_four_hours_and_priced_as_four() {
    let mut opening = evenings();
    opening.school_holidays = vec![WeeklyWindow { weekday: 7, start: t("18:00"), end: t("22:00") }];
    let room = given(&[added_with(details(), opening, BookingConstraints::default())]);
    // 29 March 2026 (school week) and 25 October 2026 (Toussaint holidays): both Sundays.
    for (day, now) in [("2026-03-29", "2026-03-01"), ("2026-10-25", "2026-10-01")] {
        let cmd = RoomCommand::RequestBooking {
            request: request(at(day, "18:00"), at(day, "22:00")),
            context: context_at(at(now, "09:00")),
        };
        let events = room::decide(&room, cmd).unwrap_or_else(|e| panic!("{day}: {e}"));
        let RoomEvent::BookingRequested { start, end, price, .. } = &events[0] else { panic!() };
        assert_eq!((*end - *start).num_minutes(), 240, "{day}");
        assert_eq!(*price, Money::eur(4 * 1000 + 500), "{day}");
    }
}

#[test]
fn an_automatic_room_approves_at_once_and_gives_a_payment_deadline() {
    let mut automatic = details();
    automatic.approval = ApprovalMode::Automatic;
    let room = given(&[added_with(automatic, evenings(), BookingConstraints::default())]);
    let events =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap();
    let [
        RoomEvent::BookingRequested { .. },
        RoomEvent::BookingApproved { by: None, pay_by: Some(pay_by), .. },
    ] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(*pay_by, now() + chrono::Duration::hours(72));
}

#[test]
fn a_free_booking_is_approved_without_a_payment_deadline() {
    let mut free = details();
    free.hourly_rate_cents = Some(0);
    free.approval = ApprovalMode::Automatic;
    let room = given(&[added_with(free, evenings(), BookingConstraints::default())]);
    let events =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap();
    assert!(matches!(events[0], RoomEvent::BookingRequested { price: Money::ZERO, .. }));
    assert!(matches!(events[1], RoomEvent::BookingApproved { pay_by: None, .. }));
}

#[test]
fn a_suspended_establishment_takes_no_request() {
    let room = given(&[added()]);
    let mut context = context_at(now());
    context.establishment_active = false;
    let cmd = RoomCommand::RequestBooking {
        request: request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00")),
        context,
    };
    assert_eq!(room::decide(&room, cmd).unwrap_err().code, "establishment_suspended");
}

#[test]
fn a_withdrawn_room_takes_no_request() {
    let room = given(&[added(), RoomEvent::RoomWithdrawn { reason: "Travaux".into(), at: now() }]);
    let err =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap_err();
    assert_eq!(err.code, "room_withdrawn");
}

#[test]
fn an_internal_block_makes_its_slot_unavailable() {
    let block = RoomEvent::InternalBlockAdded {
        block_id: Uuid::now_v7(),
        start: at("2026-12-08", "19:00"),
        end: at("2026-12-08", "21:00"),
        reason: "Conseil d'administration".into(),
    };
    let room = given(&[added(), block]);
    let err =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap_err();
    assert_eq!(err.code, "slot_taken");
    assert!(err.message.contains("Conseil d'administration"), "{err}");
}

#[test]
fn an_internal_block_over_an_active_booking_is_refused() {
    let room = given(&[added()]);
    let room = then(
        room.clone(),
        &when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap(),
    );
    let cmd = RoomCommand::AddInternalBlock {
        block_id: Uuid::now_v7(),
        start: at("2026-12-08", "19:00"),
        end: at("2026-12-08", "21:00"),
        reason: "Réunion".into(),
    };
    assert_eq!(room::decide(&room, cmd).unwrap_err().code, "slot_taken");
}

#[test]
fn a_blackout_closes_every_day_it_covers() {
    let blackout = RoomEvent::BlackoutAdded {
        blackout_id: Uuid::now_v7(),
        first_day: d("2026-12-07"),
        last_day: d("2026-12-11"),
        reason: "Travaux de peinture".into(),
    };
    let room = given(&[added(), blackout]);
    let err =
        when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).unwrap_err();
    assert_eq!(err.code, "blackout");
    assert!(when_requested(&room, request(at("2026-12-12", "18:00"), at("2026-12-12", "20:00"))).is_ok());
}

#[test]
fn a_new_tariff_never_changes_an_existing_booking() {
    let room = given(&[added()]);
    let first = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    let first_id = first.booking_id;
    let room = then(room.clone(), &when_requested(&room, first).unwrap());
    let mut dearer = fixtures::grid();
    dearer.version = 2;
    dearer
        .hourly_rates_cents
        .insert(salle_events::catalog::association::RequesterCategory::LocalAssociation, 3000);
    let mut context = context_at(now());
    context.tariff = Some(dearer);
    let second = request(at("2026-12-09", "18:00"), at("2026-12-09", "20:00"));
    let second_id = second.booking_id;
    let room = then(
        room.clone(),
        &room::decide(&room, RoomCommand::RequestBooking { request: second, context }).unwrap(),
    );
    assert_eq!(room.bookings[&first_id].price, Money::eur(2500));
    assert_eq!(room.bookings[&first_id].tariff_version, Some(1));
    assert_eq!(room.bookings[&second_id].price, Money::eur(6500));
    assert_eq!(room.bookings[&second_id].tariff_version, Some(2));
}

#[test]
fn rooms_with_inconsistent_constraints_are_refused() {
    let bad =
        BookingConstraints { min_duration_minutes: 120, max_duration_minutes: 60, ..Default::default() };
    let cmd = RoomCommand::Add {
        room_id: Uuid::now_v7(),
        establishment_id: Uuid::now_v7(),
        details: details(),
        opening: evenings(),
        constraints: bad,
        now: now(),
    };
    assert_eq!(room::decide(&room::Room::default(), cmd).unwrap_err().code, "invalid_max_duration");
    let unbookable = BookingConstraints { min_notice_hours: 30 * 24, horizon_days: 30, ..Default::default() };
    let room = given(&[added()]);
    let err = room::decide(&room, RoomCommand::SetConstraints { constraints: unbookable }).unwrap_err();
    assert_eq!(err.code, "notice_beyond_horizon", "no slot could ever be booked");
    let mut no_capacity = details();
    no_capacity.capacity = 0;
    let cmd = RoomCommand::Add {
        room_id: Uuid::now_v7(),
        establishment_id: Uuid::now_v7(),
        details: no_capacity,
        opening: evenings(),
        constraints: BookingConstraints::default(),
        now: now(),
    };
    assert_eq!(room::decide(&room::Room::default(), cmd).unwrap_err().code, "invalid_capacity");
}

#[test]
fn commands_on_a_room_that_does_not_exist_are_not_found() {
    let err =
        when_requested(&room::Room::default(), request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00")))
            .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}

fn unverified(held_dates: usize) -> salle::domain::association::Standing {
    salle::domain::association::Standing { verified: false, held_dates, unverified_limit: 3 }
}

#[test]
fn an_unverified_association_is_priced_at_the_other_association_rate() {
    let room = given(&[added()]);
    let mut context = context_at(now());
    context.requester = unverified(0);
    let request = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    let events =
        room::decide(&room, RoomCommand::RequestBooking { request, context: context.clone() }).unwrap();
    let [RoomEvent::BookingRequested { price, category, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*price, Money::eur(2 * 1500 + 500), "two hours at the other associations' 15 € plus cleaning");
    assert_eq!(*category, salle_events::catalog::association::RequesterCategory::OtherAssociation);
    // A company stays a company: not verified is never cheaper.
    let mut company = fixtures::request(at("2026-12-09", "18:00"), at("2026-12-09", "20:00"));
    company.category = salle_events::catalog::association::RequesterCategory::Company;
    let events = room::decide(&room, RoomCommand::RequestBooking { request: company, context }).unwrap();
    assert!(
        matches!(events[0], RoomEvent::BookingRequested { price, .. } if price == Money::eur(8000 + 500))
    );
}

#[test]
fn an_unverified_association_holds_at_most_its_limit_of_dates() {
    let room = given(&[added()]);
    let mut context = context_at(now());
    context.requester = unverified(2);
    let one = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    assert!(
        room::decide(&room, RoomCommand::RequestBooking { request: one, context: context.clone() }).is_ok()
    );
    context.requester = unverified(3);
    let another = request(at("2026-12-09", "18:00"), at("2026-12-09", "20:00"));
    let err = room::decide(&room, RoomCommand::RequestBooking { request: another, context: context.clone() })
        .unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Rule, "unverified_hold_limit"));
    assert!(err.message.contains("au plus 3 date(s)"), "{err}");
    // A series counts each of its dates: two Tuesdays (the 22nd falls in the
    // Christmas holidays) pass the limit of one left.
    context.requester = unverified(2);
    let weekly = series("2026-12-08", "2026-12-22", "18:00", "20:00");
    let err = room::decide(&room, RoomCommand::RequestSeries { request: weekly, context }).unwrap_err();
    assert_eq!(err.code, "unverified_hold_limit");
    assert!(
        err.message.contains("cette demande en compte 2") && err.message.contains("il en reste 1"),
        "{err}"
    );
}

#[test]
fn an_automatic_room_waits_for_the_verification_before_approving() {
    let mut automatic = details();
    automatic.approval = ApprovalMode::Automatic;
    let room = given(&[added_with(automatic, evenings(), BookingConstraints::default())]);
    let mut context = context_at(now());
    context.requester = unverified(0);
    let request = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    let events = room::decide(&room, RoomCommand::RequestBooking { request, context }).unwrap();
    assert!(matches!(events.as_slice(), [RoomEvent::BookingRequested { .. }]), "{events:?}");
    let err = unverified(0).check_can_be_approved().unwrap_err();
    assert_eq!(err.code, "association_not_verified");
    assert!(salle::domain::association::Standing::VERIFIED.check_can_be_approved().is_ok());
}
