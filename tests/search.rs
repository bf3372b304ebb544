//! Search through the HTTP API, over the demo marketplace (the 97 collèges
//! of Isère), on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use salle::config::Settings;
use salle::domain::room::BookingRequest;
use salle_events::Metadata;
use salle_events::catalog::association::RequesterCategory;
use serde_json::Value;
use support::TestDb;
use support::world::{at, commands, now};

async fn spawn(db: &TestDb) -> String {
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
    settings.demo = true;
    support::app::start(settings).await
}

async fn get(address: &str, path: &str) -> (u16, Value) {
    let response = reqwest::get(format!("{address}{path}")).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

on_both_backends!(search_finds_free_rooms_near_a_commune_nearest_first);

async fn search_finds_free_rooms_near_a_commune_nearest_first(db: TestDb) {
    let address = spawn(&db).await;
    let window = "start=2026-12-08T18:00&end=2026-12-08T20:00";
    let path = format!("/api/v1/search?near=Voiron&radius_km=15&{window}&capacity=50&kind=gym_hall");
    let (status, body) = get(&address, &path).await;
    assert_eq!(status, 200, "{body}");
    let results = body["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{body}");
    assert_eq!(body["total"].as_u64().unwrap() as usize, results.len());
    let distances: Vec<f64> = results.iter().map(|r| r["distance_km"].as_f64().unwrap()).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "nearest first: {distances:?}");
    assert!(distances.iter().all(|d| *d <= 15.0));
    for r in results {
        assert_eq!(r["kind"], "gym_hall");
        assert!(r["capacity"].as_u64().unwrap() >= 50);
        // Two hours at 8 € for a local association, plus the 15 € cleaning fee.
        assert_eq!(r["price"], serde_json::json!({"amount_cents": 3100, "currency": "EUR"}));
        assert_eq!(r["free"][0]["start"], "2026-12-08T18:00:00+01:00");
    }
    assert!(results.iter().any(|r| r["commune"] == "Voiron"), "{body}");

    // The same place, written any way.
    let (_, by_code) =
        get(&address, &format!("/api/v1/search?near=38563&radius_km=15&{window}&capacity=50&kind=gym_hall"))
            .await;
    assert_eq!(by_code["total"], body["total"]);
    let (_, sloppy) = get(&address, "/api/v1/search?near=st%20martin%20d%20heres&radius_km=3").await;
    let (_, exact) = get(&address, "/api/v1/search?near=Saint-Martin-d%27H%C3%A8res&radius_km=3").await;
    assert_eq!(sloppy["total"], exact["total"]);
    assert!(exact["total"].as_u64().unwrap() > 0);

    // A booked slot takes the room out of the results.
    let nearest = results[0]["room_id"].as_str().unwrap().parse().unwrap();
    let commands = commands(db.store().await);
    let request = BookingRequest {
        booking_id: uuid::Uuid::now_v7(),
        association_id: uuid::Uuid::now_v7(),
        category: RequesterCategory::LocalAssociation,
        start: at("2026-12-08", "19:00"),
        end: at("2026-12-08", "21:00"),
        attendees: 10,
        purpose: "Volley".into(),
    };
    commands
        .request_booking(
            nearest,
            request,
            salle::domain::association::Standing::VERIFIED,
            now(),
            &Metadata::default(),
        )
        .await
        .unwrap();
    let mut after = Value::Null;
    for _ in 0..200 {
        after = get(&address, &path).await.1;
        if after["total"].as_u64() == Some(results.len() as u64 - 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(after["total"].as_u64(), Some(results.len() as u64 - 1), "{after}");
    assert!(after["results"].as_array().unwrap().iter().all(|r| r["room_id"] != results[0]["room_id"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_search_parameters_are_named() {
    let db = TestDb::new(support::Backend::Sqlite).await;
    let address = spawn(&db).await;
    let (status, body) = get(&address, "/api/v1/search?radius_km=5").await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("missing_parameter")));
    let (status, body) = get(&address, "/api/v1/search?near=Grenobel").await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "unknown_commune");
    let (status, body) = get(&address, "/api/v1/search?near=Greno").await;
    assert_eq!(status, 422);
    assert!(body["error"]["message"].as_str().unwrap().contains("Grenoble"), "{body}");
    for (query, named) in [
        ("near=Grenoble&radius_km=500", "radius_km"),
        ("near=Grenoble&kind=castle", "kind"),
        ("near=Grenoble&equipment=projector,laser", "equipment"),
        ("near=Grenoble&start=2026-12-08T18:00", "start"),
        ("near=Grenoble&start=demain&end=2026-12-08T20:00", "start"),
        ("near=Grenoble&capacity=beaucoup", "capacity"),
        ("near=Grenoble&page=0", "page"),
    ] {
        let (status, body) = get(&address, &format!("/api/v1/search?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(named), "{query}: {body}");
    }
    let (status, body) = get(&address, "/api/v1/search?near=45.19,5.72&radius_km=2&page=2").await;
    assert_eq!(status, 200);
    assert_eq!(body["page"], 2);
}
