//! `/api/v1/establishments/{id}/ledger`, `/api/v1/ledger/export`, `/api/v1/events`.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use salle_events::LogPosition;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::app::{App, ledger};
use crate::finance::Period;
use crate::http::auth::Caller;
use crate::http::download::{export_format, file_answer};
use crate::http::error::AppError;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// `GET /api/v1/establishments/{id}/ledger?from=&to=` (its manager, finance)
#[utoipa::path(get, path = "/api/v1/establishments/{id}/ledger", tag = "finance", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The establishment"),
           ("from" = Option<NaiveDate>, Query, description = "First day (local)"),
           ("to" = Option<NaiveDate>, Query, description = "Last day (local), included")),
    responses((status = 200, description = "Ledger lines and balances", body = crate::http::api::schemas::Ledger),
              (status = 404, description = "No such establishment, or not the manager's", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "The period ends before it starts", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/establishments/{id}/ledger")]
pub async fn establishment_ledger(
    app: web::Data<App>,
    caller: Caller,
    path: web::Path<Uuid>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let ledger = ledger::of_establishment(&app, &caller, path.into_inner(), query.from, query.to).await?;
    Ok(HttpResponse::Ok().json(json!({
        "lines": ledger.lines.iter().map(|l| json!({
            "at": l.at.with_timezone(&salle_domain::time::LOCAL_TZ).to_rfc3339(),
            "transaction_id": l.event_id,
            "account": l.account,
            "account_name": salle_projections::ledger::accounts::name(&l.account),
            "debit_cents": l.debit_cents,
            "credit_cents": l.credit_cents,
            "event_id": l.event_id,
            "booking_id": l.booking_id,
        })).collect::<Vec<_>>(),
        "balances": ledger.balances,
    })))
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    establishment: Option<Uuid>,
    as_of: Option<DateTime<chrono::FixedOffset>>,
}

#[utoipa::path(get, path = "/api/v1/ledger/export", tag = "finance", security(("bearer" = [])),
    params(("format" = String, Query, description = "`csv`, `fec` or `hledger`"),
           ("from" = Option<NaiveDate>, Query, description = "First day (local)"),
           ("to" = Option<NaiveDate>, Query, description = "Last day (local), included; names the FEC file"),
           ("establishment" = Option<Uuid>, Query, description = "One establishment; all when absent"),
           ("as_of" = Option<String>, Query, description = "The ledger as it stood at this instant (RFC 3339), replayed from the log")),
    responses((status = 200, description = "The file, with its name in Content-Disposition",
               content((String = "text/csv"), (String = "text/plain"))),
              (status = 400, description = "Unknown format or bad date", body = crate::http::api::schemas::ErrorBody),
              (status = 403, description = "Not finance or admin", body = crate::http::api::schemas::ErrorBody),
              (status = 404, description = "No such establishment", body = crate::http::api::schemas::ErrorBody),
              (status = 422, description = "Bad period, or no SIREN configured for a FEC", body = crate::http::api::schemas::ErrorBody)))]
/// `GET /api/v1/ledger/export?format=csv|fec|hledger&from=&to=&establishment=&as_of=` (finance)
#[get("/api/v1/ledger/export")]
pub async fn ledger_export(
    app: web::Data<App>,
    caller: Caller,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    crate::app::access::auditor(&caller)?;
    let format = export_format(query.format.as_deref().unwrap_or_default())?;
    let period = Period::of_days(query.from, query.to)?;
    let as_of = query.as_of.map(|t| t.with_timezone(&Utc));
    let exported = ledger::export(&app, &caller, format, query.establishment, &period, as_of).await?;
    Ok(file_answer(exported))
}

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/v1/events?after=&limit=` (finance, admin): the log, in log order.
#[utoipa::path(get, path = "/api/v1/events", tag = "finance", security(("bearer" = [])),
    params(("after" = Option<String>, Query, description = "A position from `next` (N, or XID:N on PostgreSQL)"),
           ("limit" = Option<u32>, Query, description = "1 to 1000, default 100")),
    responses((status = 200, description = "Events in log order", body = crate::http::api::schemas::EventsPage),
              (status = 400, description = "Bad position", body = crate::http::api::schemas::ErrorBody),
              (status = 403, description = "Not finance or admin", body = crate::http::api::schemas::ErrorBody)))]
#[get("/api/v1/events")]
pub async fn log_events(
    app: web::Data<App>,
    caller: Caller,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, AppError> {
    crate::app::access::auditor(&caller)?;
    let after = match query.after.as_deref() {
        None | Some("") => LogPosition::START,
        Some(text) => text.parse::<LogPosition>().map_err(|_| AppError::BadRequest {
            code: "invalid_position",
            message: format!("« {text} » n'est pas une position du journal (N, ou XID:N sur PostgreSQL)."),
        })?,
    };
    let page = ledger::events(&app, &caller, after, query.limit.unwrap_or(100)).await?;
    let next = page.last().map(|e| e.log_position().to_string());
    Ok(HttpResponse::Ok().json(json!({
        "events": page.iter().map(|e| json!({
            "global_position": e.global_position,
            "stream_id": e.stream_id.as_str(),
            "stream_version": e.stream_version,
            "event_id": e.event_id,
            "event_type": e.event_type,
            "recorded_at": e.recorded_at.to_rfc3339(),
            "payload": e.payload,
        })).collect::<Vec<_>>(),
        "next": next,
    })))
}
