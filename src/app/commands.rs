//! The command loop shared by every aggregate.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use salle_events::{
    AppendError, AppendResult, Conflict, DomainEvent, EventStore, ExpectedVersion, Metadata, Store,
    StoreError, StreamId,
};
use uuid::Uuid;

use crate::domain::calendar::Calendar;
use crate::domain::{Aggregate, DomainError};

/// How many times a command is decided again after a version conflict before
/// the conflict is reported (409). Each retry reloads the stream, so only
/// sustained contention on one stream gets there.
pub const MAX_ATTEMPTS: usize = 8;

/// Events read per page while loading a stream.
const LOAD_PAGE: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The decision refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Other writers kept changing the stream: retries exhausted.
    #[error("{0}")]
    Conflict(Conflict),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("an event could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}

/// What a command stored.
#[derive(Debug, Clone)]
pub struct Executed<E> {
    pub events: Vec<E>,
    pub append: AppendResult,
}

/// The application's write side: the store and what decisions need from outside.
#[derive(Debug, Clone)]
pub struct Commands {
    pub store: Store,
    pub calendar: Arc<Calendar>,
    states: Arc<StateCache>,
}

/// Streams whose state is kept between commands.
const CACHED_STREAMS: usize = 10_000;

/// The states of recently loaded streams, each at a known version, so that
/// the next command on a stream reads only the events appended after it
/// (a room of a busy school year holds hundreds of events; folding them all
/// for each request was the booking path's main cost).
///
/// Right across processes without any invalidation: a stream only grows,
/// so a state at version `v` is the fold of its first `v` events whoever
/// appended them, and what others appended since is read and applied on top.
/// Bounded: past `CACHED_STREAMS` an entry is dropped (and rebuilt from the
/// log when needed).
#[derive(Debug, Default)]
struct StateCache {
    entries: std::sync::Mutex<HashMap<StreamId, CachedState>>,
}

/// A stream's version and its state then (an aggregate, by type).
type CachedState = (u64, Arc<dyn Any + Send + Sync>);

impl StateCache {
    fn get<A: Aggregate>(&self, stream: &StreamId) -> Option<(A, u64)> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (version, state) = entries.get(stream)?;
        Some((state.downcast_ref::<A>()?.clone(), *version))
    }

    fn put<A: Aggregate>(&self, stream: &StreamId, version: u64, state: &A) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.get(stream).is_some_and(|(cached, _)| *cached >= version) {
            return;
        }
        if entries.len() >= CACHED_STREAMS
            && !entries.contains_key(stream)
            && let Some(evicted) = entries.keys().next().cloned()
        {
            entries.remove(&evicted);
        }
        entries.insert(stream.clone(), (version, Arc::new(state.clone())));
    }
}

impl Commands {
    pub fn new(store: Store, calendar: Arc<Calendar>) -> Self {
        Self { store, calendar, states: Arc::default() }
    }

    pub fn stream_of<A: Aggregate>(id: Uuid) -> StreamId {
        StreamId::for_entity(A::CATEGORY, id)
    }

    /// The aggregate's state and its stream's version.
    pub async fn load<A: Aggregate>(&self, stream: &StreamId) -> Result<(A, u64), CommandError> {
        let (mut state, mut version) = self.states.get::<A>(stream).unwrap_or_default();
        let cached = version;
        loop {
            let page = self.store.read_stream(stream, version + 1, LOAD_PAGE).await?;
            for recorded in &page {
                let event = A::Event::from_recorded(recorded).map_err(|e| StoreError::Corrupt {
                    global_position: recorded.global_position,
                    reason: format!(
                        "{} is not a {}: {e}",
                        recorded.event_type,
                        std::any::type_name::<A::Event>()
                    ),
                })?;
                state = state.evolve(&event);
                version = recorded.stream_version;
            }
            if page.len() < LOAD_PAGE {
                if version > cached {
                    self.states.put(stream, version, &state);
                }
                return Ok((state, version));
            }
        }
    }

    /// Loads the stream, decides, appends at the loaded version; decides again
    /// on a conflict. An empty decision stores nothing.
    pub async fn execute<A, F>(
        &self,
        stream: &StreamId,
        metadata: &Metadata,
        decide: F,
    ) -> Result<Executed<A::Event>, CommandError>
    where
        A: Aggregate,
        F: Fn(&A) -> Result<Vec<A::Event>, DomainError>,
    {
        let mut last_conflict = None;
        for _ in 0..MAX_ATTEMPTS {
            let (state, version) = self.load::<A>(stream).await?;
            let events = decide(&state)?;
            if events.is_empty() {
                let append = AppendResult {
                    positions: vec![],
                    log_position: salle_events::LogPosition::START,
                    next_version: version,
                };
                return Ok(Executed { events, append });
            }
            let new_events =
                events.iter().map(|e| e.to_new_event(metadata)).collect::<Result<Vec<_>, _>>()?;
            match self.store.append(stream, ExpectedVersion::Exact(version), new_events).await {
                Ok(append) => return Ok(Executed { events, append }),
                Err(AppendError::Conflict(conflict)) => {
                    tracing::debug!(stream = %stream, "version conflict; deciding again");
                    last_conflict = Some(conflict);
                }
                Err(AppendError::Store(e)) => return Err(e.into()),
            }
        }
        Err(CommandError::Conflict(last_conflict.unwrap_or(Conflict {
            stream: stream.clone(),
            expected: ExpectedVersion::Any,
            actual: 0,
        })))
    }
}
