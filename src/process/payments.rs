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

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::payment::{PaymentEvent, RefundCause};
use salle_events::catalog::room::RoomEvent;
use salle_events::sql::{Args, execute};
use salle_events::{
    DomainEvent, EventStore, LogPosition, Metadata, RecordedEvent, Store, StoreError, Subscription,
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::commands::{CommandError, Commands};
use crate::domain::payment::AttemptStatus;
use crate::domain::room::RoomCommand;
use crate::payments::{
    Gateway, GatewayError, NewCheckout, NewRefund, NewReversal, NewTransfer, idempotency_key,
};

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

/// A transfer or reversal to try again later.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Followup {
    pub cause_event_id: Uuid,
    /// `transfer` or `reversal`.
    pub kind: String,
    pub booking_id: Uuid,
    pub amount_cents: i64,
    pub attempts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Keep(Followup),
    Done { cause_event_id: Uuid, kind: &'static str },
}

/// Whether the manager may act on this event: everything on a payment
/// stream, three room events, and payout accounts becoming able to receive
/// transfers. Decided from the stream and type alone, without decoding.
fn concerns(recorded: &RecordedEvent) -> bool {
    let stream = recorded.stream_id.as_str();
    let kind = recorded.event_type.as_str();
    stream.starts_with("payment-")
        || (stream.starts_with("room-")
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
        save(&mut tx, changes).await?;
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
    ) -> Result<Vec<Change>, ProcessError> {
        let stream = recorded.stream_id.as_str();
        let unreadable =
            |e: serde_json::Error| ProcessError::Unreadable(recorded.global_position, e.to_string());
        if !concerns(recorded) {
            return Ok(vec![]);
        }
        if let Some(booking) = stream.strip_prefix("payment-") {
            let Ok(booking_id) = booking.parse::<Uuid>() else { return Ok(vec![]) };
            let event = PaymentEvent::from_recorded(recorded).map_err(unreadable)?;
            return self.on_payment_event(recorded, booking_id, event, now).await;
        }
        if let Some(room) = stream.strip_prefix("room-") {
            let Ok(room_id) = room.parse::<Uuid>() else { return Ok(vec![]) };
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

    async fn on_payment_event(
        &self,
        recorded: &RecordedEvent,
        booking_id: Uuid,
        event: PaymentEvent,
        now: DateTime<Utc>,
    ) -> Result<Vec<Change>, ProcessError> {
        let metadata = Self::metadata(recorded, booking_id);
        match event {
            PaymentEvent::CheckoutRequested { payment_id, amount, pay_by, .. } => {
                self.open_checkout(booking_id, payment_id, amount, pay_by, recorded.event_id, now, &metadata)
                    .await?;
            }
            PaymentEvent::PaymentSucceeded { payment_id: _, amount, payment_ref, .. } => {
                let payment = self.commands.payment(booking_id).await?;
                let paid = self
                    .commands
                    .on_room(payment.room_id, &metadata, || RoomCommand::RecordPayment {
                        booking_id,
                        amount,
                        payment_ref: payment_ref.clone(),
                        now,
                    })
                    .await;
                match paid {
                    Ok(_) => {}
                    Err(CommandError::Domain(refusal)) => {
                        tracing::info!(%booking_id, code = refusal.code, "payment not taken by the booking; returned");
                        let returned = PaymentEvent::PaymentReturned {
                            payment_ref: payment_ref.clone(),
                            amount,
                            code: returned_code(refusal.code).into(),
                            message: refusal.message,
                            at: now,
                        };
                        self.commands.record_payment_event(booking_id, returned, &metadata).await?;
                    }
                    Err(e) => return Err(e.into()),
                }
                if !payment.fees.contains(&payment_ref) {
                    let fee = self.gateway.payment_fee(&payment_ref).await.map_err(ProcessError::Provider)?;
                    self.called()?;
                    if let Some(fee) = fee {
                        let event = PaymentEvent::ProviderFeeRecorded { payment_ref, fee, at: now };
                        self.commands.record_payment_event(booking_id, event, &metadata).await?;
                    }
                }
            }
            PaymentEvent::PaymentReturned { payment_ref, amount, .. } => {
                let cause = (recorded.event_id, RefundCause::PaymentReturned);
                self.refund(booking_id, cause, &payment_ref, amount, now, &metadata).await?;
            }
            PaymentEvent::TransferCreated { transfer_ref, .. } => {
                self.settle(booking_id, &transfer_ref, now, &metadata).await?;
            }
            _ => {}
        }
        Ok(vec![])
    }

    async fn on_room_event(
        &self,
        recorded: &RecordedEvent,
        room_id: Uuid,
        event: RoomEvent,
        now: DateTime<Utc>,
    ) -> Result<Vec<Change>, ProcessError> {
        match event {
            RoomEvent::BookingCancelled { booking_id, refund, .. } if refund.amount_cents > 0 => {
                let metadata = Self::metadata(recorded, booking_id);
                let room = self.commands.room(room_id).await?;
                let Some(payment_ref) = room.bookings.get(&booking_id).and_then(|b| b.payment_ref.clone())
                else {
                    tracing::warn!(%booking_id, "a refund without a recorded payment; nothing to refund");
                    return Ok(vec![]);
                };
                let cause = (recorded.event_id, RefundCause::Cancellation);
                self.refund(booking_id, cause, &payment_ref, refund, now, &metadata).await?;
                Ok(vec![])
            }
            RoomEvent::BookingCompleted { booking_id, .. } => {
                let room = self.commands.room(room_id).await?;
                let paid = room.bookings.get(&booking_id).and_then(|b| b.paid).filter(|p| p.amount_cents > 0);
                let Some(paid) = paid else { return Ok(vec![]) };
                let followup = Followup {
                    cause_event_id: recorded.event_id,
                    kind: "transfer".into(),
                    booking_id,
                    amount_cents: paid.amount_cents,
                    attempts: 0,
                };
                let metadata = Self::metadata(recorded, booking_id);
                self.transfer(&followup, now, &metadata).await
            }
            RoomEvent::RefundGranted { booking_id, amount, .. } => {
                let metadata = Self::metadata(recorded, booking_id);
                let room = self.commands.room(room_id).await?;
                let Some(payment_ref) = room.bookings.get(&booking_id).and_then(|b| b.payment_ref.clone())
                else {
                    return Ok(vec![]);
                };
                let cause = (recorded.event_id, RefundCause::Goodwill);
                self.refund(booking_id, cause, &payment_ref, amount, now, &metadata).await?;
                let followup = Followup {
                    cause_event_id: recorded.event_id,
                    kind: "reversal".into(),
                    booking_id,
                    amount_cents: amount.amount_cents,
                    attempts: 0,
                };
                self.reverse(&followup, now, &metadata).await
            }
            _ => Ok(vec![]),
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn open_checkout(
        &self,
        booking_id: Uuid,
        payment_id: Uuid,
        amount: Money,
        pay_by: DateTime<Utc>,
        cause: Uuid,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<(), ProcessError> {
        let payment = self.commands.payment(booking_id).await?;
        if payment.attempt(payment_id).is_none_or(|a| a.status != AttemptStatus::Requested) {
            return Ok(());
        }
        let expires_at = pay_by
            .timestamp()
            .min(now.timestamp() + CHECKOUT_MAX_SECONDS)
            .max(now.timestamp() + CHECKOUT_MIN_SECONDS);
        let booking_page = format!("{}/reservations/{booking_id}", self.public_url);
        let checkout = NewCheckout {
            payment_id,
            booking_id,
            amount,
            // The random end of the id, as on the receipt (its start is a timestamp).
            description: format!(
                "Réservation de salle n° {}",
                booking_id.simple().to_string()[24..].to_uppercase()
            ),
            expires_at,
            success_url: format!("{booking_page}?paiement=reussi"),
            cancel_url: format!("{booking_page}?paiement=annule"),
        };
        let answer = self.gateway.create_checkout(&checkout, &idempotency_key("checkout", cause)).await;
        let event = match answer {
            Ok(opened) => {
                self.called()?;
                PaymentEvent::CheckoutOpened {
                    payment_id,
                    provider: self.gateway.provider().into(),
                    checkout_ref: opened.checkout_ref,
                    url: opened.url,
                    at: now,
                }
            }
            Err(e) if e.is_retryable() => return Err(ProcessError::Provider(e)),
            Err(e) => {
                tracing::warn!(%booking_id, error = %e, "the provider refused to open a checkout");
                PaymentEvent::CheckoutFailed {
                    payment_id,
                    code: "provider_refused".into(),
                    message:
                        "Le prestataire de paiement a refusé d'ouvrir le paiement ; réessayez plus tard."
                            .into(),
                    provider_event_id: None,
                    at: now,
                }
            }
        };
        self.commands.record_payment_event(booking_id, event, metadata).await?;
        Ok(())
    }

    async fn refund(
        &self,
        booking_id: Uuid,
        (cause_event_id, cause): (Uuid, RefundCause),
        payment_ref: &str,
        amount: Money,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<(), ProcessError> {
        let payment = self.commands.payment(booking_id).await?;
        if payment.refunds.contains_key(&cause_event_id) {
            return Ok(());
        }
        let request = NewRefund { booking_id, payment_ref: payment_ref.to_owned(), amount };
        let event = match self.gateway.refund(&request, &idempotency_key("refund", cause_event_id)).await {
            Ok(refund_ref) => {
                self.called()?;
                PaymentEvent::RefundIssued {
                    cause_event_id,
                    cause,
                    payment_ref: payment_ref.to_owned(),
                    refund_ref,
                    amount,
                    at: now,
                }
            }
            Err(e) if e.is_retryable() => return Err(ProcessError::Provider(e)),
            Err(e) => {
                tracing::error!(%booking_id, error = %e, "the provider refused a refund; finance must act");
                PaymentEvent::RefundFailed { cause_event_id, cause, amount, message: e.to_string(), at: now }
            }
        };
        self.commands.record_payment_event(booking_id, event, metadata).await?;
        Ok(())
    }

    async fn transfer(
        &self,
        followup: &Followup,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Vec<Change>, ProcessError> {
        let booking_id = followup.booking_id;
        let done = Change::Done { cause_event_id: followup.cause_event_id, kind: "transfer" };
        let payment = self.commands.payment(booking_id).await?;
        if let Some(transfer) = &payment.transfer {
            self.settle(booking_id, &transfer.transfer_ref.clone(), now, metadata).await?;
            return Ok(vec![done]);
        }
        let establishment = self.commands.establishment(payment.establishment_id).await?;
        let failed = |message: String| PaymentEvent::TransferFailed {
            cause_event_id: followup.cause_event_id,
            message,
            at: now,
        };
        let destination = match (&establishment.payout_account, establishment.payout_ready) {
            (Some(account), true) => account.clone(),
            _ => {
                if payment.transfer_failures == 0 {
                    let message = "L'établissement n'a pas encore de compte de versement actif.".to_owned();
                    self.commands.record_payment_event(booking_id, failed(message), metadata).await?;
                }
                return Ok(vec![Change::Keep(followup.clone())]);
            }
        };
        let amount = Money::eur(followup.amount_cents);
        let request = NewTransfer { booking_id, destination: destination.clone(), amount };
        match self.gateway.transfer(&request, &idempotency_key("transfer", followup.cause_event_id)).await {
            Ok(transfer_ref) => {
                self.called()?;
                let event = PaymentEvent::TransferCreated {
                    cause_event_id: followup.cause_event_id,
                    transfer_ref: transfer_ref.clone(),
                    destination,
                    amount,
                    at: now,
                };
                self.commands.record_payment_event(booking_id, event, metadata).await?;
                self.settle(booking_id, &transfer_ref, now, metadata).await?;
                Ok(vec![done])
            }
            Err(e) if e.is_retryable() => Err(ProcessError::Provider(e)),
            Err(e) => {
                tracing::warn!(%booking_id, error = %e, "transfer refused; kept for later");
                if payment.transfer_failures == 0 {
                    self.commands.record_payment_event(booking_id, failed(e.to_string()), metadata).await?;
                }
                Ok(vec![Change::Keep(followup.clone())])
            }
        }
    }

    async fn reverse(
        &self,
        followup: &Followup,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Vec<Change>, ProcessError> {
        let booking_id = followup.booking_id;
        let cause_event_id = followup.cause_event_id;
        let done = Change::Done { cause_event_id, kind: "reversal" };
        let payment = self.commands.payment(booking_id).await?;
        if payment.reversals.get(&cause_event_id).is_some_and(|(_, done)| *done) {
            return Ok(vec![done]);
        }
        let amount = Money::eur(followup.amount_cents);
        let pending = |transfer_ref: String, message: String| PaymentEvent::TransferReversalPending {
            cause_event_id,
            transfer_ref,
            amount,
            message,
            at: now,
        };
        let Some(transfer) = payment.transfer.clone() else {
            // Refunded before the transfer was made: the reversal waits for it.
            if !payment.reversals.contains_key(&cause_event_id) {
                let message = "Le virement à l'établissement n'est pas encore fait.".to_owned();
                self.commands
                    .record_payment_event(booking_id, pending(String::new(), message), metadata)
                    .await?;
            }
            return Ok(vec![Change::Keep(followup.clone())]);
        };
        let request = NewReversal { booking_id, transfer_ref: transfer.transfer_ref.clone(), amount };
        // A refused reversal is tried again later with a new key (Stripe
        // answers a reused key with its first answer).
        let key = idempotency_key(&format!("reversal{}", followup.attempts), cause_event_id);
        match self.gateway.reverse_transfer(&request, &key).await {
            Ok(reversal_ref) => {
                self.called()?;
                let event = PaymentEvent::TransferReversed {
                    cause_event_id,
                    transfer_ref: transfer.transfer_ref,
                    reversal_ref,
                    amount,
                    at: now,
                };
                self.commands.record_payment_event(booking_id, event, metadata).await?;
                Ok(vec![done])
            }
            Err(e) if e.is_retryable() => Err(ProcessError::Provider(e)),
            Err(e) => {
                tracing::warn!(%booking_id, error = %e, "transfer reversal pending");
                if !payment.reversals.contains_key(&cause_event_id) {
                    self.commands
                        .record_payment_event(
                            booking_id,
                            pending(transfer.transfer_ref, e.to_string()),
                            metadata,
                        )
                        .await?;
                }
                Ok(vec![Change::Keep(followup.clone())])
            }
        }
    }

    async fn settle(
        &self,
        booking_id: Uuid,
        transfer_ref: &str,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<(), ProcessError> {
        let payment = self.commands.payment(booking_id).await?;
        let settled = self
            .commands
            .on_room(payment.room_id, metadata, || RoomCommand::Settle {
                booking_id,
                transfer_ref: transfer_ref.to_owned(),
                now,
            })
            .await;
        match settled {
            Ok(_) => Ok(()),
            Err(CommandError::Domain(refusal)) => {
                tracing::warn!(%booking_id, code = refusal.code, "transfer made but the booking not settled");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
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

    /// The follow-ups waiting, oldest cause first.
    pub async fn followups(&self) -> Result<Vec<Followup>, ProcessError> {
        const SQL: &str = "SELECT cause_event_id, kind, booking_id, amount_cents, attempts \
                           FROM payment_followups ORDER BY cause_event_id, kind";
        Ok(match self.store() {
            Store::Sqlite(s) => sqlx::query_as(SQL).fetch_all(s.reader_pool()).await?,
            Store::Postgres(p) => sqlx::query_as(SQL).fetch_all(p.pool()).await?,
        })
    }

    /// Tries every follow-up again; returns how many were done.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, ProcessError> {
        Ok(self.sweep_kind("transfer", now).await? + self.sweep_kind("reversal", now).await?)
    }

    async fn sweep_kind(&self, kind: &str, now: DateTime<Utc>) -> Result<usize, ProcessError> {
        let mut done = 0;
        for followup in self.followups().await?.into_iter().filter(|f| f.kind == kind) {
            let metadata = Metadata {
                correlation_id: Some(followup.booking_id),
                causation_id: Some(followup.cause_event_id),
                actor: Some(ACTOR.into()),
            };
            let changes = match kind {
                "transfer" => self.transfer(&followup, now, &metadata).await?,
                _ => self.reverse(&followup, now, &metadata).await?,
            };
            let mut tx = self.store().begin().await?;
            done += save(&mut tx, changes).await?;
            tx.commit().await?;
        }
        Ok(done)
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

/// Writes follow-up changes; returns how many follow-ups are done. A kept
/// follow-up already waiting counts one more attempt (the next reversal is
/// asked with a new key).
async fn save(tx: &mut salle_events::StoreTx, changes: Vec<Change>) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    for change in changes {
        match change {
            Change::Keep(f) => {
                execute(
                    tx,
                    "INSERT INTO payment_followups (cause_event_id, kind, booking_id, amount_cents, attempts) \
                     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (cause_event_id, kind) \
                     DO UPDATE SET attempts = payment_followups.attempts + 1",
                    Args::new().uuid(f.cause_event_id).text(f.kind).uuid(f.booking_id).int(f.amount_cents),
                )
                .await?;
            }
            Change::Done { cause_event_id, kind } => {
                execute(
                    tx,
                    "DELETE FROM payment_followups WHERE cause_event_id = $1 AND kind = $2",
                    Args::new().uuid(cause_event_id).text(kind.to_owned()),
                )
                .await?;
                done += 1;
            }
        }
    }
    Ok(done)
}

/// The machine code recorded when a booking refuses a payment.
fn returned_code(refusal: &str) -> &'static str {
    match refusal {
        "wrong_amount" => "wrong_amount",
        "free_booking" => "free_booking",
        _ => "booking_not_payable",
    }
}

async fn pause(shutdown: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}
