//! The `EventStore` contract, and `Store`, the handle the application holds:
//! one of the two backends, chosen from the database URL.

pub mod postgres;
pub mod sqlite;
pub mod tx;

use std::future::Future;
use std::time::Duration;

use crate::checkpoints::Checkpoints;
use crate::envelope::{AppendResult, ExpectedVersion, LogPosition, NewEvent, RecordedEvent, StreamId};
use crate::error::{AppendError, StoreError};
use crate::upcast::Upcasters;
use postgres::PgStore;
use sqlite::SqliteStore;
use tx::StoreTx;

/// The log: append with an expected version, read a stream, read everything in
/// log order, and keep named checkpoints.
///
/// Both backends pass the same contract suite (`tests/store_contract.rs`).
pub trait EventStore: Send + Sync {
    /// Appends `events` atomically to `stream` if its version matches `expected`.
    ///
    /// Re-appending a batch whose event ids are already stored returns the stored
    /// result and writes nothing, whatever `expected` says.
    fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> impl Future<Output = Result<AppendResult, AppendError>> + Send;

    /// Events of one stream from `from_version` (inclusive, 1 is the first), at most `limit`.
    fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>, StoreError>> + Send;

    /// Events after `after` in log order, at most `limit`; never an event of a
    /// transaction that could still commit before one already returned.
    fn read_all(
        &self,
        after: LogPosition,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<RecordedEvent>, StoreError>> + Send;

    /// The stream's current version (0 when it does not exist).
    fn stream_version(&self, stream: &StreamId) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The stored checkpoint of a named subscriber, if it ever saved one.
    fn load_checkpoint(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<LogPosition>, StoreError>> + Send;

    /// A write transaction in which appends and a subscriber's own rows and
    /// checkpoint commit together.
    fn begin(&self) -> impl Future<Output = Result<StoreTx, StoreError>> + Send;
}

/// Which database a `Store` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend as `/metrics` labels it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Connection settings shared by both backends.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Largest number of pooled connections for readers (and writers on PostgreSQL).
    pub max_connections: u32,
    /// How long to wait for a connection, or for SQLite's write lock.
    pub acquire_timeout: Duration,
    /// How often a live subscriber polls when no wake-up arrives.
    pub poll_interval: Duration,
    pub upcasters: Upcasters,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            poll_interval: Duration::from_millis(500),
            upcasters: Upcasters::default(),
        }
    }
}

/// An append inside a caller's transaction, on its backend (see `StoreTx`).
pub(crate) async fn append_in(
    tx: &mut tx::TxInner,
    stream: &StreamId,
    expected: ExpectedVersion,
    events: &[NewEvent],
) -> Result<AppendResult, AppendError> {
    match tx {
        tx::TxInner::Sqlite(t) => sqlite::append_in(t, stream, expected, events).await,
        tx::TxInner::Postgres(t) => postgres::append_in(t, stream, expected, events).await,
    }
}

/// The application's handle on the log: cheap to clone. Which backend it
/// runs on is this crate's business: other crates read and write through
/// [`EventStore`], [`crate::sql`] and the subscriptions, never by matching
/// on the backend.
#[derive(Clone, Debug)]
pub struct Store(pub(crate) Inner);

#[derive(Clone, Debug)]
pub(crate) enum Inner {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Store {
    /// The SQLite backend, for the tests and tools that need its own pools
    /// (tampering with the log to check the audit chain…); the application
    /// never asks.
    pub fn sqlite(&self) -> Option<&SqliteStore> {
        match &self.0 {
            Inner::Sqlite(s) => Some(s),
            Inner::Postgres(_) => None,
        }
    }

    /// The PostgreSQL backend, likewise.
    pub fn postgres(&self) -> Option<&PgStore> {
        match &self.0 {
            Inner::Postgres(p) => Some(p),
            Inner::Sqlite(_) => None,
        }
    }
}

impl From<SqliteStore> for Store {
    fn from(s: SqliteStore) -> Self {
        Self(Inner::Sqlite(s))
    }
}

impl From<PgStore> for Store {
    fn from(p: PgStore) -> Self {
        Self(Inner::Postgres(p))
    }
}

impl Store {
    /// Opens the store named by `url` (`sqlite://…` or `postgres://…`).
    /// A SQLite file and its directory are created when missing. Migrations are
    /// not run here: call [`Store::migrate`].
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        match backend_of(url)? {
            Backend::Sqlite => Ok(Self(Inner::Sqlite(SqliteStore::connect(url, options).await?))),
            Backend::Postgres => Ok(Self(Inner::Postgres(PgStore::connect(url, options).await?))),
        }
    }

    pub fn backend(&self) -> Backend {
        match &self.0 {
            Inner::Sqlite(_) => Backend::Sqlite,
            Inner::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations embedded in the binary; safe to run from several
    /// processes at once (PostgreSQL takes an advisory lock).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.migrate().await,
            Inner::Postgres(s) => s.migrate().await,
        }
    }

    /// True when every embedded migration has been applied.
    pub async fn is_migrated(&self) -> Result<bool, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.is_migrated().await,
            Inner::Postgres(s) => s.is_migrated().await,
        }
    }

    /// What would lose acknowledged writes on a power cut: on PostgreSQL,
    /// `fsync` or `synchronous_commit` turned off (for the whole server or
    /// for salle's database or role); one line per problem, empty when the
    /// store is durable. SQLite is always opened with `synchronous=FULL`.
    pub async fn durability_problems(&self) -> Result<Vec<String>, StoreError> {
        match &self.0 {
            Inner::Sqlite(_) => Ok(Vec::new()),
            Inner::Postgres(s) => s.durability_problems().await,
        }
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.ping().await,
            Inner::Postgres(s) => s.ping().await,
        }
    }

    /// The position of the newest event readers can see (START when empty).
    pub async fn head(&self) -> Result<LogPosition, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.head().await,
            Inner::Postgres(s) => s.head().await,
        }
    }

    /// How many events readers can see after `after`.
    pub async fn count_after(&self, after: LogPosition) -> Result<u64, StoreError> {
        use crate::error::SqlxContext;
        let count: i64 = match &self.0 {
            Inner::Sqlite(s) => sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE global_position > ?")
                .bind(after.global_position)
                .fetch_one(s.reader_pool())
                .await
                .doing("counting events")?,
            Inner::Postgres(p) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM events WHERE (transaction_id, global_position) > ($1::text::xid8, $2) \
                 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())",
            )
            .bind(after.transaction_id.to_string())
            .bind(after.global_position)
            .fetch_one(p.pool())
            .await
            .doing("counting events")?,
        };
        Ok(count.max(0) as u64)
    }

    /// Stores a checkpoint outside any other write.
    pub async fn save_checkpoint(&self, name: &str, position: LogPosition) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.save_checkpoint(name, position).await?;
        tx.commit().await
    }

    /// A receiver that changes whenever new events may be readable: after a
    /// local commit, or (PostgreSQL) a NOTIFY from another process.
    pub fn wake_ups(&self) -> tokio::sync::watch::Receiver<u64> {
        match &self.0 {
            Inner::Sqlite(s) => s.wake_ups(),
            Inner::Postgres(s) => s.wake_ups(),
        }
    }

    pub fn poll_interval(&self) -> Duration {
        match &self.0 {
            Inner::Sqlite(s) => s.poll_interval(),
            Inner::Postgres(s) => s.poll_interval(),
        }
    }

    /// The subscribers' checkpoints as this process knows them.
    pub fn checkpoints(&self) -> &Checkpoints {
        match &self.0 {
            Inner::Sqlite(s) => s.checkpoints(),
            Inner::Postgres(s) => s.checkpoints(),
        }
    }

    /// Reads `name`'s stored checkpoint into [`Store::checkpoints`], sharing
    /// the read with this process's other callers (see [`Checkpoints::refresh`]).
    pub async fn refresh_checkpoint(&self, name: &str) -> Result<(), StoreError> {
        self.checkpoints().refresh(name, self.load_checkpoint(name)).await
    }

    /// Closes the pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        match &self.0 {
            Inner::Sqlite(s) => s.close().await,
            Inner::Postgres(s) => s.close().await,
        }
    }
}

impl EventStore for Store {
    #[tracing::instrument(name = "append", skip_all, fields(stream = %stream))]
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, AppendError> {
        let started = std::time::Instant::now();
        let count = events.len();
        let result = match &self.0 {
            Inner::Sqlite(s) => s.append(stream, expected, events).await,
            Inner::Postgres(s) => s.append(stream, expected, events).await,
        };
        crate::metrics::record_append(self.backend().label(), started.elapsed(), count, &result);
        if let Ok(appended) = &result {
            tracing::debug!(stream = %stream, events = count, position = %appended.log_position, "appended");
        }
        result
    }

    async fn read_stream(
        &self,
        stream: &StreamId,
        from_version: u64,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.read_stream(stream, from_version, limit).await,
            Inner::Postgres(s) => s.read_stream(stream, from_version, limit).await,
        }
    }

    async fn read_all(&self, after: LogPosition, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.read_all(after, limit).await,
            Inner::Postgres(s) => s.read_all(after, limit).await,
        }
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.stream_version(stream).await,
            Inner::Postgres(s) => s.stream_version(stream).await,
        }
    }

    async fn load_checkpoint(&self, name: &str) -> Result<Option<LogPosition>, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.load_checkpoint(name).await,
            Inner::Postgres(s) => s.load_checkpoint(name).await,
        }
    }

    async fn begin(&self) -> Result<StoreTx, StoreError> {
        match &self.0 {
            Inner::Sqlite(s) => s.begin().await,
            Inner::Postgres(s) => s.begin().await,
        }
    }
}

/// Which backend a URL names, or an error a person can act on.
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::InvalidUrl(format!(
            "SALLE_DATABASE_URL must start with sqlite:// or postgres:// (got « {} »)",
            redact_url(url)
        )))
    }
}

/// The URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The same PostgreSQL server URL naming another database.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    format!("{}/{name}{query}", &base[..host_end])
}

/// Checks the limits every backend enforces on an append.
pub(crate) fn check_append(events: &[NewEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::InvalidInput("an append needs at least one event".into()));
    }
    if events.len() > crate::envelope::APPEND_MAX_EVENTS {
        return Err(StoreError::InvalidInput(format!(
            "an append carries at most {} events, got {}",
            crate::envelope::APPEND_MAX_EVENTS,
            events.len()
        )));
    }
    let mut ids: Vec<_> = events.iter().map(|e| e.event_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != events.len() {
        return Err(StoreError::InvalidInput("an append repeats an event id".into()));
    }
    if let Some(e) = events.iter().find(|e| e.schema_version == 0 || e.event_type.is_empty()) {
        return Err(StoreError::InvalidInput(format!(
            "event {} needs a type and a schema version of at least 1",
            e.event_id
        )));
    }
    Ok(())
}

pub(crate) fn clamp_limit(limit: usize) -> i64 {
    limit.clamp(1, crate::envelope::READ_MAX_LIMIT) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/salle"), "postgres://app:***@db:5432/salle");
        assert_eq!(redact_url("postgres://app@db/salle"), "postgres://app@db/salle");
        assert_eq!(redact_url("sqlite://data/salle.db"), "sqlite://data/salle.db");
    }

    #[test]
    fn database_names_are_swapped_in_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:5432", "t3"), "postgres://h:5432/t3");
    }

    #[test]
    fn unknown_schemes_are_named() {
        let err = backend_of("mysql://x").unwrap_err().to_string();
        assert!(err.contains("sqlite://") && err.contains("mysql://x"), "{err}");
    }
}
