//! Reading the ledger: an establishment's lines, the lines of an export
//! (with their events' types), the lines some events wrote, balances.

use crate::runner::ProjectionError;
use chrono::{DateTime, Utc};
use salle_events::Store;
use salle_events::sql::{self, Args, ROWS_PER_STATEMENT};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

use super::*;

/// One line of an establishment's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LedgerLine {
    pub at: DateTime<Utc>,
    /// The event that caused it; all lines of one transaction share it.
    pub event_id: Uuid,
    pub line_no: i64,
    pub global_position: i64,
    pub booking_id: Option<Uuid>,
    pub account: String,
    pub debit_cents: i64,
    pub credit_cents: i64,
}

/// The lines of an establishment between two instants (`from` ≤ at < `to`), in log order.
pub async fn lines(
    store: &Store,
    establishment_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<LedgerLine>, ProjectionError> {
    sql::fetch_all(
        store,
        "SELECT at, event_id, line_no, global_position, booking_id, account, debit_cents, credit_cents \
         FROM read_ledger_lines WHERE establishment_id = $1 AND at >= $2 AND at < $3 \
         ORDER BY global_position, line_no",
        Args::new().uuid(establishment_id).time(from).time(to),
    )
    .await
    .map_err(db)
}

/// A ledger line with what an export needs besides: its establishment and
/// the type of the event that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ExportLine {
    pub establishment_id: Uuid,
    pub event_type: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub line: LedgerLine,
}

/// The lines of one establishment, or of all (`None`), between two instants
/// (`from` ≤ at < `to`), in log order, with their events' types.
pub async fn export_lines(
    store: &Store,
    establishment_id: Option<Uuid>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ExportLine>, ProjectionError> {
    let (sql, args) = match establishment_id {
        Some(id) => (
            format!(
                "{EXPORT_COLUMNS} WHERE l.establishment_id = $1 AND l.at >= $2 AND l.at < $3 \
                 ORDER BY l.global_position, l.line_no"
            ),
            Args::new().uuid(id).time(from).time(to),
        ),
        None => (
            format!("{EXPORT_COLUMNS} WHERE l.at >= $1 AND l.at < $2 ORDER BY l.global_position, l.line_no"),
            Args::new().time(from).time(to),
        ),
    };
    sql::fetch_all(store, sql, args).await.map_err(db)
}

/// The columns of an [`ExportLine`], from the lines and their events.
const EXPORT_COLUMNS: &str = "SELECT l.establishment_id, e.event_type, l.at, l.event_id, l.line_no, \
                              l.global_position, l.booking_id, l.account, l.debit_cents, l.credit_cents \
                              FROM read_ledger_lines l JOIN events e ON e.event_id = l.event_id";

/// The lines these events wrote (by the table's primary key), in log order.
pub async fn lines_of_events(store: &Store, event_ids: &[Uuid]) -> Result<Vec<ExportLine>, ProjectionError> {
    let mut out = Vec::new();
    for chunk in event_ids.chunks(ROWS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "{EXPORT_COLUMNS} WHERE l.event_id IN ({}) ORDER BY l.global_position, l.line_no",
            marks.join(", ")
        );
        let args = chunk.iter().fold(Args::new(), |args, id| args.uuid(*id));
        let found: Vec<ExportLine> = sql::fetch_all(store, sql, args).await.map_err(db)?;
        out.extend(found);
    }
    Ok(out)
}

/// Each account's balance (debits minus credits) from the given lines.
pub fn balances(lines: &[LedgerLine]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for line in lines {
        *out.entry(line.account.clone()).or_insert(0) += line.debit_cents - line.credit_cents;
    }
    out
}

/// Each establishment that has ledger lines, with how many.
pub async fn establishments(store: &Store) -> Result<Vec<(Uuid, i64)>, ProjectionError> {
    sql::fetch_all(
        store,
        "SELECT establishment_id, COUNT(*) FROM read_ledger_lines GROUP BY establishment_id ORDER BY establishment_id",
        Args::new(),
    )
    .await
    .map_err(db)
}
