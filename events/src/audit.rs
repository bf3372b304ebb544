//! The tamper-evident chain over the log.
//!
//! Every event gets a link: `hash = SHA-256(previous hash ‖ canonical bytes)`,
//! in log order, starting from 32 zero bytes. The canonical bytes are the
//! event as stored — position, stream, version, id, type, schema version, the
//! payload and metadata exactly as their JSON text was written (before any
//! upcasting), and the time in RFC 3339 with microseconds — each field length-
//! prefixed so that no two events share their bytes.
//!
//! Appends stay one round trip: links are written just after, in log order,
//! by `seal` (run by `salle serve` every second, one sealer at a time through
//! an advisory lock on PostgreSQL; SQLite has a single writer). `verify`
//! recomputes the whole chain from the events and names the first event whose
//! link does not match; an auditor who wrote down a head (`position:hash`)
//! can check that today's log still extends it — rewriting any earlier event
//! and every link after it changes that hash.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use crate::error::{SqlxContext, StoreError};
use crate::store::Inner;
use crate::store::tx::TxInner;
use crate::store::{EventStore, Store};

pub const GENESIS: [u8; 32] = [0; 32];

/// A sealed event's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// 1, 2, 3… in log order.
    pub seq: i64,
    pub global_position: i64,
    pub transaction_id: i64,
    pub event_id: Uuid,
    /// Lowercase hexadecimal.
    pub hash: String,
}

/// An event exactly as stored.
#[derive(Debug, Clone)]
struct Stored {
    global_position: i64,
    transaction_id: i64,
    stream_id: String,
    stream_version: i64,
    event_id: Uuid,
    event_type: String,
    schema_version: i64,
    payload: String,
    metadata: String,
    recorded_at: DateTime<Utc>,
}

fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

fn link_hash(previous: &[u8; 32], e: &Stored) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(e.global_position.to_be_bytes());
    field(&mut h, e.stream_id.as_bytes());
    h.update(e.stream_version.to_be_bytes());
    h.update(e.event_id.as_bytes());
    field(&mut h, e.event_type.as_bytes());
    h.update(e.schema_version.to_be_bytes());
    field(&mut h, e.payload.as_bytes());
    field(&mut h, e.metadata.as_bytes());
    field(&mut h, e.recorded_at.to_rfc3339_opts(SecondsFormat::Micros, true).as_bytes());
    h.finalize().into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

const PG_EVENTS: &str = "SELECT global_position, transaction_id::text::int8, stream_id, stream_version, \
       event_id, event_type, schema_version::int8, payload::text, metadata::text, recorded_at FROM events \
     WHERE (transaction_id, global_position) > ($1::text::xid8, $2) \
       AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) \
     ORDER BY events.transaction_id, events.global_position LIMIT $3";

const SQLITE_EVENTS: &str = "SELECT global_position, 0, stream_id, stream_version, event_id, event_type, \
       schema_version, payload, metadata, recorded_at FROM events \
     WHERE global_position > ? ORDER BY global_position LIMIT ?";

fn stored<R: Row>(row: &R) -> Result<Stored, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(Stored {
        global_position: row.try_get(0)?,
        transaction_id: row.try_get(1)?,
        stream_id: row.try_get(2)?,
        stream_version: row.try_get(3)?,
        event_id: row.try_get(4)?,
        event_type: row.try_get(5)?,
        schema_version: row.try_get(6)?,
        payload: row.try_get(7)?,
        metadata: row.try_get(8)?,
        recorded_at: row.try_get(9)?,
    })
}

const LINK_COLUMNS: &str = "SELECT seq, global_position, transaction_id, event_id, hash FROM event_chain";

fn link<R: Row>(row: &R) -> Result<Link, sqlx::Error>
where
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    Ok(Link {
        seq: row.try_get(0)?,
        global_position: row.try_get(1)?,
        transaction_id: row.try_get(2)?,
        event_id: row.try_get(3)?,
        hash: row.try_get(4)?,
    })
}

/// Events after a log position, as stored, in log order.
async fn events_after(store: &Store, after: (i64, i64), limit: i64) -> Result<Vec<Stored>, StoreError> {
    let rows = match &store.0 {
        Inner::Postgres(p) => sqlx::query(PG_EVENTS)
            .bind(after.0.to_string())
            .bind(after.1)
            .bind(limit)
            .fetch_all(p.pool())
            .await
            .doing("reading the log for its chain")?
            .iter()
            .map(stored)
            .collect::<Result<Vec<_>, _>>(),
        Inner::Sqlite(s) => sqlx::query(SQLITE_EVENTS)
            .bind(after.1)
            .bind(limit)
            .fetch_all(s.reader_pool())
            .await
            .doing("reading the log for its chain")?
            .iter()
            .map(stored)
            .collect::<Result<Vec<_>, _>>(),
    };
    rows.doing("decoding an event for its chain")
}

/// Links after `seq`, in order.
async fn links_after(store: &Store, seq: i64, limit: i64) -> Result<Vec<Link>, StoreError> {
    let sql = format!("{LINK_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2");
    let rows = match &store.0 {
        Inner::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(seq)
            .bind(limit)
            .fetch_all(p.pool())
            .await
            .doing("reading the chain")?
            .iter()
            .map(link)
            .collect::<Result<Vec<_>, _>>(),
        Inner::Sqlite(s) => sqlx::query(sqlx::AssertSqlSafe(sql.replace("$1", "?").replace("$2", "?")))
            .bind(seq)
            .bind(limit)
            .fetch_all(s.reader_pool())
            .await
            .doing("reading the chain")?
            .iter()
            .map(link)
            .collect::<Result<Vec<_>, _>>(),
    };
    rows.doing("decoding a link of the chain")
}

/// The last link: the head an auditor writes down.
pub async fn head(store: &Store) -> Result<Option<Link>, StoreError> {
    let sql = format!("{LINK_COLUMNS} ORDER BY seq DESC LIMIT 1");
    let row = match &store.0 {
        Inner::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_optional(p.pool())
            .await
            .doing("reading the head of the chain")?
            .map(|r| link(&r)),
        Inner::Sqlite(s) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_optional(s.reader_pool())
            .await
            .doing("reading the head of the chain")?
            .map(|r| link(&r)),
    };
    row.transpose().doing("decoding the head of the chain")
}

/// Links up to `batch` more events, in log order; returns how many.
pub async fn seal(store: &Store, batch: usize) -> Result<usize, StoreError> {
    let mut tx = store.begin().await?;
    if let TxInner::Postgres(t) = &mut tx.inner {
        // One sealer at a time across processes; others wait, then find the work done.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('salle-event-chain'))")
            .execute(&mut **t)
            .await
            .doing("taking the chain's lock")?;
    }
    // Read inside the lock so that the head is the latest.
    let last = head(store).await?;
    let (after, mut previous, mut seq) = match &last {
        Some(l) => ((l.transaction_id, l.global_position), unhex(&l.hash).unwrap_or(GENESIS), l.seq),
        None => ((0, 0), GENESIS, 0),
    };
    let events = events_after(store, after, batch as i64).await?;
    if events.is_empty() {
        return Ok(0);
    }
    for e in &events {
        seq += 1;
        previous = link_hash(&previous, e);
        let hash = hex(&previous);
        match &mut tx.inner {
            TxInner::Postgres(t) => sqlx::query(
                "INSERT INTO event_chain (seq, global_position, transaction_id, event_id, hash) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(seq)
            .bind(e.global_position)
            .bind(e.transaction_id)
            .bind(e.event_id)
            .bind(hash)
            .execute(&mut **t)
            .await
            .doing("writing a link of the chain")
            .map(|_| ())?,
            TxInner::Sqlite(t) => sqlx::query(
                "INSERT INTO event_chain (seq, global_position, transaction_id, event_id, hash) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(seq)
            .bind(e.global_position)
            .bind(e.transaction_id)
            .bind(e.event_id)
            .bind(hash)
            .execute(&mut **t)
            .await
            .doing("writing a link of the chain")
            .map(|_| ())?,
        }
    }
    tx.commit().await?;
    Ok(events.len())
}

/// Seals until every readable event has its link.
pub async fn seal_all(store: &Store) -> Result<u64, StoreError> {
    let mut total = 0;
    loop {
        let sealed = seal(store, 2000).await?;
        total += sealed as u64;
        if sealed == 0 {
            return Ok(total);
        }
    }
}

/// The first event whose link does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub global_position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub why: String,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Links recomputed and found equal.
    pub verified: u64,
    /// The last verified link.
    pub head: Option<Link>,
    /// Events readable but not sealed yet.
    pub unsealed: u64,
    pub broken: Option<Break>,
    /// With an anchor: whether the log still extends it (None: not reached).
    pub anchor_holds: Option<bool>,
}

impl Report {
    pub fn is_sound(&self) -> bool {
        self.broken.is_none() && self.anchor_holds != Some(false)
    }
}

/// An auditor's note of a head: `POSITION:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub global_position: i64,
    pub hash: String,
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (position, hash) = s.split_once(':').ok_or_else(|| format!("« {s} » is not POSITION:HASH"))?;
        let global_position =
            position.trim().parse().map_err(|_| format!("« {position} » is not a log position"))?;
        let hash = hash.trim().to_ascii_lowercase();
        unhex(&hash).ok_or_else(|| format!("« {hash} » is not a SHA-256 in hexadecimal (64 characters)"))?;
        Ok(Self { global_position, hash })
    }
}

/// Recomputes the chain from the events and compares each link.
pub async fn verify(store: &Store, anchor: Option<&Anchor>) -> Result<Report, StoreError> {
    const PAGE: i64 = 2000;
    let mut report = Report { verified: 0, head: None, unsealed: 0, broken: None, anchor_holds: None };
    let mut previous = GENESIS;
    let mut after = (0i64, 0i64);
    let mut seq = 0i64;
    loop {
        let events = events_after(store, after, PAGE).await?;
        if events.is_empty() {
            break;
        }
        let links = links_after(store, seq, PAGE).await?;
        for (i, e) in events.iter().enumerate() {
            let Some(stored) = links.get(i) else {
                // The rest of the log waits for the sealer.
                report.unsealed = store_count_after(store, after).await?;
                return Ok(report);
            };
            let expected = link_hash(&previous, e);
            let breaks = |why: String| Break {
                seq: stored.seq,
                global_position: e.global_position,
                event_id: e.event_id,
                stream_id: e.stream_id.clone(),
                why,
            };
            if stored.global_position != e.global_position || stored.event_id != e.event_id {
                report.broken = Some(breaks(format!(
                    "link {} is for event {} at position {}, but the log has event {} there",
                    stored.seq, stored.event_id, stored.global_position, e.event_id
                )));
                return Ok(report);
            }
            if hex(&expected) != stored.hash {
                report.broken = Some(breaks(format!(
                    "its bytes no longer give its link: stored {}, recomputed {}",
                    stored.hash,
                    hex(&expected)
                )));
                return Ok(report);
            }
            if let Some(a) = anchor
                && a.global_position == e.global_position
            {
                report.anchor_holds = Some(a.hash == stored.hash);
            }
            previous = expected;
            seq = stored.seq;
            after = (e.transaction_id, e.global_position);
            report.verified += 1;
            report.head = Some(stored.clone());
        }
    }
    // Links for events that are not in the log any more.
    if let Some(extra) = links_after(store, seq, 1).await?.into_iter().next() {
        report.broken = Some(Break {
            seq: extra.seq,
            global_position: extra.global_position,
            event_id: extra.event_id,
            stream_id: String::new(),
            why: format!("link {} names event {} which is not in the log", extra.seq, extra.event_id),
        });
    }
    Ok(report)
}

async fn store_count_after(store: &Store, after: (i64, i64)) -> Result<u64, StoreError> {
    store.count_after(crate::LogPosition { transaction_id: after.0, global_position: after.1 }).await
}
