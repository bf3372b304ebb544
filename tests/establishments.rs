//! What an admin decides about an establishment, by `PATCH
//! /establishments/{id}`, `DELETE /establishments/{id}/managers/{user}` and
//! on its management page: new details, a suspension that stops new
//! requests and keeps the bookings made, its reactivation, a manager
//! taken off; each refusal named, what was typed kept.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::Method;
use serde_json::json;
use support::TestDb;
use support::browser::{Browser, csrf};
use support::market::{World, code, day};

on_both_backends!(an_admin_revises_suspends_and_reactivates_an_establishment);

async fn an_admin_revises_suspends_and_reactivates_an_establishment(db: TestDb) {
    let w = World::new(db).await;
    let (_, _, room) = w.app.api(Method::GET, &format!("/rooms/{}", w.room_id), None, None).await;
    let id = room["establishment"]["id"].as_str().unwrap().to_owned();
    let path = format!("/establishments/{id}");
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;
    let (status, booked) = w.request(&association, day(0), None).await;
    assert_eq!(status, 201, "{booked}");

    // Only an admin; each refusal names what was wrong.
    let (status, body) = w.patch(&path, &w.manager, json!({ "name": "Gymnase Moulin" })).await;
    assert_eq!(code(status, &body, 403), "forbidden");
    let (status, body) = w.patch(&path, &w.admin, json!({ "status": "paused" })).await;
    assert_eq!(code(status, &body, 422), "invalid_status");
    let (status, body) = w.patch(&path, &w.admin, json!({ "status": "suspended" })).await;
    assert_eq!(code(status, &body, 422), "invalid_reason");
    let (status, body) = w.patch(&path, &w.admin, json!({ "name": "  " })).await;
    assert_eq!(code(status, &body, 422), "invalid_name");

    // New details; then suspended: no new request, the booking made stands.
    let (status, body) =
        w.patch(&path, &w.admin, json!({ "name": "Gymnase Jean-Moulin", "address": "3 rue du Stade" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["name"].as_str(), body["address"].as_str(), body["status"].as_str()),
        (Some("Gymnase Jean-Moulin"), Some("3 rue du Stade"), Some("active"))
    );
    let suspend = json!({ "status": "suspended", "reason": "Travaux de toiture" });
    let (status, body) = w.patch(&path, &w.admin, suspend).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("suspended")), "{body}");
    let (status, body) = w.request(&association, day(1), None).await;
    assert_eq!(code(status, &body, 422), "establishment_suspended");
    let booking = format!("/bookings/{}", booked["id"].as_str().unwrap());
    let (status, _, body) = w.app.api(Method::GET, &booking, Some(&association), None).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("requested")));
    let (status, body) = w.patch(&path, &w.admin, json!({ "status": "active" })).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("active")), "{body}");
    assert_eq!(w.request(&association, day(1), None).await.0, 201, "requests are taken again");

    // From the page: a suspension without its reason is refused and shown
    // again; with it, the page says so; reactivated; a manager taken off.
    let mut admin =
        Browser::signed_in(&w.app.address, "admin@salle.test", "mot de passe d'administration").await;
    let page = format!("/etablissements/{id}/gestion");
    let (status, html, _) = admin.get(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Administration de l'établissement") && html.contains("Gestion — gestion@salle.test"),
        "{html}"
    );
    let token = csrf(&html);
    let (status, html, _) = admin
        .post(
            &format!("/etablissements/{id}/fiche"),
            &[("csrf", &token), ("name", ""), ("address", "5 rue Neuve")],
        )
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("est obligatoire") && html.contains("value=\"5 rue Neuve\""), "{html}");
    let (status, _, location) = admin
        .post(&format!("/etablissements/{id}/suspendre"), &[("csrf", &token), ("reason", "Désinfection")])
        .await;
    assert_eq!((status, location.as_deref()), (303, Some(&*format!("{page}#administration"))));
    let (_, html, _) = admin.get(&page).await;
    assert!(html.contains("Établissement suspendu"), "{html}");
    assert_eq!(admin.post(&format!("/etablissements/{id}/reactiver"), &[("csrf", &token)]).await.0, 303);
    let (_, html, _) = admin.get(&page).await;
    assert!(html.contains("Suspendre l'établissement"), "{html}");
    // The manager leaves; their account stays, without the establishment.
    let (_, _, me) = w.app.api(Method::GET, "/me", Some(&w.manager), None).await;
    let manager_id = me["id"].as_str().unwrap().to_owned();
    let (status, _, body) = w
        .app
        .api(Method::DELETE, &format!("{path}/managers/{}", uuid::Uuid::now_v7()), Some(&w.admin), None)
        .await;
    assert_eq!(code(status, &body, 404), "not_found");
    assert!(body["error"]["message"].as_str().unwrap().contains("ne gère pas"), "{body}");
    let remove = format!("/etablissements/{id}/gestionnaires/{manager_id}/retirer");
    assert_eq!(admin.post(&remove, &[("csrf", &token)]).await.0, 303);
    let (_, html, _) = admin.get(&page).await;
    assert!(!html.contains("gestion@salle.test") && html.contains("Aucun gestionnaire"), "{html}");
    let (status, _, body) = w.app.api(Method::GET, &booking, Some(&w.manager), None).await;
    assert_eq!(code(status, &body, 404), "not_found");
    let (status, _, _) = w.app.api(Method::GET, "/me", Some(&w.manager), None).await;
    assert_eq!(status, 200, "the account stays");
}
