//! `/healthz` (the process answers) and `/readyz` (it can serve: the store
//! answers and every migration is applied).

use actix_web::{HttpResponse, get, web};
use serde_json::json;

use crate::http::error::AppError;
use crate::startup::AppState;

#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state.store.ping().await.map_err(|e| AppError::Unavailable(format!("store unreachable: {e}")))?;
    let migrated = state
        .store
        .is_migrated()
        .await
        .map_err(|e| AppError::Unavailable(format!("store unreadable: {e}")))?;
    if !migrated {
        return Err(AppError::Unavailable("migrations are not all applied: run `salle migrate`".into()));
    }
    let head = state.store.head().await.map_err(|e| AppError::Unavailable(format!("log unreadable: {e}")))?;
    Ok(HttpResponse::Ok().json(json!({
        "status": "ready",
        "store": { "backend": format!("{:?}", state.store.backend()).to_lowercase(), "head": head.to_string() },
    })))
}
