//! Shared test harness: a fresh database per test, on either backend.
//!
//! PostgreSQL comes from `DATABASE_URL` (default the local server). Each test
//! creates its own uniquely named database and drops it afterwards, even when
//! the test panics. Without a reachable server the test fails and says how to
//! start one: it never skips.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;

use salle_events::{Store, StoreOptions};
use sqlx::Connection;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One throwaway database; dropped with the value.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    admin_url: Option<String>,
    db_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("salle.db").display());
        Self { backend: Backend::Sqlite, url, admin_url: None, db_name: None, _dir: Some(dir) }
    }

    pub async fn postgres() -> Self {
        let admin_url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
        let db_name = format!("salle_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at DATABASE_URL={admin_url}: {e}\n\
                 Start it (`pg_ctlcluster 15 main start`), point DATABASE_URL at a server, \
                 or run ./scripts/test, which starts a private one."
            )
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db_name}")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE for the test");
        let _ = admin.close().await;
        let url = with_database(&admin_url, &db_name);
        Self {
            backend: Backend::Postgres,
            url,
            admin_url: Some(admin_url),
            db_name: Some(db_name),
            _dir: None,
        }
    }

    /// A migrated store on this database.
    pub async fn store(&self) -> Store {
        self.store_with(StoreOptions::default()).await
    }

    pub async fn store_with(&self, options: StoreOptions) -> Store {
        let store = Store::connect(&self.url, options).await.expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }
}

pub mod app;
pub mod binary;
pub mod browser;
pub mod mail;
pub mod market;
pub mod money;
pub mod smtp;
pub mod world;

pub use salle_events::store::with_database;

impl Drop for TestDb {
    fn drop(&mut self) {
        let (Some(admin_url), Some(db_name)) = (self.admin_url.take(), self.db_name.take()) else { return };
        // Drop runs outside any runtime guarantee (maybe during a panic): use a
        // thread with its own small runtime.
        let handle = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                let Ok(options) = sqlx::postgres::PgConnectOptions::from_str(&admin_url) else { return };
                if let Ok(mut admin) = sqlx::PgConnection::connect_with(&options).await {
                    let sql = format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// Runs a contract test body once per backend, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::support::TestDb::new($crate::support::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name($crate::support::TestDb::new($crate::support::Backend::Postgres).await).await
            }
        }
    )*};
}

/// Waits until every committed event can be read: on PostgreSQL the
/// cluster-wide watermark can hold the newest back while another test's
/// transaction is open.
pub async fn all_visible(store: &Store) -> u64 {
    const SQL: &str = "SELECT COUNT(*) FROM events";
    for _ in 0..2000 {
        let stored: i64 = salle_events::sql::fetch_value(store, SQL, salle_events::sql::Args::new())
            .await
            .unwrap()
            .unwrap();
        let visible = store.count_after(salle_events::LogPosition::START).await.unwrap();
        if visible >= stored as u64 {
            return visible;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the committed events never became readable");
}
