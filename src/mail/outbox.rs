//! The SQL of the outbox (`mail_outbox`, migration 0013): a message is
//! written before it is sent, keyed by its cause and its recipient, and
//! moves from `pending` to `sent`, or to `failed` when the server refused it
//! for good or every attempt failed.

use chrono::{DateTime, Utc};
use salle_events::sql::{self, Args};
use salle_events::{Store, StoreTx};
use uuid::Uuid;

/// A message to send, as written in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// What caused it and to whom (see [`super::key`]): a second write of the
    /// same message is ignored.
    pub key: String,
    /// The recipient's account, when there is one (its messages go with it).
    pub user_id: Option<Uuid>,
    pub recipient: String,
    /// The notice's code (`request_received`, `verify_email`, …).
    pub notice: &'static str,
    /// The whole message, RFC 5322, ASCII (lettre encodes every part).
    pub message: String,
}

/// A message waiting in the outbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Queued {
    pub message_key: String,
    pub recipient: String,
    pub notice: String,
    pub message: String,
    pub attempts: i64,
}

const INSERT: &str = "INSERT INTO mail_outbox \
     (message_key, user_id, recipient, notice, message, status, attempts, next_attempt_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT (message_key) DO NOTHING";

fn insert_args(m: &Outgoing, now: DateTime<Utc>) -> Args {
    Args::new()
        .text(m.key.clone())
        .uuid(m.user_id)
        .text(m.recipient.clone())
        .text(m.notice.to_owned())
        .text(m.message.clone())
        .time(now)
}

/// Writes the messages in the transaction of what caused them.
pub async fn enqueue_in(
    tx: &mut StoreTx,
    messages: &[Outgoing],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for m in messages {
        sql::execute(tx, INSERT, insert_args(m, now)).await?;
    }
    Ok(())
}

/// Writes one message on its own; true when it was new.
pub async fn enqueue(store: &Store, m: &Outgoing, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(sql::write(store, INSERT, insert_args(m, now)).await? > 0)
}

/// The messages whose turn has come, oldest first.
pub async fn due(store: &Store, now: DateTime<Utc>, limit: i64) -> Result<Vec<Queued>, sqlx::Error> {
    sql::fetch_all(
        store,
        "SELECT message_key, recipient, notice, message, CAST(attempts AS BIGINT) AS attempts FROM mail_outbox \
         WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, message_key LIMIT $2",
        Args::new().time(now).int(limit),
    )
    .await
}

/// When the next message waiting in the outbox is due, if any.
pub async fn next_due(store: &Store) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sql::fetch_value(
        store,
        "SELECT next_attempt_at FROM mail_outbox WHERE status = 'pending' ORDER BY next_attempt_at LIMIT 1",
        Args::new(),
    )
    .await
}

pub async fn sent(store: &Store, key: &str, attempts: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE mail_outbox SET status = 'sent', attempts = $2, sent_at = $3, last_error = NULL \
         WHERE message_key = $1",
        Args::new().text(key.to_owned()).int(attempts).time(now),
    )
    .await
    .map(drop)
}

/// A temporary failure: tried again at `next`.
pub async fn retry(
    store: &Store,
    key: &str,
    attempts: i64,
    next: DateTime<Utc>,
    error: &str,
) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE mail_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE message_key = $1",
        Args::new().text(key.to_owned()).int(attempts).time(next).text(error.to_owned()),
    )
    .await
    .map(drop)
}

/// Refused for good, or every attempt failed: kept, with why, for the operator.
pub async fn failed(store: &Store, key: &str, attempts: i64, error: &str) -> Result<(), sqlx::Error> {
    sql::write(
        store,
        "UPDATE mail_outbox SET status = 'failed', attempts = $2, last_error = $3 WHERE message_key = $1",
        Args::new().text(key.to_owned()).int(attempts).text(error.to_owned()),
    )
    .await
    .map(drop)
}

/// How many messages are in each state (for `/metrics` and `salle mail status`).
pub async fn counts(store: &Store) -> Result<Vec<(String, i64)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Count {
        status: String,
        n: i64,
    }
    let rows: Vec<Count> = sql::fetch_all(
        store,
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM mail_outbox GROUP BY status ORDER BY status",
        Args::new(),
    )
    .await?;
    Ok(rows.into_iter().map(|c| (c.status, c.n)).collect())
}

/// A message given up on, as the operator reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Failed {
    pub message_key: String,
    pub notice: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn failures(store: &Store, limit: i64) -> Result<Vec<Failed>, sqlx::Error> {
    sql::fetch_all(
        store,
        "SELECT message_key, notice, CAST(attempts AS BIGINT) AS attempts, last_error, created_at \
         FROM mail_outbox WHERE status = 'failed' ORDER BY created_at DESC LIMIT $1",
        Args::new().int(limit),
    )
    .await
}

/// Puts failed messages back in line (after the operator fixed the cause).
pub async fn retry_failed(store: &Store, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    sql::write(
        store,
        "UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE status = 'failed'",
        Args::new().time(now),
    )
    .await
}

/// Messages sent more than a month ago go: what they said is personal data,
/// kept no longer than a person could ask whether it was sent.
pub async fn prune(store: &Store, sent_before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    sql::write(
        store,
        "DELETE FROM mail_outbox WHERE status = 'sent' AND sent_at < $1",
        Args::new().time(sent_before),
    )
    .await
}

/// Erasure: a person's messages go with their account.
pub async fn erase_user(store: &Store, user_id: Uuid) -> Result<u64, sqlx::Error> {
    sql::write(store, "DELETE FROM mail_outbox WHERE user_id = $1", Args::new().uuid(user_id)).await
}
