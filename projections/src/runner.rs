//! The projection runner: follows the global log from the projection's
//! checkpoint, applies events in batches, and commits the projection's rows
//! and the new checkpoint in one transaction (exactly-once effect).
//!
//! At most one runner per projection is active across processes: on
//! PostgreSQL it holds an advisory lock on a connection of its own for as long
//! as it runs; on SQLite there is one process. As a second guard, each batch
//! commits only if the stored checkpoint is still the one the batch started
//! from (compare and set), so two runners can never apply a batch twice.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::Utc;
use salle_events::{EventStore, LogPosition, RecordedEvent, Store, StoreError, StoreTx, Subscription};
use tokio::sync::watch;

/// Events applied per transaction while following the log.
pub const BATCH: usize = 500;
/// How often a standing-by runner tries to take over: a leader that dies
/// is replaced within this delay (its session ends with the process, which
/// releases the lock at once).
pub const STANDBY_RETRY: Duration = Duration::from_secs(1);
/// Events applied per transaction while rebuilding: fewer commits (each one
/// waits for the disk) when nobody waits for the newest event.
pub const REBUILD_BATCH: usize = 5000;

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error in projection {projection}: {source}")]
    Database {
        projection: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("event {global_position} cannot be read by projection {projection}: {reason}")]
    Unreadable { projection: &'static str, global_position: i64, reason: String },
    #[error("another runner moved the checkpoint of {0}")]
    CheckpointMoved(&'static str),
}

/// A read model kept by applying events.
pub trait Projection: Send + Sync + 'static {
    /// Unique, stable name: its checkpoint's and its lock's.
    fn name(&self) -> &'static str;

    /// Applies a batch inside the runner's transaction.
    fn apply(
        &self,
        tx: &mut StoreTx,
        events: &[RecordedEvent],
    ) -> impl Future<Output = Result<(), ProjectionError>> + Send;

    /// Deletes every row of the read model, inside the rebuild's transaction.
    fn reset(&self, tx: &mut StoreTx) -> impl Future<Output = Result<(), ProjectionError>> + Send;
}

/// How far behind the log a projection is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lag {
    pub checkpoint: LogPosition,
    pub events_behind: u64,
    /// Age of the oldest event not yet applied (0 when caught up).
    pub seconds_behind: f64,
}

pub struct Runner<P: Projection> {
    store: Store,
    projection: P,
    batch: usize,
}

impl<P: Projection> Runner<P> {
    pub fn new(store: Store, projection: P) -> Self {
        Self { store, projection, batch: BATCH }
    }

    /// Applies at most `batch` events per transaction (1 to 10,000).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.clamp(1, 10_000);
        self
    }

    pub fn projection(&self) -> &P {
        &self.projection
    }

    /// Applies one batch from the stored checkpoint; returns how many events.
    pub async fn step(&self) -> Result<usize, ProjectionError> {
        self.step_by(self.batch).await
    }

    async fn step_by(&self, size: usize) -> Result<usize, ProjectionError> {
        let name = self.projection.name();
        let from = self.store.load_checkpoint(name).await?.unwrap_or(LogPosition::START);
        let batch = self.store.read_all(from, size).await?;
        let Some(last) = batch.last() else { return Ok(0) };
        self.commit_batch(from, last.log_position(), &batch).await?;
        Ok(batch.len())
    }

    #[tracing::instrument(
        name = "projection",
        skip_all,
        fields(projection = self.projection.name(), events = batch.len(), from = %from, to = %to)
    )]
    async fn commit_batch(
        &self,
        from: LogPosition,
        to: LogPosition,
        batch: &[RecordedEvent],
    ) -> Result<(), ProjectionError> {
        let name = self.projection.name();
        let mut tx = self.store.begin().await?;
        let stored = tx.load_checkpoint(name).await?.unwrap_or(LogPosition::START);
        if stored != from {
            tx.rollback().await?;
            return Err(ProjectionError::CheckpointMoved(name));
        }
        let started = Instant::now();
        self.projection.apply(&mut tx, batch).await?;
        tx.save_checkpoint(name, to).await?;
        tx.commit().await?;
        metrics::APPLIED.with_label_values(&[name]).inc_by(batch.len() as u64);
        metrics::BATCH_SECONDS.with_label_values(&[name]).observe(started.elapsed().as_secs_f64());
        tracing::debug!("batch applied");
        Ok(())
    }

    /// Applies everything readable now; returns how many events.
    pub async fn catch_up(&self) -> Result<u64, ProjectionError> {
        let mut total = 0u64;
        loop {
            let n = self.step().await?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
        }
    }

    /// Drops the read model and replays the whole log; `progress(done, total)`
    /// is called after each batch. Returns the events applied and the time taken.
    pub async fn rebuild(&self, progress: impl Fn(u64, u64)) -> Result<(u64, Duration), ProjectionError> {
        let started = Instant::now();
        let total = self.store.count_after(LogPosition::START).await?;
        let mut tx = self.store.begin().await?;
        self.projection.reset(&mut tx).await?;
        tx.save_checkpoint(self.projection.name(), LogPosition::START).await?;
        tx.commit().await?;
        let mut done = 0u64;
        loop {
            let n = self.step_by(self.batch.max(REBUILD_BATCH)).await?;
            if n == 0 {
                break;
            }
            done += n as u64;
            progress(done, total.max(done));
        }
        Ok((done, started.elapsed()))
    }

    /// How far behind the log the projection is.
    pub async fn lag(&self) -> Result<Lag, ProjectionError> {
        lag(&self.store, self.projection.name()).await
    }

    /// Follows the log until `shutdown` turns true, as the only active runner
    /// of this projection (it waits for the lock while another one runs).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let name = self.projection.name();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let lock = match self.store.try_lock(name).await {
                Ok(Some(lock)) => lock,
                Ok(None) => {
                    tracing::debug!(projection = name, "another runner is active; standing by");
                    metrics::LEADER.with_label_values(&[name]).set(0);
                    if wait_or_shutdown(&mut shutdown, STANDBY_RETRY).await {
                        return;
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(projection = name, error = %e, "cannot take the projection lock");
                    if wait_or_shutdown(&mut shutdown, Duration::from_secs(5)).await {
                        return;
                    }
                    continue;
                }
            };
            tracing::info!(projection = name, "leading this projection");
            metrics::LEADER.with_label_values(&[name]).set(1);
            let followed = self.follow(&mut shutdown).await;
            metrics::LEADER.with_label_values(&[name]).set(0);
            if let Err(e) = followed {
                tracing::warn!(projection = name, error = %e, "projection stopped; restarting from its checkpoint");
                if wait_or_shutdown(&mut shutdown, Duration::from_secs(1)).await {
                    drop(lock);
                    return;
                }
            }
            drop(lock);
        }
    }

    async fn follow(&self, shutdown: &mut watch::Receiver<bool>) -> Result<(), ProjectionError> {
        let name = self.projection.name();
        let mut subscription = Subscription::start(&self.store, name).await?;
        loop {
            let from = subscription.position();
            let batch = tokio::select! {
                batch = subscription.next_batch(self.batch) => batch?,
                _ = shutdown.changed() => return Ok(()),
            };
            let Some(last) = batch.last() else { continue };
            self.commit_batch(from, last.log_position(), &batch).await?;
        }
    }
}

/// Sleeps `delay` unless shutdown comes first; true when shutting down.
async fn wait_or_shutdown(shutdown: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(delay) => *shutdown.borrow(),
        _ = shutdown.changed() => true,
    }
}

/// The lag of the projection `name`, from its stored checkpoint.
pub async fn lag(store: &Store, name: &str) -> Result<Lag, ProjectionError> {
    let checkpoint = store.load_checkpoint(name).await?.unwrap_or(LogPosition::START);
    let events_behind = store.count_after(checkpoint).await?;
    let seconds_behind = match store.read_all(checkpoint, 1).await?.first() {
        Some(oldest) => ((Utc::now() - oldest.recorded_at).num_milliseconds().max(0) as f64) / 1000.0,
        None => 0.0,
    };
    Ok(Lag { checkpoint, events_behind, seconds_behind })
}

/// Read-your-writes: waits until the projection `name` has applied the event
/// at `position` (a command's append result), for at most `timeout`. True
/// when it got there. A runner in this process announces its commits; the
/// stored checkpoint is read at most every few milliseconds for all waiters.
pub async fn wait_until(
    store: &Store,
    name: &str,
    position: LogPosition,
    timeout: Duration,
) -> Result<bool, ProjectionError> {
    let deadline = Instant::now() + timeout;
    let mut seen = store.checkpoints().watch(name);
    loop {
        if *seen.borrow_and_update() >= position {
            return Ok(true);
        }
        // Kept by another process, maybe: one read for all of this process's waiters.
        store.refresh_checkpoint(name).await?;
        if *seen.borrow_and_update() >= position {
            return Ok(true);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        // A runner of this process wakes the watch as it commits; another
        // process's is seen by the next read.
        let _ = tokio::time::timeout(left.min(Duration::from_millis(10)), seen.changed()).await;
    }
}

/// How long a request waits for its own writes by default.
pub const READ_YOUR_WRITES: Duration = Duration::from_secs(2);

/// What the runners count for `/metrics`.
pub mod metrics {
    use std::sync::LazyLock;

    use prometheus::{HistogramVec, IntCounterVec, IntGaugeVec};
    use salle_events::metrics::{counter_vec, histogram_vec, int_gauge_vec};

    pub static APPLIED: LazyLock<IntCounterVec> = LazyLock::new(|| {
        counter_vec(
            "salle_projection_events_applied_total",
            "Events applied by this process, by projection.",
            &["projection"],
        )
    });

    pub static BATCH_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
        histogram_vec(
            "salle_projection_batch_seconds",
            "Time to apply and commit one batch, by projection.",
            &[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0],
            &["projection"],
        )
    });

    /// 1 while this process holds the projection's lock and follows the log.
    pub static LEADER: LazyLock<IntGaugeVec> = LazyLock::new(|| {
        int_gauge_vec(
            "salle_projection_leader",
            "1 when this process is the projection's active runner.",
            &["projection"],
        )
    });
}
