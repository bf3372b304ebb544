//! Logging: human-readable on a terminal, JSON lines (`SALLE_LOG_FORMAT=json`)
//! in containers. Levels from `RUST_LOG` (default `info`). Logs go to stderr so
//! that commands printing data (`events tail`) keep stdout clean.
//!
//! Every request runs in a `request` span carrying its id (the caller's
//! `X-Request-Id` when it is a plain token, a fresh one otherwise, echoed in
//! the answer); appends and projection batches log inside their own spans
//! with the log positions that tie them together. Nothing personal is
//! logged: a request is its method, its route pattern (never the path, which
//! may hold an invitation token, nor the query string), its status and its
//! latency.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = if json {
        builder.json().with_current_span(false).with_span_list(true).try_init()
    } else {
        builder.try_init()
    };
}

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The caller's request id when it is a plain token of at most 64
/// characters; otherwise a fresh UUID v7.
fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string())
}

/// Middleware: the request's span and id, its log line and its latency in
/// `/metrics`.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method);
    let mut res = next.call(req).instrument(span.clone()).await?;
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    crate::metrics::observe_request(&method, &route, status, seconds);
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    if !matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics") {
        span.in_scope(|| {
            tracing::info!(route = %route, status, ms = (seconds * 1000.0 * 10.0).round() / 10.0, "answered")
        });
    }
    Ok(res)
}
