//! What an outside audit broke, each fault as the request that showed it:
//! sign-in limits and their memory, forwarded addresses, extreme dates,
//! metrics labels and who may read them, readiness, the CSP, HSTS,
//! caching, token revocation, invisible characters, secrets in `--help`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::TestDb;
use support::app::{ADMIN, TestApp, settings, spawn_app, spawn_with};

const BIN: &str = env!("CARGO_BIN_EXE_salle");

fn trusting_loopback(db: &TestDb) -> salle::config::Settings {
    let mut settings = settings(db);
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    settings
}

async fn sign_in_from(app: &TestApp, email: &str, password: &str, from: Option<&str>) -> reqwest::Response {
    let mut request =
        app.client.post(app.url("/api/v1/auth/token")).json(&json!({ "email": email, "password": password }));
    if let Some(from) = from {
        request = request.header("X-Forwarded-For", from);
    }
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_wrong_passwords_on_one_account_are_judged_at_most_five_times() {
    let app = spawn_app(TestDb::sqlite()).await;
    let attempts = (0..40).map(|_| sign_in_from(&app, ADMIN.0, "pas le bon mot de passe", None));
    let answers = futures_util::future::join_all(attempts).await;
    let judged = answers.iter().filter(|r| r.status() == StatusCode::UNAUTHORIZED).count();
    assert!((1..=5).contains(&judged), "{judged} wrong passwords were checked");
    for answer in &answers {
        let status = answer.status();
        assert!(matches!(status.as_u16(), 401 | 429 | 503), "{status}");
        if status != StatusCode::UNAUTHORIZED {
            let retry = answer.headers().get("retry-after").and_then(|v| v.to_str().ok());
            assert!(retry.and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| s > 0), "{status}: {retry:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let db = TestDb::sqlite();
    let settings = trusting_loopback(&db);
    let app = spawn_with(db, settings).await;
    for _ in 0..5 {
        let answer = sign_in_from(&app, ADMIN.0, "devinette devinette", Some("203.0.113.66")).await;
        assert_eq!(answer.status(), 401);
    }
    let guessing = sign_in_from(&app, ADMIN.0, ADMIN.1, Some("203.0.113.66")).await;
    assert_eq!(guessing.status(), 429, "the guessing address backs off, even with the right password");
    let owner = sign_in_from(&app, ADMIN.0, ADMIN.1, Some("198.51.100.20")).await;
    assert_eq!(owner.status(), 200, "the owner, elsewhere, is not locked out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forwarded_addresses_from_an_untrusted_peer_do_not_escape_the_address_limit() {
    let app = spawn_app(TestDb::sqlite()).await;
    let mut limited = 0;
    for i in 0..25 {
        let from = format!("198.18.0.{i}");
        let mut request = app.client.post(app.url("/api/v1/auth/token")).json(&json!({
            "email": format!("personne{i}@salle.test"), "password": "mot de passe faux"
        }));
        request = if i % 2 == 0 {
            request.header("X-Forwarded-For", from)
        } else {
            request.header("Forwarded", format!("for={from}"))
        };
        if request.send().await.unwrap().status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert_eq!(limited, 5, "20 failures per address, whatever X-Forwarded-For says");
}

#[test]
fn a_hundred_parallel_sign_ins_stay_within_the_memory_of_a_pod() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = std::process::Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("SALLE_DATABASE_URL", format!("sqlite://{}", dir.path().join("salle.db").display()))
        .env("SALLE_ADMIN_EMAIL", ADMIN.0)
        .env("SALLE_ADMIN_PASSWORD", ADMIN.1)
        // Each attempt from its own address (through a trusted proxy), so
        // that the address limit leaves every one of them to be hashed.
        .env("SALLE_TRUSTED_PROXIES", "127.0.0.1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let peak_kib = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().to_owned();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let (before, after, statuses) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while client.get(format!("{base}/readyz")).send().await.map(|r| r.status()).ok()
            != Some(StatusCode::OK)
        {
            assert!(Instant::now() < deadline, "salle never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let before = peak_kib(server.id());
        let attempts = (0..100).map(|i| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let body =
                    json!({ "email": format!("inconnu{i}@salle.test"), "password": "un mot de passe" });
                let from = format!("10.0.{}.{}", i / 256, i % 256);
                let request =
                    client.post(format!("{base}/api/v1/auth/token")).header("X-Forwarded-For", from);
                request.json(&body).send().await.unwrap().status()
            }
        });
        let statuses = futures_util::future::join_all(attempts).await;
        (before, peak_kib(server.id()), statuses)
    });
    server.kill().unwrap();
    let _ = server.wait();
    assert!(statuses.iter().all(|s| matches!(s.as_u16(), 401 | 429 | 503)), "{statuses:?}");
    let grown_mib = after.saturating_sub(before) / 1024;
    let count = |code: u16| statuses.iter().filter(|s| s.as_u16() == code).count();
    println!(
        "100 parallel sign-ins: peak {} MiB before, {} MiB after (+{grown_mib} MiB); {} × 401, {} × 429, {} × 503",
        before / 1024,
        after / 1024,
        count(401),
        count(429),
        count(503)
    );
    // Unbounded, 100 Argon2 hashes of 19 MiB each took 1.9 GB more (and 200
    // took 3.2 GB); bounded, the allocator keeps a few hashes' worth.
    assert!(grown_mib < 512, "the peak grew by {grown_mib} MiB for 100 parallel sign-ins");
    assert!(after / 1024 < 1024, "the peak, {} MiB, is over a web pod's 1 GiB", after / 1024);
}

async fn demo_room(app: &TestApp) -> String {
    let (status, _, found) = app.api(Method::GET, "/search?near=Voiron&radius_km=20", None, None).await;
    assert_eq!(status, 200, "{found}");
    found["results"][0]["room_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn extreme_dates_are_refused_with_the_field_named_never_a_dropped_connection() {
    let db = TestDb::sqlite();
    let mut settings = settings(&db);
    settings.demo = true;
    settings.print_demo_accounts = false;
    let app = spawn_with(db, settings).await;
    let room = demo_room(&app).await;
    for far in ["%2B262142-12-31", "-262143-01-01", "9999-12-31"] {
        let path = format!("/rooms/{room}/availability?from={far}&to=2026-12-31");
        let (status, _, body) = app.api(Method::GET, &path, None, None).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(body["error"]["code"], "invalid_date");
        assert!(body["error"]["message"].as_str().unwrap().contains("« from »"), "{body}");
        let path = format!("/search?near=Voiron&start={far}T18:00&end={far}T20:00");
        let (status, _, body) = app.api(Method::GET, &path, None, None).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("start"), "{body}");
        let page = app.client.get(app.url(&format!("/salles/{room}?semaine={far}"))).send().await.unwrap();
        assert_eq!(page.status(), 422, "the room page for the week of {far}");
        assert!(page.text().await.unwrap().contains("semaine"));
    }
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200, "still serving");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn made_up_methods_share_one_metrics_label() {
    let app = spawn_app(TestDb::sqlite()).await;
    for i in 0..30 {
        let method = Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let _ = app.client.request(method, app.url("/")).send().await.unwrap();
    }
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("INVENTED"), "a made-up method became a label");
    assert!(metrics.contains("method=\"other\""), "unknown methods count as other");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_and_readiness_details_are_for_local_callers_only() {
    let db = TestDb::sqlite();
    let settings = trusting_loopback(&db);
    let app = spawn_with(db, settings).await;
    let outside = |path: &str| app.client.get(app.url(path)).header("X-Forwarded-For", "203.0.113.9").send();
    assert_eq!(outside("/metrics").await.unwrap().status(), 404);
    let ready: Value = outside("/readyz").await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({ "status": "ready" }), "no details through the ingress");
    let local: Value = app.client.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert!(local["projections"].is_object() && local["store"]["head"].is_string(), "{local}");
    assert_eq!(app.client.get(app.url("/metrics")).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_are_served_on_their_own_address_when_asked() {
    let db = TestDb::sqlite();
    let mut settings = settings(&db);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    settings.metrics_bind = Some(format!("127.0.0.1:{port}").parse().unwrap());
    let app = spawn_with(db, settings).await;
    let text = app.client.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(text.status(), 200);
    assert!(text.text().await.unwrap().contains("salle_projection_lag_seconds"));
    let ready: Value =
        app.client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.unwrap().json().await.unwrap();
    assert!(ready["projections"].is_object(), "{ready}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_worker_does_not_make_the_web_unready() {
    use sqlx::Connection;
    let db = TestDb::sqlite();
    db.store().await;
    // An event from ten minutes ago that no projection has applied: the
    // workers are elsewhere (SALLE_WORKERS=external) and stopped.
    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, payload, \
         metadata, recorded_at) VALUES ('test-1', 1, ?, 'test.noticed', 1, '{}', '{}', ?)",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(chrono::Utc::now() - chrono::Duration::minutes(10))
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let mut settings = settings(&db);
    settings.run_workers = false;
    let app = spawn_with(db, settings).await;
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let details: Value = ready.json().await.unwrap();
    let behind = details["projections"]["bookings"]["seconds_behind"].as_f64().unwrap();
    assert!(behind > 500.0, "the lag is reported ({behind} s), not acted on: {details}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forms_may_lead_to_stripe_checkout_and_onboarding_and_https_is_pinned() {
    let app = spawn_app(TestDb::sqlite()).await;
    let home = app.client.get(app.url("/")).send().await.unwrap();
    let csp = home.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let form_action = csp.split(';').map(str::trim).find(|d| d.starts_with("form-action")).unwrap();
    for origin in ["'self'", "https://checkout.stripe.com", "https://connect.stripe.com"] {
        assert!(form_action.split_whitespace().any(|s| s == origin), "{form_action} lacks {origin}");
    }
    assert!(!home.headers().contains_key("strict-transport-security"), "plain HTTP: no HSTS");

    let db = TestDb::sqlite();
    let mut settings = settings(&db);
    settings.payments = salle::config::PaymentSettings::simulated("https://salle.example.fr");
    let https = spawn_with(db, settings).await;
    let home = https.client.get(https.url("/")).send().await.unwrap();
    let hsts = home.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.contains("max-age=31536000"), "{hsts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn private_answers_are_never_kept_by_a_cache() {
    let app = spawn_app(TestDb::sqlite()).await;
    let token = app.token(ADMIN.0, ADMIN.1).await;
    let (status, headers, _) = app.api(Method::GET, "/me", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    let (_, headers, _) = app.api(Method::POST, "/auth/token", None, Some(json!({}))).await;
    assert_eq!(headers["cache-control"], "no-store", "API errors too");
    let stylesheet = app.client.get(app.url("/static/salle.css")).send().await.unwrap();
    assert_ne!(stylesheet.headers().get("cache-control").unwrap(), "no-store", "the stylesheet is cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revoked_token_stops_working_at_once() {
    let app = spawn_app(TestDb::sqlite()).await;
    let token = app.token(ADMIN.0, ADMIN.1).await;
    let other = app.token(ADMIN.0, ADMIN.1).await;
    let (status, _, _) = app.api(Method::DELETE, "/auth/token", Some(&token), None).await;
    assert_eq!(status, 204);
    let (status, _, body) = app.api(Method::GET, "/me", Some(&token), None).await;
    assert_eq!(status, 401, "{body}");
    let (status, _, _) = app.api(Method::DELETE, "/auth/token", Some(&token), None).await;
    assert_eq!(status, 401, "already revoked");
    let (status, _, _) = app.api(Method::GET, "/me", Some(&other), None).await;
    assert_eq!(status, 200, "the account's other tokens keep working");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invisible_and_control_characters_are_refused_in_what_people_type() {
    let app = spawn_app(TestDb::sqlite()).await;
    let sign_up = json!({
        "name": "Chorale du Voironnais", "rna": "W381000001", "category": "local_association",
        "email": "chorale@salle.test", "password": "la chorale chante", "contact_name": "Anne Martin"
    });
    for (field, value) in [
        ("name", "Chorale\u{202E}sianno"),
        ("name", "Chorale\u{200B}"),
        ("contact_name", "Anne\u{0}Martin"),
        ("email", "chorale\u{0}@salle.test"),
        ("email", "cho\u{2066}rale@salle.test"),
    ] {
        let mut body = sign_up.clone();
        body[field] = json!(value);
        let (status, _, answer) = app.api(Method::POST, "/associations", None, Some(body)).await;
        assert_eq!(status, 422, "{field} {value:?}: {answer}");
    }
    let (status, _, answer) = app.api(Method::POST, "/associations", None, Some(sign_up)).await;
    assert_eq!(status, 201, "{answer}");
}

#[test]
fn help_never_prints_a_secret_from_the_environment() {
    let out = std::process::Command::new(BIN)
        .args(["serve", "--help"])
        .env("SALLE_DATABASE_URL", "postgres://salle:motdepasse-secret@db.example/salle")
        .env("SALLE_ADMIN_PASSWORD", "un autre secret bien long")
        .env("STRIPE_SECRET_KEY", "sk_test_secret_de_stripe")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && help.contains("SALLE_DATABASE_URL"), "{help}");
    for secret in ["motdepasse-secret", "un autre secret", "sk_test_secret"] {
        assert!(!help.contains(secret), "--help shows {secret}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_a_provider_paid_slots_are_refused_and_nothing_is_simulated() {
    let db = TestDb::sqlite();
    let mut settings = salle::config::Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.demo = true;
    settings.print_demo_accounts = false;
    assert!(matches!(settings.payments.provider, salle::config::Provider::Off), "off unless asked for");
    let app = spawn_with(db, settings).await;
    let (_, email, password) = salle::seed::DEMO_ACCOUNTS[3];
    let token = app.token(email, password).await;
    let (_, _, found) =
        app.api(Method::GET, "/search?near=Voiron&radius_km=10&kind=multipurpose", None, None).await;
    let room = found["results"][0]["room_id"].as_str().unwrap().to_owned();
    let mut day = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let answer = loop {
        day = day.succ_opt().unwrap();
        if chrono::Datelike::weekday(&day).number_from_monday() > 5 {
            continue;
        }
        let at = |t: &str| format!("{day}T{t}:00+01:00");
        let request = json!({ "room_id": room, "start": at("18:00"), "end": at("20:00"),
                              "attendees": 20, "purpose": "Répétition" });
        let (status, _, answer) = app.api(Method::POST, "/bookings", Some(&token), Some(request)).await;
        if status != StatusCode::CONFLICT {
            assert_eq!(status, 422, "{answer}");
            break answer;
        }
    };
    assert_eq!(answer["error"]["code"], "payments_not_ready", "{answer}");
    let page = app.client.get(app.url("/paiement/simule/compte/acct_sim_x")).send().await.unwrap();
    assert_eq!(page.status(), 404, "no simulated provider's pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_simulated_onboarding_answers_only_the_establishments_managers() {
    let db = TestDb::sqlite();
    let mut settings = settings(&db);
    settings.demo = true;
    settings.print_demo_accounts = false;
    let app = spawn_with(db, settings).await;
    let (_, _, found) = app.api(Method::GET, "/search?near=Grenoble&radius_km=5", None, None).await;
    let establishment = found["results"][0]["establishment_id"].as_str().unwrap().to_owned();
    let page = format!("/paiement/simule/compte/acct_sim_{}", establishment.replace('-', ""));
    let mut anonymous = support::browser::Browser::new(&app.address);
    let (status, _, location) = anonymous.get(&page).await;
    assert!(status == 404 || (status == 303 && location.as_deref() == Some("/connexion")), "{status}");
    let (status, _, _) = anonymous.post(&page, &[]).await;
    assert!(matches!(status, 403 | 404), "{status}: no onboarding without a manager's session");
    let (_, email, password) = salle::seed::DEMO_ACCOUNTS[3];
    let mut association = support::browser::Browser::signed_in(&app.address, email, password).await;
    let (_, html, _) = association.get("/reservations").await;
    let token = support::browser::csrf(&html);
    let (status, _, _) = association.post(&page, &[("csrf", &token)]).await;
    assert_eq!(status, 404, "an association cannot complete an establishment's onboarding");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_address_signs_up_ten_associations_an_hour_at_most() {
    let db = TestDb::sqlite();
    let settings = trusting_loopback(&db);
    let app = spawn_with(db, settings).await;
    let sign_up = |i: u32, from: &'static str| {
        let body = json!({
            "name": format!("Association {i}"), "rna": format!("W38100{i:04}"), "category": "local_association",
            "email": format!("asso{i}@salle.test"), "password": "un long mot de passe", "contact_name": "A"
        });
        app.client.post(app.url("/api/v1/associations")).header("X-Forwarded-For", from).json(&body).send()
    };
    for i in 0..10 {
        assert_eq!(sign_up(i, "203.0.113.7").await.unwrap().status(), 201);
    }
    let refused = sign_up(10, "203.0.113.7").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("inscriptions"), "{body}");
    assert_eq!(sign_up(11, "198.51.100.8").await.unwrap().status(), 201, "another address is not affected");
}
