//! The booking lifecycle: decisions, expiry, payment, cancellation and refunds,
//! completion and settlement.

use chrono::Duration;
use salle::domain::booking::BookingStatus;
use salle::domain::room::{self, Room, RoomCommand};
use salle_events::catalog::Money;
use salle_events::catalog::establishment::CancellationPolicy;
use salle_events::catalog::room::{CancelledBy, ExpiryReason, Reminder, RoomEvent};
use uuid::Uuid;

use super::fixtures::*;

const MANAGER: Uuid = Uuid::from_u128(99);

/// A room with one request for Tuesday 8 December 2026 18:00–20:00 (25 €).
fn with_request() -> (Room, Uuid) {
    let room = given(&[added()]);
    let r = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    let id = r.booking_id;
    (then(room.clone(), &when_requested(&room, r).unwrap()), id)
}

fn decide_ok(room: Room, command: RoomCommand) -> Room {
    let events = room::decide(&room, command).unwrap();
    then(room, &events)
}

fn approved() -> (Room, Uuid) {
    let (room, id) = with_request();
    (decide_ok(room, RoomCommand::Approve { booking_id: id, by: MANAGER, now: now() }), id)
}

fn paid() -> (Room, Uuid) {
    let (room, id) = approved();
    let pay = RoomCommand::RecordPayment {
        booking_id: id,
        amount: Money::eur(2500),
        payment_ref: "pi_1".into(),
        now: now(),
    };
    (decide_ok(room, pay), id)
}

fn cancel(
    room: &Room,
    id: Uuid,
    by: CancelledBy,
    when: chrono::DateTime<chrono::Utc>,
) -> Result<Money, salle::domain::DomainError> {
    let cmd = RoomCommand::Cancel {
        booking_id: id,
        by,
        actor: Uuid::from_u128(7),
        reason: String::new(),
        policy: CancellationPolicy::default(),
        now: when,
    };
    room::decide(room, cmd).map(|events| match &events[0] {
        RoomEvent::BookingCancelled { refund, .. } => *refund,
        other => panic!("{other:?}"),
    })
}

#[test]
fn approving_a_request_gives_it_a_payment_deadline() {
    let (room, id) = approved();
    let b = &room.bookings[&id];
    assert_eq!(b.status, BookingStatus::Approved);
    assert_eq!(b.pay_by, Some(now() + Duration::hours(72)));
}

#[test]
fn the_payment_deadline_never_passes_the_start_of_the_slot() {
    let room = given(&[added()]);
    let r = request(at("2026-12-02", "18:00"), at("2026-12-02", "20:00"));
    let id = r.booking_id;
    let room = then(room.clone(), &when_requested(&room, r).unwrap());
    let room = decide_ok(room, RoomCommand::Approve { booking_id: id, by: MANAGER, now: now() });
    assert_eq!(room.bookings[&id].pay_by, Some(at("2026-12-02", "18:00")));
    assert_eq!(room.bookings[&id].decide_by, at("2026-12-02", "18:00"));
}

#[test]
fn rejecting_a_request_releases_its_slot() {
    let (room, id) = with_request();
    let room = decide_ok(
        room,
        RoomCommand::Reject {
            booking_id: id,
            by: MANAGER,
            reason: "Salle réservée au conseil".into(),
            now: now(),
        },
    );
    assert_eq!(room.bookings[&id].status, BookingStatus::Rejected);
    assert!(when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).is_ok());
}

#[test]
fn a_rejection_needs_a_reason() {
    let (room, id) = with_request();
    let err = room::decide(
        &room,
        RoomCommand::Reject { booking_id: id, by: MANAGER, reason: "  ".into(), now: now() },
    )
    .unwrap_err();
    assert_eq!(err.code, "invalid_reason");
}

#[test]
fn a_decided_request_cannot_be_decided_again() {
    let (room, id) = approved();
    let err =
        room::decide(&room, RoomCommand::Approve { booking_id: id, by: MANAGER, now: now() }).unwrap_err();
    assert_eq!(err.code, "transition_not_allowed");
    assert!(err.message.contains("approuvée"), "{err}");
    let err = room::decide(
        &room,
        RoomCommand::Reject { booking_id: id, by: MANAGER, reason: "non".into(), now: now() },
    )
    .unwrap_err();
    assert_eq!(err.code, "transition_not_allowed");
}

#[test]
fn an_undecided_request_expires_after_the_hold_and_frees_its_slot() {
    let (room, id) = with_request();
    let early = room::decide(&room, RoomCommand::Expire { booking_id: id, now: now() + Duration::days(6) })
        .unwrap_err();
    assert_eq!(early.code, "not_expired_yet");
    let events =
        room::decide(&room, RoomCommand::Expire { booking_id: id, now: now() + Duration::days(7) }).unwrap();
    assert!(matches!(events[0], RoomEvent::BookingExpired { reason: ExpiryReason::NoDecision, .. }));
    let room = then(room, &events);
    assert!(!room.bookings[&id].is_active());
}

#[test]
fn an_approved_unpaid_booking_expires_after_its_payment_hold() {
    let (room, id) = approved();
    assert!(
        room::decide(&room, RoomCommand::Expire { booking_id: id, now: now() + Duration::hours(71) })
            .is_err()
    );
    let events =
        room::decide(&room, RoomCommand::Expire { booking_id: id, now: now() + Duration::hours(72) })
            .unwrap();
    assert!(matches!(events[0], RoomEvent::BookingExpired { reason: ExpiryReason::NotPaid, .. }));
}

#[test]
fn a_paid_booking_never_expires() {
    let (room, id) = paid();
    let err = room::decide(&room, RoomCommand::Expire { booking_id: id, now: now() + Duration::days(30) })
        .unwrap_err();
    assert_eq!(err.code, "transition_not_allowed");
}

#[test]
fn a_payment_of_the_wrong_amount_is_refused() {
    let (room, id) = approved();
    let cmd = RoomCommand::RecordPayment {
        booking_id: id,
        amount: Money::eur(2499),
        payment_ref: "pi_1".into(),
        now: now(),
    };
    assert_eq!(room::decide(&room, cmd).unwrap_err().code, "wrong_amount");
}

#[test]
fn a_request_cannot_be_paid_before_approval() {
    let (room, id) = with_request();
    let cmd = RoomCommand::RecordPayment {
        booking_id: id,
        amount: Money::eur(2500),
        payment_ref: "pi_1".into(),
        now: now(),
    };
    assert_eq!(room::decide(&room, cmd).unwrap_err().code, "transition_not_allowed");
}

#[test]
fn an_association_cancelling_a_week_ahead_gets_everything_back() {
    let (room, id) = paid();
    assert_eq!(
        cancel(&room, id, CancelledBy::Association, at("2026-12-01", "18:00")).unwrap(),
        Money::eur(2500)
    );
}

#[test]
fn an_association_cancelling_two_to_seven_days_ahead_gets_half_back() {
    let (room, id) = paid();
    assert_eq!(
        cancel(&room, id, CancelledBy::Association, at("2026-12-01", "18:01")).unwrap(),
        Money::eur(1250)
    );
    assert_eq!(
        cancel(&room, id, CancelledBy::Association, at("2026-12-06", "18:00")).unwrap(),
        Money::eur(1250)
    );
}

#[test]
fn an_association_cancelling_within_48_hours_gets_nothing_back() {
    let (room, id) = paid();
    assert_eq!(cancel(&room, id, CancelledBy::Association, at("2026-12-06", "18:01")).unwrap(), Money::ZERO);
}

#[test]
fn a_manager_cancelling_always_refunds_everything() {
    let (room, id) = paid();
    assert_eq!(cancel(&room, id, CancelledBy::Manager, at("2026-12-08", "17:00")).unwrap(), Money::eur(2500));
}

#[test]
fn cancelling_an_unpaid_booking_refunds_nothing_and_frees_the_slot() {
    let (room, id) = with_request();
    assert_eq!(cancel(&room, id, CancelledBy::Association, now()).unwrap(), Money::ZERO);
    let events = room::decide(
        &room,
        RoomCommand::Cancel {
            booking_id: id,
            by: CancelledBy::Association,
            actor: Uuid::from_u128(7),
            reason: "Changement de programme".into(),
            policy: CancellationPolicy::default(),
            now: now(),
        },
    )
    .unwrap();
    let room = then(room, &events);
    assert!(when_requested(&room, request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"))).is_ok());
}

#[test]
fn a_started_slot_cannot_be_cancelled() {
    let (room, id) = paid();
    let err = cancel(&room, id, CancelledBy::Association, at("2026-12-08", "18:30")).unwrap_err();
    assert_eq!(err.code, "slot_started");
}

#[test]
fn a_paid_booking_completes_after_its_slot_then_settles() {
    let (room, id) = paid();
    let early = room::decide(&room, RoomCommand::Complete { booking_id: id, now: at("2026-12-08", "19:00") })
        .unwrap_err();
    assert_eq!(early.code, "slot_not_over");
    let room = decide_ok(room, RoomCommand::Complete { booking_id: id, now: at("2026-12-08", "20:00") });
    assert_eq!(room.bookings[&id].status, BookingStatus::Completed);
    let events = room::decide(
        &room,
        RoomCommand::Settle { booking_id: id, transfer_ref: "tr_1".into(), now: at("2026-12-09", "02:00") },
    )
    .unwrap();
    assert!(matches!(events[0], RoomEvent::BookingSettled { amount, .. } if amount == Money::eur(2500)));
    let room = then(room, &events);
    assert_eq!(room.bookings[&id].status, BookingStatus::Settled);
    assert!(room.bookings[&id].is_active(), "a settled booking still occupied its slot");
}

#[test]
fn a_free_booking_completes_without_payment_and_never_settles() {
    let mut free = details();
    free.hourly_rate_cents = Some(0);
    let room = given(&[added_with(free, evenings(), Default::default())]);
    let r = request(at("2026-12-08", "18:00"), at("2026-12-08", "20:00"));
    let id = r.booking_id;
    let room = then(room.clone(), &when_requested(&room, r).unwrap());
    let room = decide_ok(room, RoomCommand::Approve { booking_id: id, by: MANAGER, now: now() });
    let pay = RoomCommand::RecordPayment {
        booking_id: id,
        amount: Money::ZERO,
        payment_ref: "x".into(),
        now: now(),
    };
    assert_eq!(room::decide(&room, pay).unwrap_err().code, "free_booking");
    let room = decide_ok(room, RoomCommand::Complete { booking_id: id, now: at("2026-12-08", "20:00") });
    let settle =
        RoomCommand::Settle { booking_id: id, transfer_ref: "tr".into(), now: at("2026-12-09", "20:00") };
    assert_eq!(room::decide(&room, settle).unwrap_err().code, "transition_not_allowed");
}

#[test]
fn an_unpaid_booking_cannot_complete() {
    let (room, id) = approved();
    let err = room::decide(&room, RoomCommand::Complete { booking_id: id, now: at("2026-12-09", "00:00") })
        .unwrap_err();
    assert_eq!(err.code, "transition_not_allowed");
}

#[test]
fn a_blackout_over_an_active_booking_is_refused() {
    let (room, _) = with_request();
    let cmd = RoomCommand::AddBlackout {
        blackout_id: Uuid::now_v7(),
        first_day: d("2026-12-07"),
        last_day: d("2026-12-09"),
        reason: "Travaux".into(),
    };
    assert_eq!(room::decide(&room, cmd).unwrap_err().code, "bookings_in_period");
}

#[test]
fn an_unpaid_booking_is_reminded_of_its_payment_once_and_only_while_it_waits() {
    let (room, id) = approved();
    let remind = |now| RoomCommand::Remind { booking_id: id, reminder: Reminder::PaymentDue, now };
    let events = room::decide(&room, remind(now() + Duration::hours(48))).unwrap();
    assert!(matches!(events[..], [RoomEvent::BookingReminded { reminder: Reminder::PaymentDue, .. }]));
    let reminded = then(room.clone(), &events);
    assert!(room::decide(&reminded, remind(now() + Duration::hours(49))).unwrap().is_empty(), "once");
    let late = room::decide(&room, remind(now() + Duration::hours(72))).unwrap_err();
    assert_eq!(late.code, "reminder_not_due", "the hold has ended");
    let (paid, id) = paid();
    let err = room::decide(
        &paid,
        RoomCommand::Remind {
            booking_id: id,
            reminder: Reminder::PaymentDue,
            now: now() + Duration::hours(48),
        },
    )
    .unwrap_err();
    assert_eq!(err.code, "reminder_not_due", "paid: nothing to remind");
    let slot = room::decide(
        &paid,
        RoomCommand::Remind {
            booking_id: id,
            reminder: Reminder::SlotSoon,
            now: now() + Duration::hours(48),
        },
    )
    .unwrap();
    assert!(matches!(slot[..], [RoomEvent::BookingReminded { reminder: Reminder::SlotSoon, .. }]));
}

fn post(room: &Room, booking_id: Uuid, text: &str) -> Result<Vec<RoomEvent>, salle::domain::DomainError> {
    room::decide(
        room,
        RoomCommand::PostMessage {
            booking_id,
            message_id: Uuid::from_u128(5),
            by: MANAGER,
            author: salle_events::catalog::room::MessageAuthor::Manager,
            text: text.into(),
            now: now(),
        },
    )
}

#[test]
fn a_message_is_the_associations_words_and_changes_nothing_else() {
    let (room, id) = approved();
    let events = post(&room, id, "  Le gardien ouvre à 17 h.  ").unwrap();
    let [RoomEvent::MessagePosted { booking_id, text, .. }] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(*booking_id, id);
    let stored = text.to_store().expect("kept out of the log");
    assert_eq!((stored.owner, stored.body), (room.bookings[&id].association_id, "Le gardien ouvre à 17 h."));
    let after = then(room.clone(), &events);
    assert_eq!(after.bookings[&id].status, BookingStatus::Approved);
    // Too long, empty, or about a booking the room does not have.
    assert_eq!(post(&room, id, &"x".repeat(room::MESSAGE_MAX_CHARS + 1)).unwrap_err().code, "invalid_text");
    assert_eq!(post(&room, id, " \n ").unwrap_err().code, "invalid_text");
    assert!(post(&room, id, &"x".repeat(room::MESSAGE_MAX_CHARS)).is_ok());
    assert_eq!(post(&room, Uuid::from_u128(404), "Bonjour").unwrap_err().code, "booking_not_found");
}
