//! `GET /reservations/{id}/recu`: the payment receipt of a paid booking;
//! `GET /reservations/{id}/agenda.ics`: the booking as a calendar file.

use actix_web::{HttpResponse, get, web};
use salle_events::catalog::Money;
use salle_web::Lang;
use salle_web::marketplace as views;
use uuid::Uuid;

use crate::app::{App, AppError, bookings};
use crate::http::pages::labels::{local_moment, local_slot};
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::PageError;

/// `GET /reservations/{id}/recu`: the payment receipt of a paid booking,
/// for whoever may see the booking.
#[get("/reservations/{id}/recu")]
pub async fn receipt_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let booking_id = path.into_inner();
    let bookings::BookingRecord { room, booking, history: events, purpose, .. } =
        bookings::show(&state, &caller, booking_id).await?;
    let (Some(paid), Some(payment_ref)) = (booking.paid, booking.payment_ref.clone()) else {
        return Err(
            AppError::NotFound("Cette réservation n'a pas été payée : elle n'a pas de reçu.".into()).into()
        );
    };
    let establishment = state.commands.establishment(room.establishment_id).await?;
    let association = state.commands.association(booking.association_id).await?;
    let paid_on = events
        .iter()
        .find(|e| e.event_type == "BookingPaid")
        .map(|e| local_moment(e.recorded_at))
        .unwrap_or_default();
    let payment = state.commands.payment(booking_id).await?;
    let lang = visitor.lang;
    let issued: Vec<Money> = payment.refunds.values().filter(|(_, done)| *done).map(|(m, _)| *m).collect();
    let refunds = issued
        .iter()
        .map(|m| (if lang == Lang::Fr { "Remboursé" } else { "Refunded" }.to_owned(), m.to_string()))
        .collect();
    let net = Money::eur(paid.amount_cents - issued.iter().map(|m| m.amount_cents).sum::<i64>());
    let identifier = association.identifier.as_ref().map(ToString::to_string).unwrap_or_default();
    let view = views::ReceiptView {
        number: booking_id.simple().to_string()[24..].to_uppercase(),
        booking_href: format!("/reservations/{booking_id}"),
        establishment: establishment.name,
        establishment_address: establishment.address,
        association: association.name,
        association_identifier: identifier,
        room: room.details.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
        when: local_slot(booking.slot.start(), booking.slot.end()),
        purpose: purpose.unwrap_or_else(|| {
            if lang == Lang::Fr {
                "(effacé à la demande de l'association)"
            } else {
                "(erased at the association's request)"
            }
            .to_owned()
        }),
        paid_on,
        amount: paid.to_string(),
        payment_ref,
        refunds,
        net: net.to_string(),
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::receipt(&chrome, &view)))
}

/// `GET /reservations/{id}/agenda.ics`: the booking as a calendar file, for
/// whoever may see it.
#[get("/reservations/{id}/agenda.ics")]
pub async fn booking_calendar(
    state: web::Data<App>,
    SignedIn { caller, .. }: SignedIn,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let booking_id = path.into_inner();
    let body = crate::app::calendars::booking_ics(&state, &caller, booking_id).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"reservation-{booking_id}.ics\""),
        ))
        .body(body))
}
