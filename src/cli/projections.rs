//! `salle projections status|rebuild`.

use anyhow::Context;
use clap::Subcommand;

use super::{GlobalArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Print each projection's checkpoint and lag (events and seconds behind).
    Status,
    /// Drop a read model (or all) and replay it from the first event.
    Rebuild {
        /// The projection to rebuild; all when absent.
        name: Option<String>,
    },
}

pub(super) async fn run(g: &GlobalArgs, command: ProjectionsCommand) -> anyhow::Result<()> {
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let store = open(&settings).await?;
    store.migrate().await.context("applying the migrations")?;
    match command {
        ProjectionsCommand::Status => {
            println!(
                "{:<12} {:>16} {:>14} {:>15}",
                "projection", "checkpoint", "events behind", "seconds behind"
            );
            for (name, lag) in crate::read_side::status(&store).await? {
                println!(
                    "{name:<12} {:>16} {:>14} {:>15.1}",
                    lag.checkpoint.to_string(),
                    lag.events_behind,
                    lag.seconds_behind
                );
            }
        }
        ProjectionsCommand::Rebuild { name } => crate::read_side::rebuild(&store, name.as_deref()).await?,
    }
    store.close().await;
    Ok(())
}
