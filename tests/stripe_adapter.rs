//! The Stripe adapter against a strict fake of the Stripe API (wiremock),
//! answering with Stripe's own canonical objects (`fixtures3.json`, shipped
//! in src/payments) with ids, amounts and statuses set from the request.
//!
//! The fake behaves as Stripe does where salle depends on it: it requires the
//! secret key, a form body with each route's parameters and an
//! `Idempotency-Key` on every POST; it answers a repeated key with the first
//! answer, and a key reused with other parameters with Stripe's 400. Canned
//! failures — a declined card (402), rate limiting (429), a 500 — come first
//! when queued.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use salle::payments::{
    Gateway, GatewayError, MovementKind, NewCheckout, NewRefund, NewReversal, NewTransfer, RecordsQuery,
    STRIPE_FIXTURES, StripeGateway,
};
use salle_events::catalog::Money;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "sk_test_salle";

/// One request as the fake saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    form: BTreeMap<String, String>,
    idempotency_key: Option<String>,
}

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    /// key → (the body first sent with it, the answer given).
    keys: HashMap<String, (Vec<u8>, u16, Value)>,
    /// Failures to answer before anything else: (status, error body).
    failures: VecDeque<(u16, Value)>,
    violations: Vec<String>,
    next_id: u32,
    /// Every object made, newest last, as the list routes read them; a
    /// connected account's own objects (payouts) carry `_account`.
    objects: Vec<Value>,
}

#[derive(Clone, Default)]
struct StripeFake {
    state: Arc<Mutex<State>>,
}

fn fixture(name: &str) -> Value {
    serde_json::from_str::<Value>(STRIPE_FIXTURES).unwrap()[name].clone()
}

fn error(kind: &str, code: Option<&str>, message: &str) -> Value {
    json!({ "error": { "type": kind, "code": code, "message": message } })
}

impl StripeFake {
    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn fail_next(&self, status: u16, body: Value) {
        self.state.lock().unwrap().failures.push_back((status, body));
    }

    fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    /// An object Stripe made on its own (a PaymentIntent paid on the
    /// checkout page, a payout on the account's schedule).
    fn add(&self, object: Value) {
        self.state.lock().unwrap().objects.push(object);
    }

    /// A list page as Stripe answers it: newest first, `limit` objects after
    /// `starting_after`, `has_more` when some are left.
    fn list(
        state: &State,
        url: &str,
        form: &BTreeMap<String, String>,
        keep: impl Fn(&Value) -> bool,
    ) -> Value {
        let bound = |key: &str| form.get(key).and_then(|v| v.parse::<i64>().ok());
        let in_window = |o: &Value| {
            let created = o["created"].as_i64().unwrap_or(0);
            bound("created[gte]").is_none_or(|b| created >= b)
                && bound("created[lt]").is_none_or(|b| created < b)
        };
        let mut all: Vec<&Value> = state.objects.iter().filter(|o| keep(o) && in_window(o)).collect();
        all.reverse();
        if let Some(after) = form.get("starting_after") {
            let at = all.iter().position(|o| o["id"] == json!(after)).map_or(all.len(), |i| i + 1);
            all.drain(..at);
        }
        let limit = bound("limit").unwrap_or(10) as usize;
        let page: Vec<Value> = all.iter().take(limit).map(|o| (*o).clone()).collect();
        json!({ "object": "list", "url": url, "has_more": all.len() > limit, "data": page })
    }

    /// The object a route answers, filled from the request; or why the
    /// request is not what Stripe accepts.
    fn answer(
        state: &mut State,
        method: &str,
        path: &str,
        form: &BTreeMap<String, String>,
    ) -> Result<Value, String> {
        let need = |keys: &[&str]| -> Result<(), String> {
            match keys.iter().find(|k| !form.contains_key(**k)) {
                Some(k) => Err(format!("{method} {path}: missing parameter {k}")),
                None => Ok(()),
            }
        };
        let amount = |key: &str| form.get(key).and_then(|a| a.parse::<i64>().ok()).unwrap_or(0);
        let metadata: BTreeMap<String, String> = form
            .iter()
            .filter_map(|(k, v)| {
                Some((k.strip_prefix("metadata[")?.strip_suffix(']')?.to_owned(), v.clone()))
            })
            .collect();
        state.next_id += 1;
        let n = state.next_id;
        let parts: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
        let kind = |object: &'static str| {
            move |o: &Value| o["object"] == json!(object) && o.get("_account").is_none()
        };
        match (method, parts.as_slice()) {
            ("GET", ["payment_intents"]) => Ok(Self::list(state, path, form, kind("payment_intent"))),
            ("GET", ["refunds"]) => Ok(Self::list(state, path, form, kind("refund"))),
            ("GET", ["transfers"]) => {
                let destination = form.get("destination").cloned();
                Ok(Self::list(state, path, form, |o| {
                    kind("transfer")(o) && destination.as_ref().is_none_or(|d| o["destination"] == json!(d))
                }))
            }
            ("GET", ["transfers", transfer, "reversals"]) => Ok(Self::list(state, path, form, |o| {
                kind("transfer_reversal")(o) && o["transfer"] == json!(transfer)
            })),
            ("GET", ["payouts"]) => {
                let Some(account) = form.get("_stripe_account").cloned() else {
                    return Err(format!(
                        "{method} {path}: a connected account's payouts need Stripe-Account"
                    ));
                };
                Ok(Self::list(state, path, form, |o| {
                    o["object"] == json!("payout") && o["_account"] == json!(account)
                }))
            }
            ("POST", ["checkout", "sessions"]) => {
                need(&[
                    "mode",
                    "line_items[0][price_data][currency]",
                    "line_items[0][price_data][unit_amount]",
                    "line_items[0][price_data][product_data][name]",
                    "line_items[0][quantity]",
                    "payment_intent_data[transfer_group]",
                    "success_url",
                    "cancel_url",
                    "expires_at",
                    "metadata[booking_id]",
                    "metadata[payment_id]",
                ])?;
                let mut o = fixture("checkout.session");
                o["id"] = json!(format!("cs_test_{n}"));
                o["url"] = json!(format!("https://checkout.stripe.com/c/pay/cs_test_{n}"));
                o["amount_total"] = json!(amount("line_items[0][price_data][unit_amount]"));
                o["currency"] = json!("eur");
                o["mode"] = json!("payment");
                o["status"] = json!("open");
                o["payment_status"] = json!("unpaid");
                o["metadata"] = json!(metadata);
                o["expires_at"] = json!(amount("expires_at"));
                Ok(o)
            }
            ("GET", ["payment_intents", id]) => {
                let mut bt = fixture("balance_transaction");
                bt["fee"] = json!(63);
                let mut charge = fixture("charge");
                charge["balance_transaction"] = bt;
                let mut o = fixture("payment_intent");
                o["id"] = json!(id);
                o["status"] = json!("succeeded");
                o["latest_charge"] = charge;
                Ok(o)
            }
            ("POST", ["refunds"]) => {
                need(&["payment_intent", "amount", "metadata[booking_id]"])?;
                let mut o = fixture("refund");
                o["id"] = json!(format!("re_test_{n}"));
                o["amount"] = json!(amount("amount"));
                o["currency"] = json!("eur");
                o["payment_intent"] = json!(form["payment_intent"]);
                o["metadata"] = json!(metadata);
                o["status"] = json!("succeeded");
                Ok(o)
            }
            ("POST", ["transfers"]) => {
                need(&["amount", "currency", "destination", "transfer_group"])?;
                let mut o = fixture("transfer");
                o["id"] = json!(format!("tr_test_{n}"));
                o["amount"] = json!(amount("amount"));
                o["currency"] = json!("eur");
                o["destination"] = json!(form["destination"]);
                o["transfer_group"] = json!(form["transfer_group"]);
                o["metadata"] = json!(metadata);
                Ok(o)
            }
            ("POST", ["transfers", transfer, "reversals"]) => {
                need(&["amount"])?;
                let mut o = fixture("transfer_reversal");
                o["id"] = json!(format!("trr_test_{n}"));
                o["amount"] = json!(amount("amount"));
                o["currency"] = json!("eur");
                o["transfer"] = json!(transfer);
                o["metadata"] = json!(metadata);
                Ok(o)
            }
            ("POST", ["accounts"]) => {
                need(&[
                    "type",
                    "country",
                    "capabilities[transfers][requested]",
                    "metadata[establishment_id]",
                ])?;
                let mut o = fixture("account");
                o["id"] = json!(format!("acct_test_{n}"));
                o["metadata"] = json!(metadata);
                Ok(o)
            }
            ("POST", ["account_links"]) => {
                need(&["account", "type", "return_url", "refresh_url"])?;
                let mut o = fixture("account_link");
                o["url"] = json!(format!("https://connect.stripe.com/setup/e/{}/{n}", form["account"]));
                Ok(o)
            }
            _ => Err(format!("no such route in the fake: {method} {path}")),
        }
    }
}

impl Respond for StripeFake {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap();
        let method = request.method.to_string();
        let path = request.url.path().to_owned();
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
        let mut form: BTreeMap<String, String> = form_urlencoded::parse(&request.body).into_owned().collect();
        form.extend(query);
        let idempotency_key = header("idempotency-key");
        state.seen.push(Seen {
            method: method.clone(),
            path: path.clone(),
            form: form.clone(),
            idempotency_key: idempotency_key.clone(),
        });
        if header("authorization").as_deref() != Some(&format!("Bearer {KEY}")) {
            state.violations.push(format!("{method} {path}: no secret key"));
            return ResponseTemplate::new(401).set_body_json(error(
                "invalid_request_error",
                None,
                "No API key provided.",
            ));
        }
        if method == "POST" && idempotency_key.is_none() {
            state.violations.push(format!("{method} {path}: no Idempotency-Key"));
        }
        if method == "POST" && header("content-type").as_deref() != Some("application/x-www-form-urlencoded")
        {
            state.violations.push(format!("{method} {path}: not a form body"));
        }
        if let Some((status, body)) = state.failures.pop_front() {
            let mut template = ResponseTemplate::new(status).set_body_json(body);
            if status == 429 || status >= 500 {
                template = template.insert_header("Stripe-Should-Retry", "true");
            }
            return template;
        }
        if let Some(key) = &idempotency_key
            && let Some((body, status, answer)) = state.keys.get(key)
        {
            if body != &request.body {
                return ResponseTemplate::new(400).set_body_json(error(
                    "idempotency_error",
                    None,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                ));
            }
            return ResponseTemplate::new(*status)
                .set_body_json(answer.clone())
                .insert_header("Idempotent-Replayed", "true");
        }
        if let Some(account) = header("stripe-account") {
            form.insert("_stripe_account".into(), account);
        }
        let (status, answer) = match Self::answer(&mut state, &method, &path, &form) {
            Ok(mut object) if method == "POST" => {
                object["created"] = json!(chrono::Utc::now().timestamp());
                if object["object"] == json!("transfer") {
                    object["amount_reversed"] = json!(0);
                    object["reversals"] =
                        json!({ "object": "list", "url": "", "has_more": false, "data": [] });
                }
                if object["object"] == json!("transfer_reversal") {
                    let amount = object["amount"].as_i64().unwrap_or(0);
                    if let Some(t) = state.objects.iter_mut().find(|t| t["id"] == object["transfer"]) {
                        t["amount_reversed"] = json!(t["amount_reversed"].as_i64().unwrap_or(0) + amount);
                        let reversals = t["reversals"]["data"].as_array_mut().unwrap();
                        reversals.push(object.clone());
                        // Stripe embeds the first ten; more are listed on their own route.
                        t["reversals"]["has_more"] = json!(reversals.len() > 10);
                    }
                }
                state.objects.push(object.clone());
                (200, object)
            }
            Ok(object) => (200, object),
            Err(why) => {
                state.violations.push(why.clone());
                (400, error("invalid_request_error", None, &why))
            }
        };
        if let Some(key) = idempotency_key {
            state.keys.insert(key, (request.body.clone(), status, answer.clone()));
        }
        ResponseTemplate::new(status).set_body_json(answer)
    }
}

async fn fake() -> (MockServer, StripeFake, StripeGateway) {
    let server = MockServer::start().await;
    let fake = StripeFake::default();
    Mock::given(any()).respond_with(fake.clone()).mount(&server).await;
    let gateway = StripeGateway::new(KEY, vec!["whsec_test".into()], Some(&server.uri()))
        .unwrap()
        .with_retry_pause(Duration::from_millis(5));
    (server, fake, gateway)
}

fn checkout(booking_id: Uuid) -> NewCheckout {
    NewCheckout {
        payment_id: Uuid::from_u128(7),
        booking_id,
        amount: Money::eur(2500),
        description: "Réservation de salle n° 0000".into(),
        expires_at: 1_800_000_000,
        success_url: "https://salle.example/reservations/x?paiement=reussi".into(),
        cancel_url: "https://salle.example/reservations/x?paiement=annule".into(),
    }
}

#[tokio::test]
async fn every_call_sends_stripes_parameters_and_its_idempotency_key() {
    let (_server, fake, gateway) = fake().await;
    let booking = Uuid::from_u128(42);
    let opened = gateway.create_checkout(&checkout(booking), "salle-checkout-1").await.unwrap();
    assert!(opened.checkout_ref.starts_with("cs_test_"), "{opened:?}");
    assert!(opened.url.starts_with("https://checkout.stripe.com/"));
    let fee = gateway.payment_fee("pi_test_1").await.unwrap();
    assert_eq!(fee, Some(Money::eur(63)));
    let refund = NewRefund { booking_id: booking, payment_ref: "pi_test_1".into(), amount: Money::eur(1250) };
    assert!(gateway.refund(&refund, "salle-refund-1").await.unwrap().starts_with("re_test_"));
    let transfer =
        NewTransfer { booking_id: booking, destination: "acct_test_9".into(), amount: Money::eur(2500) };
    let transfer_ref = gateway.transfer(&transfer, "salle-transfer-1").await.unwrap();
    let reversal =
        NewReversal { booking_id: booking, transfer_ref: transfer_ref.clone(), amount: Money::eur(500) };
    assert!(gateway.reverse_transfer(&reversal, "salle-reversal0-1").await.unwrap().starts_with("trr_test_"));
    let account = gateway.create_account(Uuid::from_u128(5), "salle-account-5").await.unwrap();
    let link = gateway
        .onboarding_link(&account, "https://salle.example/retour", "https://salle.example/retour")
        .await;
    assert!(link.unwrap().contains(&account));

    assert_eq!(fake.violations(), Vec::<String>::new());
    let seen = fake.seen();
    let by_path = |p: &str| seen.iter().find(|s| s.path == p).unwrap_or_else(|| panic!("no call to {p}"));
    let session = by_path("/v1/checkout/sessions");
    assert_eq!(session.idempotency_key.as_deref(), Some("salle-checkout-1"));
    for (k, v) in [
        ("mode", "payment"),
        ("line_items[0][price_data][currency]", "eur"),
        ("line_items[0][price_data][unit_amount]", "2500"),
        ("line_items[0][quantity]", "1"),
        ("payment_intent_data[transfer_group]", &booking.to_string()),
        ("metadata[booking_id]", &booking.to_string()),
        ("client_reference_id", &booking.to_string()),
        ("expires_at", "1800000000"),
        ("locale", "fr"),
    ] {
        assert_eq!(session.form.get(k).map(String::as_str), Some(v), "{k} in {:?}", session.form);
    }
    let fee_call = by_path("/v1/payment_intents/pi_test_1");
    assert_eq!(fee_call.method, "GET");
    assert_eq!(fee_call.form.get("expand[0]").map(String::as_str), Some("latest_charge.balance_transaction"));
    let refund_call = by_path("/v1/refunds");
    assert_eq!(refund_call.idempotency_key.as_deref(), Some("salle-refund-1"));
    assert_eq!(refund_call.form["payment_intent"], "pi_test_1");
    assert_eq!(refund_call.form["amount"], "1250");
    let transfer_call = by_path("/v1/transfers");
    assert_eq!(transfer_call.idempotency_key.as_deref(), Some("salle-transfer-1"));
    assert_eq!(transfer_call.form["destination"], "acct_test_9");
    assert_eq!(transfer_call.form["transfer_group"], booking.to_string());
    assert_eq!(transfer_call.form["currency"], "eur");
    let reversal_call = by_path(&format!("/v1/transfers/{transfer_ref}/reversals"));
    assert_eq!(reversal_call.form["amount"], "500");
    let account_call = by_path("/v1/accounts");
    assert_eq!(account_call.form["type"], "express");
    assert_eq!(account_call.form["country"], "FR");
    assert_eq!(account_call.form["capabilities[transfers][requested]"], "true");
    let link_call = by_path("/v1/account_links");
    assert_eq!(link_call.form["type"], "account_onboarding");
    assert_eq!(link_call.form["account"], account);
}

#[tokio::test]
async fn a_repeated_key_gets_the_first_answer_and_other_parameters_are_refused() {
    let (_server, fake, gateway) = fake().await;
    let transfer = NewTransfer {
        booking_id: Uuid::from_u128(1),
        destination: "acct_test_1".into(),
        amount: Money::eur(2500),
    };
    let first = gateway.transfer(&transfer, "salle-transfer-a").await.unwrap();
    let again = gateway.transfer(&transfer, "salle-transfer-a").await.unwrap();
    assert_eq!(first, again, "one transfer for one key");
    let other = NewTransfer { amount: Money::eur(9999), ..transfer };
    let refused = gateway.transfer(&other, "salle-transfer-a").await.unwrap_err();
    assert!(matches!(&refused, GatewayError::Refused(m) if m.contains("same parameters")), "{refused:?}");
    assert_eq!(fake.seen().len(), 3, "a refusal is not retried");
}

#[tokio::test]
async fn a_declined_card_is_answered_at_once() {
    let (_server, fake, gateway) = fake().await;
    fake.fail_next(402, error("card_error", Some("card_declined"), "Your card was declined."));
    let refund =
        NewRefund { booking_id: Uuid::from_u128(1), payment_ref: "pi_1".into(), amount: Money::eur(100) };
    let declined = gateway.refund(&refund, "salle-refund-d").await.unwrap_err();
    assert_eq!(declined, GatewayError::Declined("Your card was declined.".into()));
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_with_the_same_key() {
    let (_server, fake, gateway) = fake().await;
    fake.fail_next(429, error("rate_limit_error", Some("rate_limit"), "Too many requests."));
    fake.fail_next(500, error("api_error", None, "Something went wrong on Stripe's end."));
    let transfer = NewTransfer {
        booking_id: Uuid::from_u128(2),
        destination: "acct_test_2".into(),
        amount: Money::eur(700),
    };
    let transfer_ref = gateway.transfer(&transfer, "salle-transfer-r").await.unwrap();
    assert!(transfer_ref.starts_with("tr_test_"));
    let keys: Vec<_> = fake.seen().iter().map(|s| s.idempotency_key.clone().unwrap()).collect();
    assert_eq!(keys, vec!["salle-transfer-r"; 3], "three attempts, one key");

    for _ in 0..3 {
        fake.fail_next(500, error("api_error", None, "Something went wrong on Stripe's end."));
    }
    let down = gateway.transfer(&transfer, "salle-transfer-s").await.unwrap_err();
    assert!(down.is_retryable(), "left for the process manager to try later: {down:?}");
    assert_eq!(fake.seen().len(), 6);
}

#[tokio::test]
async fn a_reversal_the_connected_balance_cannot_cover_is_told_apart() {
    let (_server, fake, gateway) = fake().await;
    fake.fail_next(
        400,
        error(
            "invalid_request_error",
            Some("balance_insufficient"),
            "Insufficient funds in the connected account.",
        ),
    );
    let reversal = NewReversal {
        booking_id: Uuid::from_u128(3),
        transfer_ref: "tr_test_1".into(),
        amount: Money::eur(100),
    };
    let refused = gateway.reverse_transfer(&reversal, "salle-reversal0-x").await.unwrap_err();
    assert!(matches!(refused, GatewayError::InsufficientFunds(_)), "{refused:?}");
}

mod support;

on_both_backends!(the_process_manager_settles_a_booking_through_stripe);

/// The money flow with the Stripe adapter: the checkout, the fee and the
/// transfer go to the fake with keys derived from the events that asked.
async fn the_process_manager_settles_a_booking_through_stripe(db: support::TestDb) {
    use salle::domain::booking::BookingStatus;
    use salle::domain::payment::AttemptStatus;
    use salle::process::expiry::ExpiryManager;

    use salle::payments::{Gateway, simulated, webhook};
    use salle::process::payments::PaymentProcess;

    use salle_events::{EventStore, Metadata};
    use support::world::{Tariff, at, commands, establishment_with_room, now};

    let (_server, fake, stripe) = fake().await;
    let gateway = Gateway::Stripe(Box::new(stripe));
    let commands = commands(db.store().await);
    let (_, room_id) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    let process = PaymentProcess::new(commands.clone(), gateway.clone(), "https://salle.example");
    let drive = || async {
        for _ in 0..2000 {
            process.catch_up().await.unwrap();
            if support::all_visible(&commands.store).await > 0
                && commands
                    .store
                    .count_after(
                        commands
                            .store
                            .load_checkpoint(salle::process::payments::NAME)
                            .await
                            .unwrap()
                            .unwrap_or(salle_events::LogPosition::START),
                    )
                    .await
                    .unwrap()
                    == 0
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the process did not catch up");
    };
    let meta = Metadata::default();
    let association_id = Uuid::now_v7();
    let booking_id = support::world::approved_booking(&commands, room_id, "2026-12-15", association_id).await;
    let asked = commands.request_checkout(room_id, booking_id, association_id, now(), &meta).await.unwrap();
    drive().await;
    let payment = commands.payment(booking_id).await.unwrap();
    let AttemptStatus::Open { checkout_ref, url } = payment.attempts[0].status.clone() else {
        panic!("{:?}", payment.attempts[0].status)
    };
    assert!(url.starts_with("https://checkout.stripe.com/"));
    let checkout_key = fake.seen()[0].idempotency_key.clone().unwrap();
    let requested_id = commands
        .store
        .read_stream(
            &salle::commands::Commands::stream_of::<salle::domain::payment::Payment>(booking_id),
            1,
            1,
        )
        .await
        .unwrap()[0]
        .event_id;
    assert_eq!(checkout_key, format!("salle-checkout-{requested_id}"));
    assert!(!asked.events.is_empty());

    // Stripe's webhook, signed with the endpoint's secret.
    let now_utc = chrono::Utc::now();
    let payment_id = payment.attempts[0].payment_id;
    let body =
        simulated::checkout_completed(&checkout_ref, booking_id, payment_id, Money::eur(2500), now_utc)
            .to_string()
            .replace(&salle::payments::SimulatedGateway::payment_ref(payment_id), "pi_test_paid");
    let signature = simulated::sign(&body, "whsec_test", now_utc.timestamp());
    webhook::receive(&commands, &gateway, body.as_bytes(), Some(&signature), now_utc).await.unwrap();
    drive().await;
    support::all_visible(&commands.store).await;
    ExpiryManager::new(commands.clone()).tick(at("2026-12-15", "20:00")).await.unwrap();
    drive().await;
    let booking = &commands.room(room_id).await.unwrap().bookings[&booking_id];
    assert_eq!(booking.status, BookingStatus::Settled);
    assert!(booking.transfer_ref.as_deref().unwrap().starts_with("tr_test_"));
    let payment = commands.payment(booking_id).await.unwrap();
    assert!(payment.fees.contains("pi_test_paid"));
    let paths: Vec<_> = fake.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(paths, vec!["/v1/checkout/sessions", "/v1/payment_intents/pi_test_paid", "/v1/transfers"]);
    assert_eq!(fake.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn the_provider_s_records_are_read_page_after_page() {
    let (_server, fake, gateway) = fake().await;
    let gateway = gateway.with_page_size(2);
    let booking = Uuid::from_u128(42);
    let account = "acct_test_college";
    // Three payments made on Stripe's checkout page, one of them still failing.
    for (i, status) in ["succeeded", "succeeded", "requires_payment_method"].into_iter().enumerate() {
        let mut intent = fixture("payment_intent");
        intent["id"] = json!(format!("pi_test_{i}"));
        intent["amount_received"] = json!(if status == "succeeded" { 2500 } else { 0 });
        intent["status"] = json!(status);
        intent["created"] = json!(chrono::Utc::now().timestamp());
        intent["metadata"] = json!({ "booking_id": booking.to_string() });
        fake.add(intent);
    }
    for i in 0..3 {
        let refund =
            NewRefund { booking_id: booking, payment_ref: "pi_test_0".into(), amount: Money::eur(100 + i) };
        gateway.refund(&refund, &format!("salle-refund-{i}")).await.unwrap();
    }
    let transfer = NewTransfer { booking_id: booking, destination: account.into(), amount: Money::eur(2500) };
    let transfer_ref = gateway.transfer(&transfer, "salle-transfer-1").await.unwrap();
    let elsewhere = NewTransfer { destination: "acct_test_other".into(), ..transfer.clone() };
    gateway.transfer(&elsewhere, "salle-transfer-2").await.unwrap();
    for i in 0..3 {
        let reversal =
            NewReversal { booking_id: booking, transfer_ref: transfer_ref.clone(), amount: Money::eur(10) };
        gateway.reverse_transfer(&reversal, &format!("salle-reversal-{i}")).await.unwrap();
    }
    let mut payout = fixture("payout");
    payout["id"] = json!("po_test_1");
    payout["amount"] = json!(2470);
    payout["status"] = json!("paid");
    payout["created"] = json!(chrono::Utc::now().timestamp());
    payout["_account"] = json!(account);
    fake.add(payout);

    let now = chrono::Utc::now();
    let query = RecordsQuery {
        from: now - chrono::Duration::hours(1),
        to: now + chrono::Duration::hours(1),
        accounts: vec![account.into()],
        kinds: MovementKind::ALL.to_vec(),
    };
    let records = Gateway::Stripe(Box::new(gateway)).records(&query).await.unwrap();
    let of = |kind| records.iter().filter(|r| r.kind == kind).collect::<Vec<_>>();
    let charges = of(MovementKind::Charge);
    assert_eq!(charges.len(), 2, "only succeeded payments: {charges:?}");
    assert!(charges.iter().all(|c| c.amount_cents == 2500 && c.booking_id == Some(booking)));
    let refunds = of(MovementKind::Refund);
    assert_eq!(
        refunds.iter().map(|r| r.amount_cents).sum::<i64>(),
        100 + 101 + 102,
        "three refunds over two pages"
    );
    assert!(
        refunds.iter().all(|r| r.parent.as_deref() == Some("pi_test_0") && r.booking_id == Some(booking))
    );
    let transfers = of(MovementKind::Transfer);
    assert_eq!(transfers.len(), 1, "the other account's transfer is not asked for");
    assert_eq!(
        (transfers[0].id.as_str(), transfers[0].account.as_deref()),
        (transfer_ref.as_str(), Some(account))
    );
    let reversals = of(MovementKind::Reversal);
    assert_eq!(reversals.len(), 3);
    assert!(reversals.iter().all(|r| r.parent.as_deref() == Some(transfer_ref.as_str())));
    let payouts = of(MovementKind::Payout);
    assert_eq!((payouts.len(), payouts[0].amount_cents), (1, 2470));

    let lists: Vec<_> = fake.seen().into_iter().filter(|s| s.method == "GET").collect();
    assert!(lists.iter().any(|s| s.path == "/v1/refunds" && s.form.contains_key("starting_after")), "paged");
    assert!(lists.iter().all(|s| s.idempotency_key.is_none()), "reads carry no idempotency key");
    assert_eq!(fake.violations(), Vec::<String>::new());
}
