//! Payments: the [`Gateway`] port and its two adapters, webhook verification,
//! and the process manager that makes every provider call.
//!
//! - [`stripe`]: Stripe Connect on async-stripe (separate charges and transfers).
//! - [`simulated`]: the default with no Stripe key: a checkout page served by
//!   salle whose buttons produce Stripe-shaped events, signed with a local
//!   secret and delivered through the same webhook pipeline.
//! - [`webhook`]: signature verification on the raw body and what each
//!   provider event records.
//! - [`process`]: follows the log; each provider call is driven by one event
//!   and carries an idempotency key derived from that event's id.
//!
//! The port is an enum rather than a trait object: two adapters, known at
//! compile time, and async methods without boxing.

pub mod simulated;
pub mod stripe;
pub mod webhook;

use chrono::{DateTime, Utc};
use salle_events::catalog::Money;
pub use salle_projections::ledger::MovementKind;
use uuid::Uuid;

pub use simulated::SimulatedGateway;
pub use stripe::StripeGateway;

/// The canonical Stripe objects (from Stripe's own OpenAPI fixtures, MIT,
/// stripe/openapi `fixtures3.json`) the simulated provider fills in, so that
/// its events are exactly what Stripe's typed client reads.
pub const STRIPE_FIXTURES: &str = include_str!("stripe_fixtures.json");

/// A refusal or failure of the provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// The card or the payment was declined (402).
    #[error("payment declined: {0}")]
    Declined(String),
    /// The request cannot succeed as sent (400, 404, a reused idempotency key).
    #[error("request refused by the provider: {0}")]
    Refused(String),
    /// The connected account's balance cannot cover a transfer reversal.
    #[error("insufficient funds on the connected account: {0}")]
    InsufficientFunds(String),
    /// Rate limited, a provider error or the network: the same call with the
    /// same idempotency key may be tried again.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
}

impl GatewayError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A checkout for one attempt to pay a booking.
#[derive(Debug, Clone)]
pub struct NewCheckout {
    pub payment_id: Uuid,
    pub booking_id: Uuid,
    pub amount: Money,
    /// What the association sees on the provider's page.
    pub description: String,
    /// Unix seconds; the checkout closes then.
    pub expires_at: i64,
    pub success_url: String,
    pub cancel_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedCheckout {
    pub checkout_ref: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct NewRefund {
    pub booking_id: Uuid,
    pub payment_ref: String,
    pub amount: Money,
}

#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub booking_id: Uuid,
    pub destination: String,
    pub amount: Money,
}

#[derive(Debug, Clone)]
pub struct NewReversal {
    pub booking_id: Uuid,
    pub transfer_ref: String,
    pub amount: Money,
}

/// The payment provider salle talks to.
#[derive(Debug, Clone)]
pub enum Gateway {
    /// Boxed: the HTTP client is large, and the simulated adapter small.
    Stripe(Box<StripeGateway>),
    Simulated(SimulatedGateway),
    /// No provider configured: every call is refused, saying so.
    Off,
}

/// What a call to the provider gets when there is none.
fn off() -> GatewayError {
    GatewayError::Refused(
        "le paiement en ligne n'est pas configuré sur ce site (STRIPE_SECRET_KEY, \
         ou SALLE_PAYMENTS=simulated pour une démonstration)"
            .into(),
    )
}

impl Gateway {
    /// `stripe` or `simulated`, as recorded in the events.
    pub fn provider(&self) -> &'static str {
        match self {
            Self::Stripe(_) => "stripe",
            Self::Simulated(_) => "simulated",
            Self::Off => "off",
        }
    }

    /// The secrets a webhook signature may be made with (more than one while
    /// a secret is being rotated).
    pub fn webhook_secrets(&self) -> &[String] {
        match self {
            Self::Stripe(g) => g.webhook_secrets(),
            Self::Simulated(g) => g.webhook_secrets(),
            Self::Off => &[],
        }
    }

    pub async fn create_checkout(&self, c: &NewCheckout, key: &str) -> Result<OpenedCheckout, GatewayError> {
        match self {
            Self::Stripe(g) => g.create_checkout(c, key).await,
            Self::Simulated(g) => {
                let made = g.create_checkout(c, key)?;
                g.save().await?;
                Ok(made)
            }
            Self::Off => Err(off()),
        }
    }

    /// What the provider kept on a payment, when it says.
    pub async fn payment_fee(&self, payment_ref: &str) -> Result<Option<Money>, GatewayError> {
        match self {
            Self::Stripe(g) => g.payment_fee(payment_ref).await,
            Self::Simulated(g) => g.payment_fee(payment_ref),
            Self::Off => Err(off()),
        }
    }

    /// Returns the refund's reference.
    pub async fn refund(&self, r: &NewRefund, key: &str) -> Result<String, GatewayError> {
        match self {
            Self::Stripe(g) => g.refund(r, key).await,
            Self::Simulated(g) => {
                let made = g.refund(r, key)?;
                g.save().await?;
                Ok(made)
            }
            Self::Off => Err(off()),
        }
    }

    /// Returns the transfer's reference.
    pub async fn transfer(&self, t: &NewTransfer, key: &str) -> Result<String, GatewayError> {
        match self {
            Self::Stripe(g) => g.transfer(t, key).await,
            Self::Simulated(g) => {
                let made = g.transfer(t, key)?;
                g.save().await?;
                Ok(made)
            }
            Self::Off => Err(off()),
        }
    }

    /// Returns the reversal's reference.
    pub async fn reverse_transfer(&self, r: &NewReversal, key: &str) -> Result<String, GatewayError> {
        match self {
            Self::Stripe(g) => g.reverse_transfer(r, key).await,
            Self::Simulated(g) => {
                let made = g.reverse_transfer(r, key)?;
                g.save().await?;
                Ok(made)
            }
            Self::Off => Err(off()),
        }
    }

    /// Creates the establishment's connected account; returns its reference.
    pub async fn create_account(&self, establishment_id: Uuid, key: &str) -> Result<String, GatewayError> {
        match self {
            Self::Stripe(g) => g.create_account(establishment_id, key).await,
            Self::Simulated(g) => Ok(g.create_account(establishment_id)),
            Self::Off => Err(off()),
        }
    }

    /// The provider's records of charges, refunds, transfers, reversals and
    /// payouts, for a reconciliation with the ledger.
    pub async fn records(&self, q: &RecordsQuery) -> Result<Vec<ProviderRecord>, GatewayError> {
        let all = match self {
            Self::Stripe(g) => g.records(q).await?,
            Self::Simulated(g) => g
                .records(q.from, q.to)
                .await?
                .into_iter()
                .filter_map(|o| {
                    let kind = MovementKind::ALL.into_iter().find(|k| k.as_str() == o.kind)?;
                    Some(ProviderRecord {
                        kind,
                        id: o.id,
                        amount_cents: o.amount_cents,
                        booking_id: o.booking_id,
                        account: o.account,
                        parent: o.parent,
                        created: o.created,
                    })
                })
                .collect(),
            Self::Off => vec![],
        };
        Ok(all
            .into_iter()
            .filter(|r| q.kinds.contains(&r.kind))
            .filter(|r| match r.kind {
                MovementKind::Transfer | MovementKind::Reversal | MovementKind::Payout => {
                    r.account.as_ref().is_some_and(|a| q.accounts.contains(a))
                }
                MovementKind::Charge | MovementKind::Refund => true,
            })
            .collect())
    }

    /// Where the manager completes the account's onboarding.
    pub async fn onboarding_link(
        &self,
        account_ref: &str,
        return_url: &str,
        refresh_url: &str,
    ) -> Result<String, GatewayError> {
        match self {
            Self::Stripe(g) => g.onboarding_link(account_ref, return_url, refresh_url).await,
            Self::Simulated(g) => Ok(g.onboarding_link(account_ref)),
            Self::Off => Err(off()),
        }
    }
}

/// One object of the provider's records, as a reconciliation reads them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProviderRecord {
    pub kind: MovementKind,
    /// The provider's id (`pi_…`, `re_…`, `tr_…`, `trr_…`, `po_…`).
    pub id: String,
    pub amount_cents: i64,
    /// From the object's metadata (or its transfer group), when it has one.
    pub booking_id: Option<Uuid>,
    /// The connected account a transfer went to, a reversal came from or a payout left.
    pub account: Option<String>,
    /// The payment a refund gives back, the transfer a reversal takes from.
    pub parent: Option<String>,
    pub created: DateTime<Utc>,
}

/// What to read from the provider's records: objects created in `[from,
/// to)`, and for transfers, reversals and payouts, those of `accounts` only.
#[derive(Debug, Clone)]
pub struct RecordsQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub accounts: Vec<String>,
    pub kinds: Vec<MovementKind>,
}

/// The idempotency key of the provider call that `event_id` drives.
pub fn idempotency_key(step: &str, event_id: Uuid) -> String {
    format!("salle-{step}-{event_id}")
}
