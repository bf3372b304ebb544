//! A person's own account: a forgotten password (the link by e-mail, then
//! the new password), and `/compte`, what they are told by e-mail and in
//! which language.

use actix_web::{HttpResponse, get, post, web};
use salle_web::Lang;
use salle_web::marketplace::{self as views, AgendaView, NoticeChoice};
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::{App, AppError, Caller, calendars, notices};
use crate::http::pages::form::{Posted, SignedInPost};
use crate::http::pages::labels::{local_moment, tr};
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::{PageError, Visitor, see_other};
use crate::mail::notice::Notice;

#[get("/mot-de-passe-oublie")]
pub async fn forgot_page(state: web::Data<App>, visitor: Visitor) -> Result<HttpResponse, PageError> {
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::forgot_password(&chrome, "", None)))
}

/// `POST /mot-de-passe-oublie`: the same answer whether or not the address has an account.
#[post("/mot-de-passe-oublie")]
pub async fn forgot(
    state: web::Data<App>,
    Posted { visitor, fields }: Posted,
) -> Result<HttpResponse, PageError> {
    let email = fields.get("email");
    let chrome = visitor.chrome(&state).await;
    match crate::app::password_reset::request(&state, &email).await {
        Ok(()) => Ok(visitor.ok(views::check_your_mail(&chrome, &email, false))),
        Err(e @ AppError::Unprocessable { .. }) => {
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::forgot_password(&chrome, &email, Some(&e.to_string()))))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /mot-de-passe/{token}`: the link of the e-mail.
#[get("/mot-de-passe/{token}")]
pub async fn new_password_page(
    state: web::Data<App>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let chrome = visitor.chrome(&state).await;
    match crate::app::password_reset::check(&state, &token).await {
        Ok(()) => Ok(visitor.ok(views::new_password(&chrome, &token, None, true))),
        Err(e @ AppError::NotFound(_)) => {
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::new_password(&chrome, &token, Some(&e.to_string()), false)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /mot-de-passe/{token}`: the new password; every session ends, then sign in.
#[post("/mot-de-passe/{token}")]
pub async fn new_password(
    state: web::Data<App>,
    token: web::Path<String>,
    Posted { visitor, fields }: Posted,
) -> Result<HttpResponse, PageError> {
    let (password, again) = (fields.raw("password"), fields.raw("again"));
    let outcome = if password != again {
        Err(AppError::Unprocessable {
            code: "passwords_differ",
            message: tr(
                visitor.lang,
                "Les deux mots de passe diffèrent : tapez le même deux fois.",
                "The two passwords differ: type the same one twice.",
            )
            .to_owned(),
        })
    } else {
        crate::app::password_reset::reset(&state, &token, &password).await
    };
    let chrome = visitor.chrome(&state).await;
    match outcome {
        Ok(_) => Ok(see_other("/connexion")),
        Err(e @ (AppError::NotFound(_) | AppError::Unprocessable { .. })) => {
            let usable = !matches!(e, AppError::NotFound(_));
            let status = actix_web::ResponseError::status_code(&e);
            Ok(visitor.html(status, views::new_password(&chrome, &token, Some(&e.to_string()), usable)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The account's calendar links, for those who have bookings of their own.
async fn agenda(
    state: &App,
    caller: &Caller,
    new_link: Option<(String, String)>,
) -> Result<Option<AgendaView>, AppError> {
    if !matches!(caller.role(), Role::Association | Role::Manager) {
        return Ok(None);
    }
    let feeds = calendars::feeds(state, caller)
        .await?
        .into_iter()
        .map(|f| (f.feed_id.to_string(), local_moment(f.created_at)))
        .collect();
    Ok(Some(AgendaView { feeds, new_link }))
}

async fn page(
    state: &App,
    visitor: &Visitor,
    caller: &Caller,
    saved: bool,
    new_link: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let choices = notices::choices(state, caller).await?;
    let list: Vec<NoticeChoice> = choices
        .offered
        .iter()
        .map(|n| NoticeChoice {
            code: n.code().to_owned(),
            label: n.label(visitor.lang).to_owned(),
            receives: choices.receives.contains(n),
        })
        .collect();
    let agenda = agenda(state, caller, new_link).await?;
    let chrome = visitor.chrome(state).await;
    Ok(visitor.ok(views::notices(&chrome, choices.lang.code(), &list, saved, agenda.as_ref())))
}

/// `GET /compte`: what the account is told by e-mail; its calendar links.
#[get("/compte")]
pub async fn account_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    page(&state, &visitor, &caller, false, None).await
}

/// `POST /compte`: the language and the notices received (unticked: turned off).
#[post("/compte")]
pub async fn save_account(
    state: web::Data<App>,
    SignedInPost { visitor, caller, fields }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_code(&fields.get("lang")).unwrap_or_default();
    let receives: Vec<Notice> = fields.all("receives").iter().filter_map(|c| Notice::parse(c)).collect();
    notices::choose(&state, &caller, lang, &receives).await?;
    page(&state, &visitor, &caller, true, None).await
}

/// `POST /compte/agendas`: a new secret calendar link, shown once.
#[post("/compte/agendas")]
pub async fn new_agenda(
    state: web::Data<App>,
    SignedInPost { visitor, caller, .. }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    let feed = calendars::create_feed(&state, &caller).await?;
    page(&state, &visitor, &caller, false, Some((feed.url, feed.webcal))).await
}

/// `POST /compte/agendas/{id}/revoquer`: the link answers 404 from now on.
#[post("/compte/agendas/{id}/revoquer")]
pub async fn revoke_agenda(
    state: web::Data<App>,
    id: web::Path<Uuid>,
    SignedInPost { caller, .. }: SignedInPost,
) -> Result<HttpResponse, PageError> {
    calendars::revoke(&state, &caller, id.into_inner()).await?;
    Ok(see_other("/compte#agenda"))
}
