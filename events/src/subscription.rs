//! Named subscriptions: catch up on the log from a stored checkpoint, then
//! follow it live.
//!
//! The subscriber decides when its work is durable: it saves the checkpoint in
//! the same `StoreTx` as its own rows (`checkpoint_in`), so after a crash it
//! resumes exactly where its last committed batch ended.

use std::time::Duration;

use tokio::sync::watch;

use crate::envelope::{LogPosition, RecordedEvent};
use crate::error::StoreError;
use crate::store::tx::StoreTx;
use crate::store::{EventStore, Store};

/// The first look after a wake-up that found nothing yet.
const FIRST_RETRY: Duration = Duration::from_millis(2);

pub struct Subscription {
    store: Store,
    name: String,
    /// After the last event handed out.
    position: LogPosition,
    wake: watch::Receiver<u64>,
    poll_interval: Duration,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").field("name", &self.name).field("position", &self.position).finish()
    }
}

impl Subscription {
    /// Starts from the stored checkpoint of `name`, or from the beginning.
    pub async fn start(store: &Store, name: &str) -> Result<Self, StoreError> {
        let position = store.load_checkpoint(name).await?.unwrap_or(LogPosition::START);
        Ok(Self {
            store: store.clone(),
            name: name.to_owned(),
            position,
            wake: store.wake_ups(),
            poll_interval: store.poll_interval(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// After the last event handed out (not necessarily committed).
    pub fn position(&self) -> LogPosition {
        self.position
    }

    /// The next events, without waiting; empty when caught up.
    pub async fn poll(&mut self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let batch = self.store.read_all(self.position, limit).await?;
        if let Some(last) = batch.last() {
            self.position = last.log_position();
        }
        Ok(batch)
    }

    /// The next events, waiting for at least one. Cancel-safe: dropping the
    /// future loses nothing, since the position only moves when events return.
    pub async fn next_batch(&mut self, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        // After a wake-up the new event may still sit behind an older write
        // transaction (anywhere in the PostgreSQL cluster: the watermark is
        // cluster-wide), so look again soon, backing off up to the poll interval.
        let mut retry: Option<Duration> = None;
        loop {
            // Mark the current wake-up as seen before reading, so a commit that
            // lands between the read and the wait still wakes us.
            self.wake.borrow_and_update();
            let batch = self.poll(limit).await?;
            if !batch.is_empty() {
                return Ok(batch);
            }
            if let Some(delay) = retry {
                tokio::time::sleep(delay).await;
                retry = Some(delay * 2).filter(|d| *d < self.poll_interval);
                continue;
            }
            if let Ok(Ok(())) = tokio::time::timeout(self.poll_interval, self.wake.changed()).await {
                retry = Some(FIRST_RETRY);
            }
        }
    }

    /// Saves the position reached in the subscriber's own transaction.
    pub async fn checkpoint_in(&self, tx: &mut StoreTx) -> Result<(), StoreError> {
        tx.save_checkpoint(&self.name, self.position).await
    }

    /// Saves the position reached, for subscribers without rows of their own.
    pub async fn commit_checkpoint(&self) -> Result<(), StoreError> {
        self.store.save_checkpoint(&self.name, self.position).await
    }
}
