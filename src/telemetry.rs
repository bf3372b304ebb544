//! Logging: human-readable on a terminal, JSON lines (`SALLE_LOG_FORMAT=json`)
//! in containers. Levels from `RUST_LOG` (default `info`). Logs go to stderr so
//! that commands printing data (`events tail`) keep stdout clean.

use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
