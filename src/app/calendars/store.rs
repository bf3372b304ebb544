//! The SQL of secret calendar links (`calendar_feeds`, migration 0014).

use chrono::{DateTime, Utc};
use salle_events::Store;
use salle_events::sql::{self, Args};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Feed {
    pub feed_id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
}

pub(super) async fn insert(
    store: &Store,
    feed_id: Uuid,
    token_hash: &str,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "INSERT INTO calendar_feeds (feed_id, token_hash, user_id, created_at) VALUES ($1, $2, $3, $4)",
        Args::new().uuid(feed_id).text(token_hash.to_owned()).uuid(user_id).time(now),
    )
    .await
    .map(drop)
}

/// The link behind a token, unless revoked.
pub(super) async fn by_token_hash(store: &Store, token_hash: &str) -> Result<Option<Feed>, sqlx::Error> {
    sql::fetch_optional(
        store,
        "SELECT feed_id, user_id, created_at FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL",
        Args::new().text(token_hash.to_owned()),
    )
    .await
}

/// An account's links that work, newest first.
pub(super) async fn of_user(store: &Store, user_id: Uuid) -> Result<Vec<Feed>, sqlx::Error> {
    sql::fetch_all(
        store,
        "SELECT feed_id, user_id, created_at FROM calendar_feeds WHERE user_id = $1 AND revoked_at IS NULL \
         ORDER BY created_at DESC, feed_id",
        Args::new().uuid(user_id),
    )
    .await
}

/// Revokes one of the account's links; false when it has no such link.
pub(super) async fn revoke(
    store: &Store,
    user_id: Uuid,
    feed_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = sql::write(
        store,
        "UPDATE calendar_feeds SET revoked_at = $3 WHERE user_id = $1 AND feed_id = $2 AND revoked_at IS NULL",
        Args::new().uuid(user_id).uuid(feed_id).time(now),
    )
    .await?;
    Ok(n == 1)
}
