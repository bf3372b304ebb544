//! The booking rules through the real store, on SQLite and PostgreSQL: the
//! room's stream is what makes double booking impossible under concurrency.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use salle::commands::personal_data::{self, Contact};
use salle::commands::{CommandError, Commands};
use salle::domain::Aggregate;
use salle::domain::ErrorKind;
use salle::domain::room::{BookingRequest, Room, RoomCommand};
use salle::domain::tariff::PublishTariff;
use salle_events::catalog::Money;
use salle_events::catalog::association::{LegalIdentifier, RequesterCategory};
use salle_events::{EventStore, LogPosition, Metadata};
use support::TestDb;
use support::world::{Tariff, at, commands, establishment_with_room, now};
use uuid::Uuid;

/// The world of these tests: the département's grid at 12 € an hour and a
/// 15-minute buffer between bookings.
async fn a_room(commands: &Commands) -> (Uuid, Uuid) {
    establishment_with_room(commands, Tariff::Departement(1200), 15).await
}

on_both_backends!(
    two_hundred_overlapping_requests_from_two_processes_leave_one_active_booking,
    the_state_rebuilt_from_the_store_equals_the_state_decided,
    erasing_a_contact_leaves_every_event_intact,
    what_people_write_stays_out_of_the_log_and_is_erased_with_every_event_intact,
    an_establishment_without_its_own_grid_uses_the_departement_default,
);

async fn two_hundred_overlapping_requests_from_two_processes_leave_one_active_booking(db: TestDb) {
    // Two store handles with their own pools stand for two processes.
    let first = commands(
        db.store_with(salle_events::StoreOptions { max_connections: 12, ..Default::default() }).await,
    );
    let second = commands(
        db.store_with(salle_events::StoreOptions { max_connections: 12, ..Default::default() }).await,
    );
    let (_, room_id) = a_room(&first).await;
    let barrier = Arc::new(tokio::sync::Barrier::new(200));
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let commands = if i % 2 == 0 { first.clone() } else { second.clone() };
            let barrier = barrier.clone();
            tokio::spawn(async move {
                // Every request overlaps every other (or falls in the 15-minute buffer).
                let start = at("2026-12-08", "18:00") + chrono::Duration::minutes((i % 8) * 15);
                let request = BookingRequest {
                    booking_id: Uuid::now_v7(),
                    association_id: Uuid::now_v7(),
                    category: RequesterCategory::LocalAssociation,
                    start,
                    end: start + chrono::Duration::hours(2),
                    attendees: 10,
                    purpose: format!("Demande {i}"),
                };
                barrier.wait().await;
                commands
                    .request_booking(
                        room_id,
                        request,
                        salle::domain::association::Standing::VERIFIED,
                        now(),
                        &Metadata::default(),
                    )
                    .await
            })
        })
        .collect();
    let (mut won, mut taken, mut conflicts) = (0, 0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(CommandError::Domain(e)) if e.kind == ErrorKind::Conflict && e.code == "slot_taken" => {
                taken += 1
            }
            Err(CommandError::Conflict(_)) => conflicts += 1,
            Err(other) => panic!("a request failed in a way that would be a 500: {other}"),
        }
    }
    assert_eq!(won, 1, "exactly one request holds the slot ({taken} taken, {conflicts} conflicts)");
    assert_eq!(won + taken + conflicts, 200);
    let room = first.room(room_id).await.unwrap();
    assert_eq!(room.active_bookings().count(), 1);
}

async fn the_state_rebuilt_from_the_store_equals_the_state_decided(db: TestDb) {
    let commands = commands(db.store().await);
    let (_, room_id) = a_room(&commands).await;
    let meta = Metadata::default();
    let mut decided = commands.room(room_id).await.unwrap();
    let request = salle::domain::room::SeriesRequest {
        series_id: Uuid::now_v7(),
        association_id: Uuid::now_v7(),
        category: RequesterCategory::OtherAssociation,
        first_day: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        last_day: NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
        start_time: NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
        end_time: NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
        attendees: 25,
        purpose: "Badminton".into(),
    };
    let executed = commands
        .request_series(room_id, request, salle::domain::association::Standing::VERIFIED, now(), &meta)
        .await
        .unwrap();
    for e in &executed.events {
        decided = decided.evolve(e);
    }
    let rebuilt = commands.room(room_id).await.unwrap();
    assert_eq!(rebuilt, decided);
    assert!(rebuilt.active_bookings().count() > 10);
    // The same through a fold of the raw stream (read by stream: reading
    // the whole log on PostgreSQL waits behind any transaction still open on
    // the server, another database's included).
    let stream = salle_events::StreamId::parse(format!("room-{room_id}")).unwrap();
    let log = commands.store.read_stream(&stream, 1, 10_000).await.unwrap();
    let room_events: Vec<_> = log
        .iter()
        .map(|e| <salle_events::RoomEvent as salle_events::DomainEvent>::from_recorded(e).unwrap())
        .collect();
    assert_eq!(Room::fold(&room_events), decided);
}

async fn erasing_a_contact_leaves_every_event_intact(db: TestDb) {
    let commands = commands(db.store().await);
    let contact =
        Contact::parse("Jeanne Martin", "jeanne.martin@chorale-voiron.fr", Some("06 12 34 56 78")).unwrap();
    let association_id = Uuid::now_v7();
    let contact_id = commands
        .register_association(
            association_id,
            "Chorale de Voiron",
            RequesterCategory::LocalAssociation,
            LegalIdentifier::Rna("W381234567".into()),
            &contact,
            now(),
            &Metadata::default(),
        )
        .await
        .unwrap();
    support::all_visible(&commands.store).await;
    let before = commands.store.read_all(LogPosition::START, 100).await.unwrap();
    let log_text = serde_json::to_string(&before).unwrap();
    assert!(
        !log_text.contains("jeanne") && !log_text.contains("06 12") && !log_text.contains("0612"),
        "{log_text}"
    );
    assert_eq!(personal_data::get(&commands.store, contact_id).await.unwrap(), Some(contact));

    assert!(personal_data::erase(&commands.store, contact_id, now()).await.unwrap());
    assert_eq!(personal_data::get(&commands.store, contact_id).await.unwrap(), None);
    assert!(
        !personal_data::erase(&commands.store, contact_id, now()).await.unwrap(),
        "nothing left to erase"
    );
    support::all_visible(&commands.store).await;
    let after = commands.store.read_all(LogPosition::START, 100).await.unwrap();
    assert_eq!(after, before, "the log is untouched");
    let association = commands.association(association_id).await.unwrap();
    assert_eq!(association.name, "Chorale de Voiron");
    assert_eq!(association.contact_id, Some(contact_id));
}

async fn an_establishment_without_its_own_grid_uses_the_departement_default(db: TestDb) {
    let commands = commands(db.store().await);
    let (establishment_id, room_id) = a_room(&commands).await;
    let request = |start: DateTime<Utc>| BookingRequest {
        booking_id: Uuid::now_v7(),
        association_id: Uuid::now_v7(),
        category: RequesterCategory::LocalAssociation,
        start,
        end: start + chrono::Duration::hours(2),
        attendees: 10,
        purpose: "Assemblée générale".into(),
    };
    let meta = Metadata::default();
    let first = commands
        .request_booking(
            room_id,
            request(at("2026-12-08", "18:00")),
            salle::domain::association::Standing::VERIFIED,
            now(),
            &meta,
        )
        .await
        .unwrap();
    assert!(
        matches!(first.events[0], salle_events::RoomEvent::BookingRequested { price, .. } if price == Money::eur(2400))
    );
    let own: BTreeMap<_, _> = RequesterCategory::ALL.into_iter().map(|c| (c, 500)).collect();
    commands
        .publish_tariff(
            Some(establishment_id),
            PublishTariff { hourly_rates_cents: own, flat_fees: vec![], by: Uuid::nil(), now: now() },
            &meta,
        )
        .await
        .unwrap();
    let second = commands
        .request_booking(
            room_id,
            request(at("2026-12-09", "18:00")),
            salle::domain::association::Standing::VERIFIED,
            now(),
            &meta,
        )
        .await
        .unwrap();
    assert!(
        matches!(second.events[0], salle_events::RoomEvent::BookingRequested { price, .. } if price == Money::eur(1000))
    );
    let room = commands.room(room_id).await.unwrap();
    let prices: Vec<Money> = room.bookings.values().map(|b| b.price).collect();
    assert!(prices.contains(&Money::eur(2400)), "the first price stays frozen: {prices:?}");
}

on_both_backends!(undecided_and_unpaid_bookings_expire_when_their_deadline_passes);

async fn undecided_and_unpaid_bookings_expire_when_their_deadline_passes(db: TestDb) {
    use salle::domain::booking::BookingStatus;
    use salle::process::expiry::ExpiryManager;
    let commands = commands(db.store().await);
    let (_, room_id) = a_room(&commands).await;
    let meta = Metadata::default();
    let request = |day: &str| BookingRequest {
        booking_id: Uuid::now_v7(),
        association_id: Uuid::now_v7(),
        category: RequesterCategory::LocalAssociation,
        start: at(day, "18:00"),
        end: at(day, "20:00"),
        attendees: 10,
        purpose: "Répétition".into(),
    };
    let undecided = request("2026-12-14");
    let unpaid = request("2026-12-15");
    let paid = request("2026-12-16");
    let (undecided_id, unpaid_id, paid_id) = (undecided.booking_id, unpaid.booking_id, paid.booking_id);
    for r in [undecided, unpaid, paid] {
        commands
            .request_booking(room_id, r, salle::domain::association::Standing::VERIFIED, now(), &meta)
            .await
            .unwrap();
    }
    for id in [unpaid_id, paid_id] {
        commands
            .on_room(room_id, &meta, || RoomCommand::Approve { booking_id: id, by: Uuid::nil(), now: now() })
            .await
            .unwrap();
    }
    commands
        .on_room(room_id, &meta, || RoomCommand::RecordPayment {
            booking_id: paid_id,
            amount: Money::eur(2400),
            payment_ref: "pi_1".into(),
            now: now(),
        })
        .await
        .unwrap();

    // A manager started after the facts rebuilds its schedule from the log.
    support::all_visible(&commands.store).await;
    let mut manager = ExpiryManager::new(commands.clone());
    assert_eq!(
        manager.tick(now() + chrono::Duration::hours(71)).await.unwrap(),
        1,
        "only the unpaid one's reminder, a day before its hold ends"
    );
    assert_eq!(manager.reminders(), 2, "each approved booking's slot, two days before it");
    assert_eq!(manager.pending(), 3, "two deadlines to expire, one slot to complete");
    assert_eq!(manager.tick(now() + chrono::Duration::hours(72)).await.unwrap(), 1, "the unpaid one");
    assert_eq!(manager.tick(now() + chrono::Duration::days(7)).await.unwrap(), 1, "the undecided one");
    assert_eq!(manager.tick(now() + chrono::Duration::days(30)).await.unwrap(), 1, "the paid one, completed");
    assert_eq!(manager.tick(now() + chrono::Duration::days(31)).await.unwrap(), 0);
    assert_eq!(
        (manager.pending(), manager.reminders()),
        (0, 0),
        "a reminder whose slot has passed is dropped"
    );
    let room = commands.room(room_id).await.unwrap();
    assert_eq!(room.bookings[&unpaid_id].status, BookingStatus::Expired);
    assert_eq!(room.bookings[&paid_id].status, BookingStatus::Completed);
    assert_eq!(room.bookings[&undecided_id].status, BookingStatus::Expired);
    support::all_visible(&commands.store).await;
    let log = commands.store.read_all(LogPosition::START, 1000).await.unwrap();
    let by_expiry: Vec<&str> = log
        .iter()
        .filter(|e| e.metadata.actor.as_deref() == Some("expiry"))
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(by_expiry, ["BookingReminded", "BookingExpired", "BookingExpired", "BookingCompleted"]);
}

async fn what_people_write_stays_out_of_the_log_and_is_erased_with_every_event_intact(db: TestDb) {
    use salle::commands::free_texts;
    use salle::domain::association::Standing;
    use salle_events::catalog::room::{CancelledBy, RoomEvent};
    let commands = commands(db.store().await);
    let (_, room_id) = a_room(&commands).await;
    let association_id = Uuid::now_v7();
    let meta = Metadata::default();
    let request = |booking_id, day: &str, purpose: &str| BookingRequest {
        booking_id,
        association_id,
        category: RequesterCategory::LocalAssociation,
        start: at(day, "18:00"),
        end: at(day, "20:00"),
        attendees: 12,
        purpose: purpose.into(),
    };
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let purpose = "Anniversaire de Camille Lefèvre, 40 ans";
    let placed = commands
        .request_booking(room_id, request(first, "2026-12-08", purpose), Standing::VERIFIED, now(), &meta)
        .await
        .unwrap();
    commands
        .request_booking(room_id, request(second, "2026-12-09", "Réunion"), Standing::VERIFIED, now(), &meta)
        .await
        .unwrap();
    commands
        .on_room(room_id, &meta, || RoomCommand::Reject {
            booking_id: second,
            by: Uuid::nil(),
            reason: "Salle réservée au conseil de M. Perrin".into(),
            now: now(),
        })
        .await
        .unwrap();
    let cancellation = salle::commands::rooms::Cancellation {
        booking_id: first,
        by: CancelledBy::Association,
        actor: Uuid::nil(),
        reason: "Camille est malade".into(),
    };
    commands.cancel_booking(room_id, cancellation, now(), &meta).await.unwrap();

    // The log holds the texts' ids, never the words; the erasable store holds the words.
    let stream = salle_events::StreamId::parse(format!("room-{room_id}")).unwrap();
    let before = commands.store.read_stream(&stream, 1, 1000).await.unwrap();
    let log_text = serde_json::to_string(&before).unwrap();
    for words in ["Camille", "Perrin", "Anniversaire", "Réunion", "malade"] {
        assert!(!log_text.contains(words), "{words} in the log: {log_text}");
    }
    let RoomEvent::BookingRequested { purpose: stored, .. } = &placed.events[0] else { panic!() };
    assert_eq!(free_texts::read(&commands.store, stored).await.unwrap().as_deref(), Some(purpose));
    let room = commands.room(room_id).await.unwrap();
    assert_eq!(
        free_texts::read(&commands.store, &room.bookings[&first].purpose).await.unwrap().as_deref(),
        Some(purpose)
    );

    // Erased at the association's request: no word left, the log byte for byte as it was.
    assert_eq!(free_texts::erase_owner(&commands.store, association_id, now()).await.unwrap(), 4);
    assert_eq!(free_texts::read(&commands.store, &room.bookings[&first].purpose).await.unwrap(), None);
    assert_eq!(commands.store.read_stream(&stream, 1, 1000).await.unwrap(), before);
    assert_eq!(free_texts::erase_owner(&commands.store, association_id, now()).await.unwrap(), 0);
    // Events recorded before texts left the log still read, their words inline.
    let old: RoomEvent = serde_json::from_value(serde_json::json!({ "type": "BookingRejected", "data": {
        "booking_id": second, "by": Uuid::nil(), "reason": "Complet", "at": now() } }))
    .unwrap();
    let RoomEvent::BookingRejected { reason, .. } = old else { panic!() };
    assert_eq!(free_texts::read(&commands.store, &reason).await.unwrap().as_deref(), Some("Complet"));
}
