//! Money given back after the slot, as a manager or an admin asks for it:
//! by `POST /bookings/{id}/refunds` and from the booking's page, each
//! refusal named (before the slot ends, more than is left, no reason, not a
//! manager of the room), what was typed kept, each step in the history.
//! (What the payment process does next — the refund, then the transfer's
//! reversal or its wait for funds — is `tests/payments.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use chrono::Utc;
use reqwest::Method;
use salle::domain::room::RoomCommand;
use salle_events::Metadata;
use salle_events::catalog::Money;
use serde_json::json;
use support::TestDb;
use support::app::spawn_app;
use support::browser::{Browser, csrf};
use support::market::{World, code};
use support::world::{Tariff, approved_booking, at, commands, establishment_with_room};
use uuid::Uuid;

on_both_backends!(a_manager_gives_money_back_after_the_slot);

async fn a_manager_gives_money_back_after_the_slot(db: TestDb) {
    // A booking paid 25 € whose slot (25 November 2026, 18:00–20:00) is over,
    // and one whose slot is still to come, recorded before salle starts.
    let store = db.store().await;
    let commands = commands(store.clone());
    let (establishment_id, room_id) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    let association_id = Uuid::now_v7();
    let meta = Metadata::default();
    let over = booked(&commands, room_id, association_id, at("2026-11-16", "09:00"), "2026-11-25").await;
    let pay = |booking_id| RoomCommand::RecordPayment {
        booking_id,
        amount: Money::eur(2500),
        payment_ref: format!("pi_{}", booking_id.simple()),
        now: at("2026-11-16", "10:00"),
    };
    commands.on_room(room_id, &meta, || pay(over)).await.unwrap();
    commands
        .on_room(room_id, &meta, || RoomCommand::Complete { booking_id: over, now: Utc::now() })
        .await
        .unwrap();
    let coming = approved_booking(&commands, room_id, "2027-01-12", association_id).await;
    commands.on_room(room_id, &meta, || pay(coming)).await.unwrap();

    let w = World::on(spawn_app(db).await).await;
    let manager =
        json!({ "email": "caisse@salle.test", "password": "gestionnaire de la salle", "name": "Caisse" });
    let path = format!("/establishments/{establishment_id}/managers");
    assert_eq!(w.app.api(Method::POST, &path, Some(&w.admin), Some(manager)).await.0, 201);
    let own = w.app.token("caisse@salle.test", "gestionnaire de la salle").await;
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;

    let refunds = format!("/bookings/{over}/refunds");
    let ask = |amount: i64, reason: &str| json!({ "amount_cents": amount, "reason": reason });
    // Not theirs to give: another establishment's manager, an association.
    let (status, body) = w.post(&refunds, &w.manager, ask(1000, "Chauffage en panne")).await;
    assert_eq!(code(status, &body, 404), "not_found");
    let (status, body) = w.post(&refunds, &association, ask(1000, "Chauffage en panne")).await;
    assert_eq!(status, 403, "{body}");
    // Refused with why.
    let (status, body) = w.post(&refunds, &own, ask(1000, "  ")).await;
    assert_eq!(code(status, &body, 422), "invalid_reason");
    let (status, body) = w.post(&refunds, &own, ask(0, "Chauffage en panne")).await;
    assert_eq!(code(status, &body, 422), "invalid_amount");
    let (status, body) = w.post(&refunds, &own, ask(2501, "Chauffage en panne")).await;
    assert_eq!(code(status, &body, 422), "refund_too_large");
    assert!(body["error"]["message"].as_str().unwrap().contains("25,00"), "{body}");
    let (status, body) =
        w.post(&format!("/bookings/{coming}/refunds"), &own, ask(1000, "Chauffage en panne")).await;
    assert_eq!(code(status, &body, 409), "transition_not_allowed");
    // Granted: by its manager, then by an admin, up to what was paid.
    let (status, body) = w.post(&refunds, &own, ask(1000, "Chauffage en panne")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "granted");
    assert_eq!(body["refundable_left"]["amount_cents"], 1500, "{body}");
    let granted = body["id"].as_str().unwrap().to_owned();
    let (status, body) = w.post(&refunds, &w.admin, ask(500, "Geste commercial")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["refundable_left"]["amount_cents"], 1000, "{body}");
    let (status, _, booking) = w.app.api(Method::GET, &format!("/bookings/{over}"), Some(&own), None).await;
    assert_eq!(status, 200);
    let history = booking["history"].as_array().unwrap();
    assert!(
        history.iter().any(|e| e["event"] == "RefundGranted" && e["event_id"] == granted.as_str()),
        "{booking}"
    );

    // From the page: the form says what is left and what happens next; a
    // wrong amount shows the page again with both fields as typed.
    let mut caisse =
        Browser::signed_in(&w.app.address, "caisse@salle.test", "gestionnaire de la salle").await;
    let page = format!("/reservations/{over}");
    let (status, html, _) = caisse.get(&page).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Rembourser après le créneau") && html.contains("10,00"), "{html}");
    assert!(html.contains("repris sur le virement"), "what happens next: {html}");
    let token = csrf(&html);
    let action = format!("{page}/rembourser");
    let wrong = [("csrf", token.as_str()), ("amount", "dix euros"), ("reason", "Vestiaires fermés")];
    let (status, html, _) = caisse.post(&action, &wrong).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("n'est pas un montant en euros"), "{html}");
    assert!(html.contains("value=\"dix euros\"") && html.contains("value=\"Vestiaires fermés\""), "{html}");
    let right = [("csrf", token.as_str()), ("amount", "2,50"), ("reason", "Vestiaires fermés")];
    let (status, _, location) = caisse.post(&action, &right).await;
    assert_eq!((status, location.as_deref()), (303, Some(&*format!("{page}#historique"))));
    let (_, html, _) = caisse.get(&page).await;
    assert_eq!(html.matches("RefundGranted").count(), 3, "three refunds in the history");
    assert!(html.contains("7,50"), "what is left: {html}");
    // The association's page offers no such form.
    let mut anne = Browser::signed_in(&w.app.address, "chorale@salle.test", "un long mot de passe").await;
    let (status, _, _) = anne.get(&page).await;
    assert_eq!(status, 404, "not its booking");
}

/// A request for `day` 18:00–20:00 made and approved at `now`.
async fn booked(
    commands: &salle::commands::Commands,
    room_id: Uuid,
    association_id: Uuid,
    now: chrono::DateTime<Utc>,
    day: &str,
) -> Uuid {
    let meta = Metadata::default();
    let booking_id = Uuid::now_v7();
    let request = salle::domain::room::BookingRequest {
        booking_id,
        association_id,
        category: salle_events::catalog::association::RequesterCategory::LocalAssociation,
        start: at(day, "18:00"),
        end: at(day, "20:00"),
        attendees: 20,
        purpose: "Chorale".into(),
    };
    let standing = salle::domain::association::Standing::VERIFIED;
    commands.request_booking(room_id, request, standing, now, &meta).await.unwrap();
    commands
        .on_room(room_id, &meta, || RoomCommand::Approve { booking_id, by: Uuid::nil(), now })
        .await
        .unwrap();
    booking_id
}
