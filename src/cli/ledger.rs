//! `salle ledger export|reconcile`.

use std::io::Write;

use anyhow::Context;
use clap::Subcommand;

use super::{GlobalArgs, PaymentArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Export the ledger of one establishment, or of all, for a period. It is
    /// replayed from the log (up to --as-of, default now), so it does not
    /// depend on the read models being up to date.
    Export {
        #[arg(long, value_enum)]
        format: crate::finance::export::Format,
        /// One establishment's id; all establishments when absent.
        #[arg(long)]
        establishment: Option<uuid::Uuid>,
        /// First day of the period (local, YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period, included; names the FEC file.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// The ledger as it stood at this instant (RFC 3339, e.g. 2026-12-31T23:59:59+01:00).
        #[arg(long)]
        as_of: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// The SIREN that names a FEC file.
        #[arg(long, env = "SALLE_SIREN")]
        siren: Option<String>,
        /// Write here: a file, or a directory for the format's own file name. Default: standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Compare the ledger with the payment provider's records (charges,
    /// refunds, transfers, reversals, payouts) and list every mismatch.
    /// Exits with 1 when there is one.
    Reconcile {
        /// One establishment's id; all establishments when absent.
        #[arg(long)]
        establishment: Option<uuid::Uuid>,
        /// First day of the period (local, YYYY-MM-DD).
        #[arg(long)]
        from: Option<chrono::NaiveDate>,
        /// Last day of the period, included.
        #[arg(long)]
        to: Option<chrono::NaiveDate>,
        /// The ledger as it stood at this instant (RFC 3339).
        #[arg(long)]
        as_of: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        payments: PaymentArgs,
    },
}

pub(super) async fn run(g: &GlobalArgs, command: LedgerCommand) -> anyhow::Result<()> {
    match command {
        LedgerCommand::Export { format, establishment, from, to, as_of, siren, output } => {
            export(g, format, establishment, (from, to, as_of), siren, output).await
        }
        LedgerCommand::Reconcile { establishment, from, to, as_of, json, payments } => {
            reconcile(g, establishment, (from, to, as_of), json, payments).await
        }
    }
}

/// First day, last day and the instant asked for.
type When =
    (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>, Option<chrono::DateTime<chrono::FixedOffset>>);

async fn export(
    g: &GlobalArgs,
    format: crate::finance::export::Format,
    establishment: Option<uuid::Uuid>,
    (from, to, as_of): When,
    siren: Option<String>,
    output: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    let settings =
        Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?.with_siren(siren.as_deref())?;
    let store = open(&settings).await?;
    if !store.is_migrated().await? {
        anyhow::bail!("the database has no event log yet: run `salle migrate` first");
    }
    let calendar = crate::domain::calendar::Calendar::isere().map_err(anyhow::Error::msg)?;
    let commands = crate::commands::Commands::new(store.clone(), std::sync::Arc::new(calendar));
    let period = crate::finance::Period::of_days(from, to).map_err(|e| anyhow::anyhow!("{e}"))?;
    let as_of = as_of.map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
    let exported = crate::finance::export(
        &commands,
        format,
        establishment,
        &period,
        Some(as_of),
        settings.siren.as_deref(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    match output {
        None => std::io::stdout().write_all(exported.body.as_bytes()).context("writing to stdout")?,
        Some(path) => {
            let path = if path.is_dir() { path.join(&exported.file_name) } else { path };
            std::fs::write(&path, &exported.body).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("salle: {} ledger lines written to {}", exported.lines, path.display());
        }
    }
    store.close().await;
    Ok(())
}

async fn reconcile(
    g: &GlobalArgs,
    establishment: Option<uuid::Uuid>,
    (from, to, as_of): When,
    json: bool,
    payments: PaymentArgs,
) -> anyhow::Result<()> {
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let payment_settings = super::serve::payment_settings(&payments, DEFAULT_BIND, false)?;
    if matches!(payment_settings.provider, crate::config::Provider::Off) {
        anyhow::bail!(
            "reconciling needs the payment provider's records: set STRIPE_SECRET_KEY \
             (or SALLE_PAYMENTS=simulated for the simulated provider's)"
        );
    }
    let store = open(&settings).await?;
    if !store.is_migrated().await? {
        anyhow::bail!("the database has no event log yet: run `salle migrate` first");
    }
    let gateway = payment_settings.gateway(&store).await?;
    let period = crate::finance::Period::of_days(from, to).map_err(|e| anyhow::anyhow!("{e}"))?;
    let as_of = as_of.map(|t| t.with_timezone(&chrono::Utc));
    let report = crate::finance::reconcile::reconcile(&store, &gateway, establishment, &period, as_of).await;
    store.close().await;
    let report = report.map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = if json {
        serde_json::to_string_pretty(&report).context("writing the report")? + "\n"
    } else {
        crate::finance::reconcile::render_text(&report)
    };
    std::io::stdout().write_all(text.as_bytes()).context("writing to stdout")?;
    if !report.is_clean() {
        anyhow::bail!(
            "{} mismatch(es) between the ledger and the {} provider",
            report.mismatches.len(),
            report.provider
        );
    }
    Ok(())
}
