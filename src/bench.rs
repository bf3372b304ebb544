//! `salle bench store`: append and replay throughput of the event store on
//! both backends, next to the floor of a raw single-row INSERT on the same
//! server, and (when given its results) postgres-es doing the same commands.
//!
//! Figures are printed, never asserted: see BENCHMARKS.md for the method.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use salle_events::sql;
use salle_events::{
    EventStore, ExpectedVersion, LogPosition, Metadata, NewEvent, Store, StoreOptions, StreamId,
};
use serde::{Deserialize, Serialize};
use sqlx::Connection;
use uuid::Uuid;

#[derive(Debug, Clone, Args)]
pub struct StoreBenchArgs {
    /// PostgreSQL server to measure on; a fresh database is created there and dropped.
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres_url: String,
    /// Measure SQLite only.
    #[arg(long)]
    pub skip_postgres: bool,
    /// Measure PostgreSQL only.
    #[arg(long)]
    pub skip_sqlite: bool,
    /// Seconds of each append measurement (after one second of warm-up).
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Seconds of warm-up before each measurement.
    #[arg(long, default_value_t = 1.0)]
    pub warmup: f64,
    /// Concurrent writers, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16")]
    pub writers: Vec<usize>,
    /// Events written then replayed through `read_all`.
    #[arg(long, default_value_t = 1_000_000)]
    pub replay_events: usize,
    /// Results of `postgres-es-peer` (JSON) to compare with.
    #[arg(long)]
    pub peer_results: Option<PathBuf>,
    /// Also write every figure as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// A booking request, the most common command, as the benchmark's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchPayload {
    pub booking_id: Uuid,
    pub room_id: Uuid,
    pub association_id: Uuid,
    pub start: String,
    pub end: String,
    pub attendees: u32,
    pub amount_cents: i64,
    pub currency: String,
    pub purpose: String,
}

impl BenchPayload {
    pub fn sample() -> Self {
        Self {
            booking_id: Uuid::now_v7(),
            room_id: Uuid::now_v7(),
            association_id: Uuid::now_v7(),
            start: "2026-12-08T18:00:00+01:00".into(),
            end: "2026-12-08T20:00:00+01:00".into(),
            attendees: 25,
            amount_cents: 4500,
            currency: "EUR".into(),
            purpose: "Répétition hebdomadaire de la chorale".into(),
        }
    }
}

/// Every figure of one run.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    pub rows: Vec<Figure>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure {
    pub backend: String,
    pub measurement: String,
    pub writers: usize,
    pub events_per_sec: f64,
}

/// What `postgres-es-peer` writes: events/s per writer count.
#[derive(Debug, Deserialize)]
struct PeerResults {
    append: Vec<PeerFigure>,
}

#[derive(Debug, Deserialize)]
struct PeerFigure {
    writers: usize,
    events_per_sec: f64,
}

pub async fn run_store_bench(args: StoreBenchArgs) -> anyhow::Result<()> {
    if args.writers.is_empty() || args.writers.iter().any(|w| !(1..=256).contains(w)) {
        bail!("--writers takes counts between 1 and 256");
    }
    if !(0.1..=600.0).contains(&args.seconds) {
        bail!("--seconds must be between 0.1 and 600");
    }
    if !(0.0..=60.0).contains(&args.warmup) {
        bail!("--warmup must be between 0 and 60 seconds");
    }
    let peer = match &args.peer_results {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Some(
                serde_json::from_str::<PeerResults>(&text)
                    .with_context(|| format!("parsing {}", path.display()))?,
            )
        }
        None => None,
    };
    let mut figures = Figures::default();
    if !args.skip_sqlite {
        let dir = std::env::temp_dir().join(format!("salle-bench-{}", Uuid::now_v7().simple()));
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let result = bench_backend("sqlite", &url, &args, &mut figures).await;
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    if !args.skip_postgres {
        let db = BenchDatabase::create(&args.postgres_url).await?;
        let result = bench_backend("postgres", &db.url, &args, &mut figures).await;
        db.drop().await;
        result?;
    }
    print_table(&figures, peer.as_ref());
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&figures).context("encoding the figures")?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

async fn bench_backend(
    backend: &str,
    url: &str,
    args: &StoreBenchArgs,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let max_writers = args.writers.iter().copied().max().unwrap_or(1) as u32;
    let options = StoreOptions { max_connections: max_writers + 4, ..StoreOptions::default() };
    let store = Store::connect(url, options).await.context("opening the bench store")?;
    store.migrate().await.context("migrating the bench store")?;
    create_raw_table(&store).await?;
    let seconds = Duration::from_secs_f64(args.seconds);
    let warmup = Duration::from_secs_f64(args.warmup);
    // Append and its raw-INSERT floor alternate in short rounds, so that
    // drift on the machine (checkpoints, autovacuum, other load) hits both alike.
    const ROUNDS: u32 = 3;
    for &writers in &args.writers {
        let (mut appended, mut raw) = (Rate::default(), Rate::default());
        for round in 1..=ROUNDS {
            eprintln!("{backend}: append, {writers} writer(s), round {round}/{ROUNDS}…");
            let s = store.clone();
            appended += measure(writers, warmup, seconds / ROUNDS, move |w, n| {
                let store = s.clone();
                async move {
                    let stream = StreamId::parse(format!("bench-{w}"))?;
                    store.append(&stream, ExpectedVersion::Exact(n), vec![bench_event()]).await?;
                    Ok(())
                }
            })
            .await?;
            eprintln!("{backend}: raw INSERT, {writers} writer(s), round {round}/{ROUNDS}…");
            let s = store.clone();
            raw += measure(writers, warmup, seconds / ROUNDS, move |w, n| {
                let store = s.clone();
                async move { raw_insert(&store, w, n).await }
            })
            .await?;
        }
        figures.rows.push(Figure {
            backend: backend.into(),
            measurement: "append".into(),
            writers,
            events_per_sec: appended.per_sec(),
        });
        figures.rows.push(Figure {
            backend: backend.into(),
            measurement: "raw INSERT".into(),
            writers,
            events_per_sec: raw.per_sec(),
        });
    }
    if args.replay_events > 0 {
        eprintln!("{backend}: writing {} events for the replay…", args.replay_events);
        let written = Instant::now();
        fill(&store, args.replay_events).await?;
        let fill_eps = args.replay_events as f64 / written.elapsed().as_secs_f64();
        figures.rows.push(Figure {
            backend: backend.into(),
            measurement: "batched append (500/stream)".into(),
            writers: 4,
            events_per_sec: fill_eps,
        });
        eprintln!("{backend}: replaying…");
        let eps = replay(&store).await?;
        figures.rows.push(Figure {
            backend: backend.into(),
            measurement: "replay".into(),
            writers: 1,
            events_per_sec: eps,
        });
    }
    store.close().await;
    Ok(())
}

fn bench_event() -> NewEvent {
    let payload = serde_json::to_value(BenchPayload::sample()).unwrap_or_default();
    NewEvent::new(
        "BookingRequested",
        1,
        payload,
        Metadata { correlation_id: Some(Uuid::now_v7()), causation_id: None, actor: Some("bench".into()) },
    )
}

/// Operations counted over a measured time.
#[derive(Debug, Default, Clone, Copy)]
struct Rate {
    count: u64,
    elapsed: Duration,
}

impl Rate {
    fn per_sec(self) -> f64 {
        if self.elapsed.is_zero() { 0.0 } else { self.count as f64 / self.elapsed.as_secs_f64() }
    }
}

impl std::ops::AddAssign for Rate {
    fn add_assign(&mut self, other: Self) {
        self.count += other.count;
        self.elapsed += other.elapsed;
    }
}

/// Runs `writers` loops of `op(writer, n)` for `warmup` then `duration`, and
/// returns what was done in the measured part.
async fn measure<F, Fut>(writers: usize, warmup: Duration, duration: Duration, op: F) -> anyhow::Result<Rate>
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static + Clone,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let run = Uuid::now_v7().simple().to_string();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (op, counting, stop, done) = (op.clone(), counting.clone(), stop.clone(), done.clone());
        // Each writer owns one stream per measurement, so versions are known without reading.
        let writer = format!("{run}-{w}").bytes().fold(w, |h, b| h.wrapping_mul(31).wrapping_add(b as usize));
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                op(writer, n).await?;
                n += 1;
                if counting.load(Ordering::Relaxed) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
            anyhow::Ok(())
        }));
    }
    tokio::time::sleep(warmup).await;
    counting.store(true, Ordering::SeqCst);
    let started = Instant::now();
    tokio::time::sleep(duration).await;
    let count = done.load(Ordering::SeqCst);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.context("a bench writer panicked")??;
    }
    Ok(Rate { count, elapsed })
}

/// The floor: the same row by a plain single-row INSERT, no version check.
async fn create_raw_table(store: &Store) -> anyhow::Result<()> {
    let ddl = if sql::is_postgres(store) {
        "CREATE TABLE IF NOT EXISTS bench_raw_events (LIKE events INCLUDING ALL)"
    } else {
        "CREATE TABLE IF NOT EXISTS bench_raw_events (global_position INTEGER PRIMARY KEY AUTOINCREMENT, \
         stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL, event_id BLOB NOT NULL UNIQUE, \
         event_type TEXT NOT NULL, schema_version INTEGER NOT NULL, payload TEXT NOT NULL, \
         metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, stream_version))"
    };
    sql::write(store, ddl, sql::Args::new()).await?;
    Ok(())
}

async fn raw_insert(store: &Store, writer: usize, n: u64) -> anyhow::Result<()> {
    let e = bench_event();
    let stream = format!("raw-{writer}");
    let metadata = serde_json::to_string(&e.metadata)?;
    let args = sql::Args::new()
        .text(stream)
        .int(n as i64 + 1)
        .uuid(e.event_id)
        .text(e.event_type)
        .int(i64::from(e.schema_version))
        .text(e.payload.to_string())
        .text(metadata);
    // PostgreSQL's table has the log's own column types and defaults.
    let insert = if sql::is_postgres(store) {
        "INSERT INTO bench_raw_events (stream_id, stream_version, event_id, event_type, schema_version, \
         payload, metadata) VALUES ($1, $2, $3, $4, $5::int, $6::text::json, $7::text::json)"
    } else {
        "INSERT INTO bench_raw_events (stream_id, stream_version, event_id, event_type, schema_version, \
         payload, metadata, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    };
    let args = if sql::is_postgres(store) { args } else { args.time(chrono::Utc::now()) };
    sql::write(store, insert, args).await?;
    Ok(())
}

/// Writes `count` events in batches of 500, one stream per batch, 4 writers.
async fn fill(store: &Store, count: usize) -> anyhow::Result<()> {
    const BATCH: usize = 500;
    let batches = count.div_ceil(BATCH);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (store, next) = (store.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let b = next.fetch_add(1, Ordering::SeqCst) as usize;
                if b >= batches {
                    return anyhow::Ok(());
                }
                let size = BATCH.min(count - b * BATCH);
                let events: Vec<_> = (0..size).map(|_| bench_event()).collect();
                let stream = StreamId::parse(format!("replay-{b}"))?;
                store.append(&stream, ExpectedVersion::NoStream, events).await?;
            }
        }));
    }
    for task in tasks {
        task.await.context("a fill writer panicked")??;
    }
    Ok(())
}

/// Reads the whole log in batches and decodes every payload; returns events/s.
///
/// The next batch is fetched while the current one is decoded, as a
/// projection runner does: the database and the decoder work side by side.
async fn replay(store: &Store) -> anyhow::Result<f64> {
    const BATCH: usize = 5000;
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let reader = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut after = LogPosition::START;
            loop {
                let batch = store.read_all(after, BATCH).await?;
                let Some(last) = batch.last() else { return anyhow::Ok(()) };
                after = last.log_position();
                if tx.send(batch).await.is_err() {
                    return Ok(());
                }
            }
        })
    };
    let mut count = 0u64;
    let mut checksum = 0i64;
    while let Some(batch) = rx.recv().await {
        for event in &batch {
            if event.event_type == "BookingRequested" {
                let payload: BenchPayload = event.decode()?;
                checksum = checksum.wrapping_add(payload.amount_cents);
            }
            count += 1;
        }
    }
    reader.await.context("the replay reader panicked")??;
    let elapsed = started.elapsed();
    std::hint::black_box(checksum);
    Ok(count as f64 / elapsed.as_secs_f64())
}

fn print_table(figures: &Figures, peer: Option<&PeerResults>) {
    let find = |backend: &str, measurement: &str, writers: usize| {
        figures
            .rows
            .iter()
            .find(|f| f.backend == backend && f.measurement == measurement && f.writers == writers)
            .map(|f| f.events_per_sec)
    };
    println!(
        "{:<9} {:<28} {:>7} {:>12} {:>10} {:>12}",
        "backend", "measurement", "writers", "events/s", "vs raw", "vs pg-es"
    );
    for f in &figures.rows {
        let vs_raw = match (f.measurement.as_str(), find(&f.backend, "raw INSERT", f.writers)) {
            ("append", Some(raw)) if raw > 0.0 => format!("{:.2}×", f.events_per_sec / raw),
            _ => String::new(),
        };
        let vs_peer = match (f.backend.as_str(), f.measurement.as_str(), peer) {
            ("postgres", "append" | "raw INSERT", Some(p)) => p
                .append
                .iter()
                .find(|pf| pf.writers == f.writers && pf.events_per_sec > 0.0)
                .map(|pf| format!("{:.2}×", f.events_per_sec / pf.events_per_sec))
                .unwrap_or_default(),
            _ => String::new(),
        };
        println!(
            "{:<9} {:<28} {:>7} {:>12.0} {:>10} {:>12}",
            f.backend, f.measurement, f.writers, f.events_per_sec, vs_raw, vs_peer
        );
    }
    if let Some(p) = peer {
        for pf in &p.append {
            println!(
                "{:<9} {:<28} {:>7} {:>12.0} {:>10} {:>12}",
                "postgres", "postgres-es 0.5 persist", pf.writers, pf.events_per_sec, "", "1.00×"
            );
        }
    }
}

/// A database created for one bench run on the given server, dropped after.
struct BenchDatabase {
    admin: String,
    name: String,
    url: String,
}

impl BenchDatabase {
    async fn create(admin: &str) -> anyhow::Result<Self> {
        let name = format!("salle_bench_{}", Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(admin).await.with_context(|| {
            format!("connecting to PostgreSQL at {}", salle_events::store::redact_url(admin))
        })?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
        let _ = conn.close().await;
        let url = salle_events::store::with_database(admin, &name);
        Ok(Self { admin: admin.to_owned(), name, url })
    }

    async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
        }
    }
}
