//! Several processes on one PostgreSQL, as on Kubernetes: two `salle serve`
//! with SALLE_WORKERS=external and two `salle worker`, all real processes
//! of the built binary.
//!
//! - A booking made on one web process is in its own list at once
//!   (read-your-writes) and in the other's within a second.
//! - Each projection has exactly one leader among the workers; killing the
//!   leader (SIGKILL, no goodbye) hands every task to the other within 5 s.
//! - No event was applied twice: the read models the workers built, through
//!   the hand-over, equal a clean rebuild from the log.
//! - The worker stops cleanly on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde_json::{Value, json};
use support::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_salle");
const PROJECTIONS: [&str; 3] = ["bookings", "availability", "ledger"];
const ASSOCIATION: (&str, &str) = ("chorale@demo.salle.test", "demo-chorale-voirons");

struct Process {
    name: &'static str,
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Process {
    /// Starts `salle ARGS --bind 127.0.0.1:PORT`; every process names the
    /// same public address, as the ConfigMap does on Kubernetes.
    fn start(
        name: &'static str,
        args: &[&str],
        port: u16,
        public_url: &str,
        db: &TestDb,
        dir: &Path,
    ) -> Self {
        let bind = format!("127.0.0.1:{port}");
        let log = dir.join(format!("{name}.log"));
        let child = Command::new(BIN)
            .args(args)
            .args(["--bind", &bind])
            .env("SALLE_DATABASE_URL", &db.url)
            .env("SALLE_WORKERS", "external")
            .env("SALLE_PAYMENTS", "simulated")
            .env("SALLE_PUBLIC_URL", public_url)
            .env("SALLE_LOG_FORMAT", "json")
            .env("SALLE_MAX_CONNECTIONS", "8")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the salle binary starts");
        Self { name, child, port, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, and the exit status once the process has stopped by itself.
    fn terminate(&mut self, within: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop within {within:?}:\n{}",
                self.name,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_healthy(client: &reqwest::Client, process: &Process) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(process.url("/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "{} never answered /healthz:\n{}", process.name, process.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The projections this worker leads, from its /metrics.
async fn led_by(client: &reqwest::Client, worker: &Process) -> Vec<String> {
    let Ok(answer) = client.get(worker.url("/metrics")).send().await else { return Vec::new() };
    let text = answer.text().await.unwrap_or_default();
    text.lines()
        .filter_map(|line| line.strip_prefix("salle_projection_leader{projection=\""))
        .filter_map(|rest| rest.split_once("\"} "))
        .filter(|(_, value)| value.trim() == "1")
        .map(|(name, _)| name.to_owned())
        .collect()
}

async fn call(
    client: &reqwest::Client,
    web: &Process,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
) -> (u16, Value) {
    let url = web.url(&format!("/api/v1{path}"));
    let request = match method {
        "GET" => client.get(url),
        _ => client.post(url).json(&body),
    };
    let answer = request.bearer_auth(token).send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

async fn token(client: &reqwest::Client, web: &Process) -> String {
    let body = json!({ "email": ASSOCIATION.0, "password": ASSOCIATION.1 });
    let answer = client.post(web.url("/api/v1/auth/token")).json(&body).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

/// Books the room on the first free weekday evening of January 2027 after
/// `after`, and pays it on the simulated provider; returns the booking and its day.
async fn book_and_pay(
    client: &reqwest::Client,
    web: &Process,
    token: &str,
    room: &str,
    after: NaiveDate,
) -> (String, NaiveDate) {
    let mut day = after;
    loop {
        day = day.succ_opt().unwrap();
        assert!(day < NaiveDate::from_ymd_opt(2027, 1, 30).unwrap(), "no free evening in January 2027");
        if chrono::Datelike::weekday(&day).number_from_monday() > 5 {
            continue;
        }
        let slot = |time: &str| format!("{day}T{time}:00+01:00");
        let request = json!({
            "room_id": room, "start": slot("18:00"), "end": slot("20:00"), "attendees": 20, "purpose": "Répétition"
        });
        let (status, booked) = call(client, web, "POST", "/bookings", token, request).await;
        if status == 409 {
            continue;
        }
        assert_eq!(status, 201, "{booked}");
        assert_eq!(booked["status"], "approved", "the demo's halls approve automatically: {booked}");
        let id = booked["id"].as_str().unwrap().to_owned();
        let (status, checkout) =
            call(client, web, "POST", &format!("/bookings/{id}/pay"), token, json!({})).await;
        assert_eq!(status, 200, "{checkout}");
        // The checkout URL names the public address; the association's
        // browser pays on the web process it reached.
        let mut browser =
            support::browser::Browser::signed_in(&web.url(""), ASSOCIATION.0, ASSOCIATION.1).await;
        let paid = browser.simulated_checkout(checkout["checkout_url"].as_str().unwrap(), "succeeded").await;
        assert_eq!(paid, 200);
        return (id, day);
    }
}

async fn listed(client: &reqwest::Client, web: &Process, token: &str, booking: &str) -> Option<Value> {
    let (status, list) = call(client, web, "GET", "/bookings", token, Value::Null).await;
    assert_eq!(status, 200, "{list}");
    list["bookings"].as_array().unwrap().iter().find(|b| b["id"] == booking).cloned()
}

/// Waits until `web` lists the booking with `status`; returns how long it took.
async fn seen_within(
    client: &reqwest::Client,
    web: &Process,
    token: &str,
    booking: &str,
    status: &str,
    limit: Duration,
) -> Duration {
    let started = Instant::now();
    loop {
        if listed(client, web, token, booking).await.is_some_and(|b| b["status"] == status) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{} did not list booking {booking} as {status} within {limit:?}",
            web.name
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every read model's rows, in a stable order, as text.
async fn read_models(db: &TestDb) -> BTreeMap<&'static str, Vec<String>> {
    let store = db.store().await;
    let pg = store.postgres().expect("PostgreSQL only");
    let mut models = BTreeMap::new();
    for table in [
        "read_rooms",
        "read_bookings",
        "read_room_schedule",
        "read_room_blackouts",
        "read_room_occupancy",
        "read_ledger_lines",
        "read_ledger_rooms",
        "read_ledger_bookings",
        "read_ledger_payments",
    ] {
        let sql = format!("SELECT t::text FROM {table} t ORDER BY t::text");
        let rows: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(pg.pool()).await.unwrap();
        models.insert(table, rows);
    }
    store.close().await;
    models
}

fn salle(db: &TestDb, args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).env("SALLE_DATABASE_URL", &db.url).output().unwrap();
    assert!(out.status.success(), "salle {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_web_processes_and_two_workers_share_one_postgresql() {
    let db = TestDb::postgres().await;
    let dir = tempfile::tempdir().unwrap();
    salle(&db, &["seed", "--demo"]);
    let client = reqwest::Client::new();

    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let start = |name, args: &[&str], port| Process::start(name, args, port, &public, &db, dir.path());
    let web1 = start("web-1", &["serve"], port);
    let web2 = start("web-2", &["serve"], free_port());
    let mut workers =
        [start("worker-1", &["worker"], free_port()), start("worker-2", &["worker"], free_port())];
    for p in [&web1, &web2].into_iter().chain(workers.iter()) {
        wait_healthy(&client, p).await;
    }

    // One leader per projection, never two.
    let deadline = Instant::now() + Duration::from_secs(10);
    let leader = loop {
        let led = [led_by(&client, &workers[0]).await, led_by(&client, &workers[1]).await];
        let all_led_once =
            PROJECTIONS.iter().all(|p| led.iter().filter(|l| l.iter().any(|x| x == p)).count() == 1);
        if all_led_once {
            break if led[0].iter().any(|p| p == "bookings") { 0 } else { 1 };
        }
        assert!(Instant::now() < deadline, "projections without exactly one leader: {led:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // Web processes leave the projections to the workers.
    for web in [&web1, &web2] {
        let metrics = client.get(web.url("/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(
            !metrics.lines().any(|l| l.starts_with("salle_projection_leader{") && l.ends_with(" 1")),
            "{} runs a projection although SALLE_WORKERS=external",
            web.name
        );
    }

    let token1 = token(&client, &web1).await;
    let token2 = token(&client, &web2).await;
    let (status, found) = call(
        &client,
        &web1,
        "GET",
        "/search?near=Voiron&radius_km=10&kind=multipurpose",
        &token1,
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{found}");
    let room = found["results"][0]["room_id"].as_str().expect("a hall near Voiron").to_owned();

    // Read-your-writes on web-1, and web-2 within a second.
    let start = NaiveDate::from_ymd_opt(2027, 1, 10).unwrap();
    let (first, day) = book_and_pay(&client, &web1, &token1, &room, start).await;
    let (status, _) = call(&client, &web1, "GET", "/bookings", &token1, Value::Null).await;
    assert_eq!(status, 200);
    assert!(listed(&client, &web1, &token1, &first).await.is_some(), "web-1 does not list its own booking");
    let took = seen_within(&client, &web2, &token2, &first, "paid", Duration::from_secs(1)).await;
    eprintln!("booking {first} paid on web-1, listed as paid on web-2 after {took:?}");
    let availability = format!("/rooms/{room}/availability?from={day}&to={day}");
    let (status, calendar) = call(&client, &web2, "GET", &availability, &token2, Value::Null).await;
    assert_eq!(status, 200, "{calendar}");
    assert!(
        calendar["intervals"].as_array().unwrap().iter().any(|i| i["status"] == "booked"),
        "web-2's calendar shows the booking: {calendar}"
    );

    // The leader dies without a word; the other worker takes every task over.
    let killed = Instant::now();
    workers[leader].child.kill().unwrap();
    workers[leader].child.wait().unwrap();
    let survivor = &workers[1 - leader];
    let handed_over = loop {
        let led = led_by(&client, survivor).await;
        if PROJECTIONS.iter().all(|p| led.iter().any(|l| l == p)) {
            break killed.elapsed();
        }
        assert!(killed.elapsed() < Duration::from_secs(5), "no hand-over within 5 s: {led:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("{} led every projection {handed_over:?} after the leader was killed", survivor.name);

    // Work goes on through the survivor: a booking on web-2 shows on web-1.
    let (second, _) = book_and_pay(&client, &web2, &token2, &room, day).await;
    assert!(listed(&client, &web2, &token2, &second).await.is_some(), "web-2 does not list its own booking");
    let took = seen_within(&client, &web1, &token1, &second, "paid", Duration::from_secs(1)).await;
    eprintln!("booking {second} paid on web-2, listed as paid on web-1 after {took:?}");

    // Caught up, then stopped cleanly.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = salle(&db, &["projections", "status"]);
        let behind: Vec<&str> = status
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|cols| cols.len() == 4 && PROJECTIONS.contains(&cols[0]))
            .map(|cols| cols[2])
            .collect();
        if behind.len() == PROJECTIONS.len() && behind.iter().all(|b| *b == "0") {
            break;
        }
        assert!(Instant::now() < deadline, "the projections did not catch up:\n{status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let worker = &mut workers[1 - leader];
    let status = worker.terminate(Duration::from_secs(10));
    assert!(status.success(), "the worker exits 0 on SIGTERM: {status:?}\n{}", worker.log());
    assert!(worker.log().contains("salle worker stopped"), "{}", worker.log());
    drop(web1);
    drop(web2);

    // No event applied twice: what the workers built equals a clean rebuild.
    let built = read_models(&db).await;
    assert!(built["read_bookings"].len() >= 2 && !built["read_ledger_lines"].is_empty(), "{built:?}");
    salle(&db, &["projections", "rebuild"]);
    let rebuilt = read_models(&db).await;
    for (table, rows) in &built {
        assert_eq!(rows, &rebuilt[table], "{table} differs from a clean rebuild");
    }
}
