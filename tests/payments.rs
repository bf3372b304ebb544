//! The money flow through the real store on SQLite and PostgreSQL, with the
//! simulated provider: request → approve → pay → complete → settle, refunds
//! before and after settlement, duplicated and shuffled webhooks, and a crash
//! between every provider call and the recording of its answer.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use chrono::{Duration, Utc};
use salle::commands::Commands;
use salle::domain::booking::BookingStatus;
use salle::domain::room::BookingRequest;
use salle::payments::{Gateway, SimulatedGateway, simulated, webhook};
use salle::process::expiry::ExpiryManager;
use salle::process::payments::PaymentProcess;
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_events::{EventStore, Metadata};
use salle_projections::ledger::accounts;
use support::TestDb;
use support::money::{SECRET, World, association, drive, run_process, world};
use support::world::{Tariff, at, commands, establishment_with_room, now};
use uuid::Uuid;

on_both_backends!(
    the_full_flow_settles_to_the_establishment_and_the_ledger_balances,
    each_webhook_delivered_one_to_five_times_concurrently_has_one_effect,
    shuffled_deliveries_converge_to_the_in_order_state,
    a_crash_after_each_provider_call_repeats_nothing_and_misses_nothing,
    a_refund_after_settlement_reverses_the_transfer_or_waits_for_funds,
    a_payment_for_an_expired_booking_is_returned_in_full,
    a_cancellation_refunds_what_the_policy_says,
    an_establishment_that_cannot_be_paid_takes_only_free_bookings,
    a_free_booking_never_touches_the_provider,
    a_payment_recorded_outside_the_provider_does_not_hold_later_payments_back,
);

/// A payment recorded on the room without a checkout (as an import or the
/// synthetic seed does) cannot be transferred by the process: the refusal is
/// logged and skipped, and the payments after it go through.
async fn a_payment_recorded_outside_the_provider_does_not_hold_later_payments_back(db: TestDb) {
    use salle::domain::room::RoomCommand;
    let w = world(&db).await;
    let process = w.process();
    let imported = w.approved_booking("2026-12-14").await;
    let record = || RoomCommand::RecordPayment {
        booking_id: imported,
        amount: Money::eur(2500),
        payment_ref: "pi_imported".into(),
        now: now(),
    };
    w.commands.on_room(w.room_id, &Metadata::default(), record).await.unwrap();
    let booking_id = w.approved_booking("2026-12-15").await;
    let payment_id = w.checkout(&process, booking_id).await;
    w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
    drive(&process).await;
    w.complete_until(at("2026-12-15", "20:00")).await;
    assert_eq!(w.status(imported).await, BookingStatus::Completed);
    drive(&process).await;
    assert_eq!(w.status(booking_id).await, BookingStatus::Settled, "the later payment went through");
    assert_eq!(w.status(imported).await, BookingStatus::Completed, "nothing could be transferred for it");
}

async fn the_full_flow_settles_to_the_establishment_and_the_ledger_balances(db: TestDb) {
    let w = world(&db).await;
    let process = w.process();
    let booking_id = w.approved_booking("2026-12-15").await;
    let payment_id = w.checkout(&process, booking_id).await;
    // Asking again while the checkout is open reuses it.
    let again = w
        .commands
        .request_checkout(w.room_id, booking_id, association(), now(), &Metadata::default())
        .await
        .unwrap();
    assert!(again.events.is_empty());

    w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
    drive(&process).await;
    assert_eq!(w.status(booking_id).await, BookingStatus::Paid);

    w.complete_until(at("2026-12-15", "20:00")).await;
    assert_eq!(w.status(booking_id).await, BookingStatus::Completed);
    drive(&process).await;
    assert_eq!(w.status(booking_id).await, BookingStatus::Settled);
    assert_eq!(w.sim.balance(&w.account()), 2500, "the establishment received the whole amount");

    let payment = w.commands.payment(booking_id).await.unwrap();
    let fee = SimulatedGateway::fee_of(Money::eur(2500)).amount_cents;
    assert_eq!(payment.transfer.as_ref().unwrap().amount, Money::eur(2500));
    let balances = w.balances().await;
    assert_eq!(balances.get(accounts::ROOM_HIRE), Some(&-2500), "{balances:?}");
    assert_eq!(balances.get(accounts::BANK), Some(&2500));
    assert_eq!(balances.get(accounts::PROVIDER), Some(&0));
    assert_eq!(balances.get(accounts::ADVANCES), Some(&0));
    assert_eq!(balances.get(accounts::PROVIDER_FEES), Some(&fee));
    assert_eq!(balances.get(accounts::FEES_BORNE), Some(&-fee));
    w.assert_money_adds_up().await;
    // One checkout, one charge, one transfer at the provider.
    let kinds: Vec<_> = w.sim.objects().iter().map(|o| o.kind).collect();
    assert_eq!(kinds, vec!["charge", "checkout", "transfer"]);
}

async fn each_webhook_delivered_one_to_five_times_concurrently_has_one_effect(db: TestDb) {
    let w = world(&db).await;
    let process = w.process();
    for copies in 1..=5 {
        // Monday 7 to Friday 11 December: school days.
        let day = format!("2026-12-{:02}", 6 + copies);
        let booking_id = w.approved_booking(&day).await;
        let payment_id = w.checkout(&process, booking_id).await;
        let delivery = w.paid_delivery(booking_id, payment_id);
        let tasks: Vec<_> = (0..copies)
            .map(|_| {
                let (commands, sim, delivery) = (w.commands.clone(), w.sim.clone(), delivery.clone());
                tokio::spawn(async move {
                    let gateway = Gateway::Simulated(sim);
                    webhook::receive(
                        &commands,
                        &gateway,
                        delivery.0.as_bytes(),
                        Some(&delivery.1),
                        Utc::now(),
                    )
                    .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        drive(&process).await;
        let stream = Commands::stream_of::<salle::domain::payment::Payment>(booking_id);
        let events = w.commands.store.read_stream(&stream, 1, 100).await.unwrap();
        let succeeded = events.iter().filter(|e| e.event_type == "PaymentSucceeded").count();
        assert_eq!(succeeded, 1, "{copies} deliveries");
        let room_stream = Commands::stream_of::<salle::domain::room::Room>(w.room_id);
        let room_log = w.commands.store.read_stream(&room_stream, 1, 1000).await.unwrap();
        let paid = room_log
            .iter()
            .filter(|e| e.event_type == "BookingPaid" && e.payload.get().contains(&booking_id.to_string()))
            .count();
        assert_eq!(paid, 1, "{copies} deliveries");
    }
    w.assert_money_adds_up().await;
}

async fn shuffled_deliveries_converge_to_the_in_order_state(db: TestDb) {
    let w = world(&db).await;
    let process = w.process();
    let booking_id = w.approved_booking("2026-12-15").await;
    let payment_id = w.checkout(&process, booking_id).await;
    // The account's status changes three times; one payment is declined then
    // paid on a second attempt's page… all delivered twice, in a scrambled order.
    // After the world's own "account ready" notice (dated `now()`).
    let t0 = now() + Duration::hours(1);
    let sign = |body: String| {
        let signature = w.sim.sign(&body, Utc::now());
        (body, signature)
    };
    let account = w.account();
    let statuses = [
        sign(
            simulated::account_updated(&account, w.establishment_id, false, t0 + Duration::seconds(1))
                .to_string(),
        ),
        sign(
            simulated::account_updated(&account, w.establishment_id, true, t0 + Duration::seconds(2))
                .to_string(),
        ),
        sign(
            simulated::account_updated(&account, w.establishment_id, false, t0 + Duration::seconds(3))
                .to_string(),
        ),
    ];
    let declined = sign(simulated::payment_failed(booking_id, payment_id, Money::eur(2500), t0).to_string());
    let paid = w.paid_delivery(booking_id, payment_id);
    let in_order = [statuses[0].clone(), statuses[1].clone(), statuses[2].clone(), paid.clone()];
    let scrambled = [
        paid.clone(),
        statuses[2].clone(),
        declined.clone(),
        statuses[0].clone(),
        paid.clone(),
        statuses[1].clone(),
        statuses[2].clone(),
        declined,
    ];
    for delivery in &scrambled {
        w.deliver(delivery).await;
    }
    drive(&process).await;
    let scrambled_state = (
        w.commands.establishment(w.establishment_id).await.unwrap().payout_ready,
        w.status(booking_id).await,
        w.commands.payment(booking_id).await.unwrap().received,
    );
    // The same deliveries in order, in a fresh world.
    let fresh = TestDb::new(db.backend).await;
    let v = world(&fresh).await;
    let process = v.process();
    let booking_v = v.approved_booking("2026-12-15").await;
    let payment_v = v.checkout(&process, booking_v).await;
    let remap = |(body, _): &(String, String)| {
        let body = body
            .replace(&booking_id.to_string(), &booking_v.to_string())
            .replace(&payment_id.to_string(), &payment_v.to_string())
            .replace(&payment_id.simple().to_string(), &payment_v.simple().to_string())
            .replace(&w.establishment_id.to_string(), &v.establishment_id.to_string())
            .replace(&w.establishment_id.simple().to_string(), &v.establishment_id.simple().to_string());
        let signature = v.sim.sign(&body, Utc::now());
        (body, signature)
    };
    for delivery in &in_order {
        v.deliver(&remap(delivery)).await;
    }
    drive(&process).await;
    let ordered_state = (
        v.commands.establishment(v.establishment_id).await.unwrap().payout_ready,
        v.status(booking_v).await,
        v.commands.payment(booking_v).await.unwrap().received,
    );
    assert_eq!(scrambled_state.0, ordered_state.0, "the newest account status wins");
    assert!(!scrambled_state.0);
    assert_eq!(scrambled_state.1, ordered_state.1);
    assert_eq!(scrambled_state.1, BookingStatus::Paid);
    assert_eq!(scrambled_state.2.values().collect::<Vec<_>>(), ordered_state.2.values().collect::<Vec<_>>());
}

/// The flow with every kind of provider call: checkout, fee, transfer, then a
/// refund after settlement with its reversal. Returns the booking.
async fn flow_with_every_call(w: &World, process: &mut PaymentProcess, crashes: &mut u32) -> Uuid {
    let booking_id = w.approved_booking("2026-12-15").await;
    w.commands
        .request_checkout(w.room_id, booking_id, association(), now(), &Metadata::default())
        .await
        .unwrap();
    survive(w, process, crashes).await;
    let payment_id = w.commands.payment(booking_id).await.unwrap().attempts[0].payment_id;
    w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
    survive(w, process, crashes).await;
    w.complete_until(at("2026-12-15", "20:00")).await;
    survive(w, process, crashes).await;
    w.commands
        .grant_refund(
            w.room_id,
            booking_id,
            Money::eur(1000),
            Uuid::nil(),
            "Chauffage en panne",
            now(),
            &Metadata::default(),
        )
        .await
        .unwrap();
    survive(w, process, crashes).await;
    booking_id
}

async fn survive(w: &World, process: &mut PaymentProcess, crashes: &mut u32) {
    run_process(process, crashes, || w.process()).await;
}

async fn a_crash_after_each_provider_call_repeats_nothing_and_misses_nothing(db: TestDb) {
    // The flow makes five provider calls: checkout, fee, transfer, refund, reversal.
    for call in 1..=5 {
        let fresh = TestDb::new(db.backend).await;
        let w = world(&fresh).await;
        let mut process = w.process();
        process.crash_after_calls(call);
        let mut crashes = 0;
        let booking_id = flow_with_every_call(&w, &mut process, &mut crashes).await;
        assert_eq!(crashes, 1, "crash at call {call}");
        assert_eq!(w.status(booking_id).await, BookingStatus::Settled, "crash at call {call}");
        let count = |kind: &str| w.sim.objects().iter().filter(|o| o.kind == kind).count();
        assert_eq!(
            (count("checkout"), count("charge"), count("transfer"), count("refund"), count("reversal")),
            (1, 1, 1, 1, 1),
            "crash at call {call}: {:?}",
            w.sim.objects()
        );
        let payment = w.commands.payment(booking_id).await.unwrap();
        assert_eq!(payment.refunded_cents(), 1000);
        assert_eq!(payment.reversed_cents(), 1000);
        let events = w
            .commands
            .store
            .read_stream(&Commands::stream_of::<salle::domain::payment::Payment>(booking_id), 1, 100)
            .await
            .unwrap();
        for kind in
            ["CheckoutOpened", "ProviderFeeRecorded", "TransferCreated", "RefundIssued", "TransferReversed"]
        {
            assert_eq!(
                events.iter().filter(|e| e.event_type == kind).count(),
                1,
                "{kind}, crash at call {call}"
            );
        }
        w.assert_money_adds_up().await;
    }
}

async fn a_refund_after_settlement_reverses_the_transfer_or_waits_for_funds(db: TestDb) {
    let w = world(&db).await;
    let process = w.process();
    let booking_id = w.approved_booking("2026-12-15").await;
    let payment_id = w.checkout(&process, booking_id).await;
    w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
    drive(&process).await;
    w.complete_until(at("2026-12-15", "20:00")).await;
    drive(&process).await;
    assert_eq!(w.status(booking_id).await, BookingStatus::Settled);

    // The establishment's account was paid out to its bank: nothing to reverse from.
    w.sim.set_balance(&w.account(), 0);
    let meta = Metadata::default();
    let refund = |amount| {
        w.commands.grant_refund(
            w.room_id,
            booking_id,
            Money::eur(amount),
            Uuid::nil(),
            "Salle non chauffée",
            now(),
            &meta,
        )
    };
    refund(1500).await.unwrap();
    drive(&process).await;
    let payment = w.commands.payment(booking_id).await.unwrap();
    assert_eq!(payment.refunded_cents(), 1500, "the association is refunded at once");
    assert_eq!(payment.pending_reversals().count(), 1, "the reversal waits");
    assert_eq!(process.followups().await.unwrap().len(), 1);
    assert_eq!(process.sweep(Utc::now()).await.unwrap(), 0, "still no funds");
    w.assert_money_adds_up().await;

    w.sim.set_balance(&w.account(), 4000);
    assert_eq!(process.sweep(Utc::now()).await.unwrap(), 1);
    let payment = w.commands.payment(booking_id).await.unwrap();
    assert_eq!(payment.reversed_cents(), 1500);
    assert!(process.followups().await.unwrap().is_empty());
    assert_eq!(w.sim.balance(&w.account()), 2500);
    // More than what is left is refused with the amount left.
    let too_much = refund(1001).await.unwrap_err();
    assert!(too_much.to_string().contains("10,00 €"), "{too_much}");
    let balances = w.balances().await;
    assert_eq!(balances.get(accounts::REFUNDS_GRANTED), Some(&1500));
    assert_eq!(balances.get(accounts::REFUNDS_DUE), Some(&0));
    w.assert_money_adds_up().await;
}

async fn a_payment_for_an_expired_booking_is_returned_in_full(db: TestDb) {
    let w = world(&db).await;
    let process = w.process();
    let booking_id = w.approved_booking("2026-12-15").await;
    let payment_id = w.checkout(&process, booking_id).await;
    // The hold passes before the association pays.
    support::all_visible(&w.commands.store).await;
    ExpiryManager::new(w.commands.clone()).tick(now() + Duration::hours(73)).await.unwrap();
    assert_eq!(w.status(booking_id).await, BookingStatus::Expired);
    w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
    drive(&process).await;
    let payment = w.commands.payment(booking_id).await.unwrap();
    assert_eq!(payment.returned.len(), 1);
    assert_eq!(payment.refunded_cents(), 2500);
    let balances = w.balances().await;
    assert_eq!(balances.get(accounts::PROVIDER), Some(&0), "{balances:?}");
    assert_eq!(balances.get(accounts::REFUNDS_DUE), Some(&0));
    assert_eq!(balances.get(accounts::ROOM_HIRE), None);
    w.assert_money_adds_up().await;
}

async fn a_cancellation_refunds_what_the_policy_says(db: TestDb) {
    let w = world(&db).await;
    let process = w.process();
    // Two weeks ahead: a full refund; three days ahead: half.
    for (day, refunded) in [("2026-12-15", 2500), ("2026-12-03", 1250)] {
        let booking_id = w.approved_booking(day).await;
        let payment_id = w.checkout(&process, booking_id).await;
        w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
        drive(&process).await;
        let cancellation = salle::commands::rooms::Cancellation {
            booking_id,
            by: salle_events::catalog::room::CancelledBy::Association,
            actor: association(),
            reason: "Concert reporté".into(),
        };
        w.commands.cancel_booking(w.room_id, cancellation, now(), &Metadata::default()).await.unwrap();
        drive(&process).await;
        let payment = w.commands.payment(booking_id).await.unwrap();
        assert_eq!(payment.refunded_cents(), refunded, "{day}");
    }
    let balances = w.balances().await;
    assert_eq!(balances.get(accounts::CANCELLATION_FEES), Some(&-1250));
    assert_eq!(balances.get(accounts::PROVIDER), Some(&1250), "the fee awaits its transfer");
    w.assert_money_adds_up().await;
}

async fn an_establishment_that_cannot_be_paid_takes_only_free_bookings(db: TestDb) {
    let w = world(&db).await;
    let meta = Metadata::default();
    // After the world's own "account ready" notice (dated `now()`).
    let at_time = now();
    let sign = |ready: bool, seconds: i64| {
        let body = simulated::account_updated(
            &w.account(),
            w.establishment_id,
            ready,
            at_time + Duration::seconds(seconds),
        )
        .to_string();
        let signature = w.sim.sign(&body, Utc::now());
        (body, signature)
    };
    w.deliver(&sign(false, 10)).await;
    assert!(!w.commands.establishment(w.establishment_id).await.unwrap().accepts_payments());
    let request = BookingRequest {
        booking_id: Uuid::now_v7(),
        association_id: association(),
        category: RequesterCategory::LocalAssociation,
        start: at("2026-12-15", "18:00"),
        end: at("2026-12-15", "20:00"),
        attendees: 20,
        purpose: "Chorale".into(),
    };
    let refused = w
        .commands
        .request_booking(
            w.room_id,
            request.clone(),
            salle::domain::association::Standing::VERIFIED,
            now(),
            &meta,
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("ne peut pas encore recevoir de paiements"), "{refused}");
    // An older notice delivered late changes nothing; a newer one does.
    w.deliver(&sign(true, 5)).await;
    assert!(!w.commands.establishment(w.establishment_id).await.unwrap().accepts_payments());
    w.deliver(&sign(true, 20)).await;
    assert!(w.commands.establishment(w.establishment_id).await.unwrap().accepts_payments());
    w.commands
        .request_booking(w.room_id, request, salle::domain::association::Standing::VERIFIED, now(), &meta)
        .await
        .unwrap();
}

async fn a_free_booking_never_touches_the_provider(db: TestDb) {
    let commands = commands(db.store().await);
    let (establishment_id, room_id) = establishment_with_room(&commands, Tariff::Departement(0), 0).await;
    let w = World {
        commands,
        sim: SimulatedGateway::new("http://salle.test", SECRET),
        establishment_id,
        room_id,
    };
    let process = w.process();
    let booking_id = w.approved_booking("2026-12-15").await;
    let refused = w
        .commands
        .request_checkout(w.room_id, booking_id, association(), now(), &Metadata::default())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("gratuite"), "{refused}");
    w.complete_until(at("2026-12-15", "20:00")).await;
    drive(&process).await;
    assert_eq!(w.status(booking_id).await, BookingStatus::Completed, "nothing to settle");
    assert!(w.sim.objects().is_empty(), "{:?}", w.sim.objects());
    assert!(!w.commands.payment(booking_id).await.unwrap().exists());
    assert!(w.balances().await.is_empty());
}
