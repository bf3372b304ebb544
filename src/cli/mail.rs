//! `salle mail status|retry`: what the outbox holds, and the messages given
//! up put back in line once their cause is fixed.

use anyhow::Context;
use clap::Subcommand;

use super::{GlobalArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// How many messages wait, were sent, were given up; the last ones given up and why.
    Status,
    /// Put every message given up back in line (after fixing SALLE_SMTP_URL, say).
    Retry,
}

pub(super) async fn run(g: &GlobalArgs, command: MailCommand) -> anyhow::Result<()> {
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let store = open(&settings).await?;
    store.migrate().await.context("applying the migrations")?;
    match command {
        MailCommand::Status => {
            for (status, n) in crate::mail::outbox::counts(&store).await? {
                println!("{status:<8} {n}");
            }
            let failed = crate::mail::outbox::failures(&store, 20).await?;
            if !failed.is_empty() {
                println!("\n{:<36} {:<26} {:>8}  {:<25} why", "message", "notice", "attempts", "written");
            }
            for f in failed {
                println!(
                    "{:<36} {:<26} {:>8}  {:<25} {}",
                    f.message_key,
                    f.notice,
                    f.attempts,
                    f.created_at.to_rfc3339(),
                    f.last_error.unwrap_or_default()
                );
            }
        }
        MailCommand::Retry => {
            let n = crate::mail::outbox::retry_failed(&store, chrono::Utc::now()).await?;
            println!("{n} message(s) back in line; the mail process sends them at its next pass");
        }
    }
    store.close().await;
    Ok(())
}
