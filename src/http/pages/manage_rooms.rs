//! A managed room's page: its description, opening hours, booking rules,
//! internal blocks and closures, and whether it is offered (`/salles/{id}/gestion`). Each
//! form is parsed here into a [`RoomChange`] that `app::rooms` makes; a
//! refused form is shown again with what was typed and why.

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveTime, Utc};
use salle_events::catalog::room::{
    ApprovalMode, BookingConstraints, Equipment, OpeningRules, RoomDetails, RoomKind,
};
use salle_web::Lang;
use salle_web::manage::{
    self as views, BlockLine, BlockValues, ClosureValues, DayHours, DetailsValues, RoomManagePage,
    RulesValues,
};
use uuid::Uuid;

use crate::app::rooms::{self, RoomChange};
use crate::app::{App, AppError, access};
use crate::domain::establishment::Establishment;
use crate::domain::room::Room;
use crate::domain::typed::{parse_windows, windows_text};
use crate::http::pages::form::{Fields, SignedInPost, euros, parse_euros, refused};
use crate::http::pages::labels::{choices, equipment_label, kinds, local_slot, tr};
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::{PageError, see_other};

const WEEKDAYS: [(&str, &str); 7] = [
    ("Lundi", "Monday"),
    ("Mardi", "Tuesday"),
    ("Mercredi", "Wednesday"),
    ("Jeudi", "Thursday"),
    ("Vendredi", "Friday"),
    ("Samedi", "Saturday"),
    ("Dimanche", "Sunday"),
];

pub(crate) fn parse_kind(text: &str) -> Result<RoomKind, AppError> {
    text.parse::<RoomKind>().map_err(|_| refused(format!("« {text} » n'est pas un type de salle.")))
}

pub(crate) fn parse_capacity(text: &str) -> Result<u32, AppError> {
    text.parse::<u32>()
        .ok()
        .filter(|c| *c > 0)
        .ok_or_else(|| refused(format!("La capacité « {text} » doit être un nombre entier de personnes.")))
}

/// An hourly rate in euros (`12`, `12,50`, `12.5`); empty: the tariff grid.
pub(crate) fn parse_rate(text: &str) -> Result<Option<i64>, AppError> {
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(parse_euros("Le tarif horaire", text)?))
}

fn rate_text(cents: Option<i64>) -> String {
    cents.map(euros).unwrap_or_default()
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
            let when = local_slot(slot.start(), slot.end());
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
            kind: details.kind.to_string(),
            capacity: details.capacity.to_string(),
            area: details.area_m2.map(|a| a.to_string()).unwrap_or_default(),
            equipment: details.equipment.iter().map(ToString::to_string).collect(),
            step_free: details.step_free,
            approval: details.approval.to_string(),
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
        rules: {
            let c = &room.constraints;
            RulesValues {
                notice_hours: c.min_notice_hours.to_string(),
                horizon_days: c.horizon_days.to_string(),
                min_minutes: c.min_duration_minutes.to_string(),
                max_minutes: c.max_duration_minutes.to_string(),
                buffer_minutes: c.buffer_minutes.to_string(),
                decision_hours: c.decision_hold_hours.to_string(),
                payment_hours: c.payment_hold_hours.to_string(),
            }
        },
        blocks: blocks.into_iter().map(|(_, b)| b).collect(),
        block: BlockValues::default(),
        closures: {
            let today = now.with_timezone(&salle_domain::time::LOCAL_TZ).date_naive();
            let mut closures: Vec<_> = room.blackouts.iter().filter(|(_, b)| b.last_day >= today).collect();
            closures.sort_by_key(|(_, b)| b.first_day);
            closures
                .into_iter()
                .map(|(id, b)| BlockLine {
                    id: id.to_string(),
                    when: if b.first_day == b.last_day {
                        salle_domain::time::fr_date(b.first_day)
                    } else {
                        format!(
                            "{} – {}",
                            salle_domain::time::fr_date(b.first_day),
                            salle_domain::time::fr_date(b.last_day)
                        )
                    },
                    reason: b.reason.clone(),
                })
                .collect()
        },
        closure: ClosureValues::default(),
        kinds: kinds(lang),
        equipment: choices(&Equipment::ALL, |e| equipment_label(lang, e)),
        error: None,
        notice: None,
    }
}

/// `GET /salles/{id}/gestion`: the room's description, hours and blocks.
#[get("/salles/{id}/gestion")]
pub async fn room_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let room_id = path.into_inner();
    let (room, establishment) = access::managed_room(&state, &caller, room_id).await?;
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

/// The forms of the page, by the last part of their address, and the
/// anchor of the section each comes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Details,
    Hours,
    Block,
    Closure,
    Withdraw,
    Reinstate,
    Rules,
}

impl Section {
    fn parse(action: &str) -> Option<Self> {
        Some(match action {
            "details" => Self::Details,
            "horaires" => Self::Hours,
            "blocages" => Self::Block,
            "fermetures" => Self::Closure,
            "retrait" => Self::Withdraw,
            "remise" => Self::Reinstate,
            "regles" => Self::Rules,
            _ => return None,
        })
    }

    fn anchor(self) -> &'static str {
        match self {
            Self::Details => "details",
            Self::Hours => "horaires",
            Self::Block => "blocage",
            Self::Closure => "fermeture",
            Self::Withdraw | Self::Reinstate => "etat",
            Self::Rules => "regles",
        }
    }
}

fn parse_details(fields: &Fields) -> Result<RoomChange, AppError> {
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
        .map(|e| e.parse::<Equipment>().map_err(|_| refused(format!("« {e} » n'est pas un équipement."))))
        .collect::<Result<Vec<_>, _>>()?;
    let approval = fields.get("approval");
    let approval = approval
        .parse::<ApprovalMode>()
        .map_err(|_| refused(format!("« {approval} » n'est pas un mode de validation.")))?;
    Ok(RoomChange::Details(RoomDetails {
        name,
        kind: parse_kind(&fields.get("kind"))?,
        capacity: parse_capacity(&fields.get("capacity"))?,
        area_m2,
        equipment,
        step_free: fields.checked("step_free"),
        approval,
        hourly_rate_cents: parse_rate(&fields.get("rate"))?,
        description: fields.get("description"),
    }))
}

fn parse_hours(lang: Lang, fields: &Fields) -> Result<RoomChange, AppError> {
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
    Ok(RoomChange::Opening(OpeningRules {
        school_weeks,
        school_holidays,
        open_on_public_holidays: fields.checked("public_holidays"),
    }))
}

/// A reason the manager must give (`what`: « du blocage »…).
fn reason(fields: &Fields, what: &str) -> Result<String, AppError> {
    let reason = fields.get("reason");
    if reason.is_empty() { Err(refused(format!("Donnez le motif {what}."))) } else { Ok(reason) }
}

fn parse_block(fields: &Fields) -> Result<RoomChange, AppError> {
    let day = salle_domain::time::parse_day("day", &fields.get("day")).map_err(|r| refused(r.message))?;
    let time = |name: &str| {
        let text = fields.get(name);
        NaiveTime::parse_from_str(&text, "%H:%M")
            .map_err(|_| refused(format!("« {text} » n'est pas une heure (HH:MM).")))
    };
    let (start, end) = (time("start")?, time("end")?);
    Ok(RoomChange::Block { day, start, end, reason: reason(fields, "du blocage")? })
}

fn parse_closure(fields: &Fields) -> Result<RoomChange, AppError> {
    let day =
        |name: &str| salle_domain::time::parse_day(name, &fields.get(name)).map_err(|r| refused(r.message));
    let (first_day, last_day) = (day("first_day")?, day("last_day")?);
    Ok(RoomChange::Closure { first_day, last_day, reason: reason(fields, "de la fermeture")? })
}

/// The rules form: every field a whole number, named in the refusal.
fn parse_rules(fields: &Fields) -> Result<RoomChange, AppError> {
    let number = |name: &str, what: &str| {
        let text = fields.get(name);
        text.parse::<u32>().map_err(|_| refused(format!("{what} : « {text} » n'est pas un nombre entier.")))
    };
    Ok(RoomChange::Rules(BookingConstraints {
        min_notice_hours: number("notice_hours", "Le délai de prévenance")?,
        horizon_days: number("horizon_days", "L'horizon de réservation")?,
        min_duration_minutes: number("min_minutes", "La durée minimale")?,
        max_duration_minutes: number("max_minutes", "La durée maximale")?,
        buffer_minutes: number("buffer_minutes", "Le battement")?,
        decision_hold_hours: number("decision_hours", "Le délai de décision")?,
        payment_hold_hours: number("payment_hours", "Le délai de paiement")?,
    }))
}

fn parse_change(section: Section, lang: Lang, fields: &Fields) -> Result<RoomChange, AppError> {
    match section {
        Section::Details => parse_details(fields),
        Section::Hours => parse_hours(lang, fields),
        Section::Block => parse_block(fields),
        Section::Closure => parse_closure(fields),
        Section::Withdraw => Ok(RoomChange::Withdraw { reason: reason(fields, "du retrait")? }),
        Section::Reinstate => Ok(RoomChange::Reinstate),
        Section::Rules => parse_rules(fields),
    }
}

/// Puts what was typed back into the refused section of the page.
fn keep_typed(page: &mut RoomManagePage, section: Section, fields: &Fields) {
    match section {
        Section::Details => {
            page.details = DetailsValues {
                name: fields.get("name"),
                kind: fields.get("kind"),
                capacity: fields.get("capacity"),
                area: fields.get("area"),
                equipment: fields.all("equipment"),
                step_free: fields.checked("step_free"),
                approval: fields.get("approval"),
                rate: fields.get("rate"),
                description: fields.get("description"),
            }
        }
        Section::Hours => {
            for h in &mut page.hours {
                h.school_weeks = fields.get(&format!("semaine_{}", h.weekday));
                h.holidays = fields.get(&format!("vacances_{}", h.weekday));
            }
            page.public_holidays = fields.checked("public_holidays");
        }
        Section::Closure => {
            page.closure = ClosureValues {
                first_day: fields.get("first_day"),
                last_day: fields.get("last_day"),
                reason: fields.get("reason"),
            }
        }
        Section::Block => {
            page.block = BlockValues {
                day: fields.get("day"),
                start: fields.get("start"),
                end: fields.get("end"),
                reason: fields.get("reason"),
            }
        }
        Section::Rules => {
            page.rules = RulesValues {
                notice_hours: fields.get("notice_hours"),
                horizon_days: fields.get("horizon_days"),
                min_minutes: fields.get("min_minutes"),
                max_minutes: fields.get("max_minutes"),
                buffer_minutes: fields.get("buffer_minutes"),
                decision_hours: fields.get("decision_hours"),
                payment_hours: fields.get("payment_hours"),
            }
        }
        Section::Withdraw | Section::Reinstate => {}
    }
}

/// `POST /salles/{id}/gestion/{action}`: `details`, `horaires`, `regles`,
/// `blocages`, `fermetures`, `retrait`, `remise`.
#[post("/salles/{id}/gestion/{action}")]
pub async fn room_action(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, PageError> {
    let (room_id, action) = path.into_inner();
    let (room, establishment) = access::managed_room(&state, &caller, room_id).await?;
    let section =
        Section::parse(&action).ok_or_else(|| AppError::NotFound(format!("Aucune action « {action} ».")))?;
    let lang = visitor.lang;
    let outcome = match parse_change(section, lang, &fields) {
        Ok(change) => rooms::change(&state, &caller, room_id, change).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/salles/{room_id}/gestion?enregistre=1#{}", section.anchor()))),
        Err(
            e @ (AppError::Unprocessable { .. } | AppError::Conflict { .. } | AppError::BadRequest { .. }),
        ) => {
            let mut page = room_view(lang, &room, room_id, &establishment);
            keep_typed(&mut page, section, &fields);
            page.error = Some((section.anchor().to_owned(), e.to_string()));
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
    state: web::Data<App>,
    SignedInPost { caller, .. }: SignedInPost,
    path: web::Path<(Uuid, String, Uuid)>,
) -> Result<HttpResponse, PageError> {
    let (room_id, what, item) = path.into_inner();
    let change = match what.as_str() {
        "blocages" => RoomChange::LiftBlock(item),
        "fermetures" => RoomChange::LiftClosure(item),
        _ => return Err(AppError::NotFound(format!("Rien à lever dans « {what} ».")).into()),
    };
    rooms::change(&state, &caller, room_id, change).await?;
    Ok(see_other(&format!("/salles/{room_id}/gestion?enregistre=1#{what}")))
}
