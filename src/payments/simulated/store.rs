//! The simulated provider's records (`simulated_provider_objects`), kept in
//! salle's own database so that a demonstration survives a restart.

use chrono::{DateTime, Utc};
use salle_events::Store;
use uuid::Uuid;

use super::{KINDS, SimulatedObject};

type Row = (String, String, String, i64, Option<Uuid>, Option<String>, Option<String>, String, DateTime<Utc>);

const SELECT: &str = "SELECT idempotency_key, kind, object_id, amount_cents, booking_id, account, parent, \
                      fingerprint, created_at FROM simulated_provider_objects";

pub(super) async fn load(store: &Store) -> Result<Vec<(String, SimulatedObject)>, sqlx::Error> {
    let rows: Vec<Row> = salle_events::sql::fetch_all(store, SELECT, salle_events::sql::Args::new()).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(key, kind, id, amount_cents, booking_id, account, parent, fingerprint, created)| {
            let kind = KINDS.into_iter().find(|k| *k == kind)?;
            let object =
                SimulatedObject { kind, id, amount_cents, booking_id, account, parent, created, fingerprint };
            Some((key, object))
        })
        .collect())
}

pub(super) async fn insert(store: &Store, objects: &[(String, SimulatedObject)]) -> Result<(), sqlx::Error> {
    use salle_events::sql::{Args, write};
    for (key, o) in objects {
        let args = Args::new()
            .text(key.clone())
            .text(o.kind.to_owned())
            .text(o.id.clone())
            .int(o.amount_cents)
            .uuid(o.booking_id)
            .text(o.account.clone())
            .text(o.parent.clone())
            .text(o.fingerprint.clone())
            .time(o.created);
        write(
            store,
            "INSERT INTO simulated_provider_objects (idempotency_key, kind, object_id, amount_cents, booking_id, \
             account, parent, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (idempotency_key) DO NOTHING",
            args,
        )
        .await?;
    }
    Ok(())
}
