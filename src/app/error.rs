//! `AppError`: what a use-case answers when it does not do what was asked,
//! each variant a kind of "no" a caller can act on. The edge maps each to a
//! status (`http::error`): the API as the JSON body of API.md, the pages as
//! a page.

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
    pub fn code(&self) -> &'static str {
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

/// A side table (accounts, outbox, links) did not answer: a fault of ours.
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
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

impl From<crate::commands::CommandError> for AppError {
    fn from(e: crate::commands::CommandError) -> Self {
        use crate::commands::CommandError;
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
        crate::commands::CommandError::Domain(d).into()
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
