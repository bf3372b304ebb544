//! One statement for both backends: written once with `$n` parameters
//! (PostgreSQL's form); SQLite reads the same text with `?n`, which it
//! numbers the same way. Values are bound in order on whichever connection
//! holds them: inside a [`StoreTx`] ([`execute`], [`fetch_scalar`]), or on
//! the store itself ([`fetch_all`], [`fetch_optional`], [`fetch_column`],
//! [`write`]), so that no other crate needs to know which backend it runs on.
//! Reads go to SQLite's reader pool; [`write`] to its single writer.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Postgres, Sqlite};
use uuid::Uuid;

use crate::store::Inner;
use crate::store::Store;
use crate::store::tx::StoreTx;

/// The values of one statement, in parameter order.
#[derive(Debug, Default, Clone)]
pub struct Args(Vec<Arg>);

#[derive(Debug, Clone)]
enum Arg {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Time(Option<DateTime<Utc>>),
    Bool(Option<bool>),
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
    pub fn bool(self, v: impl Into<Option<bool>>) -> Self {
        self.push(Arg::Bool(v.into()))
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
                Arg::Bool(v) => q.bind(v),
            };
        }
        q
    }};
}

/// Runs `sql` inside the transaction; returns the rows it changed.
pub async fn execute(tx: &mut StoreTx, sql: &'static str, args: Args) -> Result<u64, sqlx::Error> {
    run(tx, Cow::Borrowed(sql), args).await
}

/// Like [`execute`], for statements built at run time (multi-row inserts whose
/// row count varies). Only values go through `args`; the text is the caller's.
pub async fn execute_built(tx: &mut StoreTx, sql: String, args: Args) -> Result<u64, sqlx::Error> {
    run(tx, Cow::Owned(sql), args).await
}

async fn run(tx: &mut StoreTx, sql: Cow<'static, str>, args: Args) -> Result<u64, sqlx::Error> {
    if let Some(conn) = tx.postgres() {
        return Ok(bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), args)
            .execute(conn)
            .await?
            .rows_affected());
    }
    if let Some(conn) = tx.sqlite() {
        let sqlite_sql = sqlite_placeholders(&sql);
        return Ok(bind_all!(sqlx::query(sqlx::AssertSqlSafe(sqlite_sql)), args)
            .execute(conn)
            .await?
            .rows_affected());
    }
    Ok(0)
}

/// SQLite's text of a `$n` statement. When the parameters appear once each
/// and in order, plain `?` placeholders: sqlx looks every numbered `?n` up by
/// name when binding, which costs time quadratic in the parameter count of a
/// multi-row insert. Otherwise `?n`, which SQLite numbers the same as `$n`.
fn sqlite_placeholders(sql: &str) -> String {
    let mut plain = String::with_capacity(sql.len());
    let mut expected = 1u32;
    let mut in_order = true;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            plain.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
            digits.push(d);
            chars.next();
        }
        in_order &= digits.parse::<u32>().ok() == Some(expected);
        expected += 1;
        plain.push('?');
    }
    if in_order { plain } else { sql.replace('$', "?") }
}

/// Runs a query returning at most one value (the first column of the first row).
pub async fn fetch_scalar<T>(
    tx: &mut StoreTx,
    sql: &'static str,
    args: Args,
) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + Send
        + Unpin,
{
    if let Some(conn) = tx.postgres() {
        return bind_all!(sqlx::query_scalar(sql), args).fetch_optional(conn).await;
    }
    if let Some(conn) = tx.sqlite() {
        let sqlite_sql = sqlite_placeholders(sql);
        return bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sqlite_sql)), args)
            .fetch_optional(conn)
            .await;
    }
    Ok(None)
}

/// A statement's text: fixed, or built at run time (only placeholders are
/// ever formatted in; every value goes through [`Args`]).
pub type Sql = Cow<'static, str>;

/// A row type both backends can decode (`#[derive(sqlx::FromRow)]` gives both).
pub trait Row: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, PgRow> + for<'r> FromRow<'r, SqliteRow> + Send + Unpin {}

/// A single value both backends can decode.
pub trait Value:
    for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + Send
    + Unpin
{
}
impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + Send
        + Unpin
{
}

/// Runs a query built by `$build` (`sqlx::query_as` or `sqlx::query_scalar`)
/// from a statement and its values, and fetches with `$fetch`, on the
/// store's readers: PostgreSQL's pool, or SQLite's reader pool (where the
/// `$n` placeholders are read as `?`).
macro_rules! on_readers {
    ($store:expr, $sql:expr, $args:expr, $build:path, $fetch:ident) => {{
        let sql: Sql = $sql.into();
        match &$store.0 {
            Inner::Postgres(p) => bind_all!($build(sqlx::AssertSqlSafe(sql)), $args).$fetch(p.pool()).await,
            Inner::Sqlite(s) => {
                bind_all!($build(sqlx::AssertSqlSafe(sqlite_placeholders(&sql))), $args)
                    .$fetch(s.reader_pool())
                    .await
            }
        }
    }};
}

/// Every row of a query, read on the store.
pub async fn fetch_all<T: Row>(
    store: &Store,
    sql: impl Into<Sql>,
    args: Args,
) -> Result<Vec<T>, sqlx::Error> {
    on_readers!(store, sql, args, sqlx::query_as, fetch_all)
}

/// The first row of a query, if any, read on the store.
pub async fn fetch_optional<T: Row>(
    store: &Store,
    sql: impl Into<Sql>,
    args: Args,
) -> Result<Option<T>, sqlx::Error> {
    on_readers!(store, sql, args, sqlx::query_as, fetch_optional)
}

/// The first column of every row of a query, read on the store.
pub async fn fetch_column<T: Value>(
    store: &Store,
    sql: impl Into<Sql>,
    args: Args,
) -> Result<Vec<T>, sqlx::Error> {
    on_readers!(store, sql, args, sqlx::query_scalar, fetch_all)
}

/// The first column of the first row of a query, if any, read on the store.
pub async fn fetch_value<T: Value>(
    store: &Store,
    sql: impl Into<Sql>,
    args: Args,
) -> Result<Option<T>, sqlx::Error> {
    on_readers!(store, sql, args, sqlx::query_scalar, fetch_optional)
}

/// Runs one statement on its own (outside the log's transactions: side
/// tables such as accounts); returns the rows it changed.
pub async fn write(store: &Store, sql: impl Into<Sql>, args: Args) -> Result<u64, sqlx::Error> {
    let sql = sql.into();
    Ok(match &store.0 {
        Inner::Postgres(p) => {
            bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), args).execute(p.pool()).await?.rows_affected()
        }
        Inner::Sqlite(s) => bind_all!(sqlx::query(sqlx::AssertSqlSafe(sqlite_placeholders(&sql))), args)
            .execute(s.writer_pool())
            .await?
            .rows_affected(),
    })
}

/// Whether the store is PostgreSQL (for the few statements whose text must
/// differ: `ON CONFLICT` forms, `RETURNING`, date functions).
pub fn is_postgres(store: &Store) -> bool {
    matches!(store.0, Inner::Postgres(_))
}

/// `($1, $2, …), ($n+1, …)`: the VALUES of `rows` rows of `columns` parameters.
pub fn values(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * columns + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// Rows per multi-row statement. PostgreSQL's cost per statement grows
/// faster than its parameter count: 200 rows of 12 columns took 47 ms a
/// statement, 50 rows a sixteenth of that (bookings rebuild 8,279 -> 67,443
/// events/s); SQLite is indifferent.
pub const ROWS_PER_STATEMENT: usize = 50;

impl Args {
    /// Appends every value of `other`.
    pub fn extend(mut self, other: Args) -> Self {
        self.0.extend(other.0);
        self
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_reads_parameters_in_order_as_plain_placeholders() {
        assert_eq!(
            super::sqlite_placeholders("UPDATE t SET a = $1 WHERE b = $2"),
            "UPDATE t SET a = ? WHERE b = ?"
        );
        assert_eq!(super::sqlite_placeholders("SELECT $1, $2 WHERE x = $2"), "SELECT ?1, ?2 WHERE x = ?2");
        assert_eq!(super::sqlite_placeholders("SELECT $2, $1"), "SELECT ?2, ?1");
    }

    #[test]
    fn values_number_every_parameter() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
