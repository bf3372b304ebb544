//! # salle — rooms of public establishments for local associations
//!
//! An event-sourced marketplace: associations find, book and pay for rooms in
//! collèges, gymnasiums and cultural venues outside school hours; managers keep
//! every slot and all the revenue; finance audits a ledger per establishment.
//!
//! # Layout
//! - [`app`]: command handling (load → decide → append → bounded retry) and personal data.
//! - [`config`]: one typed [`config::Settings`], from flags and environment, validated once.
//! - [`startup`]: [`startup::Application`]: store, migrations, HTTP server, graceful shutdown.
//! - [`domain`]: pure decisions: identifiers, calendar, slots, opening rules, tariffs,
//!   establishments, associations, rooms and their bookings, weekly series.
//! - [`http`]: actix handlers (`/healthz`, `/readyz`) and [`http::error::AppError`].
//! - [`worker`]: the background tasks (projections, sealer, payments, deadlines), in `serve` or `salle worker`.
//! - [`metrics`]: `/metrics` in Prometheus's text format; [`telemetry`]: logs and request spans.
//! - [`read_side`]: the projections `serve` keeps, their lag, and rebuilds.
//! - [`seed`]: the demo marketplace built from the shipped Isère data.
//! - [`cli`]: the `salle` command line (serve, migrate, events tail, bench store).
//! - [`bench`]: the store benchmark behind `salle bench store`.
//! - [`bench_read`]: the read-side benchmark behind `salle bench read-side`.
//!
//! The log itself lives in the `salle-events` crate (`events/`), the read side
//! in `salle-projections` (`projections/`), the pages in `salle-web` (`web/`).

pub mod app;
pub mod bench;
pub mod bench_read;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod finance;
pub mod http;
pub mod metrics;
pub mod payments;
pub mod process;
pub mod read_side;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod worker;
