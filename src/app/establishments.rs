//! Establishments as an admin registers, revises, suspends and reactivates
//! them, with their managers.

use chrono::Utc;
use salle_events::catalog::establishment::EstablishmentKind;
use uuid::Uuid;

use crate::app::accounts::{self, NewAccount, Role};
use crate::app::{App, AppError, Caller, access};
use crate::domain::DomainError;
use crate::domain::establishment::{EstablishmentCommand, RegisterEstablishment};

/// An establishment as an admin describes it; the commune's centre stands
/// in for a missing position.
#[derive(Debug, Clone)]
pub struct NewEstablishment {
    pub name: String,
    pub kind: EstablishmentKind,
    pub uai: Option<String>,
    pub address: String,
    pub commune_insee: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Registers the establishment (admins); answers its id.
pub async fn register(app: &App, caller: &Caller, new: &NewEstablishment) -> Result<Uuid, AppError> {
    caller.require(&[Role::Admin])?;
    let commune = app.communes.by_insee(new.commune_insee.trim()).ok_or_else(|| {
        DomainError::rule(
            "unknown_commune",
            format!("« {} » n'est le code INSEE d'aucune commune connue.", new.commune_insee),
        )
    })?;
    let establishment_id = Uuid::now_v7();
    let registration = RegisterEstablishment {
        establishment_id,
        name: new.name.clone(),
        kind: new.kind,
        uai: new.uai.clone(),
        address: new.address.clone(),
        commune_insee: commune.insee.clone(),
        lat: new.lat.unwrap_or(commune.lat),
        lon: new.lon.unwrap_or(commune.lon),
        legal_basis: None,
        now: Utc::now(),
    };
    app.commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::Register(registration),
            &caller.metadata(establishment_id),
        )
        .await?;
    Ok(establishment_id)
}

/// A manager's account, with its password, for an establishment.
#[derive(Debug, Clone)]
pub struct NewManager {
    pub email: String,
    pub password: String,
    pub name: String,
}

/// Creates the manager's account and puts the establishment in their care
/// (admins); answers the account's id.
pub async fn add_manager(
    app: &App,
    caller: &Caller,
    establishment_id: Uuid,
    new: &NewManager,
) -> Result<Uuid, AppError> {
    caller.require(&[Role::Admin])?;
    access::public_establishment(app, establishment_id).await?;
    let account = NewAccount {
        email: &new.email,
        password: &new.password,
        name: &new.name,
        role: Role::Manager,
        association_id: None,
    };
    let user_id = accounts::create(&app.store, account, Utc::now()).await?;
    app.commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::AssignManager { user_id },
            &caller.metadata(establishment_id),
        )
        .await?;
    accounts::add_establishment(&app.store, user_id, establishment_id).await?;
    Ok(user_id)
}

/// What an admin changes about an establishment; what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct Revision {
    pub name: Option<String>,
    pub address: Option<String>,
    /// Suspended (with the reason people will read) or active again.
    pub suspended: Option<bool>,
    pub reason: Option<String>,
}

/// Applies the revision (admins): new details, then the suspension or the
/// reactivation. A suspended establishment takes no new requests; the
/// bookings it has stand. Answers whether it is suspended now.
pub async fn revise(
    app: &App,
    caller: &Caller,
    establishment_id: Uuid,
    r: &Revision,
) -> Result<bool, AppError> {
    caller.require(&[Role::Admin])?;
    let establishment = access::public_establishment(app, establishment_id).await?;
    let meta = caller.metadata(establishment_id);
    let details = (r.name.is_some() || r.address.is_some()).then(|| EstablishmentCommand::ChangeDetails {
        name: r.name.clone().unwrap_or_else(|| establishment.name.clone()),
        address: r.address.clone().unwrap_or_else(|| establishment.address.clone()),
    });
    let status = match r.suspended {
        Some(true) if !establishment.suspended => Some(EstablishmentCommand::Suspend {
            reason: r.reason.clone().unwrap_or_default(),
            now: Utc::now(),
        }),
        Some(false) if establishment.suspended => Some(EstablishmentCommand::Reactivate { now: Utc::now() }),
        _ => None,
    };
    // The search index shows the name and the suspension: wait for the last write.
    let mut position = None;
    for command in details.into_iter().chain(status) {
        let executed = app.commands.on_establishment(establishment_id, command, &meta).await?;
        position = Some(executed.append.log_position);
    }
    crate::app::search_reached(app, position).await;
    Ok(app.commands.establishment(establishment_id).await?.suspended)
}

/// Takes the establishment out of a manager's care (admins): their account
/// stays, without access to it.
pub async fn remove_manager(
    app: &App,
    caller: &Caller,
    establishment_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    caller.require(&[Role::Admin])?;
    access::public_establishment(app, establishment_id).await?;
    app.commands
        .on_establishment(
            establishment_id,
            EstablishmentCommand::RemoveManager { user_id },
            &caller.metadata(establishment_id),
        )
        .await?;
    accounts::remove_establishment(&app.store, user_id, establishment_id).await?;
    Ok(())
}
