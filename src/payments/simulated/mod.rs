//! The simulated provider: what salle uses when no Stripe key is configured,
//! so that a commune's embedded marketplace takes "payments" end to end with
//! no account anywhere.
//!
//! Over 500 lines: the whole fake provider — every call salle makes, each
//! answering as Stripe does with the same idempotency rules — and its tests,
//! in one place so that its behaviour can be read against Stripe's.
//!
//! It behaves like Stripe where salle can tell: references derive from the
//! idempotency key (the same key gives the same object; the same key with
//! other parameters is refused), the checkout is a page served by salle
//! (`/paiement/simule/…`), and paying or declining there produces
//! Stripe-shaped events — Stripe's own canonical objects with this payment's
//! ids, amounts and metadata — signed with a local secret and handed to the
//! same webhook pipeline as Stripe's. Fees follow Stripe's European card
//! price (1.5 % + 0.25 €).
//!
//! It also keeps what it did in memory (objects and connected balances), for
//! tests and for the reversal rule: a reversal larger than the connected
//! account's balance is refused as Stripe refuses it.

mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use salle_events::Store;
use salle_events::catalog::Money;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::payments::{
    GatewayError, NewCheckout, NewRefund, NewReversal, NewTransfer, OpenedCheckout, STRIPE_FIXTURES,
};

/// Namespace of the simulated references (UUIDv5 of the idempotency key).
const NAMESPACE: Uuid = Uuid::from_u128(0x0005_a11e_0000_4000_8000_0000_0000_51a1);

/// What the simulated provider did, one entry per distinct idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedObject {
    /// `checkout`, `charge`, `refund`, `transfer`, `reversal`, `payout`.
    pub kind: &'static str,
    pub id: String,
    pub amount_cents: i64,
    pub booking_id: Option<Uuid>,
    /// The connected account a transfer went to, a reversal came from or a
    /// payout left.
    pub account: Option<String>,
    /// The payment a refund gives back, the transfer a reversal takes from.
    pub parent: Option<String>,
    pub created: DateTime<Utc>,
    /// The parameters that were sent, to refuse a reused key with other ones.
    pub fingerprint: String,
}

/// Where an object belongs, besides its amount.
#[derive(Debug, Clone, Default)]
struct Belongs {
    booking_id: Option<Uuid>,
    account: Option<String>,
    parent: Option<String>,
}

const KINDS: [&str; 6] = ["checkout", "charge", "refund", "transfer", "reversal", "payout"];

#[derive(Debug, Default)]
struct Books {
    by_key: HashMap<String, SimulatedObject>,
    /// Connected account → balance in cents.
    balances: HashMap<String, i64>,
    /// The next calls that fail as the provider being down, per kind.
    outages: HashMap<&'static str, u32>,
    /// Objects made since the last [`SimulatedGateway::save`], with their keys.
    unsaved: Vec<(String, SimulatedObject)>,
}

#[derive(Debug, Clone)]
pub struct SimulatedGateway {
    public_url: String,
    secrets: Vec<String>,
    books: Arc<Mutex<Books>>,
    /// Where the provider keeps its records; in memory only without it.
    store: Option<Store>,
}

impl SimulatedGateway {
    /// `public_url` is where browsers reach salle (the checkout page's host).
    pub fn new(public_url: &str, secret: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            secrets: vec![secret.to_owned()],
            books: Arc::default(),
            store: None,
        }
    }

    /// Keeps the provider's records in `store` (table
    /// `simulated_provider_objects`), reading back what it already holds:
    /// the provider's side of the books then outlives the process, is shared
    /// by several processes and can be reconciled with the ledger.
    pub async fn with_store(mut self, store: Store) -> Result<Self, GatewayError> {
        let rows = store::load(&store).await.map_err(unavailable)?;
        {
            let mut books = self.books();
            for (key, object) in rows {
                apply_to_balances(&mut books.balances, &object);
                books.by_key.insert(key, object);
            }
        }
        self.store = Some(store);
        Ok(self)
    }

    /// Writes the objects made since the last call to the store (when there
    /// is one). A failure keeps them for the next call.
    pub async fn save(&self) -> Result<(), GatewayError> {
        let Some(store) = &self.store else {
            self.books().unsaved.clear();
            return Ok(());
        };
        let unsaved = std::mem::take(&mut self.books().unsaved);
        if let Err(e) = store::insert(store, &unsaved).await {
            self.books().unsaved.extend(unsaved);
            return Err(unavailable(e));
        }
        Ok(())
    }

    /// The provider's records created in `[from, to)`: from the store when
    /// there is one (every process's), or from memory.
    pub async fn records(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SimulatedObject>, GatewayError> {
        self.save().await?;
        let mut all = match &self.store {
            Some(store) => {
                store::load(store).await.map_err(unavailable)?.into_iter().map(|(_, o)| o).collect()
            }
            None => self.objects(),
        };
        all.retain(|o| from <= o.created && o.created < to);
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        Ok(all)
    }

    pub fn webhook_secrets(&self) -> &[String] {
        &self.secrets
    }

    /// The secret new events are signed with.
    pub fn signing_secret(&self) -> &str {
        self.secrets.first().map_or("", String::as_str)
    }

    fn reference(prefix: &str, key: &str) -> String {
        format!("{prefix}_sim_{}", Uuid::new_v5(&NAMESPACE, key.as_bytes()).simple())
    }

    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.books.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records an object under its key, or answers the one already made.
    fn once(
        &self,
        kind: &'static str,
        key: &str,
        fingerprint: String,
        amount_cents: i64,
        belongs: Belongs,
        make: impl FnOnce(&mut Books) -> Result<String, GatewayError>,
    ) -> Result<String, GatewayError> {
        let mut books = self.books();
        if let Some(left) = books.outages.get_mut(kind)
            && *left > 0
        {
            *left -= 1;
            return Err(GatewayError::Unavailable(format!("simulated outage of {kind}s")));
        }
        if let Some(existing) = books.by_key.get(key) {
            if existing.fingerprint != fingerprint {
                return Err(GatewayError::Refused(format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with ({key})"
                )));
            }
            return Ok(existing.id.clone());
        }
        let id = make(&mut books)?;
        let object = SimulatedObject {
            kind,
            id: id.clone(),
            amount_cents,
            booking_id: belongs.booking_id,
            account: belongs.account,
            parent: belongs.parent,
            created: Utc::now(),
            fingerprint,
        };
        books.unsaved.push((key.to_owned(), object.clone()));
        books.by_key.insert(key.to_owned(), object);
        Ok(id)
    }

    pub fn create_checkout(&self, c: &NewCheckout, key: &str) -> Result<OpenedCheckout, GatewayError> {
        let fingerprint = format!("{}:{}:{}", c.booking_id, c.payment_id, c.amount.amount_cents);
        let belongs = Belongs { booking_id: Some(c.booking_id), ..Belongs::default() };
        let checkout_ref = self.once("checkout", key, fingerprint, c.amount.amount_cents, belongs, |_| {
            Ok(format!("cs_sim_{}", c.payment_id.simple()))
        })?;
        Ok(OpenedCheckout {
            url: format!("{}/paiement/simule/{}/{}", self.public_url, c.booking_id, c.payment_id),
            checkout_ref,
        })
    }

    /// The payment a simulated checkout produces.
    pub fn payment_ref(payment_id: Uuid) -> String {
        format!("pi_sim_{}", payment_id.simple())
    }

    /// Stripe's European card price: 1.5 % + 0.25 €, rounded half up.
    pub fn fee_of(amount: Money) -> Money {
        let cents = (amount.amount_cents * 15 + 500) / 1000 + 25;
        Money { amount_cents: cents, ..amount }
    }

    pub fn payment_fee(&self, payment_ref: &str) -> Result<Option<Money>, GatewayError> {
        let books = self.books();
        Ok(books
            .by_key
            .values()
            .find(|o| o.kind == "charge" && o.id == payment_ref)
            .map(|o| Self::fee_of(Money::eur(o.amount_cents))))
    }

    /// The association pays on the checkout page: the provider charges the
    /// card and announces it with `checkout.session.completed`.
    pub fn pay(
        &self,
        checkout_ref: &str,
        booking_id: Uuid,
        payment_id: Uuid,
        amount: Money,
        at: DateTime<Utc>,
    ) -> String {
        self.record_charge(&Self::payment_ref(payment_id), booking_id, amount, at);
        checkout_completed(checkout_ref, booking_id, payment_id, amount, at)
    }

    /// Records a charge made on the simulated checkout page.
    fn record_charge(&self, payment_ref: &str, booking_id: Uuid, amount: Money, at: DateTime<Utc>) {
        let mut books = self.books();
        let key = format!("charge:{payment_ref}");
        if books.by_key.contains_key(&key) {
            return;
        }
        let object = SimulatedObject {
            kind: "charge",
            id: payment_ref.to_owned(),
            amount_cents: amount.amount_cents,
            booking_id: Some(booking_id),
            account: None,
            parent: None,
            created: at,
            fingerprint: String::new(),
        };
        books.unsaved.push((key.clone(), object.clone()));
        books.by_key.insert(key, object);
    }

    pub fn refund(&self, r: &NewRefund, key: &str) -> Result<String, GatewayError> {
        let fingerprint = format!("{}:{}", r.payment_ref, r.amount.amount_cents);
        let belongs =
            Belongs { booking_id: Some(r.booking_id), account: None, parent: Some(r.payment_ref.clone()) };
        self.once("refund", key, fingerprint, r.amount.amount_cents, belongs, |_| {
            Ok(Self::reference("re", key))
        })
    }

    pub fn transfer(&self, t: &NewTransfer, key: &str) -> Result<String, GatewayError> {
        let fingerprint = format!("{}:{}:{}", t.destination, t.booking_id, t.amount.amount_cents);
        let belongs =
            Belongs { booking_id: Some(t.booking_id), account: Some(t.destination.clone()), parent: None };
        self.once("transfer", key, fingerprint, t.amount.amount_cents, belongs, |books| {
            *books.balances.entry(t.destination.clone()).or_default() += t.amount.amount_cents;
            Ok(Self::reference("tr", key))
        })
    }

    pub fn reverse_transfer(&self, r: &NewReversal, key: &str) -> Result<String, GatewayError> {
        let fingerprint = format!("{}:{}", r.transfer_ref, r.amount.amount_cents);
        let destination = self
            .books()
            .by_key
            .values()
            .find(|o| o.kind == "transfer" && o.id == r.transfer_ref)
            .and_then(|o| o.account.clone());
        let Some(destination) = destination else {
            return Err(GatewayError::Refused(format!("No such transfer: '{}'", r.transfer_ref)));
        };
        let belongs = Belongs {
            booking_id: Some(r.booking_id),
            account: Some(destination.clone()),
            parent: Some(r.transfer_ref.clone()),
        };
        self.once("reversal", key, fingerprint, r.amount.amount_cents, belongs, |books| {
            let balance = books.balances.entry(destination.clone()).or_default();
            if *balance < r.amount.amount_cents {
                return Err(GatewayError::InsufficientFunds(format!(
                    "the connected account {destination} holds {} cents, {} needed",
                    *balance, r.amount.amount_cents
                )));
            }
            *balance -= r.amount.amount_cents;
            Ok(Self::reference("trr", key))
        })
    }

    /// The connected account pays its balance out to the establishment's
    /// bank (what Stripe does on the account's payout schedule); returns the
    /// payout's reference, or `None` when there is nothing to pay out.
    pub fn payout(&self, account_ref: &str, key: &str) -> Result<Option<String>, GatewayError> {
        let amount = self.balance(account_ref);
        if amount <= 0 {
            return Ok(None);
        }
        let belongs = Belongs { booking_id: None, account: Some(account_ref.to_owned()), parent: None };
        let fingerprint = format!("{account_ref}:{amount}");
        self.once("payout", key, fingerprint, amount, belongs, |books| {
            *books.balances.entry(account_ref.to_owned()).or_default() -= amount;
            Ok(Self::reference("po", key))
        })
        .map(Some)
    }

    pub fn create_account(&self, establishment_id: Uuid) -> String {
        format!("acct_sim_{}", establishment_id.simple())
    }

    pub fn onboarding_link(&self, account_ref: &str) -> String {
        format!("{}/paiement/simule/compte/{account_ref}", self.public_url)
    }

    /// Everything the provider made, for tests and diagnostics.
    pub fn objects(&self) -> Vec<SimulatedObject> {
        let mut all: Vec<_> = self.books().by_key.values().cloned().collect();
        all.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        all
    }

    /// The balance of a connected account, in cents.
    pub fn balance(&self, account_ref: &str) -> i64 {
        self.books().balances.get(account_ref).copied().unwrap_or(0)
    }

    /// Sets a connected account's balance (as if it had been paid out to the bank).
    pub fn set_balance(&self, account_ref: &str, cents: i64) {
        self.books().balances.insert(account_ref.to_owned(), cents);
    }

    /// Makes the next `calls` calls of a kind fail as if the provider were down.
    pub fn fail_next(&self, kind: &'static str, calls: u32) {
        self.books().outages.insert(kind, calls);
    }

    /// A signed `Stripe-Signature` header for `payload`.
    pub fn sign(&self, payload: &str, at: DateTime<Utc>) -> String {
        sign(payload, self.signing_secret(), at.timestamp())
    }
}

/// How an object moves a connected account's balance.
fn apply_to_balances(balances: &mut HashMap<String, i64>, object: &SimulatedObject) {
    let sign = match object.kind {
        "transfer" => 1,
        "reversal" | "payout" => -1,
        _ => return,
    };
    if let Some(account) = &object.account {
        *balances.entry(account.clone()).or_default() += sign * object.amount_cents;
    }
}

fn unavailable(e: sqlx::Error) -> GatewayError {
    GatewayError::Unavailable(format!("the simulated provider's records: {e}"))
}

/// Stripe's signature scheme: `t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`.
/// The verifying side is async-stripe's own (see `webhook`); this is the
/// signing side the simulated provider needs, which no crate offers outside
/// test helpers.
pub fn sign(payload: &str, secret: &str, timestamp: i64) -> String {
    use hmac::{KeyInit, Mac};
    // HMAC takes keys of any length: this never refuses.
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

fn fixture(resource: &str) -> Value {
    serde_json::from_str::<Value>(STRIPE_FIXTURES)
        .ok()
        .and_then(|all| all.get(resource).cloned())
        .unwrap_or_else(|| json!({}))
}

/// A Stripe event around `object`, as Stripe delivers it.
fn event(kind: &str, object: Value, account: Option<&str>, at: DateTime<Utc>) -> Value {
    let mut event = fixture("event");
    event["id"] = json!(format!("evt_sim_{}", Uuid::now_v7().simple()));
    event["type"] = json!(kind);
    event["created"] = json!(at.timestamp());
    event["api_version"] = Value::Null;
    event["data"] = json!({ "object": object });
    if let Some(account) = account {
        event["account"] = json!(account);
    }
    event
}

fn metadata(booking_id: Uuid, payment_id: Uuid) -> Value {
    json!({ "booking_id": booking_id.to_string(), "payment_id": payment_id.to_string() })
}

/// `checkout.session.completed`: the association paid (the event's JSON, as delivered).
pub fn checkout_completed(
    checkout_ref: &str,
    booking_id: Uuid,
    payment_id: Uuid,
    amount: Money,
    at: DateTime<Utc>,
) -> String {
    let mut session = fixture("checkout.session");
    session["id"] = json!(checkout_ref);
    session["amount_total"] = json!(amount.amount_cents);
    session["amount_subtotal"] = json!(amount.amount_cents);
    session["currency"] = json!("eur");
    session["client_reference_id"] = json!(booking_id.to_string());
    session["metadata"] = metadata(booking_id, payment_id);
    session["mode"] = json!("payment");
    session["payment_intent"] = json!(SimulatedGateway::payment_ref(payment_id));
    session["payment_status"] = json!("paid");
    session["status"] = json!("complete");
    session["created"] = json!(at.timestamp());
    event("checkout.session.completed", session, None, at).to_string()
}

/// `payment_intent.payment_failed`: the card was declined.
pub fn payment_failed(booking_id: Uuid, payment_id: Uuid, amount: Money, at: DateTime<Utc>) -> String {
    let mut intent = fixture("payment_intent");
    intent["id"] = json!(SimulatedGateway::payment_ref(payment_id));
    intent["amount"] = json!(amount.amount_cents);
    intent["currency"] = json!("eur");
    intent["metadata"] = metadata(booking_id, payment_id);
    intent["status"] = json!("requires_payment_method");
    intent["last_payment_error"] = json!({
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "generic_decline",
        "message": "Your card was declined."
    });
    event("payment_intent.payment_failed", intent, None, at).to_string()
}

/// `account.updated`: the establishment finished (or lost) its onboarding.
pub fn account_updated(account_ref: &str, establishment_id: Uuid, ready: bool, at: DateTime<Utc>) -> String {
    let mut account = fixture("account");
    account["id"] = json!(account_ref);
    account["country"] = json!("FR");
    account["default_currency"] = json!("eur");
    account["charges_enabled"] = json!(ready);
    account["payouts_enabled"] = json!(ready);
    account["details_submitted"] = json!(ready);
    account["metadata"] = json!({ "establishment_id": establishment_id.to_string() });
    account["capabilities"] = json!({ "transfers": if ready { "active" } else { "inactive" } });
    event("account.updated", account, Some(account_ref), at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_is_stripes_european_card_price() {
        assert_eq!(SimulatedGateway::fee_of(Money::eur(2500)), Money::eur(63));
        assert_eq!(SimulatedGateway::fee_of(Money::eur(10000)), Money::eur(175));
    }

    #[test]
    fn a_key_gives_one_object_and_refuses_other_parameters() {
        let g = SimulatedGateway::new("http://localhost", "whsec_test");
        let t =
            NewTransfer { booking_id: Uuid::nil(), destination: "acct_x".into(), amount: Money::eur(100) };
        let first = g.transfer(&t, "k");
        assert_eq!(first, g.transfer(&t, "k"));
        assert_eq!(g.balance("acct_x"), 100);
        let other = NewTransfer { amount: Money::eur(200), ..t };
        assert!(matches!(g.transfer(&other, "k"), Err(GatewayError::Refused(_))));
    }
}
