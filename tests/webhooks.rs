//! Webhook verification against vectors made by Stripe's official Python
//! library, and the simulated provider's pages and webhook through the
//! running application.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use salle::config::{PaymentSettings, Provider, Settings};
use salle::domain::booking::BookingStatus;
use salle::domain::payment::AttemptStatus;
use salle::payments::simulated;
use salle::payments::webhook::{Rejected, verify};
use salle_events::Metadata;
use salle_events::catalog::Money;
use support::TestDb;
use support::world::{Tariff, commands, establishment_with_room, now};
use uuid::Uuid;

const SECRET: &str = "whsec_salle_vectors";

/// Runs the Python helper (Stripe's library) with `input` on stdin.
fn stripe_python(input: serde_json::Value) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/stripe_vectors.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test installs Stripe's library)");
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Stripe's Python library is needed (pip install stripe): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn a_payload() -> String {
    let at = Utc.timestamp_opt(1_790_000_000, 0).unwrap();
    simulated::checkout_completed("cs_test_1", Uuid::from_u128(1), Uuid::from_u128(2), Money::eur(2500), at)
        .to_string()
}

#[test]
fn stripes_own_signatures_are_judged_as_stripe_judges_them() {
    let payload = a_payload();
    let now = Utc::now().timestamp();
    let vectors = stripe_python(serde_json::json!({ "payload": payload, "secret": SECRET, "now": now }));
    let secrets = [SECRET.to_owned()];
    let when = Utc.timestamp_opt(now, 0).unwrap();
    let mut names = vec![];
    for v in vectors.as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        names.push(name.to_owned());
        let got = verify(v["payload"].as_str().unwrap().as_bytes(), v["header"].as_str(), &secrets, when);
        // Stripe's Python library accepts any timestamp in the future; salle
        // holds both directions to the 300 s tolerance, as async-stripe does.
        let expected = v["stripe_accepts"].as_bool().unwrap() && name != "timestamp_301_s_ahead";
        assert_eq!(got.is_ok(), expected, "{name}: {got:?}");
        match name {
            "timestamp_301_s_old" | "timestamp_301_s_ahead" => assert_eq!(got, Err(Rejected::Stale)),
            "body_changed_by_one_byte" | "wrong_secret" => assert_eq!(got, Err(Rejected::BadSignature)),
            _ => {}
        }
    }
    assert_eq!(names.len(), 9, "{names:?}");
}

#[test]
fn during_a_rotation_either_secret_verifies() {
    let payload = a_payload();
    let now = Utc::now();
    let header = simulated::sign(&payload, "whsec_new", now.timestamp());
    let both = ["whsec_old".to_owned(), "whsec_new".to_owned()];
    assert!(verify(payload.as_bytes(), Some(&header), &both, now).is_ok());
    assert_eq!(
        verify(payload.as_bytes(), Some(&header), &["whsec_old".to_owned()], now),
        Err(Rejected::BadSignature)
    );
    assert_eq!(verify(payload.as_bytes(), None, &both, now), Err(Rejected::MissingSignature));
    assert_eq!(verify(&[0xff, 0xfe], Some(&header), &both, now), Err(Rejected::NotUtf8));
}

#[test]
fn stripes_library_accepts_what_the_simulated_provider_signs() {
    let payload = a_payload();
    let header = simulated::sign(&payload, SECRET, Utc::now().timestamp());
    let verdict = stripe_python(
        serde_json::json!({ "verify": true, "payload": payload, "header": header, "secret": SECRET }),
    );
    assert_eq!(verdict["accepted"], true);
}

on_both_backends!(the_simulated_provider_pays_through_the_running_marketplace);

/// The embedded marketplace with the simulated provider, end to end over
/// HTTP: the checkout page, the pay button, the webhook pipeline, the
/// process manager running in the server, and a forged webhook refused.
async fn the_simulated_provider_pays_through_the_running_marketplace(db: TestDb) {
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.payments =
        PaymentSettings::new("http://127.0.0.1", Some("simulated"), None, None, None).unwrap();
    let Provider::Simulated { webhook_secret } = settings.payments.provider.clone() else { unreachable!() };
    let address = support::app::start(settings).await;
    let client = reqwest::Client::new();

    let commands = commands(db.store().await);
    let (_, room_id) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    let meta = Metadata::default();
    let association_id = Uuid::now_v7();
    let booking_id = support::world::approved_booking(&commands, room_id, "2026-12-15", association_id).await;
    commands.request_checkout(room_id, booking_id, association_id, now(), &meta).await.unwrap();

    // The server's process manager opens the checkout.
    let mut url = None;
    for _ in 0..500 {
        let payment = commands.payment(booking_id).await.unwrap();
        if let AttemptStatus::Open { url: u, .. } = &payment.attempts[0].status {
            url = Some(u.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let url = url.expect("the checkout opens");
    let path = url.trim_start_matches("http://127.0.0.1");
    let page = client.get(format!("{address}{path}")).send().await.unwrap();
    assert_eq!(page.status(), 200, "not signed in: the sign-in page");
    assert!(page.url().path().ends_with("/connexion"), "{}", page.url());
    let email = "tresorier@salle.test";
    let account = salle::app::accounts::NewAccount {
        email,
        password: "le trésorier paie",
        name: "Trésorier",
        role: salle::app::accounts::Role::Association,
        association_id: Some(association_id),
    };
    salle::app::accounts::create(&commands.store, account, Utc::now()).await.unwrap();
    let mut treasurer = support::browser::Browser::signed_in(&address, email, "le trésorier paie").await;
    let (status, html, _) = treasurer.get(path).await;
    assert_eq!(status, 200);
    assert!(html.contains("25,00 €") && html.contains("Payer"), "{html}");
    let token = support::browser::csrf(&html);

    // A forged delivery is refused, naming why and nothing secret.
    let forged = client
        .post(format!("{address}/api/v1/payments/stripe/webhook"))
        .header("Stripe-Signature", format!("t={},v1={}", Utc::now().timestamp(), "00".repeat(32)))
        .body(a_payload())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let body: serde_json::Value = forged.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_webhook");
    assert!(!body.to_string().contains(&webhook_secret));

    let (status, _, _) = treasurer.post(path, &[("outcome", "succeeded")]).await;
    assert_eq!(status, 403, "no outcome without the page's CSRF token");
    let (status, html, _) = treasurer.post(path, &[("csrf", &token), ("outcome", "succeeded")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Paiement accepté"));
    let mut status = BookingStatus::Approved;
    for _ in 0..500 {
        status = commands.room(room_id).await.unwrap().bookings[&booking_id].status;
        if status == BookingStatus::Paid {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, BookingStatus::Paid, "the server's process manager recorded the payment");
    // The page of a paid checkout is gone.
    assert_eq!(treasurer.get(path).await.0, 404);
    let (status, _, _) = treasurer.post(path, &[("csrf", &token), ("outcome", "maybe")]).await;
    assert_eq!(status, 404, "a closed checkout takes no outcome");
}
