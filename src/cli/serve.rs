//! `salle serve`, `salle worker` and `salle migrate`.

use anyhow::Context;
use clap::Args;

use super::{GlobalArgs, LogFormat, MailArgs, PaymentArgs, Secret, WorkerMode, open};
use crate::config::{DEFAULT_BIND, Settings};
use crate::startup::Application;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SALLE_BIND", default_value = DEFAULT_BIND)]
    bind: String,
    /// Seed the demo marketplace (the 97 collèges of Isère) when the log is empty.
    #[arg(long, env = "SALLE_DEMO")]
    demo: bool,
    #[command(flatten)]
    payments: PaymentArgs,
    #[command(flatten)]
    mail: MailArgs,
    /// The first admin's e-mail, created at start if no account has it.
    #[arg(long, env = "SALLE_ADMIN_EMAIL")]
    admin_email: Option<String>,
    /// The first admin's password (at least 12 characters).
    #[arg(long, env = "SALLE_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<Secret>,
    /// The collectivity's SIREN, which names FEC exports (the demo uses Isère's).
    #[arg(long, env = "SALLE_SIREN")]
    siren: Option<String>,
    /// Where the source of the running version is published (AGPL-3.0
    /// §13: people using salle over the network may get it).
    #[arg(long, env = "SALLE_SOURCE_URL")]
    source_url: Option<String>,
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
    /// Dates an association not verified yet may have awaiting a decision.
    #[arg(long, env = "SALLE_UNVERIFIED_HOLD_LIMIT", default_value_t = crate::app::holds::DEFAULT_UNVERIFIED_HOLD_LIMIT)]
    unverified_hold_limit: usize,
}

pub(super) async fn serve(g: &GlobalArgs, args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        bind,
        demo,
        payments,
        mail,
        admin_email,
        admin_password,
        siren,
        source_url,
        workers,
        trusted_proxies,
        metrics_bind,
        sign_ups_per_hour,
        unverified_hold_limit,
    } = args;
    let mut problems = crate::config::Problems::default();
    let settings = problems.check(Settings::new(&g.database_url, &bind, g.max_connections));
    let payment_settings = problems.check(payment_settings(&payments, &bind, demo));
    let siren = problems.check(crate::config::parse_siren(siren.as_deref()));
    let source_url = problems.check(crate::config::parse_source_url(source_url.as_deref()));
    let mail = problems.check(mail.settings());
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
        Some(mail),
        Some(source_url),
    ) = (settings, payment_settings, siren, admin, proxies, metrics_bind, mail, source_url)
    else {
        anyhow::bail!("invalid configuration");
    };
    settings.demo = demo;
    settings.print_demo_accounts = matches!(g.log_format, LogFormat::Text);
    settings.admin = admin;
    settings.siren = siren;
    if source_url.is_none() {
        tracing::warn!(
            "SALLE_SOURCE_URL is not set: publish the source of the version you run (AGPL-3.0 §13) \
             and set it, so that the « Code source » page links it"
        );
    }
    settings.source_url = source_url;
    settings.trusted_proxies = proxies;
    settings.metrics_bind = metrics_bind;
    settings.sign_ups_per_hour = sign_ups_per_hour;
    settings.unverified_hold_limit = unverified_hold_limit;
    settings.payments = payments;
    settings.mail = mail;
    settings.run_workers = workers == WorkerMode::InProcess;
    let app = Application::build(settings).await?;
    tracing::info!(port = app.port(), "salle is serving");
    app.run_until_stopped().await
}

pub(super) async fn worker(
    g: &GlobalArgs,
    bind: String,
    payments: PaymentArgs,
    mail: MailArgs,
) -> anyhow::Result<()> {
    let mut problems = crate::config::Problems::default();
    if payments.public_url.is_none() {
        problems.check::<()>(Err(anyhow::anyhow!(
            "SALLE_PUBLIC_URL is needed by `salle worker`: the checkouts it opens send browsers \
             to the web's public address, not to the worker's"
        )));
    }
    let settings = problems.check(Settings::new(&g.database_url, &bind, g.max_connections));
    let payment_settings = problems.check(payment_settings(&payments, &bind, false));
    let mail = problems.check(mail.settings());
    problems.finish()?;
    let (Some(mut settings), Some(payments), Some(mail)) = (settings, payment_settings, mail) else {
        anyhow::bail!("invalid configuration");
    };
    settings.payments = payments;
    settings.mail = mail;
    crate::worker::run(settings).await
}

pub(super) async fn migrate(g: &GlobalArgs) -> anyhow::Result<()> {
    let settings = Settings::new(&g.database_url, DEFAULT_BIND, g.max_connections)?;
    let store = open(&settings).await?;
    store.migrate().await.context("applying the migrations")?;
    eprintln!("salle: migrations applied to {}", salle_events::store::redact_url(&settings.database_url));
    store.close().await;
    Ok(())
}

/// The payment settings of a command (`demo`: simulated unless a Stripe
/// key is given); SALLE_PUBLIC_URL defaults to http://BIND.
pub(super) fn payment_settings(
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
