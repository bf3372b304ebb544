//! What an association not verified yet may hold: at most
//! `SALLE_UNVERIFIED_HOLD_LIMIT` dates awaiting a decision, in every room.
//! Such an association's requests take turns, so that requests sent in
//! parallel cannot pass the limit together: each counts the dates held once
//! the one before it is in the read model.
//!
//! The turns are taken in this process. Behind several web pods, requests of
//! one association spread over the pods may each pass once: the limit holds
//! per pod, and every request still waits for a decision that needs a
//! verified association.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

/// Dates an unverified association may hold when no setting says otherwise.
pub const DEFAULT_UNVERIFIED_HOLD_LIMIT: usize = 3;

#[derive(Debug)]
pub struct HoldGate {
    limit: usize,
    /// One lock per association whose request is being placed; removed
    /// when its last request is done, so the map only holds requests in flight.
    turns: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

/// An association's turn; the next request of it waits until this is dropped.
pub struct Turn<'g> {
    gate: &'g HoldGate,
    association_id: Uuid,
    guard: Option<OwnedMutexGuard<()>>,
}

impl HoldGate {
    pub fn new(limit: usize) -> Self {
        Self { limit, turns: Mutex::new(HashMap::new()) }
    }

    /// How many dates an unverified association may hold.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Waits for the association's turn.
    pub async fn turn(&self, association_id: Uuid) -> Turn<'_> {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            turns.entry(association_id).or_default().clone()
        };
        Turn { gate: self, association_id, guard: Some(lock.lock_owned().await) }
    }

    /// Associations with a request in flight (for tests).
    pub fn in_flight(&self) -> usize {
        self.turns.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut turns = self.gate.turns.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Only the map holds it: nobody waits, the entry can go.
        if turns.get(&self.association_id).is_some_and(|lock| Arc::strong_count(lock) == 1) {
            turns.remove(&self.association_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_of_one_association_follow_each_other_and_leave_nothing_behind() {
        let gate = Arc::new(HoldGate::new(3));
        let id = Uuid::from_u128(1);
        let first = gate.turn(id).await;
        let waiting = {
            let gate = gate.clone();
            tokio::spawn(async move {
                let _second = gate.turn(id).await;
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second request waits for the first");
        let _other = gate.turn(Uuid::from_u128(2)).await;
        drop(first);
        waiting.await.unwrap();
        drop(_other);
        assert_eq!(gate.in_flight(), 0);
    }
}
