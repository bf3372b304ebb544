//! The marketplace's pages: search, room, sign-in, bookings. Every view
//! takes a view model of ready-to-show text (dates, money, statuses already
//! written in the page's language) and returns the page.

use maud::{Markup, html};

use crate::Lang;
use crate::layout::{Chrome, alert, csrf_field, page_with, t};

/// What the search form holds (as typed, so nothing is lost on an error).
#[derive(Debug, Clone, Default)]
pub struct SearchForm {
    pub near: String,
    pub radius_km: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub capacity: String,
    pub kind: String,
    pub equipment: Vec<String>,
    pub step_free: bool,
}

#[derive(Debug, Clone)]
pub struct ResultLine {
    pub room_href: String,
    pub room_name: String,
    pub establishment_name: String,
    pub commune: String,
    pub kind_label: String,
    pub capacity: u32,
    pub distance: String,
    /// The price of the searched slot, when a slot was given.
    pub price: Option<String>,
    /// Free intervals in the searched window, as text.
    pub free: Vec<String>,
    /// The establishment's (latitude, longitude), for the map.
    pub point: Option<(f64, f64)>,
}

/// The choices of the form: (code, label).
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub communes: Vec<String>,
    pub kinds: Vec<(String, String)>,
    pub equipment: Vec<(String, String)>,
}

/// The home page: the search form, and its results once searched.
pub fn search(
    chrome: &Chrome,
    form: &SearchForm,
    choices: &Choices,
    errors: &[String],
    results: Option<(&[ResultLine], usize)>,
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Trouver une salle", "Find a room");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (t(lang,
                "Des salles de collèges, gymnases et lieux culturels, en dehors des heures de classe, pour les associations.",
                "Rooms in collèges, gymnasiums and cultural venues, outside school hours, for associations.")) }
            @if !errors.is_empty() {
                div class="alert" role="alert" {
                    p { strong { (t(lang, "La recherche ne peut pas être faite :", "The search cannot be run:")) } }
                    ul { @for e in errors { li { (e) } } }
                }
            }
            form class="stack" method="get" action="/" role="search" {
                div {
                    label for="near" { (t(lang, "Commune, code INSEE ou coordonnées", "Town, INSEE code or coordinates")) }
                    input id="near" name="near" list="communes" value=(form.near) autocomplete="off"
                        aria-describedby="near-hint" required;
                    p id="near-hint" class="hint" { (t(lang, "Par exemple : Voiron, 38563 ou 45.36,5.59", "For example: Voiron, 38563 or 45.36,5.59")) }
                    datalist id="communes" { @for c in &choices.communes { option value=(c) {} } }
                }
                div {
                    label for="radius_km" { (t(lang, "Rayon (km)", "Radius (km)")) }
                    input id="radius_km" name="radius_km" type="number" min="1" max="100" value=(form.radius_km);
                }
                fieldset {
                    legend { (t(lang, "Créneau (facultatif)", "Time slot (optional)")) }
                    label for="date" { (t(lang, "Date", "Date")) }
                    input id="date" name="date" type="date" value=(form.date);
                    label for="start" { (t(lang, "De", "From")) }
                    input id="start" name="start" type="time" value=(form.start);
                    label for="end" { (t(lang, "À", "To")) }
                    input id="end" name="end" type="time" value=(form.end);
                }
                div {
                    label for="capacity" { (t(lang, "Nombre de personnes", "Number of people")) }
                    input id="capacity" name="capacity" type="number" min="1" value=(form.capacity);
                }
                div {
                    label for="kind" { (t(lang, "Type de salle", "Kind of room")) }
                    select id="kind" name="kind" {
                        option value="" { (t(lang, "Tous", "Any")) }
                        @for (code, label) in &choices.kinds {
                            option value=(code) selected[form.kind == *code] { (label) }
                        }
                    }
                }
                fieldset class="inline" {
                    legend { (t(lang, "Équipements", "Equipment")) }
                    @for (code, label) in &choices.equipment {
                        input type="checkbox" id=(format!("eq-{code}")) name="equipment" value=(code)
                            checked[form.equipment.contains(code)];
                        label for=(format!("eq-{code}")) { (label) }
                    }
                }
                div class="inline" {
                    input type="checkbox" id="step_free" name="step_free" value="true" checked[form.step_free];
                    label for="step_free" { (t(lang, "Accessible de plain-pied", "Step-free access")) }
                }
                div { button type="submit" { (t(lang, "Rechercher", "Search")) } }
            }
            @if let Some((lines, total)) = results {
                section aria-labelledby="results-title" {
                    h2 id="results-title" {
                        (total) " " (t(lang, "salle(s) trouvée(s)", "room(s) found"))
                    }
                    @if lines.is_empty() {
                        p { (t(lang, "Aucune salle ne correspond : élargissez le rayon ou changez le créneau.",
                               "No room matches: widen the radius or change the slot.")) }
                    }
                    @if !lines.is_empty() {
                        // Shown by carte.js once Leaflet runs; the list below holds the same rooms.
                        link rel="stylesheet" href="/static/leaflet/leaflet.css";
                        div id="carte" class="map" role="region" hidden
                            aria-label=(t(lang, "Carte des résultats (la liste qui suit contient les mêmes salles)", "Map of the results (the list below holds the same rooms)")) {}
                        script src="/static/leaflet/leaflet.js" defer {}
                        script src="/static/carte.js" defer {}
                    }
                    ul class="results" {
                        @for r in lines {
                            li data-lat=[r.point.map(|p| p.0.to_string())] data-lon=[r.point.map(|p| p.1.to_string())] {
                                h3 { a href=(r.room_href) { (r.room_name) " — " (r.establishment_name) } }
                                p {
                                    (r.kind_label) ", " (r.capacity) " " (t(lang, "personnes", "people")) ", "
                                    (r.commune) ", " (r.distance)
                                }
                                @if let Some(price) = &r.price {
                                    p { (t(lang, "Prix pour ce créneau : ", "Price for this slot: ")) strong { (price) } }
                                }
                                @if !r.free.is_empty() {
                                    p { (t(lang, "Libre : ", "Free: ")) (r.free.join(", ")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

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

/// The sign-in form (the e-mail is kept after a failure).
pub fn sign_in(chrome: &Chrome, email: &str, error: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Se connecter", "Sign in");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            form class="stack" method="post" action="/connexion" {
                (csrf_field(&chrome.csrf))
                div {
                    label for="email" { (t(lang, "Adresse e-mail", "E-mail address")) }
                    input id="email" name="email" type="email" autocomplete="username" value=(email) required;
                }
                div {
                    label for="password" { (t(lang, "Mot de passe", "Password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                div { button type="submit" { (title) } }
            }
            p { (t(lang, "Pas encore de compte ? ", "No account yet? ")) a href="/inscription" { (t(lang, "Inscrire une association", "Register an association")) } }
        },
    )
}

#[derive(Debug, Clone)]
pub struct BookingLine {
    pub href: String,
    pub when: String,
    pub room: String,
    pub status_label: String,
    pub price: String,
    pub pending: bool,
}

/// A list of bookings; pending requests first for managers.
pub fn bookings(chrome: &Chrome, heading: &str, lines: &[BookingLine], message: Option<&str>) -> Markup {
    let lang = chrome.lang;
    page_with(
        chrome,
        heading,
        html! {
            h1 { (heading) }
            @if let Some(m) = message { p class="notice" role="status" { (m) } }
            @if lines.is_empty() {
                p { (t(lang, "Aucune réservation pour le moment.", "No bookings yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Créneau", "Slot")) }
                        th scope="col" { (t(lang, "Salle", "Room")) }
                        th scope="col" { (t(lang, "Statut", "Status")) }
                        th scope="col" { (t(lang, "Prix", "Price")) }
                    } }
                    tbody {
                        @for l in lines {
                            tr {
                                td { a href=(l.href) { (l.when) } }
                                td { (l.room) }
                                td { span class="status" { (l.status_label) } @if l.pending { " " span class="badge" { (t(lang, "à décider", "to decide")) } } }
                                td { (l.price) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What a booking's page may offer.
#[derive(Debug, Clone, Default)]
pub struct Actions {
    pub approve_reject: bool,
    /// The booking is one date of a weekly series with this many dates still
    /// to decide: the whole series can be decided at once.
    pub series_pending: Option<usize>,
    pub pay: bool,
    pub cancel: bool,
    /// What cancelling now gives back, shown before confirming.
    pub refund_if_cancelled: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BookingView {
    pub id: String,
    pub when: String,
    pub room: String,
    pub room_href: String,
    pub status_label: String,
    pub price: String,
    pub history: Vec<HistoryLine>,
    /// The history shown as it stood at this instant, if asked.
    pub as_of: Option<String>,
    pub actions: Actions,
    /// The payment receipt, once paid.
    pub receipt_href: Option<String>,
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

/// A payment receipt: who paid whom, for what, how much, and what went back.
#[derive(Debug, Clone, Default)]
pub struct ReceiptView {
    pub number: String,
    pub booking_href: String,
    pub establishment: String,
    pub establishment_address: String,
    pub association: String,
    pub association_identifier: String,
    pub room: String,
    pub when: String,
    pub purpose: String,
    pub paid_on: String,
    pub amount: String,
    pub payment_ref: String,
    /// (label, amount) of each refund issued.
    pub refunds: Vec<(String, String)>,
    pub net: String,
}

/// The receipt, printable (the navigation is not printed).
pub fn receipt(chrome: &Chrome, r: &ReceiptView) -> Markup {
    let lang = chrome.lang;
    let title = format!("{} {}", t(lang, "Reçu de paiement n°", "Payment receipt no."), r.number);
    page_with(
        chrome,
        &title,
        html! {
            h1 { (title) }
            p class="no-print" { a href=(r.booking_href) { (t(lang, "Retour à la réservation", "Back to the booking")) } }
            dl {
                dt { (t(lang, "Établissement (bénéficiaire)", "Establishment (payee)")) } dd { (r.establishment) br; (r.establishment_address) }
                dt { (t(lang, "Payé par", "Paid by")) } dd { (r.association) " — " (r.association_identifier) }
                dt { (t(lang, "Salle", "Room")) } dd { (r.room) }
                dt { (t(lang, "Créneau", "Slot")) } dd { (r.when) }
                dt { (t(lang, "Objet", "Purpose")) } dd { (r.purpose) }
                dt { (t(lang, "Payé le", "Paid on")) } dd { (r.paid_on) }
                dt { (t(lang, "Montant payé", "Amount paid")) } dd { strong { (r.amount) } }
                dt { (t(lang, "Référence du paiement", "Payment reference")) } dd { code { (r.payment_ref) } }
            }
            @if !r.refunds.is_empty() {
                h2 { (t(lang, "Remboursements", "Refunds")) }
                ul { @for (label, amount) in &r.refunds { li { (label) " : " (amount) } } }
                p { (t(lang, "Montant conservé par l'établissement : ", "Amount kept by the establishment: ")) strong { (r.net) } }
            }
            p class="hint" { (t(lang, "Reçu établi par salle pour le compte de l'établissement, qui perçoit l'intégralité du montant.", "Receipt made by salle on behalf of the establishment, which receives the whole amount.")) }
        },
    )
}

/// One event of a booking: when, what, who, and the ledger lines it wrote
/// (shown to finance, admins and the establishment's managers).
#[derive(Debug, Clone, Default)]
pub struct HistoryLine {
    pub when: String,
    pub what: String,
    pub who: String,
    pub event_id: String,
    /// (account, account name, debit, credit)
    pub ledger: Vec<(String, String, String, String)>,
}

pub fn booking(chrome: &Chrome, b: &BookingView, message: Option<&str>) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Réservation", "Booking");
    let action = |verb: &str| format!("/reservations/{}/{verb}", b.id);
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) " — " (b.when) }
            (alert(message))
            dl {
                dt { (t(lang, "Salle", "Room")) } dd { a href=(b.room_href) { (b.room) } }
                dt { (t(lang, "Statut", "Status")) } dd { span class="status" { (b.status_label) } }
                dt { (t(lang, "Prix", "Price")) } dd { (b.price) }
            }
            @if let Some(href) = &b.receipt_href {
                p { a href=(href) { (t(lang, "Reçu de paiement", "Payment receipt")) } }
            }
            @if b.actions.pay {
                form method="post" action=(action("payer")) {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Payer ", "Pay ")) (b.price) }
                }
            }
            @if b.actions.approve_reject {
                form method="post" action=(action("approuver")) {
                    (csrf_field(&chrome.csrf))
                    button type="submit" { (t(lang, "Approuver", "Approve")) }
                }
                form class="stack" method="post" action=(action("refuser")) {
                    (csrf_field(&chrome.csrf))
                    label for="reason" { (t(lang, "Motif du refus", "Reason for refusal")) }
                    input id="reason" name="reason" required maxlength="500";
                    div { button type="submit" class="danger" { (t(lang, "Refuser", "Reject")) } }
                }
                @if let Some(n) = b.actions.series_pending {
                    h2 { (t(lang, "Toute la série", "The whole series")) }
                    p { (n) (t(lang, " date(s) de cette série hebdomadaire attendent une décision.", " date(s) of this weekly series await a decision.")) }
                    form method="post" action=(action("approuver-serie")) {
                        (csrf_field(&chrome.csrf))
                        button type="submit" { (t(lang, "Approuver toute la série", "Approve the whole series")) }
                    }
                    form class="stack" method="post" action=(action("refuser-serie")) {
                        (csrf_field(&chrome.csrf))
                        label for="series-reason" { (t(lang, "Motif du refus de la série", "Reason for rejecting the series")) }
                        input id="series-reason" name="reason" required maxlength="500";
                        div { button type="submit" class="danger" { (t(lang, "Refuser toute la série", "Reject the whole series")) } }
                    }
                }
            }
            @if b.actions.cancel {
                form class="stack" method="post" action=(action("annuler")) {
                    (csrf_field(&chrome.csrf))
                    @if let Some(refund) = &b.actions.refund_if_cancelled {
                        p class="notice" { (t(lang, "En annulant maintenant, vous serez remboursé de ", "Cancelling now refunds ")) strong { (refund) } "." }
                    }
                    label for="cancel-reason" { (t(lang, "Motif (facultatif)", "Reason (optional)")) }
                    input id="cancel-reason" name="reason" maxlength="500";
                    div { button type="submit" class="danger" { (t(lang, "Annuler la réservation", "Cancel the booking")) } }
                }
            }
            h2 id="historique" { (t(lang, "Historique", "History")) }
            @if let Some(as_of) = &b.as_of {
                p class="notice" { (t(lang, "Tel qu'il était le ", "As it stood on ")) strong { (as_of) } "." }
            }
            ol class="history" {
                @for h in &b.history {
                    li {
                        (h.when) " — " (h.what) @if !h.who.is_empty() { " (" (h.who) ")" }
                        " " span class="hint" { (t(lang, "événement ", "event ")) code { (h.event_id) } }
                        @if !h.ledger.is_empty() {
                            table class="compact" {
                                caption class="visually-hidden" { (t(lang, "Écritures de cet événement", "Entries of this event")) }
                                thead { tr {
                                    th scope="col" { (t(lang, "Compte", "Account")) }
                                    th scope="col" { (t(lang, "Débit", "Debit")) }
                                    th scope="col" { (t(lang, "Crédit", "Credit")) }
                                } }
                                tbody { @for (account, name, debit, credit) in &h.ledger {
                                    tr { td { (account) " " span class="hint" { (name) } } td { (debit) } td { (credit) } }
                                } }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The legal notice.
pub fn legal(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Mentions légales", "Legal notice");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (t(lang,
                "salle est un logiciel libre (AGPL-3.0) exploité par la collectivité qui le met en ligne ; elle en est l'éditrice et la responsable de traitement.",
                "salle is free software (AGPL-3.0) run by the public body that puts it online; that body publishes it and controls the data.")) }
            p { (t(lang,
                "Données personnelles : les coordonnées des associations et des comptes sont conservées hors du journal des événements et peuvent être effacées sur demande.",
                "Personal data: the contact details of associations and accounts are kept out of the event log and can be erased on request.")) }
        },
    )
}

/// The accessibility statement.
pub fn accessibility(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Déclaration d'accessibilité", "Accessibility statement");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            p { (t(lang,
                "salle vise la conformité au RGAA 4.1 (WCAG 2.1 niveau AA). État de conformité : partiellement conforme, l'audit complet n'ayant pas encore été réalisé.",
                "salle aims at RGAA 4.1 (WCAG 2.1 level AA). Compliance: partially compliant, as the full audit has not been carried out yet.")) }
            p { (t(lang,
                "Les pages fonctionnent sans JavaScript, au clavier, avec un lien d'évitement, des libellés sur chaque champ et des statuts écrits en toutes lettres.",
                "Pages work without JavaScript, with the keyboard, with a skip link, a label on every field and statuses written out in words.")) }
        },
    )
}

#[derive(Debug, Clone)]
pub struct LedgerLineView {
    pub when: String,
    pub account: String,
    pub account_name: String,
    pub debit: String,
    pub credit: String,
    /// The booking's page, when the line is about a booking.
    pub booking_href: Option<String>,
    pub event_id: String,
    /// On the département's ledger: the establishment.
    pub establishment: Option<String>,
}

/// A ledger page: one establishment's or the whole département's, for a
/// period, now or as it stood at an instant, with its exports.
#[derive(Debug, Clone, Default)]
pub struct LedgerPage {
    pub name: String,
    pub from: String,
    pub to: String,
    /// As typed: `2026-12-01T18:00`, or empty for now.
    pub as_of: String,
    pub lines: Vec<LedgerLineView>,
    /// (account, name, balance)
    pub balances: Vec<(String, String, String)>,
    /// (label, href)
    pub exports: Vec<(String, String)>,
    /// The reconciliation of this ledger with the provider (finance, admins).
    pub reconciliation: Option<String>,
}

/// The reconciliation of a ledger with the payment provider's records.
#[derive(Debug, Clone, Default)]
pub struct ReconciliationPage {
    pub name: String,
    pub from: String,
    pub to: String,
    pub as_of: String,
    /// Kept in the form, so that the same scope is asked again.
    pub establishment: Option<String>,
    pub provider: String,
    pub accounts: Vec<String>,
    pub totals: Vec<ReconciliationTotal>,
    pub mismatches: Vec<MismatchView>,
    pub ledger_href: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReconciliationTotal {
    pub kind: String,
    pub ledger_count: usize,
    pub ledger_amount: String,
    pub provider_count: usize,
    pub provider_amount: String,
    pub matched: String,
}

#[derive(Debug, Clone, Default)]
pub struct MismatchView {
    pub when: String,
    pub kind: String,
    pub problem: String,
    pub reference: String,
    pub establishment: Option<String>,
    pub booking_href: Option<String>,
    pub ledger: String,
    pub provider: String,
    pub difference: String,
    pub event_id: Option<String>,
}

/// Each movement of money at the provider, the ledger's and the provider's
/// counts side by side, then every difference with its kind and amounts.
pub fn reconciliation(chrome: &Chrome, page: &ReconciliationPage) -> Markup {
    let lang = chrome.lang;
    let title = format!(
        "{} — {}",
        t(lang, "Rapprochement avec le prestataire de paiement", "Reconciliation with the payment provider"),
        page.name
    );
    page_with(
        chrome,
        &title,
        html! {
            h1 { (title) }
            p { a href=(page.ledger_href) { (t(lang, "Retour au grand livre", "Back to the ledger")) } }
            form class="inline" method="get" {
                @if let Some(e) = &page.establishment { input type="hidden" name="etablissement" value=(e); }
                label for="du" { (t(lang, "Du", "From")) } " " input id="du" name="du" type="date" value=(page.from); " "
                label for="au" { (t(lang, "Au", "To")) } " " input id="au" name="au" type="date" value=(page.to); " "
                label for="a_la_date" { (t(lang, "Grand livre tel qu'il était le", "Ledger as it stood on")) } " "
                input id="a_la_date" name="a_la_date" type="datetime-local" value=(page.as_of); " "
                button type="submit" { (t(lang, "Rapprocher", "Reconcile")) }
            }
            p {
                (t(lang, "Prestataire : ", "Provider: ")) strong { (page.provider) }
                " · " (t(lang, "comptes connectés lus : ", "connected accounts read: "))
                @if page.accounts.is_empty() { (t(lang, "aucun", "none")) }
                @for (i, a) in page.accounts.iter().enumerate() { @if i > 0 { ", " } code { (a) } }
            }
            @if page.mismatches.is_empty() {
                p class="notice" role="status" { (t(lang, "Aucun écart : chaque mouvement du grand livre est chez le prestataire, au centime, et inversement.", "No difference: every movement of the ledger is at the provider, to the cent, and the other way round.")) }
            } @else {
                div class="alert" role="alert" { p {
                    strong { (page.mismatches.len()) } (t(lang, " écart(s) entre le grand livre et le prestataire, listés ci-dessous.", " difference(s) between the ledger and the provider, listed below."))
                } }
            }
            h2 { (t(lang, "Mouvements de la période", "Movements of the period")) }
            table {
                thead { tr {
                    th scope="col" { (t(lang, "Nature", "Kind")) }
                    th scope="col" { (t(lang, "Grand livre (nombre)", "Ledger (count)")) }
                    th scope="col" { (t(lang, "Grand livre (montant)", "Ledger (amount)")) }
                    th scope="col" { (t(lang, "Prestataire (nombre)", "Provider (count)")) }
                    th scope="col" { (t(lang, "Prestataire (montant)", "Provider (amount)")) }
                    th scope="col" { (t(lang, "Concordants", "Matched")) }
                } }
                tbody { @for r in &page.totals { tr {
                    th scope="row" { (r.kind) } td { (r.ledger_count) } td { (r.ledger_amount) }
                    td { (r.provider_count) } td { (r.provider_amount) } td { (r.matched) }
                } } }
            }
            @if !page.mismatches.is_empty() {
                h2 { (t(lang, "Écarts", "Differences")) }
                table {
                    thead { tr {
                        th scope="col" { (t(lang, "Date", "Date")) }
                        th scope="col" { (t(lang, "Nature", "Kind")) }
                        th scope="col" { (t(lang, "Écart", "Difference")) }
                        th scope="col" { (t(lang, "Référence", "Reference")) }
                        th scope="col" { (t(lang, "Établissement", "Establishment")) }
                        th scope="col" { (t(lang, "Grand livre", "Ledger")) }
                        th scope="col" { (t(lang, "Prestataire", "Provider")) }
                        th scope="col" { (t(lang, "Différence", "Amount difference")) }
                        th scope="col" { (t(lang, "Réservation", "Booking")) }
                    } }
                    tbody { @for m in &page.mismatches { tr {
                        td { (m.when) } td { (m.kind) } td { strong { (m.problem) } } td { code { (m.reference) } }
                        td { (m.establishment.as_deref().unwrap_or("—")) }
                        td { (m.ledger) } td { (m.provider) } td { (m.difference) }
                        td {
                            @if let Some(href) = &m.booking_href {
                                a href=(href) { (t(lang, "historique", "history")) span class="visually-hidden" { (t(lang, " de la réservation, écart ", " of the booking, difference ")) (m.reference) } }
                            }
                            @if let Some(e) = &m.event_id { " " span class="hint" { (t(lang, "événement ", "event ")) code { (e) } } }
                        }
                    } } }
                }
            }
        },
    )
}

/// The head of the tamper-evident chain, for an auditor to write down.
#[derive(Debug, Clone, Default)]
pub struct ChainHead {
    pub position: String,
    pub hash: String,
    pub sealed: String,
}

fn chain_head(lang: Lang, head: &ChainHead) -> Markup {
    html! {
        section class="notice" aria-labelledby="chaine" {
            h2 id="chaine" { (t(lang, "Intégrité du journal", "Log integrity")) }
            p { (t(lang,
                "Chaque événement est chaîné au précédent par une empreinte SHA-256. Notez la tête de chaîne : « salle audit verify --anchor POSITION:EMPREINTE » prouvera plus tard que le journal la prolonge toujours.",
                "Every event is chained to the previous one by a SHA-256 hash. Write the head down: “salle audit verify --anchor POSITION:HASH” will later prove that the log still extends it.")) }
            p { (t(lang, "Tête : ", "Head: ")) code class="hash" { (head.position) ":" (head.hash) } " — " (head.sealed) " " (t(lang, "événements chaînés", "events chained")) }
        }
    }
}

/// The establishments whose ledger the visitor may read: (href, name, lines).
pub fn ledgers(
    chrome: &Chrome,
    establishments: &[(String, String, i64)],
    whole: Option<&str>,
    head: Option<&ChainHead>,
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Grands livres des établissements", "Establishments' ledgers");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            @if let Some(href) = whole {
                p { a href=(href) { (t(lang, "Grand livre de tout le département", "Ledger of the whole département")) } }
            }
            @if let Some(head) = head { (chain_head(lang, head)) }
            @if establishments.is_empty() {
                p { (t(lang, "Aucune écriture pour le moment.", "No entries yet.")) }
            } @else {
                ul { @for (href, name, lines) in establishments { li { a href=(href) { (name) } " — " (lines) " " (t(lang, "lignes", "lines")) } } }
            }
        },
    )
}

/// A ledger between two dates, now or as it stood at an instant, with its
/// balances and its exports.
pub fn ledger(chrome: &Chrome, page: &LedgerPage, head: Option<&ChainHead>) -> Markup {
    let lang = chrome.lang;
    let title = format!("{} — {}", t(lang, "Grand livre", "Ledger"), page.name);
    let whole = page.lines.iter().any(|l| l.establishment.is_some());
    page_with(
        chrome,
        &title,
        html! {
            h1 { (title) }
            form class="inline" method="get" {
                label for="du" { (t(lang, "Du", "From")) } " " input id="du" name="du" type="date" value=(page.from); " "
                label for="au" { (t(lang, "Au", "To")) } " " input id="au" name="au" type="date" value=(page.to); " "
                label for="a_la_date" { (t(lang, "Tel qu'il était le", "As it stood on")) } " "
                input id="a_la_date" name="a_la_date" type="datetime-local" value=(page.as_of) aria-describedby="a_la_date-aide"; " "
                button type="submit" { (t(lang, "Afficher", "Show")) }
                span id="a_la_date-aide" class="hint" { (t(lang, " (vide : maintenant ; sinon le journal est rejoué jusqu'à cet instant)", " (empty: now; otherwise the log is replayed up to that instant)")) }
            }
            @if !page.as_of.is_empty() {
                p class="notice" { (t(lang, "Grand livre tel qu'il était le ", "Ledger as it stood on ")) strong { (page.as_of.replace('T', " ")) } (t(lang, ", rejoué depuis le journal.", ", replayed from the log.")) }
            }
            @if !page.exports.is_empty() {
                p { (t(lang, "Exporter : ", "Export: ")) @for (i, (label, href)) in page.exports.iter().enumerate() { @if i > 0 { " · " } a href=(href) download { (label) } } }
            }
            @if let Some(href) = &page.reconciliation {
                p { a href=(href) { (t(lang, "Rapprocher avec le prestataire de paiement", "Reconcile with the payment provider")) } }
            }
            @if let Some(head) = head { (chain_head(lang, head)) }
            h2 { (t(lang, "Soldes", "Balances")) }
            table {
                thead { tr { th scope="col" { (t(lang, "Compte", "Account")) } th scope="col" { (t(lang, "Intitulé", "Name")) } th scope="col" { (t(lang, "Solde (débit − crédit)", "Balance (debit − credit)")) } } }
                tbody { @for (code, name, balance) in &page.balances { tr { td { (code) } td { (name) } td { (balance) } } } }
            }
            h2 { (t(lang, "Écritures", "Entries")) }
            table {
                thead { tr {
                    th scope="col" { (t(lang, "Date", "Date")) }
                    @if whole { th scope="col" { (t(lang, "Établissement", "Establishment")) } }
                    th scope="col" { (t(lang, "Compte", "Account")) }
                    th scope="col" { (t(lang, "Débit", "Debit")) }
                    th scope="col" { (t(lang, "Crédit", "Credit")) }
                    th scope="col" { (t(lang, "Réservation", "Booking")) }
                    th scope="col" { (t(lang, "Événement", "Event")) }
                } }
                tbody {
                    @for l in &page.lines {
                        tr {
                            td { (l.when) }
                            @if whole { td { (l.establishment.as_deref().unwrap_or_default()) } }
                            td { (l.account) " " span class="hint" { (l.account_name) } }
                            td { (l.debit) }
                            td { (l.credit) }
                            td { @if let Some(href) = &l.booking_href {
                                a href=(href) { (t(lang, "historique", "history")) span class="visually-hidden" { (t(lang, " de la réservation, ligne du ", " of the booking, line of ")) (l.when) } }
                            } }
                            td { code { (l.event_id) } }
                        }
                    }
                }
            }
        },
    )
}

/// The sign-up form of an association, as typed.
#[derive(Debug, Clone, Default)]
pub struct SignUpValues {
    pub name: String,
    pub identifier: String,
    pub category: String,
    pub contact_name: String,
    pub email: String,
    pub phone: String,
}

/// An association creates its account: its name, RNA or SIRET, category,
/// the contact person and the sign-in details.
pub fn sign_up(
    chrome: &Chrome,
    v: &SignUpValues,
    categories: &[(String, String)],
    error: Option<&str>,
) -> Markup {
    let lang = chrome.lang;
    let title = t(lang, "Inscrire une association", "Register an association");
    page_with(
        chrome,
        title,
        html! {
            h1 { (title) }
            (alert(error))
            form class="stack" method="post" action="/inscription" {
                (csrf_field(&chrome.csrf))
                div { label for="name" { (t(lang, "Nom de l'association", "Association's name")) } input id="name" name="name" value=(v.name) maxlength="160" required; }
                div {
                    label for="identifier" { (t(lang, "Numéro RNA ou SIRET", "RNA or SIRET number")) }
                    input id="identifier" name="identifier" value=(v.identifier) aria-describedby="identifier-hint" required;
                    p id="identifier-hint" class="hint" { (t(lang, "RNA : W suivi de 9 chiffres ; SIRET : 14 chiffres.", "RNA: W and 9 digits; SIRET: 14 digits.")) }
                }
                div {
                    label for="category" { (t(lang, "Catégorie", "Category")) }
                    select id="category" name="category" {
                        @for (code, label) in categories { option value=(code) selected[v.category == *code] { (label) } }
                    }
                }
                div { label for="contact_name" { (t(lang, "Personne à contacter", "Contact person")) } input id="contact_name" name="contact_name" value=(v.contact_name) autocomplete="name" required; }
                div { label for="phone" { (t(lang, "Téléphone (facultatif)", "Phone (optional)")) } input id="phone" name="phone" type="tel" value=(v.phone) autocomplete="tel"; }
                div { label for="su-email" { (t(lang, "Adresse e-mail", "E-mail address")) } input id="su-email" name="email" type="email" value=(v.email) autocomplete="email" required; }
                div {
                    label for="su-password" { (t(lang, "Mot de passe", "Password")) }
                    input id="su-password" name="password" type="password" autocomplete="new-password" minlength="12" aria-describedby="password-hint" required;
                    p id="password-hint" class="hint" { (t(lang, "Au moins 12 caractères.", "At least 12 characters.")) }
                }
                div { button type="submit" { (t(lang, "Créer le compte", "Create the account")) } }
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
