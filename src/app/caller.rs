//! `Caller`: the signed-in account a use-case acts for, and the role checks
//! every use-case makes before anything else. The edge builds one from a
//! bearer token (API) or a session cookie (pages).

use uuid::Uuid;

use crate::app::AppError;
use crate::app::accounts::{Account, Role};

/// The signed-in account a use-case acts for.
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

    /// The caller's association, for association-only use-cases.
    pub fn association(&self) -> Result<Uuid, AppError> {
        self.require(&[Role::Association])?;
        self.0
            .association_id
            .ok_or_else(|| AppError::Forbidden("Ce compte n'est lié à aucune association.".into()))
    }

    /// The metadata of what this caller's command records.
    pub fn metadata(&self, correlation: Uuid) -> salle_events::Metadata {
        salle_events::Metadata {
            correlation_id: Some(correlation),
            causation_id: None,
            actor: Some(self.user_id().to_string()),
        }
    }
}
