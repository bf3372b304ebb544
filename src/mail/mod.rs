//! E-mail: every notice salle sends, and how.
//!
//! A message is composed, then written in the outbox ([`outbox`]) before
//! anything is sent: by the mail process, in the transaction that moves its
//! checkpoint over the event that caused it ([`notices`]), or by the
//! use-case that asks for it (a sign-up's confirmation, a password reset, an
//! invitation). Its key is derived from the cause and the recipient, so a
//! second write is ignored. The sender (`process::mail`) then
//! hands each waiting message to the transport ([`transport`]: SMTP, or a
//! folder of `.eml` files), records it sent, tries again with a growing
//! pause after a temporary failure, and gives up — logged, counted, kept
//! with its reason — after a server's refusal or [`MailSettings::max_attempts`]
//! tries. No request ever waits for SMTP.
//!
//! Killed between the server's acceptance and the record of it, the message
//! would go again; it keeps its `Message-ID`, by which mail clients fold
//! duplicates. That window is one SMTP round trip.
//!
//! - [`compose`]: a letter made into a message (plain text and HTML).
//! - [`notice`]: the notices, and which ones an account may turn off
//!   (which event tells whom what: `process::mail::notices`).
//! - [`recipients`]: who a notice goes to, in which language.
//! - [`texts`]: the words of each notice, in French and English.
//! - [`transport`]: SMTP or a folder.
//! - [`outbox`]: the table.

pub mod compose;
pub mod notice;
pub mod outbox;
pub mod recipients;
pub mod texts;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use salle_events::Store;
use tokio::sync::Notify;
use uuid::Uuid;

pub use compose::Letter;
pub use outbox::Outgoing;
pub use recipients::Recipient;
pub use transport::{Delivery, SendError, Transport};

/// Names the mail process's checkpoint and lock.
pub const NAME: &str = "mail";

/// `SALLE_SMTP_URL`, `SALLE_MAIL_FROM`, `SALLE_MAIL_DIR`.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub delivery: Delivery,
    /// `SALLE_MAIL_FROM`: « salle <ne-pas-repondre@salle.example> ».
    pub from: Mailbox,
    /// The pause after a first temporary failure; it doubles each time (at most an hour).
    pub retry_base: Duration,
    /// Attempts before a message is given up.
    pub max_attempts: u32,
    /// How often the outbox is looked at when nothing wakes the sender.
    pub poll: Duration,
}

impl MailSettings {
    /// From the settings' raw values; without an SMTP server, the messages
    /// go to `folder` (default `data/mail`).
    pub fn new(
        smtp_url: Option<&str>,
        ca_file: Option<&str>,
        from: Option<&str>,
        folder: Option<&str>,
    ) -> anyhow::Result<Self> {
        let delivery = match smtp_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => {
                if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                    anyhow::bail!(
                        "SALLE_SMTP_URL « {} » must start with smtp:// (STARTTLS with ?tls=required) or smtps://",
                        salle_events::store::redact_url(url)
                    );
                }
                Delivery::Smtp {
                    url: url.to_owned(),
                    ca_file: ca_file.map(str::trim).filter(|f| !f.is_empty()).map(Into::into),
                }
            }
            None => Delivery::Folder(
                folder.map(str::trim).filter(|f| !f.is_empty()).unwrap_or("data/mail").into(),
            ),
        };
        let from =
            from.map(str::trim).filter(|f| !f.is_empty()).unwrap_or("salle <ne-pas-repondre@salle.invalid>");
        let from: Mailbox = from.parse().map_err(|e| {
            anyhow::anyhow!(
                "SALLE_MAIL_FROM « {from} » is not an address such as « salle <salle@mairie.fr> »: {e}"
            )
        })?;
        Ok(Self {
            delivery,
            from,
            retry_base: Duration::from_secs(30),
            max_attempts: 8,
            poll: Duration::from_secs(2),
        })
    }

    /// Into a folder (tests, and the demo without SMTP).
    pub fn folder(dir: impl Into<std::path::PathBuf>) -> Self {
        let mut s =
            Self::new(None, None, None, None).unwrap_or_else(|_| unreachable!("the defaults are valid"));
        s.delivery = Delivery::Folder(dir.into());
        s
    }

    /// The pause before attempt `attempts + 1`.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
        self.retry_base.saturating_mul(factor).min(Duration::from_secs(3600))
    }
}

/// Composes and writes messages: what use-cases and the mail process share.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub from: Mailbox,
    /// Where links point: `SALLE_PUBLIC_URL`.
    pub public_url: String,
    /// Wakes the sender in this process when a message is written.
    wake: Arc<Notify>,
}

/// A message's key: its cause and its recipient (a v5 UUID, so it also names the file).
pub fn key(cause: &str, notice: &str, recipient: &str) -> String {
    const NS: Uuid = Uuid::from_u128(0x6d61_696c_0000_4000_8000_7361_6c6c_6521);
    Uuid::new_v5(&NS, format!("{cause}/{notice}/{recipient}").as_bytes()).to_string()
}

impl Mailer {
    pub fn new(from: Mailbox, public_url: &str) -> Self {
        Self { from, public_url: public_url.trim_end_matches('/').to_owned(), wake: Arc::default() }
    }

    /// An absolute link to a page of salle.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// The letter as a message to `to`, keyed by its cause.
    pub fn outgoing(
        &self,
        cause: &str,
        notice: &'static str,
        to: &Recipient,
        letter: &Letter,
    ) -> Result<Outgoing, compose::ComposeError> {
        let key = key(cause, notice, to.user_id.map(|u| u.to_string()).as_deref().unwrap_or(&to.email));
        let host = self
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("salle")
            .split(['/', ':'])
            .next()
            .unwrap_or("salle");
        let message = letter.message(&self.from, &to.email, &to.name, format!("<{key}@{host}>"))?;
        Ok(Outgoing { key, user_id: to.user_id, recipient: to.email.clone(), notice, message })
    }

    /// Writes one message on its own (not caused by an event) and wakes the sender.
    pub async fn enqueue(&self, store: &Store, m: &Outgoing, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        outbox::enqueue(store, m, now).await?;
        self.wake.notify_one();
        Ok(())
    }

    pub fn woken(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

/// At the first start, the mail process begins at the log's head: the
/// history it finds there was never meant to be mailed. Called before the
/// web answers, so that nothing done after the start is missed.
pub async fn start_at_head(store: &Store) -> anyhow::Result<()> {
    use salle_events::EventStore;
    if store.load_checkpoint(NAME).await?.is_none() {
        let head = store.head().await?;
        let mut tx = store.begin().await?;
        tx.save_checkpoint(NAME, head).await?;
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_up_to_an_hour() {
        let s = MailSettings::folder("/tmp/x");
        assert_eq!(s.backoff(1), Duration::from_secs(30));
        assert_eq!(s.backoff(2), Duration::from_secs(60));
        assert_eq!(s.backoff(20), Duration::from_secs(3600));
    }

    #[test]
    fn each_bad_setting_is_named() {
        let e = MailSettings::new(Some("http://mail"), None, None, None).unwrap_err();
        assert!(e.to_string().contains("SALLE_SMTP_URL"), "{e}");
        let e = MailSettings::new(None, None, Some("pas une adresse"), None).unwrap_err();
        assert!(e.to_string().contains("SALLE_MAIL_FROM"), "{e}");
        let s = MailSettings::new(None, None, None, None).unwrap();
        assert!(matches!(s.delivery, Delivery::Folder(_)));
    }

    #[test]
    fn keys_are_stable_and_differ_by_recipient() {
        assert_eq!(key("e1", "approved", "u1"), key("e1", "approved", "u1"));
        assert_ne!(key("e1", "approved", "u1"), key("e1", "approved", "u2"));
    }
}
