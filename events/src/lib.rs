//! # salle-events — the contract and the log
//!
//! Everything in salle is an event in one append-only log; calendars, search,
//! payments and the ledger are projections of it or reactions to it. This crate
//! owns the envelope events travel in and the store that keeps them.
//!
//! # Layout
//! - [`catalog`]: every event salle records (rooms and bookings, establishments,
//!   associations, tariffs) and the stream categories.
//! - [`envelope`]: stream ids, expected versions, new and recorded events, log positions.
//! - [`store`]: the [`EventStore`] contract and [`Store`], the handle on one backend, with
//!   the backends themselves as its children: [`sqlite`] (one file, WAL, serial writers),
//!   [`postgres`] (one-statement appends, gap-free reads behind `pg_snapshot_xmin`, NOTIFY
//!   as a wake-up only) and [`tx`] ([`StoreTx`], a write transaction shared by appends,
//!   checkpoints and a subscriber's rows).
//! - [`subscription`]: named, checkpointed subscribers that catch up then follow live.
//! - [`metrics`]: appends, events and conflicts counted for `/metrics`.
//! - [`lock`]: one active worker per name across processes (PostgreSQL advisory lock).
//! - [`sql`]: one statement text and its values for both backends, inside a `StoreTx`.
//! - [`upcast`]: the registry that upgrades old payloads on read.
//! - [`error`]: [`Conflict`] (a stale expected version) and [`StoreError`].
//!
//! Migrations for both backends live in `migrations/` and are embedded in the binary.
//!
//! Everything but the catalog, the envelope and the upcasters is behind the
//! `store` feature (on by default): without it the crate is the contract
//! alone, free of sqlx and tokio, which is what the pure `salle-domain`
//! crate depends on.

#[cfg(feature = "store")]
pub mod audit;
pub mod catalog;
#[cfg(feature = "store")]
pub mod checkpoints;
pub mod envelope;
#[cfg(feature = "store")]
pub mod error;
#[cfg(feature = "store")]
mod idempotency;
#[cfg(feature = "store")]
pub mod lock;
#[cfg(feature = "store")]
pub mod metrics;
#[cfg(feature = "store")]
pub mod sql;
#[cfg(feature = "store")]
pub mod store;
#[cfg(feature = "store")]
pub mod subscription;
pub mod upcast;

pub use catalog::{AssociationEvent, DomainEvent, EstablishmentEvent, RoomEvent, TariffEvent};
pub use envelope::{AppendResult, ExpectedVersion, LogPosition, Metadata, NewEvent, RecordedEvent, StreamId};
#[cfg(feature = "store")]
pub use error::{AppendError, Conflict, StoreError};
#[cfg(feature = "store")]
pub use store::tx::StoreTx;
#[cfg(feature = "store")]
pub use store::{Backend, EventStore, Store, StoreOptions};
#[cfg(feature = "store")]
pub use store::{postgres, sqlite, tx};
#[cfg(feature = "store")]
pub use subscription::Subscription;
pub use upcast::Upcasters;
