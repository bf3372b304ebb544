//! What only admins do from their page: import the shipped Isère collèges,
//! invite a manager, publish a tariff grid, verify an association (or
//! withdraw its verification). Each waits until the search index has read
//! what it wrote, so that the page shown next shows it.

use std::collections::BTreeMap;

use chrono::Utc;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::tariff::FlatFee;
use uuid::Uuid;

use crate::app::accounts::Role;
use crate::app::invitations::{self, InvitedTo};
use crate::app::{App, AppError, Caller, access};
use crate::domain::association::AssociationCommand;
use crate::domain::tariff::PublishTariff;

/// Registers the shipped collèges not registered yet; answers how many.
pub async fn import_colleges(app: &App, caller: &Caller) -> Result<usize, AppError> {
    caller.require(&[Role::Admin])?;
    let meta = caller.metadata(Uuid::now_v7());
    let (new, last) = crate::commands::colleges::import_colleges(&app.commands, &meta, Utc::now())
        .await
        .map_err(AppError::Internal)?;
    crate::app::search_reached(app, last).await;
    Ok(new)
}

/// Invites a manager for an establishment: the link goes to them by e-mail.
pub async fn invite(
    app: &App,
    caller: &Caller,
    email: &str,
    name: &str,
    establishment: Uuid,
    lang: salle_web::Lang,
) -> Result<(), AppError> {
    caller.require(&[Role::Admin])?;
    let now = Utc::now();
    let to = InvitedTo::Manage(establishment);
    let token = invitations::invite(&app.commands, email, name, to, caller.user_id(), now).await?;
    invitations::send(app, &token, invitations::Invitee { email, name, to }, &caller.0.name, lang, now).await
}

/// A new version of the département's grid (`owner` = `None`) or of an
/// establishment's own.
pub async fn publish_tariff(
    app: &App,
    caller: &Caller,
    owner: Option<Uuid>,
    hourly_rates_cents: BTreeMap<RequesterCategory, i64>,
    flat_fees: Vec<FlatFee>,
) -> Result<(), AppError> {
    caller.require(&[Role::Admin])?;
    if let Some(id) = owner {
        access::public_establishment(app, id).await?;
    }
    let command = PublishTariff { hourly_rates_cents, flat_fees, by: caller.user_id(), now: Utc::now() };
    let published =
        app.commands.publish_tariff(owner, command, &caller.metadata(owner.unwrap_or_default())).await?;
    crate::app::search_reached(app, Some(published.append.log_position)).await;
    Ok(())
}

/// An admin's word on an association.
#[derive(Debug, Clone)]
pub enum Verification {
    /// Verified, priced at `category` (the one it declared when `None`).
    Verify {
        category: Option<RequesterCategory>,
    },
    Revoke {
        reason: String,
    },
}

/// Where an association stands after an admin's word.
#[derive(Debug, Clone, Copy)]
pub struct Verified {
    pub verified: bool,
    pub category: Option<RequesterCategory>,
}

/// Verifies the association (confirming its category), or withdraws its verification.
pub async fn verify_association(
    app: &App,
    caller: &Caller,
    association_id: Uuid,
    verification: Verification,
) -> Result<Verified, AppError> {
    caller.require(&[Role::Admin])?;
    let association = app.commands.association(association_id).await?;
    let Some(declared) = association.category else {
        return Err(AppError::NotFound("Cette association n'existe pas.".into()));
    };
    let (by, now) = (caller.user_id(), Utc::now());
    let command = match verification {
        Verification::Verify { category } => {
            AssociationCommand::Verify { by, category: category.unwrap_or(declared), now }
        }
        Verification::Revoke { reason } => AssociationCommand::RevokeVerification { by, reason, now },
    };
    let executed =
        app.commands.on_association(association_id, command, &caller.metadata(association_id)).await?;
    crate::app::search_reached(app, Some(executed.append.log_position)).await;
    let after = app.commands.association(association_id).await?;
    Ok(Verified { verified: after.verified, category: after.category })
}
