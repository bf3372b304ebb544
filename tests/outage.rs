//! Failures under load, against the real binary: PostgreSQL stopped for
//! ten seconds while booking requests run, and `kill -9` of `serve` on
//! SQLite. Nothing acknowledged is lost, requests fail fast and clearly
//! while the database is away, and the server recovers without a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};
use support::binary::{free_port, serve_demo, wait_ready};

const CHORALE: (&str, &str) = ("chorale@demo.salle.test", "demo-chorale-voirons");

async fn token(client: &reqwest::Client, base: &str) -> String {
    support::binary::token(client, base, CHORALE.0, CHORALE.1).await
}

async fn rooms(client: &reqwest::Client, base: &str) -> Vec<String> {
    let found: Value = client
        .get(format!("{base}/api/v1/search?near=Grenoble&radius_km=40&kind=multipurpose"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rooms: Vec<String> = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["room_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(rooms.len() >= 5, "{found}");
    rooms
}

/// Weekday evenings from January 2027 on, in the order requests take them.
fn evenings() -> Vec<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap();
    (0..330)
        .map(|d| first + chrono::Duration::days(d))
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .collect()
}

/// What the load saw: every answer's status and time, and the bookings acknowledged.
#[derive(Debug, Default)]
struct Seen {
    answers: Vec<(Instant, u16, Duration)>,
    acknowledged: Vec<String>,
}

/// Booking requests from `workers` clients until `stop`, each on its own
/// (room, evening), recorded in `seen`. A request that gets no answer
/// (the server was killed) is recorded with status 0.
async fn load(
    base: String,
    token: String,
    rooms: Vec<String>,
    workers: usize,
    stop: Instant,
    seen: Arc<Mutex<Seen>>,
) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let slots: Vec<(String, NaiveDate)> =
        evenings().into_iter().flat_map(|day| rooms.iter().map(move |r| (r.clone(), day))).collect();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (client, base, token, slots, next, seen) =
                (client.clone(), base.clone(), token.clone(), slots.clone(), next.clone(), seen.clone());
            tokio::spawn(async move {
                while Instant::now() < stop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some((room, day)) = slots.get(i % slots.len()) else { return };
                    let at = |t: &str| format!("{day}T{t}:00+01:00");
                    let body = json!({ "room_id": room, "start": at("18:00"), "end": at("19:00"),
                                       "attendees": 10, "purpose": "Répétition" });
                    let sent = Instant::now();
                    let answer = client
                        .post(format!("{base}/api/v1/bookings"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    let took = sent.elapsed();
                    let (status, id) = match answer {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let body: Value = r.json().await.unwrap_or(Value::Null);
                            (status, body["id"].as_str().map(str::to_owned))
                        }
                        Err(_) => (0, None),
                    };
                    {
                        let mut seen = seen.lock().unwrap();
                        seen.answers.push((sent, status, took));
                        if status == 201 {
                            seen.acknowledged.push(id.expect("a 201 names its booking"));
                        }
                    }
                    // A steady load, not a flood: the free evenings must last
                    // until after the outage.
                    tokio::time::sleep(Duration::from_millis(if status == 0 { 50 } else { 100 })).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// Every acknowledged booking can be read back (waiting for the projection).
async fn all_found(client: &reqwest::Client, base: &str, token: &str, ids: &[String]) -> usize {
    let mut found = 0;
    for id in ids {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let status = client
                .get(format!("{base}/api/v1/bookings/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status();
            if status == 200 {
                found += 1;
                break;
            }
            assert!(Instant::now() < deadline, "booking {id} was acknowledged but is not found ({status})");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_of_serve_on_sqlite_loses_no_acknowledged_booking() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("salle.db").display());
    let client = reqwest::Client::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve_demo(&url, port, &dir.path().join("first.log"));
    wait_ready(&client, &base).await;
    let token = token(&client, &base).await;
    let rooms = rooms(&client, &base).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Instant::now() + Duration::from_secs(4);
    let load = tokio::spawn(load(base.clone(), token.clone(), rooms, 6, stop, seen.clone()));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Command::new("kill").args(["-KILL", &server.id().to_string()]).status().unwrap();
    server.wait().unwrap();
    load.await.unwrap();
    let mut server = serve_demo(&url, port, &dir.path().join("second.log"));
    wait_ready(&client, &base).await;
    let (requests, acknowledged) = {
        let seen = seen.lock().unwrap();
        (seen.answers.len(), seen.acknowledged.clone())
    };
    let found = all_found(&client, &base, &token, &acknowledged).await;
    println!(
        "kill -9 on SQLite: {requests} requests, {} acknowledged, {found} found after the restart",
        acknowledged.len()
    );
    server.kill().unwrap();
    let _ = server.wait();
    assert!(!acknowledged.is_empty(), "no booking was acknowledged before the kill: the test proves nothing");
    assert_eq!(found, acknowledged.len());
}

/// A PostgreSQL server of the test's own, that it may stop and start.
struct Postgres {
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Postgres {
    fn as_postgres(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        // initdb and pg_ctl refuse to run as root.
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn start_new() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries (scripts/test installs them)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("pg_ctl").exists())
            .max()
            .expect("pg_ctl");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let pg = Self { bin, data, port: free_port(), _dir: dir };
        if is_root() {
            Command::new("chown")
                .args(["-R", "postgres:", pg._dir.path().to_str().unwrap()])
                .status()
                .unwrap();
        }
        let out = pg
            .as_postgres("initdb")
            .args(["-D", pg.data.to_str().unwrap(), "-U", "postgres", "--auth=trust"])
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        pg.start();
        pg
    }

    fn pg_ctl(&self, args: &[&str]) {
        let log = self.data.join("server.log");
        let options = format!("-p {} -k /tmp -c listen_addresses=127.0.0.1", self.port);
        let out = self
            .as_postgres("pg_ctl")
            .args(["-D", self.data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-w", "-o", &options])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "pg_ctl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn start(&self) {
        self.pg_ctl(&["start"]);
    }

    fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast"]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .as_postgres("pg_ctl")
            .args(["-D", self.data.to_str().unwrap(), "stop", "-m", "immediate"])
            .output();
    }
}

/// Whether the test runs as root (read from /proc, without unsafe code).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgresql_stopped_for_ten_seconds_under_load_fails_fast_loses_nothing_and_recovers() {
    let pg = Postgres::start_new();
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = serve_demo(&pg.url(), port, &dir.path().join("serve.log"));
    wait_ready(&client, &base).await;
    let token = token(&client, &base).await;
    let rooms = rooms(&client, &base).await;
    let seen = Arc::new(Mutex::new(Seen::default()));
    let started = Instant::now();
    let stop = started + Duration::from_secs(22);
    let load = tokio::spawn(load(base.clone(), token.clone(), rooms, 12, stop, seen.clone()));
    tokio::time::sleep(Duration::from_secs(3)).await;
    let down = Instant::now();
    pg.stop();
    tokio::time::sleep(Duration::from_secs(10)).await;
    pg.start();
    let up = Instant::now();
    load.await.unwrap();

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let during: Vec<_> = seen.answers.iter().filter(|(at, _, _)| *at >= down && *at < up).collect();
    let after: Vec<_> = seen.answers.iter().filter(|(at, _, _)| *at >= up + Duration::from_secs(3)).collect();
    let unavailable = during.iter().filter(|(_, s, _)| *s == 503).count();
    let slowest = during.iter().map(|(_, _, took)| *took).max().unwrap_or_default();
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
    assert!(server.try_wait().unwrap().is_none(), "serve died during the outage:\n{log}");
    let found = all_found(&client, &base, &token, &seen.acknowledged).await;
    println!(
        "PostgreSQL outage: {} requests, {} while it was down ({unavailable} answered 503, slowest {:.1} s), \
         {} after it came back ({} acknowledged), {} acknowledged in all, {found} found afterwards",
        seen.answers.len(),
        during.len(),
        slowest.as_secs_f64(),
        after.len(),
        after.iter().filter(|(_, s, _)| *s == 201).count(),
        seen.acknowledged.len(),
    );
    assert!(!during.is_empty(), "no request was sent while PostgreSQL was down");
    for (_, status, took) in &during {
        assert!(matches!(status, 201 | 409 | 422 | 503), "{status} while the database was down:\n{log}");
        assert!(*took < Duration::from_secs(12), "a request hung {:.1} s", took.as_secs_f64());
    }
    assert!(unavailable > 0, "nothing answered 503 while the database was down");
    assert!(after.iter().any(|(_, s, _)| *s == 201), "no booking went through after PostgreSQL came back");
    assert!(after.iter().all(|(_, s, _)| *s != 503 && *s != 500), "still failing after it came back");
    assert_eq!(found, seen.acknowledged.len(), "an acknowledged booking was lost");

    // The projections and the payment process follow the log again.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready: Value = client.get(format!("{base}/readyz")).send().await.unwrap().json().await.unwrap();
        let behind: u64 = ready["projections"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p["events_behind"].as_u64().unwrap())
            .sum::<u64>()
            + ready["process_managers"]["payments"]["events_behind"].as_u64().unwrap();
        if behind == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the projections did not catch up after the outage: {ready}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    server.kill().unwrap();
    let _ = server.wait();
}
