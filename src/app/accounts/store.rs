//! The SQL of accounts, sessions and managers' establishments: tables kept
//! out of the log (they hold personal data), on either backend.

use chrono::{DateTime, Utc};
use salle_events::Store;
use salle_events::sql::{self, Args};
use uuid::Uuid;

use super::{Account, Role, SessionKind};

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    user_id: Uuid,
    email: String,
    pub(super) password_hash: String,
    role: String,
    name: String,
    association_id: Option<Uuid>,
}

impl Row {
    pub(super) fn account(self) -> Option<Account> {
        Some(Account {
            user_id: self.user_id,
            email: self.email,
            name: self.name,
            role: Role::parse(&self.role)?,
            association_id: self.association_id,
        })
    }
}

const BY_EMAIL: &str =
    "SELECT user_id, email, password_hash, role, name, association_id FROM accounts WHERE email = $1";
const BY_ID: &str =
    "SELECT user_id, email, password_hash, role, name, association_id FROM accounts WHERE user_id = $1";

/// The accounts of an association's members, oldest first.
pub(super) async fn members_of(store: &Store, association_id: Uuid) -> Result<Vec<Account>, sqlx::Error> {
    let rows: Vec<Row> = sql::fetch_all(
        store,
        "SELECT user_id, email, password_hash, role, name, association_id FROM accounts \
         WHERE association_id = $1 ORDER BY created_at, user_id",
        Args::new().uuid(association_id),
    )
    .await?;
    Ok(rows.into_iter().filter_map(Row::account).collect())
}

pub(super) async fn row_by_email(store: &Store, email: &str) -> Result<Option<Row>, sqlx::Error> {
    sql::fetch_optional(store, BY_EMAIL, Args::new().text(email.to_owned())).await
}

/// The account that may sign in with this address: none if disabled.
pub(super) async fn enabled_by_email(store: &Store, email: &str) -> Result<Option<Row>, sqlx::Error> {
    let sql = format!("{BY_EMAIL} AND disabled_at IS NULL");
    sql::fetch_optional(store, sql, Args::new().text(email.to_owned())).await
}

/// Disables the account (`Some`: since when), ending its sessions and
/// tokens, or enables it again (`None`); false when there is no such account.
pub(super) async fn set_disabled(
    store: &Store,
    user_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let changed = sql::write(
        store,
        "UPDATE accounts SET disabled_at = $1 WHERE user_id = $2",
        Args::new().time(at).uuid(user_id),
    )
    .await?;
    if at.is_some() {
        sql::write(store, "DELETE FROM sessions WHERE user_id = $1", Args::new().uuid(user_id)).await?;
    }
    Ok(changed > 0)
}

pub async fn by_id(store: &Store, user_id: Uuid) -> Result<Option<Account>, super::AccountError> {
    let row: Option<Row> = sql::fetch_optional(store, BY_ID, Args::new().uuid(user_id)).await?;
    Ok(row.and_then(Row::account))
}

/// Inserts the account unless its e-mail address is taken; true when inserted.
#[allow(clippy::too_many_arguments)]
pub(super) async fn insert(
    store: &Store,
    user_id: Uuid,
    email: &str,
    password_hash: &str,
    role: Role,
    name: &str,
    association_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let inserted = sql::write(
        store,
        "INSERT INTO accounts (user_id, email, password_hash, role, name, association_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING",
        Args::new()
            .uuid(user_id)
            .text(email.to_owned())
            .text(password_hash.to_owned())
            .text(role.as_str().to_owned())
            .text(name.to_owned())
            .uuid(association_id)
            .time(now),
    )
    .await?;
    Ok(inserted == 1)
}

pub(super) async fn open_session(
    store: &Store,
    token_hash: &str,
    user_id: Uuid,
    kind: SessionKind,
    csrf_token: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        Args::new()
            .text(token_hash.to_owned())
            .uuid(user_id)
            .text(kind.as_str().to_owned())
            .text(csrf_token.to_owned())
            .time(now)
            .time(now)
            .time(expires_at),
    )
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub(super) user_id: Uuid,
    pub(super) kind: String,
    pub(super) csrf_token: String,
    pub(super) last_seen_at: DateTime<Utc>,
    pub(super) expires_at: DateTime<Utc>,
}

pub(super) async fn session(store: &Store, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sql::fetch_optional(
        store,
        "SELECT s.user_id, s.kind, s.csrf_token, s.last_seen_at, s.expires_at FROM sessions s \
         JOIN accounts a ON a.user_id = s.user_id WHERE s.token_hash = $1 AND a.disabled_at IS NULL",
        Args::new().text(token_hash.to_owned()),
    )
    .await
}

/// The session was used now (its idle timeout starts again).
pub(super) async fn seen(store: &Store, token_hash: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
        Args::new().time(now).text(token_hash.to_owned()),
    )
    .await?;
    Ok(())
}

pub(super) async fn end_session(store: &Store, token_hash: &str) -> Result<(), sqlx::Error> {
    sql::write(store, "DELETE FROM sessions WHERE token_hash = $1", Args::new().text(token_hash.to_owned()))
        .await?;
    Ok(())
}

/// The account, its sessions and its establishments, in one transaction.
pub(super) async fn delete(store: &Store, user_id: Uuid) -> Result<(), salle_events::StoreError> {
    use salle_events::EventStore;
    let mut tx = store.begin().await?;
    for statement in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM password_resets WHERE user_id = $1",
        "DELETE FROM calendar_feeds WHERE user_id = $1",
        "DELETE FROM mail_outbox WHERE user_id = $1",
        "DELETE FROM account_establishments WHERE user_id = $1",
        "DELETE FROM accounts WHERE user_id = $1",
    ] {
        sql::execute(&mut tx, statement, Args::new().uuid(user_id))
            .await
            .map_err(|source| salle_events::StoreError::Database { doing: "deleting an account", source })?;
    }
    tx.commit().await
}

/// The new password's hash, and every session ended, in one transaction.
pub(super) async fn set_password(
    store: &Store,
    user_id: Uuid,
    hash: &str,
) -> Result<(), salle_events::StoreError> {
    use salle_events::EventStore;
    let database = |source| salle_events::StoreError::Database { doing: "setting a password", source };
    let mut tx = store.begin().await?;
    sql::execute(
        &mut tx,
        "UPDATE accounts SET password_hash = $2 WHERE user_id = $1",
        Args::new().uuid(user_id).text(hash.to_owned()),
    )
    .await
    .map_err(database)?;
    sql::execute(&mut tx, "DELETE FROM sessions WHERE user_id = $1", Args::new().uuid(user_id))
        .await
        .map_err(database)?;
    tx.commit().await
}

pub(super) async fn remove_establishment(
    store: &Store,
    user_id: Uuid,
    establishment_id: Uuid,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "DELETE FROM account_establishments WHERE user_id = $1 AND establishment_id = $2",
        Args::new().uuid(user_id).uuid(establishment_id),
    )
    .await?;
    Ok(())
}

pub(super) async fn add_establishment(
    store: &Store,
    user_id: Uuid,
    establishment_id: Uuid,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "INSERT INTO account_establishments (user_id, establishment_id) VALUES ($1, $2) \
         ON CONFLICT (user_id, establishment_id) DO NOTHING",
        Args::new().uuid(user_id).uuid(establishment_id),
    )
    .await?;
    Ok(())
}

pub(super) async fn establishments_of(store: &Store, user_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sql::fetch_column(
        store,
        "SELECT establishment_id FROM account_establishments WHERE user_id = $1 ORDER BY establishment_id",
        Args::new().uuid(user_id),
    )
    .await
}

pub(super) async fn count(store: &Store) -> Result<i64, sqlx::Error> {
    Ok(sql::fetch_value(store, "SELECT COUNT(*) FROM accounts", Args::new()).await?.unwrap_or(0))
}

/// A new password's link: only its hash is kept.
pub(super) async fn insert_reset(
    store: &Store,
    token_hash: &str,
    user_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        Args::new().text(token_hash.to_owned()).uuid(user_id).time(now).time(expires_at),
    )
    .await
    .map(drop)
}

/// Links asked for the account since `since`.
pub(super) async fn resets_since(
    store: &Store,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    Ok(sql::fetch_value(
        store,
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2",
        Args::new().uuid(user_id).time(since),
    )
    .await?
    .unwrap_or(0))
}

#[derive(sqlx::FromRow)]
pub(super) struct ResetRow {
    pub(super) user_id: Uuid,
    pub(super) expires_at: DateTime<Utc>,
    pub(super) used_at: Option<DateTime<Utc>>,
}

pub(super) async fn reset_by_hash(store: &Store, token_hash: &str) -> Result<Option<ResetRow>, sqlx::Error> {
    sql::fetch_optional(
        store,
        "SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = $1",
        Args::new().text(token_hash.to_owned()),
    )
    .await
}

/// Every link of the account stops working (one was used).
pub(super) async fn resets_used(store: &Store, user_id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        Args::new().uuid(user_id).time(now),
    )
    .await
    .map(drop)
}
