//! The HTTP edge: thin adapters over the use-cases of [`crate::app`].
//!
//! - [`api`]: `/api/v1`, JSON, one file per resource; [`auth`]: its bearer tokens.
//! - [`pages`]: the HTML pages, one file per resource, with their extractors.
//! - [`error`]: how a refusal is answered (JSON for the API, a page for pages).
//! - [`download`]: an export as a file, for both; [`client`]: where a request comes from; [`headers`]: security headers.
//! - [`health`]: `/healthz`, `/readyz`, `/metrics`; [`openapi`]: the API's document.

pub mod api;
pub mod auth;
pub mod client;
pub mod download;
pub mod error;
pub mod headers;
pub mod health;
pub mod openapi;
pub mod pages;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use salle_web::Lang;

use crate::http::error::AppError;

/// Every route of the application: probes, the API, then the pages; and
/// how a request the extractors cannot read is refused.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(64 * 1024).error_handler(|err, req| {
        error::refused(
            req,
            AppError::BadRequest {
                code: "invalid_json",
                message: format!("Le corps de la requête n'est pas le JSON attendu : {err}."),
            },
        )
    }))
    .app_data(web::QueryConfig::default().error_handler(|err, req| {
        error::refused(
            req,
            AppError::BadRequest {
                code: "invalid_query",
                message: format!("Les paramètres de l'adresse ne sont pas valides : {err}."),
            },
        )
    }))
    .app_data(web::PathConfig::default().error_handler(|_, req| {
        error::refused(req, AppError::NotFound(format!("Aucune ressource à l'adresse {}.", req.path())))
    }));
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(api::availability::availability)
        .service(api::search::search)
        .service(api::webhook::stripe_webhook)
        .service(auth::issue_token)
        .service(auth::revoke_token)
        .configure(api::routes)
        .service(openapi::openapi_json)
        .configure(pages::routes);
}

/// Unknown addresses: a JSON error under `/api`, a page elsewhere.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let path = req.path();
    if path.starts_with("/api/") {
        return Err(AppError::NotFound(format!("Aucune ressource à l'adresse {path}.")));
    }
    let lang =
        Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    Ok(HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(salle_web::pages::not_found(lang, path).into_string()))
}
