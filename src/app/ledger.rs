//! The ledger as its readers use it: an establishment's lines and balances
//! (its managers, finance, admins), the exports and the log itself (finance,
//! admins), the head of the tamper-evident chain.

use chrono::{DateTime, Utc};
use salle_events::{EventStore, LogPosition, RecordedEvent};
use salle_projections::ledger::{ExportLine, LedgerLine};
use uuid::Uuid;

use crate::app::{App, AppError, Caller, access};
use crate::domain::establishment::Establishment;
use crate::finance::{Exported, Period, export::Format};

/// An establishment's lines in a period, with its balances per account.
pub struct EstablishmentLedger {
    pub establishment: Establishment,
    pub lines: Vec<LedgerLine>,
    pub balances: std::collections::BTreeMap<String, i64>,
}

/// The establishment's ledger, for whoever may read it.
pub async fn of_establishment(
    app: &App,
    caller: &Caller,
    establishment_id: Uuid,
    first_day: Option<chrono::NaiveDate>,
    last_day: Option<chrono::NaiveDate>,
) -> Result<EstablishmentLedger, AppError> {
    let establishment = access::ledger_reader(app, caller, establishment_id).await?;
    let period = Period::of_days(first_day, last_day)?;
    let lines = salle_projections::ledger::lines(&app.store, establishment_id, period.from, period.to)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let balances = salle_projections::ledger::balances(&lines);
    Ok(EstablishmentLedger { establishment, lines, balances })
}

/// The lines of one establishment (or of all: finance and admins only), in
/// a period, now or as they stood at `as_of`.
pub async fn lines(
    app: &App,
    caller: &Caller,
    establishment: Option<Uuid>,
    period: &Period,
    as_of: Option<DateTime<Utc>>,
) -> Result<Vec<ExportLine>, AppError> {
    match establishment {
        Some(id) => drop(access::ledger_reader(app, caller, id).await?),
        None => access::auditor(caller)?,
    }
    crate::finance::lines(&app.store, establishment, period, as_of).await.map_err(AppError::Internal)
}

/// An export of the ledger (finance, admins).
pub async fn export(
    app: &App,
    caller: &Caller,
    format: Format,
    establishment: Option<Uuid>,
    period: &Period,
    as_of: Option<DateTime<Utc>>,
) -> Result<Exported, AppError> {
    access::auditor(caller)?;
    Ok(crate::finance::export(&app.commands, format, establishment, period, as_of, app.siren.as_deref())
        .await?)
}

/// A page of the log, in log order, after `after` (finance, admins).
pub async fn events(
    app: &App,
    caller: &Caller,
    after: LogPosition,
    limit: usize,
) -> Result<Vec<RecordedEvent>, AppError> {
    access::auditor(caller)?;
    app.store.read_all(after, limit.clamp(1, 1000)).await.map_err(|e| AppError::Internal(e.into()))
}

/// The chain's head, for finance and admins (`None` for others, or before
/// anything is sealed).
pub async fn chain_head(app: &App, caller: &Caller) -> Option<salle_events::audit::Link> {
    access::auditor(caller).ok()?;
    salle_events::audit::head(&app.store).await.ok()?
}

/// The ledger against the payment provider's records (finance, admins), for
/// one establishment or all.
pub async fn reconcile(
    app: &App,
    caller: &Caller,
    establishment: Option<Uuid>,
    period: &Period,
    as_of: Option<DateTime<Utc>>,
) -> Result<crate::finance::reconcile::Report, AppError> {
    use crate::finance::reconcile::ReconcileError;
    access::auditor(caller)?;
    if matches!(app.payments.gateway(), crate::payments::Gateway::Off) {
        return Err(AppError::Unprocessable {
            code: "no_payment_provider",
            message: "Aucun prestataire de paiement n'est configuré : il n'y a rien à rapprocher.".into(),
        });
    }
    if let Some(id) = establishment {
        access::public_establishment(app, id).await?;
    }
    crate::finance::reconcile::reconcile(&app.store, app.payments.gateway(), establishment, period, as_of)
        .await
        .map_err(|e| match e {
            ReconcileError::Provider(p) => {
                AppError::Unavailable(format!("Le prestataire de paiement n'a pas répondu : {p}"))
            }
            ReconcileError::Other(o) => AppError::Internal(o),
        })
}
