//! The payment process manager: follows the log and makes every provider
//! call. Each call is driven by one event and carries an idempotency key
//! derived from that event's id, and its answer is recorded on the booking's
//! payment stream, where a repeated answer records nothing.
//!
//! | event | provider call | recorded |
//! |---|---|---|
//! | `CheckoutRequested` | open a checkout | `CheckoutOpened` or `CheckoutFailed` |
//! | `PaymentSucceeded` | — (then the fee) | room: `BookingPaid`, or `PaymentReturned`; `ProviderFeeRecorded` |
//! | `PaymentReturned` | refund in full | `RefundIssued` / `RefundFailed` |
//! | `BookingCancelled` with a refund | refund | `RefundIssued` / `RefundFailed` |
//! | `BookingCompleted`, paid | transfer to the establishment (`transfer_group` = booking) | `TransferCreated` → room: `BookingSettled` |
//! | `RefundGranted` | refund, then reverse the transfer | `RefundIssued`, `TransferReversed` or `TransferReversalPending` |
//!
//! Crash safety: the checkpoint moves after an event's effects are recorded.
//! Killed between a provider call and recording its answer, the manager
//! handles the event again on restart, the provider answers the same key
//! with the same object, and the answer is recorded once. Transfers that
//! cannot be made yet and reversals the connected account cannot cover are
//! kept as follow-ups (written with the checkpoint) and tried again by
//! [`PaymentProcess::sweep`].
//!
//! One manager is active across processes (a PostgreSQL advisory lock).
//!
//! - this file: the manager, following the log and dispatching each event.
//! - [`reactions`]: checkouts, payments, refunds, settlement.
//! - [`followups`]: transfers and their reversals, kept and swept when they cannot be made yet.
//! - [`store`]: the table of follow-ups.

pub use store::Followup;

mod followups;
mod reactions;
mod store;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use salle_events::catalog::category;
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::room::RoomEvent;
use salle_events::{
    DomainEvent, EventStore, LogPosition, Metadata, RecordedEvent, Store, StoreError, Subscription,
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::commands::{CommandError, Commands};
use crate::payments::{Gateway, GatewayError};

/// The manager's checkpoint and lock name.
pub const NAME: &str = "payments";
/// Name of the actor in the metadata of the events it causes.
pub const ACTOR: &str = "payments";
const BATCH: usize = 500;
/// Stripe closes a checkout at most 24 h after opening it, and at least 30 min.
const CHECKOUT_MAX_SECONDS: i64 = 24 * 3600;
const CHECKOUT_MIN_SECONDS: i64 = 31 * 60;

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error in the payment process: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the provider is unavailable: {0}")]
    Provider(GatewayError),
    #[error("event {0} cannot be read: {1}")]
    Unreadable(i64, String),
    /// Test hook: stopped right after a provider call, before recording it.
    #[error("stopped after a provider call (crash simulation)")]
    Crashed,
}

/// Whether the manager may act on this event: everything on a payment
/// stream, three room events, and payout accounts becoming able to receive
/// transfers. Decided from the stream and type alone, without decoding.
fn concerns(recorded: &RecordedEvent) -> bool {
    let kind = recorded.event_type.as_str();
    recorded.stream_id.is(category::PAYMENT)
        || (recorded.stream_id.is(category::ROOM)
            && matches!(kind, "BookingCancelled" | "BookingCompleted" | "RefundGranted"))
        || kind == "PayoutAccountStatusChanged"
}

#[derive(Debug, Clone)]
pub struct PaymentProcess {
    commands: Commands,
    gateway: Gateway,
    public_url: String,
    /// Test hook: provider calls left before a simulated crash (negative: never).
    crash_after: Arc<AtomicI64>,
}

impl PaymentProcess {
    pub fn new(commands: Commands, gateway: Gateway, public_url: &str) -> Self {
        Self {
            commands,
            gateway,
            public_url: public_url.trim_end_matches('/').to_owned(),
            crash_after: Arc::new(AtomicI64::new(-1)),
        }
    }

    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// Where browsers reach salle (links the provider sends people back to).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Test hook: the manager stops right after its `calls`-th next provider
    /// call, before recording the answer, as if the process were killed.
    pub fn crash_after_calls(&self, calls: i64) {
        self.crash_after.store(calls, Ordering::SeqCst);
    }

    /// Called after each provider call that answered.
    fn called(&self) -> Result<(), ProcessError> {
        let left = self.crash_after.load(Ordering::SeqCst);
        if left < 0 {
            return Ok(());
        }
        if left <= 1 {
            self.crash_after.store(-1, Ordering::SeqCst);
            return Err(ProcessError::Crashed);
        }
        self.crash_after.store(left - 1, Ordering::SeqCst);
        Ok(())
    }

    pub fn store(&self) -> &Store {
        &self.commands.store
    }

    fn metadata(recorded: &RecordedEvent, booking_id: Uuid) -> Metadata {
        Metadata {
            correlation_id: Some(recorded.metadata.correlation_id.unwrap_or(booking_id)),
            causation_id: Some(recorded.event_id),
            actor: Some(ACTOR.into()),
        }
    }

    /// Handles every event after the checkpoint, moving it after each one it
    /// acts on; past the events it has nothing to do with (most of the log),
    /// once per batch. Returns how many events were read.
    pub async fn catch_up(&self) -> Result<usize, ProcessError> {
        let mut read = 0;
        loop {
            let from = self.store().load_checkpoint(NAME).await?.unwrap_or(LogPosition::START);
            let batch = self.store().read_all(from, BATCH).await?;
            if batch.is_empty() {
                return Ok(read);
            }
            self.handle_batch(&batch).await?;
            read += batch.len();
        }
    }

    /// Handles a batch read after the checkpoint: each event it acts on moves
    /// the checkpoint with its effects; the rest move it once, at the end.
    async fn handle_batch(&self, batch: &[RecordedEvent]) -> Result<(), ProcessError> {
        let mut checkpointed = true;
        for recorded in batch {
            checkpointed = concerns(recorded);
            if checkpointed {
                self.handle_and_checkpoint(recorded).await?;
            }
        }
        if let Some(last) = batch.last()
            && !checkpointed
        {
            let mut tx = self.store().begin().await?;
            tx.save_checkpoint(NAME, last.log_position()).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    async fn handle_and_checkpoint(&self, recorded: &RecordedEvent) -> Result<(), ProcessError> {
        let changes = match self.handle(recorded, Utc::now()).await {
            Ok(changes) => changes,
            // A refusal is final: trying the same event again would be
            // refused again and hold every later payment back. It is logged
            // and counted, and the process moves on.
            Err(ProcessError::Command(CommandError::Domain(refusal))) => {
                tracing::error!(
                    position = recorded.global_position,
                    event_type = %recorded.event_type,
                    code = refusal.code,
                    "the payment process cannot act on this event; skipped"
                );
                crate::metrics::payment_outcome("process_refused");
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        let mut tx = self.store().begin().await?;
        store::save(&mut tx, changes).await?;
        tx.save_checkpoint(NAME, recorded.log_position()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// What one event asks of the provider. Safe to run again for the same
    /// event: each step first looks at what is already recorded.
    async fn handle(
        &self,
        recorded: &RecordedEvent,
        now: DateTime<Utc>,
    ) -> Result<Vec<store::Change>, ProcessError> {
        let unreadable =
            |e: serde_json::Error| ProcessError::Unreadable(recorded.global_position, e.to_string());
        if !concerns(recorded) {
            return Ok(vec![]);
        }
        if recorded.stream_id.is(category::PAYMENT) {
            let Some(booking_id) = recorded.stream_id.entity(category::PAYMENT) else { return Ok(vec![]) };
            let event = PaymentEvent::from_recorded(recorded).map_err(unreadable)?;
            return self.on_payment_event(recorded, booking_id, event, now).await;
        }
        if recorded.stream_id.is(category::ROOM) {
            let Some(room_id) = recorded.stream_id.entity(category::ROOM) else { return Ok(vec![]) };
            let event = RoomEvent::from_recorded(recorded).map_err(unreadable)?;
            return self.on_room_event(recorded, room_id, event, now).await;
        }
        if recorded.event_type == "PayoutAccountStatusChanged" {
            let event = EstablishmentEvent::from_recorded(recorded).map_err(unreadable)?;
            if let EstablishmentEvent::PayoutAccountStatusChanged { can_receive_transfers: true, .. } = event
            {
                // Transfers that waited for this account can go now.
                self.sweep_kind("transfer", now).await?;
            }
        }
        Ok(vec![])
    }

    /// Opens the checkouts asked for on this booking that the provider has
    /// not opened yet: what the pay route calls so as to answer with the
    /// address. Following the log, the manager would do the same a moment
    /// later, with the same idempotency key.
    pub async fn open_requested(&self, booking_id: Uuid) -> Result<(), ProcessError> {
        let stream = crate::commands::Commands::stream_of::<crate::domain::payment::Payment>(booking_id);
        let events = self.store().read_stream(&stream, 1, 1000).await?;
        for recorded in events.iter().filter(|e| e.event_type == "CheckoutRequested") {
            self.handle(recorded, Utc::now()).await?;
        }
        Ok(())
    }

    /// Follows the log until `shutdown`, holding the manager's lock; sweeps
    /// the follow-ups every `sweep_every`.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>, sweep_every: Duration) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let lock = match self.store().try_lock(NAME).await {
                Ok(Some(lock)) => lock,
                Ok(None) | Err(_) => {
                    if pause(&mut shutdown, salle_projections::runner::STANDBY_RETRY).await {
                        return;
                    }
                    continue;
                }
            };
            match self.follow(&mut shutdown, sweep_every).await {
                Ok(()) => {
                    drop(lock);
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "payment process stopped; resuming from its checkpoint");
                    drop(lock);
                    if pause(&mut shutdown, Duration::from_secs(2)).await {
                        return;
                    }
                }
            }
        }
    }

    async fn follow(
        &self,
        shutdown: &mut watch::Receiver<bool>,
        sweep_every: Duration,
    ) -> Result<(), ProcessError> {
        let mut subscription = Subscription::start(self.store(), NAME).await?;
        let mut sweep = tokio::time::interval(sweep_every);
        loop {
            tokio::select! {
                batch = subscription.next_batch(BATCH) => self.handle_batch(&batch?).await?,
                _ = sweep.tick() => {
                    if let Err(e) = self.sweep(Utc::now()).await {
                        tracing::warn!(error = %e, "payment follow-ups not swept; next time");
                    }
                }
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
}

async fn pause(shutdown: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}
