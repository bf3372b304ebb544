//! Finance exports checked by real tools, on SQLite and PostgreSQL: the
//! hledger journal passes `hledger check --strict` and `hledger balance`
//! gives salle's own balances per establishment and account; the FEC has its
//! 18 columns and balances; the CSV has one row per ledger line; the command
//! line gives the same files; the ledger replayed "as of" an instant is the
//! read model's up to then.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::collections::BTreeMap;
use std::process::Command;

use chrono::{DateTime, Utc};
use salle::finance::reconcile::{Problem, Report, reconcile};
use salle::finance::{self, Period, export::Format};
use salle::payments::{Gateway, MovementKind};
use salle_events::Metadata;
use salle_projections::ledger::ExportLine;
use support::TestDb;
use support::money::{World, association, drive, world};
use support::world::{Tariff, establishment_with_room, now};
use uuid::Uuid;

on_both_backends!(
    exports_pass_hledger_and_give_the_ledger_s_balances,
    the_ledger_as_of_an_instant_is_replayed_from_the_log,
    reconciliation_reports_each_difference_with_the_provider
);

/// Pays `day`'s booking, and cancels it (association, at `now()`) if asked.
async fn paid(w: &World, day: &str, cancel: bool) -> Uuid {
    let process = w.process();
    let booking_id = w.approved_booking(day).await;
    let payment_id = w.checkout(&process, booking_id).await;
    w.deliver(&w.paid_delivery(booking_id, payment_id)).await;
    drive(&process).await;
    if cancel {
        let cancellation = salle::commands::rooms::Cancellation {
            booking_id,
            by: salle_events::catalog::room::CancelledBy::Association,
            actor: association(),
            reason: "Concert reporté".into(),
        };
        w.commands.cancel_booking(w.room_id, cancellation, now(), &Metadata::default()).await.unwrap();
        drive(&process).await;
    }
    booking_id
}

/// Two establishments with paid, settled, cancelled and partly refunded bookings.
async fn a_month_of_money(db: &TestDb) -> (World, World) {
    let w = world(db).await;
    let (establishment_id, room_id) =
        establishment_with_room(&w.commands, Tariff::Departement(1250), 0).await;
    let other = World { commands: w.commands.clone(), sim: w.sim.clone(), establishment_id, room_id };
    paid(&w, "2026-12-03", false).await;
    paid(&w, "2026-12-04", true).await; // three days ahead: half refunded
    paid(&w, "2026-12-15", true).await; // two weeks ahead: all refunded
    paid(&other, "2026-12-03", false).await;
    w.complete_until(support::world::at("2026-12-05", "00:00")).await;
    drive(&w.process()).await;
    w.balances().await; // the read model caught up
    (w, other)
}

fn hledger(args: &[&str], journal: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grand-livre.journal");
    std::fs::write(&file, journal).unwrap();
    let output = Command::new("hledger")
        .arg("-f")
        .arg(&file)
        .args(args)
        .output()
        .expect("hledger runs (scripts/test installs Debian's hledger)");
    assert!(
        output.status.success(),
        "hledger {args:?} refused the journal:\n{}\n{journal}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `hledger balance` as (account → cents), zero balances left out.
fn hledger_balances(journal: &str) -> BTreeMap<String, i64> {
    let csv = hledger(&["balance", "--flat", "--no-total", "-O", "csv"], journal);
    let mut out = BTreeMap::new();
    for record in csv::Reader::from_reader(csv.as_bytes()).records() {
        let record = record.unwrap();
        let amount = record[1].trim().trim_end_matches("EUR").trim().replace(',', "");
        let cents = (amount.parse::<f64>().unwrap() * 100.0).round() as i64;
        if cents != 0 {
            out.insert(record[0].to_owned(), cents);
        }
    }
    out
}

async fn export(
    w: &World,
    format: Format,
    establishment: Option<Uuid>,
    as_of: Option<DateTime<Utc>>,
) -> finance::Exported {
    let period = Period::of_days(None, None).unwrap();
    finance::export(&w.commands, format, establishment, &period, as_of, Some("223800012")).await.unwrap()
}

async fn exports_pass_hledger_and_give_the_ledger_s_balances(db: TestDb) {
    let (w, other) = a_month_of_money(&db).await;
    let period = Period::of_days(None, None).unwrap();
    let lines: Vec<ExportLine> = finance::lines(&w.commands.store, None, &period, None).await.unwrap();
    assert!(lines.iter().any(|l| l.establishment_id == other.establishment_id));

    // hledger: the strict check passes and its balances are salle's.
    let journal = export(&w, Format::Hledger, None, None).await;
    hledger(&["check", "--strict"], &journal.body);
    // Both establishments have the same name and UAI here: their ids part them.
    let mut expected = BTreeMap::new();
    for ((establishment, account), cents) in finance::balances(&lines) {
        if cents != 0 {
            let found = w.commands.establishment(establishment).await.unwrap();
            let label = format!(
                "{} {}",
                finance::account_label(&found.name, found.uai.as_deref(), establishment),
                &establishment.simple().to_string()[24..]
            );
            expected.insert(finance::export::hledger_account(&label, &account), cents);
        }
    }
    assert!(expected.len() >= 8, "{expected:?}");
    assert_eq!(hledger_balances(&journal.body), expected);
    // One transaction per ledger transaction, each tagged with its event.
    let transactions: std::collections::BTreeSet<Uuid> = lines.iter().map(|l| l.line.event_id).collect();
    let printed = hledger(&["print", "-O", "csv"], &journal.body);
    let mut seen = std::collections::BTreeSet::new();
    for record in csv::Reader::from_reader(printed.as_bytes()).records() {
        let record = record.unwrap();
        let tags = record.iter().find(|f| f.contains("event:")).unwrap().to_owned();
        let event = tags.split("event:").nth(1).unwrap().split([',', ' ']).next().unwrap();
        seen.insert(event.parse::<Uuid>().unwrap());
    }
    assert_eq!(seen, transactions);

    // One establishment's journal holds only its own lines.
    let own = export(&w, Format::Hledger, Some(other.establishment_id), None).await;
    hledger(&["check", "--strict"], &own.body);
    assert!(!own.body.contains(&w.establishment_id.to_string()));

    // FEC: 18 columns, tab-separated, YYYYMMDD dates, comma decimals, balanced journals.
    let fec = export(&w, Format::Fec, None, None).await;
    assert!(fec.file_name.starts_with("223800012FEC"), "{}", fec.file_name);
    let rows: Vec<Vec<String>> =
        fec.body.lines().map(|l| l.split('\t').map(str::to_owned).collect()).collect();
    assert_eq!(rows[0], finance::export::FEC_COLUMNS.to_vec());
    assert_eq!(rows.len(), lines.len() + 1);
    let cents = |text: &str| {
        let (units, decimals) = text.split_once(',').unwrap();
        assert_eq!(decimals.len(), 2, "{text}");
        units.parse::<i64>().unwrap() * 100 + decimals.parse::<i64>().unwrap()
    };
    let mut per_entry: BTreeMap<String, i64> = BTreeMap::new();
    for row in &rows[1..] {
        assert_eq!(row.len(), 18, "{row:?}");
        assert!(row[3].len() == 8 && row[3].chars().all(|c| c.is_ascii_digit()), "{row:?}");
        assert!(["ENC", "VTE", "VER", "ANN", "RBT", "FRA"].contains(&row[0].as_str()), "{row:?}");
        *per_entry.entry(row[2].clone()).or_default() += cents(&row[11]) - cents(&row[12]);
    }
    assert!(per_entry.values().all(|sum| *sum == 0), "every FEC entry balances: {per_entry:?}");
    assert_eq!(per_entry.len(), transactions.len());

    // CSV: a header and one row per line.
    let csv_export = export(&w, Format::Csv, None, None).await;
    let mut reader = csv::Reader::from_reader(csv_export.body.as_bytes());
    assert_eq!(&reader.headers().unwrap()[7], "account");
    assert_eq!(reader.records().count(), lines.len());

    // The command line writes the same files, replayed from the log.
    for (format, library) in [("hledger", &journal), ("fec", &fec), ("csv", &csv_export)] {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_salle"))
            .args(["ledger", "export", "--format", format, "--siren", "223800012", "--output"])
            .arg(dir.path())
            .env("SALLE_DATABASE_URL", &db.url)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let written = std::fs::read_to_string(dir.path().join(&library.file_name)).unwrap();
        assert_eq!(&written, &library.body, "salle ledger export --format {format}");
    }
}

async fn the_ledger_as_of_an_instant_is_replayed_from_the_log(db: TestDb) {
    let w = world(&db).await;
    paid(&w, "2026-12-15", false).await;
    w.balances().await;
    let before_cancel = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let process = w.process();
    let booking = w.approved_booking("2026-12-16").await;
    let payment = w.checkout(&process, booking).await;
    w.deliver(&w.paid_delivery(booking, payment)).await;
    drive(&process).await;
    w.balances().await;

    let period = Period::of_days(None, None).unwrap();
    let now_lines = finance::lines(&w.commands.store, Some(w.establishment_id), &period, None).await.unwrap();
    let replayed =
        finance::lines(&w.commands.store, Some(w.establishment_id), &period, Some(Utc::now())).await.unwrap();
    assert_eq!(replayed, now_lines, "the replay gives the read model's lines");

    let then = finance::lines(&w.commands.store, Some(w.establishment_id), &period, Some(before_cancel))
        .await
        .unwrap();
    assert!(!then.is_empty() && then.len() < now_lines.len(), "{} then, {} now", then.len(), now_lines.len());
    assert!(then.iter().all(|l| l.line.at <= before_cancel));
    assert!(then.iter().all(|l| l.line.booking_id != Some(booking)), "the second booking came later");
    assert_eq!(then[..], now_lines[..then.len()], "what was there then is still there now");
}

/// Runs a statement on the simulated provider's own records, as a fault
/// would leave them.
async fn provider_sql(w: &World, sql: &str) {
    let done = salle_events::sql::write(&w.commands.store, sql.to_owned(), salle_events::sql::Args::new())
        .await
        .unwrap();
    assert_eq!(done, 1, "{sql}");
}

async fn reconciled(w: &World, establishment: Option<Uuid>) -> Report {
    let period = Period::of_days(None, None).unwrap();
    reconcile(&w.commands.store, &Gateway::Simulated(w.sim.clone()), establishment, &period, None)
        .await
        .unwrap()
}

fn problems(report: &Report) -> Vec<(MovementKind, Problem, Option<i64>, Option<i64>)> {
    report.mismatches.iter().map(|m| (m.kind, m.problem, m.ledger_cents, m.provider_cents)).collect()
}

async fn reconciliation_reports_each_difference_with_the_provider(db: TestDb) {
    let (w, other) = a_month_of_money(&db).await;
    // The connected account pays what it holds out to the bank.
    assert!(w.sim.payout(&w.account(), "payout-1").unwrap().is_some());
    w.sim.save().await.unwrap();

    // Before any fault, both sides agree to the cent.
    let clean = reconciled(&w, None).await;
    assert!(clean.is_clean(), "{:#?}", clean.mismatches);
    let totals = |r: &Report, kind| r.totals[&kind].clone();
    let charges = totals(&clean, MovementKind::Charge);
    assert_eq!((charges.ledger_count, charges.provider_count, charges.matched), (4, 4, 4));
    assert_eq!(charges.ledger_cents, 10_000);
    let refunds = totals(&clean, MovementKind::Refund);
    assert_eq!((refunds.ledger_count, refunds.ledger_cents, refunds.matched), (2, 1250 + 2500, 2));
    let transfers = totals(&clean, MovementKind::Transfer);
    assert_eq!((transfers.ledger_count, transfers.provider_count, transfers.matched), (2, 2, 2));
    assert_eq!(totals(&clean, MovementKind::Payout).provider_cents, 2500);
    assert_eq!(clean.accounts.len(), 2);

    // The ledger's references, to break the provider's side of each.
    let replay = finance::replay_until(&w.commands.store, Utc::now()).await.unwrap();
    let find = |kind, establishment: Uuid, cents: i64| {
        replay
            .movements
            .iter()
            .find(|m| m.kind == kind && m.establishment_id == establishment && m.amount_cents == cents)
            .unwrap()
            .clone()
    };
    let other_transfer = find(MovementKind::Transfer, other.establishment_id, 2500);
    let half_refund = find(MovementKind::Refund, w.establishment_id, 1250);
    let refunded_charge = replay
        .movements
        .iter()
        .find(|m| {
            m.kind == MovementKind::Charge
                && replay.movements.iter().any(|r| {
                    r.kind == MovementKind::Refund && r.booking_id == m.booking_id && r.amount_cents == 2500
                })
        })
        .unwrap()
        .clone();

    // A transfer the provider never made, a refund it made twice, a charge
    // of another amount, and a payout of more than was transferred.
    provider_sql(
        &w,
        &format!("DELETE FROM simulated_provider_objects WHERE object_id = '{}'", other_transfer.reference),
    )
    .await;
    provider_sql(
        &w,
        &format!(
            "INSERT INTO simulated_provider_objects SELECT 'double-refund', kind, 're_sim_double', amount_cents, \
             booking_id, account, parent, fingerprint, created_at FROM simulated_provider_objects \
             WHERE object_id = '{}'",
            half_refund.reference
        ),
    )
    .await;
    provider_sql(
        &w,
        &format!(
            "UPDATE simulated_provider_objects SET amount_cents = 2400 WHERE object_id = '{}'",
            refunded_charge.reference
        ),
    )
    .await;
    w.sim.set_balance(&w.account(), 100_000);
    assert!(w.sim.payout(&w.account(), "payout-2").unwrap().is_some());
    w.sim.save().await.unwrap();

    let all = reconciled(&w, None).await;
    let mut found = problems(&all);
    found.sort();
    assert_eq!(
        found,
        vec![
            (MovementKind::Charge, Problem::AmountDiffers, Some(2500), Some(2400)),
            (MovementKind::Refund, Problem::Duplicate, None, Some(1250)),
            (MovementKind::Transfer, Problem::MissingAtProvider, Some(2500), None),
            (MovementKind::Payout, Problem::PayoutsExceedTransfers, Some(2500), Some(102_500)),
        ],
        "{:#?}",
        all.mismatches
    );
    let missing = all.mismatches.iter().find(|m| m.problem == Problem::MissingAtProvider).unwrap();
    assert_eq!(missing.reference, other_transfer.reference);
    assert_eq!(missing.event_id, Some(other_transfer.event_id), "it names the ledger's event");
    assert_eq!(missing.establishment_id, Some(other.establishment_id));
    let double = all.mismatches.iter().find(|m| m.problem == Problem::Duplicate).unwrap();
    assert_eq!(
        (double.reference.as_str(), double.booking_id),
        ("re_sim_double", Some(half_refund.booking_id))
    );
    let differs = all.mismatches.iter().find(|m| m.problem == Problem::AmountDiffers).unwrap();
    assert_eq!(differs.difference_cents(), -100);

    // One establishment's report holds its own differences only.
    let own = reconciled(&w, Some(w.establishment_id)).await;
    assert_eq!(own.mismatches.len(), 3, "{:#?}", own.mismatches);
    assert!(own.mismatches.iter().all(|m| m.establishment_id == Some(w.establishment_id)));
    let theirs = reconciled(&w, Some(other.establishment_id)).await;
    assert_eq!(
        problems(&theirs),
        vec![(MovementKind::Transfer, Problem::MissingAtProvider, Some(2500), None)]
    );

    // The command line reads the same records and fails on the differences.
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_salle"))
            .args(["ledger", "reconcile"])
            .args(args)
            .env("SALLE_DATABASE_URL", &db.url)
            .env_remove("STRIPE_SECRET_KEY")
            .env("SALLE_PAYMENTS", "simulated")
            .output()
            .unwrap()
    };
    let output = cli(&["--establishment", &w.establishment_id.to_string()]);
    assert!(!output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in ["amount_differs", "duplicate", "payouts_exceed_transfers", "re_sim_double"] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(String::from_utf8_lossy(&output.stderr).contains("3 mismatch"));
    let output = cli(&["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["mismatches"].as_array().unwrap().len(), 4, "{json:#}");
    assert_eq!(json["provider"], "simulated");
    let output = cli(&["--establishment", &other.establishment_id.to_string(), "--to", "2020-01-01"]);
    assert!(output.status.success(), "nothing to reconcile before the first event");
}
