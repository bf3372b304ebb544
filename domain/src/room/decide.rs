//! Each command's decision on the room's current state.

use super::*;
use salle_events::catalog::FreeText;

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
        RoomCommand::Together(commands) => {
            let (mut state, mut events) = (room.clone(), vec![]);
            for command in commands {
                let decided = decide(&state, command)?;
                state = decided.iter().fold(state, |s, e| s.evolve(e));
                events.extend(decided);
            }
            if events.is_empty() {
                return Err(DomainError::rule(
                    "nothing_to_change",
                    "Rien à changer : aucun champ n'est donné.",
                ));
            }
            Ok(events)
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
            let booking = room.booking(booking_id)?;
            booking.check_can_decide("refusée")?;
            let reason = FreeText::new(booking_id, "rejection", booking.association_id, reason);
            Ok(vec![RoomEvent::BookingRejected { booking_id, by, reason, at: now }])
        }
        RoomCommand::RejectSeries { series_id, by, reason, now } => {
            let reason = text("invalid_reason", "Le motif du refus", &reason, 500)?;
            let pending = pending_of_series(room, series_id)?;
            // One text for the dates rejected together.
            let key = format!("rejection:{}", now.timestamp_micros());
            Ok(pending
                .into_iter()
                .map(|b| {
                    let reason = FreeText::new(series_id, &key, b.association_id, reason.clone());
                    RoomEvent::BookingRejected { booking_id: b.id, by, reason, at: now }
                })
                .collect())
        }
        RoomCommand::Remind { booking_id, reminder, now } => {
            if !room.booking(booking_id)?.check_reminder(reminder, now)? {
                return Ok(vec![]);
            }
            Ok(vec![RoomEvent::BookingReminded { booking_id, reminder, at: now }])
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
            let booking = room.booking(booking_id)?;
            let refund = booking.refund_on_cancel(by, now, &policy)?;
            let reason = FreeText::new(booking_id, "cancellation", booking.association_id, reason);
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
        RoomCommand::PostMessage { booking_id, message_id, by, author, text: words, now } => {
            let words = text("invalid_text", "Le message", &words, MESSAGE_MAX_CHARS)?;
            let booking = room.booking(booking_id)?;
            let text = FreeText::new(message_id, "message", booking.association_id, words);
            Ok(vec![RoomEvent::MessagePosted { booking_id, message_id, by, author, text, at: now }])
        }
        RoomCommand::GrantRefund { booking_id, amount, by, reason, now } => {
            let reason = text("invalid_reason", "Le motif du remboursement", &reason, 500)?;
            let booking = room.booking(booking_id)?;
            let left = booking.refundable_after_slot()?;
            let key = format!("refund:{}", now.timestamp_micros());
            let reason = FreeText::new(booking_id, &key, booking.association_id, reason);
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

/// The longest message of a booking's conversation, in characters (about
/// a page of text: what a letter says, not a document; those are uploads).
pub const MESSAGE_MAX_CHARS: usize = 4000;

pub(super) fn pending_of_series(room: &Room, series_id: Uuid) -> Result<Vec<&Booking>, DomainError> {
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
