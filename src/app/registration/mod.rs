//! An association signs up in two steps. First it says who it is and
//! chooses a password: everything is checked, then kept aside (out of the
//! log, out of the accounts) and a link is mailed to the address given.
//! Following the link — within [`CONFIRMATION_LIFETIME`] — creates the
//! account and the association, both or neither.
//!
//! The first step answers the same, in the same time, whether or not the
//! address has an account already: when it has one, its owner is told by
//! e-mail that somebody tried, and nothing else happens. So a sign-up never
//! tells who has an account, and an RNA is never held by somebody who cannot
//! read the mail of the address they gave. Sign-ups are limited per address
//! (`SALLE_SIGN_UPS_PER_HOUR`).

mod store;

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use salle_events::Metadata;
use salle_events::catalog::association::RequesterCategory;
use salle_web::Lang;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::accounts::{self, Role};
use crate::app::{App, AppError};
use crate::commands::personal_data::Contact;
use crate::domain::DomainError;
use crate::domain::association::{Association, AssociationCommand};
use crate::mail::notice::Notice;
use crate::mail::{Letter, Recipient, texts};

/// How long the link of a sign-up works.
pub const CONFIRMATION_LIFETIME: Duration = Duration::hours(48);

/// What an association gives when it signs up.
#[derive(Debug, Clone)]
pub struct NewAssociation {
    pub name: String,
    pub rna: Option<String>,
    pub siret: Option<String>,
    pub category: RequesterCategory,
    pub email: String,
    pub password: String,
    pub contact_name: String,
    pub phone: Option<String>,
    /// The language of its messages (the page's, or the request's).
    pub lang: Lang,
}

/// What is kept until the address is confirmed (the password only hashed).
#[derive(Debug, Serialize, Deserialize)]
struct Details {
    name: String,
    rna: Option<String>,
    siret: Option<String>,
    category: RequesterCategory,
    email: String,
    password_hash: String,
    contact_name: String,
    phone: Option<String>,
    lang: String,
}

/// The first step: checks everything, keeps it aside and mails the link.
/// Answers the id the association will have once confirmed.
pub async fn register(app: &App, new: &NewAssociation, from: IpAddr) -> Result<Uuid, AppError> {
    app.sign_ups.attempt(from, std::time::Instant::now()).map_err(|retry_after_secs| {
        AppError::TooManyRequests {
            message: format!(
                "Trop d'inscriptions depuis cette adresse : réessayez dans {} minute(s).",
                retry_after_secs.div_ceil(60)
            ),
            retry_after_secs,
        }
    })?;
    let identifier = crate::domain::association::parse_identifier(new.rna.as_deref(), new.siret.as_deref())?;
    let contact = Contact::parse(&new.contact_name, &new.email, new.phone.as_deref())?;
    let email = accounts::normalise_email(&new.email)?;
    accounts::check_password(&new.password)?;
    let association_id = Uuid::now_v7();
    let now = Utc::now();
    // The domain's own checks of the association, before anything is kept.
    let registration = AssociationCommand::Register {
        association_id,
        name: new.name.clone(),
        category: new.category,
        identifier: identifier.clone(),
        contact_id: Uuid::nil(),
        now,
    };
    crate::domain::association::decide(&Association::default(), registration)?;
    let key = crate::domain::association::registry_key(&identifier);
    if crate::commands::identifiers::is_claimed(&app.store, &key).await? {
        return Err(registered(&identifier.to_string()).into());
    }
    // Hashed whether or not the address has an account: the same time either way.
    let password_hash = crate::app::passwords::hash(&new.password)
        .await
        .map_err(accounts::AccountError::from)?
        .ok_or_else(|| DomainError::rule("weak_password", "Ce mot de passe ne peut pas être enregistré."))?;
    match crate::mail::recipients::by_email(&app.store, &email).await? {
        Some(owner) => {
            let letter = attempt_letter(app, &owner);
            // At most one such message a day per address, however many tries.
            let cause = format!("sign-up-attempt/{}", now.date_naive());
            crate::app::mail_now(app, &cause, Notice::SignUpAttempt, &owner, &letter).await?;
        }
        None => {
            let token = accounts::random_token();
            let details = Details {
                name: new.name.trim().to_owned(),
                rna: new.rna.clone(),
                siret: new.siret.clone(),
                category: new.category,
                email: email.clone(),
                password_hash,
                contact_name: contact.name.clone(),
                phone: contact.phone.clone(),
                lang: new.lang.code().to_owned(),
            };
            let details = serde_json::to_string(&details).map_err(|e| AppError::Internal(e.into()))?;
            let expires_at = now + CONFIRMATION_LIFETIME;
            let hash = accounts::token_hash(&token);
            store::insert(&app.store, &hash, association_id, &email, &details, now, expires_at).await?;
            let to = Recipient { user_id: None, email, name: contact.name, lang: new.lang, muted: vec![] };
            let letter = confirm_letter(app, &to, &token, expires_at);
            crate::app::mail_now(app, &hash, Notice::ConfirmAddress, &to, &letter).await?;
        }
    }
    store::remove_expired(&app.store, now).await?;
    Ok(association_id)
}

/// A confirmed sign-up.
#[derive(Debug, Clone, Copy)]
pub struct Confirmed {
    pub user_id: Uuid,
    pub association_id: Uuid,
}

/// The second step: the link was followed. Creates the account and the
/// association, both or neither; the link works once.
pub async fn confirm(app: &App, token: &str) -> Result<Confirmed, AppError> {
    let now = Utc::now();
    let hash = accounts::token_hash(token);
    let pending = store::by_token_hash(&app.store, &hash).await?;
    let Some(pending) = pending.filter(|p| now < p.expires_at) else {
        return Err(DomainError::not_found(
            "sign_up_not_found",
            "Ce lien d'inscription n'existe pas, a déjà servi ou a expiré (il vaut 48 heures) : inscrivez-vous de nouveau.",
        )
        .into());
    };
    let d: Details = serde_json::from_str(&pending.details).map_err(|e| AppError::Internal(e.into()))?;
    let identifier = crate::domain::association::parse_identifier(d.rna.as_deref(), d.siret.as_deref())?;
    let contact = Contact::parse(&d.contact_name, &d.email, d.phone.as_deref())?;
    let association_id = pending.association_id;
    let meta =
        Metadata { correlation_id: Some(association_id), causation_id: None, actor: Some("sign-up".into()) };
    let user_id = accounts::create_hashed(
        &app.store,
        &d.email,
        &d.password_hash,
        &d.contact_name,
        Role::Association,
        Some(association_id),
        now,
    )
    .await?;
    let registered = app
        .commands
        .register_association(association_id, &d.name, d.category, identifier, &contact, now, &meta)
        .await;
    if let Err(e) = registered {
        // Nothing half-done: the account goes with the refused association.
        accounts::delete(&app.store, user_id).await?;
        return Err(e.into());
    }
    let lang = Lang::from_code(&d.lang).unwrap_or_default();
    accounts::set_preferences(&app.store, user_id, lang, &[]).await?;
    store::remove(&app.store, &hash).await?;
    Ok(Confirmed { user_id, association_id })
}

fn registered(identifier: &str) -> DomainError {
    DomainError::conflict(
        "association_registered",
        format!(
            "Une association de numéro {identifier} a déjà un compte sur salle : demandez à la personne \
             qui l'a ouvert de vous inviter depuis sa page « Mon association »."
        ),
    )
}

fn confirm_letter(app: &App, to: &Recipient, token: &str, expires_at: DateTime<Utc>) -> Letter {
    let lang = to.lang;
    let fr = lang == Lang::Fr;
    Letter {
        lang,
        subject: if fr {
            "Confirmez votre adresse pour finir l'inscription"
        } else {
            "Confirm your address to finish signing up"
        }
        .into(),
        greeting: texts::greeting(lang, &to.name),
        paragraphs: vec![
            if fr {
                "Vous avez commencé l'inscription de votre association sur salle. Pour la finir, confirmez que cette adresse est bien la vôtre.".into()
            } else {
                "You started signing your association up on salle. To finish, confirm that this address is yours.".into()
            },
            if fr {
                format!(
                    "Le lien vaut jusqu'au {}. Sans confirmation, rien n'est enregistré.",
                    texts::moment(lang, expires_at)
                )
            } else {
                format!(
                    "The link works until {}. Unconfirmed, nothing is kept.",
                    texts::moment(lang, expires_at)
                )
            },
        ],
        details: vec![],
        action: Some((
            if fr { "Confirmer mon adresse" } else { "Confirm my address" }.into(),
            app.mail.link(&format!("/inscription/confirmer/{token}")),
        )),
        footer: texts::footer(lang, Notice::ConfirmAddress, ""),
    }
}

fn attempt_letter(app: &App, to: &Recipient) -> Letter {
    let lang = to.lang;
    let fr = lang == Lang::Fr;
    Letter {
        lang,
        subject: if fr {
            "Une inscription a été tentée avec votre adresse"
        } else {
            "Somebody tried to sign up with your address"
        }
        .into(),
        greeting: texts::greeting(lang, &to.name),
        paragraphs: vec![
            if fr {
                "Quelqu'un a voulu inscrire une association sur salle avec cette adresse, qui a déjà un compte. Rien n'a été créé ni changé.".into()
            } else {
                "Somebody tried to sign an association up on salle with this address, which has an account already. Nothing was created or changed.".into()
            },
            if fr {
                "Si c'était vous, connectez-vous ; si vous avez oublié votre mot de passe, choisissez-en un nouveau.".into()
            } else {
                "If it was you, sign in; if you forgot your password, choose a new one.".into()
            },
        ],
        details: vec![],
        action: Some((
            if fr { "Choisir un nouveau mot de passe" } else { "Choose a new password" }.into(),
            app.mail.link("/mot-de-passe-oublie"),
        )),
        footer: texts::footer(lang, Notice::SignUpAttempt, ""),
    }
}
