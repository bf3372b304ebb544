//! The room aggregate. The room's stream owns its rules *and* its bookings, so
//! the one expected-version check of an append decides between two
//! overlapping requests: both are decided on the same version, only one can
//! be appended, the other is decided again and finds the slot taken.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::CancellationPolicy;
use salle_events::catalog::room::{BookingConstraints, CancelledBy, OpeningRules, RoomDetails, RoomEvent};
use salle_events::catalog::{Money, category};
use uuid::Uuid;

use super::booking::{Booking, BookingStatus};
use super::calendar::Calendar;
use super::opening::{Blackout, check_slot, validate_rules};
use super::slot::{Slot, fr_date};
use super::tariff::{MAX_HOURLY_RATE_CENTS, TariffVersion, price};
use super::{Aggregate, DomainError, optional_text, text};

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

/// Everything a booking request needs from outside the room's stream.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub now: DateTime<Utc>,
    /// A suspended establishment takes no new requests.
    pub establishment_active: bool,
    /// Whether the establishment can be paid (its payout account receives
    /// transfers); if not, only free slots can be requested.
    pub accepts_payments: bool,
    /// The establishment's grid, or the département's default.
    pub tariff: Option<TariffVersion>,
    pub calendar: Arc<Calendar>,
}

#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub booking_id: Uuid,
    pub association_id: Uuid,
    pub category: RequesterCategory,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub attendees: u32,
    pub purpose: String,
}

/// "Every Tuesday 18:00–20:00 from 8 September to 30 June": the weekday is
/// the first day's.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    pub series_id: Uuid,
    pub association_id: Uuid,
    pub category: RequesterCategory,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub attendees: u32,
    pub purpose: String,
}

#[derive(Debug, Clone)]
pub enum RoomCommand {
    Add {
        room_id: Uuid,
        establishment_id: Uuid,
        details: RoomDetails,
        opening: OpeningRules,
        constraints: BookingConstraints,
        now: DateTime<Utc>,
    },
    ChangeDetails {
        details: RoomDetails,
    },
    SetOpening {
        opening: OpeningRules,
    },
    SetConstraints {
        constraints: BookingConstraints,
    },
    AddBlackout {
        blackout_id: Uuid,
        first_day: NaiveDate,
        last_day: NaiveDate,
        reason: String,
    },
    RemoveBlackout {
        blackout_id: Uuid,
    },
    AddInternalBlock {
        block_id: Uuid,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reason: String,
    },
    RemoveInternalBlock {
        block_id: Uuid,
    },
    Withdraw {
        reason: String,
        now: DateTime<Utc>,
    },
    Reinstate {
        now: DateTime<Utc>,
    },
    RequestBooking {
        request: BookingRequest,
        context: RequestContext,
    },
    RequestSeries {
        request: SeriesRequest,
        context: RequestContext,
    },
    Approve {
        booking_id: Uuid,
        by: Uuid,
        now: DateTime<Utc>,
    },
    ApproveSeries {
        series_id: Uuid,
        by: Uuid,
        now: DateTime<Utc>,
    },
    Reject {
        booking_id: Uuid,
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
    RejectSeries {
        series_id: Uuid,
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
    Expire {
        booking_id: Uuid,
        now: DateTime<Utc>,
    },
    RecordPayment {
        booking_id: Uuid,
        amount: Money,
        payment_ref: String,
        now: DateTime<Utc>,
    },
    Cancel {
        booking_id: Uuid,
        by: CancelledBy,
        actor: Uuid,
        reason: String,
        policy: CancellationPolicy,
        now: DateTime<Utc>,
    },
    Complete {
        booking_id: Uuid,
        now: DateTime<Utc>,
    },
    Settle {
        booking_id: Uuid,
        transfer_ref: String,
        now: DateTime<Utc>,
    },
    /// Money given back after the slot, by the establishment's manager.
    GrantRefund {
        booking_id: Uuid,
        amount: Money,
        by: Uuid,
        reason: String,
        now: DateTime<Utc>,
    },
}

pub fn decide(room: &Room, command: RoomCommand) -> Result<Vec<RoomEvent>, DomainError> {
    if let RoomCommand::Add { room_id, establishment_id, details, opening, constraints, now } = command {
        if room.exists() {
            return Err(DomainError::conflict("room_exists", "Cette salle existe déjà."));
        }
        let details = validate_details(details)?;
        validate_rules(&opening)?;
        validate_constraints(&constraints)?;
        return Ok(vec![RoomEvent::RoomAdded {
            room_id,
            establishment_id,
            details,
            opening,
            constraints,
            added_at: now,
        }]);
    }
    if !room.exists() {
        return Err(DomainError::not_found("room_not_found", "Cette salle n'existe pas."));
    }
    match command {
        RoomCommand::Add { .. } => Err(DomainError::conflict("room_exists", "Cette salle existe déjà.")),
        RoomCommand::ChangeDetails { details } => {
            let details = validate_details(details)?;
            if let Some(over) = room.active_bookings().find(|b| {
                matches!(b.status, BookingStatus::Requested | BookingStatus::Approved | BookingStatus::Paid)
                    && b.attendees > details.capacity
            }) {
                return Err(DomainError::conflict(
                    "capacity_below_bookings",
                    format!(
                        "Une réservation active du {} compte {} personnes : la capacité ne peut pas descendre à {}.",
                        fr_date(over.slot.local_date()),
                        over.attendees,
                        details.capacity
                    ),
                ));
            }
            Ok(vec![RoomEvent::RoomDetailsChanged { details }])
        }
        RoomCommand::SetOpening { opening } => {
            validate_rules(&opening)?;
            Ok(vec![RoomEvent::OpeningRulesSet { opening }])
        }
        RoomCommand::SetConstraints { constraints } => {
            validate_constraints(&constraints)?;
            Ok(vec![RoomEvent::BookingConstraintsSet { constraints }])
        }
        RoomCommand::AddBlackout { blackout_id, first_day, last_day, reason } => {
            let reason = text("invalid_reason", "Le motif", &reason, 200)?;
            if last_day < first_day {
                return Err(DomainError::rule(
                    "invalid_period",
                    "La fermeture doit finir après son premier jour.",
                ));
            }
            if (last_day - first_day).num_days() > 366 {
                return Err(DomainError::rule("period_too_long", "Une fermeture dure au plus un an."));
            }
            let hit = room.active_bookings().find(|b| {
                let day = b.slot.local_date();
                first_day <= day && day <= last_day
            });
            if let Some(b) = hit {
                return Err(DomainError::conflict(
                    "bookings_in_period",
                    format!(
                        "Une réservation active existe le {} : annulez-la avant de fermer la salle.",
                        fr_date(b.slot.local_date())
                    ),
                ));
            }
            Ok(vec![RoomEvent::BlackoutAdded { blackout_id, first_day, last_day, reason }])
        }
        RoomCommand::RemoveBlackout { blackout_id } => {
            if !room.blackouts.contains_key(&blackout_id) {
                return Err(DomainError::not_found("blackout_not_found", "Cette fermeture n'existe pas."));
            }
            Ok(vec![RoomEvent::BlackoutRemoved { blackout_id }])
        }
        RoomCommand::AddInternalBlock { block_id, start, end, reason } => {
            let reason = text("invalid_reason", "Le motif", &reason, 200)?;
            let slot = Slot::new(start, end)?;
            if slot.duration() > Duration::days(31) {
                return Err(DomainError::rule(
                    "block_too_long",
                    "Un blocage dure au plus 31 jours ; utilisez une fermeture.",
                ));
            }
            if let Some(b) = room.active_bookings().find(|b| b.slot.overlaps(&slot, 0)) {
                return Err(DomainError::conflict(
                    "slot_taken",
                    format!(
                        "Une réservation active occupe la salle le {} de {} à {}.",
                        fr_date(b.slot.local_date()),
                        b.slot.local_start().format("%H:%M"),
                        b.slot.local_end().format("%H:%M")
                    ),
                ));
            }
            Ok(vec![RoomEvent::InternalBlockAdded { block_id, start, end, reason }])
        }
        RoomCommand::RemoveInternalBlock { block_id } => {
            if !room.blocks.contains_key(&block_id) {
                return Err(DomainError::not_found("block_not_found", "Ce blocage n'existe pas."));
            }
            Ok(vec![RoomEvent::InternalBlockRemoved { block_id }])
        }
        RoomCommand::Withdraw { reason, now } => {
            if room.withdrawn {
                return Err(DomainError::conflict("room_withdrawn", "Cette salle est déjà retirée."));
            }
            let reason = text("invalid_reason", "Le motif", &reason, 200)?;
            Ok(vec![RoomEvent::RoomWithdrawn { reason, at: now }])
        }
        RoomCommand::Reinstate { now } => {
            if !room.withdrawn {
                return Err(DomainError::conflict("room_not_withdrawn", "Cette salle n'est pas retirée."));
            }
            Ok(vec![RoomEvent::RoomReinstated { at: now }])
        }
        RoomCommand::RequestBooking { request, context } => request_booking(room, request, &context),
        RoomCommand::RequestSeries { request, context } => {
            super::series::request_series(room, request, &context)
        }
        RoomCommand::Approve { booking_id, by, now } => {
            let booking = room.booking(booking_id)?;
            booking.check_can_decide("approuvée")?;
            Ok(vec![approval(room, booking, Some(by), now)])
        }
        RoomCommand::ApproveSeries { series_id, by, now } => {
            let pending = pending_of_series(room, series_id)?;
            Ok(pending.into_iter().map(|b| approval(room, b, Some(by), now)).collect())
        }
        RoomCommand::Reject { booking_id, by, reason, now } => {
            let reason = text("invalid_reason", "Le motif du refus", &reason, 500)?;
            room.booking(booking_id)?.check_can_decide("refusée")?;
            Ok(vec![RoomEvent::BookingRejected { booking_id, by, reason, at: now }])
        }
        RoomCommand::RejectSeries { series_id, by, reason, now } => {
            let reason = text("invalid_reason", "Le motif du refus", &reason, 500)?;
            let pending = pending_of_series(room, series_id)?;
            Ok(pending
                .into_iter()
                .map(|b| RoomEvent::BookingRejected { booking_id: b.id, by, reason: reason.clone(), at: now })
                .collect())
        }
        RoomCommand::Expire { booking_id, now } => {
            let reason = room.booking(booking_id)?.expiry(now)?;
            Ok(vec![RoomEvent::BookingExpired { booking_id, reason, at: now }])
        }
        RoomCommand::RecordPayment { booking_id, amount, payment_ref, now } => {
            let booking = room.booking(booking_id)?;
            if booking.has_payment(&payment_ref) {
                return Ok(vec![]);
            }
            booking.check_can_pay(amount)?;
            let payment_ref = text("invalid_payment_ref", "La référence du paiement", &payment_ref, 200)?;
            Ok(vec![RoomEvent::BookingPaid { booking_id, amount, payment_ref, at: now }])
        }
        RoomCommand::Cancel { booking_id, by, actor, reason, policy, now } => {
            let reason = optional_text("invalid_reason", "Le motif de l'annulation", &reason, 500)?;
            let refund = room.booking(booking_id)?.refund_on_cancel(by, now, &policy)?;
            Ok(vec![RoomEvent::BookingCancelled { booking_id, by, actor, reason, refund, at: now }])
        }
        RoomCommand::Complete { booking_id, now } => {
            room.booking(booking_id)?.check_can_complete(now)?;
            Ok(vec![RoomEvent::BookingCompleted { booking_id, at: now }])
        }
        RoomCommand::Settle { booking_id, transfer_ref, now } => {
            let booking = room.booking(booking_id)?;
            if booking.transfer_ref.as_deref() == Some(transfer_ref.as_str()) {
                return Ok(vec![]);
            }
            let amount = booking.check_can_settle()?;
            let transfer_ref = text("invalid_transfer_ref", "La référence du virement", &transfer_ref, 200)?;
            Ok(vec![RoomEvent::BookingSettled { booking_id, amount, transfer_ref, at: now }])
        }
        RoomCommand::GrantRefund { booking_id, amount, by, reason, now } => {
            let reason = text("invalid_reason", "Le motif du remboursement", &reason, 500)?;
            let left = room.booking(booking_id)?.refundable_after_slot()?;
            if amount.amount_cents <= 0 {
                return Err(DomainError::rule(
                    "invalid_amount",
                    "Le montant à rembourser doit être positif.",
                ));
            }
            if amount.amount_cents > left.amount_cents {
                return Err(DomainError::rule(
                    "refund_too_large",
                    format!(
                        "Il reste au plus {left} à rembourser sur cette réservation ({amount} demandés)."
                    ),
                ));
            }
            Ok(vec![RoomEvent::RefundGranted { booking_id, amount, by, reason, at: now }])
        }
    }
}

fn pending_of_series(room: &Room, series_id: Uuid) -> Result<Vec<&Booking>, DomainError> {
    let ids = room
        .series
        .get(&series_id)
        .ok_or_else(|| DomainError::not_found("series_not_found", "Cette série n'existe pas."))?;
    let pending: Vec<&Booking> = ids
        .iter()
        .filter_map(|id| room.bookings.get(id))
        .filter(|b| b.status == BookingStatus::Requested)
        .collect();
    if pending.is_empty() {
        return Err(DomainError::conflict(
            "nothing_to_decide",
            "Aucune date de cette série n'attend de décision.",
        ));
    }
    Ok(pending)
}

/// The approval of a requested booking: free ones need no payment.
pub(crate) fn approval(room: &Room, booking: &Booking, by: Option<Uuid>, now: DateTime<Utc>) -> RoomEvent {
    let pay_by = (!booking.is_free()).then(|| {
        (now + Duration::hours(room.constraints.payment_hold_hours as i64)).min(booking.slot.start())
    });
    RoomEvent::BookingApproved { booking_id: booking.id, by, at: now, pay_by }
}

/// Checks that hold for the whole request whatever the date: the room takes
/// requests, the group fits, the purpose is given.
pub(crate) fn check_requester<'r>(
    room: &'r Room,
    attendees: u32,
    purpose: &str,
    context: &RequestContext,
) -> Result<(String, &'r RoomDetails), DomainError> {
    let details = room
        .details
        .as_ref()
        .ok_or_else(|| DomainError::not_found("room_not_found", "Cette salle n'existe pas."))?;
    if room.withdrawn {
        return Err(DomainError::rule("room_withdrawn", "Cette salle n'est plus proposée à la réservation."));
    }
    if !context.establishment_active {
        return Err(DomainError::rule(
            "establishment_suspended",
            "Cet établissement ne prend pas de réservations pour le moment.",
        ));
    }
    let purpose = text("invalid_purpose", "L'objet de la réservation", purpose, 300)?;
    if attendees == 0 {
        return Err(DomainError::rule(
            "invalid_attendees",
            "Indiquez le nombre de participants (au moins 1).",
        ));
    }
    if attendees > details.capacity {
        return Err(DomainError::rule(
            "over_capacity",
            format!("La salle accueille au plus {} personnes ({} demandées).", details.capacity, attendees),
        ));
    }
    Ok((purpose, details))
}

/// Checks of one slot: duration, notice, horizon, opening rules, occupation.
/// Returns the price it would cost.
pub(crate) fn check_slot_for(
    room: &Room,
    details: &RoomDetails,
    slot: &Slot,
    category: RequesterCategory,
    context: &RequestContext,
) -> Result<(Money, Option<u32>), DomainError> {
    let c = &room.constraints;
    let minutes = slot.duration_minutes();
    if minutes < c.min_duration_minutes as i64 {
        return Err(DomainError::rule(
            "too_short",
            format!("Une réservation dure au moins {} minutes dans cette salle.", c.min_duration_minutes),
        ));
    }
    if minutes > c.max_duration_minutes as i64 {
        return Err(DomainError::rule(
            "too_long",
            format!(
                "Une réservation dure au plus {} dans cette salle.",
                hours_minutes(c.max_duration_minutes)
            ),
        ));
    }
    if slot.start() < context.now + Duration::hours(c.min_notice_hours as i64) {
        return Err(DomainError::rule(
            "short_notice",
            format!("Cette salle se réserve au moins {} heures à l'avance.", c.min_notice_hours),
        ));
    }
    if slot.start() > context.now + Duration::days(c.horizon_days as i64) {
        return Err(DomainError::rule(
            "beyond_horizon",
            format!("Cette salle se réserve au plus {} jours à l'avance.", c.horizon_days),
        ));
    }
    check_slot(&room.opening, &context.calendar, &room.blackout_list(), slot)?;
    if let Some(why) = room.occupied(slot) {
        return Err(DomainError::conflict("slot_taken", why));
    }
    let (amount, version) = price(details.hourly_rate_cents, context.tariff.as_ref(), category, minutes)?;
    if !amount.is_zero() && !context.accepts_payments {
        return Err(DomainError::rule(
            "payments_not_ready",
            format!(
                "Ce créneau coûte {amount}, mais l'établissement ne peut pas encore recevoir de paiements en ligne : \
                 seules les réservations gratuites sont possibles pour le moment."
            ),
        ));
    }
    Ok((amount, version))
}

fn hours_minutes(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02}"),
    }
}

fn request_booking(
    room: &Room,
    request: BookingRequest,
    context: &RequestContext,
) -> Result<Vec<RoomEvent>, DomainError> {
    if room.bookings.contains_key(&request.booking_id) {
        return Err(DomainError::conflict("booking_exists", "Cette réservation existe déjà."));
    }
    let (purpose, details) = check_requester(room, request.attendees, &request.purpose, context)?;
    let slot = Slot::new(request.start, request.end)?;
    let (price, tariff_version) = check_slot_for(room, details, &slot, request.category, context)?;
    let decide_by =
        (context.now + Duration::hours(room.constraints.decision_hold_hours as i64)).min(slot.start());
    let requested = RoomEvent::BookingRequested {
        booking_id: request.booking_id,
        association_id: request.association_id,
        category: request.category,
        start: slot.start(),
        end: slot.end(),
        attendees: request.attendees,
        purpose,
        price,
        tariff_version,
        series_id: None,
        requested_at: context.now,
        decide_by,
    };
    Ok(with_automatic_approval(room, details, requested, context.now))
}

/// Appends the approval when the room approves by itself.
pub(crate) fn with_automatic_approval(
    room: &Room,
    details: &RoomDetails,
    requested: RoomEvent,
    now: DateTime<Utc>,
) -> Vec<RoomEvent> {
    use salle_events::catalog::room::ApprovalMode;
    if details.approval != ApprovalMode::Automatic {
        return vec![requested];
    }
    let after = room.clone().evolve(&requested);
    let approved =
        requested.booking_id().and_then(|id| after.bookings.get(&id)).map(|b| approval(&after, b, None, now));
    let mut events = vec![requested];
    events.extend(approved);
    events
}

fn validate_details(mut details: RoomDetails) -> Result<RoomDetails, DomainError> {
    details.name = text("invalid_name", "Le nom de la salle", &details.name, 120)?;
    details.description = details.description.trim().to_owned();
    if details.description.chars().count() > 2000 {
        return Err(DomainError::rule("invalid_description", "La description dépasse 2000 caractères."));
    }
    if details.capacity == 0 || details.capacity > MAX_CAPACITY {
        return Err(DomainError::rule(
            "invalid_capacity",
            format!("La capacité va de 1 à {MAX_CAPACITY} personnes (reçu : {}).", details.capacity),
        ));
    }
    if details.area_m2.is_some_and(|a| a == 0 || a > 100_000) {
        return Err(DomainError::rule("invalid_area", "La surface va de 1 à 100 000 m²."));
    }
    details.equipment.sort();
    details.equipment.dedup();
    if details.equipment.len() > MAX_EQUIPMENT {
        return Err(DomainError::rule("too_much_equipment", format!("Au plus {MAX_EQUIPMENT} équipements.")));
    }
    if details.hourly_rate_cents.is_some_and(|r| !(0..=MAX_HOURLY_RATE_CENTS).contains(&r)) {
        return Err(DomainError::rule(
            "invalid_rate",
            format!("Le tarif horaire va de 0 à {}.", Money::eur(MAX_HOURLY_RATE_CENTS)),
        ));
    }
    Ok(details)
}

fn validate_constraints(c: &BookingConstraints) -> Result<(), DomainError> {
    let checks: [(bool, &str, &str); 7] = [
        (c.min_duration_minutes >= 15, "invalid_min_duration", "Une réservation dure au moins 15 minutes."),
        (
            c.max_duration_minutes >= c.min_duration_minutes && c.max_duration_minutes <= 24 * 60,
            "invalid_max_duration",
            "La durée maximale va de la durée minimale à 24 heures.",
        ),
        (
            c.buffer_minutes <= 240,
            "invalid_buffer",
            "Le battement entre deux réservations est d'au plus 4 heures.",
        ),
        (c.min_notice_hours <= 90 * 24, "invalid_notice", "Le délai de prévenance est d'au plus 90 jours."),
        (
            (1..=730).contains(&c.horizon_days),
            "invalid_horizon",
            "L'horizon de réservation va de 1 à 730 jours.",
        ),
        (
            (1..=30 * 24).contains(&c.decision_hold_hours),
            "invalid_decision_hold",
            "Le délai de décision va de 1 heure à 30 jours.",
        ),
        (
            (1..=30 * 24).contains(&c.payment_hold_hours),
            "invalid_payment_hold",
            "Le délai de paiement va de 1 heure à 30 jours.",
        ),
    ];
    match checks.into_iter().find(|(ok, _, _)| !ok) {
        Some((_, code, message)) => Err(DomainError::rule(code, message)),
        None => Ok(()),
    }
}
