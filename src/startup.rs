//! Building and running the application: connect and migrate the store, bind
//! the listener (port 0 picks a free one, for tests), serve until stopped, and
//! shut down gracefully.

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, middleware, web};
use anyhow::Context;
use salle_events::Store;

use crate::commands::Commands;
use crate::config::Settings;
use crate::domain::calendar::Calendar;
use crate::worker::Workers;

pub struct Application {
    port: u16,
    server: Server,
    /// The operators' listener (`SALLE_METRICS_BIND`), when there is one.
    probes: Option<actix_web::dev::ServerHandle>,
    store: Store,
    /// The projections and process managers, unless a `salle worker` runs them.
    workers: Option<Workers>,
    /// Keeps this process's search index current.
    search: tokio::task::JoinHandle<()>,
    stop_search: tokio::sync::watch::Sender<bool>,
}

impl Application {
    /// Connects, migrates and binds; the server does not run until `run_until_stopped`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = crate::worker::open_durable(&settings).await?;
        let calendar =
            Calendar::isere().map_err(anyhow::Error::msg).context("reading the shipped calendar")?;
        let commands = Commands::new(store.clone(), std::sync::Arc::new(calendar));
        if settings.demo && crate::seed::log_is_empty(&commands).await? {
            let seeded =
                crate::seed::demo(&commands, chrono::Utc::now()).await.context("seeding the demo")?;
            tracing::info!(establishments = seeded.establishments, rooms = seeded.rooms, "demo seeded");
            if settings.print_demo_accounts {
                for (role, email, password) in crate::seed::DEMO_ACCOUNTS {
                    eprintln!("salle: demo account {role:<12} {email:<28} {password}");
                }
            } else {
                tracing::info!("demo accounts: see the README (not logged)");
            }
        }
        if let Some(admin) = &settings.admin
            && crate::app::accounts::ensure_admin(&store, &admin.email, &admin.password, chrono::Utc::now())
                .await
                .context("SALLE_ADMIN_EMAIL / SALLE_ADMIN_PASSWORD")?
        {
            tracing::info!("first admin account created from SALLE_ADMIN_EMAIL");
        }
        let listener = TcpListener::bind(settings.bind).with_context(|| {
            format!("binding {} (is another salle running? set SALLE_BIND)", settings.bind)
        })?;
        let port = listener.local_addr().context("reading the bound address")?.port();
        let communes = salle_projections::communes::Communes::isere()
            .map_err(anyhow::Error::msg)
            .context("reading the shipped communes")?;
        let search = crate::read_side::Search::default();
        let indexed = search.catch_up(&store).await?;
        tracing::info!(events = indexed, rooms = search.read_index(|i| i.rooms()), "search index built");
        let gateway = settings.payments.gateway(&store).await?;
        let online_payments = !matches!(gateway, crate::payments::Gateway::Off);
        if !online_payments {
            tracing::warn!(
                "no payment provider (STRIPE_SECRET_KEY, or SALLE_PAYMENTS=simulated for a demonstration): \
                 only free slots can be booked"
            );
        }
        tracing::info!(provider = gateway.provider(), "payments");
        let commands = commands.with_online_payments(online_payments);
        crate::metrics::declare_webhook_reasons(&crate::payments::webhook::Rejected::CODES);
        let payments = crate::process::payments::PaymentProcess::new(
            commands.clone(),
            gateway,
            &settings.payments.public_url,
        );
        // The web writes e-mail into the outbox; whoever runs the workers sends it.
        crate::mail::start_at_head(&store).await.context("starting the mail process")?;
        let mailer = crate::mail::Mailer::new(settings.mail.from.clone(), &settings.payments.public_url);
        let mail = match settings.run_workers {
            true => Some(crate::worker::mail_process(&settings, &commands, mailer.clone())?),
            false => None,
        };
        let state = web::Data::new(crate::app::App {
            mail: mailer,
            source_url: settings.source_url.clone(),
            store: store.clone(),
            commands: commands.clone(),
            search: search.clone(),
            communes: std::sync::Arc::new(communes),
            payments: payments.clone(),
            sign_ins: std::sync::Arc::default(),
            sign_ups: std::sync::Arc::new(crate::app::sign_in::SignUpLimiter::new(
                settings.sign_ups_per_hour,
            )),
            holds: std::sync::Arc::new(crate::app::holds::HoldGate::new(settings.unverified_hold_limit)),
            siren: settings
                .siren
                .clone()
                .or_else(|| settings.demo.then(|| crate::app::ISERE_SIREN.to_owned())),
        });
        let proxies =
            web::Data::new(crate::http::client::TrustedProxies(settings.trusted_proxies.clone().into()));
        let https = settings.payments.public_url.starts_with("https://");
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(proxies.clone())
                .wrap(middleware::from_fn(crate::telemetry::catch_panics))
                .wrap(middleware::from_fn(crate::http::headers::no_store))
                .wrap(crate::http::headers::security(https))
                .wrap(middleware::NormalizePath::trim())
                .wrap(middleware::from_fn(crate::telemetry::observe))
                .configure(crate::http::routes)
                .default_service(web::to(crate::http::not_found))
        })
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .listen(listener)
        .context("listening")?;
        if settings.http_workers > 0 {
            server = server.workers(settings.http_workers);
        }
        let probes = match settings.metrics_bind {
            None => None,
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .with_context(|| format!("binding {bind} (SALLE_METRICS_BIND)"))?;
                let server =
                    crate::worker::probes(store.clone(), listener, settings.shutdown_timeout.as_secs())?;
                let handle = server.handle();
                tokio::spawn(server);
                Some(handle)
            }
        };
        let (stop_search, stopped) = tokio::sync::watch::channel(false);
        let search = tokio::spawn(search.follow(store.clone(), stopped));
        let workers = mail.map(|mail| {
            Workers::start(
                &store,
                &commands,
                &payments,
                &mail,
                settings.expiry_interval,
                settings.payments.sweep_interval,
            )
        });
        if workers.is_none() {
            tracing::info!(
                "projections and process managers left to `salle worker` (SALLE_WORKERS=external)"
            );
        }
        Ok(Self { port, server: server.run(), probes, store, workers, search, stop_search })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM (actix handles both: it stops accepting,
    /// lets requests in flight finish within the shutdown timeout), then
    /// stops the background tasks (each commits its batch and checkpoint
    /// first) and closes the store.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let served = self.server.await.context("serving HTTP");
        tracing::info!("HTTP stopped; stopping the background tasks");
        if let Some(probes) = self.probes {
            probes.stop(true).await;
        }
        let _ = self.stop_search.send(true);
        let _ = self.search.await;
        if let Some(workers) = self.workers {
            workers.stop().await;
        }
        self.store.close().await;
        tracing::info!("salle stopped");
        served?;
        Ok(())
    }
}
