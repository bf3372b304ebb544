//! The mail process: follows the log into the outbox ([`notices`]: which
//! event tells whom what) and sends what waits there (every message, also
//! those the use-cases write: sign-ups, resets, invitations). One process
//! is active across processes (a PostgreSQL advisory lock); a request never
//! waits on it. See `crate::mail` for how a message is kept from being lost
//! or sent twice.

mod notices;

use std::time::Duration;

use chrono::{DateTime, Utc};
use salle_events::Store;
use tokio::sync::watch;

use crate::mail::{MailSettings, Mailer, NAME, SendError, Transport, outbox};

/// Messages sent per pass.
const SEND_BATCH: i64 = 50;
/// How long a sent message is kept in the outbox.
const KEEP_SENT: chrono::Duration = chrono::Duration::days(30);
/// Passes between two prunings of the sent messages.
const PRUNE_EVERY: u32 = 1000;

/// The mail process: follows the log into the outbox, and sends.
#[derive(Debug, Clone)]
pub struct MailProcess {
    pub store: Store,
    pub commands: crate::commands::Commands,
    pub mailer: Mailer,
    pub settings: MailSettings,
    transport: Transport,
}

impl MailProcess {
    pub fn new(
        commands: crate::commands::Commands,
        mailer: Mailer,
        settings: MailSettings,
    ) -> anyhow::Result<Self> {
        let transport = Transport::new(&settings.delivery)?;
        Ok(Self { store: commands.store.clone(), commands, mailer, settings, transport })
    }

    /// Sends every message whose turn has come; answers how many were sent.
    pub async fn send_due(&self, now: DateTime<Utc>) -> Result<usize, sqlx::Error> {
        let mut sent = 0;
        let from = self.settings.from.email.to_string();
        for queued in outbox::due(&self.store, now, SEND_BATCH).await? {
            let attempts = queued.attempts + 1;
            let key = queued.message_key.as_str();
            match self.transport.send(key, &from, &queued.recipient, &queued.message).await {
                Ok(()) => {
                    outbox::sent(&self.store, key, attempts, Utc::now()).await?;
                    crate::metrics::mail_outcome("sent");
                    sent += 1;
                }
                Err(SendError::Permanent { code, detail }) => {
                    // The server's words may name the address: they stay in
                    // the outbox, and the log line has the code only.
                    tracing::error!(key, notice = %queued.notice, code, "the mail server refused a message; given up");
                    outbox::failed(&self.store, key, attempts, &detail).await?;
                    crate::metrics::mail_outcome("refused");
                }
                Err(SendError::Temporary { code, detail })
                    if attempts >= i64::from(self.settings.max_attempts) =>
                {
                    tracing::error!(key, notice = %queued.notice, code, attempts, "a message could not be sent; given up");
                    outbox::failed(&self.store, key, attempts, &detail).await?;
                    crate::metrics::mail_outcome("given_up");
                }
                Err(SendError::Temporary { code, detail }) => {
                    let pause = self.settings.backoff(attempts as u32);
                    let next =
                        Utc::now() + chrono::Duration::from_std(pause).unwrap_or(chrono::Duration::hours(1));
                    tracing::warn!(key, notice = %queued.notice, code, attempts, "a message was not sent; trying again later");
                    outbox::retry(&self.store, key, attempts, next, &detail).await?;
                    crate::metrics::mail_outcome("deferred");
                }
            }
        }
        Ok(sent)
    }

    /// Follows the log and sends until `shutdown`, as the one active mail
    /// process across processes (the others stand by).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let lock = match self.store.try_lock(NAME).await {
                Ok(Some(lock)) => lock,
                Ok(None) | Err(_) => {
                    tokio::select! {
                        _ = tokio::time::sleep(salle_projections::runner::STANDBY_RETRY) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            };
            match self.follow(&mut shutdown).await {
                Ok(()) => {
                    lock.release().await;
                    return;
                }
                Err(e) => {
                    tracing::warn!(
                        error = format!("{e:#}"),
                        "mail process stopped; resuming from its checkpoint"
                    );
                    lock.release().await;
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }
        }
    }

    async fn follow(&self, shutdown: &mut watch::Receiver<bool>) -> anyhow::Result<()> {
        let mut subscription = salle_events::Subscription::start(&self.store, NAME).await?;
        let wake = self.mailer.woken();
        let mut poll = tokio::time::interval(self.settings.poll);
        let mut passes = 0u32;
        loop {
            tokio::select! {
                batch = subscription.next_batch(notices::BATCH) => {
                    self.notify(&batch?).await?;
                    self.send_due(Utc::now()).await?;
                }
                _ = wake.notified() => { self.send_due(Utc::now()).await?; }
                _ = poll.tick() => {
                    self.send_due(Utc::now()).await?;
                    passes = passes.wrapping_add(1);
                    if passes % PRUNE_EVERY == 1 {
                        outbox::prune(&self.store, Utc::now() - KEEP_SENT).await?;
                    }
                }
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
}
