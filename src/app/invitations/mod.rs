//! Invitations: an admin names a person and an establishment, or a member
//! of an association names a second person of it (an association has one
//! account per RNA/SIREN, and its other members join it this way). salle
//! mails a link (a random 256-bit token, of which only the SHA-256 is kept)
//! to the person invited, and shows it to nobody. Whoever opens it within
//! [`LIFETIME`] chooses a password and becomes that establishment's
//! manager, or a member of that association; a link works once.

mod store;

use chrono::{DateTime, Duration, Utc};
use salle_events::{Metadata, Store};
use uuid::Uuid;

use crate::app::accounts::{self, AccountError, NewAccount, Role};
use crate::commands::{CommandError, Commands};
use crate::domain::establishment::EstablishmentCommand;
use crate::domain::{DomainError, text};

/// How long an invitation link works.
pub const LIFETIME: Duration = Duration::days(14);

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Command(#[from] CommandError),
}

impl From<DomainError> for InvitationError {
    fn from(e: DomainError) -> Self {
        Self::Account(e.into())
    }
}

impl From<salle_events::StoreError> for InvitationError {
    fn from(e: salle_events::StoreError) -> Self {
        Self::Account(e.into())
    }
}

impl From<sqlx::Error> for InvitationError {
    fn from(e: sqlx::Error) -> Self {
        Self::Account(e.into())
    }
}

/// A pending invitation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    /// Invited to manage this establishment…
    pub establishment_id: Option<Uuid>,
    /// …or to join this association.
    pub association_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// What an invitation makes of the person who accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitedTo {
    Manage(Uuid),
    Join(Uuid),
}

impl Invitation {
    pub fn invited_to(&self) -> Result<InvitedTo, DomainError> {
        match (self.establishment_id, self.association_id) {
            (Some(e), None) => Ok(InvitedTo::Manage(e)),
            (None, Some(a)) => Ok(InvitedTo::Join(a)),
            _ => Err(gone()),
        }
    }
}

fn gone() -> DomainError {
    DomainError::not_found(
        "invitation_not_found",
        "Cette invitation n'existe pas, a déjà servi ou a expiré : demandez-en une nouvelle.",
    )
}

/// Invites `email` to manage an establishment or to join an association;
/// returns the link's token.
pub async fn invite(
    commands: &Commands,
    email: &str,
    name: &str,
    to: InvitedTo,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<String, InvitationError> {
    let email = accounts::normalise_email(email)?;
    let name = text("invalid_name", "Le nom", name, 120)?;
    let exists = match to {
        InvitedTo::Manage(id) => commands.establishment(id).await?.id.is_some(),
        InvitedTo::Join(id) => commands.association(id).await?.id.is_some(),
    };
    if !exists {
        return Err(DomainError::not_found(
            "not_found",
            "Cet établissement ou cette association n'existe pas.",
        )
        .into());
    }
    if accounts::exists(&commands.store, &email).await? {
        return Err(DomainError::conflict(
            "email_taken",
            "Un compte existe déjà avec cette adresse e-mail : une même adresse ne sert qu'à un compte.",
        )
        .into());
    }
    let token = accounts::random_token();
    let hash = accounts::token_hash(&token);
    store::insert(&commands.store, &hash, &email, &name, to, by, now, now + LIFETIME).await?;
    Ok(token)
}

/// The invitation behind a token, while it can still be accepted.
pub async fn pending(store: &Store, token: &str, now: DateTime<Utc>) -> Result<Invitation, InvitationError> {
    match store::by_token_hash(store, &accounts::token_hash(token)).await? {
        Some(i) if i.accepted_at.is_none() && now < i.expires_at => Ok(i),
        _ => Err(gone().into()),
    }
}

/// Accepts the invitation: the account is created with `name` and
/// `password`, and made the establishment's manager or the association's
/// member. Returns the user's id.
pub async fn accept(
    commands: &Commands,
    token: &str,
    name: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, InvitationError> {
    let invitation = pending(&commands.store, token, now).await?;
    let to = invitation.invited_to()?;
    let (role, association_id) = match to {
        InvitedTo::Manage(_) => (Role::Manager, None),
        InvitedTo::Join(association_id) => (Role::Association, Some(association_id)),
    };
    let new = NewAccount { email: &invitation.email, password, name, role, association_id };
    // The e-mail address is unique: a second acceptance fails here.
    let user_id = accounts::create(&commands.store, new, now).await?;
    store::accepted(&commands.store, &accounts::token_hash(token), now).await?;
    if let InvitedTo::Manage(establishment_id) = to {
        let meta = Metadata {
            correlation_id: Some(establishment_id),
            causation_id: None,
            actor: Some(user_id.to_string()),
        };
        commands
            .on_establishment(establishment_id, EstablishmentCommand::AssignManager { user_id }, &meta)
            .await?;
        accounts::add_establishment(&commands.store, user_id, establishment_id).await?;
    }
    Ok(user_id)
}

/// Who an invitation is for, and to what.
#[derive(Debug, Clone, Copy)]
pub struct Invitee<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub to: InvitedTo,
}

/// Mails the invitation's link to the person invited (in the inviter's
/// language: the invited person has no account yet to choose another).
pub async fn send(
    app: &crate::app::App,
    token: &str,
    invitee: Invitee<'_>,
    inviter: &str,
    lang: salle_web::Lang,
    now: DateTime<Utc>,
) -> Result<(), crate::app::AppError> {
    let Invitee { email, name, to } = invitee;
    use crate::mail::notice::Notice;
    use crate::mail::{Letter, Recipient, texts};
    use salle_web::Lang;
    let what = match to {
        InvitedTo::Manage(id) => app.commands.establishment(id).await?.name,
        InvitedTo::Join(id) => app.commands.association(id).await?.name,
    };
    let fr = lang == Lang::Fr;
    let role = match (to, fr) {
        (InvitedTo::Manage(_), true) => format!("gérer les salles de {what}"),
        (InvitedTo::Manage(_), false) => format!("manage the rooms of {what}"),
        (InvitedTo::Join(_), true) => format!("rejoindre l'association {what}"),
        (InvitedTo::Join(_), false) => format!("join the association {what}"),
    };
    let recipient =
        Recipient { user_id: None, email: email.to_owned(), name: name.to_owned(), lang, muted: vec![] };
    let letter = Letter {
        lang,
        subject: if fr {
            format!("Invitation à {role} sur salle")
        } else {
            format!("Invitation to {role} on salle")
        },
        greeting: texts::greeting(lang, name),
        paragraphs: vec![
            if fr {
                format!("{inviter} vous invite à {role} sur salle.")
            } else {
                format!("{inviter} invites you to {role} on salle.")
            },
            if fr {
                format!(
                    "Le lien ci-dessous sert une fois, jusqu'au {} : vous y choisirez votre mot de passe.",
                    texts::moment(lang, now + LIFETIME)
                )
            } else {
                format!(
                    "The link below works once, until {}: there you will choose your password.",
                    texts::moment(lang, now + LIFETIME)
                )
            },
        ],
        details: vec![],
        action: Some((
            if fr { "Accepter l'invitation" } else { "Accept the invitation" }.into(),
            app.mail.link(&format!("/invitation/{token}")),
        )),
        footer: texts::footer(lang, Notice::Invitation, ""),
    };
    crate::app::mail_now(app, &accounts::token_hash(token), Notice::Invitation, &recipient, &letter).await
}
