//! `GET /grand-livre/rapprochement`: the ledger against the payment
//! provider's records, for finance and admins.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, web};
use salle_events::catalog::Money;
use salle_web::Lang;
use salle_web::marketplace as views;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::App;
use crate::http::pages::labels::local_moment;
use crate::http::pages::ledger::LedgerPeriod;
use crate::http::pages::signed_in::SignedIn;
use crate::http::pages::visitor::PageError;

#[derive(Debug, Deserialize)]
pub struct ReconcileForm {
    etablissement: Option<Uuid>,
    #[serde(flatten)]
    period: LedgerPeriod,
}

/// `GET /grand-livre/rapprochement?etablissement=&du=&au=&a_la_date=`: the
/// ledger against the payment provider's records (finance, admins).
#[get("/grand-livre/rapprochement")]
pub async fn reconciliation_page(
    state: web::Data<App>,
    SignedIn { visitor, caller }: SignedIn,
    query: web::Query<ReconcileForm>,
) -> Result<HttpResponse, PageError> {
    use crate::finance::reconcile::Problem;
    use crate::payments::MovementKind;
    let (period, as_of) = query.period.read()?;
    let report = crate::app::ledger::reconcile(&state, &caller, query.etablissement, &period, as_of).await?;
    let lang = visitor.lang;
    let tr = |fr: &'static str, en: &'static str| if lang == Lang::Fr { fr } else { en };
    let (name, ledger_href) = match query.etablissement {
        Some(id) => (state.commands.establishment(id).await?.name, format!("/grand-livre/{id}")),
        None => {
            (tr("tout le département", "the whole département").to_owned(), "/grand-livre/departement".into())
        }
    };
    let kind_label = |k: MovementKind| match k {
        MovementKind::Charge => tr("Paiements", "Payments"),
        MovementKind::Refund => tr("Remboursements", "Refunds"),
        MovementKind::Transfer => tr("Virements à l'établissement", "Transfers to the establishment"),
        MovementKind::Reversal => tr("Reprises sur virements", "Transfer reversals"),
        MovementKind::Payout => tr("Versements vers la banque", "Payouts to the bank"),
    };
    let problem_label = |p: Problem| match p {
        Problem::MissingAtProvider => tr("absent chez le prestataire", "missing at the provider"),
        Problem::UnknownToLedger => tr("inconnu du grand livre", "unknown to the ledger"),
        Problem::Duplicate => tr("en double chez le prestataire", "duplicated at the provider"),
        Problem::AmountDiffers => tr("montants différents", "amounts differ"),
        Problem::PayoutsExceedTransfers => {
            tr("versements supérieurs aux virements reçus", "payouts exceed the transfers received")
        }
    };
    let amount = |c: Option<i64>| c.map_or_else(|| "—".to_owned(), |c| Money::eur(c).to_string());
    let totals = report
        .totals
        .iter()
        .map(|(kind, t)| views::ReconciliationTotal {
            kind: kind_label(*kind).to_owned(),
            ledger_count: t.ledger_count,
            ledger_amount: if *kind == MovementKind::Payout {
                tr("non détaillé", "not itemised").to_owned()
            } else {
                Money::eur(t.ledger_cents).to_string()
            },
            provider_count: t.provider_count,
            provider_amount: Money::eur(t.provider_cents).to_string(),
            matched: if *kind == MovementKind::Payout { "—".to_owned() } else { t.matched.to_string() },
        })
        .collect();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    let mut mismatches = Vec::new();
    for m in &report.mismatches {
        let establishment = match m.establishment_id {
            Some(id) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                    slot.insert(state.commands.establishment(id).await?.name);
                }
                names.get(&id).cloned()
            }
            None => None,
        };
        mismatches.push(views::MismatchView {
            when: local_moment(m.at),
            kind: kind_label(m.kind).to_owned(),
            problem: problem_label(m.problem).to_owned(),
            reference: m.reference.clone(),
            establishment,
            booking_href: m.booking_id.map(|b| format!("/reservations/{b}#historique")),
            ledger: amount(m.ledger_cents),
            provider: amount(m.provider_cents),
            difference: Money::eur(m.difference_cents()).to_string(),
            event_id: m.event_id.map(|e| e.to_string()),
        });
    }
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let page = views::ReconciliationPage {
        name,
        from: field(&query.period.du),
        to: field(&query.period.au),
        as_of: field(&query.period.a_la_date),
        establishment: query.etablissement.map(|e| e.to_string()),
        provider: report.provider.to_owned(),
        accounts: report.accounts.clone(),
        totals,
        mismatches,
        ledger_href,
    };
    let chrome = visitor.chrome(&state).await;
    Ok(visitor.ok(views::reconciliation(&chrome, &page)))
}
