//! Finance: the ledger as finance reads it — for a period, for one
//! establishment or the whole département, now or "as of" a past instant —
//! and its exports (`export`).

pub mod export;
pub mod reconcile;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone as _, Utc};
use salle_events::{EventStore, LogPosition, Store};
use salle_projections::ledger::{self, ExportLine, Replay};
use uuid::Uuid;

use crate::commands::Commands;
use crate::domain::DomainError;

/// A period of local days, both included, as instants `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// No bound means from the first event, or until ten years from now.
    pub fn of_days(first_day: Option<NaiveDate>, last_day: Option<NaiveDate>) -> Result<Self, DomainError> {
        use salle_domain::time::check_day;
        let first_day = first_day.map(|d| check_day("from", d)).transpose()?;
        let last_day = last_day.map(|d| check_day("to", d)).transpose()?;
        let start =
            |d: NaiveDate| salle_domain::time::local_instant(d, NaiveTime::MIN).map_err(DomainError::from);
        let from = match first_day {
            Some(d) => start(d)?,
            None => DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default(),
        };
        let to = match last_day {
            Some(d) => start(d.succ_opt().unwrap_or(d))?,
            None => Utc::now() + chrono::Duration::days(3660),
        };
        if to <= from {
            return Err(DomainError::rule("invalid_period", "La période finit avant de commencer."));
        }
        Ok(Self { first_day, last_day, from, to })
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }
}

/// How far past `as_of` the log is read: on PostgreSQL, events commit in log
/// order but carry the time their transaction started, so a later event may
/// be stamped a little earlier than one before it.
const CLOCK_SLACK: chrono::Duration = chrono::Duration::minutes(5);

/// The ledger replayed from the log up to `as_of` (events recorded at or
/// before it), without reading the read model.
pub async fn replay_until(store: &Store, as_of: DateTime<Utc>) -> anyhow::Result<Replay> {
    const PAGE: usize = 5000;
    let mut replay = Replay::default();
    let mut after = LogPosition::START;
    loop {
        let page = store.read_all(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.log_position();
        let mut past_the_end = false;
        for event in &page {
            if event.recorded_at <= as_of {
                replay.apply(event)?;
            } else if event.recorded_at > as_of + CLOCK_SLACK {
                past_the_end = true;
            }
        }
        if past_the_end || page.len() < PAGE {
            break;
        }
    }
    Ok(replay)
}

/// The lines of one establishment (or all) in a period: from the read model,
/// or as they stood at `as_of`.
pub async fn lines(
    store: &Store,
    establishment: Option<Uuid>,
    period: &Period,
    as_of: Option<DateTime<Utc>>,
) -> anyhow::Result<Vec<ExportLine>> {
    match as_of {
        None => Ok(ledger::export_lines(store, establishment, period.from, period.to).await?),
        Some(as_of) => Ok(replay_until(store, as_of)
            .await?
            .lines
            .into_iter()
            .filter(|l| establishment.is_none_or(|e| l.establishment_id == e) && period.contains(l.line.at))
            .collect()),
    }
}

/// Balances (debit − credit, cents) per establishment and account.
pub fn balances(lines: &[ExportLine]) -> BTreeMap<(Uuid, String), i64> {
    let mut out = BTreeMap::new();
    for l in lines {
        *out.entry((l.establishment_id, l.line.account.clone())).or_insert(0) +=
            l.line.debit_cents - l.line.credit_cents;
    }
    out
}

/// How an establishment is named in exports: its name and its UAI (or the
/// start of its id), since two establishments may share a name.
pub fn account_label(name: &str, uai: Option<&str>, id: Uuid) -> String {
    match uai {
        Some(uai) => format!("{name} {uai}"),
        None => format!("{name} {}", &id.simple().to_string()[24..]),
    }
}

/// An export, ready to be written or sent.
#[derive(Debug, Clone)]
pub struct Exported {
    pub file_name: String,
    pub content_type: &'static str,
    pub body: String,
    pub lines: usize,
}

/// Why an export cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Rule(#[from] DomainError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Exports the ledger of one establishment (or of all) for a period.
pub async fn export(
    commands: &Commands,
    format: export::Format,
    establishment: Option<Uuid>,
    period: &Period,
    as_of: Option<DateTime<Utc>>,
    siren: Option<&str>,
) -> Result<Exported, ExportError> {
    let siren = match (format, siren) {
        (export::Format::Fec, None) => {
            return Err(DomainError::rule(
                "siren_missing",
                "Un FEC est nommé par le SIREN de la collectivité : renseignez SALLE_SIREN (ou --siren).",
            )
            .into());
        }
        (_, siren) => siren.unwrap_or_default().to_owned(),
    };
    if let Some(id) = establishment
        && commands.establishment(id).await.map_err(anyhow::Error::from)?.id.is_none()
    {
        return Err(DomainError::not_found("not_found", "Cet établissement n'existe pas.").into());
    }
    let lines = lines(&commands.store, establishment, period, as_of).await?;
    let mut establishments = BTreeMap::new();
    for id in lines.iter().map(|l| l.establishment_id).chain(establishment) {
        if let std::collections::btree_map::Entry::Vacant(slot) = establishments.entry(id) {
            let found = commands.establishment(id).await.map_err(anyhow::Error::from)?;
            slot.insert(account_label(&found.name, found.uai.as_deref(), id));
        }
    }
    // Two establishments may share a name and even a UAI: then their ids tell them apart.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for label in establishments.values() {
        *seen.entry(label.clone()).or_default() += 1;
    }
    for (id, label) in establishments.iter_mut() {
        if seen.get(label.as_str()).copied().unwrap_or(0) > 1 {
            label.push_str(&format!(" {}", &id.simple().to_string()[24..]));
        }
    }
    let scope = export::Scope { establishments, siren };
    let closing = period.last_day.unwrap_or_else(|| {
        salle_domain::time::LOCAL_TZ
            .from_utc_datetime(&as_of.unwrap_or_else(Utc::now).naive_utc())
            .date_naive()
    });
    Ok(Exported {
        file_name: export::file_name(format, &scope, closing),
        content_type: format.content_type(),
        body: export::render(format, &scope, &lines),
        lines: lines.len(),
    })
}
