//! A forgotten password: the person gives their address; when it has an
//! account, a single-use link is mailed to it, valid for an hour (only its
//! hash is kept). Choosing the new password ends every session and token of
//! the account. The first step answers the same whether or not the address
//! has an account.

use chrono::Utc;
use salle_web::Lang;
use uuid::Uuid;

use crate::app::accounts;
use crate::app::{App, AppError};
use crate::domain::DomainError;
use crate::mail::notice::Notice;
use crate::mail::{Letter, texts};

/// Mails a link for a new password if `email` has an account. The answer
/// says nothing of whether it has one.
pub async fn request(app: &App, email: &str) -> Result<(), AppError> {
    let email = accounts::normalise_email(email)?;
    let now = Utc::now();
    let Some(to) = crate::mail::recipients::by_email(&app.store, &email).await? else {
        return Ok(());
    };
    let Some(user_id) = to.user_id else { return Ok(()) };
    let Some(token) = accounts::new_reset(&app.store, user_id, now).await? else { return Ok(()) };
    let lang = to.lang;
    let fr = lang == Lang::Fr;
    let letter = Letter {
        lang,
        subject: if fr { "Choisir un nouveau mot de passe" } else { "Choose a new password" }.into(),
        greeting: texts::greeting(lang, &to.name),
        paragraphs: vec![
            if fr {
                "Un nouveau mot de passe a été demandé pour votre compte salle. Le lien ci-dessous sert une fois, pendant une heure.".into()
            } else {
                "A new password was asked for your salle account. The link below works once, for an hour."
                    .into()
            },
            if fr {
                "Une fois le mot de passe changé, toutes les sessions ouvertes sont fermées. Si vous n'avez rien demandé, ignorez ce message : rien ne change.".into()
            } else {
                "Once the password is changed, every open session is closed. If you asked for nothing, ignore this message: nothing changes.".into()
            },
        ],
        details: vec![],
        action: Some((
            if fr { "Choisir mon mot de passe" } else { "Choose my password" }.into(),
            app.mail.link(&format!("/mot-de-passe/{token}")),
        )),
        footer: texts::footer(lang, Notice::PasswordReset, ""),
    };
    crate::app::mail_now(app, &accounts::token_hash(&token), Notice::PasswordReset, &to, &letter).await
}

/// Whether a link still works (the page asks before showing its form).
pub async fn check(app: &App, token: &str) -> Result<(), AppError> {
    match accounts::reset_holder(&app.store, token, Utc::now()).await? {
        Some(_) => Ok(()),
        None => Err(gone().into()),
    }
}

/// Sets the new password; answers the account (every session of it ended).
pub async fn reset(app: &App, token: &str, password: &str) -> Result<Uuid, AppError> {
    accounts::check_password(password)?;
    accounts::reset_password(&app.store, token, password, Utc::now()).await?.ok_or_else(|| gone().into())
}

fn gone() -> DomainError {
    DomainError::not_found(
        "reset_not_found",
        "Ce lien n'existe pas, a déjà servi ou a expiré (il vaut une heure) : demandez-en un nouveau.",
    )
}
