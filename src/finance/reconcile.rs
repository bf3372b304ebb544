//! Reconciliation: the ledger's movements of money at the payment provider
//! (charges, refunds, transfers, reversals) against the provider's own
//! records, for one establishment or the whole département and a period.
//!
//! Both sides are matched by the provider's reference, which the ledger's
//! events carry (`payment_ref`, `refund_ref`, `transfer_ref`,
//! `reversal_ref`). Each side is reported on its own dates: a movement the
//! ledger recorded in the period and the provider does not have, an object
//! the provider created in the period and the ledger does not know (or knows
//! once where the provider made it twice), an amount that differs. Matching
//! looks a day past each end of the period, so that an object made at
//! 23:59:59 and recorded a second later is not reported twice.
//!
//! Payouts leave the establishment's connected account for its bank; the
//! ledger does not record them one by one (512000 is the connected
//! account's side). They are checked as a sum: an account cannot have paid
//! out more than the ledger transferred to it, net of reversals.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use salle_events::Store;
use salle_projections::ledger::{Movement, MovementKind};
use serde::Serialize;
use uuid::Uuid;

use super::{Period, replay_until};
use crate::payments::{Gateway, GatewayError, ProviderRecord, RecordsQuery};

/// How far past each end of the period the other side is read for matching.
const MARGIN: Duration = Duration::days(1);

/// What is wrong with one movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The ledger records it; the provider has no such object.
    MissingAtProvider,
    /// The provider made it; the ledger does not know it.
    UnknownToLedger,
    /// The provider made one more of what the ledger records once for this
    /// booking (a second refund of the same payment…).
    Duplicate,
    /// Both have it, with different amounts.
    AmountDiffers,
    /// The connected account paid out more than the ledger transferred to it.
    PayoutsExceedTransfers,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingAtProvider => "missing_at_provider",
            Self::UnknownToLedger => "unknown_to_ledger",
            Self::Duplicate => "duplicate",
            Self::AmountDiffers => "amount_differs",
            Self::PayoutsExceedTransfers => "payouts_exceed_transfers",
        }
    }
}

/// One difference between the ledger and the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub kind: MovementKind,
    pub problem: Problem,
    /// The provider's reference (or, for payouts, the connected account).
    pub reference: String,
    pub establishment_id: Option<Uuid>,
    pub booking_id: Option<Uuid>,
    /// What the ledger says, in cents (none when it has nothing).
    pub ledger_cents: Option<i64>,
    /// What the provider says, in cents (none when it has nothing).
    pub provider_cents: Option<i64>,
    /// The ledger's event, when there is one.
    pub event_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

impl Mismatch {
    /// Provider minus ledger: what the ledger lacks (positive) or has too much (negative).
    pub fn difference_cents(&self) -> i64 {
        self.provider_cents.unwrap_or(0) - self.ledger_cents.unwrap_or(0)
    }
}

/// Counts and sums of one kind in the period, on each side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub ledger_count: usize,
    pub ledger_cents: i64,
    pub provider_count: usize,
    pub provider_cents: i64,
    /// Ledger movements of the period found at the provider with the same amount.
    pub matched: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub establishment_id: Option<Uuid>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    /// `stripe` or `simulated`.
    pub provider: &'static str,
    /// The connected accounts read.
    pub accounts: Vec<String>,
    pub totals: BTreeMap<MovementKind, Totals>,
    pub mismatches: Vec<Mismatch>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.mismatches.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("the payment provider could not be read: {0}")]
    Provider(#[from] GatewayError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Reconciles the ledger as it stood at `as_of` (now when `None`) with the
/// provider's records, for one establishment (or all) and a period.
pub async fn reconcile(
    store: &Store,
    gateway: &Gateway,
    establishment: Option<Uuid>,
    period: &Period,
    as_of: Option<DateTime<Utc>>,
) -> Result<Report, ReconcileError> {
    let as_of = as_of.unwrap_or_else(Utc::now);
    let replay = replay_until(store, as_of).await?;
    let end = period.to.min(as_of);
    let in_scope = |e: Uuid| establishment.is_none_or(|wanted| wanted == e);

    let mut owner_of_account: BTreeMap<String, Uuid> = BTreeMap::new();
    for (est, accounts) in &replay.accounts {
        if in_scope(*est) {
            for account in accounts {
                owner_of_account.insert(account.clone(), *est);
            }
        }
    }
    let accounts: Vec<String> = owner_of_account.keys().cloned().collect();
    let movements: Vec<&Movement> =
        replay.movements.iter().filter(|m| in_scope(m.establishment_id)).collect();

    let query = RecordsQuery {
        from: period.from - MARGIN,
        to: end + MARGIN,
        accounts: accounts.clone(),
        kinds: vec![
            MovementKind::Charge,
            MovementKind::Refund,
            MovementKind::Transfer,
            MovementKind::Reversal,
        ],
    };
    let records = gateway.records(&query).await?;
    // Whose is a provider object: its booking's establishment, or its account's.
    let owner_of = |r: &ProviderRecord| -> Option<Uuid> {
        match r.kind {
            MovementKind::Charge | MovementKind::Refund => {
                r.booking_id.and_then(|b| replay.establishment_of_booking(b))
            }
            _ => r.account.as_ref().and_then(|a| owner_of_account.get(a).copied()),
        }
    };
    let records: Vec<(Option<Uuid>, &ProviderRecord)> = records
        .iter()
        .map(|r| (owner_of(r), r))
        .filter(|(owner, _)| match (establishment, owner) {
            (None, _) => true,
            (Some(wanted), Some(owner)) => wanted == *owner,
            (Some(_), None) => false,
        })
        .collect();

    let in_period = |at: DateTime<Utc>| period.from <= at && at < end;
    let by_ref: HashMap<(MovementKind, &str), &ProviderRecord> =
        records.iter().map(|(_, r)| ((r.kind, r.id.as_str()), *r)).collect();
    let known: HashMap<(MovementKind, &str), &Movement> =
        movements.iter().map(|m| ((m.kind, m.reference.as_str()), *m)).collect();

    let mut totals: BTreeMap<MovementKind, Totals> =
        MovementKind::ALL.into_iter().map(|k| (k, Totals::default())).collect();
    let mut mismatches = Vec::new();
    for m in movements.iter().filter(|m| in_period(m.at)) {
        let t = totals.entry(m.kind).or_default();
        t.ledger_count += 1;
        t.ledger_cents += m.amount_cents;
        let mismatch = |problem, provider_cents| Mismatch {
            kind: m.kind,
            problem,
            reference: m.reference.clone(),
            establishment_id: Some(m.establishment_id),
            booking_id: Some(m.booking_id),
            ledger_cents: Some(m.amount_cents),
            provider_cents,
            event_id: Some(m.event_id),
            at: m.at,
        };
        match by_ref.get(&(m.kind, m.reference.as_str())) {
            None => mismatches.push(mismatch(Problem::MissingAtProvider, None)),
            Some(r) if r.amount_cents != m.amount_cents => {
                mismatches.push(mismatch(Problem::AmountDiffers, Some(r.amount_cents)));
            }
            Some(_) => t.matched += 1,
        }
    }
    for (owner, r) in records.iter().filter(|(_, r)| in_period(r.created)) {
        let t = totals.entry(r.kind).or_default();
        t.provider_count += 1;
        t.provider_cents += r.amount_cents;
        if known.contains_key(&(r.kind, r.id.as_str())) {
            continue;
        }
        // One more of what the ledger has once: the same kind for the same
        // booking, or against the same payment or transfer.
        let twin = movements.iter().find(|m| {
            m.kind == r.kind
                && (r.booking_id == Some(m.booking_id)
                    || r.parent.as_ref().is_some_and(|p| parent_of(&replay.movements, m) == Some(p.as_str())))
        });
        mismatches.push(Mismatch {
            kind: r.kind,
            problem: if twin.is_some() { Problem::Duplicate } else { Problem::UnknownToLedger },
            reference: r.id.clone(),
            establishment_id: *owner,
            booking_id: r.booking_id.or(twin.map(|m| m.booking_id)),
            ledger_cents: None,
            provider_cents: Some(r.amount_cents),
            event_id: twin.map(|m| m.event_id),
            at: r.created,
        });
    }

    // Payouts: in the period for the totals; since the first for the check.
    if !accounts.is_empty() {
        let query = RecordsQuery {
            from: DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default(),
            to: end,
            accounts: accounts.clone(),
            kinds: vec![MovementKind::Payout],
        };
        let payouts = gateway.records(&query).await?;
        let mut paid_out: BTreeMap<Uuid, (i64, DateTime<Utc>, Vec<&str>)> = BTreeMap::new();
        for p in &payouts {
            let Some(owner) = p.account.as_ref().and_then(|a| owner_of_account.get(a)) else { continue };
            if in_period(p.created) {
                let t = totals.entry(MovementKind::Payout).or_default();
                t.provider_count += 1;
                t.provider_cents += p.amount_cents;
            }
            let entry = paid_out.entry(*owner).or_insert((0, p.created, Vec::new()));
            entry.0 += p.amount_cents;
            entry.1 = entry.1.max(p.created);
            if let Some(account) = p.account.as_deref()
                && !entry.2.contains(&account)
            {
                entry.2.push(account);
            }
        }
        for (owner, (total, last, accounts)) in paid_out {
            let net: i64 = movements
                .iter()
                .filter(|m| m.establishment_id == owner && m.at < end)
                .map(|m| match m.kind {
                    MovementKind::Transfer => m.amount_cents,
                    MovementKind::Reversal => -m.amount_cents,
                    _ => 0,
                })
                .sum();
            if total > net {
                mismatches.push(Mismatch {
                    kind: MovementKind::Payout,
                    problem: Problem::PayoutsExceedTransfers,
                    reference: accounts.join(", "),
                    establishment_id: Some(owner),
                    booking_id: None,
                    ledger_cents: Some(net),
                    provider_cents: Some(total),
                    event_id: None,
                    at: last,
                });
            }
        }
    }
    mismatches.sort_by(|a, b| (a.at, a.kind, &a.reference).cmp(&(b.at, b.kind, &b.reference)));
    Ok(Report {
        establishment_id: establishment,
        from: period.from,
        to: end,
        as_of,
        provider: gateway.provider(),
        accounts,
        totals,
        mismatches,
    })
}

/// The payment a refund movement gives back, or the transfer a reversal
/// takes from, as the ledger knows them: the booking's charge or transfer.
fn parent_of<'a>(all: &'a [Movement], m: &Movement) -> Option<&'a str> {
    let parent_kind = match m.kind {
        MovementKind::Refund => MovementKind::Charge,
        MovementKind::Reversal => MovementKind::Transfer,
        _ => return None,
    };
    all.iter().find(|p| p.kind == parent_kind && p.booking_id == m.booking_id).map(|p| p.reference.as_str())
}

fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// The report as plain text, for the command line.
pub fn render_text(report: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let scope = report.establishment_id.map_or_else(|| "all establishments".to_owned(), |e| e.to_string());
    let _ = writeln!(
        out,
        "Reconciliation of {scope} with the {} provider, {} to {}, ledger as of {}",
        report.provider,
        report.from.to_rfc3339(),
        report.to.to_rfc3339(),
        report.as_of.to_rfc3339()
    );
    let _ = writeln!(
        out,
        "connected accounts: {}",
        if report.accounts.is_empty() { "none".to_owned() } else { report.accounts.join(", ") }
    );
    let _ = writeln!(
        out,
        "{:<9} {:>7} {:>12} {:>9} {:>12} {:>8}",
        "kind", "ledger", "EUR", "provider", "EUR", "matched"
    );
    for (kind, t) in &report.totals {
        let _ = writeln!(
            out,
            "{:<9} {:>7} {:>12} {:>9} {:>12} {:>8}",
            kind.as_str(),
            t.ledger_count,
            euros(t.ledger_cents),
            t.provider_count,
            euros(t.provider_cents),
            t.matched
        );
    }
    if report.is_clean() {
        let _ = writeln!(out, "no mismatch");
        return out;
    }
    let _ = writeln!(out, "{} mismatch(es):", report.mismatches.len());
    for m in &report.mismatches {
        let amount = |c: Option<i64>| c.map_or_else(|| "-".to_owned(), euros);
        let _ = writeln!(
            out,
            "{}\t{}\t{}\tbooking {}\tledger {}\tprovider {}\tdifference {}\tevent {}",
            m.kind.as_str(),
            m.problem.as_str(),
            m.reference,
            m.booking_id.map_or_else(|| "-".to_owned(), |b| b.to_string()),
            amount(m.ledger_cents),
            amount(m.provider_cents),
            euros(m.difference_cents()),
            m.event_id.map_or_else(|| "-".to_owned(), |e| e.to_string()),
        );
    }
    out
}
