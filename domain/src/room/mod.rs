//! The room aggregate. The room's stream owns its rules *and* its bookings, so
//! the one expected-version check of an append decides between two
//! overlapping requests: both are decided on the same version, only one can
//! be appended, the other is decided again and finds the slot taken.
//!
//! - this file: the room's state and how its events fold into it.
//! - [`command`]: the commands, and what a request brings from outside the room.
//! - `decide`: each command's decision.
//! - `checks`: the rules a request must meet (requester, slot, price), shared with series.
//! - [`series`]: a weekly series expanded into dates, each kept or skipped with its reason.

mod checks;
pub mod command;
mod decide;
pub mod series;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::CancellationPolicy;
use salle_events::catalog::room::{BookingConstraints, CancelledBy, OpeningRules, RoomDetails, RoomEvent};
use salle_events::catalog::{Money, category};
use uuid::Uuid;

use crate::booking::{Booking, BookingStatus};
use crate::calendar::Calendar;
use crate::opening::{Blackout, check_slot, validate_rules};
use crate::tariff::{MAX_HOURLY_RATE_CENTS, TariffVersion, price};
use crate::time::{Slot, fr_date};
use crate::{Aggregate, DomainError, optional_text, text};

pub const MAX_CAPACITY: u32 = 10_000;
pub const MAX_EQUIPMENT: usize = 30;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Room {
    pub id: Option<Uuid>,
    pub establishment_id: Uuid,
    pub details: Option<RoomDetails>,
    pub opening: OpeningRules,
    pub constraints: BookingConstraints,
    pub blackouts: BTreeMap<Uuid, Blackout>,
    pub blocks: BTreeMap<Uuid, (Slot, String)>,
    pub withdrawn: bool,
    pub bookings: BTreeMap<Uuid, Booking>,
    pub series: BTreeMap<Uuid, Vec<Uuid>>,
}

impl Room {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn booking(&self, booking_id: Uuid) -> Result<&Booking, DomainError> {
        self.bookings
            .get(&booking_id)
            .ok_or_else(|| DomainError::not_found("booking_not_found", "Cette réservation n'existe pas."))
    }

    pub fn active_bookings(&self) -> impl Iterator<Item = &Booking> {
        self.bookings.values().filter(|b| b.is_active())
    }

    pub fn blackout_list(&self) -> Vec<Blackout> {
        self.blackouts.values().cloned().collect()
    }

    /// What already occupies `slot` (buffer included), as a sentence.
    fn occupied(&self, slot: &Slot) -> Option<String> {
        let buffer = self.constraints.buffer_minutes;
        if let Some(b) = self.active_bookings().find(|b| b.slot.overlaps(slot, buffer)) {
            let with_buffer = if buffer > 0 {
                format!(" (avec {buffer} min entre deux réservations)")
            } else {
                String::new()
            };
            return Some(format!(
                "Le créneau est déjà réservé de {} à {}{with_buffer}.",
                b.slot.local_start().format("%H:%M"),
                b.slot.local_end().format("%H:%M")
            ));
        }
        self.blocks.values().find(|(s, _)| s.overlaps(slot, buffer)).map(|(s, reason)| {
            format!(
                "L'établissement utilise la salle de {} à {} ({reason}).",
                s.local_start().format("%H:%M"),
                s.local_end().format("%H:%M")
            )
        })
    }
}

impl Aggregate for Room {
    type Event = RoomEvent;
    const CATEGORY: &'static str = category::ROOM;

    fn evolve(mut self, event: &RoomEvent) -> Self {
        match event {
            RoomEvent::RoomAdded { room_id, establishment_id, details, opening, constraints, .. } => {
                self.id = Some(*room_id);
                self.establishment_id = *establishment_id;
                self.details = Some(details.clone());
                self.opening = opening.clone();
                self.constraints = *constraints;
            }
            RoomEvent::RoomDetailsChanged { details } => self.details = Some(details.clone()),
            RoomEvent::OpeningRulesSet { opening } => self.opening = opening.clone(),
            RoomEvent::BookingConstraintsSet { constraints } => self.constraints = *constraints,
            RoomEvent::BlackoutAdded { blackout_id, first_day, last_day, reason } => {
                self.blackouts.insert(
                    *blackout_id,
                    Blackout { first_day: *first_day, last_day: *last_day, reason: reason.clone() },
                );
            }
            RoomEvent::BlackoutRemoved { blackout_id } => {
                self.blackouts.remove(blackout_id);
            }
            RoomEvent::InternalBlockAdded { block_id, start, end, reason } => {
                if let Ok(slot) = Slot::new(*start, *end) {
                    self.blocks.insert(*block_id, (slot, reason.clone()));
                }
            }
            RoomEvent::InternalBlockRemoved { block_id } => {
                self.blocks.remove(block_id);
            }
            RoomEvent::RoomWithdrawn { .. } => self.withdrawn = true,
            RoomEvent::RoomReinstated { .. } => self.withdrawn = false,
            RoomEvent::BookingRequested {
                booking_id,
                association_id,
                category,
                start,
                end,
                attendees,
                purpose,
                price,
                tariff_version,
                series_id,
                requested_at,
                decide_by,
            } => {
                if let Ok(slot) = Slot::new(*start, *end) {
                    self.bookings.insert(
                        *booking_id,
                        Booking {
                            id: *booking_id,
                            association_id: *association_id,
                            category: *category,
                            slot,
                            attendees: *attendees,
                            purpose: purpose.clone(),
                            price: *price,
                            tariff_version: *tariff_version,
                            series_id: *series_id,
                            status: BookingStatus::Requested,
                            requested_at: *requested_at,
                            decide_by: *decide_by,
                            pay_by: None,
                            paid: None,
                            payment_ref: None,
                            transfer_ref: None,
                            refund: None,
                            granted_back: Money::ZERO,
                            reminded: vec![],
                        },
                    );
                }
                if let Some(series) = series_id {
                    self.series.entry(*series).or_default().push(*booking_id);
                }
            }
            RoomEvent::WeeklySeriesRequested { .. } => {}
            RoomEvent::BookingApproved { booking_id, pay_by, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.status = BookingStatus::Approved;
                    b.pay_by = *pay_by;
                }
            }
            RoomEvent::BookingRejected { booking_id, .. } => {
                self.set_status(*booking_id, BookingStatus::Rejected)
            }
            RoomEvent::BookingExpired { booking_id, .. } => {
                self.set_status(*booking_id, BookingStatus::Expired)
            }
            RoomEvent::BookingPaid { booking_id, amount, payment_ref, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.status = BookingStatus::Paid;
                    b.paid = Some(*amount);
                    b.payment_ref = Some(payment_ref.clone());
                }
            }
            RoomEvent::BookingCancelled { booking_id, refund, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.status = BookingStatus::Cancelled;
                    b.refund = Some(*refund);
                }
            }
            RoomEvent::BookingCompleted { booking_id, .. } => {
                self.set_status(*booking_id, BookingStatus::Completed)
            }
            RoomEvent::BookingSettled { booking_id, transfer_ref, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.status = BookingStatus::Settled;
                    b.transfer_ref = Some(transfer_ref.clone());
                }
            }
            RoomEvent::RefundGranted { booking_id, amount, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.granted_back.amount_cents += amount.amount_cents;
                }
            }
            RoomEvent::BookingReminded { booking_id, reminder, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.reminded.push(*reminder);
                }
            }
            // The conversation changes nothing the room decides on.
            RoomEvent::MessagePosted { .. } => {}
        }
        self
    }
}

impl Room {
    fn set_status(&mut self, booking_id: Uuid, status: BookingStatus) {
        if let Some(b) = self.bookings.get_mut(&booking_id) {
            b.status = status;
        }
    }
}

pub(crate) use checks::{approval, check_requester, check_slot_for, with_automatic_approval};
use checks::{request_booking, validate_constraints, validate_details};
pub use command::{BookingRequest, RequestContext, RoomCommand, SeriesRequest};
pub use decide::{MESSAGE_MAX_CHARS, decide};
