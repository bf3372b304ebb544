//! The envelope every event travels in, and the small value types around it.
//!
//! These types are the contract between writers and readers of the log: a stored
//! event is never edited, so what is written here is what every future reader sees.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

/// Longest stream id accepted. Stream ids are `<kind>-<uuid>`; the limit only
/// guards the index against nonsense.
pub const STREAM_ID_MAX_LEN: usize = 200;
/// Most events one append may carry (a weekly series of a school year is ~45).
pub const APPEND_MAX_EVENTS: usize = 500;
/// Most events one read returns.
pub const READ_MAX_LIMIT: usize = 10_000;

/// The name of one stream, such as `room-0190…`. Valid once constructed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StreamIdError {
    #[error("a stream id cannot be empty")]
    Empty,
    #[error("a stream id is at most {STREAM_ID_MAX_LEN} characters")]
    TooLong,
    #[error("a stream id may only hold ASCII letters, digits, '-', '_', ':' and '.'")]
    BadCharacter,
}

impl StreamId {
    pub fn parse(value: impl Into<String>) -> Result<Self, StreamIdError> {
        let value = value.into();
        if value.is_empty() {
            return Err(StreamIdError::Empty);
        }
        if value.len() > STREAM_ID_MAX_LEN {
            return Err(StreamIdError::TooLong);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.');
        if !value.chars().all(allowed) {
            return Err(StreamIdError::BadCharacter);
        }
        Ok(Self(value))
    }

    /// A stream for one entity: `<category>-<id>`.
    pub fn for_entity(category: &'static str, id: Uuid) -> Self {
        // Categories are compile-time constants of letters; a uuid is hex and '-'.
        Self(format!("{category}-{id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the stream is of this category (`room`, `payment`…).
    pub fn is(&self, category: &str) -> bool {
        self.0.strip_prefix(category).is_some_and(|rest| rest.starts_with('-'))
    }

    /// The entity's id when the stream is `<category>-<uuid>` of this category.
    pub fn entity(&self, category: &str) -> Option<Uuid> {
        self.0.strip_prefix(category)?.strip_prefix('-')?.parse().ok()
    }
}

impl TryFrom<String> for StreamId {
    type Error = StreamIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<StreamId> for String {
    fn from(value: StreamId) -> Self {
        value.0
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the writer believes the stream's version is, checked atomically at append.
///
/// A stream's version is the number of events in it: an absent stream is at 0,
/// and its first event has version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// No check: append after whatever is there.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be exactly at this version (0 means it must not exist).
    Exact(u64),
}

impl ExpectedVersion {
    /// The version the stream must be at, if any check applies.
    pub fn required(self) -> Option<u64> {
        match self {
            Self::Any => None,
            Self::NoStream => Some(0),
            Self::Exact(version) => Some(version),
        }
    }
}

impl std::fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Any => f.write_str("any"),
            Self::NoStream => f.write_str("no stream"),
            Self::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// Why an event was written and by whom: follows a command through the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Metadata {
    /// The request or job that started the chain of events.
    pub correlation_id: Option<Uuid>,
    /// The event or command that directly caused this one.
    pub causation_id: Option<Uuid>,
    /// Who did it: a user id, `system`, or a process manager's name. Never a name or e-mail.
    pub actor: Option<String>,
}

/// An event about to be appended.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// UUIDv7, chosen by the writer: re-appending the same id is a no-op.
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: serde_json::Value,
    pub metadata: Metadata,
}

impl NewEvent {
    /// A new event with a fresh UUIDv7 id.
    pub fn new(
        event_type: impl Into<String>,
        schema_version: u32,
        payload: serde_json::Value,
        metadata: Metadata,
    ) -> Self {
        Self { event_id: Uuid::now_v7(), event_type: event_type.into(), schema_version, payload, metadata }
    }

    /// Sets the event id, for writers whose retries must be idempotent.
    pub fn with_id(mut self, event_id: Uuid) -> Self {
        self.event_id = event_id;
        self
    }
}

/// Where an event sits in the global log, and the checkpoint a reader keeps.
///
/// On PostgreSQL the log is read in `(transaction_id, global_position)` order
/// behind the oldest running transaction, which is gap-free under concurrent
/// writers; on SQLite writers are serial, `transaction_id` is 0 and the order is
/// `global_position` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct LogPosition {
    pub transaction_id: i64,
    pub global_position: i64,
}

impl LogPosition {
    /// Before the first event.
    pub const START: Self = Self { transaction_id: 0, global_position: 0 };
}

impl std::fmt::Display for LogPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.transaction_id, self.global_position)
    }
}

impl std::str::FromStr for LogPosition {
    type Err = String;
    /// `"<transaction>:<position>"`, or a bare position (transaction 0, as on SQLite).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("« {s} » n'est pas une position du journal (attendu : N ou XID:N)");
        match s.split_once(':') {
            Some((tx, pos)) => Ok(Self {
                transaction_id: tx.parse().map_err(|_| bad())?,
                global_position: pos.parse().map_err(|_| bad())?,
            }),
            None => Ok(Self { transaction_id: 0, global_position: s.parse().map_err(|_| bad())? }),
        }
    }
}

/// An event as stored, with its payload already upcast to the current schema.
///
/// The payload stays the JSON text it was stored as until someone reads it:
/// replaying the log then parses each payload once, straight into its type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub global_position: i64,
    /// The writing transaction on PostgreSQL; 0 on SQLite.
    pub transaction_id: i64,
    pub stream_id: StreamId,
    pub stream_version: u64,
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: Box<RawValue>,
    pub metadata: Metadata,
    pub recorded_at: DateTime<Utc>,
}

impl PartialEq for RecordedEvent {
    fn eq(&self, other: &Self) -> bool {
        self.global_position == other.global_position
            && self.transaction_id == other.transaction_id
            && self.stream_id == other.stream_id
            && self.stream_version == other.stream_version
            && self.event_id == other.event_id
            && self.event_type == other.event_type
            && self.schema_version == other.schema_version
            && self.payload.get() == other.payload.get()
            && self.metadata == other.metadata
            && self.recorded_at == other.recorded_at
    }
}

impl RecordedEvent {
    pub fn log_position(&self) -> LogPosition {
        LogPosition { transaction_id: self.transaction_id, global_position: self.global_position }
    }

    /// The payload as a typed event, parsed in one pass.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.payload.get())
    }

    /// The payload as a JSON value.
    pub fn payload(&self) -> serde_json::Value {
        serde_json::from_str(self.payload.get()).unwrap_or(serde_json::Value::Null)
    }
}

/// What an append stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendResult {
    /// Global positions of the appended events, in the order given.
    pub positions: Vec<i64>,
    /// Where the last appended event sits in the log (to wait for projections).
    pub log_position: LogPosition,
    /// The stream's version after the append.
    pub next_version: u64,
}
