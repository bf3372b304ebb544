//! Manager invitations: an admin names a person and an establishment; salle
//! gives a link (a random 256-bit token, of which only the SHA-256 is kept)
//! for the admin to send. Whoever opens it within [`LIFETIME`] chooses a
//! password and becomes that establishment's manager; a link works once.

use chrono::{DateTime, Duration, Utc};
use salle_events::sql::{Args, execute};
use salle_events::{EventStore, Metadata, Store};
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
    let mut tx = commands.store.begin().await?;
    execute(
        &mut tx,
        "INSERT INTO invitations (token_hash, email, name, establishment_id, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Args::new()
            .text(accounts::token_hash(&token))
            .text(email)
            .text(name)
            .uuid(establishment_id)
            .uuid(by)
            .time(now)
            .time(now + LIFETIME),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The invitation behind a token, while it can still be accepted.
pub async fn pending(store: &Store, token: &str, now: DateTime<Utc>) -> Result<Invitation, InvitationError> {
    const SQL: &str = "SELECT email, name, establishment_id, expires_at, accepted_at FROM invitations \
                       WHERE token_hash = $1";
    let hash = accounts::token_hash(token);
    let found: Option<Invitation> = match store {
        Store::Sqlite(s) => {
            sqlx::query_as(sqlx::AssertSqlSafe(SQL.replace("$1", "?")))
                .bind(hash)
                .fetch_optional(s.reader_pool())
                .await?
        }
        Store::Postgres(p) => sqlx::query_as(SQL).bind(hash).fetch_optional(p.pool()).await?,
    };
    match found {
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
    let mut tx = commands.store.begin().await?;
    execute(
        &mut tx,
        "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2",
        Args::new().time(now).text(accounts::token_hash(token)),
    )
    .await?;
    tx.commit().await?;
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
