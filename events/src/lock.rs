//! Leadership of a named worker across processes: one active runner per
//! projection. On PostgreSQL a session advisory lock, held on a connection
//! taken out of the pool for as long as the lock lives (dropping it closes the
//! session, which releases the lock even if the process dies). On SQLite,
//! which serves one process, the lock is always granted.

use sqlx::Connection;

use crate::error::{SqlxContext, StoreError};
use crate::store::Inner;
use crate::store::Store;

#[derive(Debug)]
pub struct WorkerLock {
    /// The session that holds the lock (PostgreSQL).
    _session: Option<sqlx::PgConnection>,
}

impl WorkerLock {
    /// Releases the lock now rather than when dropped.
    pub async fn release(self) {
        if let Some(session) = self._session {
            let _ = session.close().await;
        }
    }
}

impl Store {
    /// Takes the lock named `name` if no other process holds it.
    pub async fn try_lock(&self, name: &str) -> Result<Option<WorkerLock>, StoreError> {
        match &self.0 {
            Inner::Sqlite(_) => Ok(Some(WorkerLock { _session: None })),
            Inner::Postgres(pg) => {
                let mut session = pg.pool().acquire().await.doing("taking a connection for a lock")?.detach();
                let granted: bool =
                    sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
                        .bind(format!("salle:{name}"))
                        .fetch_one(&mut session)
                        .await
                        .doing("taking an advisory lock")?;
                if granted {
                    Ok(Some(WorkerLock { _session: Some(session) }))
                } else {
                    let _ = session.close().await;
                    Ok(None)
                }
            }
        }
    }
}
