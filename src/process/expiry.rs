//! The deadline process manager: follows the log, keeps every pending
//! deadline — a request awaiting its decision, an approved booking awaiting
//! its payment (both expire), a paid or free booking whose slot has ended (it
//! is completed, which lets the payment process transfer the money) — and
//! when one passes issues the command carrying the current time. The room
//! decides; a booking decided meanwhile simply refuses.
//!
//! It keeps the reminders the same way, so that they are events of the log
//! (`BookingReminded`, which the mail process tells the association): a day
//! before an unpaid booking's hold ends, two days before a booking's slot.
//! A reminder whose moment had passed already when the booking got there (a
//! hold shorter than a day, a slot booked for tomorrow) is not scheduled:
//! the approval's message said it all.
//!
//! Its schedule is rebuilt from the log at start. Expiring is idempotent (a
//! second `Expire` is refused by the room), so no checkpoint is needed for
//! correctness; a persisted schedule can replace the replay when logs grow.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use salle_events::catalog::category;
use salle_events::catalog::room::{Reminder, RoomEvent};
use salle_events::{DomainEvent, EventStore, LogPosition, Metadata, RecordedEvent};
use tokio::sync::watch;
use uuid::Uuid;

use crate::commands::{CommandError, Commands};
use crate::domain::room::RoomCommand;

/// Name of the actor in the metadata of the events it causes.
pub const ACTOR: &str = "expiry";
const BATCH: usize = 1000;
/// Deadlines handled between two looks at the shutdown signal.
const SLICE: usize = 200;

/// How long before an unpaid booking's hold ends its association is reminded.
pub const PAYMENT_REMINDER: chrono::Duration = chrono::Duration::hours(24);
/// How long before its slot an association is reminded of it.
pub const SLOT_REMINDER: chrono::Duration = chrono::Duration::hours(48);

/// Issues each due command; returns how many changed a booking.
async fn handle(
    commands: &Commands,
    due: &[(Uuid, Uuid, Due)],
    now: DateTime<Utc>,
) -> Result<usize, CommandError> {
    let mut changed = 0;
    for &(booking_id, room_id, due) in due {
        let metadata =
            Metadata { correlation_id: Some(booking_id), causation_id: None, actor: Some(ACTOR.into()) };
        let command = || match due {
            Due::Expire => RoomCommand::Expire { booking_id, now },
            Due::Complete => RoomCommand::Complete { booking_id, now },
            Due::Remind(reminder) => RoomCommand::Remind { booking_id, reminder, now },
        };
        match commands.on_room(room_id, &metadata, command).await {
            Ok(_) => changed += 1,
            // Decided, paid or cancelled meanwhile: nothing to do.
            Err(CommandError::Domain(e)) => {
                tracing::debug!(%booking_id, code = e.code, "deadline passed, nothing done")
            }
            Err(e) => return Err(e),
        }
    }
    Ok(changed)
}

/// What happens when a deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Expire,
    Complete,
    Remind(Reminder),
}

#[derive(Debug)]
pub struct ExpiryManager {
    commands: Commands,
    position: LogPosition,
    /// booking → (room, deadline, what then)
    pending: BTreeMap<Uuid, (Uuid, DateTime<Utc>, Due)>,
    /// booking → its slot, while it may still be completed.
    slots: BTreeMap<Uuid, (DateTime<Utc>, DateTime<Utc>)>,
    /// (booking, reminder) → (room, when).
    reminders: BTreeMap<(Uuid, Reminder), (Uuid, DateTime<Utc>)>,
}

impl ExpiryManager {
    pub fn new(commands: Commands) -> Self {
        Self {
            commands,
            position: LogPosition::START,
            pending: BTreeMap::new(),
            slots: BTreeMap::new(),
            reminders: BTreeMap::new(),
        }
    }

    /// Bookings waiting for a deadline.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Reminders waiting for their moment.
    pub fn reminders(&self) -> usize {
        self.reminders.len()
    }

    /// Reads every new event of the log into the schedule.
    pub async fn catch_up(&mut self) -> Result<(), CommandError> {
        loop {
            let batch = self.commands.store.read_all(self.position, BATCH).await?;
            let Some(last) = batch.last() else { return Ok(()) };
            self.position = last.log_position();
            for event in &batch {
                self.apply(event);
            }
        }
    }

    fn apply(&mut self, recorded: &RecordedEvent) {
        if !recorded.stream_id.is(category::ROOM) {
            return;
        }
        let Some(room_id) = recorded.stream_id.entity(category::ROOM) else {
            return;
        };
        let Ok(event) = RoomEvent::from_recorded(recorded) else {
            tracing::warn!(position = recorded.global_position, "unreadable room event skipped by expiry");
            return;
        };
        match event {
            RoomEvent::BookingRequested { booking_id, decide_by, start, end, .. } => {
                self.pending.insert(booking_id, (room_id, decide_by, Due::Expire));
                self.slots.insert(booking_id, (start, end));
            }
            RoomEvent::BookingApproved { booking_id, pay_by: Some(pay_by), at, .. } => {
                self.pending.insert(booking_id, (room_id, pay_by, Due::Expire));
                self.remind(booking_id, room_id, Reminder::PaymentDue, pay_by - PAYMENT_REMINDER, at);
                self.remind_of_slot(booking_id, room_id, at);
            }
            RoomEvent::BookingApproved { booking_id, pay_by: None, at, .. } => {
                self.complete_at_end(booking_id, room_id);
                self.remind_of_slot(booking_id, room_id, at);
            }
            RoomEvent::BookingPaid { booking_id, .. } => {
                self.reminders.remove(&(booking_id, Reminder::PaymentDue));
                self.complete_at_end(booking_id, room_id);
            }
            RoomEvent::BookingReminded { booking_id, reminder, .. } => {
                self.reminders.remove(&(booking_id, reminder));
            }
            RoomEvent::BookingRejected { booking_id, .. }
            | RoomEvent::BookingExpired { booking_id, .. }
            | RoomEvent::BookingCompleted { booking_id, .. }
            | RoomEvent::BookingCancelled { booking_id, .. } => {
                self.pending.remove(&booking_id);
                self.slots.remove(&booking_id);
                // By key, not by a scan of every reminder: a first start
                // replays the whole log through here (a scan made that
                // quadratic — minutes of CPU at département scale).
                for reminder in Reminder::ALL {
                    self.reminders.remove(&(booking_id, reminder));
                }
            }
            _ => {}
        }
    }

    fn complete_at_end(&mut self, booking_id: Uuid, room_id: Uuid) {
        match self.slots.get(&booking_id) {
            Some((_, end)) => {
                self.pending.insert(booking_id, (room_id, *end, Due::Complete));
            }
            None => {
                self.pending.remove(&booking_id);
            }
        }
    }

    fn remind_of_slot(&mut self, booking_id: Uuid, room_id: Uuid, decided_at: DateTime<Utc>) {
        if let Some((start, _)) = self.slots.get(&booking_id).copied() {
            self.remind(booking_id, room_id, Reminder::SlotSoon, start - SLOT_REMINDER, decided_at);
        }
    }

    /// Schedules a reminder for `when`, unless that moment had passed when
    /// the booking was decided.
    fn remind(
        &mut self,
        booking_id: Uuid,
        room_id: Uuid,
        reminder: Reminder,
        when: DateTime<Utc>,
        decided_at: DateTime<Utc>,
    ) {
        if when > decided_at {
            self.reminders.insert((booking_id, reminder), (room_id, when));
        }
    }

    /// Catches up, then expires or completes every booking whose deadline is
    /// at or before `now`. Returns how many changed.
    pub async fn tick(&mut self, now: DateTime<Utc>) -> Result<usize, CommandError> {
        let mut changed = 0;
        loop {
            let (done, more) = self.tick_some(now, usize::MAX).await?;
            changed += done;
            if !more {
                return Ok(changed);
            }
        }
    }

    /// Like `tick`, for at most `limit` deadlines; also says whether more
    /// are due. A first start after a long stop may find thousands due: the
    /// run loop takes them a slice at a time, so that a shutdown is never
    /// kept waiting for all of them.
    pub async fn tick_some(
        &mut self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<(usize, bool), CommandError> {
        self.catch_up().await?;
        let mut due: Vec<(Uuid, Uuid, Due)> = self
            .reminders
            .iter()
            .filter(|(_, (_, when))| *when <= now)
            .map(|((b, reminder), (r, _))| (*b, *r, Due::Remind(*reminder)))
            .chain(
                self.pending
                    .iter()
                    .filter(|(_, (_, deadline, _))| *deadline <= now)
                    .map(|(b, (r, _, due))| (*b, *r, *due)),
            )
            .take(limit.saturating_add(1))
            .collect();
        let more = due.len() > limit;
        due.truncate(limit);
        // The slice is decided, then written in one transaction; if a request
        // changed one of its rooms meanwhile, it is done again one by one.
        let batch = self.commands.batch();
        let mut changed = handle(&batch, &due, now).await?;
        match batch.flush().await {
            Ok(_) => {}
            Err(CommandError::Conflict(_)) => changed = handle(&self.commands, &due, now).await?,
            Err(e) => return Err(e),
        }
        for (booking_id, _, due) in &due {
            match due {
                Due::Remind(reminder) => {
                    self.reminders.remove(&(*booking_id, *reminder));
                }
                _ => {
                    self.pending.remove(booking_id);
                }
            }
        }
        Ok((changed, more))
    }

    /// Ticks every `interval` with the wall clock until `shutdown`, as the
    /// only active manager across processes (the others stand by).
    pub async fn run(mut self, interval: Duration, mut shutdown: watch::Receiver<bool>) {
        let standby = salle_projections::runner::STANDBY_RETRY;
        loop {
            if *shutdown.borrow() {
                return;
            }
            let lock = match self.commands.store.try_lock(ACTOR).await {
                Ok(Some(lock)) => lock,
                Ok(None) | Err(_) => {
                    tokio::select! {
                        _ = tokio::time::sleep(standby) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            };
            loop {
                let mut more = false;
                match self.tick_some(Utc::now(), SLICE).await {
                    Ok((0, _)) => {}
                    Ok((n, left)) => {
                        more = left;
                        tracing::info!(bookings = n, "bookings expired or completed")
                    }
                    Err(e) => tracing::warn!(error = %e, "expiry pass failed; retrying"),
                }
                let pause = if more { Duration::ZERO } else { interval };
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = shutdown.changed() => {
                        lock.release().await;
                        return;
                    }
                }
            }
        }
    }
}
