//! `StoreTx`: one write transaction on the store's own database, so that a
//! subscriber's rows, its checkpoint and any events it appends commit together
//! (exactly-once effect) or not at all.

use std::sync::Arc;

use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};
use tokio::sync::watch;

use crate::checkpoints::Checkpoints;
use crate::envelope::{AppendResult, ExpectedVersion, LogPosition, NewEvent, StreamId};
use crate::error::{AppendError, SqlxContext, StoreError};

pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// An open write transaction. Dropped without `commit`, it rolls back.
pub struct StoreTx {
    pub(crate) inner: TxInner,
    pub(crate) wake: Arc<watch::Sender<u64>>,
    pub(crate) appended: bool,
    pub(crate) checkpoints: Arc<Checkpoints>,
    /// Checkpoints saved here, published to the process once committed.
    pub(crate) saved: Vec<(String, LogPosition)>,
}

impl StoreTx {
    pub(crate) fn new(inner: TxInner, wake: Arc<watch::Sender<u64>>, checkpoints: Arc<Checkpoints>) -> Self {
        Self { inner, wake, appended: false, checkpoints, saved: Vec::new() }
    }
}

impl std::fmt::Debug for StoreTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let backend = match self.inner {
            TxInner::Sqlite(_) => "sqlite",
            TxInner::Postgres(_) => "postgres",
        };
        f.debug_struct("StoreTx").field("backend", &backend).field("appended", &self.appended).finish()
    }
}

impl StoreTx {
    /// Appends inside this transaction. On PostgreSQL a `Conflict` leaves the
    /// transaction aborted: roll it back and start again.
    pub async fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, AppendError> {
        crate::store::check_append(&events)?;
        let result = crate::store::append_in(&mut self.inner, stream, expected, &events).await?;
        self.appended = true;
        Ok(result)
    }

    /// Records that the subscriber `name` has handled everything up to `position`.
    pub async fn save_checkpoint(&mut self, name: &str, position: LogPosition) -> Result<(), StoreError> {
        if name.is_empty() || name.len() > 100 {
            return Err(StoreError::InvalidInput("a checkpoint name has 1 to 100 characters".into()));
        }
        let now = chrono::Utc::now();
        const UPSERT_SQLITE: &str = "INSERT INTO subscription_checkpoints \
             (name, transaction_id, global_position, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, \
             global_position = excluded.global_position, updated_at = excluded.updated_at";
        const UPSERT_PG: &str = "INSERT INTO subscription_checkpoints \
             (name, transaction_id, global_position, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET transaction_id = excluded.transaction_id, \
             global_position = excluded.global_position, updated_at = excluded.updated_at";
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                sqlx::query(UPSERT_SQLITE)
                    .bind(name)
                    .bind(position.transaction_id)
                    .bind(position.global_position)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .doing("saving a checkpoint")?;
            }
            TxInner::Postgres(tx) => {
                sqlx::query(UPSERT_PG)
                    .bind(name)
                    .bind(position.transaction_id)
                    .bind(position.global_position)
                    .bind(now)
                    .execute(&mut **tx)
                    .await
                    .doing("saving a checkpoint")?;
            }
        }
        self.saved.push((name.to_owned(), position));
        Ok(())
    }

    /// The stored checkpoint of `name`, read inside this transaction.
    pub async fn load_checkpoint(&mut self, name: &str) -> Result<Option<LogPosition>, StoreError> {
        let row: Option<(i64, i64)> = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlx::query_as(
                "SELECT transaction_id, global_position FROM subscription_checkpoints WHERE name = ?",
            )
            .bind(name)
            .fetch_optional(&mut **tx)
            .await
            .doing("loading a checkpoint")?,
            TxInner::Postgres(tx) => sqlx::query_as(
                "SELECT transaction_id, global_position FROM subscription_checkpoints WHERE name = $1 FOR UPDATE",
            )
            .bind(name)
            .fetch_optional(&mut **tx)
            .await
            .doing("loading a checkpoint")?,
        };
        Ok(row.map(|(transaction_id, global_position)| LogPosition { transaction_id, global_position }))
    }

    /// The SQLite connection, for a subscriber's own statements.
    pub fn sqlite(&mut self) -> Option<&mut SqliteConnection> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => Some(&mut **tx),
            TxInner::Postgres(_) => None,
        }
    }

    /// The PostgreSQL connection, for a subscriber's own statements.
    pub fn postgres(&mut self) -> Option<&mut PgConnection> {
        match &mut self.inner {
            TxInner::Postgres(tx) => Some(&mut **tx),
            TxInner::Sqlite(_) => None,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await.doing("committing")?,
            TxInner::Postgres(tx) => tx.commit().await.doing("committing")?,
        }
        if self.appended {
            self.wake.send_modify(|n| *n = n.wrapping_add(1));
        }
        for (name, position) in &self.saved {
            self.checkpoints.committed(name, *position);
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await.doing("rolling back"),
            TxInner::Postgres(tx) => tx.rollback().await.doing("rolling back"),
        }
    }
}
