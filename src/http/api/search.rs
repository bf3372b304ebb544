//! `GET /api/v1/search`: rooms near a commune (INSEE code or name) or a
//! point, free for a window, for a group, of a kind, with equipment, step-free,
//! under a price (API.md). Every parameter error names the parameter.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use salle_domain::time::LOCAL_TZ;
use salle_events::catalog::Money;
use salle_events::catalog::room::{Equipment, RoomKind};
use serde::Serialize;
use uuid::Uuid;

use crate::app::App;
use crate::http::error::AppError;

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
    responses((status = 200, description = "Rooms by distance", body = crate::http::api::schemas::SearchResults),
              (status = 400, description = "`near` is missing", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "A parameter is wrong; the message names it", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/search")]
pub async fn search(
    state: web::Data<App>,
    params: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let query = crate::app::search::criteria(&state, |name| params.get(name).map(String::as_str))?;
    let found = crate::app::search::run(&state, &query);
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
