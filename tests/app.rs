//! Black-box tests of the binary and its HTTP server: spawned on port 0 on a
//! fresh database of each backend.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::process::Command;

use salle::config::Settings;
use salle::startup::Application;
use salle_events::{EventStore, ExpectedVersion, Metadata, NewEvent, StreamId};
use support::TestDb;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> Self {
        let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
        settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
        let address = support::app::start(settings).await;
        Self { address, client: reqwest::Client::new(), db }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("request sent")
    }
}

on_both_backends!(health_and_readiness_answer, unknown_addresses_answer_404_in_the_right_format);

async fn health_and_readiness_answer(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let backend = match app.db.backend {
        support::Backend::Sqlite => "sqlite",
        support::Backend::Postgres => "postgres",
    };
    assert_eq!(body["store"]["backend"], backend);
}

async fn unknown_addresses_answer_404_in_the_right_format(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let api = app.get("/api/v1/nothing-here").await;
    assert_eq!(api.status(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("/api/v1/nothing-here"));
    let page = app.get("/nulle-part").await;
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr">"#) && html.contains("Page introuvable"), "{html}");
}

fn salle() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_salle"));
    cmd.env_remove("SALLE_DATABASE_URL").env_remove("SALLE_BIND").env("RUST_LOG", "warn");
    cmd
}

#[test]
fn a_bad_database_url_is_one_line_naming_the_setting() {
    let out = salle().args(["--database-url", "mysql://localhost/x", "migrate"]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("SALLE_DATABASE_URL") && !stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unreachable_database_is_one_line_without_the_password() {
    let out = salle()
        .env("SALLE_DATABASE_URL", "postgres://salle:hunter2@127.0.0.1:1/salle")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot reach PostgreSQL") && !stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn migrate_creates_the_embedded_store_and_tail_prints_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nested/dir/salle.db").display());
    let migrate = salle().args(["--database-url", &url, "migrate"]).output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    assert!(dir.path().join("nested/dir/salle.db").exists());

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = salle_events::Store::connect(&url, Default::default()).await.unwrap();
        let stream = StreamId::parse("room-1").unwrap();
        let events = (0..3)
            .map(|n| NewEvent::new("Counted", 1, serde_json::json!({ "n": n }), Metadata::default()))
            .collect();
        store.append(&stream, ExpectedVersion::NoStream, events).await.unwrap();
        store.close().await;
    });
    let tail = salle().args(["--database-url", &url, "events", "tail"]).output().unwrap();
    assert!(tail.status.success(), "{}", String::from_utf8_lossy(&tail.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(tail.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["payload"]["n"], 2);
    assert_eq!(lines[0]["stream_id"], "room-1");
    let after = salle().args(["--database-url", &url, "events", "tail", "--after", "2"]).output().unwrap();
    assert_eq!(String::from_utf8(after.stdout).unwrap().lines().count(), 1);
}

#[test]
fn tail_refuses_a_store_without_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("empty.db").display());
    let out = salle().args(["--database-url", &url, "events", "tail"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("salle migrate"));
}

#[test]
fn the_store_benchmark_prints_every_figure() {
    let admin = std::env::var("DATABASE_URL").unwrap_or_else(|_| support::DEFAULT_DATABASE_URL.to_owned());
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("figures.json");
    let peer = dir.path().join("peer.json");
    std::fs::write(
        &peer,
        r#"{"append": [{"writers": 1, "events_per_sec": 100.0}, {"writers": 2, "events_per_sec": 150.0}]}"#,
    )
    .unwrap();
    let out = salle()
        .args([
            "bench",
            "store",
            "--seconds",
            "0.3",
            "--warmup",
            "0.05",
            "--writers",
            "1,2",
            "--replay-events",
            "1200",
        ])
        .args([
            "--postgres-url",
            &admin,
            "--peer-results",
            peer.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let figures: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = figures["rows"].as_array().unwrap();
    for backend in ["sqlite", "postgres"] {
        for measurement in ["append", "raw INSERT"] {
            for writers in [1, 2] {
                let row = rows
                    .iter()
                    .find(|r| {
                        r["backend"] == backend && r["measurement"] == measurement && r["writers"] == writers
                    })
                    .unwrap_or_else(|| panic!("{backend} {measurement} {writers}: missing\n{stdout}"));
                assert!(row["events_per_sec"].as_f64().unwrap() > 0.0);
            }
        }
        assert!(rows.iter().any(|r| r["backend"] == backend && r["measurement"] == "replay"));
    }
    assert!(stdout.contains("postgres-es 0.5 persist") && stdout.contains('×'), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_seeds_every_isere_college_once() {
    let db = TestDb::new(support::Backend::Sqlite).await;
    let commands = support::world::commands(db.store().await);
    let now = support::world::now();
    let first = salle::seed::demo(&commands, now).await.unwrap();
    assert_eq!((first.establishments, first.rooms, first.associations, first.bookings), (97, 194, 3, 3));
    let again = salle::seed::demo(&commands, now).await.unwrap();
    assert_eq!(again, salle::seed::Seeded::default(), "seeding twice changes nothing");
    let grenoble = salle::seed::colleges().unwrap().into_iter().filter(|c| c.commune == "Grenoble").count();
    assert!(grenoble > 5, "{grenoble} collèges in Grenoble");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_demo_seeds_an_empty_store_only() {
    let db = TestDb::new(support::Backend::Sqlite).await;
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 4).unwrap();
    settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
    settings.demo = true;
    let app = Application::build(settings).await.unwrap();
    drop(app);
    let store = db.store().await;
    let events = store.count_after(salle_events::LogPosition::START).await.unwrap();
    assert!(events > 97 * 3, "{events} events");
}

on_both_backends!(a_rooms_availability_is_served_in_local_time);

async fn a_rooms_availability_is_served_in_local_time(db: TestDb) {
    use salle::domain::room::BookingRequest;
    use support::world::{Tariff, at, establishment_with_room, now};
    let app = TestApp::spawn(db).await;
    let commands = support::world::commands(app.db.store().await);
    let (_, room_id) = establishment_with_room(&commands, Tariff::Departement(1000), 0).await;
    let request = BookingRequest {
        booking_id: uuid::Uuid::now_v7(),
        association_id: uuid::Uuid::now_v7(),
        category: salle_events::catalog::association::RequesterCategory::LocalAssociation,
        start: at("2026-12-08", "19:00"),
        end: at("2026-12-08", "21:00"),
        attendees: 12,
        purpose: "Théâtre".into(),
    };
    commands
        .request_booking(
            room_id,
            request,
            salle::domain::association::Standing::VERIFIED,
            now(),
            &Metadata::default(),
        )
        .await
        .unwrap();
    // The server's runners follow the log: wait for them to see the request.
    let path = format!("/api/v1/rooms/{room_id}/availability?from=2026-12-08&to=2026-12-08");
    let mut body = serde_json::Value::Null;
    for _ in 0..200 {
        let response = app.get(&path).await;
        if response.status() == 200 {
            body = response.json().await.unwrap();
            if body["intervals"].as_array().is_some_and(|i| i.len() == 3) {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let intervals = body["intervals"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(intervals.len(), 3, "{body}");
    assert_eq!(intervals[0]["start"], "2026-12-08T18:00:00+01:00");
    assert_eq!(intervals[0]["status"], "free");
    assert_eq!(intervals[1]["start"], "2026-12-08T19:00:00+01:00");
    assert_eq!(intervals[1]["status"], "held");
    assert_eq!(intervals[2]["end"], "2026-12-08T22:00:00+01:00");

    assert_eq!(
        app.get(&format!(
            "/api/v1/rooms/{}/availability?from=2026-12-08&to=2026-12-08",
            uuid::Uuid::now_v7()
        ))
        .await
        .status(),
        404
    );
    let bad = app.get(&format!("/api/v1/rooms/{room_id}/availability?from=08/12/2026&to=2026-12-08")).await;
    assert_eq!(bad.status(), 422);
    let bad: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["code"], "invalid_date");
    assert_eq!(app.get(&format!("/api/v1/rooms/{room_id}/availability?to=2026-12-08")).await.status(), 400);
    assert_eq!(
        app.get(&format!("/api/v1/rooms/{room_id}/availability?from=2026-12-09&to=2026-12-08"))
            .await
            .status(),
        422
    );
}

/// Written command by command or staged and written in batches, the same
/// seed gives the same bookings, in two départements as in one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_synthetic_generator_is_deterministic_from_its_seed_whether_staged_or_not() {
    use salle::seed::synthetic::{Scale, generate};
    use salle_projections::bookings::{self, Bookings};
    use salle_projections::runner::Runner;
    let scale = Scale {
        departements: 2,
        extra_establishments: 3,
        rooms: 12,
        associations: 6,
        max_series_per_room: 2,
    };
    let mut read_models = Vec::new();
    for staged in [false, true] {
        let db = TestDb::new(support::Backend::Sqlite).await;
        let direct = support::world::commands(db.store().await);
        let commands = if staged {
            salle::commands::Commands::staged(direct.store.clone(), direct.calendar.clone())
        } else {
            direct
        };
        let generated = generate(&commands, scale, 7, |_, _, _| {}).await.unwrap();
        assert_eq!((generated.establishments, generated.rooms, generated.associations), (200, 24, 12));
        assert!(generated.bookings > 0 && generated.series > 0, "{generated:?}");
        let events = commands.store.count_after(salle_events::LogPosition::START).await.unwrap();
        Runner::new(commands.store.clone(), Bookings).catch_up().await.unwrap();
        let rows: Vec<_> = bookings::all(&commands.store)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.booking_id, r.room_id, r.status, r.start_at, r.price_cents))
            .collect();
        read_models.push((generated, events, rows));
    }
    assert_eq!(read_models[0], read_models[1], "the same seed gives the same events and bookings");
}

/// A staged write that another writer overtook is refused whole at the
/// flush: nothing of the batch is written.
#[tokio::test]
async fn a_staged_batch_overtaken_by_another_writer_writes_nothing() {
    use salle::domain::room::RoomCommand;
    let db = TestDb::sqlite();
    let direct = support::world::commands(db.store().await);
    let (_, room_id) =
        support::world::establishment_with_room(&direct, support::world::Tariff::Departement(1000), 0).await;
    let staged = salle::commands::Commands::staged(direct.store.clone(), direct.calendar.clone());
    let meta = salle_events::Metadata::default();
    let before = direct.store.count_after(salle_events::LogPosition::START).await.unwrap();
    let withdraw = || RoomCommand::Withdraw { reason: "Travaux".into(), now: support::world::now() };
    staged.on_room(room_id, &meta, withdraw).await.unwrap();
    assert!(staged.room(room_id).await.unwrap().withdrawn, "the staged state is read back");
    assert!(!direct.room(room_id).await.unwrap().withdrawn, "nothing is written before the flush");
    assert_eq!(direct.store.count_after(salle_events::LogPosition::START).await.unwrap(), before);
    direct.on_room(room_id, &meta, withdraw).await.unwrap();
    let after_direct = direct.store.count_after(salle_events::LogPosition::START).await.unwrap();
    assert!(after_direct > before);
}

#[tokio::test]
async fn payout_onboarding_from_the_command_line_gives_the_providers_link() {
    let db = TestDb::sqlite();
    let commands = support::world::commands(db.store().await);
    let (establishment_id, _) =
        support::world::establishment_with_room(&commands, support::world::Tariff::Departement(1000), 0)
            .await;
    commands.store.close().await;
    let out = salle()
        .args(["--database-url", &db.url, "payments", "onboard", &establishment_id.to_string()])
        .args(["--public-url", "https://salle.example"])
        .env_remove("STRIPE_SECRET_KEY")
        .env("SALLE_PAYMENTS", "simulated")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let link = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        link.trim(),
        format!("https://salle.example/paiement/simule/compte/acct_sim_{}", establishment_id.simple())
    );
    let unknown = salle()
        .args(["--database-url", &db.url, "payments", "onboard", &uuid::Uuid::nil().to_string()])
        .env_remove("STRIPE_SECRET_KEY")
        .env("SALLE_PAYMENTS", "simulated")
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("n'existe pas"));
}
