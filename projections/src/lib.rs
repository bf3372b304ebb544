//! # salle-projections — the read side
//!
//! Projections see events only, never aggregates: each follows the global log
//! from a named checkpoint and commits its rows with that checkpoint, so every
//! event takes effect exactly once whatever crashes in between.
//!
//! # Layout
//! - [`runner`]: the checkpointed runner (one active per projection: a PostgreSQL
//!   advisory lock), its lag, and rebuilds from zero.
//! - [`availability`]: each room's rules, closures and occupation, and its calendar of
//!   free, held and booked intervals for a date range.
//! - [`ledger`]: the double-entry revenue ledger of each establishment, with its chart of accounts.
//! - [`communes`]: the communes of Isère, found by INSEE code or name.
//! - [`search`]: the in-memory index of rooms answering searches by place, time,
//!   capacity, kind, equipment, access and price.
//! - [`bookings`]: one row per booking (room, establishment, association, status,
//!   slot, price) for look-ups and lists.
//! - [`messages`]: the conversation about each booking (kept by the bookings
//!   projection; the words are read from the erasable store).

pub mod availability;
pub mod bookings;
pub mod communes;
pub mod ledger;
pub mod messages;
pub mod runner;
pub mod search;

pub use runner::{Lag, Projection, ProjectionError, Runner};

use salle_events::catalog::room::RoomEvent;
use salle_events::{DomainEvent, RecordedEvent};

/// The room events of a batch, decoded, with their room's id; other streams
/// are skipped. An undecodable room event is an error naming the projection.
pub(crate) fn room_events<'a>(
    projection: &'static str,
    events: &'a [RecordedEvent],
) -> impl Iterator<Item = Result<(uuid::Uuid, &'a RecordedEvent, RoomEvent), ProjectionError>> + 'a {
    events.iter().filter_map(move |recorded| {
        let room_id = recorded.stream_id.entity(salle_events::catalog::category::ROOM)?;
        Some(RoomEvent::from_recorded(recorded).map(|event| (room_id, recorded, event)).map_err(|e| {
            ProjectionError::Unreadable {
                projection,
                global_position: recorded.global_position,
                reason: e.to_string(),
            }
        }))
    })
}

/// The establishment that owns a room, from a projection's own rooms table.
pub(crate) async fn owner_of(
    tx: &mut salle_events::StoreTx,
    projection: &'static str,
    sql: &'static str,
    room_id: uuid::Uuid,
) -> Result<uuid::Uuid, ProjectionError> {
    let args = salle_events::sql::Args::new().uuid(room_id);
    let found = salle_events::sql::fetch_scalar(tx, sql, args)
        .await
        .map_err(|source| ProjectionError::Database { projection, source })?;
    found.ok_or_else(|| ProjectionError::Unreadable {
        projection,
        global_position: 0,
        reason: format!("room {room_id} has a booking but was never added"),
    })
}
