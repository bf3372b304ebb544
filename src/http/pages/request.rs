//! `POST /reservations`: a request from the room page, in local dates and
//! times. A weekly series is shown first (what it would book, skip and
//! cost, decided by the same checks as the request) and sent once
//! confirmed. A refused request shows the room page again with what was
//! typed and why.

use actix_web::{HttpResponse, post, web};
use chrono::{NaiveDate, NaiveTime};
use salle_web::marketplace::{self as views};
use uuid::Uuid;

use crate::app::bookings::{self, NewBooking};
use crate::app::{App, AppError, Caller};
use crate::domain::DomainError;
use crate::http::pages::form::{Fields, SignedInPost};
use crate::http::pages::rooms::room_view;
use crate::http::pages::visitor::{PageError, Visitor, see_other};

/// The request form's fields as typed.
fn typed(fields: &Fields) -> views::RequestValues {
    views::RequestValues {
        date: fields.get("date"),
        start: fields.get("start"),
        end: fields.get("end"),
        attendees: fields.get("attendees"),
        purpose: fields.get("purpose"),
        repeat_weekly_until: fields.get("repeat_weekly_until"),
    }
}

/// The request the form describes; each bad field named.
fn parse(room_id: Uuid, typed: &views::RequestValues) -> Result<NewBooking, AppError> {
    let rule = |code: &'static str, message: String| AppError::from(DomainError::rule(code, message));
    let date = |d: &str| salle_domain::time::parse_day("date", d).map_err(|r| rule(r.code, r.message));
    let time = |t: &str| {
        NaiveTime::parse_from_str(t, "%H:%M")
            .map_err(|_| rule("invalid_time", format!("« {t} » n'est pas une heure (HH:MM).")))
    };
    let day = date(&typed.date)?;
    let instant = |t: NaiveTime| salle_domain::time::local_instant(day, t).map_err(DomainError::from);
    let attendees = typed.attendees.parse::<u32>().map_err(|_| {
        rule("invalid_attendees", "Indiquez le nombre de participants (un nombre entier).".into())
    })?;
    let until = match typed.repeat_weekly_until.as_str() {
        "" => None,
        d => Some(date(d)?),
    };
    Ok(NewBooking {
        room_id,
        start: instant(time(&typed.start)?)?,
        end: instant(time(&typed.end)?)?,
        attendees,
        purpose: typed.purpose.clone(),
        repeat_weekly_until: until,
    })
}

/// `POST /reservations`: a request from the room page.
#[post("/reservations")]
pub async fn request(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let room_id = fields.get("room_id").parse::<Uuid>().map_err(|_| AppError::BadRequest {
        code: "invalid_form",
        message: "Ce formulaire ne désigne aucune salle.".into(),
    })?;
    let typed = typed(&fields);
    let confirmed = fields.get("confirmed") == "true";
    let attempt = async {
        let new = parse(room_id, &typed)?;
        if let (Some(until), false) = (new.repeat_weekly_until, confirmed) {
            return preview(&state, &visitor, &caller, &new, until).await.map(Err);
        }
        bookings::place(&state, &caller, &new).await.map(Ok)
    };
    match attempt.await {
        Ok(Err(preview_page)) => Ok(preview_page),
        Ok(Ok(placed)) => Ok(see_other(&format!("/reservations/{}", placed.id))),
        Err(e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. })) => {
            let mut view = room_view(&state, &visitor, room_id, typed.date.parse::<NaiveDate>().ok()).await?;
            // Nothing typed is lost: the form comes back as it was sent.
            view.request = typed;
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::room(&chrome, &view, Some(&e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

/// The page showing what a weekly series would book, skip and cost, with
/// the form's fields to confirm it.
async fn preview(
    state: &App,
    visitor: &Visitor,
    caller: &Caller,
    new: &NewBooking,
    until: NaiveDate,
) -> Result<HttpResponse, AppError> {
    let preview = bookings::preview_series(state, caller, new).await?;
    let booked: Vec<String> = preview.booked.iter().map(|d| salle_domain::time::fr_date(*d)).collect();
    let skipped: Vec<(String, String)> =
        preview.skipped.iter().map(|s| (salle_domain::time::fr_date(s.date), s.message.clone())).collect();
    let (start, end) = (
        new.start.with_timezone(&salle_domain::time::LOCAL_TZ),
        new.end.with_timezone(&salle_domain::time::LOCAL_TZ),
    );
    let fields = vec![
        ("room_id", new.room_id.to_string()),
        ("date", start.date_naive().to_string()),
        ("start", start.format("%H:%M").to_string()),
        ("end", end.format("%H:%M").to_string()),
        ("attendees", new.attendees.to_string()),
        ("purpose", new.purpose.clone()),
        ("repeat_weekly_until", until.to_string()),
    ];
    let chrome = visitor.chrome(state).await;
    Ok(visitor.ok(views::series_preview(
        &chrome,
        &preview.room_name,
        &booked,
        &skipped,
        &preview.total.to_string(),
        &fields,
    )))
}
