//! Commands about money: asking to pay a booking, recording the provider's
//! answers, granting a refund after the slot. (Onboarding an establishment's
//! payout account talks to the provider: `app::payouts`.)

use chrono::{DateTime, Utc};
use salle_events::Metadata;
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::room::RoomEvent;
use uuid::Uuid;

use super::{CommandError, Commands, Executed};
use crate::domain::DomainError;
use crate::domain::booking::BookingStatus;
use crate::domain::payment::{self, AttemptStatus, CheckoutRequest, Payment};
use crate::domain::room::RoomCommand;

/// What the association is sent to after asking to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutState {
    /// The provider's page.
    Open { payment_id: Uuid, url: String },
    /// Asked; the provider has not answered yet (the process manager will).
    Pending { payment_id: Uuid },
}

impl Commands {
    pub async fn payment(&self, booking_id: Uuid) -> Result<Payment, CommandError> {
        Ok(self.load::<Payment>(&Self::stream_of::<Payment>(booking_id)).await?.0)
    }

    /// Records a provider's answer on the booking's payment stream (nothing
    /// when it was already recorded).
    pub async fn record_payment_event(
        &self,
        booking_id: Uuid,
        event: PaymentEvent,
        metadata: &Metadata,
    ) -> Result<Executed<PaymentEvent>, CommandError> {
        self.execute::<Payment, _>(&Self::stream_of::<Payment>(booking_id), metadata, |state| {
            payment::record(state, event.clone())
        })
        .await
    }

    /// The association asks to pay an approved booking: a checkout attempt is
    /// recorded (or the one still open is reused). The provider is called by
    /// the process manager, never here between decide and append.
    pub async fn request_checkout(
        &self,
        room_id: Uuid,
        booking_id: Uuid,
        association_id: Uuid,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Executed<PaymentEvent>, CommandError> {
        let room = self.room(room_id).await?;
        let booking = room.booking(booking_id)?;
        if booking.association_id != association_id {
            return Err(DomainError::not_found("booking_not_found", "Cette réservation n'existe pas.").into());
        }
        if booking.status != BookingStatus::Approved {
            return Err(DomainError::conflict(
                "transition_not_allowed",
                format!(
                    "La réservation est {} : seule une réservation approuvée se paie.",
                    booking.status.label_fr()
                ),
            )
            .into());
        }
        let pay_by = booking.pay_by.ok_or_else(|| {
            DomainError::conflict("free_booking", "Cette réservation est gratuite : rien à payer.")
        })?;
        let request = CheckoutRequest {
            payment_id: Uuid::now_v7(),
            booking_id,
            room_id,
            establishment_id: room.establishment_id,
            association_id,
            amount: booking.price,
            pay_by,
            now,
        };
        self.execute::<Payment, _>(&Self::stream_of::<Payment>(booking_id), metadata, |state| {
            payment::request_checkout(state, request.clone())
        })
        .await
    }

    /// Where the association pays, once the provider opened the checkout.
    pub async fn checkout_state(
        &self,
        booking_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<CheckoutState, CommandError> {
        let payment = self.payment(booking_id).await?;
        let attempt = payment.usable_attempt(now).ok_or_else(|| {
            DomainError::not_found("payment_not_found", "Aucun paiement en cours pour cette réservation.")
        })?;
        Ok(match &attempt.status {
            AttemptStatus::Open { url, .. } => {
                CheckoutState::Open { payment_id: attempt.payment_id, url: url.clone() }
            }
            _ => CheckoutState::Pending { payment_id: attempt.payment_id },
        })
    }

    /// The establishment gives money back after the slot.
    #[allow(clippy::too_many_arguments)]
    pub async fn grant_refund(
        &self,
        room_id: Uuid,
        booking_id: Uuid,
        amount: salle_events::catalog::Money,
        by: Uuid,
        reason: &str,
        now: DateTime<Utc>,
        metadata: &Metadata,
    ) -> Result<Executed<RoomEvent>, CommandError> {
        self.on_room(room_id, metadata, || RoomCommand::GrantRefund {
            booking_id,
            amount,
            by,
            reason: reason.to_owned(),
            now,
        })
        .await
    }
}
