//! The Stripe adapter, on async-stripe 1.0 (split crates): Connect with
//! separate charges and transfers. The association pays the platform through
//! a Checkout Session; after the slot the booking's amount is transferred to
//! the establishment's connected account with `transfer_group` = booking id;
//! a refund after settlement reverses that transfer.
//!
//! Every call carries the idempotency key the process manager derived from
//! the event that asked for it. Where Stripe says a retry is safe (429, 5xx,
//! the network), the call is tried again with the same key, a few times with
//! growing pauses; a declined card (402) or a refused request (400, including
//! a key reused with other parameters) is answered at once.

use std::time::Duration;

use salle_events::catalog::Money;
use stripe::{Client, ClientBuilder, StripeError};
use stripe_client_core::{IdempotencyKey, RequestStrategy, StripeRequest};
use uuid::Uuid;

use chrono::{DateTime, Utc};

use super::{
    GatewayError, MovementKind, NewCheckout, NewRefund, NewReversal, NewTransfer, OpenedCheckout,
    ProviderRecord, RecordsQuery,
};

/// Attempts of one call (the first and the retries), each with the same key.
const ATTEMPTS: u32 = 3;

/// Every object of a list, page after page (`starting_after` the last id),
/// on the platform or, with `Some(account)`, on a connected account.
/// async-stripe's own paginator cannot address a connected account, which
/// payouts need, so the loop is written here once for every list.
macro_rules! every {
    ($gateway:expr, $account:expr, |$after:ident| $request:expr) => {{
        let mut all = Vec::new();
        let mut $after: Option<String> = None;
        loop {
            let request = $request;
            let account: Option<&str> = $account;
            let page = $gateway
                .read(|s| {
                    let mut call = request.customize().request_strategy(s);
                    if let Some(account) = account {
                        call = call.account_id(stripe_shared::AccountId::from(account));
                    }
                    call.send(&$gateway.client)
                })
                .await?;
            let more = page.has_more;
            $after = page.data.last().map(|o| o.id.as_str().to_owned());
            all.extend(page.data);
            if !more || $after.is_none() {
                break;
            }
        }
        all
    }};
}

/// Sends a request with an idempotency key through [`StripeGateway::send`]
/// (a closure, because the request's output type is only nameable through
/// the client's own deserialisation trait).
macro_rules! send {
    ($gateway:expr, $request:expr, $key:expr) => {
        $gateway.send($key, |s| $request.customize().request_strategy(s).send(&$gateway.client))
    };
}

#[derive(Clone)]
pub struct StripeGateway {
    client: Client,
    secrets: Vec<String>,
    retry_pause: Duration,
    /// Objects per page of a list (Stripe allows 1 to 100).
    page_size: i64,
}

impl std::fmt::Debug for StripeGateway {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeGateway").field("webhook_secrets", &self.secrets.len()).finish_non_exhaustive()
    }
}

impl StripeGateway {
    /// `api_base` is Stripe's (`https://api.stripe.com/`) or a test fake's.
    pub fn new(
        secret_key: &str,
        webhook_secrets: Vec<String>,
        api_base: Option<&str>,
    ) -> Result<Self, GatewayError> {
        let mut builder = ClientBuilder::new(secret_key).timeout(Duration::from_secs(30));
        if let Some(base) = api_base {
            builder = builder.url(base);
        }
        let client = builder.build().map_err(|e| GatewayError::Refused(format!("Stripe client: {e}")))?;
        Ok(Self { client, secrets: webhook_secrets, retry_pause: Duration::from_millis(500), page_size: 100 })
    }

    /// Pause before the first retry (doubled each time); tests shorten it.
    pub fn with_retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    /// Objects per page of a list; tests shorten it to see several pages.
    pub fn with_page_size(mut self, size: i64) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }

    pub fn webhook_secrets(&self) -> &[String] {
        &self.secrets
    }

    /// Runs `call` with `key`, again with the same key where a retry is safe.
    async fn send<T, F, Fut>(&self, key: &str, call: F) -> Result<T, GatewayError>
    where
        F: Fn(RequestStrategy) -> Fut,
        Fut: std::future::Future<Output = Result<T, StripeError>>,
    {
        let key = IdempotencyKey::new(key).map_err(|e| GatewayError::Refused(e.to_string()))?;
        self.attempts(RequestStrategy::Idempotent(key), call).await
    }

    /// Runs a read (a GET, which takes no idempotency key), again where a
    /// retry is safe.
    async fn read<T, F, Fut>(&self, call: F) -> Result<T, GatewayError>
    where
        F: Fn(RequestStrategy) -> Fut,
        Fut: std::future::Future<Output = Result<T, StripeError>>,
    {
        self.attempts(RequestStrategy::Once, call).await
    }

    async fn attempts<T, F, Fut>(&self, strategy: RequestStrategy, call: F) -> Result<T, GatewayError>
    where
        F: Fn(RequestStrategy) -> Fut,
        Fut: std::future::Future<Output = Result<T, StripeError>>,
    {
        let mut pause = self.retry_pause;
        let mut attempt = 1;
        loop {
            match call(strategy.clone()).await {
                Ok(output) => return Ok(output),
                Err(e) => {
                    let error = classify(e);
                    if !error.is_retryable() || attempt == ATTEMPTS {
                        return Err(error);
                    }
                    tracing::info!(attempt, error = %error, "Stripe call failed; retrying with the same key");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                    attempt += 1;
                }
            }
        }
    }

    pub async fn create_checkout(&self, c: &NewCheckout, key: &str) -> Result<OpenedCheckout, GatewayError> {
        use stripe_checkout::checkout_session::{
            CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
            CreateCheckoutSessionPaymentIntentData, ProductData,
        };
        let metadata = metadata(c.booking_id, Some(c.payment_id));
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(stripe_types::Currency::EUR);
        price.unit_amount = Some(c.amount.amount_cents);
        price.product_data = Some(ProductData::new(c.description.clone()));
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price_data = Some(price);
        item.quantity = Some(1);
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(metadata.clone());
        intent.transfer_group = Some(c.booking_id.to_string());
        intent.description = Some(c.description.clone());
        let request = CreateCheckoutSession::new()
            .mode(stripe_shared::CheckoutSessionMode::Payment)
            .line_items(vec![item])
            .payment_intent_data(intent)
            .metadata(metadata)
            .client_reference_id(c.booking_id.to_string())
            .expires_at(c.expires_at)
            .locale(stripe_shared::CheckoutSessionLocale::Fr)
            .success_url(c.success_url.clone())
            .cancel_url(c.cancel_url.clone());
        let session = send!(self, request, key).await?;
        let url =
            session.url.clone().ok_or_else(|| GatewayError::Refused("the session has no URL".into()))?;
        Ok(OpenedCheckout { checkout_ref: session.id.as_str().to_owned(), url })
    }

    pub async fn payment_fee(&self, payment_ref: &str) -> Result<Option<Money>, GatewayError> {
        use stripe_core::payment_intent::RetrievePaymentIntent;
        let request =
            RetrievePaymentIntent::new(payment_ref).expand(vec!["latest_charge.balance_transaction".into()]);
        let intent = self.read(|s| request.customize().request_strategy(s).send(&self.client)).await?;
        let fee = intent.latest_charge.as_ref().and_then(|charge| match charge {
            stripe_types::Expandable::Object(charge) => match charge.balance_transaction.as_ref() {
                Some(stripe_types::Expandable::Object(bt)) => Some(Money::eur(bt.fee)),
                _ => None,
            },
            stripe_types::Expandable::Id(_) => None,
        });
        Ok(fee)
    }

    pub async fn refund(&self, r: &NewRefund, key: &str) -> Result<String, GatewayError> {
        use stripe_core::refund::CreateRefund;
        let request = CreateRefund::new()
            .payment_intent(r.payment_ref.clone())
            .amount(r.amount.amount_cents)
            .metadata(metadata(r.booking_id, None));
        Ok(send!(self, request, key).await?.id.as_str().to_owned())
    }

    pub async fn transfer(&self, t: &NewTransfer, key: &str) -> Result<String, GatewayError> {
        use stripe_connect::transfer::CreateTransfer;
        let request = CreateTransfer::new(stripe_types::Currency::EUR, t.destination.clone())
            .amount(t.amount.amount_cents)
            .transfer_group(t.booking_id.to_string())
            .metadata(metadata(t.booking_id, None));
        Ok(send!(self, request, key).await?.id.as_str().to_owned())
    }

    pub async fn reverse_transfer(&self, r: &NewReversal, key: &str) -> Result<String, GatewayError> {
        use stripe_connect::transfer_reversal::CreateIdTransferReversal;
        let request = CreateIdTransferReversal::new(r.transfer_ref.as_str())
            .amount(r.amount.amount_cents)
            .metadata(metadata(r.booking_id, None));
        Ok(send!(self, request, key).await?.id.as_str().to_owned())
    }

    pub async fn create_account(&self, establishment_id: Uuid, key: &str) -> Result<String, GatewayError> {
        use stripe_connect::account::{
            CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers, CreateAccountType,
        };
        let mut capabilities = CreateAccountCapabilities::new();
        let mut transfers = CreateAccountCapabilitiesTransfers::new();
        transfers.requested = Some(true);
        capabilities.transfers = Some(transfers);
        let request = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .country("FR")
            .default_currency(stripe_types::Currency::EUR)
            .capabilities(capabilities)
            .metadata(std::collections::HashMap::from([(
                "establishment_id".to_owned(),
                establishment_id.to_string(),
            )]));
        Ok(send!(self, request, key).await?.id.as_str().to_owned())
    }

    pub async fn onboarding_link(
        &self,
        account_ref: &str,
        return_url: &str,
        refresh_url: &str,
    ) -> Result<String, GatewayError> {
        use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
        let request = CreateAccountLink::new(account_ref, CreateAccountLinkType::AccountOnboarding)
            .return_url(return_url)
            .refresh_url(refresh_url);
        // An account link is single-use and short-lived: a fresh one each time.
        let key = format!("salle-link-{}", Uuid::now_v7());
        Ok(send!(self, request, &key).await?.url)
    }
}

impl StripeGateway {
    /// The records a reconciliation compares: succeeded PaymentIntents
    /// (what salle calls a charge, by the `pi_…` its refunds refer to),
    /// refunds that did not fail, transfers to the accounts asked for and
    /// their reversals, and those accounts' payouts that did not fail.
    pub async fn records(&self, q: &RecordsQuery) -> Result<Vec<ProviderRecord>, GatewayError> {
        use stripe_connect::transfer::ListTransfer;
        use stripe_connect::transfer_reversal::ListIdTransferReversal;
        use stripe_core::payment_intent::ListPaymentIntent;
        use stripe_core::payout::ListPayout;
        use stripe_core::refund::ListRefund;
        use stripe_types::{RangeBoundsTs, RangeQueryTs};
        let window = RangeQueryTs::Bounds(RangeBoundsTs {
            gte: Some(q.from.timestamp()),
            lt: Some(q.to.timestamp()),
            ..RangeBoundsTs::default()
        });
        let wants = |k: MovementKind| q.kinds.contains(&k);
        let mut out = Vec::new();
        if wants(MovementKind::Charge) {
            let intents = every!(self, None, |after| {
                let r = ListPaymentIntent::new().limit(self.page_size).created(window);
                match &after {
                    Some(a) => r.starting_after(a.clone()),
                    None => r,
                }
            });
            for pi in intents {
                if pi.status != stripe_shared::PaymentIntentStatus::Succeeded {
                    continue;
                }
                out.push(ProviderRecord {
                    kind: MovementKind::Charge,
                    id: pi.id.as_str().to_owned(),
                    amount_cents: pi.amount_received,
                    booking_id: booking_of(Some(&pi.metadata), pi.transfer_group.as_deref()),
                    account: None,
                    parent: None,
                    created: at(pi.created),
                });
            }
        }
        if wants(MovementKind::Refund) {
            let refunds = every!(self, None, |after| {
                let r = ListRefund::new().limit(self.page_size).created(window);
                match &after {
                    Some(a) => r.starting_after(a.clone()),
                    None => r,
                }
            });
            for refund in refunds {
                if matches!(refund.status.as_deref(), Some("failed" | "canceled")) {
                    continue;
                }
                out.push(ProviderRecord {
                    kind: MovementKind::Refund,
                    id: refund.id.as_str().to_owned(),
                    amount_cents: refund.amount,
                    booking_id: booking_of(refund.metadata.as_ref(), None),
                    account: None,
                    parent: refund.payment_intent.as_ref().map(|p| p.id().as_str().to_owned()),
                    created: at(refund.created),
                });
            }
        }
        for account in &q.accounts {
            if wants(MovementKind::Transfer) || wants(MovementKind::Reversal) {
                // Reversals of older transfers may fall in the window: every
                // transfer up to its end is read.
                let until = RangeQueryTs::Bounds(RangeBoundsTs {
                    lt: Some(q.to.timestamp()),
                    ..RangeBoundsTs::default()
                });
                let transfers = every!(self, None, |after| {
                    let r =
                        ListTransfer::new().limit(self.page_size).destination(account.clone()).created(until);
                    match &after {
                        Some(a) => r.starting_after(a.clone()),
                        None => r,
                    }
                });
                for transfer in transfers {
                    let booking_id = booking_of(Some(&transfer.metadata), transfer.transfer_group.as_deref());
                    let created = at(transfer.created);
                    if wants(MovementKind::Transfer) && q.from <= created {
                        out.push(ProviderRecord {
                            kind: MovementKind::Transfer,
                            id: transfer.id.as_str().to_owned(),
                            amount_cents: transfer.amount,
                            booking_id,
                            account: Some(account.clone()),
                            parent: None,
                            created,
                        });
                    }
                    if !wants(MovementKind::Reversal) || transfer.amount_reversed == 0 {
                        continue;
                    }
                    let reversals = if transfer.reversals.has_more {
                        every!(self, None, |after| {
                            let r = ListIdTransferReversal::new(transfer.id.clone()).limit(self.page_size);
                            match &after {
                                Some(a) => r.starting_after(a.clone()),
                                None => r,
                            }
                        })
                    } else {
                        transfer.reversals.data.clone()
                    };
                    for reversal in reversals {
                        let created = at(reversal.created);
                        if q.from <= created && created < q.to {
                            out.push(ProviderRecord {
                                kind: MovementKind::Reversal,
                                id: reversal.id.as_str().to_owned(),
                                amount_cents: reversal.amount,
                                booking_id: booking_of(reversal.metadata.as_ref(), None).or(booking_id),
                                account: Some(account.clone()),
                                parent: Some(transfer.id.as_str().to_owned()),
                                created,
                            });
                        }
                    }
                }
            }
            if wants(MovementKind::Payout) {
                let payouts = every!(self, Some(account.as_str()), |after| {
                    let r = ListPayout::new().limit(self.page_size).created(window);
                    match &after {
                        Some(a) => r.starting_after(a.clone()),
                        None => r,
                    }
                });
                for payout in payouts {
                    if matches!(payout.status.as_str(), "failed" | "canceled") {
                        continue;
                    }
                    out.push(ProviderRecord {
                        kind: MovementKind::Payout,
                        id: payout.id.as_str().to_owned(),
                        amount_cents: payout.amount,
                        booking_id: None,
                        account: Some(account.clone()),
                        parent: None,
                        created: at(payout.created),
                    });
                }
            }
        }
        Ok(out)
    }
}

fn at(timestamp: stripe_types::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(timestamp, 0).unwrap_or_default()
}

/// The booking an object was made for: its `booking_id` metadata, or the
/// transfer group salle sets to the booking's id.
fn booking_of(
    metadata: Option<&std::collections::HashMap<String, String>>,
    transfer_group: Option<&str>,
) -> Option<Uuid> {
    metadata
        .and_then(|m| m.get("booking_id"))
        .map(String::as_str)
        .or(transfer_group)
        .and_then(|b| b.parse().ok())
}

fn metadata(booking_id: Uuid, payment_id: Option<Uuid>) -> std::collections::HashMap<String, String> {
    let mut m = std::collections::HashMap::from([("booking_id".to_owned(), booking_id.to_string())]);
    if let Some(payment_id) = payment_id {
        m.insert("payment_id".to_owned(), payment_id.to_string());
    }
    m
}

/// Stripe's answer as a [`GatewayError`]: what may be retried with the same key.
fn classify(e: StripeError) -> GatewayError {
    match e {
        StripeError::Stripe(api, status) => {
            let message = api.message.clone().unwrap_or_else(|| format!("HTTP {status}"));
            let code = api.code.as_ref().map(|c| c.as_str().to_owned()).unwrap_or_default();
            match status {
                402 => GatewayError::Declined(message),
                429 | 500..=599 => GatewayError::Unavailable(message),
                409 if code == "idempotency_key_in_use" => GatewayError::Unavailable(message),
                _ if code == "balance_insufficient" || code == "insufficient_funds" => {
                    GatewayError::InsufficientFunds(message)
                }
                _ => GatewayError::Refused(message),
            }
        }
        StripeError::ClientError(m) => GatewayError::Unavailable(m),
        StripeError::Timeout => GatewayError::Unavailable("timeout".into()),
        StripeError::JSONDeserialize(m) => GatewayError::Refused(format!("unreadable answer: {m}")),
        StripeError::ConfigError(m) => GatewayError::Refused(m),
    }
}
