//! Ledger exports in the formats finance tools read: CSV, the FEC of the
//! Livre des procédures fiscales (art. A47 A-1), and an hledger journal.
//!
//! Each is written by hand: the formats are a few lines of text whose rules
//! (column order, tab separator, `YYYYMMDD`, comma decimals, hledger's
//! two-space rule) are clearer in code than through a generic serializer;
//! the CSV goes through the `csv` crate for its quoting.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use salle_domain::time::LOCAL_TZ;
use salle_projections::ledger::{ExportLine, accounts};
use uuid::Uuid;

/// The formats of `salle ledger export` and `GET /api/v1/ledger/export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Fec,
    Hledger,
}

impl Format {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "fec" => Some(Self::Fec),
            "hledger" => Some(Self::Hledger),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Fec | Self::Hledger => "text/plain; charset=utf-8",
        }
    }
}

/// Who an export is about: the establishments it covers, by id, with their
/// names, and the SIREN that names a FEC file.
#[derive(Debug, Clone)]
pub struct Scope {
    pub establishments: BTreeMap<Uuid, String>,
    pub siren: String,
}

/// A journal of the FEC: one per kind of movement, from the event that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Journal {
    pub code: &'static str,
    pub label: &'static str,
    /// What the movement is, for the entry's label.
    pub movement: &'static str,
}

pub fn journal(event_type: &str) -> Journal {
    let (code, label, movement) = match event_type {
        "BookingPaid" => ("ENC", "Encaissements", "Paiement reçu"),
        "BookingCompleted" => ("VTE", "Locations réalisées", "Location réalisée"),
        "BookingSettled" => ("VER", "Versements à l'établissement", "Versement à l'établissement"),
        "TransferReversed" => ("VER", "Versements à l'établissement", "Reprise d'un versement"),
        "BookingCancelled" => ("ANN", "Annulations", "Annulation"),
        "RefundGranted" => ("ANN", "Annulations", "Remboursement accordé après le créneau"),
        "PaymentReturned" => ("RBT", "Remboursements", "Paiement retourné"),
        "RefundIssued" => ("RBT", "Remboursements", "Remboursement versé"),
        "ProviderFeeRecorded" => ("FRA", "Frais du prestataire", "Frais du prestataire de paiement"),
        _ => ("DIV", "Opérations diverses", "Opération"),
    };
    Journal { code, label, movement }
}

fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&LOCAL_TZ).date_naive()
}

fn short(id: Uuid) -> String {
    id.simple().to_string()[24..].to_owned()
}

fn label(line: &ExportLine) -> String {
    let movement = journal(&line.event_type).movement;
    match line.line.booking_id {
        Some(booking) => format!("{movement} — réservation {}", short(booking)),
        None => movement.to_owned(),
    }
}

/// `1234` cents → `12,34` (FEC) or `12.34` (hledger).
fn amount(cents: i64, decimal: char) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}{decimal}{:02}", abs / 100, abs % 100)
}

/// The file name: `<SIREN>FEC<YYYYMMDD>` (closing date) for a FEC.
pub fn file_name(format: Format, scope: &Scope, to: NaiveDate) -> String {
    let day = to.format("%Y%m%d");
    match format {
        Format::Fec => format!("{}FEC{day}.txt", scope.siren),
        Format::Csv => format!("grand-livre-{day}.csv"),
        Format::Hledger => format!("grand-livre-{day}.journal"),
    }
}

pub fn render(format: Format, scope: &Scope, lines: &[ExportLine]) -> String {
    match format {
        Format::Csv => csv(scope, lines),
        Format::Fec => fec(lines),
        Format::Hledger => hledger(scope, lines),
    }
}

/// One row per ledger line, with a header; amounts in integer cents as in the API.
fn csv(scope: &Scope, lines: &[ExportLine]) -> String {
    let mut out = csv::Writer::from_writer(vec![]);
    let header = [
        "date",
        "at",
        "establishment_id",
        "establishment",
        "journal",
        "transaction_id",
        "line_no",
        "account",
        "account_name",
        "debit_cents",
        "credit_cents",
        "label",
        "booking_id",
        "event_type",
        "global_position",
    ];
    // Writing to a Vec cannot fail; a failure would only lose the row.
    let _ = out.write_record(header);
    for l in lines {
        let name = scope.establishments.get(&l.establishment_id).cloned().unwrap_or_default();
        let _ = out.write_record([
            local_date(l.line.at).to_string(),
            l.line.at.with_timezone(&LOCAL_TZ).to_rfc3339(),
            l.establishment_id.to_string(),
            name,
            journal(&l.event_type).code.to_owned(),
            l.line.event_id.to_string(),
            l.line.line_no.to_string(),
            l.line.account.clone(),
            accounts::name(&l.line.account).to_owned(),
            l.line.debit_cents.to_string(),
            l.line.credit_cents.to_string(),
            label(l),
            l.line.booking_id.map(|b| b.to_string()).unwrap_or_default(),
            l.event_type.clone(),
            l.line.global_position.to_string(),
        ]);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The 18 columns of art. A47 A-1, in order.
pub const FEC_COLUMNS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

/// Tab-separated, dates `YYYYMMDD`, amounts with a comma; each entry
/// (transaction) numbered in the order of the log; the event is the piece.
fn fec(lines: &[ExportLine]) -> String {
    let mut out = FEC_COLUMNS.join("\t");
    out.push_str("\r\n");
    let mut number = 0;
    let mut previous = None;
    for l in lines {
        if previous != Some(l.line.event_id) {
            number += 1;
            previous = Some(l.line.event_id);
        }
        let journal = journal(&l.event_type);
        let day = local_date(l.line.at).format("%Y%m%d").to_string();
        let text = label(l).replace(['\t', '\r', '\n'], " ");
        let row = [
            journal.code.to_owned(),
            journal.label.to_owned(),
            format!("{}-{number:06}", journal.code),
            day.clone(),
            l.line.account.clone(),
            accounts::name(&l.line.account).to_owned(),
            String::new(),
            String::new(),
            l.line.event_id.to_string(),
            day.clone(),
            text,
            amount(l.line.debit_cents, ','),
            amount(l.line.credit_cents, ','),
            String::new(),
            String::new(),
            day,
            String::new(),
            String::new(),
        ];
        out.push_str(&row.join("\t"));
        out.push_str("\r\n");
    }
    out
}

/// An hledger account name: no colon inside a part, no double space, no
/// brackets that would make it virtual.
fn account_part(text: &str) -> String {
    let cleaned: String =
        text.chars().map(|c| if matches!(c, ':' | '(' | ')' | '[' | ']' | ';') { ' ' } else { c }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The hledger account of a line: the establishment, then the account.
pub fn hledger_account(establishment: &str, code: &str) -> String {
    format!("{}:{} {}", account_part(establishment), code, account_part(accounts::name(code)))
}

/// One transaction per ledger transaction (event), tagged with the event,
/// the booking and the establishment; accounts and the commodity declared
/// so that `hledger check --strict` holds.
fn hledger(scope: &Scope, lines: &[ExportLine]) -> String {
    let mut out =
        String::from("; Grand livre exporté par salle\n\ndecimal-mark .\ncommodity 1000.00 EUR\n\n");
    let name = |id: &Uuid| scope.establishments.get(id).cloned().unwrap_or_else(|| id.to_string());
    let mut declared = std::collections::BTreeSet::new();
    for l in lines {
        declared.insert(hledger_account(&name(&l.establishment_id), &l.line.account));
    }
    for account in &declared {
        let _ = writeln!(out, "account {account}");
    }
    let mut i = 0;
    while i < lines.len() {
        let first = &lines[i];
        let end = lines[i..]
            .iter()
            .position(|l| l.line.event_id != first.line.event_id)
            .map_or(lines.len(), |n| i + n);
        let _ = write!(
            out,
            "\n{} * {}  ; event:{}, establishment:{}, journal:{}",
            local_date(first.line.at),
            label(first).replace(';', ","),
            first.line.event_id,
            first.establishment_id,
            journal(&first.event_type).code,
        );
        if let Some(booking) = first.line.booking_id {
            let _ = write!(out, ", booking:{booking}");
        }
        out.push('\n');
        for l in &lines[i..end] {
            let cents = l.line.debit_cents - l.line.credit_cents;
            let _ = writeln!(
                out,
                "    {}  {} EUR",
                hledger_account(&name(&l.establishment_id), &l.line.account),
                amount(cents, '.')
            );
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use salle_projections::ledger::LedgerLine;

    use super::*;

    fn line(event: Uuid, line_no: i64, account: &str, debit: i64, credit: i64) -> ExportLine {
        ExportLine {
            establishment_id: Uuid::nil(),
            event_type: "BookingPaid".into(),
            line: LedgerLine {
                at: DateTime::parse_from_rfc3339("2026-12-08T18:30:00+01:00").unwrap_or_default().to_utc(),
                event_id: event,
                line_no,
                global_position: 7,
                booking_id: Some(Uuid::from_u128(0xabcdef12)),
                account: account.into(),
                debit_cents: debit,
                credit_cents: credit,
            },
        }
    }

    fn scope() -> Scope {
        Scope {
            establishments: [(Uuid::nil(), "Collège La Garenne: Voiron".to_owned())].into(),
            siren: "223800012".into(),
        }
    }

    #[test]
    fn a_fec_has_its_eighteen_columns_comma_amounts_and_compact_dates() {
        let event = Uuid::from_u128(1);
        let text = fec(&[line(event, 0, "467100", 2550, 0), line(event, 1, "419100", 0, 2550)]);
        let rows: Vec<Vec<&str>> =
            text.split("\r\n").filter(|r| !r.is_empty()).map(|r| r.split('\t').collect()).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], FEC_COLUMNS.to_vec());
        assert!(rows.iter().all(|r| r.len() == 18));
        assert_eq!(&rows[1][..4], &["ENC", "Encaissements", "ENC-000001", "20261208"]);
        assert_eq!((rows[1][11], rows[1][12]), ("25,50", "0,00"));
        assert_eq!((rows[2][11], rows[2][12]), ("0,00", "25,50"));
        assert_eq!(rows[2][2], "ENC-000001", "one entry number per transaction");
        assert_eq!(
            file_name(Format::Fec, &scope(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default()),
            "223800012FEC20261231.txt"
        );
    }

    #[test]
    fn hledger_accounts_have_no_colon_inside_a_part() {
        assert_eq!(
            hledger_account("Collège La Garenne: Voiron", "467100"),
            "Collège La Garenne Voiron:467100 Prestataire de paiement"
        );
        let event = Uuid::from_u128(1);
        let text = hledger(&scope(), &[line(event, 0, "467100", 2550, 0), line(event, 1, "419100", 0, 2550)]);
        assert!(text.contains("2026-12-08 * Paiement reçu — réservation abcdef12  ; event:00000000-0000-0000-0000-000000000001"), "{text}");
        assert!(
            text.contains("    Collège La Garenne Voiron:467100 Prestataire de paiement  25.50 EUR\n"),
            "{text}"
        );
        assert!(text.contains("  -25.50 EUR\n"), "{text}");
    }
}
