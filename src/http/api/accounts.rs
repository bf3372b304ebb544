//! `/api/v1/users`, `/api/v1/me`, `/api/v1/associations`.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use salle_events::catalog::association::RequesterCategory;
use serde::Deserialize;
use serde_json::json;

use super::created;
use crate::app::App;
use crate::app::accounts::{self, NewAccount, Role};
use crate::domain::DomainError;
use crate::http::auth::Caller;
use crate::http::client::ClientAddress;
use crate::http::error::AppError;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    email: String,
    password: String,
    name: String,
    role: String,
}

/// `POST /api/v1/users` (admin): finance and admin accounts.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser, security(("bearer" = [])),
    responses((status = 201, description = "The account", body = crate::http::api::schemas::Created),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The e-mail is taken", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Bad role, e-mail or password", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/users")]
pub async fn create_user(
    app: web::Data<App>,
    caller: Caller,
    body: web::Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    caller.require(&[Role::Admin])?;
    let role = match Role::parse(&body.role) {
        Some(role @ (Role::Finance | Role::Admin)) => role,
        _ => {
            return Err(DomainError::rule(
                "invalid_role",
                "Le rôle est « finance » ou « admin » (les gestionnaires et les associations ont leur propre route).",
            )
            .into());
        }
    };
    let new = NewAccount {
        email: &body.email,
        password: &body.password,
        name: &body.name,
        role,
        association_id: None,
    };
    Ok(created(accounts::create(&app.store, new, Utc::now()).await?))
}

/// `GET /api/v1/me`
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "Who the token belongs to", body = crate::http::api::schemas::Me),
              (status = 401, description = "No or bad token", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/me")]
pub async fn me(app: web::Data<App>, caller: Caller) -> Result<HttpResponse, AppError> {
    let mut body = json!({ "id": caller.user_id(), "role": caller.role().as_str(), "name": caller.0.name });
    if caller.role() == Role::Manager {
        body["establishments"] = json!(accounts::establishments_of(&app.store, caller.user_id()).await?);
    }
    if let Some(association_id) = caller.0.association_id {
        body["association_id"] = json!(association_id);
    }
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewAssociation {
    pub name: String,
    pub rna: Option<String>,
    pub siret: Option<String>,
    pub category: RequesterCategory,
    pub email: String,
    pub password: String,
    pub contact_name: String,
    pub phone: Option<String>,
}

/// `POST /api/v1/associations` (anyone): the association and its account.
#[utoipa::path(post, path = "/api/v1/associations", tag = "accounts", request_body = NewAssociation,
    responses((status = 201, description = "The association", body = crate::http::api::schemas::Created),
              (status = 409, description = "The e-mail is taken, or the RNA/SIREN has an account already (its member invites the next)", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Bad RNA/SIRET, e-mail, phone or password", body = crate::http::api::schemas::ErrorBody),
              (status = 429, description = "Too many sign-ups from this address; see Retry-After", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/associations")]
pub async fn create_association(
    app: web::Data<App>,
    client: ClientAddress,
    body: web::Json<NewAssociation>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let new = crate::app::registration::NewAssociation {
        name: body.name,
        rna: body.rna,
        siret: body.siret,
        category: body.category,
        email: body.email,
        password: body.password,
        contact_name: body.contact_name,
        phone: body.phone,
    };
    Ok(created(crate::app::registration::register(&app, &new, client.0).await?))
}
