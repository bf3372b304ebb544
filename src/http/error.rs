//! How an [`AppError`] is answered over HTTP: each variant's status and the
//! JSON body of API.md, `{"error": {"code", "message"}}`; the pages answer
//! the same errors as pages (`pages::PageError`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

pub use crate::app::AppError;

/// A request the extractors could not read (a bad id in the path, a
/// malformed query or body): JSON under `/api/`, a page elsewhere.
pub fn refused(req: &actix_web::HttpRequest, e: AppError) -> actix_web::Error {
    if req.path().starts_with("/api/") { e.into() } else { crate::http::pages::PageError(e).into() }
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
    use crate::commands::CommandError;
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
