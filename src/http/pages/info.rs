//! The legal notice, the accessibility statement, the source and its licence.

use actix_web::{HttpResponse, get, web};
use salle_web::marketplace as views;

use crate::app::App;
use crate::http::pages::visitor::Visitor;

#[get("/mentions-legales")]
pub async fn legal(state: web::Data<App>, visitor: Visitor) -> HttpResponse {
    let chrome = visitor.chrome(&state).await;
    visitor.ok(views::legal(&chrome))
}

#[get("/accessibilite")]
pub async fn accessibility(state: web::Data<App>, visitor: Visitor) -> HttpResponse {
    let chrome = visitor.chrome(&state).await;
    visitor.ok(views::accessibility(&chrome))
}

/// The licence salle is distributed under, as shipped beside its source.
const LICENCE: &str = include_str!("../../../LICENSE");

#[get("/code-source")]
pub async fn source(state: web::Data<App>, visitor: Visitor) -> HttpResponse {
    let chrome = visitor.chrome(&state).await;
    visitor.ok(views::source(&chrome, env!("CARGO_PKG_VERSION"), state.source_url.as_deref()))
}

#[get("/licence")]
pub async fn licence() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(LICENCE)
}
