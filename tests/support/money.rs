//! A world where money moves: one establishment whose room costs 25 € for
//! two hours, the simulated provider, and the payment process driven by hand.
#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use salle::commands::Commands;
use salle::domain::booking::BookingStatus;
use salle::domain::payment::AttemptStatus;
use salle::payments::{Gateway, SimulatedGateway, webhook};
use salle::process::expiry::ExpiryManager;
use salle::process::payments::{PaymentProcess, ProcessError};
use salle_events::catalog::Money;
use salle_events::{EventStore, Metadata};
use salle_projections::Runner;
use salle_projections::ledger::{self, Ledger, accounts};
use uuid::Uuid;

use super::TestDb;
use super::world::{Tariff, at, commands, establishment_with_room, now};

pub const SECRET: &str = "whsec_test_salle";

pub struct World {
    pub commands: Commands,
    pub sim: SimulatedGateway,
    pub establishment_id: Uuid,
    pub room_id: Uuid,
}

pub async fn world(db: &TestDb) -> World {
    let commands = commands(db.store().await);
    // 12,50 € an hour: a two-hour slot costs 25 €.
    let (establishment_id, room_id) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    // The provider keeps its records next to salle's, as `salle serve` has it.
    let sim =
        SimulatedGateway::new("http://salle.test", SECRET).with_store(commands.store.clone()).await.unwrap();
    World { commands, sim, establishment_id, room_id }
}

impl World {
    pub fn process(&self) -> PaymentProcess {
        PaymentProcess::new(self.commands.clone(), Gateway::Simulated(self.sim.clone()), "http://salle.test")
    }

    pub fn account(&self) -> String {
        format!("acct_sim_{}", self.establishment_id.simple())
    }

    /// An approved two-hour booking on `day`, 18:00–20:00.
    pub async fn approved_booking(&self, day: &str) -> Uuid {
        super::world::approved_booking(&self.commands, self.room_id, day, association()).await
    }

    /// Asks to pay and lets the process open the checkout; returns the attempt.
    pub async fn checkout(&self, process: &PaymentProcess, booking_id: Uuid) -> Uuid {
        self.commands
            .request_checkout(self.room_id, booking_id, association(), now(), &Metadata::default())
            .await
            .unwrap();
        drive(process).await;
        let payment = self.commands.payment(booking_id).await.unwrap();
        let attempt = payment.attempts.last().unwrap();
        assert!(matches!(attempt.status, AttemptStatus::Open { .. }), "{:?}", attempt.status);
        attempt.payment_id
    }

    /// The association pays: the provider's signed `checkout.session.completed`.
    pub fn paid_delivery(&self, booking_id: Uuid, payment_id: Uuid) -> (String, String) {
        let at = Utc::now();
        let body = self
            .sim
            .pay(&format!("cs_sim_{}", payment_id.simple()), booking_id, payment_id, Money::eur(2500), at)
            .to_string();
        let signature = self.sim.sign(&body, at);
        (body, signature)
    }

    pub async fn deliver(&self, (body, signature): &(String, String)) {
        let gateway = Gateway::Simulated(self.sim.clone());
        webhook::receive(&self.commands, &gateway, body.as_bytes(), Some(signature), Utc::now())
            .await
            .unwrap();
    }

    pub async fn status(&self, booking_id: Uuid) -> BookingStatus {
        self.commands.room(self.room_id).await.unwrap().bookings[&booking_id].status
    }

    /// Completes every booking whose slot ended before `when`.
    pub async fn complete_until(&self, when: DateTime<Utc>) {
        // The manager reads the log: wait until every event can be read.
        super::all_visible(&self.commands.store).await;
        ExpiryManager::new(self.commands.clone()).tick(when).await.unwrap();
    }

    /// The establishment's balances, from a ledger caught up with the log.
    pub async fn balances(&self) -> BTreeMap<String, i64> {
        let store = self.commands.store.clone();
        let runner = Runner::new(store.clone(), Ledger);
        for _ in 0..4000 {
            runner.catch_up().await.unwrap();
            if caught_up(&store, ledger::NAME).await {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let (from, to) = (at("2020-01-01", "00:00"), at("2100-01-01", "00:00"));
        let lines = ledger::lines(&store, self.establishment_id, from, to).await.unwrap();
        // Every transaction balances.
        let mut by_event: BTreeMap<Uuid, i64> = BTreeMap::new();
        for l in &lines {
            *by_event.entry(l.event_id).or_default() += l.debit_cents - l.credit_cents;
        }
        assert!(by_event.values().all(|sum| *sum == 0), "unbalanced transactions: {by_event:?}");
        ledger::balances(&lines)
    }

    /// paid − refunded = transferred + awaiting transfer, from the provider's
    /// own records on one side and the ledger on the other.
    pub async fn assert_money_adds_up(&self) {
        let balances = self.balances().await;
        let provider = |kind: &str| -> i64 {
            self.sim.objects().iter().filter(|o| o.kind == kind).map(|o| o.amount_cents).sum()
        };
        let (paid, refunded) = (provider("charge"), provider("refund"));
        let transferred = provider("transfer") - provider("reversal");
        let awaiting = balances.get(accounts::PROVIDER).copied().unwrap_or(0);
        assert_eq!(
            paid - refunded,
            transferred + awaiting,
            "ledger {balances:?}, provider {:?}",
            self.sim.objects()
        );
        let bank = balances.get(accounts::BANK).copied().unwrap_or(0);
        assert_eq!(bank, transferred, "the bank account holds what was transferred");
    }
}

pub fn association() -> Uuid {
    Uuid::from_u128(0xa550)
}

/// Whether the subscriber `name` has passed every event appended so far (on
/// PostgreSQL, an event becomes readable once older transactions of the
/// whole cluster have ended, so catching up may take a few rounds).
pub async fn caught_up(store: &salle_events::Store, name: &str) -> bool {
    const SQL: &str = "SELECT COUNT(*) FROM events";
    let stored: i64 =
        salle_events::sql::fetch_value(store, SQL, salle_events::sql::Args::new()).await.unwrap().unwrap();
    let visible = store.count_after(salle_events::LogPosition::START).await.unwrap();
    let checkpoint = store.load_checkpoint(name).await.unwrap().unwrap_or(salle_events::LogPosition::START);
    visible >= stored as u64 && store.count_after(checkpoint).await.unwrap() == 0
}

/// Runs the process until it has handled everything.
pub async fn drive(process: &PaymentProcess) {
    let mut crashes = 0;
    let mut process = process.clone();
    run_process(&mut process, &mut crashes, || unreachable!("no crash expected")).await;
}

/// Runs `process` until it has handled every event; when it "crashes",
/// replaces it with `restart()`, as a restarted worker would.
pub async fn run_process(
    process: &mut PaymentProcess,
    crashes: &mut u32,
    restart: impl Fn() -> PaymentProcess,
) {
    let store = process.store().clone();
    for _ in 0..4000 {
        match process.catch_up().await {
            Ok(_) => {}
            Err(ProcessError::Crashed) => {
                *crashes += 1;
                *process = restart();
                continue;
            }
            Err(e) => panic!("{e}"),
        }
        if caught_up(&store, salle::process::payments::NAME).await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the payment process did not catch up");
}
