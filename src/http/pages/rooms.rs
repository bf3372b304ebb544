//! A room's public page (a week of availability and the request form) and
//! an establishment's, with the rooms it offers.

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use salle_domain::time::LOCAL_TZ;
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_projections::availability::room_calendar;
use salle_web::Lang;
use salle_web::marketplace::{self as views, CalendarDay, RoomView};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::rooms::RoomSheet;
use crate::app::{App, AppError};
use crate::http::pages::labels::{
    category_label, day_slots, equipment_label, establishment_kind_label, kind_label,
};
use crate::http::pages::visitor::{PageError, Visitor};

#[derive(Debug, Deserialize)]
pub struct Week {
    semaine: Option<NaiveDate>,
}

/// `GET /salles/{id}`: the room, a week of availability, the request form.
#[get("/salles/{id}")]
pub async fn room_page(
    state: web::Data<App>,
    visitor: Visitor,
    path: web::Path<Uuid>,
    week: web::Query<Week>,
) -> Result<HttpResponse, PageError> {
    let room_id = path.into_inner();
    let view = room_view(&state, &visitor, room_id, week.semaine).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::room(&chrome, &view, None)))
}

/// `GET /etablissements/{id}`: an establishment and the rooms it offers (anyone).
#[get("/etablissements/{id}")]
pub async fn establishment_page(
    state: web::Data<App>,
    visitor: Visitor,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let establishment = crate::app::access::public_establishment(&state, id).await?;
    let rooms = state
        .search
        .read_index(|i| i.rooms_of(id))
        .into_iter()
        .filter(|r| !r.withdrawn)
        .map(|r| {
            (
                format!("/salles/{}", r.room_id),
                r.name,
                kind_label(visitor.lang, r.kind).to_owned(),
                r.capacity,
            )
        })
        .collect();
    let view = views::EstablishmentView {
        kind_label: establishment
            .kind
            .map(|k| establishment_kind_label(visitor.lang, k))
            .unwrap_or_default()
            .to_owned(),
        commune: state
            .communes
            .by_insee(&establishment.commune_insee)
            .map_or_else(|| establishment.commune_insee.clone(), |c| c.name.clone()),
        accepts_payments: establishment.accepts_payments(),
        suspended: establishment.suspended,
        name: establishment.name,
        address: establishment.address,
        rooms,
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::establishment(&chrome, &view)))
}

/// The room page's content; `week`: any day of the week to show.
pub(crate) async fn room_view(
    state: &App,
    visitor: &Visitor,
    room_id: Uuid,
    week: Option<NaiveDate>,
) -> Result<RoomView, AppError> {
    let RoomSheet { room, details, establishment, tariff, accepts_payments } =
        crate::app::rooms::sheet(state, room_id).await?;
    let today = Utc::now().with_timezone(&LOCAL_TZ).date_naive();
    let monday = {
        let day = match week {
            Some(day) => {
                salle_domain::time::check_day("semaine", day).map_err(crate::domain::DomainError::from)?
            }
            None => today,
        };
        day - Duration::days(day.weekday().num_days_from_monday() as i64)
    };
    let sunday = monday + Duration::days(6);
    let intervals = room_calendar(&state.store, &state.commands.calendar, room_id, monday, sunday)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .unwrap_or_default();
    let days = (0..7)
        .map(|offset| {
            let day = monday + Duration::days(offset);
            CalendarDay {
                label: salle_domain::time::fr_date(day),
                intervals: day_slots(visitor.lang, &intervals, day, true),
            }
        })
        .collect();
    let tariff_lines = match details.hourly_rate_cents {
        Some(rate) => vec![("Toutes catégories".to_owned(), Money::eur(rate).to_string())],
        None => RequesterCategory::ALL
            .iter()
            .filter_map(|category| {
                let rate = tariff.as_ref()?.hourly_rates_cents.get(category)?;
                Some((category_label(Lang::Fr, *category).to_owned(), Money::eur(*rate).to_string()))
            })
            .collect(),
    };
    Ok(RoomView {
        id: room_id.to_string(),
        name: details.name.clone(),
        establishment_name: establishment.name.clone(),
        establishment_href: format!("/etablissements/{}", room.establishment_id),
        address: establishment.address.clone(),
        kind_label: kind_label(visitor.lang, details.kind).to_owned(),
        capacity: details.capacity,
        equipment: details.equipment.iter().map(|e| equipment_label(visitor.lang, *e).to_owned()).collect(),
        step_free: details.step_free,
        description: details.description.clone(),
        approval_label: match details.approval {
            salle_events::catalog::room::ApprovalMode::Automatic => {
                "Réservation confirmée sans attendre".into()
            }
            salle_events::catalog::room::ApprovalMode::Manual => {
                "Chaque demande est approuvée par l'établissement".into()
            }
        },
        tariff: tariff_lines,
        week_label: format!(
            "du {} au {}",
            salle_domain::time::fr_date(monday),
            salle_domain::time::fr_date(sunday)
        ),
        previous_week: format!("/salles/{room_id}?semaine={}#semaine", monday - Duration::days(7)),
        next_week: format!("/salles/{room_id}?semaine={}#semaine", monday + Duration::days(7)),
        days,
        can_request: visitor.account.as_ref().is_some_and(|a| a.role == Role::Association),
        payments_not_ready: !accepts_payments,
        request: views::RequestValues::default(),
    })
}
