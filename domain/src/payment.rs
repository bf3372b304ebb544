//! The payment aggregate: the provider's side of one booking's money
//! (`payment-<booking uuid>`). Checkout attempts, the charge, refunds, the
//! transfer to the establishment and its reversals.
//!
//! Everything recorded here is an answer of the provider, and the provider
//! repeats itself (webhooks are delivered more than once, a restarted process
//! manager asks again with the same idempotency key). So recording is
//! idempotent: an answer already applied — the same provider event, the same
//! refund cause, the same transfer — decides nothing, and the store's
//! expected-version check makes two concurrent deliveries apply once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::{Money, category};
use uuid::Uuid;

use super::{Aggregate, DomainError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptStatus {
    /// Asked; the provider has not opened the checkout yet.
    Requested,
    Open {
        checkout_ref: String,
        url: String,
    },
    Failed {
        code: String,
    },
    Succeeded {
        payment_ref: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub payment_id: Uuid,
    pub amount: Money,
    pub pay_by: DateTime<Utc>,
    pub status: AttemptStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub transfer_ref: String,
    pub destination: String,
    pub amount: Money,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Payment {
    pub booking_id: Option<Uuid>,
    pub room_id: Uuid,
    pub establishment_id: Uuid,
    pub association_id: Uuid,
    /// In request order.
    pub attempts: Vec<Attempt>,
    /// Provider events already applied.
    pub provider_events: BTreeSet<String>,
    /// Payments received: payment_ref → amount.
    pub received: BTreeMap<String, Money>,
    pub fees: BTreeSet<String>,
    /// Payments sent back because the booking could not take them.
    pub returned: BTreeSet<String>,
    /// Refunds by the event that caused them: cause → (amount, issued?).
    pub refunds: BTreeMap<Uuid, (Money, bool)>,
    pub transfer: Option<Transfer>,
    pub transfer_failures: u32,
    /// Reversals by cause: cause → (amount, done?).
    pub reversals: BTreeMap<Uuid, (Money, bool)>,
}

impl Payment {
    pub fn exists(&self) -> bool {
        self.booking_id.is_some()
    }

    pub fn attempt(&self, payment_id: Uuid) -> Option<&Attempt> {
        self.attempts.iter().find(|a| a.payment_id == payment_id)
    }

    fn attempt_mut(&mut self, payment_id: Uuid) -> Option<&mut Attempt> {
        self.attempts.iter_mut().find(|a| a.payment_id == payment_id)
    }

    /// The checkout the association can still use, if any.
    pub fn usable_attempt(&self, now: DateTime<Utc>) -> Option<&Attempt> {
        self.attempts.iter().rev().find(|a| {
            matches!(a.status, AttemptStatus::Requested | AttemptStatus::Open { .. }) && now < a.pay_by
        })
    }

    pub fn refunded_cents(&self) -> i64 {
        self.refunds.values().filter(|(_, issued)| *issued).map(|(m, _)| m.amount_cents).sum()
    }

    pub fn reversed_cents(&self) -> i64 {
        self.reversals.values().filter(|(_, done)| *done).map(|(m, _)| m.amount_cents).sum()
    }

    /// Reversals waiting for the establishment's account to be funded.
    pub fn pending_reversals(&self) -> impl Iterator<Item = (Uuid, Money)> + '_ {
        self.reversals.iter().filter(|(_, (_, done))| !done).map(|(c, (m, _))| (*c, *m))
    }
}

impl Aggregate for Payment {
    type Event = PaymentEvent;
    const CATEGORY: &'static str = category::PAYMENT;

    fn evolve(mut self, event: &PaymentEvent) -> Self {
        match event {
            PaymentEvent::CheckoutRequested {
                payment_id,
                booking_id,
                room_id,
                establishment_id,
                association_id,
                amount,
                pay_by,
                ..
            } => {
                self.booking_id = Some(*booking_id);
                self.room_id = *room_id;
                self.establishment_id = *establishment_id;
                self.association_id = *association_id;
                self.attempts.push(Attempt {
                    payment_id: *payment_id,
                    amount: *amount,
                    pay_by: *pay_by,
                    status: AttemptStatus::Requested,
                });
            }
            PaymentEvent::CheckoutOpened { payment_id, checkout_ref, url, .. } => {
                if let Some(a) = self.attempt_mut(*payment_id) {
                    a.status = AttemptStatus::Open { checkout_ref: checkout_ref.clone(), url: url.clone() };
                }
            }
            PaymentEvent::CheckoutFailed { payment_id, code, provider_event_id, .. } => {
                if let Some(a) = self.attempt_mut(*payment_id)
                    && !matches!(a.status, AttemptStatus::Succeeded { .. })
                {
                    a.status = AttemptStatus::Failed { code: code.clone() };
                }
                self.provider_events.extend(provider_event_id.clone());
            }
            PaymentEvent::PaymentSucceeded { payment_id, amount, payment_ref, provider_event_id, .. } => {
                if let Some(a) = self.attempt_mut(*payment_id) {
                    a.status = AttemptStatus::Succeeded { payment_ref: payment_ref.clone() };
                }
                self.received.insert(payment_ref.clone(), *amount);
                self.provider_events.insert(provider_event_id.clone());
            }
            PaymentEvent::ProviderFeeRecorded { payment_ref, .. } => {
                self.fees.insert(payment_ref.clone());
            }
            PaymentEvent::PaymentReturned { payment_ref, .. } => {
                self.returned.insert(payment_ref.clone());
            }
            PaymentEvent::RefundIssued { cause_event_id, amount, .. } => {
                self.refunds.insert(*cause_event_id, (*amount, true));
            }
            PaymentEvent::RefundFailed { cause_event_id, amount, .. } => {
                self.refunds.insert(*cause_event_id, (*amount, false));
            }
            PaymentEvent::TransferCreated { transfer_ref, destination, amount, .. } => {
                self.transfer = Some(Transfer {
                    transfer_ref: transfer_ref.clone(),
                    destination: destination.clone(),
                    amount: *amount,
                });
            }
            PaymentEvent::TransferFailed { .. } => self.transfer_failures += 1,
            PaymentEvent::TransferReversed { cause_event_id, amount, .. } => {
                self.reversals.insert(*cause_event_id, (*amount, true));
            }
            PaymentEvent::TransferReversalPending { cause_event_id, amount, .. } => {
                self.reversals.entry(*cause_event_id).or_insert((*amount, false));
            }
        }
        self
    }
}

/// What a new checkout needs to know about the booking.
#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    pub payment_id: Uuid,
    pub booking_id: Uuid,
    pub room_id: Uuid,
    pub establishment_id: Uuid,
    pub association_id: Uuid,
    pub amount: Money,
    pub pay_by: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// A new checkout attempt, unless one is still usable (then nothing: the
/// association is sent to the open one) or the booking is already paid.
pub fn request_checkout(state: &Payment, request: CheckoutRequest) -> Result<Vec<PaymentEvent>, DomainError> {
    if state.attempts.iter().any(|a| matches!(a.status, AttemptStatus::Succeeded { .. })) {
        return Err(DomainError::conflict("already_paid", "Cette réservation est déjà payée."));
    }
    if request.now >= request.pay_by {
        return Err(DomainError::conflict(
            "payment_too_late",
            "Le délai de paiement de cette réservation est dépassé.",
        ));
    }
    if request.amount.amount_cents <= 0 {
        return Err(DomainError::conflict("free_booking", "Cette réservation est gratuite : rien à payer."));
    }
    if state.usable_attempt(request.now).is_some() {
        return Ok(vec![]);
    }
    Ok(vec![PaymentEvent::CheckoutRequested {
        payment_id: request.payment_id,
        booking_id: request.booking_id,
        room_id: request.room_id,
        establishment_id: request.establishment_id,
        association_id: request.association_id,
        amount: request.amount,
        pay_by: request.pay_by,
        at: request.now,
    }])
}

/// Records a provider's answer, unless it was already recorded.
pub fn record(state: &Payment, event: PaymentEvent) -> Result<Vec<PaymentEvent>, DomainError> {
    if !state.exists() {
        return Err(DomainError::not_found(
            "payment_not_found",
            "Aucun paiement n'a été demandé pour cette réservation.",
        ));
    }
    let unknown_attempt = |payment_id: &Uuid| {
        state.attempt(*payment_id).is_none().then(|| {
            DomainError::not_found(
                "payment_not_found",
                "Ce paiement n'a pas été demandé pour cette réservation.",
            )
        })
    };
    let repeated = match &event {
        PaymentEvent::CheckoutRequested { .. } => {
            return Err(DomainError::conflict(
                "not_an_answer",
                "Un paiement se demande par request_checkout.",
            ));
        }
        PaymentEvent::CheckoutOpened { payment_id, .. } => {
            if let Some(e) = unknown_attempt(payment_id) {
                return Err(e);
            }
            state.attempt(*payment_id).is_some_and(|a| a.status != AttemptStatus::Requested)
        }
        PaymentEvent::CheckoutFailed { payment_id, provider_event_id, .. } => {
            if let Some(e) = unknown_attempt(payment_id) {
                return Err(e);
            }
            provider_event_id.as_ref().is_some_and(|id| state.provider_events.contains(id))
                || state.attempt(*payment_id).is_some_and(|a| {
                    matches!(a.status, AttemptStatus::Failed { .. } | AttemptStatus::Succeeded { .. })
                })
        }
        PaymentEvent::PaymentSucceeded { payment_id, payment_ref, provider_event_id, .. } => {
            if let Some(e) = unknown_attempt(payment_id) {
                return Err(e);
            }
            state.provider_events.contains(provider_event_id) || state.received.contains_key(payment_ref)
        }
        PaymentEvent::ProviderFeeRecorded { payment_ref, .. } => state.fees.contains(payment_ref),
        PaymentEvent::PaymentReturned { payment_ref, .. } => state.returned.contains(payment_ref),
        PaymentEvent::RefundIssued { cause_event_id, .. } => {
            state.refunds.get(cause_event_id).is_some_and(|(_, issued)| *issued)
        }
        PaymentEvent::RefundFailed { cause_event_id, .. } => state.refunds.contains_key(cause_event_id),
        PaymentEvent::TransferCreated { .. } => state.transfer.is_some(),
        PaymentEvent::TransferFailed { .. } => state.transfer.is_some(),
        PaymentEvent::TransferReversed { cause_event_id, .. } => {
            state.reversals.get(cause_event_id).is_some_and(|(_, done)| *done)
        }
        PaymentEvent::TransferReversalPending { cause_event_id, .. } => {
            state.reversals.contains_key(cause_event_id)
        }
    };
    Ok(if repeated { vec![] } else { vec![event] })
}
