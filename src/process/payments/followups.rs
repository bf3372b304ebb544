//! Transfers to establishments and reversals of them: made when their event
//! comes, or kept as follow-ups in `payment_followups` (written with the
//! checkpoint) and tried again by [`PaymentProcess::sweep`].

use chrono::{DateTime, Utc};
use salle_events::Metadata;
use salle_events::catalog::Money;
use salle_events::catalog::payment::PaymentEvent;

use super::store::{Change, Followup};
use super::{ACTOR, PaymentProcess, ProcessError};
use crate::payments::{NewReversal, NewTransfer, idempotency_key};
use salle_events::EventStore;

impl PaymentProcess {
    pub(super) async fn transfer(
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

    pub(super) async fn reverse(
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

    /// The follow-ups waiting, oldest cause first.
    pub async fn followups(&self) -> Result<Vec<Followup>, ProcessError> {
        Ok(super::store::followups(self.store()).await?)
    }

    /// Tries every follow-up again; returns how many were done.
    pub async fn sweep(&self, now: DateTime<Utc>) -> Result<usize, ProcessError> {
        Ok(self.sweep_kind("transfer", now).await? + self.sweep_kind("reversal", now).await?)
    }

    pub(super) async fn sweep_kind(&self, kind: &str, now: DateTime<Utc>) -> Result<usize, ProcessError> {
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
            done += super::store::save(&mut tx, changes).await?;
            tx.commit().await?;
        }
        Ok(done)
    }
}
