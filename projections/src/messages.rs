//! The conversation about each booking, kept by the [`bookings`](crate::bookings)
//! projection from `MessagePosted` events: who wrote (the association or a
//! manager) and when. The words stay in the erasable `free_texts` store and
//! are joined in when read, so an erased association's messages read as
//! erased and the rows themselves hold nothing personal.

use chrono::{DateTime, Utc};
use salle_events::catalog::room::MessageAuthor;
use salle_events::sql::{self, Args, ROWS_PER_STATEMENT, execute_built, values};
use salle_events::{Store, StoreTx};
use uuid::Uuid;

use crate::runner::ProjectionError;

/// The projection that keeps these rows (`bookings::NAME`; named here so
/// that the two modules do not import each other).
const NAME: &str = "bookings";

/// A message as a batch of the projection writes it.
#[derive(Debug, Clone)]
pub(crate) struct NewMessage {
    pub message_id: Uuid,
    pub booking_id: Uuid,
    pub author: MessageAuthor,
    pub author_id: Uuid,
    pub text_id: Option<Uuid>,
    pub posted_at: DateTime<Utc>,
}

fn failed(source: sqlx::Error) -> ProjectionError {
    ProjectionError::Database { projection: NAME, source }
}

/// Writes a batch's messages; one already written (a replayed batch) is kept.
pub(crate) async fn insert(tx: &mut StoreTx, messages: &[NewMessage]) -> Result<(), ProjectionError> {
    for chunk in messages.chunks(ROWS_PER_STATEMENT) {
        let mut args = Args::new();
        for m in chunk {
            args = args
                .uuid(m.message_id)
                .uuid(m.booking_id)
                .text(m.author.code().to_owned())
                .uuid(m.author_id)
                .uuid(m.text_id)
                .time(m.posted_at);
        }
        let sql = format!(
            "INSERT INTO read_booking_messages (message_id, booking_id, author_role, author_id, text_id, \
             posted_at) VALUES {} ON CONFLICT (message_id) DO NOTHING",
            values(chunk.len(), 6)
        );
        execute_built(tx, sql, args).await.map_err(failed)?;
    }
    Ok(())
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub message_id: Uuid,
    /// The booking it was posted on (a date of the series, for a series).
    pub booking_id: Uuid,
    pub author_role: String,
    pub author_id: Uuid,
    pub posted_at: DateTime<Utc>,
    /// The words; `None` once the association's data was erased.
    pub body: Option<String>,
}

impl MessageRow {
    pub fn author(&self) -> Option<MessageAuthor> {
        MessageAuthor::parse(&self.author_role)
    }
}

/// The conversation about a booking, oldest first: its own messages, and
/// those of every date of its series when it belongs to one.
pub async fn conversation(store: &Store, booking_id: Uuid) -> Result<Vec<MessageRow>, ProjectionError> {
    let sql = "SELECT m.message_id, m.booking_id, m.author_role, m.author_id, m.posted_at, t.body \
         FROM read_booking_messages m LEFT JOIN free_texts t ON t.text_id = m.text_id \
         WHERE m.booking_id = $1 OR m.booking_id IN ( \
             SELECT s.booking_id FROM read_bookings s JOIN read_bookings b ON s.series_id = b.series_id \
             WHERE b.booking_id = $2) \
         ORDER BY m.posted_at, m.message_id";
    sql::fetch_all(store, sql, Args::new().uuid(booking_id).uuid(booking_id)).await.map_err(failed)
}

/// Empties the table (a rebuild of the projection).
pub(crate) async fn reset(tx: &mut StoreTx) -> Result<(), ProjectionError> {
    sql::execute(tx, "DELETE FROM read_booking_messages", Args::new()).await.map_err(failed)?;
    Ok(())
}
