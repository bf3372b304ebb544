//! `GET /metrics` in Prometheus's text format: HTTP latency by route, the
//! store's appends and conflicts (`salle_events::metrics`), each projection's
//! lag and leadership (`salle_projections::runner::metrics`), payment outcomes,
//! webhook rejections, and mail (outcomes and the outbox). Labels are routes and codes, never a person, an
//! id or an amount, so that series stay few and the scrape holds no personal data.

use std::sync::LazyLock;

use prometheus::{Encoder, GaugeVec, HistogramVec, IntCounterVec};
use salle_events::Store;
use salle_events::metrics::{counter_vec, gauge_vec, histogram_vec};

static HTTP_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram_vec(
        "salle_http_request_duration_seconds",
        "Time to answer an HTTP request, by method, route pattern and status class.",
        &[0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
        &["method", "route", "status"],
    )
});

static PAYMENT_OUTCOMES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "salle_payment_outcomes_total",
        "Verified provider notices recorded, by outcome (succeeded, declined, expired, account_updated, \
         ignored), and events the payment process had to skip (process_refused).",
        &["outcome"],
    )
});

static WEBHOOK_REJECTIONS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec("salle_webhook_rejections_total", "Webhook deliveries refused, by reason.", &["reason"])
});

static MAIL_OUTCOMES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "salle_mail_outcomes_total",
        "Attempts to send a message, by outcome (sent, deferred: tried again later, refused: the server \
         refused it for good, given_up: every attempt failed).",
        &["outcome"],
    )
});

static MAIL_OUTBOX: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "salle_mail_outbox_messages",
        "Messages in the outbox, by status (pending, sent, failed): alert on failed.",
        &["status"],
    )
});

static PROJECTION_LAG_EVENTS: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "salle_projection_lag_events",
        "Events appended but not yet applied, by projection.",
        &["projection"],
    )
});

static PROJECTION_LAG_SECONDS: LazyLock<GaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "salle_projection_lag_seconds",
        "Age of the oldest event not yet applied, by projection.",
        &["projection"],
    )
});

/// Observes one answered request. `route` is the matched pattern
/// (`/api/v1/rooms/{id}`), never the path with its ids.
/// A method as a label: one of the standard methods, or `other` — a made-up
/// method must not make a new time series.
pub fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|m| *m == method).unwrap_or("other")
}

pub fn observe_request(method: &str, route: &str, status: u16, seconds: f64) {
    let method = method_label(method);
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    HTTP_SECONDS.with_label_values(&[method, route, class]).observe(seconds);
}

pub fn payment_outcome(outcome: &str) {
    PAYMENT_OUTCOMES.with_label_values(&[outcome]).inc();
}

pub fn mail_outcome(outcome: &str) {
    MAIL_OUTCOMES.with_label_values(&[outcome]).inc();
}

/// Shows each reason at zero before the first rejection (the webhook's
/// reasons are declared once at start, where the payments are set up).
pub fn declare_webhook_reasons(reasons: &[&str]) {
    for reason in reasons {
        WEBHOOK_REJECTIONS.with_label_values(&[reason]);
    }
}

pub fn webhook_rejected(reason: &str) {
    WEBHOOK_REJECTIONS.with_label_values(&[reason]).inc();
}

/// Every family, the projection lags read now from the store, as text.
pub async fn render(store: &Store) -> anyhow::Result<String> {
    salle_events::metrics::touch();
    for outcome in ["succeeded", "declined", "expired", "account_updated", "ignored", "process_refused"] {
        PAYMENT_OUTCOMES.with_label_values(&[outcome]);
    }
    for outcome in ["sent", "deferred", "refused", "given_up"] {
        MAIL_OUTCOMES.with_label_values(&[outcome]);
    }
    let counts = crate::mail::outbox::counts(store).await?;
    for status in ["pending", "sent", "failed"] {
        let n = counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
        MAIL_OUTBOX.with_label_values(&[status]).set(n as f64);
    }
    for (name, lag) in crate::read_side::status(store).await? {
        PROJECTION_LAG_EVENTS.with_label_values(&[name]).set(lag.events_behind as f64);
        PROJECTION_LAG_SECONDS.with_label_values(&[name]).set(lag.seconds_behind);
        salle_projections::runner::metrics::LEADER.with_label_values(&[name]);
        salle_projections::runner::metrics::APPLIED.with_label_values(&[name]);
    }
    let mut text = Vec::new();
    prometheus::TextEncoder::new().encode(&prometheus::gather(), &mut text)?;
    Ok(String::from_utf8(text)?)
}

/// The text format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
