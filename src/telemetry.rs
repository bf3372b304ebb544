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
    let method = crate::metrics::method_label(req.method().as_str());
    let span = tracing::info_span!("request", request_id = %id, method = %method);
    let mut res = next.call(req).instrument(span.clone()).await?;
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    crate::metrics::observe_request(method, &route, status, seconds);
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

/// Middleware: a handler that panics answers an opaque 500 (the panic is
/// logged once) instead of dropping the connection. Panics are bugs; this
/// keeps one from taking the answer, and the worker thread, with it.
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use futures_util::FutureExt;
    // The request cannot be kept aside for the answer (actix needs it
    // unshared while the handler runs): the panic becomes an error, which
    // actix answers with the error's own response, the opaque 500.
    match std::panic::AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(answer) => answer,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(crate::app::AppError::Internal(anyhow::anyhow!("a handler panicked: {what}")).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{App, middleware::from_fn, test, web};

    async fn boom() -> &'static str {
        panic!("secret detail in a panic")
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_an_opaque_500_and_the_service_lives_on() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(super::catch_panics))
                .route("/boom", web::get().to(boom))
                .route("/fine", web::get().to(|| async { "fine" })),
        )
        .await;
        // The panic comes out as the error actix answers with (what the
        // server sends for it is the error's own response).
        let error = test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request())
            .await
            .err()
            .expect("the panic became an error");
        let answer = error.error_response();
        assert_eq!(answer.status(), 500);
        let body = actix_web::body::to_bytes(answer.into_body()).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("\"internal\"") && !text.contains("secret detail"), "{text}");
        let answer = test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(answer.status(), 200);
    }
}
