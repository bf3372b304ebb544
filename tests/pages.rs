//! The pages over HTTP, as a browser without JavaScript uses them: forms,
//! cookies, CSRF tokens, redirections. An association finds a room near
//! Voiron, asks for a slot, its manager approves, the association pays on
//! the simulated provider's page.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::collections::HashMap;
use std::time::Duration;

use reqwest::redirect::Policy;
use salle::app::accounts::{self, NewAccount, Role};
use salle::config::Settings;
use salle::domain::establishment::EstablishmentCommand;
use salle_events::Metadata;
use support::TestDb;
use support::browser::{Browser, csrf};
use support::world::{Tariff, commands, establishment_with_room};

on_both_backends!(
    an_association_books_and_pays_through_the_pages,
    a_manager_runs_the_rooms_of_the_establishment,
    an_admin_imports_invites_prices_and_verifies
);

async fn an_association_books_and_pays_through_the_pages(db: TestDb) {
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
    let mail_dir = support::app::mail_dir();
    settings.mail = salle::mail::MailSettings::folder(&mail_dir);
    settings.mail.poll = std::time::Duration::from_millis(100);
    let address = support::app::start(settings).await;
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let browser =
        |_: ()| Browser { address: address.clone(), client: client.clone(), cookies: HashMap::new() };

    // A collège with a room at 12,50 € an hour; its manager; an association.
    let commands = commands(db.store().await);
    let (establishment_id, room_id) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    let now = chrono::Utc::now();
    let manager_id = accounts::create(
        &commands.store,
        NewAccount {
            email: "gestion@salle.test",
            password: "mot de passe de gestion",
            name: "Gestion",
            role: Role::Manager,
            association_id: None,
        },
        now,
    )
    .await
    .unwrap();
    commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::AssignManager { user_id: manager_id },
            &Metadata::default(),
        )
        .await
        .unwrap();
    accounts::add_establishment(&commands.store, manager_id, establishment_id).await.unwrap();
    let association_id = uuid::Uuid::now_v7();
    let contact = salle::commands::personal_data::Contact::parse("Anne", "anne@salle.test", None).unwrap();
    commands
        .register_association(
            association_id,
            "Chorale",
            salle_events::catalog::association::RequesterCategory::LocalAssociation,
            salle_events::catalog::association::LegalIdentifier::Rna("W381000001".into()),
            &contact,
            now,
            &Metadata::default(),
        )
        .await
        .unwrap();
    // Verified by the département, so that its requests can be approved.
    let verify = salle::domain::association::AssociationCommand::Verify {
        by: uuid::Uuid::nil(),
        category: salle_events::catalog::association::RequesterCategory::LocalAssociation,
        now,
    };
    commands.on_association(association_id, verify, &Metadata::default()).await.unwrap();
    accounts::create(
        &commands.store,
        NewAccount {
            email: "anne@salle.test",
            password: "mot de passe de la chorale",
            name: "Anne",
            role: Role::Association,
            association_id: Some(association_id),
        },
        now,
    )
    .await
    .unwrap();

    let mut anne = browser(());
    // The home page: security headers, the CSRF cookie, the search form.
    let response = client.get(format!("{address}/")).send().await.unwrap();
    let csp = response.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let (status, html, _) = anne.get("/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Trouver une salle")
            && html.contains("lang=\"fr\"")
            && html.contains("Aller au contenu")
    );
    assert!(anne.cookies.contains_key("__Host-salle-csrf"));
    // Every page's footer leads to the source of the running version and its licence (AGPL-3.0 §13).
    assert!(html.contains("href=\"/code-source\""), "{html}");
    let (status, source, _) = anne.get("/code-source").await;
    assert_eq!(status, 200);
    assert!(source.contains(&format!("salle {}", env!("CARGO_PKG_VERSION"))), "{source}");
    assert!(source.contains("href=\"/licence\""), "{source}");
    let (status, licence, _) = anne.get("/licence").await;
    assert_eq!(status, 200);
    assert!(licence.starts_with("GNU AFFERO GENERAL PUBLIC LICENSE"), "{licence:.80}");
    assert!(licence.contains("13. Remote Network Interaction"), "the whole text");

    // Search near the room (the index follows the log).
    let mut results = String::new();
    for _ in 0..200 {
        let (status, html, _) = anne.get("/?near=38001&radius_km=10").await;
        assert_eq!(status, 200);
        results = html;
        if results.contains(&format!("/salles/{room_id}")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(results.contains(&format!("/salles/{room_id}")), "{results}");
    // English, for a browser that asks for it.
    let english = |path: String| {
        let client = client.clone();
        async move {
            let response = client.get(path).header("Accept-Language", "en-GB,en;q=0.9").send().await.unwrap();
            response.text().await.unwrap()
        }
    };
    let results_en = english(format!("{address}/?near=38001&radius_km=10")).await;
    assert!(
        results_en.contains("lang=\"en\"")
            && results_en.contains("room(s) found")
            && results_en.contains("Gymnasium")
            && !results_en.contains("Gymnase,"),
        "{results_en}"
    );
    let room_en = english(format!("{address}/salles/{room_id}")).await;
    assert!(room_en.contains("lang=\"en\"") && room_en.contains("people"), "{room_en}");
    // The map's data rides on the list itself: each result carries its coordinates.
    assert!(results.contains("id=\"carte\"") && results.contains("data-lat=\"45.5"), "{results}");
    let (status, script, _) = anne.get("/static/leaflet/leaflet.js").await;
    assert!(status == 200 && script.contains("Leaflet"), "the map's library is served by salle itself");
    assert_eq!(anne.get("/static/leaflet/leaflet-src.js").await.0, 404, "only the vendored files");
    // The room's establishment has its own page, listing its rooms.
    let (_, room_html, _) = anne.get(&format!("/salles/{room_id}")).await;
    assert!(room_html.contains(&format!("/etablissements/{establishment_id}")), "{room_html}");
    let (status, html, _) = anne.get(&format!("/etablissements/{establishment_id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Collège Marcel Bouvier") && html.contains(&format!("/salles/{room_id}")),
        "{html}"
    );
    assert_eq!(anne.get(&format!("/etablissements/{}", uuid::Uuid::now_v7())).await.0, 404);
    let (status, html, _) = anne.get("/?near=Nulle-Part-sur-Isère").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Nulle-Part-sur-Isère") && html.contains("role=\"alert\""),
        "the typed value is kept and the error shown"
    );

    // Sign in: a wrong token is refused, a wrong password keeps the e-mail.
    let (_, html, _) = anne.get("/connexion").await;
    let token = csrf(&html);
    let (status, html, _) = anne
        .post(
            "/connexion",
            &[("csrf", "0".repeat(64).as_str()), ("email", "anne@salle.test"), ("password", "x")],
        )
        .await;
    assert_eq!(status, 403);
    assert!(
        html.contains("<html") && html.contains("Le formulaire a expiré"),
        "an HTML page that says why: {html}"
    );
    let (status, html, _) = anne
        .post("/connexion", &[("csrf", &token), ("email", "anne@salle.test"), ("password", "pas le bon")])
        .await;
    assert_eq!(status, 401);
    assert!(html.contains("value=\"anne@salle.test\""), "the e-mail typed is kept");
    let (status, _, location) = anne
        .post(
            "/connexion",
            &[("csrf", &token), ("email", "anne@salle.test"), ("password", "mot de passe de la chorale")],
        )
        .await;
    assert_eq!((status, location.as_deref()), (303, Some("/reservations")));
    let first_session = anne.cookies["__Host-salle"].clone();

    // The room page, then a request for two hours.
    let (status, html, _) = anne.get(&format!("/salles/{room_id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Demander un créneau") && html.contains("Disponibilités"), "{html}");
    let token = csrf(&html);
    let day = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let calendar = salle::domain::calendar::Calendar::isere().unwrap();
    let day = (0..30)
        .map(|d| day + chrono::Duration::days(d))
        // The weekly series below needs a school day a week later too (not
        // the first week of the Christmas holidays, say).
        .find(|d| {
            [*d, *d + chrono::Duration::days(7)]
                .iter()
                .all(|d| calendar.school_holiday(*d).is_none() && calendar.public_holiday(*d).is_none())
        })
        .unwrap();
    let day_text = day.to_string();
    let form = [
        ("csrf", token.as_str()),
        ("room_id", &room_id.to_string()),
        ("date", &day_text),
        ("start", "18:00"),
        ("end", "20:00"),
        ("attendees", "20"),
        ("purpose", "Répétition"),
    ];
    let (status, _, location) = anne.post("/reservations", &form).await;
    assert_eq!(status, 303);
    let booking_page = location.unwrap();
    let (status, html, _) = anne.get(&booking_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("demandée") && html.contains("25,00 €"), "{html}");
    // The same slot again: refused on the room page, with the reason.
    let (status, html, _) = anne.post("/reservations", &form).await;
    assert_eq!(status, 409);
    assert!(html.contains("déjà réservé"), "{html}");
    assert!(
        html.contains("value=\"Répétition\"") && html.contains(&format!("value=\"{day_text}\"")),
        "what was typed comes back"
    );
    let mut bad = form;
    bad[5] = ("attendees", "vingt");
    let (status, html, _) = anne.post("/reservations", &bad).await;
    assert_eq!(status, 422);
    assert!(html.contains("nombre entier") && html.contains("value=\"vingt\""), "{html}");

    // A weekly series is shown before it is sent: dates kept, dates skipped
    // (the first is taken by the request above), the total; nothing recorded.
    let until = (day + chrono::Duration::days(21)).to_string();
    let token = csrf(&anne.get(&format!("/salles/{room_id}")).await.1);
    let series = [
        ("csrf", token.as_str()),
        ("room_id", &room_id.to_string()),
        ("date", &day_text),
        ("start", "18:00"),
        ("end", "20:00"),
        ("attendees", "20"),
        ("purpose", "Répétition"),
        ("repeat_weekly_until", &until),
    ];
    let (status, html, _) = anne.post("/reservations", &series).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Confirmer la demande")
            && html.contains("date(s) écartée(s)")
            && html.contains("Prix total"),
        "{html}"
    );
    let (_, list, _) = anne.get("/reservations").await;
    assert_eq!(list.matches("/reservations/").count(), 1, "the preview recorded nothing");
    let mut confirm = series.to_vec();
    confirm.push(("confirmed", "true"));
    let (status, _, location) = anne.post("/reservations", &confirm).await;
    assert_eq!(status, 303, "the confirmation books the series");
    assert!(location.unwrap().starts_with("/reservations/"));

    // The manager sees it first, with the count in the navigation, and approves.
    let mut manager = browser(());
    let (_, html, _) = manager.get("/connexion").await;
    let token = csrf(&html);
    manager
        .post(
            "/connexion",
            &[("csrf", &token), ("email", "gestion@salle.test"), ("password", "mot de passe de gestion")],
        )
        .await;
    let (status, html, _) = manager.get("/reservations").await;
    assert_eq!(status, 200);
    assert!(html.contains("à décider") && html.contains("class=\"badge\""), "{html}");
    let (_, html, _) = manager.get(&booking_page).await;
    assert!(html.contains("Approuver"));
    let token = csrf(&html);
    let (status, _, _) = manager.post(&format!("{booking_page}/approuver"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    // The establishment's week shows the slot, once the read model has it.
    let week = format!("/etablissements/{establishment_id}/gestion?semaine={day_text}");
    let mut shown = String::new();
    for _ in 0..300 {
        shown = manager.get(&week).await.1;
        if shown.contains("status-held") || shown.contains("status-booked") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(shown.contains("18:00–20:00") && shown.contains("La semaine de l"), "{shown}");
    // The association cannot approve; nor can a stranger see the booking.
    let (_, html, _) = anne.get(&booking_page).await;
    assert!(html.contains("approuvée") && html.contains("Payer"), "{html}");
    let token = csrf(&html);
    let (status, _, _) = anne.post(&format!("{booking_page}/approuver"), &[("csrf", &token)]).await;
    assert_eq!(status, 403);
    let mut stranger = browser(());
    let (status, _, location) = stranger.get(&booking_page).await;
    assert_eq!((status, location.as_deref()), (303, Some("/connexion")));

    // The association pays on the simulated provider's page.
    let (status, _, location) = anne.post(&format!("{booking_page}/payer"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    let checkout = location.unwrap();
    let checkout_path =
        checkout.split_once("/paiement/").map(|(_, rest)| format!("/paiement/{rest}")).unwrap();
    let (status, html, _) = anne.get(&checkout_path).await;
    assert_eq!(status, 200);
    assert!(html.contains("25,00 €"));
    let (status, _, _) = anne.post(&checkout_path, &[("outcome", "succeeded")]).await;
    assert_eq!(status, 403, "the simulated provider's buttons need the page's CSRF token");
    let (status, _, _) = anne.post(&checkout_path, &[("csrf", &csrf(&html)), ("outcome", "succeeded")]).await;
    assert_eq!(status, 200);
    let mut paid = false;
    for _ in 0..300 {
        let (_, html, _) = anne.get(&booking_page).await;
        if html.contains("payée") {
            paid = true;
            assert!(
                html.contains("Annuler la réservation") && html.contains("vous serez remboursé de"),
                "{html}"
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(paid, "the booking shows as paid");
    // The receipt: the collège is paid by the chorale, with the provider's reference.
    let (_, html, _) = anne.get(&booking_page).await;
    assert!(html.contains(&format!("{booking_page}/recu")), "{html}");
    let (status, html, _) = anne.get(&format!("{booking_page}/recu")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Reçu de paiement")
            && html.contains("25,00 €")
            && html.contains("pi_sim_")
            && html.contains("Chorale")
            && html.contains("RNA W381000001"),
        "{html}"
    );

    // The ledger: the manager's own establishment, not for associations.
    let (status, _, _) = anne.get("/grand-livre").await;
    assert_eq!(status, 403);
    let (status, html, _) = manager.get("/grand-livre").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/grand-livre/{establishment_id}")), "{html}");
    let mut seen = false;
    for _ in 0..300 {
        let (status, html, _) = manager.get(&format!("/grand-livre/{establishment_id}")).await;
        assert_eq!(status, 200);
        if html.contains("467100") && html.contains("25,00 €") {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen, "the payment reaches the establishment's ledger");
    let (status, _, _) = manager.get(&format!("/grand-livre/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(status, 404);
    // The manager sees what each event of the booking wrote in the ledger,
    // but neither the département's ledger nor its exports.
    let (status, html, _) = manager.get(&booking_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Écritures de cet événement") && html.contains("BookingPaid"), "{html}");
    assert_eq!(manager.get("/grand-livre/departement").await.0, 403);
    assert_eq!(manager.get("/grand-livre/export?format=csv").await.0, 403);

    // Finance: the département's ledger, the chain's head, the exports, "as of".
    accounts::create(
        &commands.store,
        NewAccount {
            email: "finances@salle.test",
            password: "mot de passe des finances",
            name: "Finances",
            role: Role::Finance,
            association_id: None,
        },
        now,
    )
    .await
    .unwrap();
    let mut finance = browser(());
    let token = csrf(&finance.get("/connexion").await.1);
    let form = [
        ("csrf", token.as_str()),
        ("email", "finances@salle.test"),
        ("password", "mot de passe des finances"),
    ];
    assert_eq!(finance.post("/connexion", &form).await.0, 303);
    let (status, html, _) = finance.get("/grand-livre/departement").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("tout le département") && html.contains("467100") && html.contains("25,00 €"),
        "{html}"
    );
    let mut head = false;
    for _ in 0..300 {
        let (_, html, _) = finance.get("/grand-livre").await;
        if html.contains("Intégrité du journal") && html.contains("class=\"hash\"") {
            head = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(head, "the chain's head is shown once the log is sealed");
    let export = client
        .get(format!("{address}/grand-livre/export?format=hledger&etablissement={establishment_id}"))
        .header("Cookie", format!("__Host-salle={}", finance.cookies["__Host-salle"]))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let disposition = export.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("grand-livre-") && disposition.contains(".journal"), "{disposition}");
    assert!(export.text().await.unwrap().contains("467100 Prestataire de paiement"));
    let (status, html, _) = finance.get(&format!("/grand-livre/{establishment_id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("/grand-livre/export?format=fec"), "{html}");
    // As it stood before the payment: no line yet.
    let (status, html, _) =
        finance.get(&format!("/grand-livre/{establishment_id}?a_la_date=2020-01-01T00%3A00")).await;
    assert_eq!(status, 200);
    assert!(html.contains("tel qu&#39;il était le") || html.contains("tel qu'il était le"), "{html}");
    assert!(!html.contains("25,00 €"), "{html}");
    let (status, html, _) = finance.get(&format!("/grand-livre/{establishment_id}?a_la_date=hier")).await;
    assert_eq!(status, 400);
    assert!(html.contains("hier"), "{html}");
    // Reconciled with the provider's records: the payment is there, to the cent.
    let reconcile = format!("/grand-livre/rapprochement?etablissement={establishment_id}");
    let (_, html, _) = finance.get(&format!("/grand-livre/{establishment_id}")).await;
    assert!(html.contains(&reconcile), "{html}");
    let (status, html, _) = finance.get(&reconcile).await;
    assert_eq!(status, 200);
    assert!(html.contains("Aucun écart") && html.contains("Paiements") && html.contains("25,00 €"), "{html}");
    let (status, html, _) = finance.get("/grand-livre/rapprochement").await;
    assert_eq!(status, 200);
    assert!(html.contains("tout le département"), "{html}");
    assert_eq!(manager.get(&reconcile).await.0, 403);
    let (status, _, _) =
        finance.get(&format!("/grand-livre/rapprochement?etablissement={}", uuid::Uuid::now_v7())).await;
    assert_eq!(status, 404);

    // A new association signs up on its own; a bad RNA keeps what was typed.
    let mut newcomer = browser(());
    let (status, html, _) = newcomer.get("/inscription").await;
    assert_eq!(status, 200);
    let token = csrf(&html);
    let mut sign_up = vec![
        ("csrf", token.as_str()),
        ("name", "Club d'échecs de Voiron"),
        ("identifier", "W12"),
        ("category", "local_association"),
        ("contact_name", "Lou"),
        ("email", "echecs@salle.test"),
        ("password", "un long mot de passe"),
    ];
    let (status, html, _) = newcomer.post("/inscription", &sign_up).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Club d&#39;échecs de Voiron") || html.contains("Club d'échecs de Voiron"),
        "{html}"
    );
    assert!(html.contains("value=\"W12\"") && html.contains("role=\"alert\""), "{html}");
    sign_up[2] = ("identifier", "W381000099");
    let (status, html, _) = newcomer.post("/inscription", &sign_up).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Regardez votre messagerie") && html.contains("echecs@salle.test"), "{html}");
    // The link of the e-mail: one button creates the account, then signed in.
    let message = support::mail::last_with(&mail_dir, "echecs@salle.test", "Confirmez votre adresse").await;
    let link = message.link("/inscription/confirmer/").expect("the link");
    let path = &link[link.find("/inscription/").unwrap()..];
    let (status, html, _) = newcomer.get(path).await;
    assert_eq!(status, 200, "{html}");
    let (status, _, location) = newcomer.post(path, &[("csrf", &csrf(&html))]).await;
    assert_eq!((status, location.as_deref()), (303, Some("/association")));
    let (status, html, _) = newcomer.get(path).await;
    assert_eq!(status, 200);
    let (status, _, _) = newcomer.post(path, &[("csrf", &csrf(&html))]).await;
    assert_eq!(status, 404, "the link works once");
    let (status, html, _) = newcomer.get("/reservations").await;
    assert_eq!(status, 200);
    assert!(html.contains("Mes réservations") && html.contains("Lou"), "{html}");

    // Signing out ends the session; signing in again gives another token.
    let (_, html, _) = anne.get("/reservations").await;
    let token = csrf(&html);
    let (status, _, _) = anne.post("/deconnexion", &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    assert!(!anne.cookies.contains_key("__Host-salle"));
    let mut replay = browser(());
    replay.cookies.insert("__Host-salle".into(), first_session);
    let (status, _, location) = replay.get("/reservations").await;
    assert_eq!((status, location.as_deref()), (303, Some("/connexion")), "the old session is gone");
}

/// A manager of `establishment_id`, signed in.
async fn signed_in_manager(
    commands: &salle::commands::Commands,
    address: &str,
    client: &reqwest::Client,
    email: &str,
    establishment_id: uuid::Uuid,
) -> (Browser, uuid::Uuid) {
    let user_id = accounts::create(
        &commands.store,
        NewAccount {
            email,
            password: "mot de passe de gestion",
            name: "Gestion",
            role: Role::Manager,
            association_id: None,
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::AssignManager { user_id },
            &Metadata::default(),
        )
        .await
        .unwrap();
    accounts::add_establishment(&commands.store, user_id, establishment_id).await.unwrap();
    let mut browser =
        Browser { address: address.to_owned(), client: client.clone(), cookies: HashMap::new() };
    let token = csrf(&browser.get("/connexion").await.1);
    let form = [("csrf", token.as_str()), ("email", email), ("password", "mot de passe de gestion")];
    assert_eq!(browser.post("/connexion", &form).await.0, 303);
    (browser, user_id)
}

async fn a_manager_runs_the_rooms_of_the_establishment(db: TestDb) {
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
    let mail_dir = support::app::mail_dir();
    settings.mail = salle::mail::MailSettings::folder(&mail_dir);
    settings.mail.poll = std::time::Duration::from_millis(100);
    let address = support::app::start(settings).await;
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let commands = commands(db.store().await);
    let (establishment_id, gym_id) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    let (other_id, other_room) = establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    let (mut manager, user_id) =
        signed_in_manager(&commands, &address, &client, "gestion@salle.test", establishment_id).await;
    // A second collège in their care, whose payouts are not set up yet.
    let bare_id = uuid::Uuid::now_v7();
    commands
        .on_establishment(
            bare_id,
            EstablishmentCommand::Register(salle::domain::establishment::RegisterEstablishment {
                establishment_id: bare_id,
                name: "Collège Jules Ferry".into(),
                kind: salle_events::catalog::establishment::EstablishmentKind::College,
                uai: Some("0380002W".into()),
                address: "1 place de la Mairie".into(),
                commune_insee: "38563".into(),
                lat: 45.36,
                lon: 5.59,
                legal_basis: None,
                now: chrono::Utc::now(),
            }),
            &Metadata::default(),
        )
        .await
        .unwrap();
    commands
        .on_establishment(bare_id, EstablishmentCommand::AssignManager { user_id }, &Metadata::default())
        .await
        .unwrap();
    accounts::add_establishment(&commands.store, user_id, bare_id).await.unwrap();

    // The establishments in their care, and nothing else.
    let (status, html, _) = manager.get("/etablissements").await;
    assert_eq!(status, 200);
    let own = format!("/etablissements/{establishment_id}/gestion");
    let bare = format!("/etablissements/{bare_id}/gestion");
    assert!(html.contains(&own) && html.contains(&bare) && html.contains("Collège Jules Ferry"), "{html}");
    assert!(!html.contains(&other_id.to_string()), "{html}");
    assert_eq!(manager.get(&format!("/etablissements/{other_id}/gestion")).await.0, 404);
    assert_eq!(manager.get(&format!("/salles/{other_room}/gestion")).await.0, 404);

    // Payouts: ready for the first; one click from the provider's onboarding for the second.
    let (status, html, _) = manager.get(&own).await;
    assert_eq!(status, 200);
    assert!(html.contains("peut recevoir l&#39;argent") || html.contains("peut recevoir l'argent"), "{html}");
    let (_, html, _) = manager.get(&bare).await;
    assert!(html.contains("Versements") && html.contains("seules les salles gratuites"), "{html}");
    let token = csrf(&html);
    let (status, _, location) =
        manager.post(&format!("/etablissements/{bare_id}/versements"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().contains("/paiement/simule/compte/acct_sim_"));
    let (_, html, _) = manager.get(&bare).await;
    assert!(html.contains("acct_sim_") && html.contains("pas encore prêt"), "{html}");

    // A new room: a refused capacity keeps what was typed.
    let add = format!("/etablissements/{establishment_id}/salles");
    let typed = [
        ("csrf", token.as_str()),
        ("name", "Salle du Conseil"),
        ("kind", "meeting_room"),
        ("capacity", "trente"),
        ("rate", ""),
    ];
    let (status, html, _) = manager.post(&add, &typed).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("trente") && html.contains("Salle du Conseil") && html.contains("role=\"alert\""),
        "{html}"
    );
    let typed = [
        ("csrf", token.as_str()),
        ("name", "Salle du Conseil"),
        ("kind", "meeting_room"),
        ("capacity", "30"),
        ("rate", "8,50"),
    ];
    let (status, _, location) = manager.post(&add, &typed).await;
    assert_eq!(status, 303);
    let room_page = location.unwrap().split('?').next().unwrap().to_owned();
    let room_id: uuid::Uuid =
        room_page.trim_start_matches("/salles/").trim_end_matches("/gestion").parse().unwrap();
    let room = commands.room(room_id).await.unwrap();
    assert_eq!(room.establishment_id, establishment_id);
    assert_eq!(room.details.as_ref().unwrap().hourly_rate_cents, Some(850));
    let (status, html, _) = manager.get(&room_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Salle du Conseil") && html.contains("18:00-22:00"), "{html}");

    // The description, with its equipment.
    let details = [
        ("csrf", token.as_str()),
        ("name", "Salle du Conseil"),
        ("kind", "meeting_room"),
        ("capacity", "24"),
        ("area", "60"),
        ("equipment", "projector"),
        ("equipment", "wifi"),
        ("step_free", "1"),
        ("approval", "manual"),
        ("rate", ""),
        ("description", "Au rez-de-chaussée, près de l'entrée."),
    ];
    let (status, _, _) = manager.post(&format!("{room_page}/details"), &details).await;
    assert_eq!(status, 303);
    let saved = commands.room(room_id).await.unwrap().details.unwrap();
    assert_eq!(
        (saved.capacity, saved.area_m2, saved.step_free, saved.hourly_rate_cents),
        (24, Some(60), true, None)
    );
    assert_eq!(saved.equipment.len(), 2);

    // Opening hours: a wrong range is named and kept; a right one is saved.
    let mut hours =
        vec![("csrf", token.as_str()), ("semaine_1", "17:30-22:00"), ("semaine_3", "14h-18h, 19:00-22:30")];
    hours.push(("semaine_6", "9h-midi"));
    let (status, html, _) = manager.post(&format!("{room_page}/horaires"), &hours).await;
    assert_eq!(status, 422);
    assert!(html.contains("Samedi") && html.contains("9h-midi") && html.contains("14h-18h"), "{html}");
    hours.pop();
    hours.push(("vacances_2", "10:00-16:00"));
    hours.push(("public_holidays", "1"));
    let (status, _, _) = manager.post(&format!("{room_page}/horaires"), &hours).await;
    assert_eq!(status, 303);
    let opening = commands.room(room_id).await.unwrap().opening;
    assert_eq!(opening.school_weeks.len(), 3, "{opening:?}");
    assert_eq!(opening.school_holidays.len(), 1);
    assert!(opening.open_on_public_holidays);

    // An internal block, then lifted.
    let block = [
        ("csrf", token.as_str()),
        ("day", "2027-01-11"),
        ("start", "18:00"),
        ("end", "20:00"),
        ("reason", "Conseil de classe"),
    ];
    let (status, _, _) = manager.post(&format!("{room_page}/blocages"), &block).await;
    assert_eq!(status, 303);
    let blocks = commands.room(room_id).await.unwrap().blocks;
    assert_eq!(blocks.len(), 1);
    let (_, html, _) = manager.get(&room_page).await;
    assert!(html.contains("Conseil de classe") && html.contains("18:00–20:00"), "{html}");
    let block_id = blocks.keys().next().unwrap();
    let (status, _, _) =
        manager.post(&format!("{room_page}/blocages/{block_id}/supprimer"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    assert!(commands.room(room_id).await.unwrap().blocks.is_empty());
    let backwards = [
        ("csrf", token.as_str()),
        ("day", "2027-01-11"),
        ("start", "20:00"),
        ("end", "18:00"),
        ("reason", "Travaux"),
    ];
    let (status, html, _) = manager.post(&format!("{room_page}/blocages"), &backwards).await;
    assert_eq!(status, 422);
    assert!(html.contains("Travaux") && html.contains("finit avant de commencer"), "{html}");

    // Closed for the exams' days, then reopened; an inverted period is named.
    let closure = [
        ("csrf", token.as_str()),
        ("first_day", "2027-06-21"),
        ("last_day", "2027-06-25"),
        ("reason", "Brevet des collèges"),
    ];
    let (status, _, _) = manager.post(&format!("{room_page}/fermetures"), &closure).await;
    assert_eq!(status, 303);
    let blackouts = commands.room(room_id).await.unwrap().blackouts;
    assert_eq!(blackouts.len(), 1);
    let (_, html, _) = manager.get(&room_page).await;
    assert!(html.contains("Brevet des collèges"), "{html}");
    let closure_id = blackouts.keys().next().unwrap();
    let (status, _, _) =
        manager.post(&format!("{room_page}/fermetures/{closure_id}/supprimer"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    assert!(commands.room(room_id).await.unwrap().blackouts.is_empty());
    let inverted = [
        ("csrf", token.as_str()),
        ("first_day", "2027-06-25"),
        ("last_day", "2027-06-21"),
        ("reason", "Travaux"),
    ];
    let (status, html, _) = manager.post(&format!("{room_page}/fermetures"), &inverted).await;
    assert_eq!(status, 422);
    assert!(html.contains("2027-06-25") && html.contains("finit avant de commencer"), "{html}");

    // Withdrawn from searches, then offered again.
    let (status, _, _) =
        manager.post(&format!("{room_page}/retrait"), &[("csrf", &token), ("reason", "Travaux d'été")]).await;
    assert_eq!(status, 303);
    assert!(commands.room(room_id).await.unwrap().withdrawn);
    let (status, _, _) = manager.post(&format!("{room_page}/remise"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    assert!(!commands.room(room_id).await.unwrap().withdrawn);

    // A weekly series on the collège's gymnasium, decided at once from one of
    // its dates, by a verified association.
    let choir = uuid::Uuid::from_u128(0xa550);
    let contact = salle::commands::personal_data::Contact::parse("Anne", "anne@salle.test", None).unwrap();
    let category = salle_events::catalog::association::RequesterCategory::LocalAssociation;
    let rna = salle_events::catalog::association::LegalIdentifier::Rna("W381000055".into());
    let meta = Metadata::default();
    let now = chrono::Utc::now();
    commands.register_association(choir, "Chorale", category, rna, &contact, now, &meta).await.unwrap();
    let verify =
        salle::domain::association::AssociationCommand::Verify { by: uuid::Uuid::nil(), category, now };
    commands.on_association(choir, verify, &meta).await.unwrap();
    let series_id = uuid::Uuid::now_v7();
    let series = salle::domain::room::SeriesRequest {
        series_id,
        association_id: choir,
        category: salle_events::catalog::association::RequesterCategory::LocalAssociation,
        first_day: chrono::NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
        last_day: chrono::NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
        start_time: chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
        end_time: chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        attendees: 20,
        purpose: "Chorale".into(),
    };
    commands
        .request_series(
            gym_id,
            series,
            salle::domain::association::Standing::VERIFIED,
            chrono::Utc::now(),
            &Metadata::default(),
        )
        .await
        .unwrap();
    let dates: Vec<uuid::Uuid> = commands
        .room(gym_id)
        .await
        .unwrap()
        .bookings
        .values()
        .filter(|b| b.series_id == Some(series_id))
        .map(|b| b.id)
        .collect();
    assert_eq!(dates.len(), 4, "four Mondays");
    let first = format!("/reservations/{}", dates[0]);
    let mut html = String::new();
    for _ in 0..300 {
        let (status, page, _) = manager.get(&first).await;
        html = page;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(html.contains("Approuver toute la série") && html.contains("4 date(s)"), "{html}");
    let (status, _, _) = manager.post(&format!("{first}/approuver-serie"), &[("csrf", &token)]).await;
    assert_eq!(status, 303);
    let room = commands.room(gym_id).await.unwrap();
    assert!(dates.iter().all(|d| room.bookings[d].status.as_str() == "approved"), "every date approved");

    // No form without its token; another establishment's room stays out of reach.
    let (status, _, _) = manager.post(&format!("{room_page}/remise"), &[("csrf", "x")]).await;
    assert_eq!(status, 403);
    let (status, _, _) = manager
        .post(&format!("/salles/{other_room}/gestion/retrait"), &[("csrf", &token), ("reason", "x")])
        .await;
    assert_eq!(status, 404);
    assert!(!commands.room(other_room).await.unwrap().withdrawn);
}

async fn an_admin_imports_invites_prices_and_verifies(db: TestDb) {
    let mut settings = Settings::new(&db.url, "127.0.0.1:0", 8).unwrap();
    settings.payments = salle::config::PaymentSettings::simulated("http://127.0.0.1:0");
    let mail_dir = support::app::mail_dir();
    settings.mail = salle::mail::MailSettings::folder(&mail_dir);
    settings.mail.poll = std::time::Duration::from_millis(100);
    let address = support::app::start(settings).await;
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let commands = commands(db.store().await);
    let now = chrono::Utc::now();
    accounts::create(
        &commands.store,
        NewAccount {
            email: "admin@salle.test",
            password: "mot de passe admin",
            name: "Admin",
            role: Role::Admin,
            association_id: None,
        },
        now,
    )
    .await
    .unwrap();
    let association_id = uuid::Uuid::now_v7();
    let contact = salle::commands::personal_data::Contact::parse("Anne", "anne@salle.test", None).unwrap();
    commands
        .register_association(
            association_id,
            "Chorale des Voirons",
            salle_events::catalog::association::RequesterCategory::LocalAssociation,
            salle_events::catalog::association::LegalIdentifier::Rna("W381000001".into()),
            &contact,
            now,
            &Metadata::default(),
        )
        .await
        .unwrap();
    let mut admin = Browser { address: address.clone(), client: client.clone(), cookies: HashMap::new() };
    let token = csrf(&admin.get("/connexion").await.1);
    let form = [("csrf", token.as_str()), ("email", "admin@salle.test"), ("password", "mot de passe admin")];
    assert_eq!(admin.post("/connexion", &form).await.0, 303);

    // Only admins reach the page.
    let mut anonymous = Browser { address: address.clone(), client: client.clone(), cookies: HashMap::new() };
    assert_eq!(anonymous.get("/admin").await.0, 303);

    // The 97 collèges, imported once.
    let mut page = String::new();
    for _ in 0..200 {
        page = admin.get("/admin").await.1;
        if page.contains("Chorale des Voirons") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(page.contains("0 / 97") && page.contains("Administration"), "{page}");
    let token = csrf(&page);
    let (status, html, _) = admin.post("/admin/colleges", &[("csrf", &token)]).await;
    assert_eq!(status, 200);
    assert!(html.contains("97 collège(s) importé(s)") && html.contains("97 / 97"), "{html}");
    assert!(!html.contains("Importer les collèges manquants"), "{html}");
    let (_, html, _) = admin.post("/admin/colleges", &[("csrf", &token)]).await;
    assert!(html.contains("0 collège(s) importé(s)"), "a second import adds nothing: {html}");
    let college = salle::seed::colleges().unwrap()[0].registration(now).establishment_id;
    let registered = commands.establishment(college).await.unwrap();
    assert!(
        registered.id.is_some() && registered.payout_account.is_none(),
        "no simulated payouts for real collèges"
    );

    // The département's grid: a wrong amount keeps what was typed; a right one is published.
    let mut grid = vec![
        ("csrf", token.as_str()),
        ("rate_local_association", "8"),
        ("rate_other_association", "15,50"),
        ("rate_public_body", "0"),
        ("rate_company", "quarante"),
        ("fees", "Ménage = 15,00"),
    ];
    let (status, html, _) = admin.post("/admin/tarifs", &grid).await;
    assert_eq!(status, 422);
    assert!(html.contains("quarante") && html.contains("15,50") && html.contains("Entreprise"), "{html}");
    grid[4] = ("rate_company", "40");
    let (status, html, _) = admin.post("/admin/tarifs", &grid).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Nouvelle grille publiée") && html.contains("Version en vigueur : 1"), "{html}");
    let published = commands.tariff_for(college).await.unwrap().unwrap();
    assert_eq!(
        published.hourly_rates_cents
            [&salle_events::catalog::association::RequesterCategory::OtherAssociation],
        1550
    );
    assert_eq!(published.flat_fees.len(), 1);
    // A collège's own grid replaces the département's for its rooms only.
    let college_text = college.to_string();
    let (status, html, _) = admin.get(&format!("/admin?grille={college}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("name=\"owner\" value=\"{college}\"")), "{html}");
    let own = [
        ("csrf", token.as_str()),
        ("owner", college_text.as_str()),
        ("rate_local_association", "5"),
        ("rate_other_association", "10"),
        ("rate_public_body", "0"),
        ("rate_company", "30"),
        ("fees", ""),
    ];
    let (status, html, _) = admin.post("/admin/tarifs", &own).await;
    assert_eq!(status, 200, "{html}");
    let local = salle_events::catalog::association::RequesterCategory::LocalAssociation;
    assert_eq!(commands.tariff_for(college).await.unwrap().unwrap().hourly_rates_cents[&local], 500);
    let second = salle::seed::colleges().unwrap()[1].registration(now).establishment_id;
    assert_eq!(commands.tariff_for(second).await.unwrap().unwrap().hourly_rates_cents[&local], 800);

    // The association, verified, then its verification revoked with a reason.
    let (status, html, _) =
        admin.post(&format!("/admin/associations/{association_id}/verifier"), &[("csrf", &token)]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Association vérifiée"), "{html}");
    assert!(commands.association(association_id).await.unwrap().verified);
    let (status, _, _) =
        admin.post(&format!("/admin/associations/{association_id}/verifier"), &[("csrf", &token)]).await;
    assert_eq!(status, 409, "already verified");
    let (status, _, _) = admin
        .post(&format!("/admin/associations/{association_id}/revoquer"), &[("csrf", &token), ("reason", "")])
        .await;
    assert_eq!(status, 422);
    let revoke = [("csrf", token.as_str()), ("reason", "Statuts périmés")];
    let (status, _, _) = admin.post(&format!("/admin/associations/{association_id}/revoquer"), &revoke).await;
    assert_eq!(status, 200);
    assert!(!commands.association(association_id).await.unwrap().verified);

    // A manager's invitation: the link works once, and makes them the collège's manager.
    let invite = [
        ("csrf", token.as_str()),
        ("establishment", college_text.as_str()),
        ("name", "Paul"),
        ("email", "pas-une-adresse"),
    ];
    let (status, html, _) = admin.post("/admin/invitations", &invite).await;
    assert_eq!(status, 422);
    assert!(html.contains("pas-une-adresse") && html.contains("Paul"), "{html}");
    let invite = [
        ("csrf", token.as_str()),
        ("establishment", college_text.as_str()),
        ("name", "Paul"),
        ("email", "paul@salle.test"),
    ];
    let (status, html, _) = admin.post("/admin/invitations", &invite).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("paul@salle.test") && !html.contains("/invitation/"), "mailed, not shown: {html}");
    let message =
        support::mail::last_with(&mail_dir, "paul@salle.test", "Invitation à gérer les salles").await;
    let link = message.link("/invitation/").expect("the link");
    let link = link[link.find("/invitation/").unwrap()..].to_owned();
    let mut paul = Browser { address: address.clone(), client: client.clone(), cookies: HashMap::new() };
    let (status, html, _) = paul.get(&link).await;
    assert_eq!(status, 200);
    assert!(html.contains("paul@salle.test") && html.contains(&registered.name), "{html}");
    let token = csrf(&html);
    let (status, html, _) =
        paul.post(&link, &[("csrf", &token), ("name", "Paul"), ("password", "court")]).await;
    assert_eq!(status, 422, "{html}");
    let accept =
        [("csrf", token.as_str()), ("name", "Paul Martin"), ("password", "un mot de passe assez long")];
    let (status, _, location) = paul.post(&link, &accept).await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/connexion"));
    assert_eq!(paul.get(&link).await.0, 404, "a link works once");
    let form =
        [("csrf", token.as_str()), ("email", "paul@salle.test"), ("password", "un mot de passe assez long")];
    assert_eq!(paul.post("/connexion", &form).await.0, 303);
    let (status, html, _) = paul.get(&format!("/etablissements/{college}/gestion")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&registered.name) && html.contains("Aucun compte de versement"), "{html}");
    assert_eq!(paul.get("/admin").await.0, 403, "a manager is no admin");
}
