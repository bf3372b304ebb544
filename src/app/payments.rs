//! The payment provider's events as they reach salle: verified against
//! their signature before anything is read, then recorded once.

use chrono::Utc;

use crate::app::{App, AppError};
use crate::payments::webhook::{self, ReceiveError};

/// Verifies and records one event of the provider (its webhook, or the
/// simulated provider handing over what it made).
pub async fn receive(state: &App, body: &[u8], signature: Option<&str>) -> Result<(), AppError> {
    let gateway = state.payments.gateway();
    match webhook::receive(&state.commands, gateway, body, signature, Utc::now()).await {
        Ok(()) => Ok(()),
        Err(ReceiveError::Rejected(why)) => {
            // The reason only: never the header, the body or a secret.
            tracing::warn!(reason = %why, bytes = body.len(), "webhook rejected");
            crate::metrics::webhook_rejected(why.code());
            Err(AppError::BadRequest {
                code: "invalid_webhook", message: format!("Webhook refusé : {why}.")
            })
        }
        Err(ReceiveError::NotRecorded(e)) => Err(AppError::Internal(e.into())),
    }
}
