//! The projections this binary keeps, how `serve` runs them, and the
//! `salle projections status|rebuild` commands.

use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use salle_events::{LogPosition, Store};
use salle_projections::availability::{self, Availability};
use salle_projections::bookings::{self, Bookings};
use salle_projections::ledger::{self, Ledger};
use salle_projections::runner::{self, Lag, Runner};
use tokio::sync::watch;

/// Every projection, by name.
pub const NAMES: &[&str] = &[bookings::NAME, availability::NAME, ledger::NAME];

/// Starts one runner per projection; they stop when `shutdown` turns true.
pub fn spawn_all(store: &Store, shutdown: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(Runner::new(store.clone(), Bookings).run(shutdown.clone())),
        tokio::spawn(Runner::new(store.clone(), Availability).run(shutdown.clone())),
        tokio::spawn(Runner::new(store.clone(), Ledger).run(shutdown.clone())),
        tokio::spawn(seal_chain(store.clone(), shutdown)),
    ]
}

/// Links new events into the tamper-evident chain (`salle_events::audit`)
/// shortly after they are appended: woken by appends, a batch at most every
/// quarter second so that the sealer never competes with each write.
pub async fn seal_chain(store: Store, mut shutdown: watch::Receiver<bool>) {
    let mut wake = store.wake_ups();
    loop {
        wake.borrow_and_update();
        if let Err(e) = salle_events::audit::seal_all(&store).await {
            tracing::warn!(error = %e, "sealing the event chain");
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = wake.changed() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        if *shutdown.borrow() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The lag of every projection.
pub async fn status(store: &Store) -> anyhow::Result<Vec<(&'static str, Lag)>> {
    let mut lags = Vec::new();
    for name in NAMES {
        lags.push((
            *name,
            runner::lag(store, name).await.with_context(|| format!("reading the lag of {name}"))?,
        ));
    }
    Ok(lags)
}

/// Drops and replays one projection (or all), with a progress bar; prints events/s.
pub async fn rebuild(store: &Store, only: Option<&str>) -> anyhow::Result<()> {
    if let Some(name) = only
        && !NAMES.contains(&name)
    {
        bail!("no projection named « {name} » (known: {})", NAMES.join(", "));
    }
    for name in NAMES.iter().filter(|n| only.is_none_or(|o| o == **n)) {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} events ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(*name);
        let progress = |done: u64, total: u64| {
            bar.set_length(total);
            bar.set_position(done);
        };
        let (events, took) = match *name {
            bookings::NAME => Runner::new(store.clone(), Bookings).rebuild(progress).await,
            availability::NAME => Runner::new(store.clone(), Availability).rebuild(progress).await,
            ledger::NAME => Runner::new(store.clone(), Ledger).rebuild(progress).await,
            other => bail!("no projection named « {other} »"),
        }
        .with_context(|| format!("rebuilding {name}"))?;
        bar.finish_and_clear();
        let rate = events as f64 / took.as_secs_f64().max(1e-9);
        println!("{name}: {events} events replayed in {:.2} s ({rate:.0} events/s)", took.as_secs_f64());
    }
    Ok(())
}

/// The search index, shared by every HTTP worker and kept current by one task
/// that follows the log.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub index: std::sync::Arc<std::sync::RwLock<salle_projections::search::SearchIndex>>,
}

impl Search {
    /// Reads the log into the index until caught up; returns the events read.
    pub async fn catch_up(&self, store: &Store) -> anyhow::Result<usize> {
        use salle_events::EventStore;
        let mut total = 0;
        loop {
            let after = self.read_index(|i| i.position());
            let batch = store.read_all(after, 2000).await.context("reading the log for search")?;
            if batch.is_empty() {
                return Ok(total);
            }
            total += batch.len();
            let mut index = self.index.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            for event in &batch {
                index.apply(event);
            }
        }
    }

    /// Catches up until the index has read `position` (read-your-writes
    /// after an append), for at most two seconds: on PostgreSQL an event
    /// becomes readable once older transactions of the cluster have ended.
    pub async fn wait_for(&self, store: &Store, position: LogPosition) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
        loop {
            self.catch_up(store).await?;
            if self.read_index(|i| i.position()) >= position || tokio::time::Instant::now() > deadline {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    pub fn read_index<T>(&self, f: impl FnOnce(&salle_projections::search::SearchIndex) -> T) -> T {
        f(&self.index.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Follows the log until `shutdown`, waking up on appends.
    pub async fn follow(self, store: Store, mut shutdown: watch::Receiver<bool>) {
        let mut wake = store.wake_ups();
        loop {
            wake.borrow_and_update();
            if let Err(e) = self.catch_up(&store).await {
                tracing::warn!(error = %e, "search index could not read the log; retrying");
            }
            tokio::select! {
                _ = tokio::time::timeout(Duration::from_millis(500), wake.changed()) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
