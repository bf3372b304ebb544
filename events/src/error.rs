//! Errors of the store. A version conflict is its own type, never a generic
//! error, because callers retry it (command handlers) or report it as a 409.

use crate::envelope::{ExpectedVersion, StreamId};

/// Another writer changed the stream since the caller read it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stream {stream} was expected at {expected} but is at version {actual}")]
pub struct Conflict {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    /// The stream's version when the append was refused (0: it does not exist).
    pub actual: u64,
}

/// Anything else that can go wrong talking to the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error while {doing}: {source}")]
    Database {
        doing: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not apply the migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    InvalidUrl(String),
    #[error("invalid request to the store: {0}")]
    InvalidInput(String),
    #[error("stored event {global_position} is unreadable: {reason}")]
    Corrupt { global_position: i64, reason: String },
    #[error(
        "events {0:?} were already stored, but not as the same batch on the same stream: \
         an event id is reused"
    )]
    IdempotencyMismatch(Vec<uuid::Uuid>),
}

impl StoreError {
    /// The database could not be reached or is restarting: nothing was
    /// done, and the same request may succeed shortly (a 503, not a 500).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database { source, .. } if is_unavailable(source))
    }
}

/// Whether a database error means "not reachable now": the connection
/// failed or was cut, the pool timed out, or the server is shutting down or
/// starting (SQLSTATE classes 08 and 57P).
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

/// The result of `append`: stored, refused for a stale version, or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) trait SqlxContext<T> {
    /// Names what the store was doing when the database failed.
    fn doing(self, doing: &'static str) -> Result<T, StoreError>;
}

impl<T> SqlxContext<T> for Result<T, sqlx::Error> {
    fn doing(self, doing: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Database { doing, source })
    }
}
