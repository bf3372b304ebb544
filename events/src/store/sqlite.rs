//! The embedded backend: one SQLite file in WAL mode.
//!
//! SQLite allows one writer at a time. Writes go through a pool of exactly one
//! connection, so writers of this process queue fairly in memory instead of
//! spinning on the busy handler; `BEGIN IMMEDIATE` and the busy timeout still
//! guard against writers in other processes. Because writers are serial, the
//! autoincrement order is the commit order and `read_all` needs no watermark.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::value::RawValue;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqliteConnection, SqlitePool};
use tokio::sync::watch;
use uuid::Uuid;

use crate::checkpoints::Checkpoints;
use crate::envelope::{
    AppendResult, ExpectedVersion, LogPosition, Metadata, NewEvent, RecordedEvent, StreamId,
};
use crate::error::{AppendError, Conflict, SqlxContext, StoreError};
use crate::store::tx::{StoreTx, TxInner};
use crate::store::{EventStore, StoreOptions, clamp_limit};
use crate::upcast::Upcasters;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    upcasters: Arc<Upcasters>,
    wake: Arc<watch::Sender<u64>>,
    poll_interval: Duration,
    checkpoints: Arc<Checkpoints>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::InvalidUrl(format!("« {url} » is not a SQLite URL: {e}")))?;
        if connect.get_filename() == std::path::Path::new(":memory:") {
            return Err(StoreError::InvalidUrl(
                "an in-memory SQLite database cannot be shared by the store's pools; name a file, \
                 such as sqlite://data/salle.db"
                    .into(),
            ));
        }
        if let Some(dir) = connect.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::InvalidUrl(format!("cannot create the directory {}: {e}", dir.display()))
            })?;
        }
        let connect = connect
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An acknowledged booking or payment must survive a power cut.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(options.acquire_timeout)
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect.clone())
            .await
            .map_err(|e| StoreError::InvalidUrl(format!("cannot open the SQLite database {url}: {e}")))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .doing("opening the SQLite read pool")?;
        let (wake, _) = watch::channel(0);
        Ok(Self {
            writer,
            reader,
            upcasters: Arc::new(options.upcasters),
            wake: Arc::new(wake),
            poll_interval: options.poll_interval,
            checkpoints: Arc::default(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    pub async fn is_migrated(&self) -> Result<bool, StoreError> {
        let applied: Vec<i64> =
            match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
                .fetch_all(&self.reader)
                .await
            {
                Ok(v) => v,
                Err(sqlx::Error::Database(e)) if e.message().contains("no such table") => return Ok(false),
                Err(e) => return Err(StoreError::Database { doing: "reading the migrations", source: e }),
            };
        Ok(MIGRATOR.iter().all(|m| applied.contains(&m.version)))
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await.doing("pinging SQLite")?;
        Ok(())
    }

    pub async fn head(&self) -> Result<LogPosition, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(global_position) FROM events")
            .fetch_one(&self.reader)
            .await
            .doing("reading the head of the log")?;
        Ok(LogPosition { transaction_id: 0, global_position: head.unwrap_or(0) })
    }

    pub fn wake_ups(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    pub fn checkpoints(&self) -> &Checkpoints {
        &self.checkpoints
    }

    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// The pool that holds SQLite's write lock; for read models that write.
    pub fn writer_pool(&self) -> &SqlitePool {
        &self.writer
    }

    pub fn reader_pool(&self) -> &SqlitePool {
        &self.reader
    }

    fn decode(&self, row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
        let global_position: i64 = row.try_get(0).doing("decoding an event")?;
        let corrupt = |reason: String| StoreError::Corrupt { global_position, reason };
        let stream_id: String = row.try_get(1).doing("decoding an event")?;
        let stream_version: i64 = row.try_get(2).doing("decoding an event")?;
        let event_id: Uuid = row.try_get(3).doing("decoding an event")?;
        let event_type: String = row.try_get(4).doing("decoding an event")?;
        let schema_version: i64 = row.try_get(5).doing("decoding an event")?;
        let payload: String = row.try_get(6).doing("decoding an event")?;
        let metadata: &str = row.try_get(7).doing("decoding an event")?;
        let recorded_at: DateTime<Utc> = row.try_get(8).doing("decoding an event")?;
        let payload = RawValue::from_string(payload).map_err(|e| corrupt(e.to_string()))?;
        let metadata: Metadata = serde_json::from_str(metadata).map_err(|e| corrupt(e.to_string()))?;
        let schema_version = u32::try_from(schema_version).map_err(|e| corrupt(e.to_string()))?;
        let (schema_version, payload) =
            self.upcasters.upcast_raw(&event_type, schema_version, payload).map_err(corrupt)?;
        Ok(RecordedEvent {
            global_position,
            transaction_id: 0,
            stream_id: StreamId::parse(stream_id).map_err(|e| corrupt(e.to_string()))?,
            stream_version: stream_version as u64,
            event_id,
            event_type,
            schema_version,
            payload,
            metadata,
            recorded_at,
        })
    }
}

impl EventStore for SqliteStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, AppendError> {
        let mut tx = self.begin().await?;
        let result = tx.append(stream, expected, events).await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        const SQL: &str = "SELECT global_position, stream_id, stream_version, event_id, event_type, \
             schema_version, payload, metadata, recorded_at FROM events \
             WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?";
        let rows = sqlx::query(SQL)
            .bind(stream.as_str())
            .bind(from_version.max(1) as i64)
            .bind(clamp_limit(limit))
            .fetch_all(&self.reader)
            .await
            .doing("reading a stream")?;
        rows.iter().map(|r| self.decode(r)).collect()
    }

    async fn read_all(&self, after: LogPosition, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        const SQL: &str = "SELECT global_position, stream_id, stream_version, event_id, event_type, \
             schema_version, payload, metadata, recorded_at FROM events \
             WHERE global_position > ? ORDER BY global_position LIMIT ?";
        let rows = sqlx::query(SQL)
            .bind(after.global_position)
            .bind(clamp_limit(limit))
            .fetch_all(&self.reader)
            .await
            .doing("reading the log")?;
        rows.iter().map(|r| self.decode(r)).collect()
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let mut conn = self.reader.acquire().await.doing("acquiring a connection")?;
        current_version(&mut conn, stream).await
    }

    async fn load_checkpoint(&self, name: &str) -> Result<Option<LogPosition>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT transaction_id, global_position FROM subscription_checkpoints WHERE name = ?",
        )
        .bind(name)
        .fetch_optional(&self.reader)
        .await
        .doing("loading a checkpoint")?;
        Ok(row.map(|(transaction_id, global_position)| LogPosition { transaction_id, global_position }))
    }

    async fn begin(&self) -> Result<StoreTx, StoreError> {
        let tx = self.writer.begin_with("BEGIN IMMEDIATE").await.doing("taking the write lock")?;
        Ok(StoreTx::new(TxInner::Sqlite(tx), self.wake.clone(), self.checkpoints.clone()))
    }
}

async fn current_version(conn: &mut SqliteConnection, stream: &StreamId) -> Result<u64, StoreError> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(stream_version) FROM events WHERE stream_id = ?")
            .bind(stream.as_str())
            .fetch_one(&mut *conn)
            .await
            .doing("reading a stream's version")?;
    Ok(version.unwrap_or(0) as u64)
}

/// The append itself, inside a transaction that already holds the write lock.
pub(crate) async fn append_in(
    conn: &mut SqliteConnection,
    stream: &StreamId,
    expected: ExpectedVersion,
    events: &[NewEvent],
) -> Result<AppendResult, AppendError> {
    if let Some(stored) = already_stored(conn, stream, events).await? {
        return Ok(stored);
    }
    let actual = current_version(conn, stream).await?;
    if let Some(required) = expected.required()
        && required != actual
    {
        return Err(Conflict { stream: stream.clone(), expected, actual }.into());
    }
    const INSERT: &str = "INSERT INTO events (stream_id, stream_version, event_id, event_type, \
         schema_version, payload, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
         RETURNING global_position";
    let now = Utc::now();
    let mut positions = Vec::with_capacity(events.len());
    for (offset, event) in events.iter().enumerate() {
        let metadata = serde_json::to_string(&event.metadata)
            .map_err(|e| StoreError::InvalidInput(format!("metadata: {e}")))?;
        let position: i64 = sqlx::query_scalar(INSERT)
            .bind(stream.as_str())
            .bind((actual + 1 + offset as u64) as i64)
            .bind(event.event_id)
            .bind(&event.event_type)
            .bind(event.schema_version as i64)
            .bind(event.payload.to_string())
            .bind(metadata)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .doing("appending events")?;
        positions.push(position);
    }
    let last = positions.last().copied().unwrap_or_default();
    Ok(AppendResult {
        positions,
        log_position: LogPosition { transaction_id: 0, global_position: last },
        next_version: actual + events.len() as u64,
    })
}

/// If this batch was stored before (a retried command), what the first append returned.
async fn already_stored(
    conn: &mut SqliteConnection,
    stream: &StreamId,
    events: &[NewEvent],
) -> Result<Option<AppendResult>, StoreError> {
    let mut stored = Vec::with_capacity(events.len());
    for event in events {
        let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT global_position, stream_id, stream_version, 0 FROM events WHERE event_id = ?",
        )
        .bind(event.event_id)
        .fetch_optional(&mut *conn)
        .await
        .doing("looking for already stored events")?;
        match row {
            Some(row) => stored.push(row),
            // The first id decides: a fresh batch has none of its ids stored.
            None if stored.is_empty() => return Ok(None),
            None => break,
        }
    }
    crate::idempotency::stored_result(stream, events, &stored).map(Some)
}
