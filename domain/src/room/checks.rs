//! The rules a request must meet — the room takes requests, the group fits,
//! the slot is open, free and priced — shared by one-off requests and series.

use super::*;
use salle_events::catalog::FreeText;

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

pub(super) fn hours_minutes(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m:02}"),
    }
}

pub(super) fn request_booking(
    room: &Room,
    request: BookingRequest,
    context: &RequestContext,
) -> Result<Vec<RoomEvent>, DomainError> {
    if room.bookings.contains_key(&request.booking_id) {
        return Err(DomainError::conflict("booking_exists", "Cette réservation existe déjà."));
    }
    let (purpose, details) = check_requester(room, request.attendees, &request.purpose, context)?;
    let slot = Slot::new(request.start, request.end)?;
    context.requester.check_can_hold(1)?;
    let category = context.requester.priced_as(request.category);
    let (price, tariff_version) = check_slot_for(room, details, &slot, category, context)?;
    let decide_by =
        (context.now + Duration::hours(room.constraints.decision_hold_hours as i64)).min(slot.start());
    let requested = RoomEvent::BookingRequested {
        booking_id: request.booking_id,
        association_id: request.association_id,
        category,
        start: slot.start(),
        end: slot.end(),
        attendees: request.attendees,
        purpose: FreeText::new(request.booking_id, "purpose", request.association_id, purpose),
        price,
        tariff_version,
        series_id: None,
        requested_at: context.now,
        decide_by,
    };
    Ok(with_automatic_approval(room, details, requested, context))
}

/// Appends the approval when the room approves by itself (never for an
/// association not verified yet: its request waits like any other).
pub(crate) fn with_automatic_approval(
    room: &Room,
    details: &RoomDetails,
    requested: RoomEvent,
    context: &RequestContext,
) -> Vec<RoomEvent> {
    use salle_events::catalog::room::ApprovalMode;
    let now = context.now;
    if details.approval != ApprovalMode::Automatic || context.requester.check_can_be_approved().is_err() {
        return vec![requested];
    }
    let after = room.clone().evolve(&requested);
    let approved =
        requested.booking_id().and_then(|id| after.bookings.get(&id)).map(|b| approval(&after, b, None, now));
    let mut events = vec![requested];
    events.extend(approved);
    events
}

pub(super) fn validate_details(mut details: RoomDetails) -> Result<RoomDetails, DomainError> {
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

pub(super) fn validate_constraints(c: &BookingConstraints) -> Result<(), DomainError> {
    let checks: [(bool, &str, &str); 8] = [
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
            c.min_notice_hours < c.horizon_days.saturating_mul(24),
            "notice_beyond_horizon",
            "Le délai de prévenance doit être plus court que l'horizon de réservation : sinon aucun créneau ne serait réservable.",
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
