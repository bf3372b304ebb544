//! Who is calling: bearer tokens for the API, the role and object checks
//! every route makes, and `POST /api/v1/auth/token` (limits in `app::sign_in`).

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, dev::Payload, post, web};
use chrono::Utc;
use serde::Deserialize;

use crate::app::App;
use crate::app::accounts::{self, SessionKind};
use crate::app::sign_in;
use crate::http::client::ClientAddress;
use crate::http::error::AppError;

pub use crate::app::caller::Caller;

fn unauthorized() -> AppError {
    AppError::Unauthorized(
        "Identifiez-vous : en-tête Authorization: Bearer <jeton> (POST /api/v1/auth/token).".into(),
    )
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<App>>().cloned();
        let token = bearer(req);
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else { return Err(unauthorized()) };
            let found = accounts::session(&state.store, &token, SessionKind::Api, Utc::now()).await?;
            found.map(|(account, _)| Caller(account)).ok_or_else(unauthorized)
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/auth/token`
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts", request_body = Credentials,
    responses((status = 200, description = "A bearer token", body = crate::http::api::schemas::Token),
              (status = 401, description = "Wrong e-mail or password", body = crate::http::api::schemas::ErrorBody),
              (status = 429, description = "Too many attempts from this address for this account, or from this address; see Retry-After", body = crate::http::api::schemas::ErrorBody),
              (status = 503, description = "Busy: try again after Retry-After", body = crate::http::api::schemas::ErrorBody)))]
#[post("/api/v1/auth/token")]
pub async fn issue_token(
    state: web::Data<App>,
    client: ClientAddress,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, AppError> {
    let account =
        sign_in::attempt(&state.store, &state.sign_ins, &body.email, &body.password, client.0).await?;
    let issued = accounts::sign_in(&state.store, account.user_id, SessionKind::Api, Utc::now())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "token": issued.token,
        "role": account.role.as_str(),
        "expires_at": issued.expires_at.to_rfc3339(),
    })))
}

/// `DELETE /api/v1/auth/token`: the token that signs this request stops
/// working at once.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "accounts",
    responses((status = 204, description = "The token is revoked"),
              (status = 401, description = "No valid token", body = crate::http::api::schemas::ErrorBody)))]
#[delete("/api/v1/auth/token")]
pub async fn revoke_token(
    state: web::Data<App>,
    req: HttpRequest,
    _caller: Caller,
) -> Result<HttpResponse, AppError> {
    let token = bearer(&req).ok_or_else(unauthorized)?;
    accounts::sign_out(&state.store, &token).await?;
    Ok(HttpResponse::NoContent().finish())
}
