//! The tamper-evident chain on SQLite and PostgreSQL: every event is linked,
//! `verify` recomputes the chain, an anchor written down earlier still holds
//! as the log grows, and one payload edited directly in the database (its
//! append-only trigger switched off, as an intruder with the database's
//! keys would) is named by `verify` and by `salle audit verify`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::process::Command;

use salle_events::audit::{self, Anchor};
use salle_events::{EventStore, LogPosition, Store};
use support::TestDb;
use support::world::{Tariff, commands, establishment_with_room};

on_both_backends!(an_edited_payload_breaks_the_chain_at_that_event);

/// Replaces one stored payload behind the log's back.
async fn tamper(store: &Store, global_position: i64, payload: &str) {
    if let Some(p) = store.postgres() {
        let mut tx = p.pool().begin().await.unwrap();
        for sql in [
            "ALTER TABLE events DISABLE TRIGGER events_are_never_changed",
            &format!("UPDATE events SET payload = $1::json WHERE global_position = {global_position}"),
            "ALTER TABLE events ENABLE TRIGGER events_are_never_changed",
        ] {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
            let query = if sql.starts_with("UPDATE") { query.bind(payload) } else { query };
            query.execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    } else if let Some(s) = store.sqlite() {
        let pool = s.writer_pool();
        sqlx::query("DROP TRIGGER events_are_never_updated").execute(pool).await.unwrap();
        sqlx::query("UPDATE events SET payload = ? WHERE global_position = ?")
            .bind(payload)
            .bind(global_position)
            .execute(pool)
            .await
            .unwrap();
    }
}

fn cli_verify(db: &TestDb, anchor: Option<&str>) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salle"));
    command.args(["audit", "verify"]).env("SALLE_DATABASE_URL", &db.url);
    if let Some(anchor) = anchor {
        command.args(["--anchor", anchor]);
    }
    let output = command.output().unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

async fn an_edited_payload_breaks_the_chain_at_that_event(db: TestDb) {
    let store = db.store().await;
    let commands = commands(store.clone());
    establishment_with_room(&commands, Tariff::Departement(1250), 0).await;
    support::all_visible(&store).await;

    // Not sealed yet: verify says how many wait, and finds nothing wrong.
    let report = audit::verify(&store, None).await.unwrap();
    let events = store.count_after(LogPosition::START).await.unwrap();
    assert!(events >= 4, "{events}");
    assert_eq!((report.verified, report.unsealed, report.is_sound()), (0, events, true));

    assert_eq!(audit::seal_all(&store).await.unwrap(), events);
    let report = audit::verify(&store, None).await.unwrap();
    assert_eq!((report.verified, report.unsealed, report.broken.clone()), (events, 0, None));
    let head = report.head.clone().unwrap();
    assert_eq!(audit::head(&store).await.unwrap().as_ref(), Some(&head));
    let anchor: Anchor = format!("{}:{}", head.global_position, head.hash).parse().unwrap();

    // The log grows; the anchor still holds, and sealing again adds only the new links.
    establishment_with_room(&commands, Tariff::Establishment(900), 15).await;
    support::all_visible(&store).await;
    let more = store.count_after(LogPosition::START).await.unwrap() - events;
    assert_eq!(audit::seal_all(&store).await.unwrap(), more);
    assert_eq!(audit::seal_all(&store).await.unwrap(), 0);
    let report = audit::verify(&store, Some(&anchor)).await.unwrap();
    assert!(report.is_sound(), "{report:?}");
    assert_eq!((report.verified, report.anchor_holds), (events + more, Some(true)));
    let (ok, text) = cli_verify(&db, Some(&format!("{}:{}", anchor.global_position, anchor.hash)));
    assert!(ok && text.contains("extends the anchor"), "{text}");
    let wrong = format!("{}:{}", anchor.global_position, "0".repeat(64));
    let (ok, text) = cli_verify(&db, Some(&wrong));
    assert!(!ok && text.contains("does not extend the anchor"), "{text}");

    // Someone edits the third event's payload in the database.
    let victim = store.read_all(LogPosition::START, 3).await.unwrap().pop().unwrap();
    let mut payload: serde_json::Value = serde_json::from_str(victim.payload.get()).unwrap();
    payload.as_object_mut().unwrap().insert("amount_cents".into(), 1.into());
    let edited = payload.to_string();
    assert_ne!(edited, victim.payload.get(), "the edit changes the payload");
    tamper(&store, victim.global_position, &edited).await;

    let report = audit::verify(&store, Some(&anchor)).await.unwrap();
    let broken = report.broken.clone().expect("the chain is broken");
    assert_eq!((broken.global_position, broken.event_id), (victim.global_position, victim.event_id));
    assert_eq!(broken.stream_id, victim.stream_id.as_str());
    assert_eq!(report.verified, 2, "the two events before it still verify");
    assert!(!report.is_sound());
    let (ok, text) = cli_verify(&db, None);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&victim.event_id.to_string())
            && text.contains(&format!("position {}", victim.global_position)),
        "{text}"
    );
}
