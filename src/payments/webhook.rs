//! Provider events: verified on the raw body, read into a [`Notice`], and
//! recorded on the stream they concern.
//!
//! Verification is async-stripe's own `Webhook::construct_event`: HMAC-SHA256
//! over `t.body`, any matching `v1` accepted (several during a secret's
//! rotation), a constant-time comparison, 300 s of tolerance. Each configured
//! secret is tried in turn. Nothing about the secret or the signature is ever
//! logged.
//!
//! De-duplication: the event recorded from a notice carries the provider's
//! event id (or the object the provider answered about), and the aggregate
//! refuses to record it twice; the store's expected-version check makes two
//! concurrent deliveries of one event record it once, in the same
//! transaction as the effect.

use chrono::{DateTime, TimeZone, Utc};
use salle_events::Metadata;
use salle_events::catalog::Money;
use salle_events::catalog::payment::PaymentEvent;
use stripe_webhook::{EventObject, Webhook};
use uuid::Uuid;

use super::Gateway;
use crate::commands::{CommandError, Commands};
use crate::domain::ErrorKind;
use crate::domain::establishment::EstablishmentCommand;

/// Name of the actor in the metadata of the events webhooks cause.
pub const ACTOR: &str = "payment-provider";

/// Why a delivery was refused (answered 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("the Stripe-Signature header is missing")]
    MissingSignature,
    #[error("the body is not UTF-8")]
    NotUtf8,
    #[error("no configured secret verifies the signature")]
    BadSignature,
    #[error("the signature's timestamp is outside the 300 s tolerance")]
    Stale,
    #[error("the Stripe-Signature header is malformed")]
    MalformedHeader,
    #[error("the event cannot be read: {0}")]
    Unreadable(String),
}

impl Rejected {
    /// Every reason's code, as `/metrics` labels them.
    pub const CODES: [&'static str; 6] =
        ["missing_signature", "not_utf8", "bad_signature", "stale", "malformed_header", "unreadable"];

    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingSignature => Self::CODES[0],
            Self::NotUtf8 => Self::CODES[1],
            Self::BadSignature => Self::CODES[2],
            Self::Stale => Self::CODES[3],
            Self::MalformedHeader => Self::CODES[4],
            Self::Unreadable(_) => Self::CODES[5],
        }
    }
}

/// What a verified provider event tells salle.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    CheckoutCompleted {
        provider_event_id: String,
        booking_id: Uuid,
        payment_id: Uuid,
        payment_ref: String,
        amount: Money,
    },
    CheckoutEnded {
        provider_event_id: String,
        booking_id: Uuid,
        payment_id: Uuid,
        /// `declined` or `expired`.
        code: &'static str,
        message: String,
    },
    AccountUpdated {
        provider_event_id: String,
        created: DateTime<Utc>,
        account_ref: String,
        establishment_id: Uuid,
        can_receive_transfers: bool,
        details_submitted: bool,
    },
    /// A verified event salle does not act on (or cannot tie to a booking).
    Ignored { provider_event_id: String, kind: String },
}

/// Verifies the delivery against each secret and reads it.
pub fn verify(
    payload: &[u8],
    signature: Option<&str>,
    secrets: &[String],
    now: DateTime<Utc>,
) -> Result<Notice, Rejected> {
    let signature = signature.ok_or(Rejected::MissingSignature)?;
    let payload = std::str::from_utf8(payload).map_err(|_| Rejected::NotUtf8)?;
    let mut rejected = Rejected::BadSignature;
    for secret in secrets {
        match Webhook::construct_event_with_timestamp(payload, signature, secret, now.timestamp()) {
            Ok(event) => return Ok(notice(event)),
            Err(stripe_webhook::WebhookError::BadTimestamp(_)) => rejected = Rejected::Stale,
            Err(stripe_webhook::WebhookError::BadHeader(_)) => return Err(Rejected::MalformedHeader),
            Err(stripe_webhook::WebhookError::BadParse(reason)) => return Err(Rejected::Unreadable(reason)),
            Err(stripe_webhook::WebhookError::BadSignature | stripe_webhook::WebhookError::BadKey) => {}
        }
    }
    Err(rejected)
}

fn ids(metadata: Option<&std::collections::HashMap<String, String>>) -> Option<(Uuid, Uuid)> {
    let m = metadata?;
    Some((m.get("booking_id")?.parse().ok()?, m.get("payment_id")?.parse().ok()?))
}

fn notice(event: stripe_webhook::Event) -> Notice {
    let provider_event_id = event.id.as_str().to_owned();
    let kind = event.type_.as_str().to_owned();
    let ignored = |provider_event_id: String| Notice::Ignored { provider_event_id, kind: kind.clone() };
    match event.data.object {
        EventObject::CheckoutSessionCompleted(session) => {
            let paid = matches!(session.payment_status, stripe_shared::CheckoutSessionPaymentStatus::Paid);
            let (Some((booking_id, payment_id)), Some(intent), Some(amount), true) =
                (ids(session.metadata.as_ref()), session.payment_intent.as_ref(), session.amount_total, paid)
            else {
                return ignored(provider_event_id);
            };
            Notice::CheckoutCompleted {
                provider_event_id,
                booking_id,
                payment_id,
                payment_ref: intent.id().as_str().to_owned(),
                amount: Money::eur(amount),
            }
        }
        EventObject::CheckoutSessionExpired(session) => match ids(session.metadata.as_ref()) {
            Some((booking_id, payment_id)) => Notice::CheckoutEnded {
                provider_event_id,
                booking_id,
                payment_id,
                code: "expired",
                message: "La page de paiement a expiré sans paiement.".into(),
            },
            None => ignored(provider_event_id),
        },
        EventObject::PaymentIntentPaymentFailed(intent) => match ids(Some(&intent.metadata)) {
            Some((booking_id, payment_id)) => Notice::CheckoutEnded {
                provider_event_id,
                booking_id,
                payment_id,
                code: "declined",
                message: intent.last_payment_error.as_ref().and_then(|e| e.message.clone()).map_or_else(
                    || "Le paiement a été refusé.".into(),
                    |m| format!("Le paiement a été refusé : {m}"),
                ),
            },
            None => ignored(provider_event_id),
        },
        EventObject::AccountUpdated(account) => {
            let establishment_id = account
                .metadata
                .as_ref()
                .and_then(|m| m.get("establishment_id"))
                .and_then(|id| id.parse().ok());
            let Some(establishment_id) = establishment_id else { return ignored(provider_event_id) };
            let transfers_active = account
                .capabilities
                .as_ref()
                .and_then(|c| c.transfers.as_ref())
                .is_some_and(|status| matches!(status, stripe_shared::AccountCapabilitiesStatus::Active));
            Notice::AccountUpdated {
                provider_event_id,
                created: Utc.timestamp_opt(event.created, 0).single().unwrap_or_default(),
                account_ref: account.id.as_str().to_owned(),
                establishment_id,
                can_receive_transfers: transfers_active && account.payouts_enabled.unwrap_or(false),
                details_submitted: account.details_submitted.unwrap_or(false),
            }
        }
        _ => ignored(provider_event_id),
    }
}

/// Records what a verified notice says. A notice about something salle does
/// not know (an unknown booking, another platform's account) is logged and
/// acknowledged, so the provider stops sending it.
pub async fn record(commands: &Commands, notice: Notice, now: DateTime<Utc>) -> Result<(), CommandError> {
    let metadata = |correlation: Uuid| Metadata {
        correlation_id: Some(correlation),
        causation_id: None,
        actor: Some(ACTOR.into()),
    };
    let counted = match &notice {
        Notice::CheckoutCompleted { .. } => "succeeded",
        Notice::CheckoutEnded { code, .. } => code,
        Notice::AccountUpdated { .. } => "account_updated",
        Notice::Ignored { .. } => "ignored",
    };
    let outcome = match notice {
        Notice::CheckoutCompleted { provider_event_id, booking_id, payment_id, payment_ref, amount } => {
            let event = PaymentEvent::PaymentSucceeded {
                payment_id,
                amount,
                payment_ref,
                provider_event_id,
                at: now,
            };
            commands.record_payment_event(booking_id, event, &metadata(booking_id)).await.map(|_| ())
        }
        Notice::CheckoutEnded { provider_event_id, booking_id, payment_id, code, message } => {
            let event = PaymentEvent::CheckoutFailed {
                payment_id,
                code: code.into(),
                message,
                provider_event_id: Some(provider_event_id),
                at: now,
            };
            commands.record_payment_event(booking_id, event, &metadata(booking_id)).await.map(|_| ())
        }
        Notice::AccountUpdated {
            provider_event_id,
            created,
            account_ref,
            establishment_id,
            can_receive_transfers,
            details_submitted,
        } => {
            let command = EstablishmentCommand::RecordPayoutStatus {
                account_ref,
                can_receive_transfers,
                details_submitted,
                provider_event_id,
                provider_created: created,
            };
            commands
                .on_establishment(establishment_id, command, &metadata(establishment_id))
                .await
                .map(|_| ())
        }
        Notice::Ignored { provider_event_id, kind } => {
            tracing::debug!(provider_event_id, kind, "provider event not acted on");
            Ok(())
        }
    };
    if outcome.is_ok() {
        crate::metrics::payment_outcome(counted);
    }
    match outcome {
        Err(CommandError::Domain(e)) if e.kind == ErrorKind::NotFound => {
            tracing::warn!(code = e.code, "provider event about something salle does not know; acknowledged");
            Ok(())
        }
        other => other,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Not from the provider, or not readable: 400.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// Verified, but not recorded: 500, and the provider delivers it again.
    #[error(transparent)]
    NotRecorded(#[from] CommandError),
}

/// The webhook pipeline: verify the raw delivery, then record it. Stripe's
/// deliveries and the simulated provider's both come through here.
pub async fn receive(
    commands: &Commands,
    gateway: &Gateway,
    payload: &[u8],
    signature: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), ReceiveError> {
    let notice = verify(payload, signature, gateway.webhook_secrets(), now)?;
    record(commands, notice, now).await?;
    Ok(())
}
