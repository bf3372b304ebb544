//! Properties of the booking domain over random rooms and random command
//! sequences (1,000 cases each).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use proptest::prelude::*;
use salle::domain::Aggregate;
use salle::domain::calendar::Calendar;
use salle::domain::room::{self, BookingRequest, RequestContext, Room, RoomCommand};
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::CancellationPolicy;
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, CancelledBy, OpeningRules, RoomDetails, RoomEvent, RoomKind,
    WeeklyWindow,
};
use salle_events::catalog::{Money, tariff::FlatFee};
use salle_events::{DomainEvent, Metadata, RecordedEvent, StreamId};
use uuid::Uuid;

#[derive(Debug, Clone)]
enum Op {
    Request { day: i64, start_quarter: i64, quarters: i64, attendees: u32, category: usize },
    Approve(usize),
    Reject(usize),
    Pay(usize),
    Cancel(usize, bool),
    Expire(usize),
    Complete(usize),
    Settle(usize),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..60i64, 0..24i64, 1..16i64, 1..80u32, 0..4usize).prop_map(|(day, start_quarter, quarters, attendees, category)| Op::Request { day, start_quarter, quarters, attendees, category }),
        2 => (0..40usize).prop_map(Op::Approve),
        1 => (0..40usize).prop_map(Op::Reject),
        2 => (0..40usize).prop_map(Op::Pay),
        1 => (0..40usize, any::<bool>()).prop_map(|(i, m)| Op::Cancel(i, m)),
        1 => (0..40usize).prop_map(Op::Expire),
        1 => (0..40usize).prop_map(Op::Complete),
        1 => (0..40usize).prop_map(Op::Settle),
        2 => (1..400i64).prop_map(Op::Advance),
    ]
}

#[derive(Debug, Clone)]
struct RoomSetup {
    buffer_minutes: u32,
    min_duration_minutes: u32,
    capacity: u32,
    automatic: bool,
    room_rate: Option<i64>,
    fee_cents: i64,
    open_from_hour: u32,
}

fn room_setup() -> impl Strategy<Value = RoomSetup> {
    (
        0..4u32,
        prop_oneof![Just(15u32), Just(30), Just(60)],
        1..100u32,
        any::<bool>(),
        prop_oneof![Just(None), (0..5000i64).prop_map(Some)],
        0..3000i64,
        8..18u32,
    )
        .prop_map(|(b, min, capacity, automatic, room_rate, fee_cents, open_from_hour)| RoomSetup {
            buffer_minutes: b * 15,
            min_duration_minutes: min,
            capacity,
            automatic,
            room_rate,
            fee_cents,
            open_from_hour,
        })
}

fn added(setup: &RoomSetup) -> RoomEvent {
    let window = |weekday| WeeklyWindow {
        weekday,
        start: NaiveTime::from_hms_opt(setup.open_from_hour, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
    };
    RoomEvent::RoomAdded {
        room_id: Uuid::from_u128(1),
        establishment_id: Uuid::from_u128(2),
        details: RoomDetails {
            name: "Salle".into(),
            kind: RoomKind::Multipurpose,
            capacity: setup.capacity,
            area_m2: None,
            equipment: vec![],
            step_free: false,
            approval: if setup.automatic { ApprovalMode::Automatic } else { ApprovalMode::Manual },
            hourly_rate_cents: setup.room_rate,
            description: String::new(),
        },
        opening: OpeningRules {
            school_weeks: (1..=7).map(window).collect(),
            school_holidays: (1..=7).map(window).collect(),
            open_on_public_holidays: true,
        },
        constraints: BookingConstraints {
            buffer_minutes: setup.buffer_minutes,
            min_duration_minutes: setup.min_duration_minutes,
            min_notice_hours: 24,
            ..Default::default()
        },
        added_at: start_time(),
    }
}

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap()
}

/// Runs the operations, returning the state decided step by step and every event.
fn run(
    setup: &RoomSetup,
    ops: &[Op],
    calendar: &Arc<Calendar>,
) -> (Room, Vec<RoomEvent>, HashMap<Uuid, Money>) {
    let first = added(setup);
    let mut room = Room::default().evolve(&first);
    let mut events = vec![first];
    let mut now = start_time();
    let mut ids: Vec<Uuid> = Vec::new();
    let mut requested_prices = HashMap::new();
    let tariff = salle::domain::tariff::TariffVersion {
        version: 1,
        hourly_rates_cents: RequesterCategory::ALL.into_iter().zip([900, 1500, 0, 4000]).collect(),
        flat_fees: vec![FlatFee { label: "Ménage".into(), amount_cents: setup.fee_cents }],
    };
    let pick = |ids: &Vec<Uuid>, i: usize| ids.get(i % ids.len().max(1)).copied().unwrap_or(Uuid::nil());
    // Half the time aim at a booking in the status the command expects, so
    // that long lifecycles (paid, completed, settled) are reached often.
    let aim = |room: &Room, ids: &Vec<Uuid>, i: usize, status: salle::domain::booking::BookingStatus| {
        let candidates: Vec<Uuid> =
            room.bookings.values().filter(|b| b.status == status).map(|b| b.id).collect();
        if i.is_multiple_of(2) && !candidates.is_empty() {
            candidates[(i / 2) % candidates.len()]
        } else {
            pick(ids, i)
        }
    };
    use salle::domain::booking::BookingStatus as S;
    for op in ops {
        let command = match op.clone() {
            Op::Request { day, start_quarter, quarters, attendees, category } => {
                let start = start_time()
                    + Duration::days(day)
                    + Duration::hours(8)
                    + Duration::minutes(start_quarter * 15);
                let booking_id = Uuid::now_v7();
                ids.push(booking_id);
                RoomCommand::RequestBooking {
                    request: BookingRequest {
                        booking_id,
                        association_id: Uuid::from_u128(9),
                        category: RequesterCategory::ALL[category],
                        start,
                        end: start + Duration::minutes(quarters * 15),
                        attendees,
                        purpose: "Réunion".into(),
                    },
                    context: RequestContext {
                        now,
                        establishment_active: true,
                        accepts_payments: true,
                        tariff: Some(tariff.clone()),
                        calendar: calendar.clone(),
                        requester: salle::domain::association::Standing::VERIFIED,
                    },
                }
            }
            Op::Approve(i) => {
                RoomCommand::Approve { booking_id: aim(&room, &ids, i, S::Requested), by: Uuid::nil(), now }
            }
            Op::Reject(i) => {
                RoomCommand::Reject { booking_id: pick(&ids, i), by: Uuid::nil(), reason: "Non".into(), now }
            }
            Op::Pay(i) => {
                let booking_id = aim(&room, &ids, i, S::Approved);
                let amount = room.bookings.get(&booking_id).map_or(Money::ZERO, |b| b.price);
                RoomCommand::RecordPayment { booking_id, amount, payment_ref: "pi".into(), now }
            }
            Op::Cancel(i, manager) => RoomCommand::Cancel {
                booking_id: pick(&ids, i),
                by: if manager { CancelledBy::Manager } else { CancelledBy::Association },
                actor: Uuid::nil(),
                reason: String::new(),
                policy: CancellationPolicy::default(),
                now,
            },
            Op::Expire(i) => RoomCommand::Expire { booking_id: pick(&ids, i), now },
            Op::Complete(i) => RoomCommand::Complete { booking_id: aim(&room, &ids, i, S::Paid), now },
            Op::Settle(i) => RoomCommand::Settle {
                booking_id: aim(&room, &ids, i, S::Completed),
                transfer_ref: "tr".into(),
                now,
            },
            Op::Advance(hours) => {
                now += Duration::hours(hours);
                continue;
            }
        };
        if let Ok(decided) = room::decide(&room, command) {
            for e in decided {
                if let RoomEvent::BookingRequested { booking_id, price, .. } = &e {
                    requested_prices.insert(*booking_id, *price);
                }
                room = room.evolve(&e);
                events.push(e);
            }
        }
    }
    (room, events, requested_prices)
}

/// Each event through the store's envelope and back, as a reader sees it.
fn through_the_envelope(events: &[RoomEvent]) -> Vec<RoomEvent> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let new = e.to_new_event(&Metadata::default()).unwrap();
            let recorded = RecordedEvent {
                global_position: i as i64 + 1,
                transaction_id: 0,
                stream_id: StreamId::parse("room-1").unwrap(),
                stream_version: i as u64 + 1,
                event_id: new.event_id,
                event_type: new.event_type,
                schema_version: new.schema_version,
                payload: serde_json::value::RawValue::from_string(new.payload.to_string()).unwrap(),
                metadata: new.metadata,
                recorded_at: Utc::now(),
            };
            RoomEvent::from_recorded(&recorded).unwrap()
        })
        .collect()
}

/// Valid booking rules, anywhere within their bounds.
fn rules() -> impl Strategy<Value = BookingConstraints> {
    (
        0..=200u32,
        1..=730u32,
        prop_oneof![Just(15u32), Just(30), Just(60)],
        60..=720u32,
        0..=16u32,
        1..=720u32,
        1..=720u32,
    )
        .prop_map(|(notice, horizon, min, max, buffer, decision, payment)| BookingConstraints {
            min_notice_hours: notice,
            horizon_days: horizon,
            min_duration_minutes: min,
            max_duration_minutes: max.max(min),
            buffer_minutes: buffer * 15,
            decision_hold_hours: decision,
            payment_hold_hours: payment,
        })
        .prop_filter("a notice within the horizon", |r| r.min_notice_hours < r.horizon_days * 24)
}

/// A request of `minutes` from `start`, as a verified association makes it.
fn asked(start: DateTime<Utc>, minutes: i64, calendar: &Arc<Calendar>) -> RoomCommand {
    RoomCommand::RequestBooking {
        request: BookingRequest {
            booking_id: Uuid::now_v7(),
            association_id: Uuid::from_u128(9),
            category: RequesterCategory::LocalAssociation,
            start,
            end: start + Duration::minutes(minutes),
            attendees: 1,
            purpose: "Réunion".into(),
        },
        context: RequestContext {
            now: start_time(),
            establishment_active: true,
            accepts_payments: true,
            tariff: None,
            calendar: calendar.clone(),
            requester: salle::domain::association::Standing::VERIFIED,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn changing_the_rules_never_alters_a_booking_and_binds_every_new_request(setup in room_setup(), ops in prop::collection::vec(op(), 1..40), rules in rules()) {
        let calendar = Arc::new(Calendar::isere().unwrap());
        let (room, _, _) = run(&setup, &ops, &calendar);
        let changed = room::decide(&room, RoomCommand::SetConstraints { constraints: rules }).unwrap();
        let after = changed.iter().fold(room.clone(), |r, e| r.evolve(e));
        prop_assert_eq!(&after.bookings, &room.bookings, "every booking stays as it was made");
        prop_assert_eq!(after.constraints, rules);
        let long = room::decide(&after, asked(start_time() + Duration::days(1), rules.max_duration_minutes as i64 + 15, &calendar));
        prop_assert_eq!(long.unwrap_err().code, "too_long");
        if rules.min_notice_hours > 0 {
            let soon = start_time() + Duration::hours(rules.min_notice_hours as i64) - Duration::minutes(30);
            let refused = room::decide(&after, asked(soon, rules.min_duration_minutes as i64, &calendar));
            prop_assert_eq!(refused.unwrap_err().code, "short_notice");
        }
        let far = start_time() + Duration::days(rules.horizon_days as i64 + 1);
        let refused = room::decide(&after, asked(far, rules.min_duration_minutes as i64, &calendar));
        prop_assert_eq!(refused.unwrap_err().code, "beyond_horizon");
    }

    #[test]
    fn random_commands_never_leave_two_overlapping_active_bookings(setup in room_setup(), ops in prop::collection::vec(op(), 1..60)) {
        let calendar = Arc::new(Calendar::isere().unwrap());
        let (room, _, _) = run(&setup, &ops, &calendar);
        let active: Vec<_> = room.active_bookings().collect();
        for (i, a) in active.iter().enumerate() {
            for b in &active[i + 1..] {
                prop_assert!(!a.slot.overlaps(&b.slot, setup.buffer_minutes), "{:?} overlaps {:?}", a.slot, b.slot);
            }
            prop_assert!(a.attendees <= setup.capacity);
        }
    }

    #[test]
    fn the_state_rebuilt_from_stored_events_equals_the_state_decided(setup in room_setup(), ops in prop::collection::vec(op(), 1..60)) {
        let calendar = Arc::new(Calendar::isere().unwrap());
        let (decided, events, _) = run(&setup, &ops, &calendar);
        prop_assert_eq!(Room::fold(&through_the_envelope(&events)), decided);
    }

    #[test]
    fn prices_are_never_negative_and_never_change_after_the_request(setup in room_setup(), ops in prop::collection::vec(op(), 1..60)) {
        let calendar = Arc::new(Calendar::isere().unwrap());
        let (room, events, requested) = run(&setup, &ops, &calendar);
        for (id, price) in &requested {
            prop_assert!(price.amount_cents >= 0);
            prop_assert_eq!(room.bookings[id].price, *price);
        }
        for e in &events {
            match e {
                RoomEvent::BookingPaid { amount, booking_id, .. } => prop_assert_eq!(*amount, requested[booking_id]),
                RoomEvent::BookingCancelled { refund, booking_id, .. } => {
                    prop_assert!(refund.amount_cents >= 0 && refund.amount_cents <= requested[booking_id].amount_cents);
                }
                RoomEvent::BookingSettled { amount, booking_id, .. } => prop_assert_eq!(*amount, requested[booking_id]),
                _ => {}
            }
        }
    }
}

/// The properties above would hold vacuously if the generated commands were
/// all refused: check that random runs reach every kind of booking event.
#[test]
fn random_runs_reach_every_booking_transition() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let calendar = Arc::new(Calendar::isere().unwrap());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut most_active = 0;
    for _ in 0..300 {
        let setup = room_setup().new_tree(&mut runner).unwrap().current();
        let ops = prop::collection::vec(op(), 1..60).new_tree(&mut runner).unwrap().current();
        let (room, events, _) = run(&setup, &ops, &calendar);
        most_active = most_active.max(room.active_bookings().count());
        seen.extend(events.iter().map(|e| e.event_type()));
    }
    for expected in [
        "BookingRequested",
        "BookingApproved",
        "BookingRejected",
        "BookingPaid",
        "BookingCancelled",
        "BookingExpired",
        "BookingCompleted",
        "BookingSettled",
    ] {
        assert!(seen.contains(expected), "no run produced {expected}: {seen:?}");
    }
    assert!(most_active >= 3, "runs keep several bookings active at once ({most_active})");
}
