//! Who is calling: bearer tokens for the API, the role and object checks
//! every route makes, and sign-in rate limiting.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, post, web};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::accounts::{self, Account, Role, SessionKind};
use crate::http::error::AppError;
use crate::startup::AppState;

/// The signed-in caller of an API route.
#[derive(Debug, Clone)]
pub struct Caller(pub Account);

impl Caller {
    pub fn user_id(&self) -> Uuid {
        self.0.user_id
    }

    pub fn role(&self) -> Role {
        self.0.role
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.0.role) {
            return Ok(());
        }
        Err(AppError::Forbidden(format!("Votre rôle ({}) ne permet pas cette action.", self.0.role.as_str())))
    }

    /// The caller's association, for association-only routes.
    pub fn association(&self) -> Result<Uuid, AppError> {
        self.require(&[Role::Association])?;
        self.0
            .association_id
            .ok_or_else(|| AppError::Forbidden("Ce compte n'est lié à aucune association.".into()))
    }
}

fn unauthorized() -> AppError {
    AppError::Unauthorized(
        "Identifiez-vous : en-tête Authorization: Bearer <jeton> (POST /api/v1/auth/token).".into(),
    )
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else { return Err(unauthorized()) };
            let found = accounts::session(&state.store, &token, SessionKind::Api, Utc::now())
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            found.map(|(account, _)| Caller(account)).ok_or_else(unauthorized)
        })
    }
}

/// Failed sign-ins counted per account and per client address over a
/// sliding window. In memory: each process limits its own share, which
/// bounds guessing to replicas × limit — a shared store can replace it when
/// several web processes run. Written here rather than taken from a crate:
/// two counters with a window are all it needs.
#[derive(Debug)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    window: Duration,
    per_account: usize,
    per_address: usize,
}

impl Default for SignInLimiter {
    /// 5 failures per account and 20 per address in 15 minutes.
    fn default() -> Self {
        Self {
            failures: Mutex::default(),
            window: Duration::from_secs(15 * 60),
            per_account: 5,
            per_address: 20,
        }
    }
}

impl SignInLimiter {
    fn keys(email: &str, address: &str) -> [String; 2] {
        [format!("account:{}", email.trim().to_lowercase()), format!("address:{address}")]
    }

    /// Whether another attempt is allowed now.
    pub fn allows(&self, email: &str, address: &str) -> bool {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let [account, addr] = Self::keys(email, address);
        let mut recent = |key: &str| {
            failures.get_mut(key).map_or(0, |times| {
                times.retain(|t| now.duration_since(*t) < self.window);
                times.len()
            })
        };
        recent(&account) < self.per_account && recent(&addr) < self.per_address
    }

    pub fn failed(&self, email: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in Self::keys(email, address) {
            failures.entry(key).or_default().push(Instant::now());
        }
    }

    pub fn succeeded(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&Self::keys(email, "")[0]);
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// `POST /api/v1/auth/token`
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts", request_body = Credentials,
    responses((status = 200, description = "A bearer token", body = crate::http::openapi::Token),
              (status = 401, description = "Wrong e-mail or password", body = crate::http::openapi::ErrorBody),
              (status = 429, description = "Too many attempts", body = crate::http::openapi::ErrorBody)))]
#[post("/api/v1/auth/token")]
pub async fn issue_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, AppError> {
    let address = req.connection_info().realip_remote_addr().unwrap_or("unknown").to_owned();
    if !state.sign_ins.allows(&body.email, &address) {
        return Err(AppError::TooManyRequests(
            "Trop d'essais de connexion : réessayez dans quelques minutes.".into(),
        ));
    }
    let account = accounts::authenticate(&state.store, &body.email, &body.password)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let Some(account) = account else {
        state.sign_ins.failed(&body.email, &address);
        return Err(AppError::Unauthorized("Adresse e-mail ou mot de passe incorrect.".into()));
    };
    state.sign_ins.succeeded(&body.email);
    let issued = accounts::sign_in(&state.store, account.user_id, SessionKind::Api, Utc::now())
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "token": issued.token,
        "role": account.role.as_str(),
        "expires_at": issued.expires_at.to_rfc3339(),
    })))
}
