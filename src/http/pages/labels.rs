//! What the pages call things, in French and English: roles, statuses,
//! room and establishment kinds, equipment, categories; and how they write
//! an instant (Europe/Paris).

use chrono::{NaiveDate, Utc};
use salle_domain::time::LOCAL_TZ;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::establishment::EstablishmentKind;
use salle_events::catalog::room::{BookingStatus, Equipment, RoomKind};
use salle_projections::availability::{Interval, Status};
use salle_web::Lang;

use crate::app::accounts::Role;

/// The French or the English words.
pub fn tr(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Fr { fr } else { en }
}

pub fn role_label(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Association => "association",
        Role::Manager => tr(lang, "gestion", "manager"),
        Role::Finance => tr(lang, "finances", "finance"),
        Role::Admin => tr(lang, "administration", "admin"),
    }
}

/// A booking's status as its list and its page show it.
pub fn status_label(lang: Lang, status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Requested => tr(lang, "demandée", "requested"),
        BookingStatus::Approved => tr(lang, "approuvée — à payer", "approved — to pay"),
        BookingStatus::Rejected => tr(lang, "refusée", "rejected"),
        BookingStatus::Expired => tr(lang, "expirée", "expired"),
        BookingStatus::Paid => tr(lang, "payée", "paid"),
        BookingStatus::Completed => tr(lang, "terminée", "completed"),
        BookingStatus::Settled => tr(lang, "reversée à l'établissement", "paid out to the establishment"),
        BookingStatus::Cancelled => tr(lang, "annulée", "cancelled"),
    }
}

pub fn kind_label(lang: Lang, kind: RoomKind) -> &'static str {
    match kind {
        RoomKind::Classroom => tr(lang, "Salle de classe", "Classroom"),
        RoomKind::Multipurpose => tr(lang, "Salle polyvalente", "Multipurpose hall"),
        RoomKind::GymHall => tr(lang, "Gymnase", "Gymnasium"),
        RoomKind::SportsField => tr(lang, "Terrain de sport", "Sports field"),
        RoomKind::Auditorium => "Auditorium",
        RoomKind::MusicRoom => tr(lang, "Salle de musique", "Music room"),
        RoomKind::Canteen => tr(lang, "Restaurant scolaire", "Canteen"),
        RoomKind::MeetingRoom => tr(lang, "Salle de réunion", "Meeting room"),
        RoomKind::ScienceLab => tr(lang, "Laboratoire", "Science lab"),
        RoomKind::Other => tr(lang, "Autre", "Other"),
    }
}

pub fn equipment_label(lang: Lang, e: Equipment) -> &'static str {
    match e {
        Equipment::Projector => tr(lang, "Vidéoprojecteur", "Projector"),
        Equipment::SoundSystem => tr(lang, "Sonorisation", "Sound system"),
        Equipment::Stage => tr(lang, "Scène", "Stage"),
        Equipment::Kitchen => tr(lang, "Cuisine", "Kitchen"),
        Equipment::Wifi => "Wi-Fi",
        Equipment::Piano => "Piano",
        Equipment::Whiteboard => tr(lang, "Tableau blanc", "Whiteboard"),
        Equipment::SportsEquipment => tr(lang, "Matériel de sport", "Sports equipment"),
        Equipment::ChangingRooms => tr(lang, "Vestiaires", "Changing rooms"),
        Equipment::Chairs => tr(lang, "Chaises", "Chairs"),
        Equipment::Tables => "Tables",
        Equipment::Screen => tr(lang, "Écran", "Screen"),
    }
}

pub fn establishment_kind_label(lang: Lang, kind: EstablishmentKind) -> &'static str {
    match kind {
        EstablishmentKind::College => tr(lang, "Collège", "Collège (lower secondary school)"),
        EstablishmentKind::Gymnasium => tr(lang, "Gymnase", "Gymnasium"),
        EstablishmentKind::Auditorium => "Auditorium",
        EstablishmentKind::CulturalVenue => tr(lang, "Lieu culturel", "Cultural venue"),
        EstablishmentKind::Other => tr(lang, "Autre établissement", "Other establishment"),
    }
}

pub fn category_label(lang: Lang, category: RequesterCategory) -> &'static str {
    match category {
        RequesterCategory::LocalAssociation => tr(lang, "Association locale", "Local association"),
        RequesterCategory::OtherAssociation => tr(lang, "Autre association", "Other association"),
        RequesterCategory::PublicBody => tr(lang, "Organisme public", "Public body"),
        RequesterCategory::Company => tr(lang, "Entreprise", "Company"),
    }
}

/// (code, label) pairs for a `<select>` or a set of checkboxes.
pub fn choices<T: Copy + std::fmt::Display>(
    all: &[T],
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter().map(|v| (v.to_string(), label(*v).to_owned())).collect()
}

/// The requester categories, for the sign-up form and tariff grids.
pub fn categories(lang: Lang) -> Vec<(String, String)> {
    choices(&RequesterCategory::ALL, |c| category_label(lang, c))
}

/// The room kinds, for the forms.
pub fn kinds(lang: Lang) -> Vec<(String, String)> {
    choices(&RoomKind::ALL, |k| kind_label(lang, k))
}

/// One local day of a room's calendar as the pages show it: (time range,
/// status code, status label), free times only when `with_free`.
pub fn day_slots(
    lang: Lang,
    intervals: &[Interval],
    day: NaiveDate,
    with_free: bool,
) -> Vec<(String, String, String)> {
    intervals
        .iter()
        .filter(|i| i.start.with_timezone(&LOCAL_TZ).date_naive() == day)
        .filter(|i| with_free || i.status != Status::Free)
        .map(|i| {
            let (code, label) = match i.status {
                Status::Free => ("free", tr(lang, "libre", "free")),
                Status::Held => ("held", tr(lang, "demandé", "requested")),
                Status::Booked => ("booked", tr(lang, "réservé", "booked")),
            };
            (format!("{}–{}", local_time(i.start), local_time(i.end)), code.to_owned(), label.to_owned())
        })
        .collect()
}

/// `18:30`, in Europe/Paris.
pub fn local_time(at: chrono::DateTime<Utc>) -> String {
    at.with_timezone(&LOCAL_TZ).format("%H:%M").to_string()
}

/// `mardi 1 décembre 2026`, in Europe/Paris.
pub fn local_day(at: chrono::DateTime<Utc>) -> String {
    salle_domain::time::fr_date(at.with_timezone(&LOCAL_TZ).date_naive())
}

/// `mardi 1 décembre 2026 18:30`.
pub fn local_moment(at: chrono::DateTime<Utc>) -> String {
    format!("{} {}", local_day(at), local_time(at))
}

/// `mardi 1 décembre 2026 18:30–20:00`.
pub fn local_slot(start: chrono::DateTime<Utc>, end: chrono::DateTime<Utc>) -> String {
    format!("{} {}–{}", local_day(start), local_time(start), local_time(end))
}
