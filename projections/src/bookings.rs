//! The `bookings` projection: one row per booking with its room,
//! establishment, association, status, slot and price, kept from the rooms'
//! events only. Look-ups by id and lists per association or establishment
//! read these rows instead of folding room streams.

use chrono::{DateTime, Utc};
use salle_events::catalog::room::{BookingStatus, RoomEvent};
use salle_events::sql::{self, Args, ROWS_PER_STATEMENT, execute, execute_built, values};
use salle_events::{RecordedEvent, Store, StoreTx};
use uuid::Uuid;

use crate::room_events;
use crate::runner::{Projection, ProjectionError};

pub const NAME: &str = "bookings";

#[derive(Debug, Clone, Copy, Default)]
pub struct Bookings;

fn db(source: sqlx::Error) -> ProjectionError {
    ProjectionError::Database { projection: NAME, source }
}

async fn exec(tx: &mut StoreTx, sql: &'static str, args: Args) -> Result<(), ProjectionError> {
    execute(tx, sql, args).await.map_err(db)?;
    Ok(())
}

/// A booking first seen in this batch, written once at the end of it.
#[derive(Debug, Clone)]
struct NewRow {
    booking_id: Uuid,
    room_id: Uuid,
    association_id: Uuid,
    series_id: Option<Uuid>,
    status: BookingStatus,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    price_cents: i64,
    currency: String,
    refund_cents: Option<i64>,
    updated_at: DateTime<Utc>,
}

/// A change to a booking written by an earlier batch.
#[derive(Debug, Clone, Copy)]
struct Change {
    status: BookingStatus,
    refund_cents: Option<i64>,
    updated_at: DateTime<Utc>,
}

/// A batch reduced to what it leaves behind: rows created in the batch are
/// written once with their final status, each earlier row updated once. A
/// replay writes a few statements per batch instead of one per event.
#[derive(Debug, Default)]
struct Batch {
    /// Rooms added in the batch, with their establishment.
    rooms: Vec<(Uuid, Uuid)>,
    new_rows: Vec<NewRow>,
    new_index: std::collections::HashMap<Uuid, usize>,
    changes: Vec<(Uuid, Change)>,
    change_index: std::collections::HashMap<Uuid, usize>,
    messages: Vec<crate::messages::NewMessage>,
}

impl Batch {
    fn set(&mut self, booking_id: Uuid, status: BookingStatus, refund_cents: Option<i64>, at: DateTime<Utc>) {
        if let Some(i) = self.new_index.get(&booking_id) {
            let row = &mut self.new_rows[*i];
            (row.status, row.updated_at) = (status, at);
            row.refund_cents = refund_cents.or(row.refund_cents);
            return;
        }
        let change = Change { status, refund_cents, updated_at: at };
        match self.change_index.get(&booking_id) {
            Some(i) => {
                let old = self.changes[*i].1;
                self.changes[*i].1 = Change { refund_cents: refund_cents.or(old.refund_cents), ..change };
            }
            None => {
                self.change_index.insert(booking_id, self.changes.len());
                self.changes.push((booking_id, change));
            }
        }
    }
}

impl Projection for Bookings {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn apply(&self, tx: &mut StoreTx, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut batch = Batch::default();
        for item in room_events(NAME, events) {
            let (room_id, recorded, event) = item?;
            let at = recorded.recorded_at;
            match event {
                // Rooms come before their bookings and are few: written at once.
                RoomEvent::RoomAdded { establishment_id, details, .. } => {
                    batch.rooms.push((room_id, establishment_id));
                    let args = Args::new().uuid(room_id).uuid(establishment_id).text(details.name);
                    exec(
                        tx,
                        "INSERT INTO read_rooms (room_id, establishment_id, name) VALUES ($1, $2, $3)",
                        args,
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
                    batch.new_index.insert(booking_id, batch.new_rows.len());
                    batch.new_rows.push(NewRow {
                        booking_id,
                        room_id,
                        association_id,
                        series_id,
                        status: BookingStatus::Requested,
                        start,
                        end,
                        price_cents: price.amount_cents,
                        currency: format!("{:?}", price.currency),
                        refund_cents: None,
                        updated_at: at,
                    });
                }
                RoomEvent::BookingApproved { booking_id, .. } => {
                    batch.set(booking_id, BookingStatus::Approved, None, at)
                }
                RoomEvent::BookingRejected { booking_id, .. } => {
                    batch.set(booking_id, BookingStatus::Rejected, None, at)
                }
                RoomEvent::BookingExpired { booking_id, .. } => {
                    batch.set(booking_id, BookingStatus::Expired, None, at)
                }
                RoomEvent::BookingPaid { booking_id, .. } => {
                    batch.set(booking_id, BookingStatus::Paid, None, at)
                }
                RoomEvent::BookingCompleted { booking_id, .. } => {
                    batch.set(booking_id, BookingStatus::Completed, None, at)
                }
                RoomEvent::BookingSettled { booking_id, .. } => {
                    batch.set(booking_id, BookingStatus::Settled, None, at)
                }
                RoomEvent::BookingCancelled { booking_id, refund, .. } => {
                    batch.set(booking_id, BookingStatus::Cancelled, Some(refund.amount_cents), at)
                }
                RoomEvent::MessagePosted { booking_id, message_id, by, author, text, at } => {
                    batch.messages.push(crate::messages::NewMessage {
                        message_id,
                        booking_id,
                        author,
                        author_id: by,
                        text_id: text.text_id(),
                        posted_at: at,
                    })
                }
                _ => {}
            }
        }
        // New rows take their establishment from their room: rooms added in
        // this batch are known, others are read once per batch.
        let mut owners: std::collections::HashMap<Uuid, Uuid> = batch.rooms.iter().copied().collect();
        let mut rows = Vec::with_capacity(batch.new_rows.len());
        for row in &batch.new_rows {
            let owner = match owners.get(&row.room_id) {
                Some(owner) => *owner,
                None => {
                    let owner = crate::owner_of(
                        tx,
                        NAME,
                        "SELECT establishment_id FROM read_rooms WHERE room_id = $1",
                        row.room_id,
                    )
                    .await?;
                    owners.insert(row.room_id, owner);
                    owner
                }
            };
            rows.push((row, owner));
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut args = Args::new();
            for (row, owner) in chunk {
                args = args
                    .uuid(row.booking_id)
                    .uuid(row.room_id)
                    .uuid(*owner)
                    .uuid(row.association_id)
                    .uuid(row.series_id)
                    .text(row.status.code().to_owned())
                    .time(row.start)
                    .time(row.end)
                    .int(row.price_cents)
                    .text(row.currency.clone())
                    .int(row.refund_cents)
                    .time(row.updated_at);
            }
            let sql = format!(
                "INSERT INTO read_bookings (booking_id, room_id, establishment_id, association_id, series_id, \
                 status, start_at, end_at, price_cents, currency, refund_cents, updated_at) VALUES {}",
                values(chunk.len(), 12)
            );
            execute_built(tx, sql, args).await.map_err(db)?;
        }
        for (booking_id, change) in batch.changes {
            let args = Args::new()
                .text(change.status.code().to_owned())
                .int(change.refund_cents)
                .time(change.updated_at)
                .uuid(booking_id);
            exec(
                tx,
                "UPDATE read_bookings SET status = $1, refund_cents = COALESCE($2, refund_cents), updated_at = $3 \
                 WHERE booking_id = $4",
                args,
            )
            .await?;
        }
        crate::messages::insert(tx, &batch.messages).await
    }

    async fn reset(&self, tx: &mut StoreTx) -> Result<(), ProjectionError> {
        crate::messages::reset(tx).await?;
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
    #[sqlx(try_from = "String")]
    pub status: BookingStatus,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
    pub price_cents: i64,
    pub currency: String,
    pub refund_cents: Option<i64>,
}

const ROW_COLUMNS: &str = "booking_id, room_id, establishment_id, association_id, series_id, status, \
     start_at, end_at, price_cents, currency, refund_cents";

fn failed(source: sqlx::Error) -> ProjectionError {
    ProjectionError::Database { projection: NAME, source }
}

/// Every row, in booking id order (for comparisons and exports).
pub async fn all(store: &Store) -> Result<Vec<BookingRow>, ProjectionError> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM read_bookings ORDER BY booking_id");
    sql::fetch_all(store, sql, Args::new()).await.map_err(failed)
}

/// One booking, if the projection has seen it.
pub async fn by_id(store: &Store, booking_id: Uuid) -> Result<Option<BookingRow>, ProjectionError> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM read_bookings WHERE booking_id = $1");
    sql::fetch_optional(store, sql, Args::new().uuid(booking_id)).await.map_err(failed)
}

/// Which bookings a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub association: Option<Uuid>,
    /// Only this room's bookings.
    pub room: Option<Uuid>,
    /// Only the bookings whose slot ends after this instant.
    pub ending_after: Option<DateTime<Utc>>,
    /// Only these establishments' bookings (a manager's).
    pub establishments: Option<Vec<Uuid>>,
    pub status: Option<BookingStatus>,
}

/// The WHERE clause of a filter with its values, and the next placeholder's
/// number; `None` when nothing can match.
fn where_clause(filter: &Filter) -> Option<(String, Args, usize)> {
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    let (mut conditions, mut args) = (vec![], Args::new());
    if let Some(a) = filter.association {
        conditions.push(format!("association_id = {}", next()));
        args = args.uuid(a);
    }
    if let Some(r) = filter.room {
        conditions.push(format!("room_id = {}", next()));
        args = args.uuid(r);
    }
    if let Some(t) = filter.ending_after {
        conditions.push(format!("end_at > {}", next()));
        args = args.time(t);
    }
    if let Some(ids) = &filter.establishments {
        if ids.is_empty() {
            return None;
        }
        let marks: Vec<String> = ids.iter().map(|_| next()).collect();
        conditions.push(format!("establishment_id IN ({})", marks.join(", ")));
        for id in ids {
            args = args.uuid(*id);
        }
    }
    if let Some(status) = filter.status {
        conditions.push(format!("status = {}", next()));
        args = args.text(status.code().to_owned());
    }
    let clause =
        if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    Some((clause, args, n + 1))
}

/// The bookings matching `filter`, soonest first, at most `limit`.
pub async fn list(store: &Store, filter: &Filter, limit: i64) -> Result<Vec<BookingRow>, ProjectionError> {
    let Some((where_clause, args, limit_mark)) = where_clause(filter) else {
        return Ok(vec![]);
    };
    // Only placeholders are formatted in; every value is bound.
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM read_bookings {where_clause} ORDER BY start_at, booking_id LIMIT ${limit_mark}"
    );
    sql::fetch_all(store, sql, args.int(limit)).await.map_err(failed)
}

/// How many bookings match (the managers' count of requests to decide).
pub async fn count(store: &Store, filter: &Filter) -> Result<i64, ProjectionError> {
    let Some((where_clause, args, _)) = where_clause(filter) else {
        return Ok(0);
    };
    let sql = format!("SELECT COUNT(*) FROM read_bookings {where_clause}");
    Ok(sql::fetch_value(store, sql, args).await.map_err(failed)?.unwrap_or(0))
}

/// A room's name, as the bookings read model knows it.
pub async fn room_name(store: &Store, room_id: Uuid) -> Result<Option<String>, ProjectionError> {
    sql::fetch_value(store, "SELECT name FROM read_rooms WHERE room_id = $1", Args::new().uuid(room_id))
        .await
        .map_err(failed)
}
