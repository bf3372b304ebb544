//! An association's own account: what salle knows of it, what its
//! verification lets it do, its members, and the invitation that brings a
//! second person of the association in (one account per RNA/SIREN).

use chrono::{DateTime, Utc};
use salle_events::catalog::association::{LegalIdentifier, RequesterCategory};
use salle_projections::bookings::{self, Filter};
use uuid::Uuid;

use crate::app::accounts::{self, Account};
use crate::app::invitations::{self, InvitedTo};
use crate::app::{App, AppError, Caller, access};
use crate::domain::booking::BookingStatus;

/// The association as its members see it.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: Uuid,
    pub name: String,
    pub identifier: Option<LegalIdentifier>,
    /// The category on record (confirmed by the verification, or declared).
    pub category: Option<RequesterCategory>,
    pub verified: bool,
    /// Dates awaiting a decision, and how many it may have until verified.
    pub pending_dates: usize,
    pub hold_limit: usize,
    pub members: Vec<Account>,
}

pub async fn profile(app: &App, caller: &Caller, association_id: Uuid) -> Result<Profile, AppError> {
    let association = access::own_association(app, caller, association_id).await?;
    Ok(Profile {
        id: association_id,
        name: association.name,
        identifier: association.identifier,
        category: association.category,
        verified: association.verified,
        pending_dates: pending_dates(app, association_id).await?,
        hold_limit: app.holds.limit(),
        members: accounts::members_of(&app.store, association_id).await?,
    })
}

/// Dates of the association awaiting a decision, in every room (what an
/// unverified association's hold limit counts).
pub(crate) async fn pending_dates(app: &App, association_id: Uuid) -> Result<usize, AppError> {
    let filter = Filter {
        association: Some(association_id),
        status: Some(BookingStatus::Requested),
        ..Default::default()
    };
    let n = bookings::count(&app.store, &filter).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok(n.max(0) as usize)
}

/// An invitation of a second person of the caller's association, mailed to them.
#[derive(Debug, Clone)]
pub struct MemberInvitation {
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

/// Invites `email` (`name`) to join the caller's association.
pub async fn invite_member(
    app: &App,
    caller: &Caller,
    association_id: Uuid,
    email: &str,
    name: &str,
    lang: salle_web::Lang,
) -> Result<MemberInvitation, AppError> {
    access::own_association(app, caller, association_id).await?;
    let now = Utc::now();
    let to = InvitedTo::Join(association_id);
    let token = invitations::invite(&app.commands, email, name, to, caller.user_id(), now).await?;
    invitations::send(app, &token, invitations::Invitee { email, name, to }, &caller.0.name, lang, now)
        .await?;
    Ok(MemberInvitation {
        sent_to: crate::app::accounts::normalise_email(email)?,
        expires_at: now + invitations::LIFETIME,
    })
}
