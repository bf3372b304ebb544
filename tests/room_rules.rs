//! A manager changes a room's rules — on its page and with `PATCH
//! /rooms/{id}` — over HTTP on both backends: new requests follow at once,
//! bookings already made keep theirs, a change is all or nothing, and a
//! refused form keeps what was typed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::Method;
use serde_json::json;
use support::TestDb;
use support::browser::{Browser, csrf};
use support::market::{World, code, day};

on_both_backends!(
    rules_changed_on_the_page_apply_to_new_requests_only,
    a_revision_over_the_api_is_all_or_nothing_and_names_what_is_wrong
);

async fn rules_changed_on_the_page_apply_to_new_requests_only(db: TestDb) {
    let w = World::new(db).await;
    let (_, chorale) = w.verified_association("W381000011", "chorale@salle.test").await;
    let (status, booked) = w.request(&chorale, day(0), None).await;
    assert_eq!(status, 201, "{booked}");
    let booking = booked["id"].as_str().unwrap().to_owned();
    let (_, before) =
        (0, w.app.api(Method::GET, &format!("/bookings/{booking}"), Some(&chorale), None).await.2);

    // The manager asks for thirty days' notice and two-hour slots at most.
    let mut manager =
        Browser::signed_in(&w.app.address, "gestion@salle.test", "gestionnaire du gymnase").await;
    let page = format!("/salles/{}/gestion", w.room_id);
    let (status, html, _) = manager.get(&page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Règles de réservation") && html.contains("gardent les règles et le prix"),
        "{html}"
    );
    assert!(html.contains("id=\"notice_hours\"") && html.contains("value=\"48\""), "{html}");
    let token = csrf(&html);
    let mut form = vec![
        ("csrf", token.as_str()),
        ("notice_hours", "720"),
        ("horizon_days", "365"),
        ("min_minutes", "60"),
        ("max_minutes", "douze"),
        ("buffer_minutes", "15"),
        ("decision_hours", "72"),
        ("payment_hours", "48"),
    ];
    let (status, html, _) = manager.post(&format!("{page}/regles"), &form).await;
    assert_eq!(status, 422, "a word where a number goes");
    assert!(html.contains("La durée maximale : « douze » n'est pas un nombre entier."), "{html}");
    assert!(
        html.contains("value=\"douze\"") && html.contains("value=\"720\""),
        "what was typed is kept: {html}"
    );
    form[4] = ("max_minutes", "30");
    let (status, html, _) = manager.post(&format!("{page}/regles"), &form).await;
    assert_eq!(status, 422, "longest shorter than shortest");
    assert!(html.contains("La durée maximale va de la durée minimale"), "{html}");
    form[4] = ("max_minutes", "120");
    let (status, _, location) = manager.post(&format!("{page}/regles"), &form).await;
    assert_eq!((status, location.as_deref()), (303, Some(format!("{page}?enregistre=1#regles").as_str())));

    // The room's sheet shows them at once, and new requests follow them.
    let (_, _, room) = w.app.api(Method::GET, &format!("/rooms/{}", w.room_id), None, None).await;
    assert_eq!(room["constraints"]["min_notice_hours"], 720, "{room}");
    assert_eq!(room["constraints"]["buffer_minutes"], 15);
    let (status, body) = w.request(&chorale, day(1), None).await;
    assert_eq!(code(status, &body, 422), "short_notice");
    // The booking made before keeps its slot, price and deadlines, and is approved as usual.
    let (_, _, after) = w.app.api(Method::GET, &format!("/bookings/{booking}"), Some(&chorale), None).await;
    for field in ["start", "end", "price", "status"] {
        assert_eq!(before[field], after[field], "{field}: {before} / {after}");
    }
    let (status, body) = w.post(&format!("/bookings/{booking}/approve"), &w.manager, json!({})).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("approved")), "{body}");
}

async fn a_revision_over_the_api_is_all_or_nothing_and_names_what_is_wrong(db: TestDb) {
    let w = World::new(db).await;
    let (_, club) = w.verified_association("W381000012", "club@salle.test").await;
    let (status, body) = w.request(&club, day(0), None).await;
    assert_eq!(status, 201, "{body}");
    let path = format!("/rooms/{}", w.room_id);

    let (status, body) = w.patch(&path, &w.manager, json!({ "notice_hours": 24 })).await;
    assert_eq!(status, 400, "a field rooms do not have: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("notice_hours"), "{body}");
    // Twenty people are booked: the capacity cannot drop to five, and the
    // notice given with it is not recorded either.
    let (status, body) = w.patch(&path, &w.manager, json!({ "capacity": 5, "min_notice_hours": 1 })).await;
    assert_eq!(code(status, &body, 409), "capacity_below_bookings");
    let (_, _, room) = w.app.api(Method::GET, &path, None, None).await;
    assert_eq!(
        (room["capacity"].as_u64(), room["constraints"]["min_notice_hours"].as_u64()),
        (Some(60), Some(48))
    );
    let (status, body) = w.patch(&path, &w.manager, json!({ "horizon_days": 0 })).await;
    assert_eq!(code(status, &body, 422), "invalid_horizon");

    // A revision in one call: a name, a shorter horizon, a longer hold, and off the search.
    let revision = json!({ "name": "Salle du bas", "horizon_days": 60, "hold_hours": 96,
        "decision_hold_hours": 48, "listed": false });
    let (status, room) = w.patch(&path, &w.manager, revision).await;
    assert_eq!(status, 200, "{room}");
    assert_eq!((room["name"].as_str(), room["withdrawn"].as_bool()), (Some("Salle du bas"), Some(true)));
    assert_eq!(room["constraints"]["horizon_days"], 60);
    assert_eq!(room["constraints"]["payment_hold_hours"], 96);
    assert_eq!(room["constraints"]["decision_hold_hours"], 48);
    let (_, _, found) = w.app.api(Method::GET, "/search?near=38563&radius_km=5", None, None).await;
    assert!(
        !found.to_string().contains(&w.room_id),
        "a withdrawn room is out of the search at once: {found}"
    );
    let (status, body) = w.request(&club, day(2), None).await;
    assert_eq!(code(status, &body, 422), "room_withdrawn");
    let (status, _) = w.patch(&path, &w.manager, json!({ "listed": true })).await;
    assert_eq!(status, 200);
    let (_, _, found) = w.app.api(Method::GET, "/search?near=38563&radius_km=5", None, None).await;
    assert!(found.to_string().contains(&w.room_id), "offered again at once: {found}");
    let (status, body) = w.request(&club, day(70), None).await;
    assert_eq!(code(status, &body, 422), "beyond_horizon");
    // An admin may too; the association may not.
    let (status, _) = w.patch(&path, &w.admin, json!({ "buffer_minutes": 10 })).await;
    assert_eq!(status, 200);
    let (status, body) = w.patch(&path, &club, json!({ "buffer_minutes": 0 })).await;
    assert_eq!(code(status, &body, 403), "forbidden");
}
