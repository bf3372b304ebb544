//! The SQL of sign-ups waiting for their address to be confirmed
//! (`pending_sign_ups`, migration 0013).

use chrono::{DateTime, Utc};
use salle_events::Store;
use salle_events::sql::{self, Args};
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
pub(super) struct Pending {
    pub association_id: Uuid,
    pub details: String,
    pub expires_at: DateTime<Utc>,
}

pub(super) async fn insert(
    store: &Store,
    token_hash: &str,
    association_id: Uuid,
    email: &str,
    details: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "INSERT INTO pending_sign_ups (token_hash, association_id, email, details, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        Args::new()
            .text(token_hash.to_owned())
            .uuid(association_id)
            .text(email.to_owned())
            .text(details.to_owned())
            .time(now)
            .time(expires_at),
    )
    .await
    .map(drop)
}

pub(super) async fn by_token_hash(store: &Store, token_hash: &str) -> Result<Option<Pending>, sqlx::Error> {
    sql::fetch_optional(
        store,
        "SELECT association_id, details, expires_at FROM pending_sign_ups WHERE token_hash = $1",
        Args::new().text(token_hash.to_owned()),
    )
    .await
}

/// The sign-up is done (or abandoned): its row goes, and with it the
/// password's hash and the contact it held.
pub(super) async fn remove(store: &Store, token_hash: &str) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "DELETE FROM pending_sign_ups WHERE token_hash = $1",
        Args::new().text(token_hash.to_owned()),
    )
    .await
    .map(drop)
}

/// Sign-ups never confirmed go once their link has expired.
pub(super) async fn remove_expired(store: &Store, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    sql::write(store, "DELETE FROM pending_sign_ups WHERE expires_at < $1", Args::new().time(now)).await
}
