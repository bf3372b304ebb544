//! Events of a booking's payment stream (`payment-<booking uuid>`): what the
//! payment provider did for one booking — checkouts, the charge, its fee,
//! refunds, the transfer to the establishment and its reversals.
//!
//! The booking's own life (paid, completed, settled, cancelled) stays in the
//! room's stream; this stream holds the provider's side of it. Every event
//! that records a provider's answer carries the provider's reference, and the
//! events caused by a webhook carry the provider's event id: the payment
//! aggregate refuses to apply either twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::Money;

/// Why money goes back to the association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundCause {
    /// The booking was cancelled before its slot (the cancellation policy set the amount).
    Cancellation,
    /// The establishment granted money back after the slot.
    Goodwill,
    /// A payment arrived for a booking that no longer wanted it (expired,
    /// cancelled, or already paid): returned in full.
    PaymentReturned,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PaymentEvent {
    /// The association asked to pay an approved booking: one checkout attempt.
    CheckoutRequested {
        payment_id: Uuid,
        booking_id: Uuid,
        room_id: Uuid,
        establishment_id: Uuid,
        association_id: Uuid,
        amount: Money,
        /// When the booking expires unpaid; the checkout closes then.
        pay_by: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    /// The provider opened the checkout.
    CheckoutOpened {
        payment_id: Uuid,
        /// `stripe` or `simulated`.
        provider: String,
        checkout_ref: String,
        url: String,
        at: DateTime<Utc>,
    },
    /// The checkout could not be opened, or ended without payment.
    CheckoutFailed {
        payment_id: Uuid,
        /// Machine code: `declined`, `expired`, `provider_refused`.
        code: String,
        message: String,
        provider_event_id: Option<String>,
        at: DateTime<Utc>,
    },
    /// The association paid.
    PaymentSucceeded {
        payment_id: Uuid,
        amount: Money,
        /// The provider's payment (a PaymentIntent `pi_…`), what refunds and transfers refer to.
        payment_ref: String,
        provider_event_id: String,
        at: DateTime<Utc>,
    },
    /// What the provider kept for the payment; borne by the département.
    ProviderFeeRecorded { payment_ref: String, fee: Money, at: DateTime<Utc> },
    /// A payment the booking could not take: it goes back in full.
    PaymentReturned {
        payment_ref: String,
        amount: Money,
        /// Machine code: `booking_expired`, `booking_cancelled`, `already_paid`, `wrong_amount`.
        code: String,
        message: String,
        at: DateTime<Utc>,
    },
    /// Money went back to the association.
    RefundIssued {
        /// The event that asked for the refund (the idempotency key's source).
        cause_event_id: Uuid,
        cause: RefundCause,
        payment_ref: String,
        refund_ref: String,
        amount: Money,
        at: DateTime<Utc>,
    },
    /// The provider refused a refund; finance must act.
    RefundFailed {
        cause_event_id: Uuid,
        cause: RefundCause,
        amount: Money,
        message: String,
        at: DateTime<Utc>,
    },
    /// The booking's amount reached the establishment's connected account.
    TransferCreated {
        /// The `BookingCompleted` event that asked for it.
        cause_event_id: Uuid,
        transfer_ref: String,
        destination: String,
        amount: Money,
        at: DateTime<Utc>,
    },
    /// The transfer could not be made (no payable account yet, provider
    /// refusal); it is tried again.
    TransferFailed { cause_event_id: Uuid, message: String, at: DateTime<Utc> },
    /// Part of the transfer came back from the establishment's account to
    /// fund a refund after settlement.
    TransferReversed {
        cause_event_id: Uuid,
        transfer_ref: String,
        reversal_ref: String,
        amount: Money,
        at: DateTime<Utc>,
    },
    /// The establishment's account could not cover the reversal: the refund
    /// went out, and the reversal waits for the account to be funded.
    TransferReversalPending {
        cause_event_id: Uuid,
        transfer_ref: String,
        amount: Money,
        message: String,
        at: DateTime<Utc>,
    },
}

super::event_types!(PaymentEvent {
    CheckoutRequested,
    CheckoutOpened,
    CheckoutFailed,
    PaymentSucceeded,
    ProviderFeeRecorded,
    PaymentReturned,
    RefundIssued,
    RefundFailed,
    TransferCreated,
    TransferFailed,
    TransferReversed,
    TransferReversalPending,
});
