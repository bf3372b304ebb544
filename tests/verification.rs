//! What an association not verified yet may do, over HTTP on both backends:
//! at most `SALLE_UNVERIFIED_HOLD_LIMIT` dates awaiting a decision (also
//! when its requests arrive in parallel), none of them approved until an
//! admin has verified it, one account per RNA/SIREN, and a second person of
//! the association brought in by invitation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::TestDb;
use support::app::ADMIN;
use support::browser::{Browser, csrf};
use support::market::{World, code, day};

on_both_backends!(
    an_unverified_association_holds_three_dates_and_waits_for_its_verification,
    parallel_requests_of_an_unverified_association_cannot_pass_its_limit_together,
    one_account_per_rna_or_siren_and_the_next_member_is_invited
);

async fn an_unverified_association_holds_three_dates_and_waits_for_its_verification(db: TestDb) {
    let w = World::new(db).await;
    let (association_id, token) = w.association("W381000001", "chorale@salle.test").await;
    let mut booked = vec![];
    for n in 0..3 {
        let (status, body) = w.request(&token, day(n), None).await;
        assert_eq!((status.as_u16(), body["status"].as_str()), (201, Some("requested")), "{body}");
        booked.push(body["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = w.request(&token, day(3), None).await;
    assert_eq!(code(status, &body, 422), "unverified_hold_limit");
    assert!(body["error"]["message"].as_str().unwrap().contains("au plus 3 date(s)"), "{body}");
    let (status, body) = w.request(&token, day(7), Some(day(7) + Duration::weeks(4))).await;
    assert_eq!(code(status, &body, 422), "unverified_hold_limit", "a series counts each of its dates");

    // The manager cannot approve yet, and the booking page says why.
    let approve = format!("/bookings/{}/approve", booked[0]);
    let (status, body) = w.post(&approve, &w.manager, json!({})).await;
    assert_eq!(code(status, &body, 422), "association_not_verified");
    let mut manager =
        Browser::signed_in(&w.app.address, "gestion@salle.test", "gestionnaire du gymnase").await;
    let (_, list, _) = manager.get("/reservations").await;
    assert!(list.contains("association à vérifier") && !list.contains("à décider"), "{list}");
    let (status, html, _) = manager.get(&format!("/reservations/{}", booked[0])).await;
    assert_eq!(status, 200);
    assert!(html.contains("pas encore vérifiée par le département"), "{html}");
    assert!(!html.contains("/approuver\""), "no approve button while unverified: {html}");
    assert!(html.contains("/refuser\""), "rejecting stays possible");
    let (status, html, _) =
        manager.post(&format!("/reservations/{}/approuver", booked[0]), &[("csrf", &csrf(&html))]).await;
    assert_eq!(status, 422, "the page refuses it too, with why");
    assert!(html.contains("pas encore vérifiée"), "{html}");

    // The association's own page says what waiting means.
    let mut anne = Browser::signed_in(&w.app.address, "chorale@salle.test", "un long mot de passe").await;
    let (status, html, _) = anne.get("/association").await;
    assert_eq!(status, 200);
    assert!(html.contains("pas encore vérifiée") && html.contains("autre association"), "{html}");
    let (_, _, profile) =
        w.app.api(Method::GET, &format!("/associations/{association_id}"), Some(&token), None).await;
    assert_eq!((profile["verified"].as_bool(), profile["pending_dates"].as_u64()), (Some(false), Some(3)));
    assert_eq!(profile["hold_limit"], 3);

    // Only an admin verifies; revoking needs a reason.
    let verification = format!("/associations/{association_id}/verification");
    let (status, body) = w.post(&verification, &w.manager, json!({ "decision": "verified" })).await;
    assert_eq!(code(status, &body, 403), "forbidden");
    let (status, body) = w.post(&verification, &w.admin, json!({ "decision": "revoked" })).await;
    assert_eq!(code(status, &body, 422), "reason_required");
    let (status, body) =
        w.post(&verification, &w.admin, json!({ "decision": "revoked", "reason": "Non" })).await;
    assert_eq!(code(status, &body, 409), "not_verified");
    let (status, body) =
        w.post(&verification, &w.admin, json!({ "decision": "verified", "category": "public_body" })).await;
    assert_eq!((status.as_u16(), body), (200, json!({ "verified": true, "category": "public_body" })));

    // Verified: the manager approves, and the limit is gone.
    let (status, body) = w.post(&approve, &w.manager, json!({})).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("approved")), "{body}");
    for n in 3..6 {
        let (status, body) = w.request(&token, day(n), None).await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, html, _) = manager.get(&format!("/reservations/{}", booked[1])).await;
    assert!(!html.contains("pas encore vérifiée"), "{html}");
    let (_, list, _) = manager.get("/reservations").await;
    assert!(list.contains("à décider") && !list.contains("association à vérifier"), "{list}");

    // Revoked again: requests wait again, and the admin page offers the verification.
    let (status, body) =
        w.post(&verification, &w.admin, json!({ "decision": "revoked", "reason": "RNA radié" })).await;
    assert_eq!((status.as_u16(), body["verified"].as_bool()), (200, Some(false)));
    let (status, body) = w.post(&format!("/bookings/{}/approve", booked[1]), &w.manager, json!({})).await;
    assert_eq!(code(status, &body, 422), "association_not_verified");
    let mut admin = Browser::signed_in(&w.app.address, ADMIN.0, ADMIN.1).await;
    let (_, html, _) = admin.get("/admin").await;
    let form = format!("/admin/associations/{association_id}/verifier");
    assert!(html.contains(&form) && html.contains("Catégorie confirmée"), "{html}");
    let (status, html, _) =
        admin.post(&form, &[("csrf", &csrf(&html)), ("category", "local_association")]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Association vérifiée."), "{html}");
    let (_, _, profile) =
        w.app.api(Method::GET, &format!("/associations/{association_id}"), Some(&token), None).await;
    assert_eq!(
        (profile["verified"].as_bool(), profile["category"].as_str()),
        (Some(true), Some("local_association"))
    );
    assert!(profile["hold_limit"].is_null());
}

async fn parallel_requests_of_an_unverified_association_cannot_pass_its_limit_together(db: TestDb) {
    let w = World::new(db).await;
    let (_, token) = w.association("W381000002", "basket@salle.test").await;
    let answers = futures_util::future::join_all((0..8).map(|n| w.request(&token, day(n), None))).await;
    let created = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let limited = answers
        .iter()
        .filter(|(s, b)| {
            *s == StatusCode::UNPROCESSABLE_ENTITY && b["error"]["code"] == "unverified_hold_limit"
        })
        .count();
    assert_eq!((created, limited), (3, 5), "{answers:?}");
    let (_, _, mine) = w.app.api(Method::GET, "/bookings?status=requested", Some(&token), None).await;
    assert_eq!(mine["bookings"].as_array().unwrap().len(), 3, "{mine}");
}

async fn one_account_per_rna_or_siren_and_the_next_member_is_invited(db: TestDb) {
    let w = World::new(db).await;
    let (association_id, token) = w.association("W381000003", "echecs@salle.test").await;
    let (status, body) = w.sign_up(Some("W381000003"), None, "autre@salle.test").await;
    assert_eq!(code(status, &body, 409), "association_registered");
    assert!(body["error"]["message"].as_str().unwrap().contains("inviter"), "{body}");
    // A SIRET and the SIREN it starts with are one legal person.
    let (status, body) = w.sign_up(None, Some("732 829 320 00074"), "club@salle.test").await;
    assert_eq!(status, 201, "{body}");
    // Not held before its address is confirmed…
    let (status, body) = w.sign_up(None, Some("732829320"), "club3@salle.test").await;
    assert_eq!(status, 201, "{body}");
    // …then held.
    w.app.confirm_sign_up("club@salle.test").await;
    let (status, body) = w.sign_up(None, Some("732829320"), "club2@salle.test").await;
    assert_eq!(code(status, &body, 409), "association_registered");
    let (status, _, body) = w
        .app
        .api(
            Method::POST,
            "/auth/token",
            None,
            Some(json!({ "email": "autre@salle.test", "password": "un long mot de passe" })),
        )
        .await;
    assert_eq!(status, 401, "a refused sign-up leaves no account: {body}");

    // The first member invites the second, from the association's page.
    let mut first = Browser::signed_in(&w.app.address, "echecs@salle.test", "un long mot de passe").await;
    let (_, html, _) = first.get("/association").await;
    assert!(html.contains("Inviter un membre"), "{html}");
    let (status, html, _) = first
        .post(
            "/association/invitations",
            &[("csrf", &csrf(&html)), ("name", "Paul Durand"), ("email", "echecs@salle.test")],
        )
        .await;
    assert_eq!(status, 409, "an address with an account is refused, and the form kept: {html}");
    assert!(html.contains("Paul Durand"), "{html}");
    let (status, html, _) = first
        .post(
            "/association/invitations",
            &[("csrf", &csrf(&html)), ("name", "Paul Durand"), ("email", "paul@salle.test")],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("paul@salle.test") && !html.contains("/invitation/"),
        "the link goes by e-mail only: {html}"
    );
    let invitation = w.app.mail("paul@salle.test", "Invitation à rejoindre l'association").await;
    assert_eq!(invitation.header("Auto-Submitted").as_deref(), Some("auto-generated"));
    let link = invitation.link("/invitation/").expect("the invitation's link");
    let path = &link[link.find("/invitation/").unwrap()..];
    let mut paul = Browser::new(&w.app.address);
    let (status, html, _) = paul.get(path).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Rejoindre le compte de votre association")
            && html.contains("Association echecs@salle.test"),
        "{html}"
    );
    let form = [
        ("csrf", csrf(&html)),
        ("name", "Paul Durand".into()),
        ("password", "le mot de passe de Paul".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, location) = paul.post(path, &form).await;
    assert_eq!((status, location.as_deref()), (303, Some("/connexion?bienvenue=1")));
    let (status, _, _) = paul.get(path).await;
    assert_eq!(status, 404, "a link works once");

    // Paul books for the association; both see its bookings and its members.
    let paul_token = w.app.token("paul@salle.test", "le mot de passe de Paul").await;
    let (_, _, me) = w.app.api(Method::GET, "/me", Some(&paul_token), None).await;
    assert_eq!(me["association_id"].as_str(), Some(association_id.as_str()));
    let (status, body) = w.request(&paul_token, day(0), None).await;
    assert_eq!(status, 201, "{body}");
    let (_, _, listed) = w.app.api(Method::GET, "/bookings", Some(&token), None).await;
    assert_eq!(listed["bookings"].as_array().unwrap().len(), 1, "{listed}");
    let (_, _, profile) =
        w.app.api(Method::GET, &format!("/associations/{association_id}"), Some(&paul_token), None).await;
    let members: Vec<&str> =
        profile["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(members, ["echecs@salle.test", "paul@salle.test"]);
    // Over the API, and only for its own association.
    let path = format!("/associations/{association_id}/invitations");
    let (status, body) = w.post(&path, &token, json!({ "email": "lea@salle.test", "name": "Léa" })).await;
    assert_eq!(status, 201, "{body}");
    assert!(body["sent_to"] == "lea@salle.test" && body["expires_at"].is_string(), "{body}");
    assert!(w.app.mail("lea@salle.test", "Invitation").await.link("/invitation/").is_some());
    let (_, other) = w.association("W381000004", "autre-club@salle.test").await;
    let (status, body) = w.post(&path, &other, json!({ "email": "x@salle.test", "name": "X" })).await;
    assert_eq!(code(status, &body, 404), "not_found");
}
