//! One booking's state machine and its refund rule.
//!
//! ```text
//! requested ─▶ approved ─▶ paid ─▶ completed ─▶ settled
//!     │            │  └──(free)──────▲
//!     ├▶ rejected  ├▶ expired (unpaid)
//!     └▶ expired   └▶ cancelled ◀── requested, paid
//! ```
//! A booking is *active* (holds its slot) from `requested` on, until it is
//! rejected, expired or cancelled.

use chrono::{DateTime, Duration, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::CancellationPolicy;
use salle_events::catalog::room::CancelledBy;
use uuid::Uuid;

use super::DomainError;
use super::time::Slot;

pub use salle_events::catalog::room::BookingStatus;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: Uuid,
    pub association_id: Uuid,
    pub category: RequesterCategory,
    pub slot: Slot,
    pub attendees: u32,
    /// The association's words, by reference (see `salle_events::catalog::text`).
    pub purpose: salle_events::catalog::FreeText,
    /// Frozen at request time.
    pub price: Money,
    pub tariff_version: Option<u32>,
    pub series_id: Option<Uuid>,
    pub status: BookingStatus,
    pub requested_at: DateTime<Utc>,
    pub decide_by: DateTime<Utc>,
    pub pay_by: Option<DateTime<Utc>>,
    pub paid: Option<Money>,
    /// The provider's reference of the accepted payment.
    pub payment_ref: Option<String>,
    /// The provider's reference of the transfer to the establishment.
    pub transfer_ref: Option<String>,
    /// Refunded on cancellation.
    pub refund: Option<Money>,
    /// Granted back after the slot, in total.
    pub granted_back: Money,
    /// The reminders sent about it (each once).
    pub reminded: Vec<salle_events::catalog::room::Reminder>,
}

impl Booking {
    /// Whether `reminder` is still worth sending at `now`: `Ok(false)` when
    /// it was sent already, a refusal when its moment has passed.
    pub fn check_reminder(
        &self,
        reminder: salle_events::catalog::room::Reminder,
        now: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        use salle_events::catalog::room::Reminder;
        if self.reminded.contains(&reminder) {
            return Ok(false);
        }
        let due = match reminder {
            Reminder::PaymentDue => {
                self.status == BookingStatus::Approved && self.pay_by.is_some_and(|by| now < by)
            }
            Reminder::SlotSoon => {
                matches!(self.status, BookingStatus::Approved | BookingStatus::Paid)
                    && now < self.slot.start()
            }
        };
        if !due {
            return Err(DomainError::conflict(
                "reminder_not_due",
                "Ce rappel n'a plus lieu d'être : la réservation a changé ou son moment est passé.",
            ));
        }
        Ok(true)
    }

    /// Whether the booking holds its slot.
    pub fn is_active(&self) -> bool {
        !matches!(self.status, BookingStatus::Rejected | BookingStatus::Expired | BookingStatus::Cancelled)
    }

    pub fn is_free(&self) -> bool {
        self.price.is_zero()
    }

    fn refuse(&self, action: &str) -> DomainError {
        DomainError::conflict(
            "transition_not_allowed",
            format!("La réservation est {} : elle ne peut pas être {action}.", self.status.label_fr()),
        )
    }

    pub fn check_can_decide(&self, action: &str) -> Result<(), DomainError> {
        if self.status != BookingStatus::Requested {
            return Err(self.refuse(action));
        }
        Ok(())
    }

    /// Why the booking may expire now, if it may.
    pub fn expiry(
        &self,
        now: DateTime<Utc>,
    ) -> Result<salle_events::catalog::room::ExpiryReason, DomainError> {
        use salle_events::catalog::room::ExpiryReason;
        match (self.status, self.pay_by) {
            (BookingStatus::Requested, _) if now >= self.decide_by => Ok(ExpiryReason::NoDecision),
            (BookingStatus::Approved, Some(pay_by)) if now >= pay_by => Ok(ExpiryReason::NotPaid),
            (BookingStatus::Requested | BookingStatus::Approved, _) => Err(DomainError::conflict(
                "not_expired_yet",
                "Le délai de cette réservation n'est pas écoulé : elle n'expire pas encore.",
            )),
            _ => Err(self.refuse("expirée")),
        }
    }

    /// Whether this payment was already recorded (a repeated notice of it).
    pub fn has_payment(&self, payment_ref: &str) -> bool {
        self.payment_ref.as_deref() == Some(payment_ref)
    }

    pub fn check_can_pay(&self, amount: Money) -> Result<(), DomainError> {
        if self.status != BookingStatus::Approved {
            return Err(self.refuse("payée"));
        }
        if self.is_free() {
            return Err(DomainError::conflict(
                "free_booking",
                "Cette réservation est gratuite : rien à payer.",
            ));
        }
        if amount != self.price {
            return Err(DomainError::rule(
                "wrong_amount",
                format!(
                    "Le paiement reçu ({amount}) ne correspond pas au prix de la réservation ({}).",
                    self.price
                ),
            ));
        }
        Ok(())
    }

    /// What cancelling now returns to the association, or why it cannot be cancelled.
    pub fn refund_on_cancel(
        &self,
        by: CancelledBy,
        now: DateTime<Utc>,
        policy: &CancellationPolicy,
    ) -> Result<Money, DomainError> {
        let cancellable = match by {
            CancelledBy::Association => {
                matches!(
                    self.status,
                    BookingStatus::Requested | BookingStatus::Approved | BookingStatus::Paid
                )
            }
            CancelledBy::Manager => matches!(self.status, BookingStatus::Approved | BookingStatus::Paid),
        };
        if !cancellable {
            return Err(self.refuse("annulée"));
        }
        if now >= self.slot.start() {
            return Err(DomainError::conflict(
                "slot_started",
                "Le créneau a commencé : la réservation ne peut plus être annulée.",
            ));
        }
        let Some(paid) = self.paid else { return Ok(Money::ZERO) };
        let percent = match by {
            CancelledBy::Manager => 100,
            CancelledBy::Association => {
                let notice = self.slot.start() - now;
                if notice >= Duration::hours(policy.full_refund_hours as i64) {
                    100
                } else if notice >= Duration::hours(policy.partial_refund_hours as i64) {
                    policy.partial_refund_percent
                } else {
                    0
                }
            }
        };
        Ok(paid.percent(percent))
    }

    pub fn check_can_complete(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let ready =
            self.status == BookingStatus::Paid || (self.status == BookingStatus::Approved && self.is_free());
        if !ready {
            return Err(self.refuse("terminée"));
        }
        if now < self.slot.end() {
            return Err(DomainError::conflict("slot_not_over", "Le créneau n'est pas encore terminé."));
        }
        Ok(())
    }

    /// How much may still be granted back after the slot.
    pub fn refundable_after_slot(&self) -> Result<Money, DomainError> {
        if !matches!(self.status, BookingStatus::Completed | BookingStatus::Settled) {
            return Err(DomainError::conflict(
                "transition_not_allowed",
                format!(
                    "La réservation est {} : un remboursement après le créneau n'est possible qu'une fois le créneau terminé.",
                    self.status.label_fr()
                ),
            ));
        }
        let paid = self.paid.unwrap_or(Money::ZERO);
        Ok(Money { amount_cents: paid.amount_cents - self.granted_back.amount_cents, ..paid })
    }

    pub fn check_can_settle(&self) -> Result<Money, DomainError> {
        if self.status != BookingStatus::Completed || self.is_free() {
            return Err(self.refuse("reversée"));
        }
        Ok(self.paid.unwrap_or(self.price))
    }
}
