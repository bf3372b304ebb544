//! Running salle as operators do: `/metrics` read by Prometheus's own
//! parser, request ids, every configuration problem reported at once, a
//! PostgreSQL that could lose acknowledged writes refused, and a graceful
//! stop on SIGTERM that lets the request in flight finish.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use salle::config::Settings;
use serde_json::Value;
use support::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_salle");

/// Prometheus's parser (tests/tools/metrics_check.py) on a scrape.
fn parse_metrics(text: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/metrics_check.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/test installs prometheus-client)");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "Prometheus's parser refused the scrape:\n{text}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn samples<'a>(families: &'a Value, family: &str) -> &'a Vec<Value> {
    families[family]["samples"].as_array().unwrap_or_else(|| panic!("no family {family}"))
}

fn value(families: &Value, family: &str, sample: &str, labels: &[(&str, &str)]) -> f64 {
    samples(families, family)
        .iter()
        .filter(|s| s["name"] == sample && labels.iter().all(|(k, v)| s["labels"][*k] == *v))
        .map(|s| s["value"].as_f64().unwrap())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_speak_prometheus_and_requests_carry_their_id() {
    let db = TestDb::sqlite();
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
    settings.demo = true;
    let base = support::app::start(settings).await;
    let client = reqwest::Client::new();

    // A search, a room, a page that does not exist, a forged webhook.
    let found = client.get(format!("{base}/api/v1/search?near=Voiron")).send().await.unwrap();
    assert_eq!(found.status(), 200);
    let id = found.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 32, "a fresh request id: {id}");
    let found: Value = found.json().await.unwrap();
    let room = found["results"][0]["room_id"].as_str().unwrap();
    let shown = client
        .get(format!("{base}/api/v1/rooms/{room}"))
        .header("X-Request-Id", "trace-from-the-proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(shown.headers()["x-request-id"], "trace-from-the-proxy-42", "the caller's id is kept");
    let forged = client
        .get(format!("{base}/nulle-part"))
        .header("X-Request-Id", "not a token; DROP TABLE")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
    assert_ne!(forged.headers()["x-request-id"], "not a token; DROP TABLE", "an unsafe id is replaced");
    let rejected = client
        .post(format!("{base}/api/v1/payments/stripe/webhook"))
        .header("Stripe-Signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 400);

    let scrape = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(scrape.status(), 200);
    assert!(scrape.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let families = parse_metrics(&scrape.text().await.unwrap());

    let http = "salle_http_request_duration_seconds";
    assert_eq!(families[http]["type"], "histogram");
    let count = |route: &str, status: &str| {
        value(&families, http, &format!("{http}_count"), &[("route", route), ("status", status)])
    };
    assert!(count("/api/v1/search", "2xx") >= 1.0);
    assert!(count("/api/v1/rooms/{id}", "2xx") >= 1.0, "routes are patterns, not paths");
    assert!(count("unmatched", "4xx") >= 1.0);
    for sample in samples(&families, http) {
        let route = sample["labels"]["route"].as_str().unwrap();
        assert!(!route.contains(room), "a route label holds an id: {route}");
    }
    let appended = value(
        &families,
        "salle_store_appends",
        "salle_store_appends_total",
        &[("backend", "sqlite"), ("outcome", "ok")],
    );
    assert!(appended > 100.0, "the demo's appends are counted: {appended}");
    assert!(samples(&families, "salle_store_appends").iter().any(|s| s["labels"]["outcome"] == "conflict"));
    assert_eq!(families["salle_store_append_seconds"]["type"], "histogram");
    for projection in ["bookings", "availability", "ledger"] {
        let lag = value(
            &families,
            "salle_projection_lag_events",
            "salle_projection_lag_events",
            &[("projection", projection)],
        );
        assert!(lag >= 0.0);
        let leads = value(
            &families,
            "salle_projection_leader",
            "salle_projection_leader",
            &[("projection", projection)],
        );
        assert_eq!(leads, 1.0, "serve alone leads {projection}");
    }
    let forged = value(
        &families,
        "salle_webhook_rejections",
        "salle_webhook_rejections_total",
        &[("reason", "stale")],
    ) + value(
        &families,
        "salle_webhook_rejections",
        "salle_webhook_rejections_total",
        &[("reason", "bad_signature")],
    );
    assert_eq!(forged, 1.0, "the forged delivery is counted once");
    assert!(families["salle_payment_outcomes"]["samples"].as_array().unwrap().len() >= 5);
}

#[test]
fn every_configuration_problem_is_reported_at_start() {
    let out = Command::new(BIN)
        .arg("serve")
        .env("SALLE_DATABASE_URL", "mysql://localhost/salle")
        .env("SALLE_BIND", "partout")
        .env("SALLE_PUBLIC_URL", "ftp://salle.example.fr")
        .env("SALLE_ADMIN_EMAIL", "admin@salle.example.fr")
        .env("SALLE_SIREN", "123456789")
        .env_remove("SALLE_ADMIN_PASSWORD")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let problems: Vec<&str> = stderr.lines().filter(|l| l.starts_with("  - ")).collect();
    for setting in
        ["SALLE_DATABASE_URL", "SALLE_BIND", "SALLE_PUBLIC_URL", "SALLE_ADMIN_PASSWORD", "SALLE_SIREN"]
    {
        assert_eq!(
            problems.iter().filter(|l| l.contains(setting)).count(),
            1,
            "one line names {setting}:\n{stderr}"
        );
    }
    assert_eq!(problems.len(), 5, "{stderr}");
    assert!(stderr.starts_with("salle: invalid configuration (5 problems):"), "{stderr}");

    let out = Command::new(BIN)
        .args(["worker", "--bind", "127.0.0.1:0"])
        .env("SALLE_DATABASE_URL", "sqlite::memory:")
        .env_remove("SALLE_PUBLIC_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SALLE_PUBLIC_URL is needed by `salle worker`"), "{stderr}");
}

#[tokio::test]
async fn serve_and_worker_refuse_a_postgresql_that_acknowledges_before_the_disk() {
    let db = TestDb::postgres().await;
    let store = db.store().await;
    let pg = store.postgres().expect("PostgreSQL only");
    sqlx::query(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$",
    )
    .execute(pg.pool())
    .await
    .unwrap();
    store.close().await;
    for args in [["serve", "--bind"], ["worker", "--bind"]] {
        let out = Command::new(BIN)
            .args(args)
            .arg("127.0.0.1:0")
            .env("SALLE_DATABASE_URL", &db.url)
            .env("SALLE_PUBLIC_URL", "https://salle.example.fr")
            .output()
            .unwrap();
        assert!(!out.status.success(), "salle {} started on a database without synchronous commits", args[0]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("synchronous_commit = off"), "{stderr}");
        assert!(!stderr.contains("fsync = off"), "fsync is on here: {stderr}");
    }
}

#[test]
fn sigterm_lets_the_requests_in_flight_finish_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(BIN)
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .env("SALLE_DATABASE_URL", format!("sqlite://{}", dir.path().join("salle.db").display()))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            c.write_all(b"GET /readyz HTTP/1.1\r\nHost: salle\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            if c.read_to_string(&mut answer).is_ok() && answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(Instant::now() < deadline, "salle never became ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Sign-ins are slow on purpose (Argon2): several are in flight when SIGTERM arrives…
    let body = r#"{"email":"finance@demo.salle.test","password":"demo-finances-38"}"#;
    let request = format!(
        "POST /api/v1/auth/token HTTP/1.1\r\nHost: salle\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let in_flight: Vec<_> = (0..6)
        .map(|_| {
            let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            c.write_all(request.as_bytes()).unwrap();
            std::thread::spawn(move || {
                let mut answer = String::new();
                c.read_to_string(&mut answer).map(|_| (answer, Instant::now()))
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(30));
    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    let signalled = Instant::now();
    // …each one is answered…
    let mut after_sigterm = 0;
    for answer in in_flight {
        let (answer, finished) = answer.join().unwrap().unwrap();
        after_sigterm += usize::from(finished > signalled);
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"token\""), "{answer}");
    }
    assert!(after_sigterm > 0, "every sign-in ended before SIGTERM: the test proves nothing");
    // …no new connection is taken, and the process ends cleanly.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "salle did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "still listening after it stopped");
    let mut log = String::new();
    server.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("HTTP stopped") && log.contains("salle stopped"), "{log}");
}
