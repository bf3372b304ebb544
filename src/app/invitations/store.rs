//! The SQL of the invitations table (out of the log: it holds the invited
//! person's e-mail address and name).

use chrono::{DateTime, Utc};
use salle_events::Store;
use salle_events::sql::{self, Args};
use uuid::Uuid;

use super::{Invitation, InvitedTo};

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert(
    store: &Store,
    token_hash: &str,
    email: &str,
    name: &str,
    to: InvitedTo,
    by: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "INSERT INTO invitations \
         (token_hash, email, name, establishment_id, association_id, invited_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        Args::new()
            .text(token_hash.to_owned())
            .text(email.to_owned())
            .text(name.to_owned())
            .uuid(match to {
                InvitedTo::Manage(id) => Some(id),
                InvitedTo::Join(_) => None,
            })
            .uuid(match to {
                InvitedTo::Join(id) => Some(id),
                InvitedTo::Manage(_) => None,
            })
            .uuid(by)
            .time(now)
            .time(expires_at),
    )
    .await?;
    Ok(())
}

pub(super) async fn by_token_hash(
    store: &Store,
    token_hash: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    sql::fetch_optional(
        store,
        "SELECT email, name, establishment_id, association_id, expires_at, accepted_at \
         FROM invitations WHERE token_hash = $1",
        Args::new().text(token_hash.to_owned()),
    )
    .await
}

pub(super) async fn accepted(store: &Store, token_hash: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE invitations SET accepted_at = $1 WHERE token_hash = $2",
        Args::new().time(now).text(token_hash.to_owned()),
    )
    .await?;
    Ok(())
}
