//! The `bookings` projection: one row per booking with its room,
//! establishment, association, status, slot and price, kept from the rooms'
//! events only. Look-ups by id and lists per association or establishment
//! read these rows instead of folding room streams.

use chrono::{DateTime, Utc};
use salle_events::catalog::room::RoomEvent;
use salle_events::sql::{Args, execute};
use salle_events::{RecordedEvent, Store, StoreTx};
use uuid::Uuid;

use crate::room_events;
use crate::runner::{Projection, ProjectionError};

pub const NAME: &str = "bookings";

#[derive(Debug, Clone, Copy, Default)]
pub struct Bookings;

async fn exec(tx: &mut StoreTx, sql: &'static str, args: Args) -> Result<(), ProjectionError> {
    execute(tx, sql, args).await.map_err(|source| ProjectionError::Database { projection: NAME, source })?;
    Ok(())
}

impl Bookings {
    async fn set_status(
        tx: &mut StoreTx,
        booking_id: Uuid,
        status: &'static str,
        at: DateTime<Utc>,
    ) -> Result<(), ProjectionError> {
        let args = Args::new().text(status.to_owned()).time(at).uuid(booking_id);
        exec(tx, "UPDATE read_bookings SET status = $1, updated_at = $2 WHERE booking_id = $3", args).await
    }
}

impl Projection for Bookings {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn apply(&self, tx: &mut StoreTx, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        for item in room_events(NAME, events) {
            let (room_id, recorded, event) = item?;
            let at = recorded.recorded_at;
            match event {
                RoomEvent::RoomAdded { establishment_id, details, .. } => {
                    exec(
                        tx,
                        "INSERT INTO read_rooms (room_id, establishment_id, name) VALUES ($1, $2, $3)",
                        Args::new().uuid(room_id).uuid(establishment_id).text(details.name),
                    )
                    .await?;
                }
                RoomEvent::RoomDetailsChanged { details } => {
                    let args = Args::new().text(details.name).uuid(room_id);
                    exec(tx, "UPDATE read_rooms SET name = $1 WHERE room_id = $2", args).await?;
                }
                RoomEvent::BookingRequested {
                    booking_id,
                    association_id,
                    series_id,
                    start,
                    end,
                    price,
                    ..
                } => {
                    exec(
                        tx,
                        "INSERT INTO read_bookings (booking_id, room_id, establishment_id, association_id, series_id, \
                         status, start_at, end_at, price_cents, currency, refund_cents, updated_at) \
                         SELECT $1, $2, establishment_id, $3, $4, 'requested', $5, $6, $7, $8, NULL, $9 \
                         FROM read_rooms WHERE room_id = $2",
                        Args::new()
                            .uuid(booking_id)
                            .uuid(room_id)
                            .uuid(association_id)
                            .uuid(series_id)
                            .time(start)
                            .time(end)
                            .int(price.amount_cents)
                            .text(format!("{:?}", price.currency))
                            .time(at),
                    )
                    .await?;
                }
                RoomEvent::BookingApproved { booking_id, .. } => {
                    Self::set_status(tx, booking_id, "approved", at).await?
                }
                RoomEvent::BookingRejected { booking_id, .. } => {
                    Self::set_status(tx, booking_id, "rejected", at).await?
                }
                RoomEvent::BookingExpired { booking_id, .. } => {
                    Self::set_status(tx, booking_id, "expired", at).await?
                }
                RoomEvent::BookingPaid { booking_id, .. } => {
                    Self::set_status(tx, booking_id, "paid", at).await?
                }
                RoomEvent::BookingCompleted { booking_id, .. } => {
                    Self::set_status(tx, booking_id, "completed", at).await?
                }
                RoomEvent::BookingSettled { booking_id, .. } => {
                    Self::set_status(tx, booking_id, "settled", at).await?
                }
                RoomEvent::BookingCancelled { booking_id, refund, .. } => {
                    exec(
                        tx,
                        "UPDATE read_bookings SET status = 'cancelled', refund_cents = $1, updated_at = $2 \
                         WHERE booking_id = $3",
                        Args::new().int(refund.amount_cents).time(at).uuid(booking_id),
                    )
                    .await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn reset(&self, tx: &mut StoreTx) -> Result<(), ProjectionError> {
        exec(tx, "DELETE FROM read_bookings", Args::new()).await?;
        exec(tx, "DELETE FROM read_rooms", Args::new()).await
    }
}

/// One row of the read model.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BookingRow {
    pub booking_id: Uuid,
    pub room_id: Uuid,
    pub establishment_id: Uuid,
    pub association_id: Uuid,
    pub series_id: Option<Uuid>,
    pub status: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub price_cents: i64,
    pub currency: String,
    pub refund_cents: Option<i64>,
}

const SELECT_ROWS: &str = "SELECT booking_id, room_id, establishment_id, association_id, series_id, status, \
     start_at, end_at, price_cents, currency, refund_cents FROM read_bookings";

/// Every row, in booking id order (for comparisons and exports).
pub async fn all(store: &Store) -> Result<Vec<BookingRow>, ProjectionError> {
    let fail = |source| ProjectionError::Database { projection: NAME, source };
    const SQL: &str = "SELECT booking_id, room_id, establishment_id, association_id, series_id, status, \
         start_at, end_at, price_cents, currency, refund_cents FROM read_bookings ORDER BY booking_id";
    debug_assert!(SQL.starts_with(SELECT_ROWS));
    match store {
        Store::Sqlite(s) => sqlx::query_as(SQL).fetch_all(s.reader_pool()).await.map_err(fail),
        Store::Postgres(p) => sqlx::query_as(SQL).fetch_all(p.pool()).await.map_err(fail),
    }
}

/// One booking, if the projection has seen it.
pub async fn by_id(store: &Store, booking_id: Uuid) -> Result<Option<BookingRow>, ProjectionError> {
    let fail = |source| ProjectionError::Database { projection: NAME, source };
    match store {
        Store::Sqlite(s) => sqlx::query_as(
            "SELECT booking_id, room_id, establishment_id, association_id, series_id, status, \
             start_at, end_at, price_cents, currency, refund_cents FROM read_bookings WHERE booking_id = ?",
        )
        .bind(booking_id)
        .fetch_optional(s.reader_pool())
        .await
        .map_err(fail),
        Store::Postgres(p) => sqlx::query_as(
            "SELECT booking_id, room_id, establishment_id, association_id, series_id, status, \
             start_at, end_at, price_cents, currency, refund_cents FROM read_bookings WHERE booking_id = $1",
        )
        .bind(booking_id)
        .fetch_optional(p.pool())
        .await
        .map_err(fail),
    }
}
