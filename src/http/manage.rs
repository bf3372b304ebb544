//! The managers' and admins' pages: establishments, their payout account and
//! rooms; a room's description, opening hours, internal blocks and whether
//! it is offered. A manager sees only the establishments in their care (404
//! for any other); an admin sees them all.
//!
//! A refused form is shown again with what was typed and why.

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, NaiveTime, Utc};
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, Equipment, OpeningRules, RoomDetails, RoomKind, WeeklyWindow,
};
use salle_web::Lang;
use salle_web::manage::{
    self as views, BlockLine, BlockValues, ClosureValues, DayHours, DetailsValues, EstablishmentLine,
    EstablishmentPage, NewRoomValues, Payout, RoomLine, RoomManagePage, WeekGrid,
};
use uuid::Uuid;

use crate::app::accounts::{self, Role};
use crate::domain::establishment::Establishment;
use crate::domain::room::{Room, RoomCommand};
use crate::http::api::{managed_establishment, metadata};
use crate::http::auth::Caller;
use crate::http::error::AppError;
use crate::http::forms::{euros, parse_euros, refused};
use crate::http::pages::{
    KINDS, PageError, code, day_slots, equipment_label, kind_label, local_day, local_time, see_other,
};
use crate::http::signed_in::SignedIn;
use crate::startup::AppState;

/// Every equipment a room may list (the search offers the most asked for).
const ALL_EQUIPMENT: [Equipment; 12] = [
    Equipment::Projector,
    Equipment::SoundSystem,
    Equipment::Stage,
    Equipment::Kitchen,
    Equipment::Wifi,
    Equipment::Piano,
    Equipment::Whiteboard,
    Equipment::SportsEquipment,
    Equipment::ChangingRooms,
    Equipment::Chairs,
    Equipment::Tables,
    Equipment::Screen,
];

const WEEKDAYS: [(&str, &str); 7] = [
    ("Lundi", "Monday"),
    ("Mardi", "Tuesday"),
    ("Mercredi", "Wednesday"),
    ("Jeudi", "Thursday"),
    ("Vendredi", "Friday"),
    ("Samedi", "Saturday"),
    ("Dimanche", "Sunday"),
];

/// The room and its establishment, under the same rule.
async fn managed_room(
    state: &AppState,
    caller: &Caller,
    room_id: Uuid,
) -> Result<(Room, Establishment), AppError> {
    caller.require(&[Role::Manager, Role::Admin])?;
    let room = state.commands.room(room_id).await?;
    if !room.exists() {
        return Err(AppError::NotFound("Cette salle n'existe pas.".into()));
    }
    let establishment = managed_establishment(state, caller, room.establishment_id)
        .await
        .map_err(|_| AppError::NotFound("Cette salle n'existe pas.".into()))?;
    Ok((room, establishment))
}

fn kinds(lang: Lang) -> Vec<(String, String)> {
    KINDS.iter().map(|k| (code(k), kind_label(lang, *k).to_owned())).collect()
}

fn parse_kind(text: &str) -> Result<RoomKind, AppError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| refused(format!("« {text} » n'est pas un type de salle.")))
}

fn parse_capacity(text: &str) -> Result<u32, AppError> {
    text.parse::<u32>()
        .ok()
        .filter(|c| *c > 0)
        .ok_or_else(|| refused(format!("La capacité « {text} » doit être un nombre entier de personnes.")))
}

/// An hourly rate in euros (`12`, `12,50`, `12.5`); empty: the tariff grid.
fn parse_rate(text: &str) -> Result<Option<i64>, AppError> {
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(parse_euros("Le tarif horaire", text)?))
}

fn rate_text(cents: Option<i64>) -> String {
    cents.map(euros).unwrap_or_default()
}

use crate::domain::typed::{parse_windows, windows_text};

fn tr(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Fr { fr } else { en }
}

/// `GET /etablissements`: the establishments the visitor runs (all for admins).
#[get("/etablissements")]
pub async fn establishments_page(
    state: web::Data<AppState>,
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
    state: &AppState,
    lang: Lang,
    establishment: &Establishment,
    id: Uuid,
    week: Option<NaiveDate>,
) -> Result<EstablishmentPage, AppError> {
    use chrono::{Datelike, Duration};
    let listed = state.search.read_index(|i| i.rooms_of(id));
    let today = Utc::now().with_timezone(&salle_events::time::LOCAL_TZ).date_naive();
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
        label: format!("{} – {}", salle_events::time::fr_date(monday), salle_events::time::fr_date(sunday)),
        previous: format!("{base}?semaine={}#semaine", monday - Duration::days(7)),
        next: format!("{base}?semaine={}#semaine", monday + Duration::days(7)),
        days: (0..7).map(|o| salle_events::time::fr_date(monday + Duration::days(o))).collect(),
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
    })
}

/// `GET /etablissements/{id}/gestion`: payouts and rooms.
#[get("/etablissements/{id}/gestion")]
pub async fn establishment_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let establishment = managed_establishment(&state, &caller, id).await?;
    let week = query
        .get("semaine")
        .map(|d| salle_events::time::parse_day("semaine", d))
        .transpose()
        .map_err(crate::domain::DomainError::from)?;
    let page = establishment_view(&state, visitor.lang, &establishment, id, week).await?;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::establishment(&chrome, &page)))
}

/// `POST /etablissements/{id}/versements`: creates the payout account if
/// needed and sends the manager to the provider's onboarding.
#[post("/etablissements/{id}/versements")]
pub async fn start_payouts(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    visitor.posted(&body)?;
    let id = path.into_inner();
    managed_establishment(&state, &caller, id).await?;
    let back = format!("{}/etablissements/{id}/gestion", state.payments.public_url());
    let link = state
        .commands
        .start_onboarding(state.payments.gateway(), id, &back, &metadata(&caller, id))
        .await
        .map_err(|e| match e {
            crate::app::payments::OnboardingError::Command(c) => AppError::from(c),
            crate::app::payments::OnboardingError::Provider(p) => {
                AppError::Unavailable(format!("Le prestataire de paiement n'a pas répondu : {p}"))
            }
        })?;
    Ok(see_other(&link))
}

/// `POST /etablissements/{id}/salles`: adds a room, open on school-week
/// evenings until its hours are set.
#[post("/etablissements/{id}/salles")]
pub async fn add_room(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = visitor.posted(&body)?;
    let id = path.into_inner();
    let establishment = managed_establishment(&state, &caller, id).await?;
    let typed = NewRoomValues {
        name: fields.get("name"),
        kind: fields.get("kind"),
        capacity: fields.get("capacity"),
        rate: fields.get("rate"),
    };
    let room_id = Uuid::now_v7();
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
        let evenings = (1..=5)
            .map(|weekday| WeeklyWindow {
                weekday,
                start: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
                end: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
            })
            .collect();
        let opening =
            OpeningRules { school_weeks: evenings, school_holidays: vec![], open_on_public_holidays: false };
        let now = Utc::now();
        state
            .commands
            .on_room(room_id, &metadata(&caller, room_id), || RoomCommand::Add {
                room_id,
                establishment_id: id,
                details: details.clone(),
                opening: opening.clone(),
                constraints: BookingConstraints::default(),
                now,
            })
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/salles/{room_id}/gestion?ajoutee=1"))),
        Err(
            e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. } | AppError::BadRequest { .. }),
        ) => {
            let mut page = establishment_view(&state, visitor.lang, &establishment, id, None).await?;
            page.new_room = typed;
            page.error = Some(e.to_string());
            let chrome = visitor.chrome(&state).await;
            Ok(visitor.html(actix_web::ResponseError::status_code(&e), views::establishment(&chrome, &page)))
        }
        Err(e) => Err(e.into()),
    }
}

fn room_view(lang: Lang, room: &Room, room_id: Uuid, establishment: &Establishment) -> RoomManagePage {
    let details = room.details.clone().unwrap_or_else(|| RoomDetails {
        name: String::new(),
        kind: RoomKind::Other,
        capacity: 0,
        area_m2: None,
        equipment: vec![],
        step_free: false,
        approval: ApprovalMode::Manual,
        hourly_rate_cents: None,
        description: String::new(),
    });
    let now = Utc::now();
    let mut blocks: Vec<(chrono::DateTime<Utc>, BlockLine)> = room
        .blocks
        .iter()
        .filter(|(_, (slot, _))| slot.end() > now)
        .map(|(id, (slot, reason))| {
            let when = format!(
                "{} {}–{}",
                local_day(slot.start()),
                local_time(slot.start()),
                local_time(slot.end())
            );
            (slot.start(), BlockLine { id: id.to_string(), when, reason: reason.clone() })
        })
        .collect();
    blocks.sort_by_key(|(start, _)| *start);
    RoomManagePage {
        id: room_id.to_string(),
        name: details.name.clone(),
        establishment: establishment.name.clone(),
        establishment_href: format!("/etablissements/{}/gestion", room.establishment_id),
        withdrawn: room.withdrawn,
        details: DetailsValues {
            name: details.name.clone(),
            kind: code(details.kind),
            capacity: details.capacity.to_string(),
            area: details.area_m2.map(|a| a.to_string()).unwrap_or_default(),
            equipment: details.equipment.iter().map(code).collect(),
            step_free: details.step_free,
            approval: code(details.approval),
            rate: rate_text(details.hourly_rate_cents),
            description: details.description.clone(),
        },
        hours: WEEKDAYS
            .iter()
            .enumerate()
            .map(|(i, (fr, en))| {
                let weekday = i as u8 + 1;
                DayHours {
                    weekday,
                    label: (if lang == Lang::Fr { *fr } else { *en }).to_owned(),
                    school_weeks: windows_text(&room.opening.school_weeks, weekday),
                    holidays: windows_text(&room.opening.school_holidays, weekday),
                }
            })
            .collect(),
        public_holidays: room.opening.open_on_public_holidays,
        blocks: blocks.into_iter().map(|(_, b)| b).collect(),
        block: BlockValues::default(),
        closures: {
            let today = now.with_timezone(&salle_events::time::LOCAL_TZ).date_naive();
            let mut closures: Vec<_> = room.blackouts.iter().filter(|(_, b)| b.last_day >= today).collect();
            closures.sort_by_key(|(_, b)| b.first_day);
            closures
                .into_iter()
                .map(|(id, b)| BlockLine {
                    id: id.to_string(),
                    when: if b.first_day == b.last_day {
                        salle_events::time::fr_date(b.first_day)
                    } else {
                        format!(
                            "{} – {}",
                            salle_events::time::fr_date(b.first_day),
                            salle_events::time::fr_date(b.last_day)
                        )
                    },
                    reason: b.reason.clone(),
                })
                .collect()
        },
        closure: ClosureValues::default(),
        kinds: kinds(lang),
        equipment: ALL_EQUIPMENT.iter().map(|e| (code(e), equipment_label(lang, *e).to_owned())).collect(),
        error: None,
        notice: None,
    }
}

/// `GET /salles/{id}/gestion`: the room's description, hours and blocks.
#[get("/salles/{id}/gestion")]
pub async fn room_page(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let room_id = path.into_inner();
    let (room, establishment) = managed_room(&state, &caller, room_id).await?;
    let mut page = room_view(visitor.lang, &room, room_id, &establishment);
    let lang = visitor.lang;
    page.notice = if query.contains_key("ajoutee") {
        Some(
            tr(
                lang,
                "La salle est ajoutée : complétez sa description et ses horaires.",
                "The room is added: complete its description and hours.",
            )
            .to_owned(),
        )
    } else if query.contains_key("enregistre") {
        Some(tr(lang, "Modification enregistrée.", "Change saved.").to_owned())
    } else {
        None
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::room(&chrome, &page)))
}

/// `POST /salles/{id}/gestion/{action}`: `details`, `horaires`, `blocages`,
/// `retrait`, `remise`.
#[post("/salles/{id}/gestion/{action}")]
pub async fn room_action(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<(Uuid, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields = visitor.posted(&body)?;
    let (room_id, action) = path.into_inner();
    let (room, establishment) = managed_room(&state, &caller, room_id).await?;
    let meta = metadata(&caller, room_id);
    let now = Utc::now();
    let lang = visitor.lang;
    let section = match action.as_str() {
        "details" => "details",
        "horaires" => "horaires",
        "blocages" => "blocage",
        "fermetures" => "fermeture",
        "retrait" | "remise" => "etat",
        _ => return Err(AppError::NotFound(format!("Aucune action « {action} ».")).into()),
    };
    let command: Result<RoomCommand, AppError> = match action.as_str() {
        "details" => (|| {
            let name = fields.get("name");
            if name.is_empty() {
                return Err(refused("Donnez un nom à la salle."));
            }
            let area = fields.get("area");
            let area_m2 = if area.is_empty() {
                None
            } else {
                Some(area.parse::<u32>().map_err(|_| {
                    refused(format!("La surface « {area} » doit être un nombre entier de mètres carrés."))
                })?)
            };
            let equipment = fields
                .all("equipment")
                .iter()
                .map(|e| {
                    serde_json::from_value::<Equipment>(serde_json::Value::String(e.clone()))
                        .map_err(|_| refused(format!("« {e} » n'est pas un équipement.")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let approval = match fields.get("approval").as_str() {
                "automatic" => ApprovalMode::Automatic,
                "manual" => ApprovalMode::Manual,
                other => return Err(refused(format!("« {other} » n'est pas un mode de validation."))),
            };
            Ok(RoomCommand::ChangeDetails {
                details: RoomDetails {
                    name,
                    kind: parse_kind(&fields.get("kind"))?,
                    capacity: parse_capacity(&fields.get("capacity"))?,
                    area_m2,
                    equipment,
                    step_free: fields.get("step_free") == "1",
                    approval,
                    hourly_rate_cents: parse_rate(&fields.get("rate"))?,
                    description: fields.get("description"),
                },
            })
        })(),
        "horaires" => (|| {
            let mut school_weeks = vec![];
            let mut school_holidays = vec![];
            for (i, (fr, en)) in WEEKDAYS.iter().enumerate() {
                let weekday = i as u8 + 1;
                let day = if lang == Lang::Fr { *fr } else { *en };
                school_weeks.extend(parse_windows(
                    weekday,
                    &format!("{day} ({})", tr(lang, "semaines d'école", "school weeks")),
                    &fields.get(&format!("semaine_{weekday}")),
                )?);
                school_holidays.extend(parse_windows(
                    weekday,
                    &format!("{day} ({})", tr(lang, "vacances scolaires", "school holidays")),
                    &fields.get(&format!("vacances_{weekday}")),
                )?);
            }
            Ok(RoomCommand::SetOpening {
                opening: OpeningRules {
                    school_weeks,
                    school_holidays,
                    open_on_public_holidays: fields.get("public_holidays") == "1",
                },
            })
        })(),
        "blocages" => (|| {
            let day_text = fields.get("day");
            let day = salle_events::time::parse_day("day", &day_text).map_err(|r| refused(r.message))?;
            let time = |name: &str| {
                let text = fields.get(name);
                NaiveTime::parse_from_str(&text, "%H:%M")
                    .map_err(|_| refused(format!("« {text} » n'est pas une heure (HH:MM).")))
            };
            let (start, end) = (time("start")?, time("end")?);
            if end <= start {
                return Err(refused("Le blocage finit avant de commencer."));
            }
            let reason = fields.get("reason");
            if reason.is_empty() {
                return Err(refused("Donnez le motif du blocage."));
            }
            let instant = |t: NaiveTime| {
                salle_events::time::local_instant(day, t)
                    .map_err(|r| AppError::from(crate::domain::DomainError::from(r)))
            };
            Ok(RoomCommand::AddInternalBlock {
                block_id: Uuid::now_v7(),
                start: instant(start)?,
                end: instant(end)?,
                reason,
            })
        })(),
        "fermetures" => (|| {
            let day = |name: &str| {
                salle_events::time::parse_day(name, &fields.get(name)).map_err(|r| refused(r.message))
            };
            let (first_day, last_day) = (day("first_day")?, day("last_day")?);
            if last_day < first_day {
                return Err(refused("La fermeture finit avant de commencer."));
            }
            let reason = fields.get("reason");
            if reason.is_empty() {
                return Err(refused("Donnez le motif de la fermeture."));
            }
            Ok(RoomCommand::AddBlackout { blackout_id: Uuid::now_v7(), first_day, last_day, reason })
        })(),
        "retrait" => {
            let reason = fields.get("reason");
            if reason.is_empty() {
                Err(refused("Donnez le motif du retrait."))
            } else {
                Ok(RoomCommand::Withdraw { reason, now })
            }
        }
        _ => Ok(RoomCommand::Reinstate { now }),
    };
    let outcome = match command {
        Ok(command) => state
            .commands
            .on_room(room_id, &meta, || command.clone())
            .await
            .map(|_| ())
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/salles/{room_id}/gestion?enregistre=1#{section}"))),
        Err(
            e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. } | AppError::BadRequest { .. }),
        ) => {
            let mut page = room_view(lang, &room, room_id, &establishment);
            // What was typed stays in the refused form.
            match section {
                "details" => {
                    page.details = DetailsValues {
                        name: fields.get("name"),
                        kind: fields.get("kind"),
                        capacity: fields.get("capacity"),
                        area: fields.get("area"),
                        equipment: fields.all("equipment"),
                        step_free: fields.get("step_free") == "1",
                        approval: fields.get("approval"),
                        rate: fields.get("rate"),
                        description: fields.get("description"),
                    }
                }
                "horaires" => {
                    for h in &mut page.hours {
                        h.school_weeks = fields.get(&format!("semaine_{}", h.weekday));
                        h.holidays = fields.get(&format!("vacances_{}", h.weekday));
                    }
                    page.public_holidays = fields.get("public_holidays") == "1";
                }
                "fermeture" => {
                    page.closure = ClosureValues {
                        first_day: fields.get("first_day"),
                        last_day: fields.get("last_day"),
                        reason: fields.get("reason"),
                    }
                }
                "blocage" => {
                    page.block = BlockValues {
                        day: fields.get("day"),
                        start: fields.get("start"),
                        end: fields.get("end"),
                        reason: fields.get("reason"),
                    }
                }
                _ => {}
            }
            page.error = Some((section.to_owned(), e.to_string()));
            let chrome = visitor.chrome(&state).await;
            Ok(visitor.html(actix_web::ResponseError::status_code(&e), views::room(&chrome, &page)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /salles/{id}/gestion/{blocages|fermetures}/{item}/supprimer`:
/// lifts an internal block or a closure.
#[post("/salles/{id}/gestion/{what}/{item}/supprimer")]
pub async fn lift(
    state: web::Data<AppState>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<(Uuid, String, Uuid)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    visitor.posted(&body)?;
    let (room_id, what, item) = path.into_inner();
    let command = match what.as_str() {
        "blocages" => RoomCommand::RemoveInternalBlock { block_id: item },
        "fermetures" => RoomCommand::RemoveBlackout { blackout_id: item },
        _ => return Err(AppError::NotFound(format!("Rien à lever dans « {what} ».")).into()),
    };
    managed_room(&state, &caller, room_id).await?;
    state.commands.on_room(room_id, &metadata(&caller, room_id), || command.clone()).await?;
    Ok(see_other(&format!("/salles/{room_id}/gestion?enregistre=1#{what}")))
}
