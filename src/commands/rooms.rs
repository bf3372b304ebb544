//! Commands on a room and its bookings, with what the decisions need from
//! other streams: the establishment's status and cancellation policy, the
//! tariff grid, the calendar.

use chrono::{DateTime, Utc};
use salle_events::Metadata;
use salle_events::catalog::room::{CancelledBy, RoomEvent};
use uuid::Uuid;

use super::{CommandError, Commands, Executed};
use crate::domain::DomainError;
use crate::domain::association::Standing;
use crate::domain::room::{self, BookingRequest, RequestContext, Room, RoomCommand, SeriesRequest};

/// Who cancels which booking, and why.
#[derive(Debug, Clone)]
pub struct Cancellation {
    pub booking_id: Uuid,
    pub by: CancelledBy,
    pub actor: Uuid,
    pub reason: String,
}

impl Commands {
    pub async fn room(&self, room_id: Uuid) -> Result<Room, CommandError> {
        Ok(self.load::<Room>(&Self::stream_of::<Room>(room_id)).await?.0)
    }

    /// Runs a command on a room; `command` is rebuilt for each attempt.
    pub async fn on_room(
        &self,
        room_id: Uuid,
        metadata: &Metadata,
        command: impl Fn() -> RoomCommand,
    ) -> Result<Executed<RoomEvent>, CommandError> {
        self.execute::<Room, _>(&Self::stream_of::<Room>(room_id), metadata, |state| {
            room::decide(state, command())
        })
        .await
    }

    /// What a request on this room needs to know beyond the room;
    /// `requester`: what the association's verification lets it do.
    async fn request_context(
        &self,
        room_id: Uuid,
        requester: Standing,
        now: DateTime<Utc>,
    ) -> Result<RequestContext, CommandError> {
        let room = self.room(room_id).await?;
        if !room.exists() {
            return Err(DomainError::not_found("room_not_found", "Cette salle n'existe pas.").into());
        }
        let establishment = self.establishment(room.establishment_id).await?;
        Ok(RequestContext {
            now,
            establishment_active: establishment.is_active(),
            accepts_payments: self.accepts_payments(&establishment),
            tariff: self.tariff_for(room.establishment_id).await?,
            calendar: self.calendar.clone(),
            requester,
        })
    }

    pub async fn request_booking(
        &self,
        room_id: Uuid,
        request: BookingRequest,
        requester: Standing,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Executed<RoomEvent>, CommandError> {
        let context = self.request_context(room_id, requester, now).await?;
        self.on_room(room_id, metadata, || RoomCommand::RequestBooking {
            request: request.clone(),
            context: context.clone(),
        })
        .await
    }

    pub async fn request_series(
        &self,
        room_id: Uuid,
        request: SeriesRequest,
        requester: Standing,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Executed<RoomEvent>, CommandError> {
        let context = self.request_context(room_id, requester, now).await?;
        self.on_room(room_id, metadata, || RoomCommand::RequestSeries {
            request: request.clone(),
            context: context.clone(),
        })
        .await
    }

    /// What a weekly series would book and skip, and its price, decided on
    /// the room's current state without recording anything: what the
    /// association sees before confirming.
    pub async fn preview_series(
        &self,
        room_id: Uuid,
        request: SeriesRequest,
        requester: Standing,
        now: DateTime<Utc>,
    ) -> Result<Vec<RoomEvent>, CommandError> {
        let context = self.request_context(room_id, requester, now).await?;
        let room = self.room(room_id).await?;
        Ok(room::decide(&room, RoomCommand::RequestSeries { request, context })?)
    }

    /// Cancels with the establishment's refund policy.
    pub async fn cancel_booking(
        &self,
        room_id: Uuid,
        cancellation: Cancellation,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Executed<RoomEvent>, CommandError> {
        let room = self.room(room_id).await?;
        let policy = self.establishment(room.establishment_id).await?.cancellation_policy;
        self.on_room(room_id, metadata, || RoomCommand::Cancel {
            booking_id: cancellation.booking_id,
            by: cancellation.by,
            actor: cancellation.actor,
            reason: cancellation.reason.clone(),
            policy,
            now,
        })
        .await
    }
}
