//! The conversation about a booking between its association and the
//! establishment's managers: in the API and on the booking's page, each
//! message mailed to the other side, the words kept out of the log and
//! erased with the association's data, a series' dates sharing one thread,
//! and every refusal named (too long, empty, not a party to it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::TestDb;
use support::browser::{Browser, csrf};
use support::market::{World, code, day};

on_both_backends!(the_association_and_the_manager_write_to_each_other);

async fn conversation(w: &World, booking_id: &str, token: &str) -> Vec<Value> {
    let path = format!("/bookings/{booking_id}/messages");
    let (status, _, body) = w.app.api(Method::GET, &path, Some(token), None).await;
    assert_eq!(status, 200, "{body}");
    body["messages"].as_array().unwrap().clone()
}

async fn the_association_and_the_manager_write_to_each_other(db: TestDb) {
    let w = World::new(db).await;
    let (association_id, association) = w.verified_association("W381000001", "chorale@salle.test").await;
    let (status, booking) = w.request(&association, day(0), None).await;
    assert_eq!(status, 201, "{booking}");
    let booking_id = booking["id"].as_str().unwrap().to_owned();
    let path = format!("/bookings/{booking_id}/messages");

    // The association asks; the words keep their line break and their markup as text.
    let question = "Bonjour, <script>alert('x')</script>\nPeut-on venir dès 17 h 30 pour installer ?";
    let (status, body) = w.post(&path, &association, json!({ "text": question })).await;
    assert_eq!(status, 201, "{body}");
    let first = body["id"].as_str().unwrap().to_owned();

    // The manager is told, with the words and a link to the thread.
    let told = w.app.mail("gestion@salle.test", "Nouveau message").await;
    assert!(told.subject().contains("Association chorale@salle.test"), "{}", told.subject());
    assert!(told.decoded.contains("Peut-on venir dès 17 h 30"), "{}", told.decoded);
    assert!(told.decoded.contains("&lt;script&gt;"), "escaped in HTML: {}", told.decoded);
    let link = told.link("/reservations/").unwrap();
    assert!(link.ends_with(&format!("/reservations/{booking_id}#conversation")), "{link}");

    // The manager reads it and answers.
    let thread = conversation(&w, &booking_id, &w.manager).await;
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert_eq!(
        (thread[0]["id"].as_str(), thread[0]["author_role"].as_str()),
        (Some(&*first), Some("association"))
    );
    assert_eq!(thread[0]["text"], question);
    let answer = "Oui, la salle est ouverte dès 17 h.";
    let (status, body) = w.post(&path, &w.manager, json!({ "text": answer })).await;
    assert_eq!(status, 201, "{body}");
    let told = w.app.mail("chorale@salle.test", "Nouveau message de Gymnase Jean Moulin").await;
    assert!(told.decoded.contains(answer), "{}", told.decoded);
    let thread = conversation(&w, &booking_id, &association).await;
    let roles: Vec<&str> = thread.iter().map(|m| m["author_role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["association", "manager"], "oldest first");
    assert!(
        w.app.mail_to("gestion@salle.test", 0).await.iter().all(|m| !m.decoded.contains(answer)),
        "the manager is not told of their own message"
    );

    // Too long, empty, invisible characters: refused with why, nothing kept.
    let long = "é".repeat(4001);
    let (status, body) = w.post(&path, &association, json!({ "text": long })).await;
    assert_eq!(code(status, &body, 422), "invalid_text");
    assert!(body["error"]["message"].as_str().unwrap().contains("4000"), "{body}");
    let (status, body) = w.post(&path, &association, json!({ "text": "   " })).await;
    assert_eq!(code(status, &body, 422), "invalid_text");
    let (status, body) = w.post(&path, &association, json!({ "text": "a\u{202E}b" })).await;
    assert_eq!(code(status, &body, 422), "invalid_text");
    let (status, body) = w.post(&path, &association, json!({ "words": "x" })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(conversation(&w, &booking_id, &association).await.len(), 2);

    // Nobody else takes part: another association does not see the booking,
    // finance and admins see the booking but not the conversation.
    let (_, other) = w.verified_association("W381000002", "autre@salle.test").await;
    let (status, _, body) = w.app.api(Method::GET, &path, Some(&other), None).await;
    assert_eq!(code(status, &body, 404), "not_found");
    let (status, body) = w.post(&path, &other, json!({ "text": "Bonjour" })).await;
    assert_eq!(code(status, &body, 404), "not_found");
    let (status, _, body) = w.app.api(Method::GET, &path, Some(&w.admin), None).await;
    assert_eq!(status, 403, "{body}");
    let unknown = format!("/bookings/{}/messages", uuid::Uuid::now_v7());
    let (status, body) = w.post(&unknown, &association, json!({ "text": "Bonjour" })).await;
    assert_eq!(code(status, &body, 404), "not_found");

    // The log holds who wrote and when, never the words.
    let store = w.app.db.store().await;
    let payloads: Vec<String> = salle_events::sql::fetch_column(
        &store,
        "SELECT CAST(payload AS TEXT) FROM events WHERE event_type = 'MessagePosted'",
        salle_events::sql::Args::new(),
    )
    .await
    .unwrap();
    assert_eq!(payloads.len(), 2);
    assert!(payloads.iter().all(|p| !p.contains("17 h")), "{payloads:?}");

    // On the booking's page: the thread, the markup shown as text, and a
    // form whose second sending posts nothing more.
    let mut anne = Browser::signed_in(&w.app.address, "chorale@salle.test", "un long mot de passe").await;
    let page = format!("/reservations/{booking_id}");
    let (status, html, _) = anne.get(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("&lt;script&gt;alert"), "shown as text");
    assert!(!html.contains("<script>alert"), "never as HTML");
    assert!(html.contains(answer));
    let token = csrf(&html);
    let form = between(&html, "name=\"form\" value=\"", "\"");
    let fields = [("csrf", token.as_str()), ("form", form.as_str()), ("text", "Merci,\r\nà jeudi !")];
    let action = format!("{page}/message");
    let (status, _, location) = anne.post(&action, &fields).await;
    assert_eq!((status, location.as_deref()), (303, Some(&*format!("{page}#conversation"))));
    assert_eq!(anne.post(&action, &fields).await.0, 303);
    let thread = conversation(&w, &booking_id, &association).await;
    assert_eq!(thread.len(), 3, "sent twice, posted once");
    assert_eq!(thread[2]["text"], "Merci,\nà jeudi !", "a browser's CR LF is one line break");
    // Too long from the page: the page again, with why and the words kept.
    let (_, html, _) = anne.get(&page).await;
    let form = between(&html, "name=\"form\" value=\"", "\"");
    let long = format!("Longue lettre {}", "a".repeat(4000));
    let fields = [("csrf", token.as_str()), ("form", form.as_str()), ("text", long.as_str())];
    let (status, html, _) = anne.post(&action, &fields).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("4000 caractères"), "{html}");
    assert!(html.contains(&long), "the draft is kept");

    // Erasing the association's words leaves the thread, without them.
    let erased =
        salle::commands::free_texts::erase_owner(&store, association_id.parse().unwrap(), chrono::Utc::now())
            .await
            .unwrap();
    assert!(erased >= 3, "{erased}");
    let thread = conversation(&w, &booking_id, &w.manager).await;
    assert_eq!(thread.len(), 3);
    assert!(thread.iter().all(|m| m["text"].is_null()), "{thread:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dates_of_a_series_share_one_conversation() {
    let w = World::new(TestDb::sqlite()).await;
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;
    let (status, series) = w.request(&association, day(0), Some(day(0) + chrono::Duration::days(14))).await;
    assert_eq!(status, 201, "{series}");
    let first = series["id"].as_str().unwrap().to_owned();
    let (status, _, list) = w.app.api(Method::GET, "/bookings", Some(&association), None).await;
    assert_eq!(status, 200);
    let other = list["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .find(|id| *id != first)
        .expect("a second date");
    let path = format!("/bookings/{first}/messages");
    assert_eq!(w.post(&path, &association, json!({ "text": "Pour toute la série" })).await.0, 201);
    let thread = conversation(&w, &other, &w.manager).await;
    assert_eq!(thread.len(), 1, "seen from another date of the series");
    assert_eq!(thread[0]["booking_id"], first.as_str());
    let mut anne = Browser::signed_in(&w.app.address, "chorale@salle.test", "un long mot de passe").await;
    let (_, html, _) = anne.get(&format!("/reservations/{other}")).await;
    assert!(html.contains("Pour toute la série") && html.contains("toutes les dates de la série"), "{html}");
}

fn between(html: &str, start: &str, end: &str) -> String {
    let at = html.find(start).expect(start) + start.len();
    html[at..].split(end).next().unwrap().to_owned()
}
