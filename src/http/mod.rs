//! The HTTP surface: actix handlers for pages and `/api/v1`, and the errors they answer with.

pub mod error;
pub mod health;

use actix_web::web;

/// Every route of the application.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz);
}
