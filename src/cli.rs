//! The command line: `serve`, `seed`, `migrate`, `projections status|rebuild`, `events tail`, `bench store`.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use salle_events::{EventStore, LogPosition, Store};

use crate::config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Settings};
use crate::startup::Application;

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
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SALLE_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        /// Seed the demo marketplace (the 97 collèges of Isère) when the log is empty.
        #[arg(long, env = "SALLE_DEMO")]
        demo: bool,
        #[command(flatten)]
        payments: PaymentArgs,
        /// The first admin's e-mail, created at start if no account has it.
        #[arg(long, env = "SALLE_ADMIN_EMAIL")]
        admin_email: Option<String>,
        /// The first admin's password (at least 12 characters).
        #[arg(long, env = "SALLE_ADMIN_PASSWORD", hide_env_values = true)]
        admin_password: Option<Secret>,
        /// The collectivity's SIREN, which names FEC exports (the demo uses Isère's).
        #[arg(long, env = "SALLE_SIREN")]
        siren: Option<String>,
        /// Where the projections and process managers run: `in-process`
        /// (one binary) or `external` (beside `salle worker` processes).
        #[arg(long, env = "SALLE_WORKERS", value_enum, default_value = "in-process")]
        workers: WorkerMode,
        /// Reverse proxies whose X-Forwarded-For names the client: addresses or
        /// networks, comma-separated (nobody else's is believed).
        #[arg(long, env = "SALLE_TRUSTED_PROXIES")]
        trusted_proxies: Option<String>,
        /// A second address for /metrics and the details of /readyz, where the
        /// public ingress does not route (on the public one they answer to
        /// local callers only).
        #[arg(long, env = "SALLE_METRICS_BIND")]
        metrics_bind: Option<String>,
        /// Sign-ups accepted from one address in an hour (0: no limit).
        #[arg(long, env = "SALLE_SIGN_UPS_PER_HOUR", default_value_t = 10)]
        sign_ups_per_hour: usize,
    },
    /// Run the projections, the event-chain sealer and the process managers
    /// (payments, deadlines) without serving pages: beside `salle serve`
    /// with SALLE_WORKERS=external. Any number may run; each task has one
    /// leader at a time. Answers /healthz, /readyz and /metrics on --bind.
    Worker {
        /// Address of the probes and metrics.
        #[arg(long, env = "SALLE_BIND", default_value = "127.0.0.1:9090")]
        bind: String,
        #[command(flatten)]
        payments: PaymentArgs,
    },
    /// Fill the store with data.
    Seed {
        /// The demo marketplace: the 97 public collèges of Isère with two rooms
        /// each, the département's tariff grid, a few associations and requests.
        /// Seeding twice changes nothing.
        #[arg(long, conflicts_with = "synthetic")]
        demo: bool,
        /// Synthetic data for benchmarks, deterministic from --seed.
        #[arg(long, requires = "scale")]
        synthetic: bool,
        /// How much synthetic data: `departement` (~2,000 rooms, ~300,000
        /// events) or `national` (100 départements, ~30 million events).
        #[arg(long, value_parser = ["departement", "national"])]
        scale: Option<String>,
        /// How many départements, overriding the scale's (national: 100);
        /// for measuring how figures grow with the data.
        #[arg(long, requires = "synthetic", value_parser = clap::value_parser!(u16).range(1..=100))]
        departements: Option<u16>,
        /// The seed of the synthetic generator.
        #[arg(long, default_value_t = 38)]
        seed: u64,
    },
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

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Append and replay throughput of the event store, with baselines.
    Store(crate::bench::StoreBenchArgs),
    /// Rebuild rates, search index build, search latency and memory on this store.
    ReadSide(crate::bench_read::ReadBenchArgs),
}

/// The payment settings of `serve` and `worker`; SALLE_PUBLIC_URL defaults to http://BIND.
fn payment_settings(
    args: &PaymentArgs,
    bind: &str,
    demo: bool,
) -> anyhow::Result<crate::config::PaymentSettings> {
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{bind}"));
    let demo_default = (demo && args.stripe_secret_key.is_none()).then_some("simulated");
    crate::config::PaymentSettings::new(
        &public_url,
        args.mode.as_deref().or(demo_default),
        args.stripe_secret_key.as_deref(),
        args.stripe_webhook_secrets.as_deref(),
        args.stripe_api_base.as_deref(),
    )
}

impl Cli {
    pub fn json_logs(&self) -> bool {
        matches!(self.global.log_format, LogFormat::Json)
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Serve {
            bind,
            demo,
            payments,
            admin_email,
            admin_password,
            siren,
            workers,
            trusted_proxies,
            metrics_bind,
            sign_ups_per_hour,
        } => {
            let mut problems = crate::config::Problems::default();
            let settings = problems.check(Settings::new(&g.database_url, &bind, g.max_connections));
            let payment_settings = problems.check(payment_settings(&payments, &bind, demo));
            let siren = problems.check(crate::config::parse_siren(siren.as_deref()));
            let proxies = problems.check(crate::config::parse_trusted_proxies(trusted_proxies.as_deref()));
            let metrics_bind = problems.check(crate::config::parse_metrics_bind(metrics_bind.as_deref()));
            let admin = problems.check(crate::config::AdminAccount::from_settings(
                admin_email.as_deref(),
                admin_password.as_ref().map(|s| s.0.as_str()),
            ));
            problems.finish()?;
            let (
                Some(mut settings),
                Some(payments),
                Some(siren),
                Some(admin),
                Some(proxies),
                Some(metrics_bind),
            ) = (settings, payment_settings, siren, admin, proxies, metrics_bind)
            else {
                anyhow::bail!("invalid configuration");
            };
            settings.demo = demo;
            settings.print_demo_accounts = matches!(g.log_format, LogFormat::Text);
            settings.admin = admin;
            settings.siren = siren;
            settings.trusted_proxies = proxies;
            settings.metrics_bind = metrics_bind;
            settings.sign_ups_per_hour = sign_ups_per_hour;
            settings.payments = payments;
            settings.run_workers = workers == WorkerMode::InProcess;
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "salle is serving");
            app.run_until_stopped().await
        }
        Command::Worker { bind, payments } => {
            let mut problems = crate::config::Problems::default();
            if payments.public_url.is_none() {
                problems.check::<()>(Err(anyhow::anyhow!(
                    "SALLE_PUBLIC_URL is needed by `salle worker`: the checkouts it opens send browsers \
                     to the web's public address, not to the worker's"
                )));
            }
            let settings = problems.check(Settings::new(&g.database_url, &bind, g.max_connections));
            let payment_settings = problems.check(payment_settings(&payments, &bind, false));
            problems.finish()?;
            let (Some(mut settings), Some(payments)) = (settings, payment_settings) else {
                anyhow::bail!("invalid configuration");
            };
            settings.payments = payments;
            crate::worker::run(settings).await
        }
        Command::Seed { demo, synthetic, scale, departements, seed } => {
            if !demo && !synthetic {
                anyhow::bail!(
                    "say what to seed: salle seed --demo, or salle seed --synthetic --scale departement"
                );
            }
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
            let store = open(&settings).await?;
            store.migrate().await.context("applying the migrations")?;
            let calendar = crate::domain::calendar::Calendar::isere().map_err(anyhow::Error::msg)?;
            let calendar = std::sync::Arc::new(calendar);
            if synthetic {
                let commands = crate::commands::Commands::staged(store.clone(), calendar);
                let bar = indicatif::ProgressBar::new(0);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} ({elapsed})")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
                let started = std::time::Instant::now();
                let (mut scale, mut name) = match scale.as_deref() {
                    Some("national") => (crate::seed::synthetic::Scale::NATIONAL, "national".to_owned()),
                    _ => (crate::seed::synthetic::Scale::DEPARTEMENT, "département".to_owned()),
                };
                if let Some(n) = departements {
                    scale.departements = n.into();
                    name = format!("{n}-département");
                }
                // Without a terminal the bar is hidden: each step is logged once instead.
                let step_logged = std::cell::RefCell::new(String::new());
                let generated =
                    crate::seed::synthetic::generate(&commands, scale, seed, |step, done, total| {
                        if bar.is_hidden() && *step_logged.borrow() != step {
                            eprintln!("salle: {step} ({:.0} s)", started.elapsed().as_secs_f64());
                            step.clone_into(&mut step_logged.borrow_mut());
                        }
                        bar.set_message(step.to_owned());
                        bar.set_length(total);
                        bar.set_position(done);
                    })
                    .await?;
                bar.finish_and_clear();
                let events = store.count_after(salle_events::LogPosition::START).await?;
                eprintln!(
                    "salle: synthetic {name} data (seed {seed}) in {:.1} s: {} establishments, {} rooms, \
                     {} associations, {} series, {} bookings, {} payments; {events} events in the log",
                    started.elapsed().as_secs_f64(),
                    generated.establishments,
                    generated.rooms,
                    generated.associations,
                    generated.series,
                    generated.bookings,
                    generated.payments
                );
            } else {
                let commands = crate::commands::Commands::new(store.clone(), calendar);
                let seeded = crate::seed::demo(&commands, chrono::Utc::now()).await?;
                eprintln!(
                    "salle: demo seeded: {} establishments, {} rooms, {} associations, {} booking requests",
                    seeded.establishments, seeded.rooms, seeded.associations, seeded.bookings
                );
                for (role, email, password) in crate::seed::DEMO_ACCOUNTS {
                    eprintln!("salle: demo account {role:<12} {email:<28} {password}");
                }
            }
            store.close().await;
            Ok(())
        }
        Command::Migrate => {
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
            let store = open(&settings).await?;
            store.migrate().await.context("applying the migrations")?;
            eprintln!(
                "salle: migrations applied to {}",
                salle_events::store::redact_url(&settings.database_url)
            );
            store.close().await;
            Ok(())
        }
        Command::Events { command: EventsCommand::Tail { follow, after, limit } } => {
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
            let store = open(&settings).await?;
            if !store.is_migrated().await? {
                anyhow::bail!("the database has no event log yet: run `salle migrate` first");
            }
            tail(&store, after, follow, limit).await
        }
        Command::Projections { command } => {
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
                ProjectionsCommand::Rebuild { name } => {
                    crate::read_side::rebuild(&store, name.as_deref()).await?
                }
            }
            store.close().await;
            Ok(())
        }
        Command::Payments { command, payments } => {
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
            let public_url = payments.public_url.clone().unwrap_or_else(|| format!("http://{DEFAULT_BIND}"));
            let payment_settings = crate::config::PaymentSettings::new(
                &public_url,
                payments.mode.as_deref(),
                payments.stripe_secret_key.as_deref(),
                payments.stripe_webhook_secrets.as_deref(),
                payments.stripe_api_base.as_deref(),
            )?;
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
                    let link = crate::app::payouts::start_onboarding(
                        &commands,
                        &gateway,
                        establishment,
                        &back,
                        &meta,
                    )
                    .await?;
                    println!("{link}");
                }
                PaymentsCommand::Followups => {
                    let process =
                        crate::process::payments::PaymentProcess::new(commands, gateway, &public_url);
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
        Command::Ledger {
            command: LedgerCommand::Export { format, establishment, from, to, as_of, siren, output },
        } => {
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?
                .with_siren(siren.as_deref())?;
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
                    std::fs::write(&path, &exported.body)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("salle: {} ledger lines written to {}", exported.lines, path.display());
                }
            }
            store.close().await;
            Ok(())
        }
        Command::Ledger {
            command: LedgerCommand::Reconcile { establishment, from, to, as_of, json, payments },
        } => {
            let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
            let public_url = payments.public_url.clone().unwrap_or_else(|| format!("http://{DEFAULT_BIND}"));
            let payment_settings = crate::config::PaymentSettings::new(
                &public_url,
                payments.mode.as_deref(),
                payments.stripe_secret_key.as_deref(),
                payments.stripe_webhook_secrets.as_deref(),
                payments.stripe_api_base.as_deref(),
            )?;
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
            let report =
                crate::finance::reconcile::reconcile(&store, &gateway, establishment, &period, as_of).await;
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
        Command::Audit { command } => {
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

async fn open(settings: &Settings) -> anyhow::Result<Store> {
    Store::connect(&settings.database_url, settings.store_options()).await.context("opening the event store")
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
