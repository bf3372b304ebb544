//! The write side: the command loop shared by every aggregate (load →
//! decide → append at the loaded version, decide again on a conflict, a
//! bounded number of times), and per aggregate what its decisions need from
//! other streams.
//!
//! # Layout
//! - this file: [`Commands`], the generic loop, its cache of states and staging for bulk loads.
//! - [`rooms`]: requests, series and decisions on a room, with what they need
//!   from other streams (establishment status, tariff grid, calendar).
//! - [`registry`]: establishments, associations (with their contact's personal
//!   data) and tariff grids.
//! - [`colleges`]: the shipped collèges of Isère, registered once.
//! - [`identifiers`]: one association per RNA/SIREN, claimed as it registers.
//! - [`free_texts`]: what people write (purposes, reasons), stored beside the
//!   events that refer to it and erasable (kept out of the log).
//! - [`payments`]: a booking's payment stream: checkouts, outcomes, refunds.
//! - [`personal_data`]: the erasable table of names, e-mail addresses and phones
//!   (kept out of the log).

pub mod colleges;
pub mod free_texts;
pub mod identifiers;
pub mod payments;
pub mod personal_data;
pub mod registry;
pub mod rooms;

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use salle_events::{
    AppendError, AppendResult, Conflict, DomainEvent, EventStore, ExpectedVersion, LogPosition, Metadata,
    NewEvent, Store, StoreError, StreamId,
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
    /// Set for bulk loads and batches (see [`Commands::staged`], [`Commands::batch`]).
    staging: Option<Arc<Staging>>,
    /// False when no payment provider is configured: paid slots are refused
    /// even where an establishment's payout account was ready.
    online_payments: bool,
}

/// Events staged before a flush writes them (see [`Commands::staged`]).
const STAGED_EVENTS: usize = 20_000;

/// Decisions taken in memory and not yet written: per stream, the version it
/// had in the store, the state after the staged events, and those events.
#[derive(Debug, Default)]
struct Staging {
    streams: tokio::sync::Mutex<StagedStreams>,
}

#[derive(Debug, Default)]
struct StagedStreams {
    /// In the order streams were first staged, so that a flush is deterministic.
    order: Vec<StreamId>,
    by_stream: HashMap<StreamId, Staged>,
    events: usize,
}

#[derive(Debug)]
struct Staged {
    stored_version: u64,
    version: u64,
    state: Arc<dyn Any + Send + Sync>,
    events: Vec<NewEvent>,
    /// The free texts the events refer to.
    texts: Vec<free_texts::TextRow>,
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
        self.put_any(stream, version, Arc::new(state.clone()));
    }

    fn put_any(&self, stream: &StreamId, version: u64, state: Arc<dyn Any + Send + Sync>) {
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
        entries.insert(stream.clone(), (version, state));
    }
}

impl Commands {
    pub fn new(store: Store, calendar: Arc<Calendar>) -> Self {
        Self { store, calendar, states: Arc::default(), staging: None, online_payments: true }
    }

    /// The same commands, knowing whether a payment provider is configured.
    pub fn with_online_payments(mut self, configured: bool) -> Self {
        self.online_payments = configured;
        self
    }

    /// Whether associations can pay this establishment online: a provider
    /// is configured and its payout account can receive transfers.
    pub fn accepts_payments(&self, establishment: &crate::domain::establishment::Establishment) -> bool {
        self.online_payments && establishment.accepts_payments()
    }

    /// Write side for a bulk load that nothing else writes to meanwhile
    /// (`salle seed --synthetic`): every command is decided by the same
    /// handlers, against the store and what is staged, but its events are
    /// held in memory and written by [`Commands::flush`] (or once 20,000 are
    /// staged), each stream's events in one append and all in one transaction.
    /// A national seed is tens of millions of events; written one command per
    /// transaction it would take days.
    ///
    /// Staged results carry no log positions. Anything that commits outside
    /// the event log (an association's contact) is written at once.
    pub fn staged(store: Store, calendar: Arc<Calendar>) -> Self {
        Self { staging: Some(Arc::default()), ..Self::new(store, calendar) }
    }

    /// A staged view of these commands (see [`Commands::staged`]) sharing their
    /// cache of states: what it decides is written by its own flush, in one
    /// transaction, and cached only then.
    pub fn batch(&self) -> Self {
        Self { staging: Some(Arc::default()), ..self.clone() }
    }

    /// Writes what is staged; a stream changed in the store meanwhile is a conflict
    /// and nothing is written. Returns how many events were written.
    pub async fn flush(&self) -> Result<usize, CommandError> {
        let Some(staging) = &self.staging else { return Ok(0) };
        let mut staged = staging.streams.lock().await;
        if staged.events == 0 {
            return Ok(0);
        }
        let mut tx = self.store.begin().await?;
        let mut texts = vec![];
        for stream in &staged.order {
            let Some(entry) = staged.by_stream.get(stream) else { continue };
            let events = entry.events.clone();
            match tx.append(stream, ExpectedVersion::Exact(entry.stored_version), events).await {
                Ok(_) => {}
                Err(AppendError::Conflict(conflict)) => return Err(CommandError::Conflict(conflict)),
                Err(AppendError::Store(e)) => return Err(e.into()),
            }
            texts.extend(entry.texts.iter().cloned());
        }
        free_texts::insert(&mut tx, &texts, chrono::Utc::now()).await?;
        tx.commit().await?;
        let written = staged.events;
        let taken = std::mem::take(&mut *staged);
        for (stream, entry) in taken.by_stream {
            self.states.put_any(&stream, entry.version, entry.state);
        }
        Ok(written)
    }

    pub fn stream_of<A: Aggregate>(id: Uuid) -> StreamId {
        StreamId::for_entity(A::CATEGORY, id)
    }

    /// The aggregate's state and its stream's version.
    pub async fn load<A: Aggregate>(&self, stream: &StreamId) -> Result<(A, u64), CommandError> {
        if let Some(staging) = &self.staging
            && let Some(entry) = staging.streams.lock().await.by_stream.get(stream)
            && let Some(state) = entry.state.downcast_ref::<A>()
        {
            return Ok((state.clone(), entry.version));
        }
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
            let texts: Vec<free_texts::TextRow> =
                events.iter().flat_map(|e| e.texts_to_store()).map(Into::into).collect();
            if let Some(staging) = &self.staging {
                let state = events.iter().fold(state, |state, e| state.evolve(e));
                let append = self.stage(staging, stream, version, state, new_events, texts).await?;
                return Ok(Executed { events, append });
            }
            match self.append_with_texts(stream, version, new_events, &texts).await {
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

    /// Appends at `version`, with the free texts the events refer to in the
    /// same transaction (a plain append when there are none).
    async fn append_with_texts(
        &self,
        stream: &StreamId,
        version: u64,
        events: Vec<NewEvent>,
        texts: &[free_texts::TextRow],
    ) -> Result<AppendResult, AppendError> {
        if texts.is_empty() {
            return self.store.append(stream, ExpectedVersion::Exact(version), events).await;
        }
        let mut tx = self.store.begin().await?;
        let append = tx.append(stream, ExpectedVersion::Exact(version), events).await?;
        free_texts::insert(&mut tx, texts, chrono::Utc::now()).await?;
        tx.commit().await?;
        Ok(append)
    }

    /// Stages events decided at `version`; flushes past `STAGED_EVENTS`.
    async fn stage<A: Aggregate>(
        &self,
        staging: &Staging,
        stream: &StreamId,
        version: u64,
        state: A,
        events: Vec<NewEvent>,
        texts: Vec<free_texts::TextRow>,
    ) -> Result<AppendResult, CommandError> {
        let next_version = version + events.len() as u64;
        let full = {
            let mut staged = staging.streams.lock().await;
            staged.events += events.len();
            match staged.by_stream.get_mut(stream) {
                Some(entry) => {
                    entry.version = next_version;
                    entry.state = Arc::new(state);
                    entry.events.extend(events);
                    entry.texts.extend(texts);
                }
                None => {
                    staged.order.push(stream.clone());
                    let entry = Staged {
                        stored_version: version,
                        version: next_version,
                        state: Arc::new(state),
                        events,
                        texts,
                    };
                    staged.by_stream.insert(stream.clone(), entry);
                }
            }
            staged.events >= STAGED_EVENTS
        };
        if full {
            self.flush().await?;
        }
        Ok(AppendResult { positions: vec![], log_position: LogPosition::START, next_version })
    }
}
