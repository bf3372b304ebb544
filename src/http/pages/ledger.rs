//! The ledgers as pages: the list a visitor may read, one establishment's
//! (its managers, finance, admins), the whole département's (finance,
//! admins), each for a period and as it stood at an instant, and the
//! exports as downloads (the pages' twin of `GET /api/v1/ledger/export`).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use chrono::{NaiveDate, Utc};
use salle_events::catalog::Money;
use salle_web::Lang;
use salle_web::marketplace as views;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::accounts::{self, Role};
use crate::app::{App, AppError, Caller};
use crate::http::download::{export_format, file_answer};
use crate::http::pages::labels::local_moment;
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::PageError;

/// The chain's head, for finance and admins.
async fn chain_head(state: &App, caller: &Caller) -> Option<views::ChainHead> {
    let head = crate::app::ledger::chain_head(state, caller).await?;
    Some(views::ChainHead {
        position: head.global_position.to_string(),
        hash: head.hash,
        sealed: head.seq.to_string(),
    })
}

/// `GET /grand-livre`: the ledgers the visitor may read.
#[get("/grand-livre")]
pub async fn ledgers_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
) -> Result<HttpResponse, PageError> {
    caller.require(&[Role::Manager, Role::Finance, Role::Admin])?;
    let counted = salle_projections::ledger::establishments(&state.store)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let ids: Vec<(Uuid, i64)> = if caller.role() == Role::Manager {
        accounts::establishments_of(&state.store, caller.user_id())
            .await?
            .into_iter()
            .map(|id| (id, counted.iter().find(|(e, _)| *e == id).map_or(0, |(_, n)| *n)))
            .collect()
    } else {
        counted
    };
    let mut list = vec![];
    for (id, lines) in ids {
        let name = state.commands.establishment(id).await?.name;
        list.push((format!("/grand-livre/{id}"), name, lines));
    }
    list.sort_by(|a, b| a.1.cmp(&b.1));
    let whole = (caller.role() != Role::Manager).then_some("/grand-livre/departement");
    let head = chain_head(&state, &caller).await;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::ledgers(&chrome, &list, whole, head.as_ref())))
}

#[derive(Debug, Deserialize)]
pub struct LedgerPeriod {
    pub(crate) du: Option<String>,
    pub(crate) au: Option<String>,
    /// `2026-12-01T18:00` (local): the ledger as it stood then.
    pub(crate) a_la_date: Option<String>,
}

impl LedgerPeriod {
    /// The period and the instant asked for; each bad value named.
    pub(crate) fn read(&self) -> Result<(crate::finance::Period, Option<chrono::DateTime<Utc>>), AppError> {
        let filled =
            |v: &Option<String>| v.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned);
        let day = |v: &Option<String>| {
            filled(v)
                .map(|d| {
                    d.parse::<NaiveDate>().map_err(|_| AppError::BadRequest {
                        code: "invalid_date",
                        message: format!("« {d} » n'est pas une date : elles s'écrivent AAAA-MM-JJ."),
                    })
                })
                .transpose()
        };
        let period = crate::finance::Period::of_days(day(&self.du)?, day(&self.au)?)?;
        let as_of = match filled(&self.a_la_date) {
            None => None,
            Some(text) => {
                let local = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M")
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S"))
                    .map_err(|_| AppError::BadRequest {
                        code: "invalid_instant",
                        message: format!("« {text} » n'est pas une date et heure (AAAA-MM-JJTHH:MM)."),
                    })?;
                Some(
                    salle_domain::time::local_instant(local.date(), local.time())
                        .map_err(|r| AppError::from(crate::domain::DomainError::from(r)))?,
                )
            }
        };
        Ok((period, as_of))
    }

    fn query(&self, format: &str, establishment: Option<Uuid>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("format", format);
        for (k, v) in [("du", &self.du), ("au", &self.au), ("a_la_date", &self.a_la_date)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        if let Some(id) = establishment {
            q.append_pair("etablissement", &id.to_string());
        }
        q.finish()
    }
}

/// A ledger page's content: one establishment's, or all (`None`).
async fn ledger_view(
    state: &App,
    caller: &Caller,
    establishment: Option<Uuid>,
    name: String,
    asked: &LedgerPeriod,
) -> Result<views::LedgerPage, AppError> {
    let (period, as_of) = asked.read()?;
    let lines = crate::app::ledger::lines(state, caller, establishment, &period, as_of).await?;
    let mut names: HashMap<Uuid, String> = HashMap::new();
    if establishment.is_none() {
        for id in lines.iter().map(|l| l.establishment_id) {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                slot.insert(state.commands.establishment(id).await?.name);
            }
        }
    }
    let mut totals: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for l in &lines {
        *totals.entry(l.line.account.clone()).or_default() += l.line.debit_cents - l.line.credit_cents;
    }
    let balances = totals
        .into_iter()
        .map(|(code, cents)| {
            let name = salle_projections::ledger::accounts::name(&code).to_owned();
            (code, name, Money::eur(cents).to_string())
        })
        .collect();
    let cents = |c: i64| if c == 0 { String::new() } else { Money::eur(c).to_string() };
    let lines = lines
        .iter()
        .map(|l| views::LedgerLineView {
            when: local_moment(l.line.at),
            account: l.line.account.clone(),
            account_name: salle_projections::ledger::accounts::name(&l.line.account).to_owned(),
            debit: cents(l.line.debit_cents),
            credit: cents(l.line.credit_cents),
            booking_href: l.line.booking_id.map(|b| format!("/reservations/{b}#historique")),
            event_id: l.line.event_id.to_string(),
            establishment: establishment
                .is_none()
                .then(|| names.get(&l.establishment_id).cloned().unwrap_or_default()),
        })
        .collect();
    let exports = if matches!(caller.role(), Role::Finance | Role::Admin) {
        [("CSV", "csv"), ("FEC", "fec"), ("hledger", "hledger")]
            .iter()
            .map(|(label, format)| {
                ((*label).to_owned(), format!("/grand-livre/export?{}", asked.query(format, establishment)))
            })
            .collect()
    } else {
        vec![]
    };
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let reconciliation = matches!(caller.role(), Role::Finance | Role::Admin).then(|| {
        let query = asked.query("", establishment);
        let query = query.trim_start_matches("format=&");
        format!("/grand-livre/rapprochement?{query}").trim_end_matches('?').to_owned()
    });
    Ok(views::LedgerPage {
        name,
        from: field(&asked.du),
        to: field(&asked.au),
        as_of: field(&asked.a_la_date),
        lines,
        balances,
        exports,
        reconciliation,
    })
}

/// `GET /grand-livre/departement`: every establishment's lines (finance, admins).
#[get("/grand-livre/departement")]
pub async fn whole_ledger_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    period: web::Query<LedgerPeriod>,
) -> Result<HttpResponse, PageError> {
    crate::app::access::auditor(&caller)?;
    let name = match visitor.lang {
        Lang::Fr => "tout le département",
        Lang::En => "the whole département",
    };
    let page = ledger_view(&state, &caller, None, name.to_owned(), &period).await?;
    let head = chain_head(&state, &caller).await;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::ledger(&chrome, &page, head.as_ref())))
}

#[derive(Debug, Deserialize)]
pub struct ExportForm {
    format: String,
    etablissement: Option<Uuid>,
    #[serde(flatten)]
    period: LedgerPeriod,
}

/// `GET /grand-livre/export?format=&du=&au=&a_la_date=&etablissement=`: the
/// file, for finance and admins (the pages' twin of `GET /api/v1/ledger/export`).
#[get("/grand-livre/export")]
pub async fn ledger_download(
    state: web::Data<App>,
    SignedIn { caller, .. }: SignedIn,
    query: web::Query<ExportForm>,
) -> Result<HttpResponse, PageError> {
    crate::app::access::auditor(&caller)?;
    let format = export_format(&query.format)?;
    let (period, as_of) = query.period.read()?;
    let exported =
        crate::app::ledger::export(&state, &caller, format, query.etablissement, &period, as_of).await?;
    Ok(file_answer(exported))
}

/// `GET /grand-livre/{id}?du=&au=&a_la_date=`: an establishment's ledger (its manager, finance, admins).
#[get("/grand-livre/{id}")]
pub async fn ledger_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    path: web::Path<Uuid>,
    period: web::Query<LedgerPeriod>,
) -> Result<HttpResponse, PageError> {
    let establishment_id = path.into_inner();
    let establishment = crate::app::access::ledger_reader(&state, &caller, establishment_id).await?;
    let page = ledger_view(&state, &caller, Some(establishment_id), establishment.name, &period).await?;
    let head = chain_head(&state, &caller).await;
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::ledger(&chrome, &page, head.as_ref())))
}
