//! How a page reads what is posted: one way for every form. [`Posted`] reads
//! the body, checks its CSRF token against the visitor's and keeps the
//! fields; [`SignedInPost`] also needs someone signed in. A refusal is a
//! page, never actix's plain-text 400.
//!
//! Bodies are read with `form_urlencoded` rather than `web::Form` because
//! checkboxes repeat one name, which `serde_urlencoded` cannot collect.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use crate::app::{AppError, Caller};
use crate::http::pages::signed_in::Rejection;
use crate::http::pages::visitor::{PageError, Visitor};

/// The fields of a posted form, names repeated as sent.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    }

    /// The first value of `name` as sent, untrimmed (passwords).
    pub fn raw(&self, name: &str) -> String {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of `name` (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether a checkbox sent `value` (`1` by the pages' convention).
    pub fn checked(&self, name: &str) -> bool {
        self.get(name) == "1"
    }
}

/// A form's value that cannot be accepted (422), with why.
pub fn refused(message: impl Into<String>) -> AppError {
    AppError::Unprocessable { code: "invalid_form", message: message.into() }
}

pub use crate::domain::typed::{euros, parse_euros};

/// A posted body's fields, once its CSRF token is checked against the
/// visitor's (for the handlers that must decide something before reading
/// it; the others take [`Posted`] or [`SignedInPost`]).
pub fn checked(visitor: &Visitor, body: &[u8]) -> Result<Fields, AppError> {
    let fields = Fields::parse(body);
    visitor.check(&fields.get("csrf"))?;
    Ok(fields)
}

/// A posted form, its CSRF token checked, and who posted it.
pub struct Posted {
    pub visitor: Visitor,
    pub fields: Fields,
}

async fn read(
    visitor: Visitor,
    body: impl Future<Output = Result<web::Bytes, actix_web::Error>>,
) -> Result<Posted, PageError> {
    let body = body.await.map_err(|e| {
        PageError(AppError::BadRequest {
            code: "invalid_form",
            message: format!("Le formulaire n'a pas pu être lu : {e}."),
        })
    })?;
    let fields = checked(&visitor, &body)?;
    Ok(Posted { visitor, fields })
}

impl FromRequest for Posted {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move { read(visitor.await?, body).await })
    }
}

/// A form posted by someone signed in (anyone else is sent to sign in
/// first), its CSRF token checked.
pub struct SignedInPost {
    pub visitor: Visitor,
    pub caller: Caller,
    pub fields: Fields,
}

impl FromRequest for SignedInPost {
    type Error = Rejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.await.map_err(Rejection::Page)?;
            let caller = visitor.caller().ok_or(Rejection::SignInFirst)?;
            let Posted { visitor, fields } = read(visitor, body).await.map_err(Rejection::Page)?;
            Ok(Self { visitor, caller, fields })
        })
    }
}
