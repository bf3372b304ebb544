//! The projection runner and the `bookings` read model, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::sync::atomic::{AtomicBool, Ordering};

use salle::commands::Commands;
use salle::domain::room::{BookingRequest, RoomCommand};
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::room::{BookingStatus, CancelledBy};
use salle_events::{Metadata, RecordedEvent, StoreTx};
use salle_projections::bookings::{self, Bookings};
use salle_projections::{Projection, ProjectionError, Runner};
use support::TestDb;
use support::world::{Tariff, at, commands, establishment_with_room, now};
use uuid::Uuid;

/// A room with three bookings: one requested, one approved, one cancelled.
async fn some_bookings(commands: &Commands) -> (Uuid, Uuid, Vec<Uuid>) {
    let meta = Metadata::default();
    let (establishment_id, room_id) = establishment_with_room(commands, Tariff::Establishment(1000), 0).await;
    let mut ids = Vec::new();
    for day in ["2026-12-08", "2026-12-09", "2026-12-10"] {
        let request = BookingRequest {
            booking_id: Uuid::now_v7(),
            association_id: Uuid::from_u128(42),
            category: RequesterCategory::LocalAssociation,
            start: at(day, "18:00"),
            end: at(day, "20:00"),
            attendees: 30,
            purpose: "Basket".into(),
        };
        ids.push(request.booking_id);
        commands
            .request_booking(room_id, request, salle::domain::association::Standing::VERIFIED, now(), &meta)
            .await
            .unwrap();
    }
    commands
        .on_room(room_id, &meta, || RoomCommand::Approve { booking_id: ids[1], by: Uuid::nil(), now: now() })
        .await
        .unwrap();
    let cancellation = salle::commands::rooms::Cancellation {
        booking_id: ids[2],
        by: CancelledBy::Association,
        actor: Uuid::from_u128(42),
        reason: "Match annulé".into(),
    };
    commands.cancel_booking(room_id, cancellation, now(), &meta).await.unwrap();
    (establishment_id, room_id, ids)
}

/// The events `some_bookings` appends.
const EVENTS: u64 = 8;

/// Waits until the cluster-wide watermark lets every committed event be read
/// (another test's transaction can hold it back for a moment on PostgreSQL).
async fn visible(store: &salle_events::Store) {
    assert!(support::all_visible(store).await >= EVENTS);
}

on_both_backends!(
    the_bookings_read_model_follows_every_booking,
    two_rebuilds_give_identical_read_models,
    a_failed_batch_applies_nothing_and_the_retry_applies_once,
    two_runners_at_once_apply_every_event_once,
    the_lag_counts_events_not_yet_applied,
);

async fn the_bookings_read_model_follows_every_booking(db: TestDb) {
    let commands = commands(db.store().await);
    let (establishment_id, room_id, ids) = some_bookings(&commands).await;
    visible(&commands.store).await;
    let runner = Runner::new(commands.store.clone(), Bookings);
    assert!(runner.catch_up().await.unwrap() > 0);
    let rows = bookings::all(&commands.store).await.unwrap();
    assert_eq!(rows.len(), 3);
    let status = |id| rows.iter().find(|r| r.booking_id == id).unwrap().status;
    assert_eq!(
        (status(ids[0]), status(ids[1]), status(ids[2])),
        (BookingStatus::Requested, BookingStatus::Approved, BookingStatus::Cancelled)
    );
    let one = bookings::by_id(&commands.store, ids[0]).await.unwrap().unwrap();
    assert_eq!((one.room_id, one.establishment_id, one.price_cents), (room_id, establishment_id, 2000));
    assert_eq!(one.start_at, at("2026-12-08", "18:00"));
    // Filtered lists and their counts agree (the managers' pending badge counts).
    let filters = [
        bookings::Filter { establishments: Some(vec![establishment_id]), ..Default::default() },
        bookings::Filter {
            establishments: Some(vec![establishment_id]),
            status: Some(BookingStatus::Requested),
            ..Default::default()
        },
        bookings::Filter { establishments: Some(vec![]), ..Default::default() },
        bookings::Filter { status: Some(BookingStatus::Cancelled), ..Default::default() },
    ];
    for (filter, expected) in filters.iter().zip([3, 1, 0, 1]) {
        let listed = bookings::list(&commands.store, filter, 100).await.unwrap();
        assert_eq!(listed.len(), expected, "{filter:?}");
        assert_eq!(bookings::count(&commands.store, filter).await.unwrap(), expected as i64, "{filter:?}");
    }
    assert_eq!(runner.catch_up().await.unwrap(), 0, "nothing is applied twice");
}

async fn two_rebuilds_give_identical_read_models(db: TestDb) {
    let commands = commands(db.store().await);
    some_bookings(&commands).await;
    visible(&commands.store).await;
    let runner = Runner::new(commands.store.clone(), Bookings);
    runner.catch_up().await.unwrap();
    let followed = bookings::all(&commands.store).await.unwrap();
    let (first, _) = runner.rebuild(|_, _| {}).await.unwrap();
    let once = bookings::all(&commands.store).await.unwrap();
    let (second, _) = runner.rebuild(|_, _| {}).await.unwrap();
    let twice = bookings::all(&commands.store).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(once, twice);
    assert_eq!(once, followed, "a rebuild gives what following live gave");
}

/// Applies like `Bookings` but fails once, after writing its rows, before the commit.
struct FailsOnce {
    failed: AtomicBool,
}

impl Projection for FailsOnce {
    fn name(&self) -> &'static str {
        bookings::NAME
    }

    async fn apply(&self, tx: &mut StoreTx, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        Bookings.apply(tx, events).await?;
        if !self.failed.swap(true, Ordering::SeqCst) {
            return Err(ProjectionError::CheckpointMoved("simulated crash"));
        }
        Ok(())
    }

    async fn reset(&self, tx: &mut StoreTx) -> Result<(), ProjectionError> {
        Bookings.reset(tx).await
    }
}

async fn a_failed_batch_applies_nothing_and_the_retry_applies_once(db: TestDb) {
    let commands = commands(db.store().await);
    some_bookings(&commands).await;
    visible(&commands.store).await;
    let flaky = Runner::new(commands.store.clone(), FailsOnce { failed: AtomicBool::new(false) });
    assert!(flaky.step().await.is_err());
    assert!(
        bookings::all(&commands.store).await.unwrap().is_empty(),
        "rows and checkpoint rolled back together"
    );
    flaky.catch_up().await.unwrap();
    assert_eq!(bookings::all(&commands.store).await.unwrap().len(), 3);
}

async fn two_runners_at_once_apply_every_event_once(db: TestDb) {
    let commands = commands(db.store().await);
    some_bookings(&commands).await;
    visible(&commands.store).await;
    // On SQLite both run (no lock); on PostgreSQL one stands by. Either way the
    // checkpoint's compare-and-set keeps any batch from being applied twice.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let a = tokio::spawn(Runner::new(commands.store.clone(), Bookings).run(stopped.clone()));
    let b = tokio::spawn(Runner::new(commands.store.clone(), Bookings).run(stopped));
    let runner = Runner::new(commands.store.clone(), Bookings);
    for _ in 0..500 {
        if runner.lag().await.unwrap().events_behind == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    stop.send(true).unwrap();
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(runner.lag().await.unwrap().events_behind, 0);
    let rows = bookings::all(&commands.store).await.unwrap();
    assert_eq!(rows.len(), 3);
}

async fn the_lag_counts_events_not_yet_applied(db: TestDb) {
    let commands = commands(db.store().await);
    some_bookings(&commands).await;
    visible(&commands.store).await;
    let runner = Runner::new(commands.store.clone(), Bookings);
    let behind = runner.lag().await.unwrap();
    let total = commands.store.count_after(salle_events::LogPosition::START).await.unwrap();
    assert_eq!(behind.events_behind, total);
    assert!(behind.seconds_behind >= 0.0);
    runner.catch_up().await.unwrap();
    let caught_up = runner.lag().await.unwrap();
    assert_eq!((caught_up.events_behind, caught_up.seconds_behind), (0, 0.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_process_holds_a_projection_lock_on_postgres() {
    let db = TestDb::new(support::Backend::Postgres).await;
    let a = db.store().await;
    let b = db.store().await;
    let held = a.try_lock("bookings").await.unwrap().expect("the first process gets the lock");
    assert!(b.try_lock("bookings").await.unwrap().is_none(), "the second stands by");
    assert!(b.try_lock("ledger").await.unwrap().is_some(), "other projections are independent");
    held.release().await;
    assert!(b.try_lock("bookings").await.unwrap().is_some(), "released when the holder stops");
}

on_both_backends!(
    the_availability_calendar_shows_free_held_and_booked_time,
    two_availability_rebuilds_are_identical
);

async fn the_availability_calendar_shows_free_held_and_booked_time(db: TestDb) {
    use salle_projections::availability::{Availability, Status, room_calendar};
    let commands = commands(db.store().await);
    let (_, room_id, _) = some_bookings(&commands).await;
    visible(&commands.store).await;
    Runner::new(commands.store.clone(), Availability).catch_up().await.unwrap();
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let calendar =
        room_calendar(&commands.store, &commands.calendar, room_id, day("2026-12-08"), day("2026-12-10"))
            .await
            .unwrap()
            .expect("the room is known");
    let got: Vec<_> = calendar.iter().map(|i| (i.start, i.end, i.status)).collect();
    assert_eq!(
        got,
        vec![
            (at("2026-12-08", "18:00"), at("2026-12-08", "20:00"), Status::Held),
            (at("2026-12-08", "20:00"), at("2026-12-08", "22:00"), Status::Free),
            (at("2026-12-09", "18:00"), at("2026-12-09", "20:00"), Status::Booked),
            (at("2026-12-09", "20:00"), at("2026-12-09", "22:00"), Status::Free),
            (at("2026-12-10", "18:00"), at("2026-12-10", "22:00"), Status::Free),
        ],
        "requested is held, approved is booked, cancelled is free again"
    );
    let unknown = room_calendar(
        &commands.store,
        &commands.calendar,
        Uuid::now_v7(),
        day("2026-12-08"),
        day("2026-12-08"),
    );
    assert!(unknown.await.unwrap().is_none());
    let too_long =
        room_calendar(&commands.store, &commands.calendar, room_id, day("2026-12-01"), day("2027-03-01"));
    assert!(too_long.await.is_err());
}

async fn two_availability_rebuilds_are_identical(db: TestDb) {
    use salle_projections::availability::{Availability, room_calendar};
    let commands = commands(db.store().await);
    let (_, room_id, _) = some_bookings(&commands).await;
    visible(&commands.store).await;
    let runner = Runner::new(commands.store.clone(), Availability);
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let read =
        || room_calendar(&commands.store, &commands.calendar, room_id, day("2026-12-01"), day("2026-12-31"));
    runner.catch_up().await.unwrap();
    let followed = read().await.unwrap();
    runner.rebuild(|_, _| {}).await.unwrap();
    let once = read().await.unwrap();
    runner.rebuild(|_, _| {}).await.unwrap();
    assert_eq!(read().await.unwrap(), once);
    assert_eq!(once, followed);
}

on_both_backends!(the_ledger_follows_the_money_and_every_transaction_balances);

async fn the_ledger_follows_the_money_and_every_transaction_balances(db: TestDb) {
    use salle_events::catalog::Money;
    use salle_projections::ledger::{self, Ledger, accounts};
    let commands = commands(db.store().await);
    let meta = Metadata::default();
    let (establishment_id, room_id) =
        establishment_with_room(&commands, Tariff::Establishment(1000), 0).await;
    let request = |day: &str| BookingRequest {
        booking_id: Uuid::now_v7(),
        association_id: Uuid::from_u128(42),
        category: RequesterCategory::LocalAssociation,
        start: at(day, "18:00"),
        end: at(day, "20:00"),
        attendees: 20,
        purpose: "Danse".into(),
    };
    let (a, b) = (request("2026-12-08"), request("2026-12-09"));
    let (a_id, b_id) = (a.booking_id, b.booking_id);
    for (r, id) in [(a, a_id), (b, b_id)] {
        commands
            .request_booking(room_id, r, salle::domain::association::Standing::VERIFIED, now(), &meta)
            .await
            .unwrap();
        commands
            .on_room(room_id, &meta, || RoomCommand::Approve { booking_id: id, by: Uuid::nil(), now: now() })
            .await
            .unwrap();
        let pay = || RoomCommand::RecordPayment {
            booking_id: id,
            amount: Money::eur(2000),
            payment_ref: format!("pi_{id}"),
            now: now(),
        };
        commands.on_room(room_id, &meta, pay).await.unwrap();
    }
    commands
        .on_room(room_id, &meta, || RoomCommand::Complete {
            booking_id: a_id,
            now: at("2026-12-08", "20:00"),
        })
        .await
        .unwrap();
    commands
        .on_room(room_id, &meta, || RoomCommand::Settle {
            booking_id: a_id,
            transfer_ref: "tr_1".into(),
            now: at("2026-12-09", "03:00"),
        })
        .await
        .unwrap();
    let late = salle::commands::rooms::Cancellation {
        booking_id: b_id,
        by: CancelledBy::Association,
        actor: Uuid::from_u128(42),
        reason: String::new(),
    };
    commands.cancel_booking(room_id, late, at("2026-12-06", "18:00"), &meta).await.unwrap();

    support::all_visible(&commands.store).await;
    let runner = Runner::new(commands.store.clone(), Ledger);
    runner.catch_up().await.unwrap();
    let (from, to) = (at("2026-01-01", "00:00"), at("2027-01-01", "00:00"));
    let lines = ledger::lines(&commands.store, establishment_id, from, to).await.unwrap();
    // Two payments, one completion, one settlement (2 lines each), one late cancellation (3 lines).
    assert_eq!(lines.len(), 2 * 4 + 3, "{lines:#?}");
    let mut per_event: std::collections::BTreeMap<Uuid, i64> = Default::default();
    for line in &lines {
        *per_event.entry(line.event_id).or_default() += line.debit_cents - line.credit_cents;
        assert!(line.booking_id == Some(a_id) || line.booking_id == Some(b_id));
    }
    assert!(per_event.values().all(|sum| *sum == 0), "every transaction balances");
    let balances = ledger::balances(&lines);
    let balance = |account: &str| balances.get(account).copied().unwrap_or(0);
    assert_eq!(balance(accounts::BANK), 2000, "booking A reached the establishment's bank");
    assert_eq!(balance(accounts::ROOM_HIRE), -2000, "booking A's hire is earned");
    assert_eq!(balance(accounts::CANCELLATION_FEES), -1000, "half of booking B stays as fees");
    assert_eq!(balance(accounts::ADVANCES), 0, "no advance is left once both bookings ended");
    assert_eq!(balance(accounts::PROVIDER), 2000, "the refund is not paid yet: it sits with the provider");
    assert_eq!(balance(accounts::REFUNDS_DUE), -1000, "half of booking B is owed back");
    assert_eq!(balances.values().sum::<i64>(), 0);
    // Rebuilt from zero, the ledger is the same.
    runner.rebuild(|_, _| {}).await.unwrap();
    assert_eq!(ledger::lines(&commands.store, establishment_id, from, to).await.unwrap(), lines);
    // Another establishment sees none of it.
    assert!(ledger::lines(&commands.store, Uuid::now_v7(), from, to).await.unwrap().is_empty());
}

on_both_backends!(a_handler_can_wait_for_its_own_write, the_establishment_calendar_has_every_room);

async fn a_handler_can_wait_for_its_own_write(db: TestDb) {
    use salle_projections::runner::wait_until;
    let commands = commands(db.store().await);
    let (_, room_id, _) = some_bookings(&commands).await;
    let request = BookingRequest {
        booking_id: Uuid::now_v7(),
        association_id: Uuid::from_u128(42),
        category: RequesterCategory::LocalAssociation,
        start: at("2026-12-15", "18:00"),
        end: at("2026-12-15", "19:00"),
        attendees: 5,
        purpose: "Réunion".into(),
    };
    let booking_id = request.booking_id;
    let written = commands
        .request_booking(
            room_id,
            request,
            salle::domain::association::Standing::VERIFIED,
            now(),
            &Metadata::default(),
        )
        .await
        .unwrap();
    let short = std::time::Duration::from_millis(100);
    assert!(
        !wait_until(&commands.store, bookings::NAME, written.append.log_position, short).await.unwrap(),
        "no runner yet"
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(Runner::new(commands.store.clone(), Bookings).run(stopped));
    let reached = wait_until(
        &commands.store,
        bookings::NAME,
        written.append.log_position,
        std::time::Duration::from_secs(5),
    );
    assert!(reached.await.unwrap());
    assert!(bookings::by_id(&commands.store, booking_id).await.unwrap().is_some(), "the write is readable");
    stop.send(true).unwrap();
    runner.await.unwrap();
}

async fn the_establishment_calendar_has_every_room(db: TestDb) {
    use salle_projections::availability::{Availability, establishment_calendar};
    let commands = commands(db.store().await);
    let (establishment_id, room_id, _) = some_bookings(&commands).await;
    visible(&commands.store).await;
    Runner::new(commands.store.clone(), Availability).catch_up().await.unwrap();
    let day = "2026-12-08".parse().unwrap();
    let calendars = establishment_calendar(&commands.store, &commands.calendar, establishment_id, day, day)
        .await
        .unwrap();
    assert_eq!(calendars.len(), 1);
    assert_eq!(calendars[0].0, room_id);
    assert_eq!(calendars[0].1.len(), 2, "held then free");
    assert!(
        establishment_calendar(&commands.store, &commands.calendar, Uuid::now_v7(), day, day)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Seeds the demo and a few paid, completed, settled and cancelled bookings.
async fn a_busy_log(commands: &Commands) -> u64 {
    use salle_events::catalog::Money;
    let meta = Metadata::default();
    salle::seed::demo(commands, now()).await.unwrap();
    let (_, room_id) = establishment_with_room(commands, Tariff::Establishment(1500), 0).await;
    for (i, day) in ["2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14", "2026-12-15"]
        .iter()
        .enumerate()
    {
        let request = BookingRequest {
            booking_id: Uuid::now_v7(),
            association_id: Uuid::from_u128(42),
            category: RequesterCategory::LocalAssociation,
            start: at(day, "18:00"),
            end: at(day, "20:00"),
            attendees: 10,
            purpose: "Atelier".into(),
        };
        let id = request.booking_id;
        commands
            .request_booking(room_id, request, salle::domain::association::Standing::VERIFIED, now(), &meta)
            .await
            .unwrap();
        commands
            .on_room(room_id, &meta, || RoomCommand::Approve { booking_id: id, by: Uuid::nil(), now: now() })
            .await
            .unwrap();
        let pay = || RoomCommand::RecordPayment {
            booking_id: id,
            amount: Money::eur(3000),
            payment_ref: format!("pi_{i}"),
            now: now(),
        };
        commands.on_room(room_id, &meta, pay).await.unwrap();
        if i % 2 == 0 {
            commands
                .on_room(room_id, &meta, || RoomCommand::Complete {
                    booking_id: id,
                    now: at("2026-12-16", "00:00"),
                })
                .await
                .unwrap();
            let settle = || RoomCommand::Settle {
                booking_id: id,
                transfer_ref: format!("tr_{i}"),
                now: at("2026-12-17", "00:00"),
            };
            commands.on_room(room_id, &meta, settle).await.unwrap();
        } else {
            let c = salle::commands::rooms::Cancellation {
                booking_id: id,
                by: CancelledBy::Association,
                actor: Uuid::nil(),
                reason: String::new(),
            };
            commands.cancel_booking(room_id, c, at("2026-12-05", "18:00"), &meta).await.unwrap();
        }
    }
    support::all_visible(&commands.store).await
}

/// Every row of the three read models, as text, in a stable order.
async fn read_models(store: &salle_events::Store) -> String {
    use salle_projections::ledger;
    let mut text = format!("{:?}", bookings::all(store).await.unwrap());
    let (from, to) = (at("2000-01-01", "00:00"), at("2100-01-01", "00:00"));
    let mut establishments: Vec<Uuid> =
        bookings::all(store).await.unwrap().iter().map(|b| b.establishment_id).collect();
    establishments.sort();
    establishments.dedup();
    for e in establishments {
        text.push_str(&format!("{:?}", ledger::lines(store, e, from, to).await.unwrap()));
    }
    text
}

on_both_backends!(runners_interrupted_at_a_hundred_random_points_end_as_a_clean_rebuild);

async fn runners_interrupted_at_a_hundred_random_points_end_as_a_clean_rebuild(db: TestDb) {
    use rand::RngExt;
    use salle_projections::availability::Availability;
    use salle_projections::ledger::Ledger;
    let commands = commands(db.store().await);
    let events = a_busy_log(&commands).await;
    assert!(events > 300, "{events} events");
    for _ in 0..100 {
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let store = commands.store.clone();
        let tasks = [
            tokio::spawn(Runner::new(store.clone(), Bookings).with_batch(7).run(stopped.clone())),
            tokio::spawn(Runner::new(store.clone(), Ledger).with_batch(5).run(stopped.clone())),
            tokio::spawn(Runner::new(store, Availability).with_batch(11).run(stopped)),
        ];
        let pause = rand::rng().random_range(0..4000u64);
        tokio::time::sleep(std::time::Duration::from_micros(pause)).await;
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }
    // An aborted runner's last commit may still be landing: a batch that
    // finds its checkpoint moved is simply read again.
    async fn settle<P: salle_projections::Projection>(runner: Runner<P>) {
        for _ in 0..100 {
            match runner.catch_up().await {
                Ok(_) => return,
                Err(salle_projections::ProjectionError::CheckpointMoved(_)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await
                }
                Err(e) => panic!("{e}"),
            }
        }
        panic!("the checkpoint kept moving");
    }
    settle(Runner::new(commands.store.clone(), Bookings)).await;
    settle(Runner::new(commands.store.clone(), Ledger)).await;
    settle(Runner::new(commands.store.clone(), Availability)).await;
    let interrupted = read_models(&commands.store).await;
    Runner::new(commands.store.clone(), Bookings).rebuild(|_, _| {}).await.unwrap();
    Runner::new(commands.store.clone(), Ledger).rebuild(|_, _| {}).await.unwrap();
    let rebuilt = read_models(&commands.store).await;
    assert!(interrupted.contains("708300"), "the ledger has revenue lines");
    assert_eq!(interrupted, rebuilt, "no line lost or doubled by the interruptions");
    Runner::new(commands.store.clone(), Bookings).rebuild(|_, _| {}).await.unwrap();
    Runner::new(commands.store.clone(), Ledger).rebuild(|_, _| {}).await.unwrap();
    assert_eq!(read_models(&commands.store).await, rebuilt, "two rebuilds are identical");
}
