//! Accounts and sign-ins: who may do what.
//!
//! Accounts are kept in their own table, out of the log: an e-mail address
//! and a name are personal data, erased by deleting the row, while the events
//! only carry the user's id (as actor, manager, association contact).
//! Passwords are hashed with Argon2id (RustCrypto `argon2`, its default
//! parameters: 19 MiB, 2 passes). A sign-in gives a random 256-bit token;
//! only its SHA-256 is stored, with an absolute expiry and, for browser
//! sessions, an idle timeout.

use chrono::{DateTime, Duration, Utc};
use salle_events::sql::{Args, execute, fetch_scalar};
use salle_events::{EventStore, Store};
use sha2::Digest;
use uuid::Uuid;

use crate::domain::{DomainError, text};

/// A bearer token for the API lives this long.
pub const API_TOKEN_LIFETIME: Duration = Duration::hours(12);
/// A browser session ends this long after sign-in, whatever happens.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// …and this long after its last request.
pub const SESSION_IDLE: Duration = Duration::minutes(30);
pub use super::passwords::MIN_PASSWORD_CHARS;

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
    Busy(#[from] super::passwords::Busy),
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
    fn as_str(self) -> &'static str {
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
    super::passwords::check(password)
}

pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn token_hash(token: &str) -> String {
    sha2::Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(sqlx::FromRow)]
struct Row {
    user_id: Uuid,
    email: String,
    password_hash: String,
    role: String,
    name: String,
    association_id: Option<Uuid>,
}

impl Row {
    fn account(self) -> Option<Account> {
        Some(Account {
            user_id: self.user_id,
            email: self.email,
            name: self.name,
            role: Role::parse(&self.role)?,
            association_id: self.association_id,
        })
    }
}

const ACCOUNT_COLUMNS: &str = "user_id, email, password_hash, role, name, association_id";

async fn row_by_email(store: &Store, email: &str) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1");
    match store {
        Store::Sqlite(s) => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.replace("$1", "?")))
                .bind(email)
                .fetch_optional(s.reader_pool())
                .await
        }
        Store::Postgres(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(email).fetch_optional(p.pool()).await
        }
    }
}

pub async fn by_id(store: &Store, user_id: Uuid) -> Result<Option<Account>, AccountError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE user_id = $1");
    let row: Option<Row> = match store {
        Store::Sqlite(s) => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.replace("$1", "?")))
                .bind(user_id)
                .fetch_optional(s.reader_pool())
                .await?
        }
        Store::Postgres(p) => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_optional(p.pool()).await?
        }
    };
    Ok(row.and_then(Row::account))
}

/// Creates an account; the e-mail address must be free.
pub async fn create(store: &Store, new: NewAccount<'_>, now: DateTime<Utc>) -> Result<Uuid, AccountError> {
    let email = normalise_email(new.email)?;
    check_password(new.password)?;
    let name = text("invalid_name", "Le nom", new.name, 120)?;
    if row_by_email(store, &email).await?.is_some() {
        return Err(
            DomainError::conflict("email_taken", "Un compte existe déjà avec cette adresse e-mail.").into()
        );
    }
    let hash = super::passwords::hash(new.password)
        .await?
        .ok_or_else(|| DomainError::rule("weak_password", "Ce mot de passe ne peut pas être enregistré."))?;
    let user_id = Uuid::now_v7();
    let mut tx = store.begin().await?;
    let inserted = execute(
        &mut tx,
        "INSERT INTO accounts (user_id, email, password_hash, role, name, association_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        Args::new()
            .uuid(user_id)
            .text(email)
            .text(hash)
            .text(new.role.as_str().to_owned())
            .text(name)
            .uuid(new.association_id)
            .time(now),
    )
    .await?;
    tx.commit().await?;
    if inserted == 0 {
        return Err(
            DomainError::conflict("email_taken", "Un compte existe déjà avec cette adresse e-mail.").into()
        );
    }
    Ok(user_id)
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
        Ok(email) => row_by_email(store, &email).await?,
        Err(_) => None,
    };
    let matches = super::passwords::verify(password, row.as_ref().map(|r| r.password_hash.clone())).await?;
    Ok(row.filter(|_| matches).and_then(Row::account))
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
    let mut tx = store.begin().await?;
    execute(
        &mut tx,
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Args::new()
            .text(token_hash(&token))
            .uuid(user_id)
            .text(kind.as_str().to_owned())
            .text(csrf_token.clone())
            .time(now)
            .time(now)
            .time(expires_at),
    )
    .await?;
    tx.commit().await?;
    Ok(Issued { token, csrf_token, expires_at })
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: Uuid,
    kind: String,
    csrf_token: String,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// The account a token belongs to while it is valid, with the session's
/// CSRF token. A browser session idle for too long has ended.
pub async fn session(
    store: &Store,
    token: &str,
    kind: SessionKind,
    now: DateTime<Utc>,
) -> Result<Option<(Account, String)>, AccountError> {
    const SQL: &str =
        "SELECT user_id, kind, csrf_token, last_seen_at, expires_at FROM sessions WHERE token_hash = $1";
    let hash = token_hash(token);
    let row: Option<SessionRow> = match store {
        Store::Sqlite(s) => {
            sqlx::query_as(sqlx::AssertSqlSafe(SQL.replace("$1", "?")))
                .bind(&hash)
                .fetch_optional(s.reader_pool())
                .await?
        }
        Store::Postgres(p) => sqlx::query_as(SQL).bind(&hash).fetch_optional(p.pool()).await?,
    };
    let Some(row) = row.filter(|r| r.kind == kind.as_str() && now < r.expires_at) else { return Ok(None) };
    if kind == SessionKind::Web {
        if now - row.last_seen_at > SESSION_IDLE {
            return Ok(None);
        }
        // Seen: the idle timeout starts again (at most once a minute).
        if now - row.last_seen_at > Duration::minutes(1) {
            let mut tx = store.begin().await?;
            execute(
                &mut tx,
                "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
                Args::new().time(now).text(hash),
            )
            .await?;
            tx.commit().await?;
        }
    }
    Ok(by_id(store, row.user_id).await?.map(|account| (account, row.csrf_token)))
}

/// Deletes an account and its sessions (erasure, or undoing a sign-up that
/// could not be completed).
pub async fn delete(store: &Store, user_id: Uuid) -> Result<(), AccountError> {
    let mut tx = store.begin().await?;
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM account_establishments WHERE user_id = $1",
        "DELETE FROM accounts WHERE user_id = $1",
    ] {
        execute(&mut tx, sql, Args::new().uuid(user_id)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Ends a session.
pub async fn sign_out(store: &Store, token: &str) -> Result<(), AccountError> {
    let mut tx = store.begin().await?;
    execute(&mut tx, "DELETE FROM sessions WHERE token_hash = $1", Args::new().text(token_hash(token)))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Records that the user manages the establishment (its stream records the
/// assignment itself).
pub async fn add_establishment(
    store: &Store,
    user_id: Uuid,
    establishment_id: Uuid,
) -> Result<(), AccountError> {
    let mut tx = store.begin().await?;
    execute(
        &mut tx,
        "INSERT INTO account_establishments (user_id, establishment_id) VALUES ($1, $2) \
         ON CONFLICT (user_id, establishment_id) DO NOTHING",
        Args::new().uuid(user_id).uuid(establishment_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The establishments a manager manages.
pub async fn establishments_of(store: &Store, user_id: Uuid) -> Result<Vec<Uuid>, AccountError> {
    const SQL: &str =
        "SELECT establishment_id FROM account_establishments WHERE user_id = $1 ORDER BY establishment_id";
    Ok(match store {
        Store::Sqlite(s) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(SQL.replace("$1", "?")))
                .bind(user_id)
                .fetch_all(s.reader_pool())
                .await?
        }
        Store::Postgres(p) => sqlx::query_scalar(SQL).bind(user_id).fetch_all(p.pool()).await?,
    })
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
    let mut tx = store.begin().await?;
    let n = fetch_scalar::<i64>(&mut tx, "SELECT COUNT(*) FROM accounts", Args::new()).await?.unwrap_or(0);
    tx.rollback().await?;
    Ok(n)
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
