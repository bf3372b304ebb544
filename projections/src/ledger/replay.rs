//! The ledger replayed from the log up to an instant, without the read
//! model, and the money movements it implies (for the reconciliation).

use crate::room_events;
use crate::runner::ProjectionError;
use chrono::{DateTime, Utc};
use salle_events::catalog::category;
use salle_events::catalog::establishment::EstablishmentEvent;
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::room::RoomEvent;
use salle_events::{DomainEvent, RecordedEvent};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::*;

/// The ledger replayed in memory from the log, without its read model: the
/// ledger "as of" a past instant is this replay stopped there. It follows the
/// same transactions as the projection (`transaction`, `payment_transaction`);
/// a test checks that both give the same lines.
#[derive(Debug, Default)]
pub struct Replay {
    owners: HashMap<Uuid, Uuid>,
    payers: HashMap<Uuid, Uuid>,
    paid: HashMap<Uuid, i64>,
    pub lines: Vec<ExportLine>,
    /// The ledger's movements of money at the payment provider, with the
    /// provider's references: what a reconciliation compares.
    pub movements: Vec<Movement>,
    /// Each establishment's connected accounts at the provider, as set on
    /// the establishment or as transfers were sent to them.
    pub accounts: BTreeMap<Uuid, Vec<String>>,
}

/// What kind of provider object a movement of the ledger stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// The association paid (a PaymentIntent at Stripe).
    Charge,
    /// Money went back to the association.
    Refund,
    /// The booking's amount went to the establishment's connected account.
    Transfer,
    /// Part of a transfer came back from the connected account.
    Reversal,
    /// The connected account paid its balance out to the establishment's bank.
    Payout,
}

impl MovementKind {
    pub const ALL: [Self; 5] = [Self::Charge, Self::Refund, Self::Transfer, Self::Reversal, Self::Payout];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Charge => "charge",
            Self::Refund => "refund",
            Self::Transfer => "transfer",
            Self::Reversal => "reversal",
            Self::Payout => "payout",
        }
    }
}

/// One movement of money at the provider, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub kind: MovementKind,
    /// The provider's id of the object (`pi_…`, `re_…`, `tr_…`, `trr_…`).
    pub reference: String,
    pub establishment_id: Uuid,
    pub booking_id: Uuid,
    pub amount_cents: i64,
    pub at: DateTime<Utc>,
    /// The event that recorded it, whose ledger lines carry the amount.
    pub event_id: Uuid,
}

impl Replay {
    /// The establishment a booking's payments belong to.
    pub fn establishment_of_booking(&self, booking_id: Uuid) -> Option<Uuid> {
        self.payers.get(&booking_id).copied()
    }

    fn movement(
        &mut self,
        recorded: &RecordedEvent,
        kind: MovementKind,
        reference: &str,
        establishment_id: Uuid,
        booking_id: Uuid,
        amount_cents: i64,
    ) {
        if amount_cents > 0 {
            self.movements.push(Movement {
                kind,
                reference: reference.to_owned(),
                establishment_id,
                booking_id,
                amount_cents,
                at: recorded.recorded_at,
                event_id: recorded.event_id,
            });
        }
    }

    fn account(&mut self, establishment_id: Uuid, account_ref: &str) {
        let accounts = self.accounts.entry(establishment_id).or_default();
        if !accounts.iter().any(|a| a == account_ref) {
            accounts.push(account_ref.to_owned());
        }
    }

    pub fn apply(&mut self, recorded: &RecordedEvent) -> Result<(), ProjectionError> {
        let unreadable = |reason: String| ProjectionError::Unreadable {
            projection: NAME,
            global_position: recorded.global_position,
            reason,
        };
        if let Some(id) = recorded.stream_id.entity(category::ESTABLISHMENT) {
            if let Ok(EstablishmentEvent::PayoutAccountSet { account_ref }) =
                EstablishmentEvent::from_recorded(recorded)
            {
                self.account(id, &account_ref);
            }
            return Ok(());
        }
        let (establishment, booking_id, entries) = if let Some(booking_id) =
            recorded.stream_id.entity(category::PAYMENT)
        {
            let event = PaymentEvent::from_recorded(recorded).map_err(|e| unreadable(e.to_string()))?;
            if let PaymentEvent::CheckoutRequested { establishment_id, .. } = &event {
                self.payers.entry(booking_id).or_insert(*establishment_id);
                return Ok(());
            }
            if let Some(&establishment) = self.payers.get(&booking_id) {
                let moved = match &event {
                    PaymentEvent::PaymentReturned { payment_ref, amount, .. } => {
                        Some((MovementKind::Charge, payment_ref, amount))
                    }
                    PaymentEvent::RefundIssued { refund_ref, amount, .. } => {
                        Some((MovementKind::Refund, refund_ref, amount))
                    }
                    PaymentEvent::TransferReversed { reversal_ref, amount, .. } => {
                        Some((MovementKind::Reversal, reversal_ref, amount))
                    }
                    PaymentEvent::TransferCreated { destination, .. } => {
                        self.account(establishment, destination);
                        None
                    }
                    _ => None,
                };
                if let Some((kind, reference, amount)) = moved {
                    self.movement(recorded, kind, reference, establishment, booking_id, amount.amount_cents);
                }
            }
            let entries = payment_transaction(&event);
            if entries.is_empty() {
                return Ok(());
            }
            let establishment = *self.payers.get(&booking_id).ok_or_else(|| {
                unreadable(format!("payment of booking {booking_id} without its checkout request"))
            })?;
            (establishment, booking_id, entries)
        } else {
            let Some(item) = room_events(NAME, std::slice::from_ref(recorded)).next() else { return Ok(()) };
            let (room_id, _, event) = item?;
            if let RoomEvent::RoomAdded { establishment_id, .. } = &event {
                self.owners.insert(room_id, *establishment_id);
                return Ok(());
            }
            let Some(booking_id) = event.booking_id() else { return Ok(()) };
            if let RoomEvent::BookingPaid { amount, .. } = &event {
                self.paid.insert(booking_id, amount.amount_cents);
            }
            let entries = transaction(&event, self.paid.get(&booking_id).copied().unwrap_or(0));
            if entries.is_empty() {
                return Ok(());
            }
            let establishment = *self
                .owners
                .get(&room_id)
                .ok_or_else(|| unreadable(format!("room {room_id} without its RoomAdded")))?;
            let moved = match &event {
                RoomEvent::BookingPaid { amount, payment_ref, .. } => {
                    Some((MovementKind::Charge, payment_ref, amount))
                }
                RoomEvent::BookingSettled { amount, transfer_ref, .. } => {
                    Some((MovementKind::Transfer, transfer_ref, amount))
                }
                _ => None,
            };
            if let Some((kind, reference, amount)) = moved {
                self.movement(recorded, kind, reference, establishment, booking_id, amount.amount_cents);
            }
            (establishment, booking_id, entries)
        };
        for (line_no, entry) in entries.iter().enumerate() {
            self.lines.push(ExportLine {
                establishment_id: establishment,
                event_type: recorded.event_type.clone(),
                line: LedgerLine {
                    at: recorded.recorded_at,
                    event_id: recorded.event_id,
                    line_no: line_no as i64,
                    global_position: recorded.global_position,
                    booking_id: Some(booking_id),
                    account: entry.account.to_owned(),
                    debit_cents: entry.debit_cents,
                    credit_cents: entry.credit_cents,
                },
            });
        }
        Ok(())
    }
}
