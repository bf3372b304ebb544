//! postgres-es 0.5 persisting single-event commands with a version check,
//! measured the same way as `salle bench store` (one second of warm-up, then
//! a fixed duration; each writer owns one aggregate and knows its sequence).
//!
//! Usage: postgres-es-peer ADMIN_URL SECONDS WRITERS(,…) OUT.json

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cqrs_es::persist::{PersistedEventRepository, SerializedEvent};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use postgres_es::PostgresEventRepository;
use serde::{Deserialize, Serialize};
use sqlx::Connection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct BookingRequested {
    booking_id: Uuid,
    room_id: Uuid,
    association_id: Uuid,
    start: String,
    end: String,
    attendees: u32,
    amount_cents: i64,
    currency: String,
    purpose: String,
}

impl DomainEvent for BookingRequested {
    fn event_type(&self) -> String {
        "BookingRequested".into()
    }
    fn event_version(&self) -> String {
        "1".into()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Room;

#[derive(Debug)]
struct Never;


impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}
impl std::error::Error for Never {}

impl Aggregate for Room {
    const TYPE: &'static str = "Room";
    type Command = ();
    type Event = BookingRequested;
    type Error = Never;
    type Services = ();

    async fn handle(&mut self, _: (), _: &(), _: &EventSink<Self>) -> Result<(), Never> {
        Ok(())
    }
    fn apply(&mut self, _: BookingRequested) {}
}

fn payload() -> serde_json::Value {
    serde_json::to_value(BookingRequested {
        booking_id: Uuid::now_v7(),
        room_id: Uuid::now_v7(),
        association_id: Uuid::now_v7(),
        start: "2026-12-08T18:00:00+01:00".into(),
        end: "2026-12-08T20:00:00+01:00".into(),
        attendees: 25,
        amount_cents: 4500,
        currency: "EUR".into(),
        purpose: "Répétition hebdomadaire de la chorale".into(),
    })
    .unwrap_or_default()
}

const SCHEMA: &str = "CREATE TABLE events (
    aggregate_type text NOT NULL, aggregate_id text NOT NULL,
    sequence bigint CHECK (sequence >= 0) NOT NULL, event_type text NOT NULL,
    event_version text NOT NULL, payload json NOT NULL, metadata json NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence))";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, admin, seconds, writers, out] = args.as_slice() else {
        bail!("usage: postgres-es-peer ADMIN_URL SECONDS WRITERS(,…) OUT.json");
    };
    let seconds: f64 = seconds.parse().context("SECONDS")?;
    let writers: Vec<usize> =
        writers.split(',').map(|w| w.parse()).collect::<Result<_, _>>().context("WRITERS")?;

    let name = format!("salle_bench_peer_{}", Uuid::now_v7().simple());
    let mut conn = sqlx::PgConnection::connect(admin).await.context("connecting")?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
    let url = match admin.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => bail!("ADMIN_URL must name a database"),
    };
    let result = run(&url, seconds, &writers).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
    let figures = result?;
    let json = serde_json::json!({ "append": figures });
    std::fs::write(out, serde_json::to_string_pretty(&json)?)?;
    for f in figures {
        println!("postgres-es 0.5 persist, {} writer(s): {:.0} events/s", f.writers, f.events_per_sec);
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Figure {
    writers: usize,
    events_per_sec: f64,
}

async fn run(url: &str, seconds: f64, writers: &[usize]) -> anyhow::Result<Vec<Figure>> {
    let max = writers.iter().copied().max().unwrap_or(1) as u32;
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(max + 4).connect(url).await?;
    sqlx::query(SCHEMA).execute(&pool).await?;
    let repo = Arc::new(PostgresEventRepository::new(pool.clone()));
    let mut figures = Vec::new();
    for &w in writers {
        let counting = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let run = Uuid::now_v7().simple().to_string();
        let mut tasks = Vec::new();
        for i in 0..w {
            let (repo, counting, stop, done) = (repo.clone(), counting.clone(), stop.clone(), done.clone());
            let aggregate_id = format!("{run}-{i}");
            tasks.push(tokio::spawn(async move {
                let mut sequence = 1usize;
                while !stop.load(Ordering::Relaxed) {
                    let event = SerializedEvent::new(
                        aggregate_id.clone(),
                        sequence,
                        Room::TYPE.to_string(),
                        "BookingRequested".into(),
                        "1".into(),
                        payload(),
                        serde_json::json!({"actor": "bench"}),
                    );
                    repo.persist::<Room>(&[event], None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    sequence += 1;
                    if counting.load(Ordering::Relaxed) {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
                anyhow::Ok(())
            }));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        counting.store(true, Ordering::SeqCst);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        let count = done.load(Ordering::SeqCst);
        let elapsed = started.elapsed();
        stop.store(true, Ordering::SeqCst);
        for t in tasks {
            t.await??;
        }
        figures.push(Figure { writers: w, events_per_sec: count as f64 / elapsed.as_secs_f64() });
    }
    pool.close().await;
    Ok(figures)
}
