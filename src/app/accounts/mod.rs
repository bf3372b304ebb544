//! Accounts and sign-ins: who may do what.
//!
//! Accounts are kept in their own table, out of the log: an e-mail address
//! and a name are personal data, erased by deleting the row, while the events
//! only carry the user's id (as actor, manager, association contact).
//! Passwords are hashed with Argon2id (RustCrypto `argon2`, its default
//! parameters: 19 MiB, 2 passes). A sign-in gives a random 256-bit token;
//! only its SHA-256 is stored, with an absolute expiry and, for browser
//! sessions, an idle timeout.

mod store;

use chrono::{DateTime, Duration, Utc};
use salle_events::Store;
use sha2::Digest;
use uuid::Uuid;

use crate::domain::{DomainError, text};

/// A bearer token for the API lives this long.
pub const API_TOKEN_LIFETIME: Duration = Duration::hours(12);
/// A browser session ends this long after sign-in, whatever happens.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// …and this long after its last request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
pub use crate::app::passwords::MIN_PASSWORD_CHARS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Association,
    Manager,
    Finance,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Association, Role::Manager, Role::Finance, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Association => "association",
            Self::Manager => "manager",
            Self::Finance => "finance",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A signed-in user, as a request sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub association_id: Option<Uuid>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("database error on accounts: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] salle_events::StoreError),
    /// Every password-hashing permit stayed taken: retry shortly.
    #[error(transparent)]
    Busy(#[from] crate::app::passwords::Busy),
}

/// What a sign-in gives.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Api,
    Web,
}

impl SessionKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Web => "web",
        }
    }
}

/// A new account's fields.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub association_id: Option<Uuid>,
}

/// Checks an e-mail address's shape and returns it lower-cased.
pub fn normalise_email(email: &str) -> Result<String, DomainError> {
    crate::domain::email(email)
}

pub fn check_password(password: &str) -> Result<(), DomainError> {
    crate::app::passwords::check(password)
}

pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub use store::by_id;
use store::row_by_email;

/// Creates an account; the e-mail address must be free.
pub async fn create(store: &Store, new: NewAccount<'_>, now: DateTime<Utc>) -> Result<Uuid, AccountError> {
    let email = normalise_email(new.email)?;
    check_password(new.password)?;
    text("invalid_name", "Le nom", new.name, 120)?;
    if row_by_email(store, &email).await?.is_some() {
        return Err(taken().into());
    }
    let hash = crate::app::passwords::hash(new.password)
        .await?
        .ok_or_else(|| DomainError::rule("weak_password", "Ce mot de passe ne peut pas être enregistré."))?;
    create_hashed(store, &email, &hash, new.name, new.role, new.association_id, now).await
}

fn taken() -> DomainError {
    DomainError::conflict("email_taken", "Un compte existe déjà avec cette adresse e-mail.")
}

/// Creates an account whose password was hashed earlier (a sign-up once
/// its address is confirmed); the e-mail address must be free.
pub async fn create_hashed(
    store: &Store,
    email: &str,
    password_hash: &str,
    name: &str,
    role: Role,
    association_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Uuid, AccountError> {
    let email = normalise_email(email)?;
    let name = text("invalid_name", "Le nom", name, 120)?;
    let user_id = Uuid::now_v7();
    let inserted =
        store::insert(store, user_id, &email, password_hash, role, &name, association_id, now).await?;
    if !inserted {
        return Err(taken().into());
    }
    Ok(user_id)
}

/// Sets a new password and ends every session and token of the account.
pub async fn set_password(store: &Store, user_id: Uuid, password: &str) -> Result<(), AccountError> {
    check_password(password)?;
    let hash = crate::app::passwords::hash(password)
        .await?
        .ok_or_else(|| DomainError::rule("weak_password", "Ce mot de passe ne peut pas être enregistré."))?;
    Ok(store::set_password(store, user_id, &hash).await?)
}

/// How long a new password's link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// Links one account may ask for in an hour.
const RESETS_PER_HOUR: i64 = 3;

/// A link for a new password, for the account behind `email`: its token,
/// or none when there is no such account or it asked too often (the caller
/// answers the same either way).
pub async fn new_reset(
    store: &Store,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<String>, AccountError> {
    if store::resets_since(store, user_id, now - Duration::hours(1)).await? >= RESETS_PER_HOUR {
        return Ok(None);
    }
    let token = random_token();
    store::insert_reset(store, &token_hash(&token), user_id, now, now + RESET_LIFETIME).await?;
    Ok(Some(token))
}

/// The account a reset link is for, while it works.
pub async fn reset_holder(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, AccountError> {
    let row = store::reset_by_hash(store, &token_hash(token)).await?;
    Ok(row.filter(|r| r.used_at.is_none() && now < r.expires_at).map(|r| r.user_id))
}

/// Uses a reset link: the new password, every session ended, every link of
/// the account spent. Answers the account, or none when the link does not work.
pub async fn reset_password(
    store: &Store,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, AccountError> {
    let Some(user_id) = reset_holder(store, token, now).await? else { return Ok(None) };
    set_password(store, user_id, password).await?;
    store::resets_used(store, user_id, now).await?;
    Ok(Some(user_id))
}

/// Sets the language of an account's messages and the notices it turned off.
pub async fn set_preferences(
    store: &Store,
    user_id: Uuid,
    lang: salle_web::Lang,
    muted: &[String],
) -> Result<(), AccountError> {
    Ok(crate::mail::recipients::set_preferences(store, user_id, lang, muted).await?)
}

/// Whether an account has this e-mail address.
pub async fn exists(store: &Store, email: &str) -> Result<bool, AccountError> {
    Ok(row_by_email(store, &normalise_email(email)?).await?.is_some())
}

/// The account behind an e-mail and password, or none (same time either way).
pub async fn authenticate(
    store: &Store,
    email: &str,
    password: &str,
) -> Result<Option<Account>, AccountError> {
    let row = match normalise_email(email) {
        // A disabled account answers as an unknown one, in the same time.
        Ok(email) => store::enabled_by_email(store, &email).await?,
        Err(_) => None,
    };
    let matches =
        crate::app::passwords::verify(password, row.as_ref().map(|r| r.password_hash.clone())).await?;
    Ok(row.filter(|_| matches).and_then(store::Row::account))
}

/// Opens a session (or an API token) for the user.
pub async fn sign_in(
    store: &Store,
    user_id: Uuid,
    kind: SessionKind,
    now: DateTime<Utc>,
) -> Result<Issued, AccountError> {
    let token = random_token();
    let csrf_token = random_token();
    let expires_at = now + if kind == SessionKind::Api { API_TOKEN_LIFETIME } else { SESSION_ABSOLUTE };
    store::open_session(store, &token_hash(&token), user_id, kind, &csrf_token, now, expires_at).await?;
    Ok(Issued { token, csrf_token, expires_at })
}

/// The account a token belongs to while it is valid, with the session's
/// CSRF token. A browser session idle for too long has ended.
pub async fn session(
    store: &Store,
    token: &str,
    kind: SessionKind,
    now: DateTime<Utc>,
) -> Result<Option<(Account, String)>, AccountError> {
    let hash = token_hash(token);
    let row = store::session(store, &hash).await?;
    let Some(row) = row.filter(|r| r.kind == kind.as_str() && now < r.expires_at) else { return Ok(None) };
    if kind == SessionKind::Web {
        if now - row.last_seen_at > SESSION_IDLE {
            return Ok(None);
        }
        // Seen: the idle timeout starts again (at most once a minute).
        if now - row.last_seen_at > Duration::minutes(1) {
            store::seen(store, &hash, now).await?;
        }
    }
    Ok(by_id(store, row.user_id).await?.map(|account| (account, row.csrf_token)))
}

/// Deletes an account and its sessions (erasure, or undoing a sign-up that
/// could not be completed).
pub async fn delete(store: &Store, user_id: Uuid) -> Result<(), AccountError> {
    Ok(store::delete(store, user_id).await?)
}

/// Disables the account (its sessions and tokens stop at once) or enables
/// it again; false when there is no such account.
pub async fn set_disabled(
    store: &Store,
    user_id: Uuid,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<bool, AccountError> {
    Ok(store::set_disabled(store, user_id, disabled.then_some(now)).await?)
}

/// The account with this e-mail address, if any (disabled or not).
pub async fn by_email(store: &Store, email: &str) -> Result<Option<Account>, AccountError> {
    let Ok(email) = normalise_email(email) else { return Ok(None) };
    Ok(row_by_email(store, &email).await?.and_then(store::Row::account))
}

/// Ends a session.
pub async fn sign_out(store: &Store, token: &str) -> Result<(), AccountError> {
    Ok(store::end_session(store, &token_hash(token)).await?)
}

/// Records that the user manages the establishment (its stream records the
/// assignment itself).
pub async fn add_establishment(
    store: &Store,
    user_id: Uuid,
    establishment_id: Uuid,
) -> Result<(), AccountError> {
    Ok(store::add_establishment(store, user_id, establishment_id).await?)
}

/// Takes the establishment out of the manager's care.
pub async fn remove_establishment(
    store: &Store,
    user_id: Uuid,
    establishment_id: Uuid,
) -> Result<(), AccountError> {
    Ok(store::remove_establishment(store, user_id, establishment_id).await?)
}

/// The accounts of an association's members, oldest first.
pub async fn members_of(store: &Store, association_id: Uuid) -> Result<Vec<Account>, AccountError> {
    Ok(store::members_of(store, association_id).await?)
}

/// The establishments a manager manages.
pub async fn establishments_of(store: &Store, user_id: Uuid) -> Result<Vec<Uuid>, AccountError> {
    Ok(store::establishments_of(store, user_id).await?)
}

/// Creates the first admin from the settings when no account has that
/// e-mail address yet; true when it was created.
pub async fn ensure_admin(
    store: &Store,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<bool, AccountError> {
    let email = normalise_email(email)?;
    if row_by_email(store, &email).await?.is_some() {
        return Ok(false);
    }
    let new = NewAccount {
        email: &email,
        password,
        name: "Administration",
        role: Role::Admin,
        association_id: None,
    };
    match create(store, new, now).await {
        Ok(_) => Ok(true),
        Err(AccountError::Invalid(e)) if e.code == "email_taken" => Ok(false),
        Err(e) => Err(e),
    }
}

/// How many accounts exist (for the start-up message).
pub async fn count(store: &Store) -> Result<i64, AccountError> {
    Ok(store::count(store).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
