//! E-mail through a real SMTP server (aiosmtpd, `tests/tools/smtp_sink.py`):
//! STARTTLS with a private authority and AUTH, what each notice says to whom
//! and in which language, the preferences, a server that dies in the middle
//! of a batch (nothing lost, nothing doubled), a temporary and a permanent
//! refusal, and the forgotten password's single-use link.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use salle::mail::MailSettings;
use serde_json::json;
use support::TestDb;
use support::app::{settings, spawn_with};
use support::mail::Received;
use support::market::{World, day};
use support::smtp::SmtpSink;

on_both_backends!(notices_go_through_a_real_smtp_server_in_each_language);

/// A marketplace whose mail goes to `sink` at `url`.
async fn world(db: TestDb, sink: &SmtpSink, url: String, ca: Option<String>) -> World {
    let mut s = settings(&db);
    s.mail = MailSettings::new(Some(&url), ca.as_deref(), Some("salle <ne-pas-repondre@salle.test>"), None)
        .unwrap();
    s.mail.retry_base = Duration::from_millis(200);
    s.mail.poll = Duration::from_millis(100);
    let mut app = spawn_with(db, s).await;
    app.mail_dir = sink.dir.clone();
    World::on(app).await
}

/// Waits until `sink` holds `n` messages (10 s at most).
async fn received(sink: &SmtpSink, n: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = sink.received();
        if all.len() >= n || Instant::now() > deadline {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn message_ids(messages: &[Received]) -> Vec<String> {
    let mut ids: Vec<String> = messages.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    ids.sort();
    ids
}

async fn notices_go_through_a_real_smtp_server_in_each_language(db: TestDb) {
    let sink = SmtpSink::start(&["--tls", "{certs}", "--auth", "salle:mot-de-passe-smtp"]);
    let url = sink.url(Some("salle:mot-de-passe-smtp"), true);
    let w = world(db, &sink, url, Some(sink.ca_file())).await;
    // The sign-up's link arrives over STARTTLS, and the account is made.
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;

    // A request: its establishment's manager is told, in French.
    let (status, booking) = w.request(&association, day(0), None).await;
    assert_eq!(status, 201, "{booking}");
    let booking_id = booking["id"].as_str().unwrap();
    let told = w.app.mail("gestion@salle.test", "Nouvelle demande").await;
    assert_eq!(told.header("X-Envelope-To").as_deref(), Some("gestion@salle.test"));
    assert!(told.header("From").unwrap().contains("ne-pas-repondre@salle.test"));
    assert_eq!(told.header("Auto-Submitted").as_deref(), Some("auto-generated"));
    assert_eq!(told.header("Content-Language").as_deref(), Some("fr"));
    assert!(told.raw.contains("multipart/alternative"), "{}", told.raw);
    assert!(told.raw.contains("text/plain") && told.raw.contains("text/html"), "both parts: {}", told.raw);
    assert!(told.subject().contains("Grande salle"), "{}", told.subject());
    let link = told.link("/reservations/").unwrap();
    assert!(link.ends_with(&format!("/reservations/{booking_id}")), "{link}");
    assert!(told.decoded.contains("Association chorale@salle.test demande un créneau"), "{}", told.decoded);
    assert!(!told.raw.contains("<img"), "no tracking image");

    // The association reads English; a refusal with HTML in its reason
    // shows it as text.
    let english = json!({ "lang": "en", "receives": ["request_rejected", "booking_expired", "payment_received",
        "cancelled_by_establishment", "refund_issued"] });
    let (status, _, body) = w.app.api(Method::PUT, "/me/notices", Some(&association), Some(english)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["lang"], "en");
    let reason = "<b>Gymnase fermé</b> pour travaux";
    let path = format!("/bookings/{booking_id}/reject");
    assert_eq!(w.post(&path, &w.manager, json!({ "reason": reason })).await.0, 200);
    let declined = w.app.mail("chorale@salle.test", "Request declined").await;
    assert_eq!(declined.header("Content-Language").as_deref(), Some("en"));
    assert!(
        declined.decoded.contains("&lt;b&gt;Gymnase fermé&lt;/b&gt; pour travaux"),
        "escaped in HTML: {}",
        declined.decoded
    );
    assert!(
        declined.decoded.contains("Reason given: “<b>Gymnase fermé</b> pour travaux”"),
        "as typed in text: {}",
        declined.decoded
    );

    // Turned off: no approval mail. A weekly series: one message for all its dates.
    let (status, booking) = w.request(&association, day(1), None).await;
    assert_eq!(status, 201, "{booking}");
    let path = format!("/bookings/{}/approve", booking["id"].as_str().unwrap());
    assert_eq!(w.post(&path, &w.manager, json!({})).await.0, 200);
    let (status, series) = w.request(&association, day(2), Some(day(2) + chrono::Duration::days(21))).await;
    assert_eq!(status, 201, "{series}");
    let dates = series["series"]["booked"].as_array().unwrap().len();
    assert!(dates >= 3, "{series}");
    let to_manager = w.app.mail_to("gestion@salle.test", 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        w.app.mail_to("gestion@salle.test", 3).await.len(),
        3,
        "one per request, one for the whole series"
    );
    let whole =
        to_manager.iter().find(|m| m.decoded.contains("une série de créneaux")).expect("the series' message");
    assert!(whole.decoded.contains(&format!("{dates} dates")), "{}", whole.decoded);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let to_association = w.app.mail_to("chorale@salle.test", 0).await;
    assert!(
        to_association.iter().all(|m| !m.subject().contains("approved")),
        "request_approved is turned off: {:?}",
        to_association.iter().map(Received::subject).collect::<Vec<_>>()
    );
    // An unknown notice is refused with its name.
    let bad = json!({ "lang": "fr", "receives": ["confirm_address"] });
    let (status, _, body) = w.app.api(Method::PUT, "/me/notices", Some(&association), Some(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("confirm_address"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_smtp_server_that_dies_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing() {
    let mut sink = SmtpSink::start(&[]);
    let w = world(TestDb::sqlite(), &sink, sink.url(None, false), None).await;
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;
    // The server accepts three more messages, then goes away.
    sink.restart(&["--die-after", "3"]);
    let before = sink.received().len();
    for n in 0..8 {
        assert_eq!(w.request(&association, day(n), None).await.0, 201);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sink.exited() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sink.exited(), "the server died after three messages");
    assert_eq!(sink.received().len(), before + 3);
    tokio::time::sleep(Duration::from_millis(500)).await;
    sink.restart(&[]);
    let all = received(&sink, before + 8).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all_after = sink.received();
    assert_eq!(all_after.len(), all.len(), "nothing more arrives");
    let requests: Vec<Received> =
        all_after.into_iter().filter(|m| m.subject().contains("Nouvelle demande")).collect();
    assert_eq!(requests.len(), 8, "every request told once");
    let mut ids = message_ids(&requests);
    ids.dedup();
    assert_eq!(ids.len(), 8, "no message twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_temporary_refusal_is_tried_again_and_a_permanent_one_is_given_up_and_reported() {
    let sink = SmtpSink::start(&["--defer-first", "1", "--refuse", "refuse@salle.test"]);
    let w = world(TestDb::sqlite(), &sink, sink.url(None, false), None).await;
    // The sign-up's message is deferred once (451), then accepted.
    let (association_id, association) = w.association("W381000001", "chorale@salle.test").await;
    let store = w.app.db.store().await;
    let attempts: Vec<i64> = salle_events::sql::fetch_column(
        &store,
        "SELECT CAST(attempts AS BIGINT) FROM mail_outbox WHERE notice = 'confirm_address'",
        salle_events::sql::Args::new(),
    )
    .await
    .unwrap();
    assert_eq!(attempts, [2], "sent at the second attempt");
    // An address the server refuses for good: given up at once, and reported.
    let path = format!("/associations/{association_id}/invitations");
    let (status, body) =
        w.post(&path, &association, json!({ "email": "refuse@salle.test", "name": "R" })).await;
    assert_eq!(status, 201, "the request does not wait for the server: {body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let failed = salle::mail::outbox::failures(&store, 10).await.unwrap();
        if !failed.is_empty() || Instant::now() > deadline {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!((failed[0].notice.as_str(), failed[0].attempts), ("invitation", 1));
    assert!(failed[0].last_error.as_deref().unwrap().contains("550"), "{failed:?}");
    let metrics = w.app.client.get(w.app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("salle_mail_outcomes_total{outcome=\"refused\"} 1"), "{metrics}");
    assert!(metrics.contains("salle_mail_outcomes_total{outcome=\"deferred\"} 1"), "{metrics}");
    assert!(metrics.contains("salle_mail_outbox_messages{status=\"failed\"} 1"), "{metrics}");
    assert!(!metrics.contains("refuse@salle.test"), "no address in the metrics");
    // Sent messages are kept a month, those given up until the operator acts.
    let a_month_on = chrono::Utc::now() + chrono::Duration::days(31);
    assert!(salle::mail::outbox::prune(&store, a_month_on - chrono::Duration::days(30)).await.unwrap() >= 1);
    let left = salle::mail::outbox::counts(&store).await.unwrap();
    assert_eq!(left, [("failed".to_owned(), 1)], "{left:?}");
    assert_eq!(salle::mail::outbox::retry_failed(&store, chrono::Utc::now()).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forgotten_password_is_reset_by_a_single_use_link_that_ends_every_session() {
    let w = World::new(TestDb::sqlite()).await;
    let (_, old_token) = w.association("W381000001", "chorale@salle.test").await;
    // An unknown address gets the same answer, and no message.
    let (status, _, body) = w
        .app
        .api(Method::POST, "/auth/password-resets", None, Some(json!({ "email": "personne@salle.test" })))
        .await;
    assert_eq!(status, 202, "{body}");
    let (status, _, known) = w
        .app
        .api(Method::POST, "/auth/password-resets", None, Some(json!({ "email": "chorale@salle.test" })))
        .await;
    assert_eq!((status.as_u16(), &known), (202, &body), "the same answer");
    let message = w.app.mail("chorale@salle.test", "Choisir un nouveau mot de passe").await;
    assert!(w.app.mail_to("personne@salle.test", 0).await.is_empty());
    let token = message.token("/mot-de-passe/").unwrap();
    // Too short: refused, and the link still works.
    let confirm = |password: &str| json!({ "token": token, "password": password });
    let (status, _, body) =
        w.app.api(Method::POST, "/auth/password-resets/confirm", None, Some(confirm("court"))).await;
    assert_eq!(status, 422, "{body}");
    let (status, _, body) = w
        .app
        .api(
            Method::POST,
            "/auth/password-resets/confirm",
            None,
            Some(confirm("un tout nouveau mot de passe")),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _, _) = w.app.api(Method::GET, "/me", Some(&old_token), None).await;
    assert_eq!(status, 401, "the sessions opened before end");
    w.app.token("chorale@salle.test", "un tout nouveau mot de passe").await;
    let (status, _, body) = w
        .app
        .api(
            Method::POST,
            "/auth/password-resets/confirm",
            None,
            Some(confirm("encore un autre mot de passe")),
        )
        .await;
    assert_eq!(status, 404, "the link works once: {body}");
    let page = w.app.client.get(w.app.url(&format!("/mot-de-passe/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("demandez-en un nouveau"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_are_events_of_the_log_from_the_deadline_manager() {
    let w = World::new(TestDb::sqlite()).await;
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;
    let (status, booking) = w.request(&association, day(0), None).await;
    assert_eq!(status, 201, "{booking}");
    let booking_id: uuid::Uuid = booking["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/bookings/{booking_id}/approve");
    assert_eq!(w.post(&path, &w.manager, json!({})).await.0, 200);
    let (_, _, shown) =
        w.app.api(Method::GET, &format!("/bookings/{booking_id}"), Some(&association), None).await;
    let start: chrono::DateTime<chrono::Utc> = shown["start"].as_str().unwrap().parse().unwrap();
    // The deadline manager, as the workers run it, at chosen moments.
    let store = w.app.db.store().await;
    let mut deadlines = salle::process::expiry::ExpiryManager::new(support::world::commands(store.clone()));
    assert_eq!(deadlines.tick(chrono::Utc::now()).await.unwrap(), 0, "nothing due yet");
    assert_eq!(deadlines.reminders(), 1, "the slot's reminder waits");
    let two_days_before = start - chrono::Duration::hours(48) + chrono::Duration::minutes(1);
    assert_eq!(deadlines.tick(two_days_before).await.unwrap(), 1, "reminded two days before");
    assert_eq!(deadlines.tick(two_days_before).await.unwrap(), 0, "once");
    let reminder = w.app.mail("chorale@salle.test", "Rappel").await;
    assert!(reminder.subject().contains("dans deux jours"), "{}", reminder.subject());
    assert!(reminder.link("/reservations/").unwrap().ends_with(&booking_id.to_string()));
    // In the log, with the booking's other events.
    let (_, _, shown) =
        w.app.api(Method::GET, &format!("/bookings/{booking_id}"), Some(&association), None).await;
    let events: Vec<&str> =
        shown["history"].as_array().unwrap().iter().map(|h| h["event"].as_str().unwrap()).collect();
    assert!(events.contains(&"BookingReminded"), "{events:?}");
    // A second manager, rebuilt from the log, knows it was sent.
    let mut rebuilt = salle::process::expiry::ExpiryManager::new(support::world::commands(store));
    assert_eq!(rebuilt.tick(two_days_before).await.unwrap(), 0);
    assert_eq!(rebuilt.reminders(), 0);
}
