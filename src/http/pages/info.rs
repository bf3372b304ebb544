//! The legal notice and the accessibility statement.

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
