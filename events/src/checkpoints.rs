//! What this process knows of the subscribers' checkpoints, so that requests
//! waiting for their own writes (read-your-writes) do not each poll the
//! database.
//!
//! A checkpoint committed by this process is published the moment its
//! transaction commits. One kept by another process (a separate worker) is
//! read from the database by one waiter at a time, at most once per
//! [`FRESH`], and published to all: with 64 requests waiting, that is one
//! query every few milliseconds instead of 64 for every append.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::envelope::LogPosition;
use crate::error::StoreError;

/// How old a checkpoint read from the database may be before the next
/// waiter reads it again.
pub const FRESH: Duration = Duration::from_millis(2);

#[derive(Debug, Default)]
pub struct Checkpoints {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

#[derive(Debug)]
struct Entry {
    seen: watch::Sender<LogPosition>,
    /// When the database was last asked; held while asking.
    asked: tokio::sync::Mutex<Option<Instant>>,
}

impl Checkpoints {
    fn entry(&self, name: &str) -> Arc<Entry> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .entry(name.to_owned())
            .or_insert_with(|| {
                let (seen, _) = watch::channel(LogPosition::START);
                Arc::new(Entry { seen, asked: tokio::sync::Mutex::new(None) })
            })
            .clone()
    }

    /// The furthest checkpoint of `name` known here, following its moves.
    pub fn watch(&self, name: &str) -> watch::Receiver<LogPosition> {
        self.entry(name).seen.subscribe()
    }

    /// Records a checkpoint this process committed: it is the stored one,
    /// even behind what was known (a rebuild starts again from the start).
    pub fn committed(&self, name: &str, position: LogPosition) {
        self.entry(name).seen.send_if_modified(|seen| std::mem::replace(seen, position) != position);
    }

    /// Records that `name`'s checkpoint was read at `position`; a read never
    /// moves it back, since it may predate this process's own commits.
    pub fn publish(&self, name: &str, position: LogPosition) {
        self.entry(name).seen.send_if_modified(|seen| {
            let moved = position > *seen;
            if moved {
                *seen = position;
            }
            moved
        });
    }

    /// Reads `name`'s checkpoint with `load` unless another caller did less
    /// than [`FRESH`] ago, or finished doing it while this one waited. Only a
    /// hint for waiters, who look again until they see what they wait for.
    pub async fn refresh<F>(&self, name: &str, load: F) -> Result<(), StoreError>
    where
        F: Future<Output = Result<Option<LogPosition>, StoreError>>,
    {
        let entry = self.entry(name);
        let requested = Instant::now();
        let mut asked = entry.asked.lock().await;
        if asked.is_some_and(|at| at >= requested || at.elapsed() < FRESH) {
            return Ok(());
        }
        let position = load.await?;
        *asked = Some(Instant::now());
        drop(asked);
        if let Some(position) = position {
            self.publish(name, position);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn at(global_position: i64) -> LogPosition {
        LogPosition { transaction_id: global_position, global_position }
    }

    #[tokio::test]
    async fn a_checkpoint_only_moves_forward_and_wakes_its_watchers() {
        let checkpoints = Checkpoints::default();
        let mut seen = checkpoints.watch("bookings");
        checkpoints.publish("bookings", at(5));
        assert!(seen.has_changed().unwrap());
        assert_eq!(*seen.borrow_and_update(), at(5));
        checkpoints.publish("bookings", at(3));
        assert!(!seen.has_changed().unwrap(), "an older position is ignored");
        assert_eq!(*checkpoints.watch("ledger").borrow(), LogPosition::START, "names are apart");
        checkpoints.committed("bookings", LogPosition::START);
        assert_eq!(*seen.borrow_and_update(), LogPosition::START, "a committed rebuild starts again");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiters_share_one_read_of_the_database() {
        let checkpoints = Arc::new(Checkpoints::default());
        let reads = Arc::new(AtomicUsize::new(0));
        let waiters: Vec<_> = (0..64)
            .map(|_| {
                let (checkpoints, reads) = (checkpoints.clone(), reads.clone());
                tokio::spawn(async move {
                    checkpoints
                        .refresh("bookings", async {
                            reads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(300)).await;
                            Ok(Some(at(7)))
                        })
                        .await
                })
            })
            .collect();
        for waiter in waiters {
            waiter.await.unwrap().unwrap();
        }
        // The first read takes 300 ms; everyone queued behind it uses its answer.
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        assert_eq!(*checkpoints.watch("bookings").borrow(), at(7));
        tokio::time::sleep(FRESH * 2).await;
        checkpoints.refresh("bookings", async { Ok(Some(at(9))) }).await.unwrap();
        assert_eq!(*checkpoints.watch("bookings").borrow(), at(9), "a stale answer is read again");
    }
}
