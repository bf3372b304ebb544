//! The pages' static files, shipped inside the binary: the stylesheet, the
//! results' map script and the vendored Leaflet.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use salle_web::layout::STYLESHEET;

/// `GET /static/carte.js`: the results' map.
#[get("/static/carte.js")]
pub async fn map_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(salle_web::layout::MAP_SCRIPT)
}

/// `GET /static/leaflet/{file}`: the vendored Leaflet.
#[get("/static/leaflet/{file:.*}")]
pub async fn leaflet(path: web::Path<String>) -> HttpResponse {
    match salle_web::layout::LEAFLET.iter().find(|(name, _, _)| *name == path.as_str()) {
        Some((_, content_type, bytes)) => HttpResponse::Ok()
            .content_type(*content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(*bytes),
        None => HttpResponse::NotFound().finish(),
    }
}

#[get("/static/salle.css")]
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}
