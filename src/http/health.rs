//! `/healthz` (the process answers), `/readyz` (it can serve: the store
//! answers and every migration is applied) and `/metrics` (Prometheus's text
//! format). Details and metrics are for operators, not for the public.

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::app::App;
use crate::http::client::ClientAddress;
use crate::http::error::AppError;

#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The store answers and every migration is applied (what web and worker
/// readiness share); otherwise why not.
pub async fn store_ready(store: &salle_events::Store) -> Result<(), String> {
    store.ping().await.map_err(|e| format!("store unreachable: {e}"))?;
    match store.is_migrated().await {
        Ok(true) => Ok(()),
        Ok(false) => Err("migrations are not all applied: run `salle migrate`".into()),
        Err(e) => Err(format!("store unreadable: {e}")),
    }
}

/// Whether a caller may read the details of `/readyz` and `/metrics` on the
/// public listener: only from the machine itself (a commune's one binary,
/// scraped locally). A département serves them on `SALLE_METRICS_BIND`,
/// where the ingress does not route.
fn is_local(client: &ClientAddress) -> bool {
    client.0.to_canonical().is_loopback()
}

/// Ready when the store answers and is migrated. Projection lag does not
/// make the web unready — a stopped worker must not take the site down; it
/// is in `/metrics` (`salle_projection_lag_seconds`) and alerted on there.
#[get("/readyz")]
pub async fn readyz(state: web::Data<App>, client: ClientAddress) -> Result<HttpResponse, AppError> {
    store_ready(&state.store).await.map_err(AppError::Unavailable)?;
    if !is_local(&client) {
        return Ok(HttpResponse::Ok().json(json!({ "status": "ready" })));
    }
    Ok(HttpResponse::Ok().json(details(&state.store).await?))
}

/// How far behind a follower of the log is.
#[derive(Debug, serde::Serialize)]
pub struct Behind {
    events_behind: u64,
    seconds_behind: f64,
}

impl From<&salle_projections::runner::Lag> for Behind {
    fn from(lag: &salle_projections::runner::Lag) -> Self {
        Self { events_behind: lag.events_behind, seconds_behind: lag.seconds_behind }
    }
}

/// What `/readyz` tells operators: the log's head, each projection's and
/// the payment process's lag (the JSON body, field for field).
#[derive(Debug, serde::Serialize)]
pub struct Details {
    status: &'static str,
    process_managers: std::collections::BTreeMap<&'static str, Behind>,
    store: StoreDetails,
    projections: std::collections::BTreeMap<String, Behind>,
}

#[derive(Debug, serde::Serialize)]
pub struct StoreDetails {
    backend: &'static str,
    head: String,
}

pub async fn details(store: &salle_events::Store) -> Result<Details, AppError> {
    let head = store.head().await.map_err(|e| AppError::Unavailable(format!("log unreadable: {e}")))?;
    let lags = crate::read_side::status(store)
        .await
        .map_err(|e| AppError::Unavailable(format!("projections unreadable: {e:#}")))?;
    let payments = salle_projections::runner::lag(store, crate::process::payments::NAME)
        .await
        .map_err(|e| AppError::Unavailable(format!("payment process unreadable: {e}")))?;
    Ok(Details {
        status: "ready",
        process_managers: [("payments", Behind::from(&payments))].into_iter().collect(),
        store: StoreDetails { backend: store.backend().label(), head: head.to_string() },
        projections: lags.iter().map(|(name, lag)| ((*name).to_owned(), Behind::from(lag))).collect(),
    })
}

/// `/metrics` on the public listener: to local callers only (404 to others,
/// as if it were not there).
#[get("/metrics")]
pub async fn metrics(state: web::Data<App>, client: ClientAddress) -> Result<HttpResponse, AppError> {
    if !is_local(&client) {
        return Err(AppError::NotFound("Aucune ressource à l'adresse /metrics.".into()));
    }
    let text = crate::metrics::render(&state.store)
        .await
        .map_err(|e| AppError::Unavailable(format!("metrics unreadable: {e:#}")))?;
    Ok(HttpResponse::Ok().content_type(crate::metrics::CONTENT_TYPE).body(text))
}
