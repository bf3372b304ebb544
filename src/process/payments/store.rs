//! The payment manager's table of follow-ups (`payment_followups`):
//! transfers and reversals to try again, written with the checkpoint.

use salle_events::sql::{self, Args, execute};
use salle_events::{Store, StoreTx};

use uuid::Uuid;

/// A transfer or reversal to try again later.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Followup {
    pub cause_event_id: Uuid,
    /// `transfer` or `reversal`.
    pub kind: String,
    pub booking_id: Uuid,
    pub amount_cents: i64,
    pub attempts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    Keep(Followup),
    Done { cause_event_id: Uuid, kind: &'static str },
}

/// The follow-ups waiting, oldest cause first.
pub(super) async fn followups(store: &Store) -> Result<Vec<Followup>, sqlx::Error> {
    sql::fetch_all(
        store,
        "SELECT cause_event_id, kind, booking_id, amount_cents, attempts \
         FROM payment_followups ORDER BY cause_event_id, kind",
        Args::new(),
    )
    .await
}

/// Writes follow-up changes; returns how many follow-ups are done. A kept
/// follow-up already waiting counts one more attempt (the next reversal is
/// asked with a new key).
pub(super) async fn save(tx: &mut StoreTx, changes: Vec<Change>) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    for change in changes {
        match change {
            Change::Keep(f) => {
                execute(
                    tx,
                    "INSERT INTO payment_followups (cause_event_id, kind, booking_id, amount_cents, attempts) \
                     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (cause_event_id, kind) \
                     DO UPDATE SET attempts = payment_followups.attempts + 1",
                    Args::new().uuid(f.cause_event_id).text(f.kind).uuid(f.booking_id).int(f.amount_cents),
                )
                .await?;
            }
            Change::Done { cause_event_id, kind } => {
                execute(
                    tx,
                    "DELETE FROM payment_followups WHERE cause_event_id = $1 AND kind = $2",
                    Args::new().uuid(cause_event_id).text(kind.to_owned()),
                )
                .await?;
                done += 1;
            }
        }
    }
    Ok(done)
}
