//! `salle bench read-side`: on an existing store (seed it with `salle seed
//! --synthetic --scale departement`), the rebuild time and events/s of each
//! projection, the time to build the search index, in-process search latency
//! (p50/p99) over typical queries, and the resident memory. Printed, never
//! asserted.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use clap::Args;
use salle_domain::time::Slot;
use salle_events::Store;
use salle_events::catalog::association::RequesterCategory;
use salle_events::catalog::room::{Equipment, RoomKind};
use salle_projections::availability::Availability;
use salle_projections::bookings::Bookings;
use salle_projections::communes::Communes;
use salle_projections::ledger::Ledger;
use salle_projections::runner::Runner;
use salle_projections::search::SearchQuery;

#[derive(Debug, Clone, Args)]
pub struct ReadBenchArgs {
    /// Search queries timed.
    #[arg(long, default_value_t = 2000)]
    pub queries: usize,
    /// The projections rebuilt, comma-separated (each one replays the whole
    /// log: at national scale, about ten minutes each here).
    #[arg(long, value_delimiter = ',', default_value = "bookings,availability,ledger",
          value_parser = ["bookings", "availability", "ledger"])]
    pub rebuild: Vec<String>,
}

/// Resident memory of this process, from /proc (Linux), in MiB.
fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 =
        status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub async fn run(
    store: &Store,
    calendar: &salle_domain::calendar::Calendar,
    args: ReadBenchArgs,
) -> anyhow::Result<()> {
    let events = store.count_after(salle_events::LogPosition::START).await?;
    println!("log: {events} events; rss at start {:.0} MiB", rss_mib().unwrap_or(0.0));
    println!("{:<14} {:>10} {:>12}", "rebuild", "seconds", "events/s");
    let mut all = Duration::ZERO;
    for name in &args.rebuild {
        let rebuilt = match name.as_str() {
            "bookings" => Runner::new(store.clone(), Bookings).rebuild(|_, _| {}).await,
            "availability" => Runner::new(store.clone(), Availability).rebuild(|_, _| {}).await,
            _ => Runner::new(store.clone(), Ledger).rebuild(|_, _| {}).await,
        };
        let (_, took) = rebuilt.with_context(|| format!("rebuilding {name}"))?;
        all += took;
        println!("{name:<14} {:>10.2} {:>12.0}", took.as_secs_f64(), events as f64 / took.as_secs_f64());
    }
    if args.rebuild.len() > 1 {
        println!(
            "{:<14} {:>10.2} {:>12.0}",
            "together",
            all.as_secs_f64(),
            args.rebuild.len() as f64 * events as f64 / all.as_secs_f64()
        );
    }

    let search = crate::read_side::Search::default();
    let started = Instant::now();
    search.catch_up(store).await?;
    let took = started.elapsed();
    let rooms = search.read_index(|i| i.rooms());
    println!(
        "{:<14} {:>10.2} {:>12.0}   ({rooms} rooms; rss {:.0} MiB)",
        "search index",
        took.as_secs_f64(),
        events as f64 / took.as_secs_f64(),
        rss_mib().unwrap_or(0.0)
    );

    // Typical queries: around the 30 largest communes, a weekday evening of
    // the school year, with and without filters.
    let communes = Communes::isere().map_err(anyhow::Error::msg)?;
    let mut places: Vec<_> = communes.all().iter().collect();
    places.sort_by_key(|c| std::cmp::Reverse(c.population));
    places.truncate(30);
    let day =
        |n: usize| NaiveDate::from_ymd_opt(2026, 11, 9).map(|d| d + chrono::Duration::days((n % 40) as i64));
    let mut latencies = Vec::with_capacity(args.queries);
    let mut found = 0usize;
    for n in 0..args.queries {
        let place = places[n % places.len()];
        let window = day(n).and_then(|d| {
            let start = NaiveTime::from_hms_opt(18 + (n % 3) as u32, 0, 0)?;
            let end = NaiveTime::from_hms_opt(20 + (n % 3) as u32, 0, 0)?;
            Slot::from_local(d, start, end).ok()
        });
        let query = SearchQuery {
            lat: place.lat,
            lon: place.lon,
            radius_km: [5.0, 10.0, 25.0][n % 3],
            window: if n % 4 == 3 { None } else { window },
            capacity: [None, Some(20), Some(50)][n % 3],
            kind: [None, Some(RoomKind::GymHall), None, Some(RoomKind::Multipurpose)][n % 4],
            equipment: if n % 5 == 0 { vec![Equipment::Projector] } else { vec![] },
            step_free: n % 7 == 0,
            max_price_cents: None,
            category: RequesterCategory::LocalAssociation,
            page: 1,
        };
        let started = Instant::now();
        let page = search.read_index(|index| index.search(&query, calendar));
        latencies.push(started.elapsed());
        found += page.total;
    }
    latencies.sort();
    println!(
        "search: {} queries, {:.1} results on average; p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        args.queries,
        found as f64 / args.queries.max(1) as f64,
        percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
        percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
    println!("rss at end: {:.0} MiB", rss_mib().unwrap_or(0.0));
    Ok(())
}
