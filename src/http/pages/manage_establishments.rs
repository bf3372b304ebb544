//! The managers' and admins' establishment pages: the establishments in
//! their care (all for admins), one establishment's week, payout account and
//! rooms, and adding a room. A manager sees only the establishments in their
//! care (404 for any other). A refused form is shown again with what was
//! typed and why.

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, Utc};
use salle_events::catalog::room::{ApprovalMode, RoomDetails};
use salle_web::Lang;
use salle_web::establishment_admin::{EstablishmentAdmin, ManagerLine};
use salle_web::manage::{
    self as views, EstablishmentLine, EstablishmentPage, NewRoomValues, Payout, RoomLine, WeekGrid,
};
use uuid::Uuid;

use crate::app::accounts::{self, Role};
use crate::app::rooms::{self, NewRoom};
use crate::app::{App, AppError, Caller, access};
use crate::domain::establishment::Establishment;
use crate::http::pages::form::{SignedInPost, refused};
use crate::http::pages::labels::{day_slots, kind_label, kinds};
use crate::http::pages::manage_rooms::{parse_capacity, parse_kind, parse_rate};
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::{PageError, see_other};

/// `GET /etablissements`: the establishments the visitor runs (all for admins).
#[get("/etablissements")]
pub async fn establishments_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Manager, Role::Admin])?;
    let commune_name =
        |insee: &str| state.communes.by_insee(insee).map_or_else(|| insee.to_owned(), |c| c.name.clone());
    let mut list: Vec<EstablishmentLine> = vec![];
    if caller.role() == Role::Manager {
        // A manager's few establishments, read from their streams: one just
        // assigned shows at once.
        for id in accounts::establishments_of(&state.store, caller.user_id()).await? {
            let e = state.commands.establishment(id).await?;
            if e.id.is_none() {
                continue;
            }
            list.push(EstablishmentLine {
                href: format!("/etablissements/{id}/gestion"),
                commune: commune_name(&e.commune_insee),
                rooms: state.search.read_index(|i| i.rooms_of(id).len()),
                active: e.is_active(),
                name: e.name,
            });
        }
        list.sort_by(|a, b| a.name.cmp(&b.name));
    } else {
        for e in state.search.read_index(|i| i.establishment_list(None)) {
            list.push(EstablishmentLine {
                href: format!("/etablissements/{}/gestion", e.establishment_id),
                commune: commune_name(&e.commune_insee),
                name: e.name,
                rooms: e.rooms,
                active: e.active,
            });
        }
    }
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::establishments(&chrome, &list, None)))
}

/// The establishment's page; `week`: any day of the week to show (this one by default).
async fn establishment_view(
    state: &App,
    lang: Lang,
    establishment: &Establishment,
    id: Uuid,
    week: Option<NaiveDate>,
) -> Result<EstablishmentPage, AppError> {
    use chrono::{Datelike, Duration};
    let listed = state.search.read_index(|i| i.rooms_of(id));
    let today = Utc::now().with_timezone(&salle_domain::time::LOCAL_TZ).date_naive();
    let day = week.unwrap_or(today);
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let sunday = monday + Duration::days(6);
    let mut grid = vec![];
    for room in &listed {
        let intervals = salle_projections::availability::room_calendar(
            &state.store,
            &state.commands.calendar,
            room.room_id,
            monday,
            sunday,
        )
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .unwrap_or_default();
        let days = (0..7)
            .map(|offset| day_slots(lang, &intervals, monday + Duration::days(offset), false))
            .collect();
        grid.push((room.name.clone(), days));
    }
    let base = format!("/etablissements/{id}/gestion");
    let week = WeekGrid {
        label: format!("{} – {}", salle_domain::time::fr_date(monday), salle_domain::time::fr_date(sunday)),
        previous: format!("{base}?semaine={}#semaine", monday - Duration::days(7)),
        next: format!("{base}?semaine={}#semaine", monday + Duration::days(7)),
        days: (0..7).map(|o| salle_domain::time::fr_date(monday + Duration::days(o))).collect(),
        rooms: grid,
    };
    let rooms = listed
        .into_iter()
        .map(|r| RoomLine {
            href: format!("/salles/{}/gestion", r.room_id),
            public_href: format!("/salles/{}", r.room_id),
            name: r.name,
            kind: kind_label(lang, r.kind).to_owned(),
            capacity: r.capacity,
            withdrawn: r.withdrawn,
        })
        .collect();
    Ok(EstablishmentPage {
        id: id.to_string(),
        name: establishment.name.clone(),
        address: establishment.address.clone(),
        payout: Payout {
            account: establishment.payout_account.clone(),
            ready: establishment.accepts_payments(),
            provider: state.payments.gateway().provider().to_owned(),
        },
        rooms,
        ledger_href: format!("/grand-livre/{id}"),
        kinds: kinds(lang),
        new_room: NewRoomValues { kind: "multipurpose".into(), ..NewRoomValues::default() },
        error: None,
        notice: None,
        week,
        admin: None,
    })
}

/// The establishment's page as the caller sees it (with the admin's part for admins).
pub(crate) async fn page_for(
    state: &App,
    caller: &Caller,
    lang: Lang,
    establishment: &Establishment,
    id: Uuid,
) -> Result<EstablishmentPage, AppError> {
    let mut page = establishment_view(state, lang, establishment, id, None).await?;
    page.admin = admin_part(state, caller, establishment).await?;
    Ok(page)
}

/// `GET /etablissements/{id}/gestion`: payouts and rooms.
#[get("/etablissements/{id}/gestion")]
pub async fn establishment_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let establishment = access::managed_establishment(&state, &caller, id).await?;
    let week = query
        .get("semaine")
        .map(|d| salle_domain::time::parse_day("semaine", d))
        .transpose()
        .map_err(crate::domain::DomainError::from)?;
    let mut page = establishment_view(&state, visitor.lang, &establishment, id, week).await?;
    page.admin = admin_part(&state, &caller, &establishment).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::establishment(&chrome, &page)))
}

/// `POST /etablissements/{id}/versements`: creates the payout account if
/// needed and sends the manager to the provider's onboarding.
#[post("/etablissements/{id}/versements")]
pub async fn start_payouts(
    state: web::Data<App>,
    SignedInPost { caller, .. }: SignedInPost,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    Ok(see_other(&crate::app::payouts::start(&state, &caller, path.into_inner()).await?))
}

/// `POST /etablissements/{id}/salles`: adds a room, open on school-week
/// evenings until its hours are set.
#[post("/etablissements/{id}/salles")]
pub async fn add_room(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let establishment = access::managed_establishment(&state, &caller, id).await?;
    let typed = NewRoomValues {
        name: fields.get("name"),
        kind: fields.get("kind"),
        capacity: fields.get("capacity"),
        rate: fields.get("rate"),
    };
    let outcome = async {
        if typed.name.is_empty() {
            return Err(refused("Donnez un nom à la salle."));
        }
        let details = RoomDetails {
            name: typed.name.clone(),
            kind: parse_kind(&typed.kind)?,
            capacity: parse_capacity(&typed.capacity)?,
            area_m2: None,
            equipment: vec![],
            step_free: false,
            approval: ApprovalMode::Manual,
            hourly_rate_cents: parse_rate(&typed.rate)?,
            description: String::new(),
        };
        rooms::add(&state, &caller, id, NewRoom::on_weekday_evenings(details)).await
    }
    .await;
    match outcome {
        Ok(room_id) => Ok(see_other(&format!("/salles/{room_id}/gestion?ajoutee=1"))),
        Err(
            e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. } | AppError::BadRequest { .. }),
        ) => {
            let mut page = page_for(&state, &caller, visitor.lang, &establishment, id).await?;
            page.new_room = typed;
            page.error = Some(e.to_string());
            let chrome = visitor.chrome(&state).await;
            Ok(visitor.html(actix_web::ResponseError::status_code(&e), views::establishment(&chrome, &page)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The admin's part of the page; none for a manager.
async fn admin_part(
    state: &App,
    caller: &Caller,
    establishment: &Establishment,
) -> Result<Option<EstablishmentAdmin>, AppError> {
    if caller.role() != Role::Admin {
        return Ok(None);
    }
    let mut managers = vec![];
    for id in &establishment.managers {
        if let Some(a) = accounts::by_id(&state.store, *id).await? {
            managers.push(ManagerLine { user_id: id.to_string(), name: a.name, email: a.email });
        }
    }
    managers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(EstablishmentAdmin {
        name: establishment.name.clone(),
        address: establishment.address.clone(),
        suspended: establishment.suspended,
        reason: String::new(),
        managers,
    }))
}
