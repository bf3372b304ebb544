//! The erasable store of what people write (`free_texts`, see
//! `salle_events::catalog::text`): written in the transaction of the events
//! that refer to it, read by id, erased per association.

use chrono::{DateTime, Utc};
use salle_events::catalog::{FreeText, NewText};
use salle_events::sql::{self, Args, execute_built};
use salle_events::{Store, StoreError, StoreTx};
use uuid::Uuid;

/// A text to store, owned (kept while a bulk load stages its events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    pub text_id: Uuid,
    pub owner: Uuid,
    pub body: String,
}

impl From<NewText<'_>> for TextRow {
    fn from(t: NewText<'_>) -> Self {
        Self { text_id: t.text_id, owner: t.owner, body: t.body.to_owned() }
    }
}

/// Rows per INSERT: well under SQLite's 32,766 parameters at 4 per row.
const ROWS_PER_INSERT: usize = 2000;

/// Stores the texts in the transaction; one already stored (the same
/// decision made again) is kept.
pub async fn insert(tx: &mut StoreTx, texts: &[TextRow], now: DateTime<Utc>) -> Result<(), StoreError> {
    for chunk in texts.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO free_texts (text_id, owner_id, body, created_at) VALUES {} ON CONFLICT (text_id) DO NOTHING",
            sql::values(chunk.len(), 4)
        );
        let mut args = Args::new();
        for t in chunk {
            args = args.uuid(t.text_id).uuid(t.owner).text(t.body.clone()).time(now);
        }
        execute_built(tx, sql, args)
            .await
            .map_err(|source| StoreError::Database { doing: "storing free text", source })?;
    }
    Ok(())
}

/// What the text says: the words, `None` once erased (or unknown).
pub async fn read(store: &Store, text: &FreeText) -> Result<Option<String>, StoreError> {
    let Some(text_id) = text.text_id() else {
        return Ok(match text {
            FreeText::Inline(words) => Some(words.clone()),
            _ => None,
        });
    };
    if let FreeText::New { body, .. } = text {
        return Ok(Some(body.clone()));
    }
    let body: Option<Option<String>> = sql::fetch_optional(
        store,
        "SELECT body FROM free_texts WHERE text_id = $1",
        Args::new().uuid(text_id),
    )
    .await
    .map(|row: Option<(Option<String>,)>| row.map(|(b,)| b))
    .map_err(|source| StoreError::Database { doing: "reading free text", source })?;
    Ok(body.flatten())
}

/// Erases every text of `owner` for good (the rows stay as tombstones with
/// the date); answers how many were erased.
pub async fn erase_owner(store: &Store, owner: Uuid, now: DateTime<Utc>) -> Result<u64, StoreError> {
    sql::write(
        store,
        "UPDATE free_texts SET body = NULL, erased_at = $1 WHERE owner_id = $2 AND erased_at IS NULL",
        Args::new().time(now).uuid(owner),
    )
    .await
    .map_err(|source| StoreError::Database { doing: "erasing free text", source })
}
