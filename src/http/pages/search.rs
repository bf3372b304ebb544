//! `GET /`: the search form and, once a place is given, its results (the
//! same criteria as `GET /api/v1/search`, asked in local dates and times).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveTime;
use salle_domain::time::LOCAL_TZ;
use salle_events::catalog::room::Equipment;
use salle_web::marketplace::{self as views, Choices, ResultLine, SearchForm};

use crate::app::App;
use crate::http::pages::labels::{choices, equipment_label, kind_label, kinds, local_time};
use crate::http::pages::visitor::{PageError, Visitor};

/// `GET /`: the search form; with `near`, its results.
#[get("/")]
pub async fn home(
    state: web::Data<App>,
    visitor: Visitor,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let form = SearchForm {
        near: get("near"),
        radius_km: get("radius_km"),
        date: get("date"),
        start: get("start"),
        end: get("end"),
        capacity: get("capacity"),
        kind: get("kind"),
        equipment: query.iter().filter(|(k, _)| k == "equipment").map(|(_, v)| v.clone()).collect(),
        step_free: get("step_free") == "true",
    };
    let lang = visitor.lang;
    let choices = Choices {
        communes: state.communes.all().iter().map(|c| c.name.clone()).collect(),
        kinds: kinds(lang),
        equipment: choices(&Equipment::SEARCHED, |e| equipment_label(lang, e)),
    };
    let chrome = visitor.chrome(&state).await;
    if form.near.trim().is_empty() {
        return Ok(visitor.ok(views::search(&chrome, &form, &choices, &[], None)));
    }
    let mut params: HashMap<String, String> = HashMap::new();
    for (k, v) in [
        ("near", &form.near),
        ("radius_km", &form.radius_km),
        ("capacity", &form.capacity),
        ("kind", &form.kind),
    ] {
        params.insert(k.into(), v.clone());
    }
    params.insert("equipment".into(), form.equipment.join(","));
    if form.step_free {
        params.insert("step_free".into(), "true".into());
    }
    let mut errors = vec![];
    if !form.date.is_empty() || !form.start.is_empty() || !form.end.is_empty() {
        match (
            salle_domain::time::parse_day("date", &form.date),
            NaiveTime::parse_from_str(&form.start, "%H:%M"),
            NaiveTime::parse_from_str(&form.end, "%H:%M"),
        ) {
            (Ok(day), Ok(start), Ok(end)) => {
                for (name, time) in [("start", start), ("end", end)] {
                    match salle_domain::time::local_instant(day, time) {
                        Ok(at) => {
                            params.insert(name.into(), at.with_timezone(&LOCAL_TZ).to_rfc3339());
                        }
                        Err(r) => errors.push(r.message),
                    }
                }
            }
            _ => errors
                .push("Pour chercher un créneau, donnez la date, l'heure de début et l'heure de fin.".into()),
        }
    }
    let parsed = if errors.is_empty() {
        crate::app::search::criteria(&state, |name| params.get(name).map(String::as_str))
            .map_err(|e| errors.push(e.to_string()))
            .ok()
    } else {
        None
    };
    let Some(search) = parsed else {
        return Ok(visitor.html(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            views::search(&chrome, &form, &choices, &errors, None),
        ));
    };
    let found = crate::app::search::run(&state, &search);
    let lines: Vec<ResultLine> = found
        .results
        .iter()
        .map(|hit| ResultLine {
            room_href: format!("/salles/{}", hit.room_id),
            room_name: hit.room_name.clone(),
            establishment_name: hit.establishment_name.clone(),
            commune: state
                .communes
                .by_insee(&hit.commune_insee)
                .map_or(hit.commune_insee.clone(), |c| c.name.clone()),
            kind_label: kind_label(lang, hit.kind).to_owned(),
            capacity: hit.capacity,
            distance: format!("{:.1} km", hit.distance_km).replace('.', ","),
            point: state.search.read_index(|i| i.establishment_point(hit.establishment_id)),
            price: hit.price.map(|p| p.to_string()),
            free: hit.free.iter().map(|i| format!("{}–{}", local_time(i.start), local_time(i.end))).collect(),
        })
        .collect();
    Ok(visitor.ok(views::search(&chrome, &form, &choices, &[], Some((&lines, found.total)))))
}
