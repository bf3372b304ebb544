//! What the payment manager does for each event it acts on: open a
//! checkout, record a payment (or return it), refund, settle a booking once
//! its money is transferred.

use chrono::{DateTime, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::payment::{PaymentEvent, RefundCause};
use salle_events::catalog::room::RoomEvent;
use salle_events::{Metadata, RecordedEvent};
use uuid::Uuid;

use super::store::{Change, Followup};
use super::{CHECKOUT_MAX_SECONDS, CHECKOUT_MIN_SECONDS, PaymentProcess, ProcessError};
use crate::commands::CommandError;
use crate::domain::payment::AttemptStatus;
use crate::domain::room::RoomCommand;
use crate::payments::{NewCheckout, NewRefund, idempotency_key};

impl PaymentProcess {
    pub(super) async fn on_payment_event(
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

    pub(super) async fn on_room_event(
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

    pub(super) async fn settle(
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
}

/// The machine code recorded when a booking refuses a payment.
fn returned_code(refusal: &str) -> &'static str {
    match refusal {
        "wrong_amount" => "wrong_amount",
        "free_booking" => "free_booking",
        _ => "booking_not_payable",
    }
}
