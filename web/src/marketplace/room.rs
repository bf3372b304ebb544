//! A room's page (a week of availability, the request form), an establishment's page, and a weekly
//! series shown before it is confirmed.

use maud::{Markup, html};

use crate::layout::{Chrome, alert, csrf_field, page_with, t};

#[derive(Debug, Clone)]
pub struct CalendarDay {
    pub label: String,
    /// (time range, status code `free`/`held`/`booked`, status label)
    pub intervals: Vec<(String, String, String)>,
}

#[derive(Debug, Clone)]
pub struct RoomView {
    pub id: String,
    pub name: String,
    pub establishment_name: String,
    pub establishment_href: String,
    pub address: String,
    pub kind_label: String,
    pub capacity: u32,
    pub equipment: Vec<String>,
    pub step_free: bool,
    pub description: String,
    pub approval_label: String,
    /// (category label, hourly price)
    pub tariff: Vec<(String, String)>,
    pub week_label: String,
    pub previous_week: String,
    pub next_week: String,
    pub days: Vec<CalendarDay>,
    /// An association is signed in: it may request a slot here.
    pub can_request: bool,
    /// The establishment cannot take paid bookings yet.
    pub payments_not_ready: bool,
    /// What the request form holds (what was typed, after a refusal).
    pub request: RequestValues,
}

/// The request form's fields, as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestValues {
    pub date: String,
    pub start: String,
    pub end: String,
    pub attendees: String,
    pub purpose: String,
    pub repeat_weekly_until: String,
}

/// A room: description, rules, tariff, a week of availability, the request form.
pub fn room(chrome: &Chrome, room: &RoomView, message: Option<&str>) -> Markup {
    let lang = chrome.lang;
    page_with(
        chrome,
        &room.name,
        html! {
            h1 { (room.name) span class="hint" { " — " a href=(room.establishment_href) { (room.establishment_name) } } }
            (alert(message))
            p { (room.address) }
            ul {
                li { (room.kind_label) ", " (room.capacity) " " (t(lang, "personnes", "people")) }
                @if !room.equipment.is_empty() { li { (t(lang, "Équipements : ", "Equipment: ")) (room.equipment.join(", ")) } }
                li { @if room.step_free { (t(lang, "Accessible de plain-pied", "Step-free access")) } @else { (t(lang, "Non accessible de plain-pied", "Not step-free")) } }
                li { (room.approval_label) }
            }
            @if !room.description.is_empty() { p { (room.description) } }
            @if room.payments_not_ready {
                p class="notice" { (t(lang,
                    "Cet établissement ne peut pas encore recevoir de paiements en ligne : seules les réservations gratuites sont possibles.",
                    "This establishment cannot take online payments yet: only free bookings are possible.")) }
            }
            h2 { (t(lang, "Tarif horaire", "Hourly rate")) }
            table {
                thead { tr { th scope="col" { (t(lang, "Catégorie", "Category")) } th scope="col" { (t(lang, "Prix par heure", "Price per hour")) } } }
                tbody { @for (category, price) in &room.tariff { tr { td { (category) } td { (price) } } } }
            }
            h2 id="semaine" { (t(lang, "Disponibilités — ", "Availability — ")) (room.week_label) }
            nav aria-label=(t(lang, "Semaines", "Weeks")) {
                a href=(room.previous_week) { (t(lang, "← Semaine précédente", "← Previous week")) }
                " · "
                a href=(room.next_week) { (t(lang, "Semaine suivante →", "Next week →")) }
                " · "
                a href={ "/api/v1/calendars/rooms/" (room.id) ".ics" } { (t(lang, "Agenda de la salle (iCalendar)", "The room's calendar (iCalendar)")) }
            }
            table {
                caption class="visually-hidden" { (t(lang, "Créneaux de la semaine", "Slots of the week")) }
                thead { tr { th scope="col" { (t(lang, "Jour", "Day")) } th scope="col" { (t(lang, "Créneaux", "Slots")) } } }
                tbody {
                    @for day in &room.days {
                        tr {
                            th scope="row" { (day.label) }
                            td {
                                @if day.intervals.is_empty() { (t(lang, "Fermé", "Closed")) }
                                @for (range, code, label) in &day.intervals {
                                    span class=(format!("status status-{code}")) { (range) " : " (label) } br;
                                }
                            }
                        }
                    }
                }
            }
            @if room.can_request {
                h2 { (t(lang, "Demander un créneau", "Request a slot")) }
                form class="stack" method="post" action="/reservations" {
                    (csrf_field(&chrome.csrf))
                    input type="hidden" name="room_id" value=(room.id);
                    @let v = &room.request;
                    div { label for="r-date" { (t(lang, "Date", "Date")) } input id="r-date" name="date" type="date" value=(v.date) required; }
                    div { label for="r-start" { (t(lang, "De", "From")) } input id="r-start" name="start" type="time" value=(v.start) required; }
                    div { label for="r-end" { (t(lang, "À", "To")) } input id="r-end" name="end" type="time" value=(v.end) required; }
                    div { label for="r-attendees" { (t(lang, "Nombre de personnes", "Number of people")) } input id="r-attendees" name="attendees" type="number" min="1" value=(v.attendees) required; }
                    div { label for="r-purpose" { (t(lang, "Objet", "Purpose")) } input id="r-purpose" name="purpose" maxlength="300" value=(v.purpose) required; }
                    div {
                        label for="r-until" { (t(lang, "Répéter chaque semaine jusqu'au (facultatif)", "Repeat weekly until (optional)")) }
                        input id="r-until" name="repeat_weekly_until" type="date" value=(v.repeat_weekly_until);
                    }
                    div { button type="submit" { (t(lang, "Envoyer la demande", "Send the request")) } }
                }
            } @else if chrome.user.is_none() {
                p { a href="/connexion" { (t(lang, "Connectez-vous", "Sign in")) } (t(lang, " pour demander un créneau.", " to request a slot.")) }
            }
        },
    )
}

/// An establishment's public page: where it is and the rooms it offers.
#[derive(Debug, Clone, Default)]
pub struct EstablishmentView {
    pub name: String,
    pub kind_label: String,
    pub address: String,
    pub commune: String,
    /// (href, name, kind, capacity)
    pub rooms: Vec<(String, String, String, u32)>,
    pub accepts_payments: bool,
    pub suspended: bool,
}

pub fn establishment(chrome: &Chrome, e: &EstablishmentView) -> Markup {
    let lang = chrome.lang;
    page_with(
        chrome,
        &e.name,
        html! {
            h1 { (e.name) }
            p { (e.kind_label) " · " (e.address) " (" (e.commune) ")" }
            @if e.suspended {
                p class="notice" { (t(lang, "Cet établissement ne prend plus de réservations pour l'instant.", "This establishment takes no bookings for now.")) }
            } @else if !e.accepts_payments {
                p class="notice" { (t(lang, "Cet établissement ne prend pas encore de paiement en ligne : seules ses salles gratuites peuvent être réservées.", "This establishment cannot take online payments yet: only its free rooms can be booked.")) }
            }
            h2 { (t(lang, "Salles proposées", "Rooms offered")) }
            @if e.rooms.is_empty() {
                p { (t(lang, "Aucune salle n'est proposée pour l'instant.", "No room is offered for now.")) }
            } @else {
                ul class="results" {
                    @for (href, name, kind, capacity) in &e.rooms {
                        li { a href=(href) { (name) } " — " (kind) ", " (capacity) " " (t(lang, "personnes", "people")) }
                    }
                }
            }
        },
    )
}

/// A weekly series before it is confirmed: each date kept or skipped with
/// its reason, and the total price. `fields` are the form's, carried to the
/// confirmation.
pub fn series_preview(
    chrome: &Chrome,
    room: &str,
    booked: &[String],
    skipped: &[(String, String)],
    total: &str,
    fields: &[(&str, String)],
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Vérifier la série avant de l'envoyer", "Check the series before sending it");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (room) }
            p class="notice" { (t(lang, "Prix total des dates retenues : ", "Total price of the dates kept: ")) strong { (total) } }
            h2 { (booked.len()) " " (t(lang, "date(s) retenue(s)", "date(s) kept")) }
            ul { @for d in booked { li { (d) } } }
            @if !skipped.is_empty() {
                h2 { (skipped.len()) " " (t(lang, "date(s) écartée(s)", "date(s) skipped")) }
                ul { @for (d, why) in skipped { li { (d) " : " (why) } } }
            }
            form method="post" action="/reservations" {
                (csrf_field(&chrome.csrf))
                @for (name, value) in fields { input type="hidden" name=(name) value=(value); }
                input type="hidden" name="confirmed" value="true";
                button type="submit" { (t(lang, "Confirmer la demande", "Confirm the request")) }
            }
        },
    )
}
