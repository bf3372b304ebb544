//! Who is looking at a page: their session (if any), their form token and
//! their language; and how a page answers, including when it refuses.
//!
//! Sessions: a random token in the `__Host-salle` cookie (Secure, HttpOnly,
//! SameSite=Lax, Path=/), a new one at each sign-in, ended by an idle and an
//! absolute timeout (`app::accounts`). Before sign-in, forms carry the token
//! of the `__Host-salle-csrf` cookie (double submit).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use chrono::Utc;
use salle_web::Lang;
use salle_web::layout::Chrome;

use crate::app::accounts::{self, Account, Role, SessionKind};
use crate::app::{App, AppError, Caller};
use crate::http::pages::labels::role_label;

/// A page's error: the same as the API's, answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.0.status_code();
        let message = match &self.0 {
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error");
                "Une erreur interne est survenue ; elle a été enregistrée. Réessayez plus tard.".to_owned()
            }
            other => other.to_string(),
        };
        HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(salle_web::pages::error(Lang::Fr, status.as_u16(), &message).into_string())
    }
}

macro_rules! page_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                Self(e.into())
            }
        }
    )*};
}
page_error_from!(
    AppError,
    crate::commands::CommandError,
    crate::app::accounts::AccountError,
    crate::app::invitations::InvitationError,
    crate::domain::DomainError
);

pub const SESSION_COOKIE: &str = "__Host-salle";
const CSRF_COOKIE: &str = "__Host-salle-csrf";

/// Who is looking at a page.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub account: Option<Account>,
    pub csrf: String,
    pub lang: Lang,
    pub(crate) session: Option<String>,
    /// The CSRF cookie must be set with the answer.
    new_csrf: bool,
}

impl FromRequest for Visitor {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<App>>().cloned();
        let session = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let csrf_cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() == 64);
        let lang = Lang::from_accept_language(
            req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        );
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no application state")))?;
            if let Some(token) = &session
                && let Some((account, csrf)) =
                    accounts::session(&state.store, token, SessionKind::Web, Utc::now()).await?
            {
                return Ok(Self { account: Some(account), csrf, lang, session, new_csrf: false });
            }
            let (csrf, new_csrf) = match csrf_cookie {
                Some(c) => (c, false),
                None => (accounts::random_token(), true),
            };
            Ok(Self { account: None, csrf, lang, session: None, new_csrf })
        })
    }
}

impl Visitor {
    pub fn caller(&self) -> Option<Caller> {
        self.account.clone().map(Caller)
    }

    /// A form's token must be this visitor's (compared in constant time).
    pub(crate) fn check(&self, submitted: &str) -> Result<(), AppError> {
        use subtle::ConstantTimeEq;
        if bool::from(self.csrf.as_bytes().ct_eq(submitted.as_bytes())) && !submitted.is_empty() {
            return Ok(());
        }
        Err(AppError::Forbidden("Le formulaire a expiré : rechargez la page et recommencez.".into()))
    }

    pub(crate) async fn chrome(&self, state: &App) -> Chrome {
        let lang = self.lang;
        let Some(account) = &self.account else { return Chrome::anonymous(lang, &self.csrf) };
        // The header shows what it can: a count the store cannot give is left out.
        let pending = if account.role == Role::Manager {
            crate::app::bookings::pending_for(state, &Caller(account.clone())).await.ok()
        } else {
            None
        };
        Chrome {
            lang,
            user: Some((account.name.clone(), role_label(lang, account.role).to_owned())),
            pending,
            csrf: self.csrf.clone(),
            ledgers: account.role != Role::Association,
            manages: matches!(account.role, Role::Manager | Role::Admin),
            admin: account.role == Role::Admin,
            association: account.role == Role::Association,
        }
    }

    /// An HTML answer, setting the CSRF cookie for a new visitor.
    pub(crate) fn html(&self, status: actix_web::http::StatusCode, markup: maud::Markup) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8");
        if self.new_csrf {
            response.cookie(host_cookie(CSRF_COOKIE, &self.csrf));
        }
        response.body(markup.into_string())
    }

    pub(crate) fn ok(&self, markup: maud::Markup) -> HttpResponse {
        self.html(actix_web::http::StatusCode::OK, markup)
    }
}

pub(crate) fn host_cookie(name: &'static str, value: &str) -> Cookie<'static> {
    Cookie::build(name, value.to_owned())
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish()
}

pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_owned())).finish()
}
