//! `GET /api/v1/search`: rooms near a commune (INSEE code or name) or a
//! point, free for a window, for a group, of a kind, with equipment, step-free,
//! under a price (API.md). Every parameter error names the parameter.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use salle_events::catalog::Money;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::room::{Equipment, RoomKind};
use salle_events::time::{LOCAL_TZ, Slot};
use salle_projections::search::{MAX_RADIUS_KM, SearchQuery};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::http::error::AppError;
use crate::startup::AppState;

fn invalid(code: &'static str, message: String) -> AppError {
    AppError::Unprocessable { code, message }
}

/// A code of an API enumeration (`gym_hall`, `projector`, …).
fn code<T: DeserializeOwned>(param: &str, value: &str) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_owned())).map_err(|_| {
        invalid("invalid_parameter", format!("« {value} » n'est pas une valeur connue pour « {param} »."))
    })
}

/// RFC 3339 with an offset, or a local Europe/Paris time `2026-12-08T18:00`.
fn instant(param: &str, value: &str) -> Result<DateTime<Utc>, AppError> {
    let checked = |t: DateTime<Utc>| {
        salle_events::time::check_instant(param, t).map_err(|r| invalid(r.code, r.message))
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
    salle_events::time::check_day(param, local.date()).map_err(|r| invalid(r.code, r.message))?;
    salle_events::time::local_instant(local.date(), local.time()).map_err(|r| invalid(r.code, r.message))
}

fn number<T: std::str::FromStr>(param: &str, value: &str) -> Result<T, AppError> {
    value.trim().parse().map_err(|_| {
        invalid("invalid_parameter", format!("« {value} » n'est pas un nombre pour « {param} »."))
    })
}

#[utoipa::path(get, path = "/api/v1/search", tag = "search",
    params(("near" = String, Query, description = "INSEE code, commune name, or `lat,lon`"),
           ("radius_km" = Option<f64>, Query, description = "Search radius (default 10 km, at most 200)"),
           ("start" = Option<String>, Query, description = "Slot start: RFC 3339, or local `YYYY-MM-DDTHH:MM`"),
           ("end" = Option<String>, Query, description = "Slot end, with `start`"),
           ("capacity" = Option<u32>, Query, description = "At least this many people"),
           ("kind" = Option<String>, Query, description = "A room kind"),
           ("equipment" = Option<String>, Query, description = "Equipment codes, comma-separated"),
           ("step_free" = Option<bool>, Query, description = "Step-free access only"),
           ("category" = Option<String>, Query, description = "Requester category for prices"),
           ("max_price_cents" = Option<i64>, Query, description = "At most this price for the slot"),
           ("page" = Option<u32>, Query, description = "Page, from 1")),
    responses((status = 200, description = "Rooms by distance", body = crate::http::openapi::SearchResults),
              (status = 400, description = "`near` is missing", body = crate::http::openapi::ErrorBody),
              (status = 422, description = "A parameter is wrong; the message names it", body = crate::http::openapi::ErrorBody)))]
#[get("/api/v1/search")]
pub async fn search(
    state: web::Data<AppState>,
    params: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let query = parse_query(&state, &params)?;
    let found = state.search.read_index(|index| index.search(&query, &state.commands.calendar));
    let results: Vec<_> = found
        .results
        .iter()
        .map(|hit| Found {
            capacity: hit.capacity,
            commune: state
                .communes
                .by_insee(&hit.commune_insee)
                .map_or(hit.commune_insee.as_str(), |c| c.name.as_str()),
            distance_km: hit.distance_km,
            equipment: &hit.equipment,
            establishment_id: hit.establishment_id,
            establishment_name: &hit.establishment_name,
            free: hit
                .free
                .iter()
                .map(|i| Interval {
                    end: i.end.with_timezone(&LOCAL_TZ).to_rfc3339(),
                    start: i.start.with_timezone(&LOCAL_TZ).to_rfc3339(),
                })
                .collect(),
            kind: hit.kind,
            price: hit.price,
            room_id: hit.room_id,
            room_name: &hit.room_name,
            step_free: hit.step_free,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { page: found.page, results, total: found.total }))
}

// The answer, serialized straight from these (fields in the order the JSON
// has always had them): a search answers thousands of times a second, and
// building a `serde_json::Value` tree first was a tenth of its time.

#[derive(Serialize)]
struct Page<'a> {
    page: usize,
    results: Vec<Found<'a>>,
    total: usize,
}

#[derive(Serialize)]
struct Found<'a> {
    capacity: u32,
    commune: &'a str,
    distance_km: f64,
    equipment: &'a [Equipment],
    establishment_id: Uuid,
    establishment_name: &'a str,
    free: Vec<Interval>,
    kind: RoomKind,
    price: Option<Money>,
    room_id: Uuid,
    room_name: &'a str,
    step_free: bool,
}

#[derive(Serialize)]
struct Interval {
    end: String,
    start: String,
}

/// Reads the search parameters of API.md into a query; each error names its
/// parameter. The search page uses it too.
pub(crate) fn parse_query(
    state: &AppState,
    params: &HashMap<String, String>,
) -> Result<SearchQuery, AppError> {
    let p = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.trim().is_empty());
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
            _ => match state.communes.find(near) {
                Some(c) => (c.lat, c.lon),
                None => {
                    let suggestions: Vec<&str> =
                        state.communes.suggest(near, 5).iter().map(|c| c.name.as_str()).collect();
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
