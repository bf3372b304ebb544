//! An establishment's payout account at the payment provider: created once,
//! then completed by its manager on the provider's pages.

use salle_events::Metadata;
use uuid::Uuid;

use crate::app::{App, AppError, Caller, access};
use crate::commands::{CommandError, Commands};
use crate::domain::DomainError;
use crate::domain::establishment::EstablishmentCommand;
use crate::payments::{Gateway, GatewayError};

#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Provider(#[from] GatewayError),
}

/// Starts (or resumes) the establishment's payout onboarding: creates its
/// connected account once, then returns where the manager completes it.
pub async fn start_onboarding(
    commands: &Commands,
    gateway: &Gateway,
    establishment_id: Uuid,
    return_url: &str,
    metadata: &Metadata,
) -> Result<String, OnboardingError> {
    let establishment = commands.establishment(establishment_id).await?;
    if establishment.id.is_none() {
        return Err(CommandError::from(DomainError::not_found(
            "establishment_not_found",
            "Cet établissement n'existe pas.",
        ))
        .into());
    }
    let account_ref = match establishment.payout_account {
        Some(account) => account,
        None => {
            let key = crate::payments::idempotency_key("account", establishment_id);
            let account = gateway.create_account(establishment_id, &key).await?;
            commands
                .on_establishment(
                    establishment_id,
                    EstablishmentCommand::SetPayoutAccount { account_ref: account.clone() },
                    metadata,
                )
                .await?;
            account
        }
    };
    Ok(gateway.onboarding_link(&account_ref, return_url, return_url).await?)
}

/// The manager (or an admin) starts the establishment's onboarding: answers
/// where to complete it, coming back to the establishment's page.
pub async fn start(app: &App, caller: &Caller, establishment_id: Uuid) -> Result<String, AppError> {
    access::managed_establishment(app, caller, establishment_id).await?;
    let back = format!("{}/etablissements/{establishment_id}/gestion", app.payments.public_url());
    start_onboarding(
        &app.commands,
        app.payments.gateway(),
        establishment_id,
        &back,
        &caller.metadata(establishment_id),
    )
    .await
    .map_err(|e| match e {
        OnboardingError::Command(c) => AppError::from(c),
        OnboardingError::Provider(p) => {
            AppError::Unavailable(format!("Le prestataire de paiement n'a pas répondu : {p}"))
        }
    })
}

/// Where the establishment's payout onboarding continues, and whether its
/// account already receives transfers.
#[derive(Debug, Clone)]
pub struct Onboarding {
    pub url: String,
    pub ready: bool,
}

/// [`start`], with whether the account is ready (the API's answer).
pub async fn onboarding(app: &App, caller: &Caller, establishment_id: Uuid) -> Result<Onboarding, AppError> {
    let url = start(app, caller, establishment_id).await?;
    let ready = app.commands.establishment(establishment_id).await?.payout_ready;
    Ok(Onboarding { url, ready })
}
