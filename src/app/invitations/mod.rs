//! Manager invitations: an admin names a person and an establishment; salle
//! gives a link (a random 256-bit token, of which only the SHA-256 is kept)
//! for the admin to send. Whoever opens it within [`LIFETIME`] chooses a
//! password and becomes that establishment's manager; a link works once.

mod store;

use chrono::{DateTime, Duration, Utc};
use salle_events::{Metadata, Store};
use uuid::Uuid;

use crate::app::accounts::{self, AccountError, NewAccount, Role};
use crate::commands::{CommandError, Commands};
use crate::domain::establishment::EstablishmentCommand;
use crate::domain::{DomainError, text};

/// How long an invitation link works.
pub const LIFETIME: Duration = Duration::days(14);

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Command(#[from] CommandError),
}

impl From<DomainError> for InvitationError {
    fn from(e: DomainError) -> Self {
        Self::Account(e.into())
    }
}

impl From<salle_events::StoreError> for InvitationError {
    fn from(e: salle_events::StoreError) -> Self {
        Self::Account(e.into())
    }
}

impl From<sqlx::Error> for InvitationError {
    fn from(e: sqlx::Error) -> Self {
        Self::Account(e.into())
    }
}

/// A pending invitation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    pub establishment_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

fn gone() -> DomainError {
    DomainError::not_found(
        "invitation_not_found",
        "Cette invitation n'existe pas, a déjà servi ou a expiré : demandez-en une nouvelle.",
    )
}

/// Invites `email` to manage the establishment; returns the link's token.
pub async fn invite(
    commands: &Commands,
    email: &str,
    name: &str,
    establishment_id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<String, InvitationError> {
    let email = accounts::normalise_email(email)?;
    let name = text("invalid_name", "Le nom", name, 120)?;
    if commands.establishment(establishment_id).await?.id.is_none() {
        return Err(DomainError::not_found("not_found", "Cet établissement n'existe pas.").into());
    }
    if accounts::exists(&commands.store, &email).await? {
        return Err(DomainError::conflict(
            "email_taken",
            "Un compte existe déjà avec cette adresse e-mail : confiez-lui l'établissement depuis l'API.",
        )
        .into());
    }
    let token = accounts::random_token();
    let hash = accounts::token_hash(&token);
    store::insert(&commands.store, &hash, &email, &name, establishment_id, by, now, now + LIFETIME).await?;
    Ok(token)
}

/// The invitation behind a token, while it can still be accepted.
pub async fn pending(store: &Store, token: &str, now: DateTime<Utc>) -> Result<Invitation, InvitationError> {
    match store::by_token_hash(store, &accounts::token_hash(token)).await? {
        Some(i) if i.accepted_at.is_none() && now < i.expires_at => Ok(i),
        _ => Err(gone().into()),
    }
}

/// Accepts the invitation: the account is created with `name` and
/// `password`, and made the establishment's manager. Returns the user's id.
pub async fn accept(
    commands: &Commands,
    token: &str,
    name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, InvitationError> {
    let invitation = pending(&commands.store, token, now).await?;
    let new =
        NewAccount { email: &invitation.email, password, name, role: Role::Manager, association_id: None };
    // The e-mail address is unique: a second acceptance fails here.
    let user_id = accounts::create(&commands.store, new, now).await?;
    store::accepted(&commands.store, &accounts::token_hash(token), now).await?;
    let meta = Metadata {
        correlation_id: Some(invitation.establishment_id),
        causation_id: None,
        actor: Some(user_id.to_string()),
    };
    commands
        .on_establishment(invitation.establishment_id, EstablishmentCommand::AssignManager { user_id }, &meta)
        .await?;
    accounts::add_establishment(&commands.store, user_id, invitation.establishment_id).await?;
    Ok(user_id)
}
