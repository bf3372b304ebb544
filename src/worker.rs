//! The background work: the projection runners, the event-chain sealer, the
//! payment process manager and the deadline manager. `salle serve` runs them
//! in its own process by default (one binary for a commune); on Kubernetes
//! `salle worker` runs them apart from the web pods (`SALLE_WORKERS=external`).
//!
//! Each task holds a PostgreSQL advisory lock while it works, so any number
//! of workers may run: one leads each task, the others stand by and take
//! over within [`STANDBY_RETRY`] of the leader's end (its session closes with
//! its process, which releases the lock).

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, dev::Server, get, web};
use anyhow::Context;
use salle_events::Store;
pub use salle_projections::runner::STANDBY_RETRY;
use tokio::sync::watch;

use crate::commands::Commands;
use crate::config::Settings;
use crate::process::expiry::ExpiryManager;
use crate::process::mail::MailProcess;
use crate::process::payments::PaymentProcess;

/// The running tasks.
pub struct Workers {
    handles: Vec<tokio::task::JoinHandle<()>>,
    stop: watch::Sender<bool>,
}

impl Workers {
    pub fn start(
        store: &Store,
        commands: &Commands,
        payments: &PaymentProcess,
        mail: &MailProcess,
        expiry_interval: Duration,
        sweep_interval: Duration,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut handles = crate::read_side::spawn_all(store, stopped.clone());
        handles.push(tokio::spawn(payments.clone().run(stopped.clone(), sweep_interval)));
        handles.push(tokio::spawn(mail.clone().run(stopped.clone())));
        handles.push(tokio::spawn(ExpiryManager::new(commands.clone()).run(expiry_interval, stopped)));
        Self { handles, stop }
    }

    /// Asks every task to stop and waits for them: a batch being applied
    /// commits with its checkpoint first, then the locks are released.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
    }
}

/// Opens the store for a long-running process: refuses a PostgreSQL that
/// would lose acknowledged writes, then applies the migrations.
pub async fn open_durable(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::connect(&settings.database_url, settings.store_options())
        .await
        .context("opening the event store")?;
    let problems = store.durability_problems().await.context("checking the store's durability")?;
    if !problems.is_empty() {
        anyhow::bail!("the database is not durable:\n  - {}", problems.join("\n  - "));
    }
    store.migrate().await.context("applying the migrations")?;
    Ok(store)
}

/// `salle worker`: runs the background tasks until SIGTERM or SIGINT, and
/// answers `/healthz`, `/readyz` and `/metrics` on `settings.bind`.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let store = open_durable(&settings).await?;
    let calendar = crate::domain::calendar::Calendar::isere()
        .map_err(anyhow::Error::msg)
        .context("reading the shipped calendar")?;
    let commands = Commands::new(store.clone(), std::sync::Arc::new(calendar));
    let gateway = settings.payments.gateway(&store).await?;
    crate::metrics::declare_webhook_reasons(&crate::payments::webhook::Rejected::CODES);
    let payments = PaymentProcess::new(commands.clone(), gateway, &settings.payments.public_url);
    crate::mail::start_at_head(&store).await.context("starting the mail process")?;
    let mailer = crate::mail::Mailer::new(settings.mail.from.clone(), &settings.payments.public_url);
    let mail = mail_process(&settings, &commands, mailer)?;
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("binding {} (set SALLE_BIND for the worker's probes)", settings.bind))?;
    let server = probes(store.clone(), listener, settings.shutdown_timeout.as_secs())?;
    let workers = Workers::start(
        &store,
        &commands,
        &payments,
        &mail,
        settings.expiry_interval,
        settings.payments.sweep_interval,
    );
    tracing::info!(bind = %settings.bind, "salle worker is running");
    // actix stops the server on SIGTERM or SIGINT; the tasks stop after it.
    let served = server.await.context("serving the worker's probes");
    workers.stop().await;
    store.close().await;
    tracing::info!("salle worker stopped");
    served
}

/// The mail process of these settings; says where messages go.
pub fn mail_process(
    settings: &Settings,
    commands: &Commands,
    mailer: crate::mail::Mailer,
) -> anyhow::Result<MailProcess> {
    match &settings.mail.delivery {
        crate::mail::Delivery::Smtp { .. } => {
            tracing::info!(server = settings.mail.delivery.describe(), "e-mail is sent over SMTP")
        }
        crate::mail::Delivery::Folder(_) => tracing::warn!(
            "no SMTP server (SALLE_SMTP_URL): e-mail is written to {}, one .eml file per message, \
             and nobody receives it",
            settings.mail.delivery.describe()
        ),
    }
    MailProcess::new(commands.clone(), mailer, settings.mail.clone())
}

/// A server of `/healthz`, `/readyz` (with its details) and `/metrics` for
/// operators: `salle worker`'s, and `salle serve`'s on `SALLE_METRICS_BIND`,
/// an address the public ingress does not route to.
pub fn probes(store: Store, listener: TcpListener, shutdown_secs: u64) -> anyhow::Result<Server> {
    let data = web::Data::new(store);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .service(crate::http::health::healthz)
            .service(ready)
            .service(metrics)
    })
    .workers(1)
    .shutdown_timeout(shutdown_secs)
    .listen(listener)
    .context("listening")?
    .run())
}

/// Ready when the store answers and is migrated; the details say how far
/// behind each projection is.
#[get("/readyz")]
async fn ready(store: web::Data<Store>) -> HttpResponse {
    match crate::http::health::store_ready(&store).await {
        Ok(()) => match crate::http::health::details(&store).await {
            Ok(details) => HttpResponse::Ok().json(details),
            Err(e) => HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "error": e.to_string() })),
        },
        Err(why) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "unavailable", "error": why })),
    }
}

#[get("/metrics")]
async fn metrics(store: web::Data<Store>) -> HttpResponse {
    match crate::metrics::render(&store).await {
        Ok(text) => HttpResponse::Ok().content_type(crate::metrics::CONTENT_TYPE).body(text),
        Err(e) => HttpResponse::ServiceUnavailable().body(format!("metrics unreadable: {e:#}")),
    }
}
