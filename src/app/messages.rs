//! The conversation about a booking (or its series) between the association
//! and the managers of the establishment: read it, write to it. Each
//! message is an event of the room's stream whose words go to the erasable
//! store; the mail process tells the other side.

use chrono::Utc;
use salle_events::catalog::room::MessageAuthor;
use salle_projections::messages::{self, MessageRow};
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::bookings::bookings_reached;
use crate::app::{App, AppError, Caller, access};
use crate::domain::room::RoomCommand;

pub use crate::domain::room::MESSAGE_MAX_CHARS;

/// A conversation holds at most this many messages: beyond, the two sides
/// are better served by a telephone call than by a longer thread.
pub const MESSAGES_PER_CONVERSATION: i64 = 500;

/// The conversation about the booking, oldest first.
pub async fn list(app: &App, caller: &Caller, booking_id: Uuid) -> Result<Vec<MessageRow>, AppError> {
    access::conversation(app, caller, booking_id).await?;
    messages::conversation(&app.store, booking_id).await.map_err(|e| AppError::Internal(e.into()))
}

/// Writes `text` to the booking's conversation as the caller (its
/// association or its manager); answers the message's id. `form`, a
/// token a page's form carries, makes sending the same form twice post
/// once: the message's id is derived from it, the booking and the caller.
pub async fn post(
    app: &App,
    caller: &Caller,
    booking_id: Uuid,
    text: &str,
    form: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let row = access::conversation(app, caller, booking_id).await?;
    let message_id = match form {
        Some(token) => Uuid::new_v5(&booking_id, format!("{}/{token}", caller.user_id()).as_bytes()),
        None => Uuid::now_v7(),
    };
    let held =
        messages::conversation(&app.store, booking_id).await.map_err(|e| AppError::Internal(e.into()))?;
    if held.iter().any(|m| m.message_id == message_id) {
        return Ok(message_id);
    }
    if held.len() as i64 >= MESSAGES_PER_CONVERSATION {
        return Err(AppError::Unprocessable {
            code: "conversation_full",
            message: format!(
                "Cette conversation compte déjà {MESSAGES_PER_CONVERSATION} messages : \
                 contactez l'autre partie directement."
            ),
        });
    }
    let author = match caller.role() {
        Role::Manager => MessageAuthor::Manager,
        _ => MessageAuthor::Association,
    };
    let (by, now) = (caller.user_id(), Utc::now());
    let executed = app
        .commands
        .on_room(row.room_id, &caller.metadata(booking_id), || RoomCommand::PostMessage {
            booking_id,
            message_id,
            by,
            author,
            text: text.to_owned(),
            now,
        })
        .await?;
    bookings_reached(app, executed.append.log_position).await;
    Ok(message_id)
}
