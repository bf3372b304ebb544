//! The `ledger` projection: the double-entry revenue ledger of each
//! establishment, kept from the rooms' events. Every transaction balances,
//! every line cites the event that caused it.
//!
//! # Chart of accounts
//!
//! | account | name | moves when |
//! |---|---|---|
//! | 467100 | Prestataire de paiement | money held by the provider for the establishment: a payment comes in (debit); a refund or the transfer leaves (credit); a reversal comes back (debit) |
//! | 419100 | Avances reçues des associations | a payment is taken for a slot to come (credit); the slot takes place or is cancelled (debit) |
//! | 419800 | Remboursements dus aux associations | a refund is owed (credit); the provider pays it (debit) |
//! | 708300 | Locations de salles | the slot took place: the hire is earned (credit) |
//! | 709000 | Remboursements accordés après le créneau | money given back after the slot (debit) |
//! | 758800 | Indemnités d'annulation | a late cancellation leaves part of the payment to the establishment (credit) |
//! | 512000 | Banque (compte de versement) | the provider transfers the booking's amount to the establishment (debit); a reversal takes some back (credit) |
//! | 627800 | Frais du prestataire de paiement | the provider's fee on a payment (debit) |
//! | 791000 | Transferts de charges | the same fee, borne by the département, not the establishment (credit) |
//!
//! The establishment keeps all the revenue: every account is the establishment's
//! own, and the provider's fees are borne by the département (627800 and 791000
//! cancel out in the establishment's result). At any time, per establishment:
//! money received − refunds paid = transferred − reversed + the balance of 467100
//! (what awaits transfer).

use std::collections::HashMap;

use salle_events::catalog::category;
use salle_events::catalog::payment::PaymentEvent;
use salle_events::catalog::room::RoomEvent;
use salle_events::sql::{Args, ROWS_PER_STATEMENT, execute, execute_built, fetch_scalar, values};
use salle_events::{DomainEvent, RecordedEvent, StoreTx};
use uuid::Uuid;

use crate::room_events;
use crate::runner::{Projection, ProjectionError};

pub const NAME: &str = "ledger";

/// The chart of accounts (see the module's table).
pub mod accounts {
    pub const PROVIDER: &str = "467100";
    pub const ADVANCES: &str = "419100";
    pub const REFUNDS_DUE: &str = "419800";
    pub const ROOM_HIRE: &str = "708300";
    pub const REFUNDS_GRANTED: &str = "709000";
    pub const CANCELLATION_FEES: &str = "758800";
    pub const BANK: &str = "512000";
    pub const PROVIDER_FEES: &str = "627800";
    pub const FEES_BORNE: &str = "791000";

    /// Every account with its name.
    pub const ALL: [(&str, &str); 9] = [
        (PROVIDER, "Prestataire de paiement"),
        (ADVANCES, "Avances reçues des associations"),
        (REFUNDS_DUE, "Remboursements dus aux associations"),
        (ROOM_HIRE, "Locations de salles"),
        (REFUNDS_GRANTED, "Remboursements accordés après le créneau"),
        (CANCELLATION_FEES, "Indemnités d'annulation"),
        (BANK, "Banque (compte de versement)"),
        (PROVIDER_FEES, "Frais du prestataire de paiement"),
        (FEES_BORNE, "Transferts de charges (frais pris en charge par le Département)"),
    ];

    pub fn name(code: &str) -> &'static str {
        ALL.iter().find(|(c, _)| *c == code).map_or("?", |(_, n)| n)
    }
}

/// One side of a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    account: &'static str,
    debit_cents: i64,
    credit_cents: i64,
}

fn debit(account: &'static str, cents: i64) -> Entry {
    Entry { account, debit_cents: cents, credit_cents: 0 }
}

fn credit(account: &'static str, cents: i64) -> Entry {
    Entry { account, debit_cents: 0, credit_cents: cents }
}

/// Checks that a transaction balances before it is written.
fn balanced(entries: Vec<Entry>, event: &impl std::fmt::Debug) -> Vec<Entry> {
    let (debits, credits) = entries.iter().fold((0, 0), |(d, c), e| (d + e.debit_cents, c + e.credit_cents));
    assert_eq!(debits, credits, "a ledger transaction balances: {event:?}");
    entries
}

/// The entries a payment stream's event causes.
fn payment_transaction(event: &PaymentEvent) -> Vec<Entry> {
    let entries = match event {
        PaymentEvent::PaymentReturned { amount, .. } if amount.amount_cents > 0 => {
            vec![
                debit(accounts::PROVIDER, amount.amount_cents),
                credit(accounts::REFUNDS_DUE, amount.amount_cents),
            ]
        }
        PaymentEvent::RefundIssued { amount, .. } if amount.amount_cents > 0 => {
            vec![
                debit(accounts::REFUNDS_DUE, amount.amount_cents),
                credit(accounts::PROVIDER, amount.amount_cents),
            ]
        }
        PaymentEvent::TransferReversed { amount, .. } if amount.amount_cents > 0 => {
            vec![debit(accounts::PROVIDER, amount.amount_cents), credit(accounts::BANK, amount.amount_cents)]
        }
        PaymentEvent::ProviderFeeRecorded { fee, .. } if fee.amount_cents > 0 => {
            vec![
                debit(accounts::PROVIDER_FEES, fee.amount_cents),
                credit(accounts::FEES_BORNE, fee.amount_cents),
            ]
        }
        _ => vec![],
    };
    balanced(entries, event)
}

/// The entries a room's event causes, given what the booking was paid.
fn transaction(event: &RoomEvent, paid_cents: i64) -> Vec<Entry> {
    let entries = match event {
        RoomEvent::BookingPaid { amount, .. } if amount.amount_cents > 0 => {
            vec![
                debit(accounts::PROVIDER, amount.amount_cents),
                credit(accounts::ADVANCES, amount.amount_cents),
            ]
        }
        RoomEvent::BookingCompleted { .. } if paid_cents > 0 => {
            vec![debit(accounts::ADVANCES, paid_cents), credit(accounts::ROOM_HIRE, paid_cents)]
        }
        RoomEvent::BookingSettled { amount, .. } if amount.amount_cents > 0 => {
            vec![debit(accounts::BANK, amount.amount_cents), credit(accounts::PROVIDER, amount.amount_cents)]
        }
        RoomEvent::BookingCancelled { refund, .. } if paid_cents > 0 => {
            let refunded = refund.amount_cents.clamp(0, paid_cents);
            let mut entries = vec![debit(accounts::ADVANCES, paid_cents)];
            if refunded > 0 {
                entries.push(credit(accounts::REFUNDS_DUE, refunded));
            }
            if paid_cents > refunded {
                entries.push(credit(accounts::CANCELLATION_FEES, paid_cents - refunded));
            }
            entries
        }
        RoomEvent::RefundGranted { amount, .. } if amount.amount_cents > 0 => {
            vec![
                debit(accounts::REFUNDS_GRANTED, amount.amount_cents),
                credit(accounts::REFUNDS_DUE, amount.amount_cents),
            ]
        }
        _ => vec![],
    };
    balanced(entries, event)
}

fn push_lines(
    lines: &mut Vec<Args>,
    recorded: &RecordedEvent,
    establishment: Uuid,
    booking_id: Uuid,
    entries: &[Entry],
) {
    for (line_no, entry) in entries.iter().enumerate() {
        lines.push(
            Args::new()
                .uuid(recorded.event_id)
                .int(line_no as i64)
                .int(recorded.global_position)
                .uuid(establishment)
                .uuid(booking_id)
                .time(recorded.recorded_at)
                .text(entry.account.to_owned())
                .int(entry.debit_cents)
                .int(entry.credit_cents),
        );
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Ledger;

fn db(source: sqlx::Error) -> ProjectionError {
    ProjectionError::Database { projection: NAME, source }
}

impl Projection for Ledger {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn apply(&self, tx: &mut StoreTx, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        // What the batch learns as it goes (payments, rooms' owners), so that
        // each is read from the database at most once per batch.
        let mut paid_in_batch: HashMap<Uuid, i64> = HashMap::new();
        let mut owners: HashMap<Uuid, Uuid> = HashMap::new();
        let mut payments = Args::new();
        let mut payment_rows = 0;
        let mut lines: Vec<Args> = Vec::new();
        let mut payers: HashMap<Uuid, Uuid> = HashMap::new();
        for recorded in events {
            if let Some(booking_id) = recorded.stream_id.entity(category::PAYMENT) {
                let event =
                    PaymentEvent::from_recorded(recorded).map_err(|e| ProjectionError::Unreadable {
                        projection: NAME,
                        global_position: recorded.global_position,
                        reason: e.to_string(),
                    })?;
                if let PaymentEvent::CheckoutRequested { establishment_id, .. } = &event {
                    if payers.insert(booking_id, *establishment_id).is_none() {
                        execute(
                            tx,
                            "INSERT INTO read_ledger_payments (booking_id, establishment_id) VALUES ($1, $2) \
                             ON CONFLICT (booking_id) DO NOTHING",
                            Args::new().uuid(booking_id).uuid(*establishment_id),
                        )
                        .await
                        .map_err(db)?;
                    }
                    continue;
                }
                let entries = payment_transaction(&event);
                if entries.is_empty() {
                    continue;
                }
                let establishment = match payers.get(&booking_id) {
                    Some(e) => *e,
                    None => {
                        let found = fetch_scalar::<Uuid>(
                            tx,
                            "SELECT establishment_id FROM read_ledger_payments WHERE booking_id = $1",
                            Args::new().uuid(booking_id),
                        )
                        .await
                        .map_err(db)?
                        .ok_or_else(|| ProjectionError::Unreadable {
                            projection: NAME,
                            global_position: recorded.global_position,
                            reason: format!("payment of booking {booking_id} without its checkout request"),
                        })?;
                        payers.insert(booking_id, found);
                        found
                    }
                };
                push_lines(&mut lines, recorded, establishment, booking_id, &entries);
                continue;
            }
            let Some(item) = room_events(NAME, std::slice::from_ref(recorded)).next() else { continue };
            let (room_id, recorded, event) = item?;
            if let RoomEvent::RoomAdded { establishment_id, .. } = &event {
                let args = Args::new().uuid(room_id).uuid(*establishment_id);
                execute(
                    tx,
                    "INSERT INTO read_ledger_rooms (room_id, establishment_id) VALUES ($1, $2)",
                    args,
                )
                .await
                .map_err(db)?;
                owners.insert(room_id, *establishment_id);
                continue;
            }
            let Some(booking_id) = event.booking_id() else { continue };
            let paid = match &event {
                RoomEvent::BookingPaid { amount, .. } => {
                    paid_in_batch.insert(booking_id, amount.amount_cents);
                    payments = payments.uuid(booking_id).int(amount.amount_cents);
                    payment_rows += 1;
                    amount.amount_cents
                }
                RoomEvent::BookingCompleted { .. } | RoomEvent::BookingCancelled { .. } => {
                    match paid_in_batch.get(&booking_id) {
                        Some(paid) => *paid,
                        None => fetch_scalar::<i64>(
                            tx,
                            "SELECT paid_cents FROM read_ledger_bookings WHERE booking_id = $1",
                            Args::new().uuid(booking_id),
                        )
                        .await
                        .map_err(db)?
                        .unwrap_or(0),
                    }
                }
                _ => 0,
            };
            let entries = transaction(&event, paid);
            if entries.is_empty() {
                continue;
            }
            let establishment = match owners.get(&room_id) {
                Some(owner) => *owner,
                None => {
                    let owner = crate::owner_of(
                        tx,
                        NAME,
                        "SELECT establishment_id FROM read_ledger_rooms WHERE room_id = $1",
                        room_id,
                    )
                    .await?;
                    owners.insert(room_id, owner);
                    owner
                }
            };
            push_lines(&mut lines, recorded, establishment, booking_id, &entries);
        }
        if payment_rows > 0 {
            let sql = format!(
                "INSERT INTO read_ledger_bookings (booking_id, paid_cents) VALUES {}",
                values(payment_rows, 2)
            );
            execute_built(tx, sql, payments).await.map_err(db)?;
        }
        for chunk in lines.chunks(ROWS_PER_STATEMENT) {
            let args = chunk.iter().cloned().fold(Args::new(), Args::extend);
            let sql = format!(
                "INSERT INTO read_ledger_lines (event_id, line_no, global_position, establishment_id, booking_id, \
                 at, account, debit_cents, credit_cents) VALUES {}",
                values(chunk.len(), 9)
            );
            execute_built(tx, sql, args).await.map_err(db)?;
        }
        Ok(())
    }

    async fn reset(&self, tx: &mut StoreTx) -> Result<(), ProjectionError> {
        for sql in [
            "DELETE FROM read_ledger_lines",
            "DELETE FROM read_ledger_bookings",
            "DELETE FROM read_ledger_rooms",
            "DELETE FROM read_ledger_payments",
        ] {
            execute(tx, sql, Args::new()).await.map_err(db)?;
        }
        Ok(())
    }
}

mod queries;
mod replay;

pub use queries::*;
pub use replay::*;

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use salle_events::catalog::Money;
    use salle_events::catalog::room::CancelledBy;

    use super::*;

    fn cancelled(refund: i64) -> RoomEvent {
        RoomEvent::BookingCancelled {
            booking_id: Uuid::nil(),
            by: CancelledBy::Association,
            actor: Uuid::nil(),
            reason: salle_events::catalog::FreeText::default(),
            refund: Money::eur(refund),
            at: Utc::now(),
        }
    }

    #[test]
    fn a_late_cancellation_keeps_the_rest_as_fees_and_balances() {
        let entries = transaction(&cancelled(1250), 2500);
        assert_eq!(
            entries,
            vec![
                debit(accounts::ADVANCES, 2500),
                credit(accounts::REFUNDS_DUE, 1250),
                credit(accounts::CANCELLATION_FEES, 1250)
            ]
        );
    }

    #[test]
    fn unpaid_and_free_bookings_move_no_money() {
        assert!(transaction(&cancelled(0), 0).is_empty());
        let completed = RoomEvent::BookingCompleted { booking_id: Uuid::nil(), at: Utc::now() };
        assert!(transaction(&completed, 0).is_empty());
    }
}
