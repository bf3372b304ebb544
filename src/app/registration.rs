//! An association signs up: the association and its account, both or
//! neither, limited per address (`SALLE_SIGN_UPS_PER_HOUR`).

use std::net::IpAddr;

use chrono::Utc;
use salle_events::Metadata;
use salle_events::catalog::association::RequesterCategory;
use uuid::Uuid;

use crate::app::accounts::{self, NewAccount, Role};
use crate::app::{App, AppError};
use crate::commands::personal_data::Contact;

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
}

/// The association and its account, both or neither; answers the association's id.
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
    // Checked before anything is written, so a refusal leaves nothing behind.
    accounts::normalise_email(&new.email)?;
    accounts::check_password(&new.password)?;
    let association_id = Uuid::now_v7();
    let now = Utc::now();
    let meta =
        Metadata { correlation_id: Some(association_id), causation_id: None, actor: Some("sign-up".into()) };
    let account = NewAccount {
        email: &new.email,
        password: &new.password,
        name: &new.contact_name,
        role: Role::Association,
        association_id: Some(association_id),
    };
    let user_id = accounts::create(&app.store, account, now).await?;
    let registered = app
        .commands
        .register_association(association_id, &new.name, new.category, identifier, &contact, now, &meta)
        .await;
    if let Err(e) = registered {
        // Nothing half-done: the account goes with the refused association.
        accounts::delete(&app.store, user_id).await?;
        return Err(e.into());
    }
    Ok(association_id)
}
