//! Finding rooms: the criteria of a search (near a commune or a point, free
//! for a window, for a group, of a kind, with equipment, step-free, under a
//! price), read the same way for the API and the search page, and the
//! search itself on the shared index.

use chrono::{DateTime, NaiveDateTime, Utc};
use salle_domain::time::Slot;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::room::{Equipment, RoomKind};
use salle_projections::search::{MAX_RADIUS_KM, SearchPage, SearchQuery};

use crate::app::{App, AppError};

/// The rooms that meet the criteria, nearest first.
pub fn run(app: &App, query: &SearchQuery) -> SearchPage {
    app.search.read_index(|index| index.search(query, &app.commands.calendar))
}

fn invalid(code: &'static str, message: String) -> AppError {
    AppError::Unprocessable { code, message }
}

/// A code of an API enumeration (`gym_hall`, `projector`, …).
fn code<T: std::str::FromStr>(param: &str, value: &str) -> Result<T, AppError> {
    value.trim().parse::<T>().map_err(|_| {
        invalid("invalid_parameter", format!("« {value} » n'est pas une valeur connue pour « {param} »."))
    })
}

/// RFC 3339 with an offset, or a local Europe/Paris time `2026-12-08T18:00`.
fn instant(param: &str, value: &str) -> Result<DateTime<Utc>, AppError> {
    let checked = |t: DateTime<Utc>| {
        salle_domain::time::check_instant(param, t).map_err(|r| invalid(r.code, r.message))
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return checked(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            invalid(
                "invalid_parameter",
                format!("« {value} » n'est pas une date et heure pour « {param} » (ex. 2026-12-08T18:00)."),
            )
        })?;
    salle_domain::time::check_day(param, local.date()).map_err(|r| invalid(r.code, r.message))?;
    salle_domain::time::local_instant(local.date(), local.time()).map_err(|r| invalid(r.code, r.message))
}

fn number<T: std::str::FromStr>(param: &str, value: &str) -> Result<T, AppError> {
    value.trim().parse().map_err(|_| {
        invalid("invalid_parameter", format!("« {value} » n'est pas un nombre pour « {param} »."))
    })
}

/// Reads the search parameters of API.md (`param` gives each by name) into
/// a query; each error names its parameter. The search page asks with the
/// same names.
pub fn criteria<'a>(app: &App, param: impl Fn(&str) -> Option<&'a str>) -> Result<SearchQuery, AppError> {
    let p = |name: &str| param(name).filter(|v| !v.trim().is_empty());
    let near = p("near").ok_or_else(|| AppError::BadRequest {
        code: "missing_parameter",
        message: "Le paramètre « near » est obligatoire : un code INSEE, un nom de commune ou « latitude,longitude ».".into(),
    })?;
    let (lat, lon) =
        match near.split_once(',').map(|(a, b)| (a.trim().parse::<f64>(), b.trim().parse::<f64>())) {
            Some((Ok(lat), Ok(lon))) => {
                if !((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)) {
                    return Err(invalid(
                        "invalid_parameter",
                        format!("« {near} » n'est pas une latitude,longitude."),
                    ));
                }
                (lat, lon)
            }
            _ => match app.communes.find(near) {
                Some(c) => (c.lat, c.lon),
                None => {
                    let suggestions: Vec<&str> =
                        app.communes.suggest(near, 5).iter().map(|c| c.name.as_str()).collect();
                    let hint = if suggestions.is_empty() {
                        String::new()
                    } else {
                        format!(" Vouliez-vous dire : {} ?", suggestions.join(", "))
                    };
                    return Err(invalid(
                        "unknown_commune",
                        format!("Aucune commune de l'Isère ne s'appelle « {near} ».{hint}"),
                    ));
                }
            },
        };
    let radius_km = p("radius_km").map(|v| number::<f64>("radius_km", v)).transpose()?.unwrap_or(10.0);
    if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
        return Err(invalid(
            "invalid_parameter",
            format!("Le rayon « radius_km » va de 0 à {MAX_RADIUS_KM} km."),
        ));
    }
    let window = match (p("start"), p("end")) {
        (Some(start), Some(end)) => {
            let slot = Slot::new(instant("start", start)?, instant("end", end)?)
                .map_err(|r| invalid(r.code, r.message))?;
            if slot.duration_minutes() > 24 * 60 {
                return Err(invalid(
                    "invalid_parameter",
                    "Un créneau recherché dure au plus 24 heures.".into(),
                ));
            }
            Some(slot)
        }
        (None, None) => None,
        _ => return Err(invalid("invalid_parameter", "Donnez « start » et « end » ensemble.".into())),
    };
    let capacity = p("capacity").map(|v| number::<u32>("capacity", v)).transpose()?;
    let kind = p("kind").map(|v| code::<RoomKind>("kind", v)).transpose()?;
    let equipment = p("equipment")
        .map(|v| {
            v.split(',').filter(|e| !e.trim().is_empty()).map(|e| code::<Equipment>("equipment", e)).collect()
        })
        .transpose()?
        .unwrap_or_default();
    let step_free = match p("step_free") {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(invalid(
                "invalid_parameter",
                format!("« step_free » vaut true ou false (reçu : {other})."),
            ));
        }
    };
    let max_price_cents = p("max_price_cents").map(|v| number::<i64>("max_price_cents", v)).transpose()?;
    let category = p("category").map(|v| code::<RequesterCategory>("category", v)).transpose()?;
    let page = p("page").map(|v| number::<usize>("page", v)).transpose()?.unwrap_or(1);
    if page == 0 || page > 10_000 {
        return Err(invalid("invalid_parameter", "La page « page » commence à 1.".into()));
    }
    Ok(SearchQuery {
        lat,
        lon,
        radius_km,
        window,
        capacity,
        kind,
        equipment,
        step_free,
        max_price_cents,
        category: category.unwrap_or(RequesterCategory::LocalAssociation),
        page,
    })
}
