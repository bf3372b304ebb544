//! `salle audit verify|seal`.

use clap::Subcommand;

use super::{GlobalArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every link of the chain from the stored events; name the
    /// first event that no longer matches. Reads only.
    Verify {
        /// A head written down earlier (POSITION:HASH, as the finance pages
        /// show it): check that today's log still extends it.
        #[arg(long)]
        anchor: Option<salle_events::audit::Anchor>,
    },
    /// Link the events appended since the last seal (`salle serve` does it
    /// continuously).
    Seal,
}

pub(super) async fn run(g: &GlobalArgs, command: AuditCommand) -> anyhow::Result<()> {
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let store = open(&settings).await?;
    if !store.is_migrated().await? {
        anyhow::bail!("the database has no event log yet: run `salle migrate` first");
    }
    let outcome = match command {
        AuditCommand::Seal => {
            let sealed = salle_events::audit::seal_all(&store).await?;
            eprintln!("salle: {sealed} events linked into the chain");
            Ok(())
        }
        AuditCommand::Verify { anchor } => {
            let report = salle_events::audit::verify(&store, anchor.as_ref()).await?;
            audit_outcome(&report, anchor.as_ref())
        }
    };
    store.close().await;
    outcome
}

/// Prints what `audit verify` found; an error when the chain does not hold.
fn audit_outcome(
    report: &salle_events::audit::Report,
    anchor: Option<&salle_events::audit::Anchor>,
) -> anyhow::Result<()> {
    if let Some(b) = &report.broken {
        anyhow::bail!(
            "the chain breaks at event {} (position {}, stream {}, link {}): {}",
            b.event_id,
            b.global_position,
            b.stream_id,
            b.seq,
            b.why
        );
    }
    if let Some(a) = anchor {
        match report.anchor_holds {
            Some(true) => eprintln!("salle: the log extends the anchor {}:{}", a.global_position, a.hash),
            Some(false) => anyhow::bail!(
                "the log does not extend the anchor {}:{}: the events up to it were rewritten",
                a.global_position,
                a.hash
            ),
            None => anyhow::bail!(
                "the anchor's position {} is not among the {} verified events",
                a.global_position,
                report.verified
            ),
        }
    }
    match &report.head {
        Some(head) => println!(
            "salle: chain verified: {} events; head {}:{}; {} events not sealed yet",
            report.verified, head.global_position, head.hash, report.unsealed
        ),
        None => println!("salle: chain empty; {} events not sealed yet", report.unsealed),
    }
    Ok(())
}
