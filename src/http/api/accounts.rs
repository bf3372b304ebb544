//! `/api/v1/users`, `/api/v1/me` and its notices, `/api/v1/associations` (a
//! sign-up and its confirmation), `/api/v1/auth/password-resets`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use salle_events::catalog::association::RequesterCategory;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{created, lang_of};
use crate::app::App;
use crate::app::accounts::{self, Role};
use crate::domain::DomainError;
use crate::http::auth::Caller;
use crate::http::client::ClientAddress;
use crate::http::error::AppError;
use crate::mail::notice::Notice;

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
    let body = body.into_inner();
    let new = crate::app::staff::NewStaff {
        email: body.email,
        password: body.password,
        name: body.name,
        role: body.role,
    };
    Ok(created(crate::app::staff::create(&app, &caller, &new).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UserChange {
    /// `true`: the account cannot sign in and its sessions and tokens stop at once; `false`: it works again.
    disabled: bool,
}

/// `PATCH /api/v1/users/{id}` (admin): disable or enable any account.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "accounts", request_body = UserChange, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The account")),
    responses((status = 200, description = "As it is now", body = crate::http::api::schemas::UserState),
              (status = 403, description = "Not an admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such account", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "The admin's own account", body = crate::http::api::schemas::ErrorBody)))]
#[patch("/api/v1/users/{id}")]
pub async fn change_user(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    body: web::Json<UserChange>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    crate::app::staff::set_disabled(&app, &caller, id, body.disabled).await?;
    Ok(HttpResponse::Ok().json(json!({ "id": id, "disabled": body.disabled })))
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
    /// The language of its messages: `fr` or `en` (default: the request's Accept-Language).
    pub lang: Option<String>,
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
    req: HttpRequest,
    body: web::Json<NewAssociation>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let lang = lang_of(body.lang.as_deref(), &req)?;
    let new = crate::app::registration::NewAssociation {
        name: body.name,
        rna: body.rna,
        siret: body.siret,
        category: body.category,
        email: body.email,
        password: body.password,
        contact_name: body.contact_name,
        phone: body.phone,
        lang,
    };
    let id = crate::app::registration::register(&app, &new, client.0).await?;
    Ok(HttpResponse::Created().json(json!({ "id": id, "status": "awaiting_confirmation" })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The token of the link mailed at sign-up.
    token: String,
}

/// `POST /api/v1/associations/confirmations` (anyone with the link): the account and the association.
#[utoipa::path(post, path = "/api/v1/associations/confirmations", tag = "accounts", request_body = Confirmation,
    responses((status = 201, description = "The association, and its first member's account", body = crate::http::api::schemas::Confirmed),
              (status = 404, description = "No such link, used already or expired", body = crate::http::api::schemas::ErrorBody),
              (status = 409, description = "The address or the RNA/SIREN got an account meanwhile", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/associations/confirmations")]
pub async fn confirm_association(
    app: web::Data<App>,
    body: web::Json<Confirmation>,
) -> Result<HttpResponse, AppError> {
    let done = crate::app::registration::confirm(&app, &body.token).await?;
    Ok(HttpResponse::Created().json(json!({ "id": done.association_id, "user_id": done.user_id })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    email: String,
}

/// `POST /api/v1/auth/password-resets` (anyone): a link for a new password, mailed.
#[utoipa::path(post, path = "/api/v1/auth/password-resets", tag = "accounts", request_body = ResetRequest,
    responses((status = 202, description = "If the address has an account, a link was mailed to it (the answer is the same when it has none)"),
              (status = 422, description = "Not an e-mail address", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/auth/password-resets")]
pub async fn request_reset(
    app: web::Data<App>,
    body: web::Json<ResetRequest>,
) -> Result<HttpResponse, AppError> {
    crate::app::password_reset::request(&app, &body.email).await?;
    Ok(HttpResponse::Accepted().json(json!({ "status": "sent_if_known" })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// The token of the mailed link.
    token: String,
    password: String,
}

/// `POST /api/v1/auth/password-resets/confirm` (the link's holder): the new password; every session ends.
#[utoipa::path(post, path = "/api/v1/auth/password-resets/confirm", tag = "accounts", request_body = NewPassword,
    responses((status = 204, description = "The password is changed; every session and token of the account ended"),
              (status = 404, description = "No such link, used already or expired", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "The password is too short", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/auth/password-resets/confirm")]
pub async fn reset_password(
    app: web::Data<App>,
    body: web::Json<NewPassword>,
) -> Result<HttpResponse, AppError> {
    crate::app::password_reset::reset(&app, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notices {
    /// `fr` or `en`: the language of the messages.
    lang: String,
    /// The notices the account receives, by code; the others are turned off.
    /// Security notices are always sent and are not listed.
    receives: Vec<String>,
}

/// `GET /api/v1/me/notices`: the language of the messages and the notices received.
#[utoipa::path(get, path = "/api/v1/me/notices", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, description = "The account's choices", body = Notices),
              (status = 401, description = "No or bad token", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/me/notices")]
pub async fn notices(app: web::Data<App>, caller: Caller) -> Result<HttpResponse, AppError> {
    let choices = crate::app::notices::choices(&app, &caller).await?;
    Ok(HttpResponse::Ok().json(Notices {
        lang: choices.lang.code().to_owned(),
        receives: choices.receives.iter().map(|n| n.code().to_owned()).collect(),
    }))
}

/// `PUT /api/v1/me/notices`: chooses the language and the notices received.
#[utoipa::path(put, path = "/api/v1/me/notices", tag = "accounts", request_body = Notices, security(("bearer" = [])),
    responses((status = 200, description = "The account's choices", body = Notices),
              (status = 401, description = "No or bad token", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "An unknown language or notice", body = crate::http::api::schemas::ErrorBody)))]
#[put("/api/v1/me/notices")]
pub async fn set_notices(
    app: web::Data<App>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<Notices>,
) -> Result<HttpResponse, AppError> {
    let lang = lang_of(Some(&body.lang), &req)?;
    let receives = body
        .receives
        .iter()
        .map(|code| {
            Notice::parse(code).ok_or_else(|| {
                DomainError::rule(
                    "invalid_notice",
                    format!("L'avis « {code} » n'existe pas, ou ne peut pas être désactivé."),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let choices = crate::app::notices::choose(&app, &caller, lang, &receives).await?;
    Ok(HttpResponse::Ok().json(Notices {
        lang: choices.lang.code().to_owned(),
        receives: choices.receives.iter().map(|n| n.code().to_owned()).collect(),
    }))
}
