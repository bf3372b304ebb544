//! One typed `Settings` value, built once from flags and environment at
//! start-up, validated, and passed down. Nothing reads the environment later.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use salle_events::{StoreOptions, store::backend_of};

/// The embedded store, created on first start next to where salle runs.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/salle.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://…` (embedded) or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// How long a graceful shutdown waits for requests in flight.
    pub shutdown_timeout: Duration,
    /// Number of HTTP worker threads (0: one per core).
    pub http_workers: usize,
    /// How often expired requests and unpaid bookings are looked for.
    pub expiry_interval: Duration,
    /// Seed the demo marketplace at start when the log is empty.
    pub demo: bool,
}

impl Settings {
    /// Validates raw values into settings, naming the setting that is wrong.
    pub fn new(database_url: &str, bind: &str, max_connections: u32) -> anyhow::Result<Self> {
        let database_url = database_url.trim().to_owned();
        backend_of(&database_url)?;
        let bind: SocketAddr = bind
            .parse()
            .with_context(|| format!("SALLE_BIND « {bind} » is not an address such as 127.0.0.1:8080"))?;
        if !(1..=1000).contains(&max_connections) {
            bail!("SALLE_MAX_CONNECTIONS must be between 1 and 1000 (got {max_connections})");
        }
        Ok(Self {
            database_url,
            bind,
            max_connections,
            acquire_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(30),
            http_workers: 0,
            expiry_interval: Duration::from_secs(30),
            demo: false,
        })
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            max_connections: self.max_connections,
            acquire_timeout: self.acquire_timeout,
            ..StoreOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let s = Settings::new(DEFAULT_DATABASE_URL, DEFAULT_BIND, 16).unwrap();
        assert_eq!(s.bind.port(), 8080);
    }

    #[test]
    fn each_bad_value_names_its_setting() {
        let url = Settings::new("mysql://x", DEFAULT_BIND, 16).unwrap_err();
        assert!(format!("{url:#}").contains("SALLE_DATABASE_URL"), "{url:#}");
        let bind = Settings::new(DEFAULT_DATABASE_URL, "localhost", 16).unwrap_err();
        assert!(format!("{bind:#}").contains("SALLE_BIND"), "{bind:#}");
        let pool = Settings::new(DEFAULT_DATABASE_URL, DEFAULT_BIND, 0).unwrap_err();
        assert!(format!("{pool:#}").contains("SALLE_MAX_CONNECTIONS"), "{pool:#}");
    }
}
