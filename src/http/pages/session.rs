//! Signing in and out, and an association's sign-up: the form, then the
//! link of its e-mail (then signed in).

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use salle_events::catalog::association::RequesterCategory;
use salle_web::marketplace::{self as views};

use crate::app::accounts::{self, SessionKind};
use crate::app::registration::NewAssociation;
use crate::app::sign_in::SignInError;
use crate::app::{App, AppError};
use crate::http::client::ClientAddress;
use crate::http::pages::form::Posted;
use crate::http::pages::labels::categories;
use crate::http::pages::visitor::{PageError, SESSION_COOKIE, Visitor, host_cookie, see_other};

/// The answer that starts a session: its cookie, then the bookings.
fn signed_in(token: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/reservations"))
        .cookie(host_cookie(SESSION_COOKIE, token))
        .finish()
}

#[get("/connexion")]
pub async fn sign_in_page(state: web::Data<App>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    if visitor.account.is_some() {
        return Ok(see_other("/reservations"));
    }
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::sign_in(&chrome, "", None)))
}

/// `POST /connexion`: a new session (a new token each time), then the bookings.
#[post("/connexion")]
pub async fn sign_in(
    state: web::Data<App>,
    client: ClientAddress,
    Posted { visitor, fields }: Posted,
) -> Result<HttpResponse, PageError> {
    let (email, password) = (fields.get("email"), fields.raw("password"));
    let account = match crate::app::sign_in::attempt(
        &state.store,
        &state.sign_ins,
        &email,
        &password,
        client.0,
    )
    .await
    {
        Ok(account) => account,
        Err(e @ (SignInError::Wrong | SignInError::RateLimited { .. })) => {
            let error = AppError::from(e);
            let chrome = visitor.chrome(&state).await;
            let mut answer = visitor.html(
                actix_web::ResponseError::status_code(&error),
                views::sign_in(&chrome, &email, Some(&error.to_string())),
            );
            if let Some(secs) = error.retry_after_secs()
                && let Ok(value) = header::HeaderValue::from_str(&secs.to_string())
            {
                answer.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(answer);
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    if let Some(old) = &visitor.session {
        accounts::sign_out(&state.store, old).await?;
    }
    let issued = accounts::sign_in(&state.store, account.user_id, SessionKind::Web, Utc::now()).await?;
    Ok(signed_in(&issued.token))
}

#[get("/inscription")]
pub async fn sign_up_page(state: web::Data<App>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let chrome = visitor.chrome(&state).await;
    let values = views::SignUpValues {
        category: RequesterCategory::LocalAssociation.to_string(),
        ..Default::default()
    };
    Ok(visitor.ok(views::sign_up(&chrome, &values, &categories(visitor.lang), None)))
}

/// `POST /inscription`: the association and its account, then signed in.
#[post("/inscription")]
pub async fn sign_up(
    state: web::Data<App>,
    client: ClientAddress,
    Posted { visitor, fields }: Posted,
) -> Result<HttpResponse, PageError> {
    let typed = views::SignUpValues {
        name: fields.get("name"),
        identifier: fields.get("identifier"),
        category: fields.get("category"),
        contact_name: fields.get("contact_name"),
        email: fields.get("email"),
        phone: fields.get("phone"),
    };
    let password = fields.raw("password");
    // An RNA starts with W; anything else is read as a SIRET.
    let rna = typed.identifier.to_ascii_uppercase().starts_with('W');
    let created = match typed.category.parse::<RequesterCategory>() {
        Ok(category) => {
            let new = NewAssociation {
                name: typed.name.clone(),
                rna: rna.then(|| typed.identifier.clone()),
                siret: (!rna).then(|| typed.identifier.clone()),
                category,
                email: typed.email.clone(),
                password: password.clone(),
                contact_name: typed.contact_name.clone(),
                phone: Some(typed.phone.clone()).filter(|p| !p.is_empty()),
                lang: visitor.lang,
            };
            crate::app::registration::register(&state, &new, client.0).await
        }
        Err(_) => Err(AppError::from(crate::domain::DomainError::rule(
            "invalid_category",
            "Choisissez une catégorie de la liste.",
        ))),
    };
    match created {
        Ok(_) => Ok(visitor.ok(views::check_your_mail(&visitor.chrome(&state).await, &typed.email, true))),
        Err(
            e @ (AppError::Unprocessable { .. }
            | AppError::Conflict { .. }
            | AppError::TooManyRequests { .. }),
        ) => {
            // Nothing typed is lost but the password.
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(
                status,
                views::sign_up(&chrome, &typed, &categories(visitor.lang), Some(&e.to_string())),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /inscription/confirmer/{token}`: the link of the sign-up's e-mail.
#[get("/inscription/confirmer/{token}")]
pub async fn confirm_page(
    state: web::Data<App>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::confirm_sign_up(&chrome, &token, None)))
}

/// `POST /inscription/confirmer/{token}`: the account and the association, then signed in.
#[post("/inscription/confirmer/{token}")]
pub async fn confirm(
    state: web::Data<App>,
    token: web::Path<String>,
    Posted { visitor, .. }: Posted,
) -> Result<HttpResponse, PageError> {
    match crate::app::registration::confirm(&state, &token).await {
        Ok(done) => {
            if let Some(old) = &visitor.session {
                accounts::sign_out(&state.store, old).await?;
            }
            let issued = accounts::sign_in(&state.store, done.user_id, SessionKind::Web, Utc::now()).await?;
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/association"))
                .cookie(host_cookie(SESSION_COOKIE, &issued.token))
                .finish())
        }
        Err(e @ (AppError::NotFound(_) | AppError::Conflict { .. } | AppError::Unprocessable { .. })) => {
            let chrome = visitor.chrome(&state).await;
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::confirm_sign_up(&chrome, &token, Some(&e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/deconnexion")]
pub async fn sign_out(
    state: web::Data<App>,
    Posted { visitor, .. }: Posted,
) -> Result<HttpResponse, PageError> {
    if let Some(token) = &visitor.session {
        accounts::sign_out(&state.store, token).await?;
    }
    let mut gone = host_cookie(SESSION_COOKIE, "");
    gone.make_removal();
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/")).cookie(gone).finish())
}
