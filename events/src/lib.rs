//! # salle-events — the contract and the log
//!
//! Everything in salle is an event in one append-only log; calendars, search,
//! payments and the ledger are projections of it or reactions to it. This crate
//! owns the envelope events travel in and the store that keeps them.
//!
//! # Layout
//! - [`catalog`]: every event salle records (rooms and bookings, establishments,
//!   associations, tariffs) and the stream categories.
//! - [`calendar`], [`time`], [`opening`]: the reading of time both sides share — school
//!   and public holidays, Europe/Paris slots, opening rules — with [`refusal`] for their no.
//! - [`pricing`]: the price of a slot from a tariff grid, shared by both sides.
//! - [`envelope`]: stream ids, expected versions, new and recorded events, log positions.
//! - [`store`]: the [`EventStore`] contract and [`Store`], the handle on one backend.
//! - [`sqlite`]: the embedded backend (one file, WAL, serial writers).
//! - [`postgres`]: the shared backend (one-statement appends, gap-free reads behind
//!   `pg_snapshot_xmin`, NOTIFY as a wake-up only).
//! - [`tx`]: [`StoreTx`], a write transaction shared by appends, checkpoints and a subscriber's rows.
//! - [`subscription`]: named, checkpointed subscribers that catch up then follow live.
//! - [`metrics`]: appends, events and conflicts counted for `/metrics`.
//! - [`lock`]: one active worker per name across processes (PostgreSQL advisory lock).
//! - [`sql`]: one statement text and its values for both backends, inside a `StoreTx`.
//! - [`upcast`]: the registry that upgrades old payloads on read.
//! - [`error`]: [`Conflict`] (a stale expected version) and [`StoreError`].
//!
//! Migrations for both backends live in `migrations/` and are embedded in the binary.

pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod checkpoints;
pub mod envelope;
pub mod error;
mod idempotency;
pub mod lock;
pub mod metrics;
pub mod opening;
pub mod postgres;
pub mod pricing;
pub mod refusal;
pub mod sql;
pub mod sqlite;
pub mod store;
pub mod subscription;
pub mod time;
pub mod tx;
pub mod upcast;

pub use catalog::{AssociationEvent, DomainEvent, EstablishmentEvent, RoomEvent, TariffEvent};
pub use envelope::{AppendResult, ExpectedVersion, LogPosition, Metadata, NewEvent, RecordedEvent, StreamId};
pub use error::{AppendError, Conflict, StoreError};
pub use store::{Backend, EventStore, Store, StoreOptions};
pub use subscription::Subscription;
pub use tx::StoreTx;
pub use upcast::Upcasters;
