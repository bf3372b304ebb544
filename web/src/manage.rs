//! The managers' and admins' pages: the establishments they run, each with
//! its payout account and rooms; a room's description, opening hours and
//! internal blocks. Every form keeps what was typed when it is refused.

use maud::{Markup, html};

use crate::layout::{Chrome, alert, csrf_field, page_with, t};

/// One establishment in the list.
#[derive(Debug, Clone, Default)]
pub struct EstablishmentLine {
    pub href: String,
    pub name: String,
    pub commune: String,
    pub rooms: usize,
    pub active: bool,
}

/// The establishments a manager runs, or all of them for an admin.
pub fn establishments(chrome: &Chrome, list: &[EstablishmentLine], notice: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Établissements", "Establishments");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            @if let Some(n) = notice { p class="notice" role="status" { (n) } }
            @if list.is_empty() {
                p { (t(lang, "Aucun établissement ne vous est confié pour l'instant.", "No establishment is in your care yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Établissement", "Establishment")) }
                        th scope="col" { (t(lang, "Commune", "Commune")) }
                        th scope="col" { (t(lang, "Salles", "Rooms")) }
                        th scope="col" { (t(lang, "État", "Status")) }
                    } }
                    tbody { @for e in list { tr {
                        td { a href=(e.href) { (e.name) } }
                        td { (e.commune) }
                        td { (e.rooms) }
                        td { @if e.active { (t(lang, "actif", "active")) } @else { (t(lang, "suspendu", "suspended")) } }
                    } } }
                }
            }
        },
    )
}

/// A room of the establishment's page.
#[derive(Debug, Clone, Default)]
pub struct RoomLine {
    pub href: String,
    pub public_href: String,
    pub name: String,
    pub kind: String,
    pub capacity: u32,
    pub withdrawn: bool,
}

/// The payout account, as the manager needs to know it.
#[derive(Debug, Clone, Default)]
pub struct Payout {
    /// The provider's account reference, once created.
    pub account: Option<String>,
    pub ready: bool,
    /// `stripe` or `simulated`.
    pub provider: String,
}

/// What the "add a room" form holds.
#[derive(Debug, Clone, Default)]
pub struct NewRoomValues {
    pub name: String,
    pub kind: String,
    pub capacity: String,
    pub rate: String,
}

#[derive(Debug, Clone, Default)]
pub struct EstablishmentPage {
    pub id: String,
    pub name: String,
    pub address: String,
    pub payout: Payout,
    pub rooms: Vec<RoomLine>,
    pub ledger_href: String,
    /// (code, label)
    pub kinds: Vec<(String, String)>,
    pub new_room: NewRoomValues,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub week: WeekGrid,
    /// For admins: its details, suspension and managers.
    pub admin: Option<crate::establishment_admin::EstablishmentAdmin>,
}

/// A day's taken times of a room: (time range, status code, status label).
pub type DaySlots = Vec<(String, String, String)>;

/// The establishment's week: each room's requests and bookings, day by day.
#[derive(Debug, Clone, Default)]
pub struct WeekGrid {
    pub label: String,
    pub previous: String,
    pub next: String,
    pub days: Vec<String>,
    /// (room name, per day: (time range, status code, status label))
    pub rooms: Vec<(String, Vec<DaySlots>)>,
}

/// An establishment's management page: its payouts and its rooms.
pub fn establishment(chrome: &Chrome, page: &EstablishmentPage) -> Markup {
    let lang = chrome.lang;
    let base = format!("/etablissements/{}", page.id);
    page_with(
        chrome,
        &page.name,
        html! {
            h1 { (page.name) }
            p { (page.address) " · " a href=(page.ledger_href) { (t(lang, "Grand livre", "Ledger")) } }
            (alert(page.error.as_deref()))
            @if let Some(n) = &page.notice { p class="notice" role="status" { (n) } }
            @if let Some(a) = &page.admin {
                (crate::establishment_admin::section(lang, &chrome.csrf, &page.id, a))
            }
            h2 { (t(lang, "Versements", "Payouts")) }
            @match (&page.payout.account, page.payout.ready) {
                (Some(account), true) => {
                    p { (t(lang, "Le compte de versement ", "The payout account ")) code { (account) }
                        (t(lang, " peut recevoir l'argent des réservations : les créneaux payants sont ouverts.", " can receive the bookings' money: paid slots are open.")) }
                }
                (Some(account), false) => {
                    p class="notice" { (t(lang, "Le compte de versement ", "The payout account ")) code { (account) }
                        (t(lang, " n'est pas encore prêt : tant qu'il ne l'est pas, seules les salles gratuites peuvent être réservées.", " is not ready yet: until it is, only free rooms can be booked.")) }
                }
                (None, _) => {
                    p class="notice" { (t(lang, "Aucun compte de versement : seules les salles gratuites peuvent être réservées.", "No payout account: only free rooms can be booked.")) }
                }
            }
            @if !page.payout.ready {
                form method="post" action=(format!("{base}/versements")) {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Configurer le compte de versement", "Set up the payout account")) }
                    " " span class="hint" { (t(lang, "(chez le prestataire de paiement : ", "(at the payment provider: ")) (page.payout.provider) ")" }
                }
            }
            h2 id="semaine" { (t(lang, "La semaine de l'établissement", "The establishment's week")) }
            p {
                a href=(page.week.previous) { (t(lang, "Semaine précédente", "Previous week")) } " · "
                strong { (page.week.label) } " · "
                a href=(page.week.next) { (t(lang, "Semaine suivante", "Next week")) }
            }
            @if page.week.rooms.iter().all(|(_, days)| days.iter().all(Vec::is_empty)) {
                p { (t(lang, "Aucune demande ni réservation cette semaine.", "No request or booking this week.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Salle", "Room")) }
                        @for d in &page.week.days { th scope="col" { (d) } }
                    } }
                    tbody { @for (room, days) in &page.week.rooms { tr {
                        th scope="row" { (room) }
                        @for intervals in days { td {
                            @for (range, code, label) in intervals {
                                div class=(format!("status status-{code}")) { (range) " " (label) }
                            }
                        } }
                    } } }
                }
            }
            h2 { (t(lang, "Salles", "Rooms")) }
            @if page.rooms.is_empty() {
                p { (t(lang, "Aucune salle pour l'instant.", "No room yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Salle", "Room")) }
                        th scope="col" { (t(lang, "Type", "Kind")) }
                        th scope="col" { (t(lang, "Capacité", "Capacity")) }
                        th scope="col" { (t(lang, "État", "Status")) }
                        th scope="col" { (t(lang, "Page publique", "Public page")) }
                    } }
                    tbody { @for r in &page.rooms { tr {
                        td { a href=(r.href) { (r.name) } }
                        td { (r.kind) }
                        td { (r.capacity) }
                        td { @if r.withdrawn { (t(lang, "retirée", "withdrawn")) } @else { (t(lang, "proposée", "offered")) } }
                        td { a href=(r.public_href) { (t(lang, "voir", "view")) span class="visually-hidden" { " " (r.name) } } }
                    } } }
                }
            }
            h3 { (t(lang, "Ajouter une salle", "Add a room")) }
            form class="stack" method="post" action=(format!("{base}/salles")) {
                (csrf_field(&chrome.csrf))
                div { label for="name" { (t(lang, "Nom", "Name")) } input id="name" name="name" value=(page.new_room.name) maxlength="120" required; }
                div {
                    label for="kind" { (t(lang, "Type", "Kind")) }
                    select id="kind" name="kind" { @for (code, label) in &page.kinds { option value=(code) selected[page.new_room.kind == *code] { (label) } } }
                }
                div { label for="capacity" { (t(lang, "Capacité (personnes)", "Capacity (people)")) } input id="capacity" name="capacity" inputmode="numeric" value=(page.new_room.capacity) required; }
                div {
                    label for="rate" { (t(lang, "Tarif horaire en euros", "Hourly rate in euros")) }
                    input id="rate" name="rate" inputmode="decimal" value=(page.new_room.rate) aria-describedby="rate-hint";
                    p id="rate-hint" class="hint" { (t(lang, "Vide : la grille tarifaire de l'établissement s'applique ; 0 : salle gratuite.", "Empty: the establishment's tariff grid applies; 0: free room.")) }
                }
                p class="hint" { (t(lang, "La salle est créée ouverte du lundi au vendredi de 18 h à 22 h en semaines d'école ; ses horaires se modifient ensuite.", "The room is created open Monday to Friday 18:00–22:00 in school weeks; its hours can be changed next.")) }
                div { button type="submit" { (t(lang, "Ajouter la salle", "Add the room")) } }
            }
        },
    )
}

/// The description form, as typed.
#[derive(Debug, Clone, Default)]
pub struct DetailsValues {
    pub name: String,
    pub kind: String,
    pub capacity: String,
    pub area: String,
    pub equipment: Vec<String>,
    pub step_free: bool,
    pub approval: String,
    pub rate: String,
    pub description: String,
}

/// One weekday's windows, as typed (`18:00-22:00, …`).
#[derive(Debug, Clone, Default)]
pub struct DayHours {
    pub weekday: u8,
    pub label: String,
    pub school_weeks: String,
    pub holidays: String,
}

#[derive(Debug, Clone, Default)]
pub struct BlockValues {
    pub day: String,
    pub start: String,
    pub end: String,
    pub reason: String,
}

/// An internal block, as listed.
#[derive(Debug, Clone, Default)]
pub struct BlockLine {
    pub id: String,
    pub when: String,
    pub reason: String,
}

/// The booking rules, as typed (whole numbers).
#[derive(Debug, Clone, Default)]
pub struct RulesValues {
    pub notice_hours: String,
    pub horizon_days: String,
    pub min_minutes: String,
    pub max_minutes: String,
    pub buffer_minutes: String,
    pub decision_hours: String,
    pub payment_hours: String,
}

/// The closure form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ClosureValues {
    pub first_day: String,
    pub last_day: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct RoomManagePage {
    pub id: String,
    pub name: String,
    pub establishment: String,
    pub establishment_href: String,
    pub withdrawn: bool,
    pub details: DetailsValues,
    pub hours: Vec<DayHours>,
    pub public_holidays: bool,
    pub rules: RulesValues,
    pub blocks: Vec<BlockLine>,
    pub block: BlockValues,
    /// Closures over whole days (exams, works), listed like blocks.
    pub closures: Vec<BlockLine>,
    pub closure: ClosureValues,
    /// (code, label)
    pub kinds: Vec<(String, String)>,
    pub equipment: Vec<(String, String)>,
    /// Which form a refusal belongs to (`details`, `horaires`, `regles`, `blocage`, `etat`), and why.
    pub error: Option<(String, String)>,
    pub notice: Option<String>,
}

fn section_error(page: &RoomManagePage, section: &str) -> Markup {
    alert(page.error.as_ref().filter(|(s, _)| s == section).map(|(_, m)| m.as_str()))
}

/// A room's management page: description, opening hours, internal blocks,
/// and whether it is offered.
pub fn room(chrome: &Chrome, page: &RoomManagePage) -> Markup {
    let lang = chrome.lang;
    let base = format!("/salles/{}/gestion", page.id);
    let d = &page.details;
    page_with(
        chrome,
        &page.name,
        html! {
            h1 { (page.name) }
            p { a href=(page.establishment_href) { (page.establishment) } " · " a href=(format!("/salles/{}", page.id)) { (t(lang, "page publique", "public page")) } }
            @if let Some(n) = &page.notice { p class="notice" role="status" { (n) } }
            h2 id="description" { (t(lang, "Description", "Description")) }
            (section_error(page, "details"))
            form class="stack" method="post" action=(format!("{base}/details")) {
                (csrf_field(&chrome.csrf))
                div { label for="name" { (t(lang, "Nom", "Name")) } input id="name" name="name" value=(d.name) maxlength="120" required; }
                div {
                    label for="kind" { (t(lang, "Type", "Kind")) }
                    select id="kind" name="kind" { @for (code, label) in &page.kinds { option value=(code) selected[d.kind == *code] { (label) } } }
                }
                div { label for="capacity" { (t(lang, "Capacité (personnes)", "Capacity (people)")) } input id="capacity" name="capacity" inputmode="numeric" value=(d.capacity) required; }
                div { label for="area" { (t(lang, "Surface en m² (facultatif)", "Area in m² (optional)")) } input id="area" name="area" inputmode="numeric" value=(d.area); }
                fieldset {
                    legend { (t(lang, "Équipements", "Equipment")) }
                    @for (code, label) in &page.equipment {
                        div class="check" {
                            input type="checkbox" id=(format!("eq-{code}")) name="equipment" value=(code) checked[d.equipment.contains(code)];
                            label for=(format!("eq-{code}")) { (label) }
                        }
                    }
                }
                div class="check" { input type="checkbox" id="step_free" name="step_free" value="1" checked[d.step_free]; label for="step_free" { (t(lang, "Accessible de plain-pied", "Step-free access")) } }
                div {
                    label for="approval" { (t(lang, "Validation des demandes", "Approval of requests")) }
                    select id="approval" name="approval" {
                        option value="manual" selected[d.approval == "manual"] { (t(lang, "par un gestionnaire", "by a manager")) }
                        option value="automatic" selected[d.approval == "automatic"] { (t(lang, "automatique", "automatic")) }
                    }
                }
                div {
                    label for="rate" { (t(lang, "Tarif horaire en euros", "Hourly rate in euros")) }
                    input id="rate" name="rate" inputmode="decimal" value=(d.rate) aria-describedby="rate-hint";
                    p id="rate-hint" class="hint" { (t(lang, "Vide : la grille tarifaire de l'établissement s'applique ; 0 : salle gratuite.", "Empty: the establishment's tariff grid applies; 0: free room.")) }
                }
                div { label for="description" { (t(lang, "Description", "Description")) } textarea id="description" name="description" rows="4" maxlength="4000" { (d.description) } }
                div { button type="submit" { (t(lang, "Enregistrer la description", "Save the description")) } }
            }
            h2 id="horaires" { (t(lang, "Horaires d'ouverture", "Opening hours")) }
            (section_error(page, "horaires"))
            form class="stack" method="post" action=(format!("{base}/horaires")) {
                (csrf_field(&chrome.csrf))
                p class="hint" id="hours-hint" { (t(lang, "Heure locale de Paris, plages « HH:MM-HH:MM » séparées par des virgules ; vide : fermé ce jour-là.", "Paris local time, ranges \"HH:MM-HH:MM\" separated by commas; empty: closed that day.")) }
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Jour", "Day")) }
                        th scope="col" { (t(lang, "Semaines d'école", "School weeks")) }
                        th scope="col" { (t(lang, "Vacances scolaires", "School holidays")) }
                    } }
                    tbody { @for h in &page.hours { tr {
                        th scope="row" { (h.label) }
                        td { input name=(format!("semaine_{}", h.weekday)) value=(h.school_weeks) aria-label=(format!("{} — {}", h.label, t(lang, "semaines d'école", "school weeks"))) aria-describedby="hours-hint"; }
                        td { input name=(format!("vacances_{}", h.weekday)) value=(h.holidays) aria-label=(format!("{} — {}", h.label, t(lang, "vacances scolaires", "school holidays"))) aria-describedby="hours-hint"; }
                    } } }
                }
                div class="check" { input type="checkbox" id="public_holidays" name="public_holidays" value="1" checked[page.public_holidays]; label for="public_holidays" { (t(lang, "Ouverte les jours fériés", "Open on public holidays")) } }
                div { button type="submit" { (t(lang, "Enregistrer les horaires", "Save the hours")) } }
            }
            h2 id="regles" { (t(lang, "Règles de réservation", "Booking rules")) }
            p class="hint" { (t(lang, "Elles s'appliquent aux nouvelles demandes : les réservations déjà faites gardent les règles et le prix de leur demande.", "They apply to new requests: bookings already made keep the rules and price of their request.")) }
            (section_error(page, "regles"))
            @let r = &page.rules;
            form class="stack" method="post" action=(format!("{base}/regles")) {
                (csrf_field(&chrome.csrf))
                @for (id, label, value) in [
                    ("notice_hours", t(lang, "Délai de prévenance (heures avant le créneau)", "Notice (hours before the slot)"), &r.notice_hours),
                    ("horizon_days", t(lang, "Réservable jusqu'à (jours à l'avance)", "Bookable up to (days ahead)"), &r.horizon_days),
                    ("min_minutes", t(lang, "Durée minimale (minutes)", "Shortest booking (minutes)"), &r.min_minutes),
                    ("max_minutes", t(lang, "Durée maximale (minutes)", "Longest booking (minutes)"), &r.max_minutes),
                    ("buffer_minutes", t(lang, "Battement entre deux réservations (minutes)", "Gap between two bookings (minutes)"), &r.buffer_minutes),
                    ("decision_hours", t(lang, "Délai de décision sur une demande (heures)", "Time to decide on a request (hours)"), &r.decision_hours),
                    ("payment_hours", t(lang, "Délai de paiement après l'accord (heures)", "Time to pay after approval (hours)"), &r.payment_hours),
                ] {
                    div { label for=(id) { (label) } input id=(id) name=(id) inputmode="numeric" value=(value) required; }
                }
                div { button type="submit" { (t(lang, "Enregistrer les règles", "Save the rules")) } }
            }
            h2 id="blocages" { (t(lang, "Blocages internes", "Internal blocks")) }
            p class="hint" { (t(lang, "Un créneau que l'établissement garde pour lui (conseil de classe, travaux…) : il n'est plus proposé.", "A slot the establishment keeps for itself (staff meeting, works…): it is no longer offered.")) }
            (liftable(lang, &chrome.csrf, &page.blocks, &format!("{base}/blocages"), t(lang, "Aucun blocage.", "No block.")))
            (section_error(page, "blocage"))
            form class="stack" method="post" action=(format!("{base}/blocages")) {
                (csrf_field(&chrome.csrf))
                div { label for="block-day" { (t(lang, "Jour", "Day")) } input id="block-day" name="day" type="date" value=(page.block.day) required; }
                div { label for="block-start" { (t(lang, "De", "From")) } input id="block-start" name="start" type="time" value=(page.block.start) required; }
                div { label for="block-end" { (t(lang, "À", "To")) } input id="block-end" name="end" type="time" value=(page.block.end) required; }
                div { label for="block-reason" { (t(lang, "Motif", "Reason")) } input id="block-reason" name="reason" value=(page.block.reason) maxlength="300" required; }
                div { button type="submit" { (t(lang, "Bloquer ce créneau", "Block this slot")) } }
            }
            h2 id="fermetures" { (t(lang, "Fermetures", "Closures")) }
            p class="hint" { (t(lang, "Des jours entiers où la salle n'est pas proposée (examens, travaux).", "Whole days when the room is not offered (exams, works).")) }
            (liftable(lang, &chrome.csrf, &page.closures, &format!("{base}/fermetures"), t(lang, "Aucune fermeture.", "No closure.")))
            (section_error(page, "fermeture"))
            form class="stack" method="post" action=(format!("{base}/fermetures")) {
                (csrf_field(&chrome.csrf))
                div { label for="closure-first" { (t(lang, "Premier jour", "First day")) } input id="closure-first" name="first_day" type="date" value=(page.closure.first_day) required; }
                div { label for="closure-last" { (t(lang, "Dernier jour", "Last day")) } input id="closure-last" name="last_day" type="date" value=(page.closure.last_day) required; }
                div { label for="closure-reason" { (t(lang, "Motif de la fermeture", "Reason for the closure")) } input id="closure-reason" name="reason" value=(page.closure.reason) maxlength="300" required; }
                div { button type="submit" { (t(lang, "Fermer ces jours", "Close these days")) } }
            }
            h2 id="etat" { (t(lang, "Proposer la salle", "Offering the room")) }
            (section_error(page, "etat"))
            @if page.withdrawn {
                p { (t(lang, "La salle est retirée : elle n'apparaît plus dans les recherches.", "The room is withdrawn: it no longer appears in searches.")) }
                form method="post" action=(format!("{base}/remise")) {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Proposer à nouveau la salle", "Offer the room again")) }
                }
            } @else {
                form class="stack" method="post" action=(format!("{base}/retrait")) {
                    (csrf_field(&chrome.csrf))
                    div { label for="withdraw-reason" { (t(lang, "Motif du retrait", "Reason for withdrawing")) } input id="withdraw-reason" name="reason" maxlength="300" required; }
                    div { button type="submit" class="secondary" { (t(lang, "Retirer la salle des recherches", "Withdraw the room from searches")) } }
                }
            }
        },
    )
}

/// Internal blocks or closures, each with its button to lift it
/// (`POST {collection}/{id}/supprimer`), or `empty` when there is none.
fn liftable(lang: crate::Lang, csrf: &str, lines: &[BlockLine], collection: &str, empty: &str) -> Markup {
    html! {
        @if lines.is_empty() {
            p { (empty) }
        } @else {
            ul { @for line in lines { li {
                (line.when) " — " (line.reason) " "
                form class="inline-action" method="post" action=(format!("{collection}/{}/supprimer", line.id)) {
                    (csrf_field(csrf))
                    button type="submit" class="secondary" { (t(lang, "Lever", "Remove")) span class="visually-hidden" { " " (line.when) } }
                }
            } } }
        }
    }
}
