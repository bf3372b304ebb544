//! # salle — rooms of public establishments for local associations
//!
//! An event-sourced marketplace: associations find, book and pay for rooms in
//! collèges, gymnasiums and cultural venues outside school hours; managers keep
//! every slot and all the revenue; finance audits a ledger per establishment.
//!
//! # Layout
//! - [`app`]: the use-cases, one module per capability, each taking the [`app::App`], a
//!   caller and typed input; who may do what is decided in [`app::access`].
//! - [`commands`]: the write side (load → decide → append → bounded retry).
//! - [`process`]: the process managers that follow the log (payments, deadlines, mail).
//! - [`mail`]: e-mail: letters, the outbox, SMTP or a folder; the notices and their words.
//! - [`domain`]: the `salle-domain` crate, pure decisions (re-exported here).
//! - [`payments`]: the payment provider's port, its adapters and webhook verification.
//! - [`finance`]: the ledger as finance reads it, exports and reconciliation.
//! - [`http`]: the thin edge: `/api/v1` and the pages, one file per resource.
//! - [`config`]: one typed [`config::Settings`], from flags and environment, validated once.
//! - [`startup`]: [`startup::Application`]: store, migrations, HTTP server, graceful shutdown.
//! - [`worker`]: the background tasks (projections, sealer, process managers), in `serve` or `salle worker`.
//! - [`metrics`]: `/metrics` in Prometheus's text format; [`telemetry`]: logs and request spans.
//! - [`read_side`]: the projections `serve` keeps, their lag, and rebuilds; the search index.
//! - [`seed`]: the demo marketplace built from the shipped Isère data.
//! - [`cli`]: the `salle` command line; [`bench`], [`bench_read`]: the benchmarks behind `salle bench`.
//!
//! The log itself lives in the `salle-events` crate (`events/`), the decisions
//! in `salle-domain` (`domain/`), the read side in `salle-projections`
//! (`projections/`), the pages' views in `salle-web` (`web/`).

pub mod app;
pub mod bench;
pub mod bench_read;
pub mod cli;
pub mod commands;
pub mod config;
pub use salle_domain as domain;
pub mod finance;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod payments;
pub mod process;
pub mod read_side;
pub mod seed;
pub mod startup;
pub mod telemetry;
pub mod worker;
