//! Money given back after the slot (the room was not as described, the
//! event was cut short…): the establishment's decision, since the revenue
//! is its own. Recording it is all a request does; the payment process
//! follows the log, refunds the association through the provider, then
//! takes the same amount back from the establishment's transfer (pending
//! while its balance does not allow it). Each step is an event of the
//! booking's history.

use chrono::Utc;
use salle_events::catalog::Money;
use salle_events::catalog::room::RoomEvent;
use salle_events::{DomainEvent, EventStore};
use uuid::Uuid;

use crate::app::bookings::bookings_reached;
use crate::app::{App, AppError, Caller, access};

/// What a refund after the slot recorded.
#[derive(Debug, Clone)]
pub struct RefundGranted {
    /// The event that records it (its steps follow it in the history).
    pub id: Uuid,
    pub amount: Money,
    /// What may still be given back on the booking after this one.
    pub left: Money,
}

/// Its manager (or an admin) gives `amount_cents` back, saying why.
pub async fn grant(
    app: &App,
    caller: &Caller,
    booking_id: Uuid,
    amount_cents: i64,
    reason: &str,
) -> Result<RefundGranted, AppError> {
    let row = access::refundable_booking(app, caller, booking_id).await?;
    let amount = Money::eur(amount_cents);
    let executed = app
        .commands
        .grant_refund(
            row.room_id,
            booking_id,
            amount,
            caller.user_id(),
            reason,
            Utc::now(),
            &caller.metadata(booking_id),
        )
        .await?;
    bookings_reached(app, executed.append.log_position).await;
    // The refund is the one event appended: the last of the room's stream.
    let stream = crate::commands::Commands::stream_of::<crate::domain::room::Room>(row.room_id);
    let recorded = app
        .store
        .read_stream(&stream, executed.append.next_version, 1)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let id = recorded
        .iter()
        .find(|e| RoomEvent::from_recorded(e).is_ok_and(|r| matches!(r, RoomEvent::RefundGranted { .. })))
        .map(|e| e.event_id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a refund recorded no RefundGranted")))?;
    let room = app.commands.room(row.room_id).await?;
    let left = room.booking(booking_id)?.refundable_after_slot()?;
    Ok(RefundGranted { id, amount, left })
}
