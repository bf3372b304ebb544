//! `salle payments onboard|followups`.

use anyhow::Context;
use clap::Subcommand;

use super::{GlobalArgs, PaymentArgs, open};
use crate::config::{DEFAULT_BIND, Settings};

#[derive(Debug, Subcommand)]
pub enum PaymentsCommand {
    /// Create the establishment's payout account (once) and print the link
    /// where its manager completes the provider's onboarding.
    Onboard {
        /// The establishment's id.
        establishment: uuid::Uuid,
        /// Where the provider sends the manager back.
        #[arg(long)]
        return_url: Option<String>,
    },
    /// List the transfers and reversals waiting to be tried again.
    Followups,
}

pub(super) async fn run(
    g: &GlobalArgs,
    command: PaymentsCommand,
    payments: PaymentArgs,
) -> anyhow::Result<()> {
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let payment_settings = super::serve::payment_settings(&payments, DEFAULT_BIND, false)?;
    let public_url = payment_settings.public_url.clone();
    let store = open(&settings).await?;
    store.migrate().await.context("applying the migrations")?;
    let calendar = crate::domain::calendar::Calendar::isere().map_err(anyhow::Error::msg)?;
    let commands = crate::commands::Commands::new(store.clone(), std::sync::Arc::new(calendar));
    let gateway = payment_settings.gateway(&store).await?;
    match command {
        PaymentsCommand::Onboard { establishment, return_url } => {
            let meta = salle_events::Metadata {
                correlation_id: Some(establishment),
                causation_id: None,
                actor: Some("cli".into()),
            };
            let back = return_url.unwrap_or_else(|| format!("{public_url}/"));
            let link =
                crate::app::payouts::start_onboarding(&commands, &gateway, establishment, &back, &meta)
                    .await?;
            println!("{link}");
        }
        PaymentsCommand::Followups => {
            let process = crate::process::payments::PaymentProcess::new(commands, gateway, &public_url);
            println!("{:<10} {:<36} {:>12} {:>9}", "kind", "booking", "amount", "attempts");
            for f in process.followups().await? {
                println!(
                    "{:<10} {:<36} {:>12} {:>9}",
                    f.kind,
                    f.booking_id,
                    salle_events::catalog::Money::eur(f.amount_cents).to_string(),
                    f.attempts
                );
            }
        }
    }
    store.close().await;
    Ok(())
}
