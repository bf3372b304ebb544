//! `/healthz` (the process answers), `/readyz` (it can serve: the store
//! answers, every migration is applied, and no projection is more than a
//! minute behind the log) and `/metrics` (Prometheus's text format).

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::http::error::AppError;
use crate::startup::AppState;

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

#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    store_ready(&state.store).await.map_err(AppError::Unavailable)?;
    let head = state.store.head().await.map_err(|e| AppError::Unavailable(format!("log unreadable: {e}")))?;
    let lags = crate::read_side::status(&state.store)
        .await
        .map_err(|e| AppError::Unavailable(format!("projections unreadable: {e:#}")))?;
    let limit = crate::read_side::READY_LAG.as_secs_f64();
    if let Some((name, lag)) = lags.iter().find(|(_, lag)| lag.seconds_behind > limit) {
        return Err(AppError::Unavailable(format!(
            "projection {name} is {:.0} s behind the log (limit {limit:.0} s)",
            lag.seconds_behind
        )));
    }
    let projections: serde_json::Map<String, serde_json::Value> = lags
        .iter()
        .map(|(name, lag)| {
            let value = json!({ "events_behind": lag.events_behind, "seconds_behind": lag.seconds_behind });
            ((*name).to_owned(), value)
        })
        .collect();
    // The payment process manager's lag, for operators (it does not make
    // the web unready: pages and bookings do not wait for it).
    let payments = salle_projections::runner::lag(&state.store, crate::payments::process::NAME)
        .await
        .map_err(|e| AppError::Unavailable(format!("payment process unreadable: {e}")))?;
    Ok(HttpResponse::Ok().json(json!({
        "status": "ready",
        "process_managers": {
            "payments": { "events_behind": payments.events_behind, "seconds_behind": payments.seconds_behind }
        },
        "store": { "backend": format!("{:?}", state.store.backend()).to_lowercase(), "head": head.to_string() },
        "projections": projections,
    })))
}

#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let text = crate::metrics::render(&state.store)
        .await
        .map_err(|e| AppError::Unavailable(format!("metrics unreadable: {e:#}")))?;
    Ok(HttpResponse::Ok().content_type(crate::metrics::CONTENT_TYPE).body(text))
}
