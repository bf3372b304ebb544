//! The command line, one module per command group: [`serve`] (`serve`,
//! `worker`, `migrate`), [`seed`], [`events`], [`projections`],
//! [`payments`], [`mail`], [`ledger`], [`audit`]; `bench` runs `crate::bench` and
//! `crate::bench_read`.

mod audit;
mod events;
mod ledger;
mod mail;
mod payments;
mod projections;
mod seed;
mod serve;

pub use audit::AuditCommand;
pub use events::EventsCommand;
pub use ledger::LedgerCommand;
pub use mail::MailCommand;
pub use payments::PaymentsCommand;
pub use projections::ProjectionsCommand;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use salle_events::Store;

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};

#[derive(Debug, Parser)]
#[command(name = "salle", version, about = "Salles des établissements publics pour les associations")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Event store: sqlite://FILE (embedded, created on first start) or postgres://…
    #[arg(long, env = "SALLE_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true,
          hide_env_values = true, hide_default_value = false)]
    pub database_url: String,
    /// Connections in the database pool.
    #[arg(long, env = "SALLE_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub max_connections: u32,
    /// Log format: `text` or `json`.
    #[arg(long, env = "SALLE_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
}

/// A value that `Debug` never prints (passwords).
#[derive(Clone)]
pub struct Secret(pub String);

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The payment provider: Stripe with a key; simulated only when asked for
/// (`--payments simulated`, or `serve --demo`); otherwise none, and paid
/// slots are refused.
#[derive(Args)]
pub struct PaymentArgs {
    /// `stripe`, `simulated` (a demonstration: salle plays the provider) or
    /// `off`; unset: Stripe when STRIPE_SECRET_KEY is given, otherwise off
    /// (`simulated` with `serve --demo`).
    #[arg(long = "payments", env = "SALLE_PAYMENTS", global = true)]
    pub mode: Option<String>,
    /// Where browsers reach salle (default: http://BIND).
    #[arg(long, env = "SALLE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Stripe secret key (sk_…).
    #[arg(long, env = "STRIPE_SECRET_KEY", hide_env_values = true, global = true)]
    pub stripe_secret_key: Option<String>,
    /// The webhook endpoint's signing secrets (whsec_…), comma-separated during a rotation.
    #[arg(long, env = "STRIPE_WEBHOOK_SECRETS", hide_env_values = true, global = true)]
    pub stripe_webhook_secrets: Option<String>,
    /// Stripe's API address (for a test double).
    #[arg(long, env = "STRIPE_API_BASE", global = true)]
    pub stripe_api_base: Option<String>,
}

/// Where e-mail goes: `SALLE_SMTP_URL`, or a folder of `.eml` files.
#[derive(clap::Args)]
pub struct MailArgs {
    /// SMTP server: smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS) or
    /// smtps://…:465 (TLS); unset: messages are written to SALLE_MAIL_DIR.
    #[arg(long, env = "SALLE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// A certificate authority (PEM) to trust beside the web's, for an SMTP
    /// server with a private certificate.
    #[arg(long, env = "SALLE_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<String>,
    /// The sender of every message: « Name <address> ».
    #[arg(long, env = "SALLE_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Without SMTP, the folder messages are written to, one .eml each (default data/mail).
    #[arg(long, env = "SALLE_MAIL_DIR")]
    pub mail_dir: Option<String>,
}

impl std::fmt::Debug for MailArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailArgs").field("mail_dir", &self.mail_dir).finish_non_exhaustive()
    }
}

impl MailArgs {
    pub fn settings(&self) -> anyhow::Result<crate::mail::MailSettings> {
        crate::mail::MailSettings::new(
            self.smtp_url.as_deref(),
            self.smtp_ca_file.as_deref(),
            self.mail_from.as_deref(),
            self.mail_dir.as_deref(),
        )
    }
}

impl std::fmt::Debug for PaymentArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentArgs").field("public_url", &self.public_url).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WorkerMode {
    InProcess,
    External,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the marketplace over HTTP (applies migrations first).
    Serve(serve::ServeArgs),
    /// Run the projections, the event-chain sealer and the process managers
    /// (payments, deadlines, mail) without serving pages: beside `salle serve`
    /// with SALLE_WORKERS=external. Any number may run; each task has one
    /// leader at a time. Answers /healthz, /readyz and /metrics on --bind.
    Worker {
        /// Address of the probes and metrics.
        #[arg(long, env = "SALLE_BIND", default_value = "127.0.0.1:9090")]
        bind: String,
        #[command(flatten)]
        payments: PaymentArgs,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Fill the store with data.
    Seed(seed::SeedArgs),
    /// Apply the database migrations embedded in the binary, then exit.
    Migrate,
    /// Inspect or rebuild the read models.
    Projections {
        #[command(subcommand)]
        command: ProjectionsCommand,
    },
    /// Read the event log.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// Payments: payout onboarding and what waits to be tried again.
    Payments {
        #[command(subcommand)]
        command: PaymentsCommand,
        #[command(flatten)]
        payments: PaymentArgs,
    },
    /// E-mail: what the outbox holds; messages given up put back in line.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Finance: ledger exports and reconciliation with the provider.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The tamper-evident chain over the log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Measure the system.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Append and replay throughput of the event store, with baselines.
    Store(crate::bench::StoreBenchArgs),
    /// Rebuild rates, search index build, search latency and memory on this store.
    ReadSide(crate::bench_read::ReadBenchArgs),
}

impl Cli {
    pub fn json_logs(&self) -> bool {
        matches!(self.global.log_format, LogFormat::Json)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Serve(args) => serve::serve(g, args).await,
        Command::Worker { bind, payments, mail } => serve::worker(g, bind, payments, mail).await,
        Command::Seed(args) => seed::seed(g, args).await,
        Command::Migrate => serve::migrate(g).await,
        Command::Events { command } => events::run(g, command).await,
        Command::Projections { command } => projections::run(g, command).await,
        Command::Payments { command, payments } => payments::run(g, command, payments).await,
        Command::Mail { command } => mail::run(g, command).await,
        Command::Ledger { command } => ledger::run(g, command).await,
        Command::Audit { command } => audit::run(g, command).await,
        Command::Bench { command: BenchCommand::Store(args) } => crate::bench::run_store_bench(args).await,
        Command::Bench { command: BenchCommand::ReadSide(args) } => {
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
            let store = open(&settings).await?;
            store.migrate().await.context("applying the migrations")?;
            let calendar = crate::domain::calendar::Calendar::isere().map_err(anyhow::Error::msg)?;
            crate::bench_read::run(&store, &calendar, args).await?;
            store.close().await;
            Ok(())
        }
    }
}

pub(super) async fn open(settings: &Settings) -> anyhow::Result<Store> {
    Store::connect(&settings.database_url, settings.store_options()).await.context("opening the event store")
}
