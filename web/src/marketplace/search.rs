//! The home page: the search form and its results, with the map.

use maud::{Markup, html};

use crate::layout::{Chrome, page_with, t};

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
