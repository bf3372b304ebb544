//! The JSON API v1 as integrators use it, over HTTP against a server on a
//! fresh database of each backend: sign-in, accounts, establishments, rooms,
//! the booking lifecycle with payment on the simulated provider, the ledger
//! and the log — and every object kept from callers who are not its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use salle::config::{AdminAccount, Settings};
use serde_json::{Value, json};
use support::TestDb;

const ADMIN: (&str, &str) = ("admin@salle.test", "mot de passe d'administration");

struct Api {
    address: String,
    client: reqwest::Client,
    /// Held for the test's length (the database lives as long as it does).
    _db: TestDb,
    mail_dir: std::path::PathBuf,
    /// Every answer, checked against the OpenAPI document when the test ends.
    answers: std::sync::Mutex<Vec<Value>>,
}

impl Api {
    async fn spawn(db: TestDb) -> Self {
        let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
        settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
        settings.admin = AdminAccount::from_settings(Some(ADMIN.0), Some(ADMIN.1)).unwrap();
        let mail_dir = support::app::mail_dir();
        settings.mail = salle::mail::MailSettings::folder(&mail_dir);
        settings.mail.poll = Duration::from_millis(100);
        let address = support::app::start(settings).await;
        Self { address, client: reqwest::Client::new(), _db: db, mail_dir, answers: Default::default() }
    }

    /// Follows the link mailed at sign-up to `email`; answers the association's id.
    async fn confirm(&self, email: &str) -> String {
        let message = support::mail::last_with(&self.mail_dir, email, "Confirmez votre adresse").await;
        let token = message.token("/inscription/confirmer/").expect("the confirmation link");
        let (status, body) = self.post("/associations/confirmations", None, json!({ "token": token })).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = match method {
            "GET" => self.client.get(self.url(path)),
            "PATCH" => self.client.patch(self.url(path)),
            _ => self.client.post(self.url(path)),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        self.answers.lock().unwrap().push(json!({
            "method": method, "path": format!("/api/v1{}", path.split('?').next().unwrap()), "status": status.as_u16(),
            "content_type": content_type, "body": body,
        }));
        (status, body)
    }

    /// Checks every answer this test received against `/api/v1/openapi.json`
    /// with independent validators (openapi-spec-validator, jsonschema).
    async fn answers_match_the_openapi_document(&self) {
        let document: Value =
            self.client.get(self.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
        let answers = std::mem::take(&mut *self.answers.lock().unwrap());
        let report = openapi_check(&document, &answers);
        assert_eq!(report["errors"], json!([]), "answers that the OpenAPI document does not describe");
        assert_eq!(report["checked"].as_u64(), Some(answers.len() as u64));
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, token, Some(body)).await
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call("GET", path, token, None).await
    }

    async fn token(&self, email: &str, password: &str) -> String {
        let (status, body) =
            self.post("/auth/token", None, json!({ "email": email, "password": password })).await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }
}

/// Runs `tests/tools/openapi_check.py` (scripts/test installs its tools).
fn openapi_check(document: &Value, answers: &[Value]) -> Value {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/openapi_check.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test installs the OpenAPI tools)");
    let input = json!({ "document": document, "answers": answers });
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "openapi_check.py failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Checks the error shape of API.md and returns the code.
fn error_code(status: StatusCode, body: &Value, expected: u16) -> String {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}

/// A day at least ten days ahead that is not a public holiday.
fn a_free_day() -> NaiveDate {
    let calendar = salle::domain::calendar::Calendar::isere().unwrap();
    let mut day = (Utc::now() + chrono::Duration::days(10)).date_naive();
    while calendar.public_holiday(day).is_some() {
        day = day.succ_opt().unwrap();
    }
    day
}

fn slot(day: NaiveDate, from: &str, to: &str) -> (String, String) {
    let local = |t: &str| {
        let time = chrono::NaiveTime::parse_from_str(t, "%H:%M").unwrap();
        salle::domain::time::local_instant(day, time)
            .unwrap()
            .with_timezone(&salle_domain::time::LOCAL_TZ)
            .to_rfc3339()
    };
    (local(from), local(to))
}

on_both_backends!(the_booking_lifecycle_over_the_api, accounts_sign_in_and_roles);

async fn the_booking_lifecycle_over_the_api(db: TestDb) {
    let api = Api::spawn(db).await;
    let admin = api.token(ADMIN.0, ADMIN.1).await;

    // The admin registers two establishments, each with its manager.
    let mut establishments = vec![];
    let mut managers = vec![];
    for (i, (name, insee)) in
        [("Collège Marcel Bouvier", "38185"), ("Gymnase de Voiron", "38563")].iter().enumerate()
    {
        let kind = if i == 0 { "college" } else { "gymnasium" };
        let uai = if i == 0 { json!("0380001V") } else { json!(null) };
        let (status, body) = api
            .post(
                "/establishments",
                Some(&admin),
                json!({ "name": name, "kind": kind, "uai": uai, "address": "1 rue de l'École", "commune_insee": insee }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_str().unwrap().to_owned();
        let email = format!("gestion{i}@salle.test");
        let (status, body) = api
            .post(
                &format!("/establishments/{id}/managers"),
                Some(&admin),
                json!({ "email": email, "password": "gestionnaire du collège", "name": format!("Gestion {i}") }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        managers.push(api.token(&email, "gestionnaire du collège").await);
        establishments.push(id);
    }
    let (manager, other_manager) = (&managers[0], &managers[1]);
    let (status, me) = api.get("/me", Some(manager)).await;
    assert_eq!(status, 200);
    assert_eq!(me["establishments"], json!([establishments[0]]));

    // The manager adds a room; the other manager cannot add one there.
    let room = json!({
        "name": "Salle polyvalente", "kind": "multipurpose", "capacity": 60, "equipment": ["projector", "wifi"],
        "step_free": true, "approval": "manual", "hourly_rate_cents": 1250, "min_notice_hours": 24,
        "opening": (1..=7).map(|d| json!({ "weekday": d, "start": "09:00", "end": "22:00" })).collect::<Vec<_>>(),
        "open_in_school_holidays": true
    });
    let rooms_path = format!("/establishments/{}/rooms", establishments[0]);
    let (status, body) = api.post(&rooms_path, Some(other_manager), room.clone()).await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, body) = api.post(&rooms_path, Some(manager), room).await;
    assert_eq!(status, 201, "{body}");
    let room_id = body["id"].as_str().unwrap().to_owned();
    let (status, shown) = api.get(&format!("/rooms/{room_id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(shown["establishment"]["accepts_payments"], false);

    // An association signs up and asks for two hours; the establishment
    // cannot be paid yet.
    let sign_up = json!({
        "name": "Chorale du Voironnais", "rna": "W381000001", "category": "local_association",
        "email": "chorale@salle.test", "password": "la chorale chante", "contact_name": "Anne Martin"
    });
    let mut bad = sign_up.clone();
    bad["rna"] = json!("W12");
    let (status, body) = api.post("/associations", None, bad).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = api
        .post("/auth/token", None, json!({ "email": "chorale@salle.test", "password": "la chorale chante" }))
        .await;
    assert_eq!(status, 401, "a refused sign-up leaves no account: {body}");
    let (status, body) = api.post("/associations", None, sign_up.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "awaiting_confirmation");
    let association_id = body["id"].as_str().unwrap().to_owned();
    let (status, body) = api
        .post("/auth/token", None, json!({ "email": "chorale@salle.test", "password": "la chorale chante" }))
        .await;
    assert_eq!(status, 401, "no account before the address is confirmed: {body}");
    assert_eq!(api.confirm("chorale@salle.test").await, association_id);
    // Signing up another association with the address: the same answer, and its owner is told.
    let mut known_address = sign_up.clone();
    known_address["rna"] = json!("W381000009");
    let (status, body) = api.post("/associations", None, known_address).await;
    assert_eq!(status, 201, "a known address answers like an unknown one: {body}");
    assert_eq!(body["status"], "awaiting_confirmation");
    let told =
        support::mail::last_with(&api.mail_dir, "chorale@salle.test", "inscription a été tentée").await;
    assert!(told.link("/mot-de-passe-oublie").is_some(), "{}", told.decoded);
    let mut again = sign_up;
    again["email"] = json!("autre@salle.test");
    let (status, body) = api.post("/associations", None, again).await;
    assert_eq!(error_code(status, &body, 409), "association_registered", "one account per RNA");
    let association = api.token("chorale@salle.test", "la chorale chante").await;
    // The département verifies it, confirming its category.
    let verification = json!({ "decision": "verified", "category": "local_association" });
    let path = format!("/associations/{association_id}/verification");
    let (status, body) = api.post(&path, Some(&admin), verification).await;
    assert_eq!(
        (status.as_u16(), &body),
        (200, &json!({ "verified": true, "category": "local_association" }))
    );
    let day = a_free_day();
    let (start, end) = slot(day, "18:00", "20:00");
    let request =
        json!({ "room_id": room_id, "start": start, "end": end, "attendees": 25, "purpose": "Répétition" });
    let (status, body) = api.post("/bookings", Some(&association), request.clone()).await;
    assert_eq!(error_code(status, &body, 422), "payments_not_ready");

    // The establishment completes its (simulated) payout onboarding, started through the API.
    let establishment_id = &establishments[0];
    let payouts = format!("/establishments/{establishment_id}/payouts");
    let (status, body) = api.post(&payouts, Some(other_manager), json!({})).await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, body) = api.post(&payouts, Some(&association), json!({})).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");
    let (status, body) = api.post(&payouts, Some(manager), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ready"], false);
    let link = body["onboarding_url"].as_str().unwrap().to_owned();
    // The link names the public address salle is configured with; the path is what matters here.
    let path = format!("/{}", link.split_once("://").unwrap().1.split_once('/').unwrap().1);
    let refused =
        api.client.post(format!("{}{path}", api.address)).form(&[("csrf", "")]).send().await.unwrap();
    assert_eq!(refused.status(), 403, "the simulated onboarding takes no anonymous form");
    let mut browser =
        support::browser::Browser::signed_in(&api.address, "gestion0@salle.test", "gestionnaire du collège")
            .await;
    let (status, html, _) = browser.get(&path).await;
    assert_eq!(status, 200, "{html}");
    let (status, _, _) = browser.post(&path, &[("csrf", &support::browser::csrf(&html))]).await;
    assert_eq!(status, 200);
    let (status, body) = api.post(&payouts, Some(&admin), json!({})).await;
    assert_eq!((status.as_u16(), &body["ready"]), (200, &json!(true)), "{body}");
    assert_eq!(body["onboarding_url"], link.as_str(), "one account, created once");

    let (status, booked) = api.post("/bookings", Some(&association), request).await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(booked["status"], "requested");
    assert_eq!(booked["price"], json!({ "amount_cents": 2500, "currency": "EUR" }));
    let booking = booked["id"].as_str().unwrap().to_owned();

    // Who sees it.
    let path = format!("/bookings/{booking}");
    assert_eq!(api.get(&path, Some(&association)).await.0, 200);
    assert_eq!(api.get(&path, Some(manager)).await.0, 200);
    assert_eq!(api.get(&path, Some(&admin)).await.0, 200);
    let (status, body) = api.get(&path, Some(other_manager)).await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, body) = api.get(&path, None).await;
    assert_eq!(error_code(status, &body, 401), "unauthorized");

    // Who decides it.
    let (status, body) = api.post(&format!("{path}/approve"), Some(other_manager), json!({})).await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, body) = api.post(&format!("{path}/approve"), Some(&association), json!({})).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");
    let (status, body) = api.post(&format!("{path}/approve"), Some(manager), json!({})).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("approved")), "{body}");
    let (status, body) =
        api.post(&format!("{path}/reject"), Some(manager), json!({ "reason": "Trop tard" })).await;
    assert_eq!(error_code(status, &body, 409), "transition_not_allowed");

    // The association pays on the simulated provider's page.
    let (status, body) = api.post(&format!("{path}/pay"), Some(manager), json!({})).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");
    let (status, checkout) = api.post(&format!("{path}/pay"), Some(&association), json!({})).await;
    assert_eq!(status, 200, "{checkout}");
    let url = checkout["checkout_url"].as_str().unwrap();
    let page =
        url.split_once("/paiement/").map(|(_, rest)| format!("{}/paiement/{rest}", api.address)).unwrap();
    let anonymous = api.client.post(&page).form(&[("outcome", "declined")]).send().await.unwrap();
    assert_eq!(anonymous.status(), 403, "the simulated checkout takes no outcome without its page's token");
    let mut anne =
        support::browser::Browser::signed_in(&api.address, "chorale@salle.test", "la chorale chante").await;
    assert_eq!(anne.simulated_checkout(url, "succeeded").await, 200);
    let mut status_now = Value::Null;
    for _ in 0..500 {
        status_now = api.get(&path, Some(&association)).await.1["status"].clone();
        if status_now == "paid" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status_now, "paid");
    let (_, shown) = api.get(&path, Some(&association)).await;
    let history: Vec<&str> =
        shown["history"].as_array().unwrap().iter().map(|h| h["event"].as_str().unwrap()).collect();
    for event in
        ["BookingRequested", "BookingApproved", "CheckoutRequested", "PaymentSucceeded", "BookingPaid"]
    {
        assert!(history.contains(&event), "{event} in {history:?}");
    }

    // Lists.
    let (status, list) = api.get("/bookings?status=paid", Some(&association)).await;
    assert_eq!(status, 200);
    assert_eq!(list["bookings"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/bookings", Some(manager)).await.1["bookings"].as_array().unwrap().len(), 1);
    assert_eq!(api.get("/bookings", Some(other_manager)).await.1["bookings"].as_array().unwrap().len(), 0);
    let (status, body) = api.get("/bookings?status=lost", Some(manager)).await;
    assert_eq!(error_code(status, &body, 400), "invalid_status");

    // Cancelled ten days ahead: half back (the policy: 100 % from 7 days… the
    // slot is at least ten days ahead, so all of it).
    let (status, body) = api.post(&format!("{path}/cancel"), Some(other_manager), json!({})).await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, cancelled) =
        api.post(&format!("{path}/cancel"), Some(&association), json!({ "reason": "Concert reporté" })).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(
        cancelled,
        json!({ "status": "cancelled", "refund": { "amount_cents": 2500, "currency": "EUR" } })
    );

    // The ledger: its manager and finance, nobody else.
    let ledger_path = format!("/establishments/{}/ledger", establishments[0]);
    let (status, body) = api.get(&ledger_path, Some(other_manager)).await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, body) = api.get(&ledger_path, Some(&association)).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");
    let (status, body) =
        api.post("/users", Some(&admin), json!({ "email": "finance@salle.test", "password": "les comptes du département", "name": "Finances", "role": "finance" })).await;
    assert_eq!(status, 201, "{body}");
    let finance = api.token("finance@salle.test", "les comptes du département").await;
    let mut ledger = Value::Null;
    for _ in 0..500 {
        let (status, body) = api.get(&ledger_path, Some(&finance)).await;
        assert_eq!(status, 200, "{body}");
        ledger = body;
        if ledger["balances"]["419800"].as_i64() == Some(0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(ledger["balances"]["467100"], 0, "paid then refunded in full: {ledger}");
    assert!(ledger["lines"].as_array().unwrap().iter().all(|l| l["event_id"].is_string()));
    let (status, body) = api.get(&format!("{ledger_path}?from=2026-13-01"), Some(&finance)).await;
    assert_eq!(status, 400, "{body}");

    // Exports, for finance.
    let (status, journal) = api
        .get(&format!("/ledger/export?format=hledger&establishment={}", establishments[0]), Some(&finance))
        .await;
    assert_eq!(status, 200, "{journal}");
    assert!(journal.as_str().unwrap().contains("467100 Prestataire de paiement"), "{journal}");
    let (status, body) = api.get("/ledger/export?format=xlsx", Some(&finance)).await;
    assert_eq!(error_code(status, &body, 400), "invalid_format");
    let (status, body) = api.get("/ledger/export?format=fec", Some(&finance)).await;
    assert_eq!(error_code(status, &body, 422), "siren_missing");
    let (status, body) =
        api.get("/ledger/export?format=csv&from=2026-12-31&to=2026-01-01", Some(&finance)).await;
    assert_eq!(error_code(status, &body, 422), "invalid_period");
    let (status, body) = api
        .get(&format!("/ledger/export?format=csv&establishment={}", uuid::Uuid::nil()), Some(&finance))
        .await;
    assert_eq!(error_code(status, &body, 404), "not_found");
    let (status, body) = api.get("/ledger/export?format=csv", Some(manager)).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");

    // The log, for finance and admins.
    let (status, page) = api.get("/events?limit=3", Some(&finance)).await;
    assert_eq!(status, 200);
    assert_eq!(page["events"].as_array().unwrap().len(), 3);
    let next = page["next"].as_str().unwrap();
    let (status, page2) = api.get(&format!("/events?after={next}&limit=3"), Some(&admin)).await;
    assert_eq!(status, 200);
    assert_ne!(page2["events"][0]["event_id"], page["events"][0]["event_id"]);
    let (status, body) = api.get("/events", Some(&association)).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");
    let (status, body) = api.get("/events?after=yesterday", Some(&admin)).await;
    assert_eq!(error_code(status, &body, 400), "invalid_position");
    api.answers_match_the_openapi_document().await;
}

async fn accounts_sign_in_and_roles(db: TestDb) {
    let api = Api::spawn(db).await;
    let (status, body) = api
        .post("/auth/token", None, json!({ "email": ADMIN.0, "password": "pas le bon mot de passe" }))
        .await;
    assert_eq!(error_code(status, &body, 401), "unauthorized");
    let (status, body) =
        api.post("/auth/token", None, json!({ "email": ADMIN.0, "password": ADMIN.1 })).await;
    assert_eq!(status, 200);
    assert_eq!(body["role"], "admin");
    assert!(body["expires_at"].as_str().unwrap().parse::<chrono::DateTime<Utc>>().is_ok());
    let admin = body["token"].as_str().unwrap().to_owned();

    let user = |email: &str, role: &str| json!({ "email": email, "password": "un long mot de passe", "name": "X", "role": role });
    let (status, body) = api.post("/users", Some(&admin), user("a@salle.test", "manager")).await;
    assert_eq!(error_code(status, &body, 422), "invalid_role");
    let (status, body) = api
        .post(
            "/users",
            Some(&admin),
            json!({ "email": "b@salle.test", "password": "court", "name": "X", "role": "finance" }),
        )
        .await;
    assert_eq!(error_code(status, &body, 422), "weak_password");
    let (status, body) = api.post("/users", Some(&admin), user("not-an-email", "finance")).await;
    assert_eq!(error_code(status, &body, 422), "invalid_email");
    let (status, _) = api.post("/users", Some(&admin), user("finance@salle.test", "finance")).await;
    assert_eq!(status, 201);
    let finance = api.token("finance@salle.test", "un long mot de passe").await;
    let (status, body) = api.post("/users", Some(&finance), user("c@salle.test", "admin")).await;
    assert_eq!(error_code(status, &body, 403), "forbidden");
    let (status, body) = api.post("/users", Some("forged-token"), user("c@salle.test", "admin")).await;
    assert_eq!(error_code(status, &body, 401), "unauthorized");
    let (status, me) = api.get("/me", Some(&finance)).await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "finance");
    assert!(me.get("establishments").is_none());

    // Malformed JSON is a 400 in the error shape.
    let response = api
        .client
        .post(api.url("/auth/token"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");

    // Sign-in is rate limited per account.
    for _ in 0..5 {
        let (status, _) = api
            .post(
                "/auth/token",
                None,
                json!({ "email": "finance@salle.test", "password": "mauvais mot de passe" }),
            )
            .await;
        assert_eq!(status, 401);
    }
    let (status, body) = api
        .post(
            "/auth/token",
            None,
            json!({ "email": "finance@salle.test", "password": "un long mot de passe" }),
        )
        .await;
    assert_eq!(error_code(status, &body, 429), "rate_limited");
    // Other accounts are not affected.
    assert_eq!(api.post("/auth/token", None, json!({ "email": ADMIN.0, "password": ADMIN.1 })).await.0, 200);
    api.answers_match_the_openapi_document().await;
}

/// Who calls, in the role × route matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// The association that made the booking.
    Association,
    /// Another association.
    OtherAssociation,
    /// The manager of the booking's establishment.
    Manager,
    /// The manager of another establishment.
    OtherManager,
    Finance,
    Admin,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Association,
    Who::OtherAssociation,
    Who::Manager,
    Who::OtherManager,
    Who::Finance,
    Who::Admin,
];

/// method, path, body, who may call it, who is refused with 404.
type Route = (&'static str, &'static str, Value, Vec<Who>, Vec<Who>);

/// The route table: method, path (E = the establishment, R = its room, B =
/// the booking), a body, and who may call it. Callers left out get 401
/// (anonymous), 404 (a signed-in caller whose role may act on such objects,
/// but not on this one: another association, another establishment's
/// manager) or 403 (a role that may never).
fn route_table() -> Vec<Route> {
    use Who::*;
    let user = json!({ "email": "x@salle.test", "password": "un long mot de passe", "name": "X", "role": "finance" });
    let manager = json!({ "email": "y@salle.test", "password": "un long mot de passe", "name": "Y" });
    let room = json!({ "name": "Salle", "kind": "other", "capacity": 10, "step_free": true, "approval": "manual",
        "opening": [{ "weekday": 1, "start": "18:00", "end": "20:00" }] });
    let establishment =
        json!({ "name": "Gymnase", "kind": "gymnasium", "address": "Rue", "commune_insee": "38563" });
    // (method, path, body, allowed, refused with 404 rather than 403)
    vec![
        ("POST", "/users", user, vec![Admin], vec![]),
        (
            "GET",
            "/me",
            json!(null),
            vec![Association, OtherAssociation, Manager, OtherManager, Finance, Admin],
            vec![],
        ),
        ("POST", "/establishments", establishment, vec![Admin], vec![]),
        ("POST", "/establishments/E/managers", manager, vec![Admin], vec![]),
        ("POST", "/establishments/E/rooms", room, vec![Manager, Admin], vec![OtherManager]),
        ("GET", "/rooms/R", json!(null), EVERYONE.to_vec(), vec![]),
        ("PATCH", "/rooms/R", json!({ "min_notice_hours": 24 }), vec![Manager, Admin], vec![OtherManager]),
        (
            "GET",
            "/bookings/B",
            json!(null),
            vec![Association, Manager, Finance, Admin],
            vec![OtherAssociation, OtherManager],
        ),
        ("GET", "/bookings", json!(null), vec![Association, OtherAssociation, Manager, OtherManager], vec![]),
        ("GET", "/associations/A", json!(null), vec![Association], vec![OtherAssociation]),
        (
            "POST",
            "/associations/A/invitations",
            json!({ "email": "second@salle.test", "name": "Seconde" }),
            vec![Association],
            vec![OtherAssociation],
        ),
        ("POST", "/associations/A/verification", json!({ "decision": "verified" }), vec![Admin], vec![]),
        ("POST", "/bookings/B/approve", json!({}), vec![Manager], vec![OtherManager]),
        ("POST", "/bookings/B/reject", json!({ "reason": "Non" }), vec![Manager], vec![OtherManager]),
        ("POST", "/bookings/B/pay", json!({}), vec![Association], vec![OtherAssociation]),
        (
            "POST",
            "/bookings/B/cancel",
            json!({}),
            vec![Association, Manager],
            vec![OtherAssociation, OtherManager],
        ),
        ("GET", "/establishments/E/ledger", json!(null), vec![Manager, Finance, Admin], vec![OtherManager]),
        ("GET", "/events", json!(null), vec![Finance, Admin], vec![]),
        ("GET", "/ledger/export?format=csv&establishment=E", json!(null), vec![Finance, Admin], vec![]),
        (
            "POST",
            "/bookings",
            json!({ "room_id": "R", "start": "2030-01-07T18:00:00+01:00", "end": "2030-01-07T19:00:00+01:00", "attendees": 5, "purpose": "Essai" }),
            vec![Association, OtherAssociation],
            vec![],
        ),
    ]
}

on_both_backends!(every_role_on_every_route_gets_what_it_may);

async fn every_role_on_every_route_gets_what_it_may(db: TestDb) {
    let api = Api::spawn(db).await;
    let admin = api.token(ADMIN.0, ADMIN.1).await;
    let mut establishments = vec![];
    let mut managers = vec![];
    for (i, insee) in ["38185", "38563"].iter().enumerate() {
        let (_, body) = api
            .post(
                "/establishments",
                Some(&admin),
                json!({ "name": format!("Gymnase {i}"), "kind": "gymnasium", "address": "Rue", "commune_insee": insee }),
            )
            .await;
        let id = body["id"].as_str().unwrap().to_owned();
        let email = format!("m{i}@salle.test");
        let body = json!({ "email": email, "password": "un long mot de passe", "name": "M" });
        assert_eq!(api.post(&format!("/establishments/{id}/managers"), Some(&admin), body).await.0, 201);
        managers.push(api.token(&email, "un long mot de passe").await);
        establishments.push(id);
    }
    let room = json!({ "name": "Salle", "kind": "other", "capacity": 30, "step_free": true, "approval": "manual",
        "hourly_rate_cents": 0, "open_in_school_holidays": true,
        "opening": (1..=7).map(|d| json!({ "weekday": d, "start": "09:00", "end": "22:00" })).collect::<Vec<_>>() });
    let (_, body) =
        api.post(&format!("/establishments/{}/rooms", establishments[0]), Some(&managers[0]), room).await;
    let room_id = body["id"].as_str().unwrap().to_owned();
    let (mut associations, mut association_ids) = (vec![], vec![]);
    for (i, rna) in ["W381000001", "W381000002"].iter().enumerate() {
        let email = format!("a{i}@salle.test");
        let body = json!({ "name": format!("Association {i}"), "rna": rna, "category": "local_association",
            "email": email, "password": "un long mot de passe", "contact_name": "A" });
        let (status, created) = api.post("/associations", None, body).await;
        assert_eq!(status, 201);
        assert_eq!(api.confirm(&email).await, created["id"].as_str().unwrap());
        association_ids.push(created["id"].as_str().unwrap().to_owned());
        associations.push(api.token(&email, "un long mot de passe").await);
    }
    let (_, body) = api
        .post("/users", Some(&admin), json!({ "email": "f@salle.test", "password": "un long mot de passe", "name": "F", "role": "finance" }))
        .await;
    assert!(body["id"].is_string());
    let finance = api.token("f@salle.test", "un long mot de passe").await;
    let (start, end) = slot(a_free_day(), "18:00", "19:00");
    let (status, body) = api
        .post(
            "/bookings",
            Some(&associations[0]),
            json!({ "room_id": room_id, "start": start, "end": end, "attendees": 5, "purpose": "Essai" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let booking = body["id"].as_str().unwrap().to_owned();

    let token = |who: Who| -> Option<&str> {
        match who {
            Who::Anonymous => None,
            Who::Association => Some(&associations[0]),
            Who::OtherAssociation => Some(&associations[1]),
            Who::Manager => Some(&managers[0]),
            Who::OtherManager => Some(&managers[1]),
            Who::Finance => Some(&finance),
            Who::Admin => Some(&admin),
        }
    };
    let fill = |s: &str| {
        s.replace("/E/", &format!("/{}/", establishments[0]))
            .replace("/E", &format!("/{}", establishments[0]))
            .replace("/R", &format!("/{room_id}"))
            .replace("/B", &format!("/{booking}"))
            .replace("/A/", &format!("/{}/", association_ids[0]))
            .replace("/A", &format!("/{}", association_ids[0]))
            .replace("=E", &format!("={}", establishments[0]))
    };
    let table = route_table();
    let mut checked = 0;
    // Refusals first: they change nothing.
    for (method, path, body, allowed, hidden) in &table {
        let path = fill(path);
        let body = if body.is_null() {
            None
        } else {
            Some(Value::String(body.to_string().replace("\"R\"", &format!("\"{room_id}\""))))
        };
        let body = body.map(|b| serde_json::from_str::<Value>(b.as_str().unwrap()).unwrap());
        for who in EVERYONE.into_iter().filter(|w| !allowed.contains(w)) {
            let expected = match who {
                Who::Anonymous => 401,
                w if hidden.contains(&w) => 404,
                _ => 403,
            };
            let (status, answer) = api.call(method, &path, token(who), body.clone()).await;
            assert_eq!(status.as_u16(), expected, "{who:?} {method} {path}: {answer}");
            assert!(answer["error"]["code"].is_string(), "{who:?} {method} {path}: {answer}");
            checked += 1;
        }
    }
    // Then each allowed caller is let through (its answer depends on the
    // state: 2xx, or 409/422 for a transition already made).
    for (method, path, body, allowed, _) in &table {
        let path = fill(path);
        let body = if body.is_null() {
            None
        } else {
            Some(
                serde_json::from_str::<Value>(&body.to_string().replace("\"R\"", &format!("\"{room_id}\"")))
                    .unwrap(),
            )
        };
        for who in allowed {
            let (status, answer) = api.call(method, &path, token(*who), body.clone()).await;
            assert!(
                ![401, 403, 404].contains(&status.as_u16()),
                "{who:?} {method} {path}: {status} {answer}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, table.len() * EVERYONE.len());
    api.answers_match_the_openapi_document().await;
}

/// Every route of API.md is in `/api/v1/openapi.json`, with its method.
#[tokio::test]
async fn the_openapi_document_describes_every_route_of_api_md() {
    let api = Api::spawn(TestDb::sqlite()).await;
    let response = api.client.get(api.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json")
    );
    let document: Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."), "{}", document["openapi"]);
    let contract = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/API.md")).unwrap();
    let mut routes = 0;
    for line in contract.lines().filter(|l| l.starts_with("| `") && l.contains(" /")) {
        let cell = line.trim_start_matches("| `").split('`').next().unwrap();
        let (method, path) = cell.split_once(' ').unwrap();
        let path = format!("/api/v1{}", path.split('?').next().unwrap());
        let operation = &document["paths"][&path][method.to_lowercase()];
        assert!(operation.is_object(), "API.md's {method} {path} is missing from the OpenAPI document");
        assert!(operation["responses"]["default"].is_object(), "{method} {path}: no error answer documented");
        routes += 1;
    }
    assert_eq!(routes, 41, "API.md's route table was read");
    // And the document checks out with an independent validator.
    let report = openapi_check(&document, &[]);
    assert_eq!(report["errors"], json!([]));
    // The checker is not blind: a wrong answer, or an undocumented route, is reported.
    let wrong = [
        json!({ "method": "GET", "path": "/api/v1/me", "status": 200, "content_type": "application/json",
                "body": { "id": 5, "role": "manager" } }),
        json!({ "method": "GET", "path": "/api/v1/nowhere", "status": 200, "content_type": "application/json", "body": {} }),
    ];
    let report = openapi_check(&document, &wrong);
    let errors = report["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e.as_str().unwrap().contains("GET /api/v1/me")), "{errors:?}");
    assert!(errors.iter().any(|e| e.as_str().unwrap().contains("no such operation")), "{errors:?}");
}
