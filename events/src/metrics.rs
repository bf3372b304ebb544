//! What the store counts for `/metrics`: appends, the events they wrote and
//! the conflicts they met, by backend. The metrics live in the process's
//! default Prometheus registry, which `/metrics` encodes.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{GaugeVec, HistogramVec, IntCounterVec, IntGaugeVec, histogram_opts, opts};

use crate::error::AppendError;

/// Registers a metric in the default registry. A name registered twice is a
/// programming error caught by the first test that scrapes; the metric still
/// counts, it is only missing from the registry.
pub fn registered<M: prometheus::core::Collector + Clone + 'static>(metric: M) -> M {
    if let Err(e) = prometheus::register(Box::new(metric.clone())) {
        tracing::error!(error = %e, "a metric could not be registered");
    }
    metric
}

/// A registered family of counters. Its options are constants of the code,
/// so an error is a programming error the first scrape would show.
pub fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    registered(
        IntCounterVec::new(opts!(name, help), labels).unwrap_or_else(|e| unreachable!("metric {name}: {e}")),
    )
}

/// A registered family of histograms with these buckets (seconds).
pub fn histogram_vec(name: &str, help: &str, buckets: &[f64], labels: &[&str]) -> HistogramVec {
    registered(
        HistogramVec::new(histogram_opts!(name, help, buckets.to_vec()), labels)
            .unwrap_or_else(|e| unreachable!("metric {name}: {e}")),
    )
}

/// A registered family of gauges.
pub fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> GaugeVec {
    registered(
        GaugeVec::new(opts!(name, help), labels).unwrap_or_else(|e| unreachable!("metric {name}: {e}")),
    )
}

/// A registered family of integer gauges.
pub fn int_gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    registered(
        IntGaugeVec::new(opts!(name, help), labels).unwrap_or_else(|e| unreachable!("metric {name}: {e}")),
    )
}

static APPENDS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "salle_store_appends_total",
        "Appends to the event log, by backend and outcome.",
        &["backend", "outcome"],
    )
});

static EVENTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec("salle_store_events_appended_total", "Events written to the log, by backend.", &["backend"])
});

static APPEND_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram_vec(
        "salle_store_append_seconds",
        "Time to append to the log, commit included, by backend.",
        &[0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0],
        &["backend"],
    )
});

/// Counts one append: `ok` (with how many events), `conflict` (a stale
/// expected version) or `error`.
pub(crate) fn record_append<T>(
    backend: &'static str,
    took: Duration,
    events: usize,
    result: &Result<T, AppendError>,
) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(AppendError::Conflict(_)) => "conflict",
        Err(_) => "error",
    };
    APPENDS.with_label_values(&[backend, outcome]).inc();
    if result.is_ok() {
        EVENTS.with_label_values(&[backend]).inc_by(events as u64);
    }
    APPEND_SECONDS.with_label_values(&[backend]).observe(took.as_secs_f64());
}

/// Makes the store's metrics appear on `/metrics` before the first append.
pub fn touch() {
    for backend in ["sqlite", "postgres"] {
        for outcome in ["ok", "conflict", "error"] {
            APPENDS.with_label_values(&[backend, outcome]);
        }
        EVENTS.with_label_values(&[backend]);
        APPEND_SECONDS.with_label_values(&[backend]);
    }
}
