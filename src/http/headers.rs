//! Headers of every answer: what the browser may load and where forms may
//! go (Content-Security-Policy), no framing, no MIME sniffing, no referrer
//! outside the site, HTTPS only once salle is served over it, and nothing
//! personal kept in a cache.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{self, Next};

/// Where forms may lead, directly or through the redirect that answers
/// them: salle itself, Stripe's hosted checkout (`POST …/pay`) and Stripe
/// Connect's onboarding (`POST …/versements`, whose 303 leads to an account
/// link on connect.stripe.com).
pub const FORM_ACTION: &str = "'self' https://checkout.stripe.com https://connect.stripe.com";

pub fn content_security_policy() -> String {
    format!(
        "default-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; style-src 'self'; \
         script-src 'self'; form-action {FORM_ACTION}; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// A year of HTTPS only, sent when the public URL is https (over plain HTTP
/// browsers ignore it, and a commune testing on a laptop must not be locked
/// out of http://127.0.0.1 for a year).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

pub fn security(https: bool) -> middleware::DefaultHeaders {
    let headers = middleware::DefaultHeaders::new()
        .add(("Content-Security-Policy", content_security_policy()))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"));
    if https { headers.add(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)) } else { headers }
}

/// Middleware: API answers and every page seen with a session are
/// `Cache-Control: no-store`, so a shared computer's cache or a proxy never
/// keeps a booking, a ledger or a token. Answers that chose their own
/// caching (the stylesheet, the map's scripts) keep it.
pub async fn no_store(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let private = req.path().starts_with("/api/")
        || req.headers().contains_key(header::AUTHORIZATION)
        || req.cookie(crate::http::pages::SESSION_COOKIE).is_some();
    let mut res = next.call(req).await?;
    if private && !res.headers().contains_key(header::CACHE_CONTROL) {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
