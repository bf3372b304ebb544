//! `SignedIn`: a page handler that needs someone signed in says so in its
//! signature, and anyone else is sent to `/connexion` before the handler
//! runs. The API's counterpart is the bearer token's `Caller` (401 instead
//! of a redirect).

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, dev::Payload};

use crate::app::Caller;
use crate::http::pages::visitor::{PageError, Visitor, see_other};

/// The visitor of a page, signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub visitor: Visitor,
    pub caller: Caller,
}

/// Why a page that needs someone signed in was not served.
#[derive(Debug)]
pub enum Rejection {
    /// Nobody is signed in: the sign-in page.
    SignInFirst,
    /// The visitor could not be read (the store did not answer…).
    Page(PageError),
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SignInFirst => f.write_str("sign in first"),
            Self::Page(e) => e.fmt(f),
        }
    }
}

impl ResponseError for Rejection {
    fn status_code(&self) -> actix_web::http::StatusCode {
        match self {
            Self::SignInFirst => actix_web::http::StatusCode::SEE_OTHER,
            Self::Page(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignInFirst => see_other("/connexion"),
            Self::Page(e) => e.error_response(),
        }
    }
}

impl FromRequest for SignedIn {
    type Error = Rejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.await.map_err(Rejection::Page)?;
            let caller = visitor.caller().ok_or(Rejection::SignInFirst)?;
            Ok(Self { visitor, caller })
        })
    }
}
