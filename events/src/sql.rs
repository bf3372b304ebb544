//! One statement for both backends: written once with `$n` parameters
//! (PostgreSQL's form); SQLite reads the same text with `?n`, which it
//! numbers the same way. Values are bound in order on whichever connection
//! the transaction holds. For the writes of read models and side tables;
//! queries that return rows keep their own typed SQL per backend.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::tx::StoreTx;

/// The values of one statement, in parameter order.
#[derive(Debug, Default, Clone)]
pub struct Args(Vec<Arg>);

#[derive(Debug, Clone)]
enum Arg {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Time(Option<DateTime<Utc>>),
}

impl Args {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn uuid(self, v: impl Into<Option<Uuid>>) -> Self {
        self.push(Arg::Uuid(v.into()))
    }
    pub fn text(self, v: impl Into<Option<String>>) -> Self {
        self.push(Arg::Text(v.into()))
    }
    pub fn int(self, v: impl Into<Option<i64>>) -> Self {
        self.push(Arg::Int(v.into()))
    }
    pub fn time(self, v: impl Into<Option<DateTime<Utc>>>) -> Self {
        self.push(Arg::Time(v.into()))
    }
    fn push(mut self, arg: Arg) -> Self {
        self.0.push(arg);
        self
    }
}

/// Binds every value of `$args` on the query `$q`, whatever its backend.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for arg in $args.0 {
            q = match arg {
                Arg::Uuid(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Int(v) => q.bind(v),
                Arg::Time(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Runs `sql` inside the transaction; returns the rows it changed.
pub async fn execute(tx: &mut StoreTx, sql: &'static str, args: Args) -> Result<u64, sqlx::Error> {
    if let Some(conn) = tx.postgres() {
        return Ok(bind_all!(sqlx::query(sql), args).execute(conn).await?.rows_affected());
    }
    if let Some(conn) = tx.sqlite() {
        let sqlite_sql = sql.replace('$', "?");
        return Ok(bind_all!(sqlx::query(sqlx::AssertSqlSafe(sqlite_sql)), args)
            .execute(conn)
            .await?
            .rows_affected());
    }
    Ok(0)
}

/// Runs a query returning at most one integer (the first column of the first row).
pub async fn fetch_i64(tx: &mut StoreTx, sql: &'static str, args: Args) -> Result<Option<i64>, sqlx::Error> {
    if let Some(conn) = tx.postgres() {
        return bind_all!(sqlx::query_scalar(sql), args).fetch_optional(conn).await;
    }
    if let Some(conn) = tx.sqlite() {
        let sqlite_sql = sql.replace('$', "?");
        return bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sqlite_sql)), args)
            .fetch_optional(conn)
            .await;
    }
    Ok(None)
}
