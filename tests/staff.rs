//! Finance and admin accounts made by an admin from the admin page and
//! the API, and any account disabled: it cannot sign in any more (it
//! answers as an unknown one), its sessions and tokens stop at once, and it
//! works again once enabled. Each refusal named, what was typed kept.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::Method;
use serde_json::json;
use support::TestDb;
use support::browser::{Browser, csrf};
use support::market::{World, code};

on_both_backends!(an_admin_makes_finance_accounts_and_disables_any_account);

const ADMIN: (&str, &str) = ("admin@salle.test", "mot de passe d'administration");
const PASSWORD: &str = "les comptes du département";

async fn an_admin_makes_finance_accounts_and_disables_any_account(db: TestDb) {
    let w = World::new(db).await;
    let mut admin = Browser::signed_in(&w.app.address, ADMIN.0, ADMIN.1).await;
    let (status, html, _) = admin.get("/admin").await;
    assert_eq!(status, 200);
    let token = csrf(&html);

    // A password too short: refused, the name and address kept; then made.
    let form = |password: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("role", "finance".to_owned()),
            ("name", "Claire Finances".to_owned()),
            ("email", "claire@salle.test".to_owned()),
            ("password", password.to_owned()),
        ]
    };
    let fields = form("court");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html, _) = admin.post("/admin/comptes", &fields).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("12 caractères") && html.contains("value=\"Claire Finances\""), "{html}");
    let fields = form(PASSWORD);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html, _) = admin.post("/admin/comptes", &fields).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Le compte de Claire Finances (claire@salle.test) est créé."), "{html}");
    let finance = w.app.token("claire@salle.test", PASSWORD).await;
    let (_, _, me) = w.app.api(Method::GET, "/me", Some(&finance), None).await;
    assert_eq!(me["role"], "finance", "{me}");
    let finance_id = me["id"].as_str().unwrap().to_owned();
    let mut claire = Browser::signed_in(&w.app.address, "claire@salle.test", PASSWORD).await;
    assert_eq!(claire.get("/grand-livre").await.0, 200);

    // Only an admin, never their own account, only an account that exists.
    let path = format!("/users/{finance_id}");
    let (status, body) = w.patch(&path, &w.manager, json!({ "disabled": true })).await;
    assert_eq!(code(status, &body, 403), "forbidden");
    let (_, _, admin_me) = w.app.api(Method::GET, "/me", Some(&w.admin), None).await;
    let own = format!("/users/{}", admin_me["id"].as_str().unwrap());
    let (status, body) = w.patch(&own, &w.admin, json!({ "disabled": true })).await;
    assert_eq!(code(status, &body, 422), "own_account");
    let (status, body) =
        w.patch(&format!("/users/{}", uuid::Uuid::now_v7()), &w.admin, json!({ "disabled": true })).await;
    assert_eq!(code(status, &body, 404), "not_found");

    // Disabled: the token and the browser session stop at once; signing in
    // answers as for an unknown account.
    let (status, body) = w.patch(&path, &w.admin, json!({ "disabled": true })).await;
    assert_eq!((status.as_u16(), &body["disabled"]), (200, &json!(true)), "{body}");
    let (status, _, _) = w.app.api(Method::GET, "/me", Some(&finance), None).await;
    assert_eq!(status, 401);
    let (status, _, location) = claire.get("/grand-livre").await;
    assert_eq!(status, 303, "sent to sign in");
    assert!(location.unwrap().starts_with("/connexion"));
    let (status, refused) = token_for(&w, "claire@salle.test").await;
    let (unknown_status, unknown) = token_for(&w, "personne@salle.test").await;
    assert_eq!((status, &refused["error"]["message"]), (unknown_status, &unknown["error"]["message"]));

    // From the page: an unknown address is named; the account enabled again.
    let (status, html, _) = admin
        .post("/admin/comptes/etat", &[("csrf", &token), ("email", "inconnu@salle.test"), ("disabled", "0")])
        .await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("inconnu@salle.test"), "{html}");
    let (status, html, _) = admin
        .post("/admin/comptes/etat", &[("csrf", &token), ("email", "claire@salle.test"), ("disabled", "0")])
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("fonctionne de nouveau"), "{html}");
    w.app.token("claire@salle.test", PASSWORD).await;
    // Disabled from the page too.
    let (status, html, _) = admin
        .post("/admin/comptes/etat", &[("csrf", &token), ("email", "claire@salle.test"), ("disabled", "1")])
        .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(token_for(&w, "claire@salle.test").await.0, 401);
}

/// Asks for a token for `email` with the finance password: the status and the answer.
async fn token_for(w: &World, email: &str) -> (reqwest::StatusCode, serde_json::Value) {
    let body = json!({ "email": email, "password": PASSWORD });
    let (status, _, answer) = w.app.api(Method::POST, "/auth/token", None, Some(body)).await;
    (status, answer)
}
