//! `salle events tail`.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use salle_events::{EventStore, LogPosition, Store};

use super::{GlobalArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print the log as JSON lines, oldest first.
    Tail {
        /// Keep running and print new events as they are appended.
        #[arg(long)]
        follow: bool,
        /// Start after this position (N, or XID:N on PostgreSQL).
        #[arg(long, default_value = "0")]
        after: LogPosition,
        /// Stop after this many events (0: no limit).
        #[arg(long, default_value_t = 0)]
        limit: usize,
    },
}

pub(super) async fn run(g: &GlobalArgs, command: EventsCommand) -> anyhow::Result<()> {
    let EventsCommand::Tail { follow, after, limit } = command;
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let store = open(&settings).await?;
    if !store.is_migrated().await? {
        anyhow::bail!("the database has no event log yet: run `salle migrate` first");
    }
    tail(&store, after, follow, limit).await
}

/// Prints events as JSON lines until caught up (or forever with `follow`).
async fn tail(store: &Store, mut after: LogPosition, follow: bool, limit: usize) -> anyhow::Result<()> {
    const BATCH: usize = 1000;
    let mut wake = store.wake_ups();
    let mut printed = 0usize;
    let stdout = std::io::stdout();
    loop {
        wake.borrow_and_update();
        let batch = store.read_all(after, BATCH).await.context("reading the log")?;
        {
            let mut out = stdout.lock();
            for event in &batch {
                serde_json::to_writer(&mut out, event).context("writing to stdout")?;
                out.write_all(b"\n").context("writing to stdout")?;
                printed += 1;
                if limit > 0 && printed >= limit {
                    return out.flush().context("writing to stdout");
                }
            }
            out.flush().context("writing to stdout")?;
        }
        match batch.last() {
            Some(last) => after = last.log_position(),
            None if !follow => return Ok(()),
            None => {
                tokio::select! {
                    _ = tokio::time::timeout(Duration::from_secs(1), wake.changed()) => {}
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                }
            }
        }
    }
}
