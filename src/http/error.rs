//! `AppError`: the one error type handlers return, and how each variant maps
//! to a status and the JSON body of API.md, `{"error": {"code", "message"}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request cannot be understood (malformed JSON, wrong types).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// 401: no credentials, or not valid ones.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: signed in, but this role may never do this.
    #[error("{0}")]
    Forbidden(String),
    /// 429: too many attempts; `Retry-After` says when to try again.
    #[error("{message}")]
    TooManyRequests { message: String, retry_after_secs: u64 },
    /// 404: nothing here, or nothing this user may know exists.
    #[error("{0}")]
    NotFound(String),
    /// 409: conflicts with the current state (slot taken, stale version, transition refused).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// 422: well-formed but breaks a rule; the message says which and how to fix it.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// 503: a dependency is not ready (store unreachable, migrations missing).
    #[error("{0}")]
    Unavailable(String),
    /// 503 with `Retry-After`: salle itself is at its bound (every
    /// password-hashing permit taken); nothing was done, try again shortly.
    #[error("{message}")]
    Busy { message: String, retry_after_secs: u64 },
    /// 500: a fault of ours; the body is opaque, the cause is logged once.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. } => code,
            Self::NotFound(_) => "not_found",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Busy { .. } => "busy",
            Self::Internal(_) => "internal",
        }
    }
}

impl AppError {
    /// What `Retry-After` says, for the answers that carry one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after_secs, .. } | Self::Busy { retry_after_secs, .. } => {
                Some(*retry_after_secs)
            }
            Self::Unavailable(_) => Some(5),
            _ => None,
        }
    }

    /// The database is out of reach: nothing was done, retry shortly. The
    /// cause is logged, never shown.
    pub fn store_unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "the database is unavailable");
        Self::Unavailable("Le service est momentanément indisponible : réessayez dans un instant.".into())
    }

    /// The answer when every password-hashing permit stayed taken.
    pub fn busy() -> Self {
        Self::Busy {
            message: "Le service est très sollicité : réessayez dans quelques secondes.".into(),
            retry_after_secs: crate::app::passwords::RETRY_AFTER_SECS,
        }
    }
}

impl From<crate::app::sign_in::SignInError> for AppError {
    fn from(e: crate::app::sign_in::SignInError) -> Self {
        use crate::app::sign_in::SignInError;
        match e {
            SignInError::Wrong => Self::Unauthorized(e.to_string()),
            SignInError::RateLimited { retry_after_secs } => {
                Self::TooManyRequests { message: e.to_string(), retry_after_secs }
            }
            SignInError::Undecided => Self::busy(),
            SignInError::Account(a) => a.into(),
        }
    }
}

impl From<crate::finance::ExportError> for AppError {
    fn from(e: crate::finance::ExportError) -> Self {
        match e {
            crate::finance::ExportError::Rule(d) => d.into(),
            crate::finance::ExportError::Other(e) => Self::Internal(e),
        }
    }
}

impl From<crate::app::CommandError> for AppError {
    fn from(e: crate::app::CommandError) -> Self {
        use crate::app::CommandError;
        use crate::domain::ErrorKind;
        match e {
            CommandError::Domain(d) => match d.kind {
                ErrorKind::Conflict => Self::Conflict { code: d.code, message: d.message },
                ErrorKind::Rule => Self::Unprocessable { code: d.code, message: d.message },
                ErrorKind::NotFound => Self::NotFound(d.message),
            },
            CommandError::Conflict(_) => Self::Conflict {
                code: "stale_version",
                message: "D'autres changements ont eu lieu en même temps : rechargez et réessayez.".into(),
            },
            CommandError::Store(e) if e.is_unavailable() => Self::store_unavailable(e),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<crate::domain::DomainError> for AppError {
    fn from(d: crate::domain::DomainError) -> Self {
        crate::app::CommandError::Domain(d).into()
    }
}

impl From<crate::app::accounts::AccountError> for AppError {
    fn from(e: crate::app::accounts::AccountError) -> Self {
        match e {
            crate::app::accounts::AccountError::Invalid(d) => d.into(),
            crate::app::accounts::AccountError::Busy(_) => Self::busy(),
            crate::app::accounts::AccountError::Database(e) if salle_events::error::is_unavailable(&e) => {
                Self::store_unavailable(e)
            }
            crate::app::accounts::AccountError::Store(e) if e.is_unavailable() => Self::store_unavailable(e),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<crate::app::invitations::InvitationError> for AppError {
    fn from(e: crate::app::invitations::InvitationError) -> Self {
        match e {
            crate::app::invitations::InvitationError::Account(a) => a.into(),
            crate::app::invitations::InvitationError::Command(c) => c.into(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) | Self::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            Self::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                "Une erreur interne est survenue ; elle a été enregistrée. Réessayez plus tard.".to_owned()
            }
            other => other.to_string(),
        };
        let mut answer = HttpResponse::build(self.status_code());
        if let Some(secs) = self.retry_after_secs() {
            answer.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        answer.json(json!({ "error": { "code": self.code(), "message": message } }))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;
    use crate::app::CommandError;
    use crate::domain::DomainError;

    fn answer(e: AppError) -> (u16, serde_json::Value) {
        let response = e.error_response();
        let status = response.status().as_u16();
        let bytes = response.into_body().try_into_bytes().unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn broken_rules_are_422_and_state_conflicts_409_with_their_sentence() {
        let rule = AppError::from(CommandError::Domain(DomainError::rule("over_capacity", "Trop de monde.")));
        assert_eq!(
            answer(rule),
            (422, json!({"error": {"code": "over_capacity", "message": "Trop de monde."}}))
        );
        let taken =
            AppError::from(CommandError::Domain(DomainError::conflict("slot_taken", "Déjà réservé.")));
        assert_eq!(answer(taken).0, 409);
        let missing =
            AppError::from(CommandError::Domain(DomainError::not_found("room_not_found", "Pas de salle.")));
        assert_eq!(answer(missing).0, 404);
    }

    #[test]
    fn internal_errors_are_opaque() {
        let (status, body) = answer(AppError::Internal(anyhow::anyhow!("password=hunter2 in a SQL error")));
        assert_eq!(status, 500);
        assert!(!body.to_string().contains("hunter2"));
        assert_eq!(body["error"]["code"], "internal");
    }
}
