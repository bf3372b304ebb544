//! The `availability` projection: each room's opening rules, closures and
//! occupation, kept from the rooms' events; and the calendar of a room for a
//! date range — the opening windows minus active bookings, internal blocks
//! and blackouts — as `free`, `held` (requested, awaiting a decision) and
//! `booked` intervals, computed in Europe/Paris time.
//!
//! Over 500 lines: the projection, its query and the calendar it computes
//! belong together; about a fifth is their tests.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use salle_domain::calendar::Calendar;
use salle_domain::opening::{Blackout, windows_on};
use salle_domain::time::local_instant;
use salle_events::catalog::room::{OpeningRules, RoomEvent};
use salle_events::sql::{self, Args, ROWS_PER_STATEMENT, execute, execute_built, values};
use salle_events::{RecordedEvent, Store, StoreTx};
use serde::Serialize;
use uuid::Uuid;

use crate::room_events;
use crate::runner::{Projection, ProjectionError};

pub const NAME: &str = "availability";

/// The longest range one calendar covers.
pub const MAX_DAYS: i64 = 62;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Free,
    Held,
    Booked,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Held => "held",
            Self::Booked => "booked",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "held" => Self::Held,
            "free" => Self::Free,
            _ => Self::Booked,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: Status,
}

/// What occupies a room: a booking (held or booked) or an internal block (booked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occupied {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: Status,
}

/// The calendar of one room from `from` to `to` (local days, inclusive).
///
/// Inside each opening window, occupied parts keep their status and the rest
/// is free, less the buffer the room keeps around each occupation.
pub fn calendar_of(
    rules: &OpeningRules,
    calendar: &Calendar,
    blackouts: &[Blackout],
    buffer_minutes: u32,
    occupied: &[Occupied],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Interval> {
    let buffer = Duration::minutes(buffer_minutes as i64);
    let mut sorted = occupied.to_vec();
    sorted.sort_by_key(|o| o.start);
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        for window in windows_on(rules, calendar, blackouts, day) {
            let (Ok(open), Ok(close)) = (local_instant(day, window.start), local_instant(day, window.end))
            else {
                continue;
            };
            let mut cursor = open;
            for o in sorted.iter().filter(|o| o.start < close + buffer && open < o.end + buffer) {
                let free_end = (o.start - buffer).min(close);
                if free_end > cursor {
                    out.push(Interval { start: cursor, end: free_end, status: Status::Free });
                }
                let (start, end) = (o.start.max(open), o.end.min(close));
                if end > start {
                    out.push(Interval { start, end, status: o.status });
                }
                cursor = cursor.max(o.end + buffer);
            }
            if close > cursor {
                out.push(Interval { start: cursor, end: close, status: Status::Free });
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    out
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Availability;

async fn exec(tx: &mut StoreTx, sql: &'static str, args: Args) -> Result<(), ProjectionError> {
    execute(tx, sql, args).await.map_err(|source| ProjectionError::Database { projection: NAME, source })?;
    Ok(())
}

fn json(rules: &OpeningRules) -> Result<String, ProjectionError> {
    serde_json::to_string(rules).map_err(|e| ProjectionError::Unreadable {
        projection: NAME,
        global_position: 0,
        reason: e.to_string(),
    })
}

impl Projection for Availability {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn apply(&self, tx: &mut StoreTx, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let mut occupation = Occupation::default();
        for item in room_events(NAME, events) {
            let (room_id, _, event) = item?;
            match event {
                RoomEvent::RoomAdded { establishment_id, opening, constraints, .. } => {
                    let args = Args::new()
                        .uuid(room_id)
                        .uuid(establishment_id)
                        .text(json(&opening)?)
                        .int(constraints.buffer_minutes as i64);
                    exec(
                        tx,
                        "INSERT INTO read_room_schedule (room_id, establishment_id, opening, buffer_minutes, withdrawn) \
                         VALUES ($1, $2, $3, $4, 0)",
                        args,
                    )
                    .await?;
                }
                RoomEvent::OpeningRulesSet { opening } => {
                    let args = Args::new().text(json(&opening)?).uuid(room_id);
                    exec(tx, "UPDATE read_room_schedule SET opening = $1 WHERE room_id = $2", args).await?;
                }
                RoomEvent::BookingConstraintsSet { constraints } => {
                    let args = Args::new().int(constraints.buffer_minutes as i64).uuid(room_id);
                    exec(tx, "UPDATE read_room_schedule SET buffer_minutes = $1 WHERE room_id = $2", args)
                        .await?;
                }
                RoomEvent::RoomWithdrawn { .. } => {
                    exec(
                        tx,
                        "UPDATE read_room_schedule SET withdrawn = 1 WHERE room_id = $1",
                        Args::new().uuid(room_id),
                    )
                    .await?;
                }
                RoomEvent::RoomReinstated { .. } => {
                    exec(
                        tx,
                        "UPDATE read_room_schedule SET withdrawn = 0 WHERE room_id = $1",
                        Args::new().uuid(room_id),
                    )
                    .await?;
                }
                RoomEvent::BlackoutAdded { blackout_id, first_day, last_day, reason } => {
                    let args = Args::new()
                        .uuid(blackout_id)
                        .uuid(room_id)
                        .text(first_day.to_string())
                        .text(last_day.to_string())
                        .text(reason);
                    exec(
                        tx,
                        "INSERT INTO read_room_blackouts (blackout_id, room_id, first_day, last_day, reason) \
                         VALUES ($1, $2, $3, $4, $5)",
                        args,
                    )
                    .await?;
                }
                RoomEvent::BlackoutRemoved { blackout_id } => {
                    exec(
                        tx,
                        "DELETE FROM read_room_blackouts WHERE blackout_id = $1",
                        Args::new().uuid(blackout_id),
                    )
                    .await?;
                }
                RoomEvent::InternalBlockAdded { block_id, start, end, .. } => {
                    occupation.add(block_id, room_id, Status::Booked, start, end);
                }
                RoomEvent::BookingRequested { booking_id, start, end, .. } => {
                    occupation.add(booking_id, room_id, Status::Held, start, end);
                }
                RoomEvent::BookingApproved { booking_id, .. } => occupation.book(booking_id),
                RoomEvent::InternalBlockRemoved { block_id: item_id }
                | RoomEvent::BookingRejected { booking_id: item_id, .. }
                | RoomEvent::BookingExpired { booking_id: item_id, .. }
                | RoomEvent::BookingCancelled { booking_id: item_id, .. } => occupation.remove(item_id),
                _ => {}
            }
        }
        occupation.write(tx).await
    }

    async fn reset(&self, tx: &mut StoreTx) -> Result<(), ProjectionError> {
        exec(tx, "DELETE FROM read_room_occupancy", Args::new()).await?;
        exec(tx, "DELETE FROM read_room_blackouts", Args::new()).await?;
        exec(tx, "DELETE FROM read_room_schedule", Args::new()).await
    }
}

/// What a batch does to the occupation table, reduced: an item added and
/// approved within the batch is inserted once as booked, one added and
/// removed within it is never written.
#[derive(Debug, Default)]
struct Occupation {
    order: Vec<Uuid>,
    pending: std::collections::HashMap<Uuid, Pending>,
}

#[derive(Debug, Clone, Copy)]
enum Pending {
    Insert { room_id: Uuid, status: Status, start: DateTime<Utc>, end: DateTime<Utc> },
    Book,
    Delete,
    Nothing,
}

impl Occupation {
    fn entry(&mut self, item_id: Uuid) -> &mut Pending {
        if !self.pending.contains_key(&item_id) {
            self.order.push(item_id);
        }
        self.pending.entry(item_id).or_insert(Pending::Nothing)
    }

    fn add(
        &mut self,
        item_id: Uuid,
        room_id: Uuid,
        status: Status,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) {
        *self.entry(item_id) = Pending::Insert { room_id, status, start, end };
    }

    fn book(&mut self, item_id: Uuid) {
        let pending = self.entry(item_id);
        *pending = match *pending {
            Pending::Insert { room_id, start, end, .. } => {
                Pending::Insert { room_id, status: Status::Booked, start, end }
            }
            Pending::Delete => Pending::Delete,
            Pending::Book | Pending::Nothing => Pending::Book,
        };
    }

    fn remove(&mut self, item_id: Uuid) {
        let pending = self.entry(item_id);
        *pending = match *pending {
            Pending::Insert { .. } => Pending::Nothing,
            _ => Pending::Delete,
        };
    }

    async fn write(self, tx: &mut StoreTx) -> Result<(), ProjectionError> {
        let mut inserts = Vec::new();
        for item_id in &self.order {
            match self.pending.get(item_id) {
                Some(Pending::Insert { room_id, status, start, end }) => {
                    inserts.push((*item_id, *room_id, *status, *start, *end))
                }
                Some(Pending::Book) => {
                    let args = Args::new().uuid(*item_id);
                    exec(tx, "UPDATE read_room_occupancy SET status = 'booked' WHERE item_id = $1", args)
                        .await?;
                }
                Some(Pending::Delete) => {
                    exec(
                        tx,
                        "DELETE FROM read_room_occupancy WHERE item_id = $1",
                        Args::new().uuid(*item_id),
                    )
                    .await?;
                }
                Some(Pending::Nothing) | None => {}
            }
        }
        for chunk in inserts.chunks(ROWS_PER_STATEMENT) {
            let mut args = Args::new();
            for (item_id, room_id, status, start, end) in chunk {
                args = args
                    .uuid(*item_id)
                    .uuid(*room_id)
                    .text(status.as_str().to_owned())
                    .time(*start)
                    .time(*end);
            }
            let sql = format!(
                "INSERT INTO read_room_occupancy (item_id, room_id, status, start_at, end_at) VALUES {}",
                values(chunk.len(), 5)
            );
            execute_built(tx, sql, args)
                .await
                .map_err(|source| ProjectionError::Database { projection: NAME, source })?;
        }
        Ok(())
    }
}

/// Why a calendar cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("la période va du {0} au {1} : la fin doit suivre le début, sur {MAX_DAYS} jours au plus")]
    BadRange(NaiveDate, NaiveDate),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
}

/// The calendar of `room_id` from `from` to `to` inclusive, or `None` when the
/// projection knows no such room. A withdrawn room has no free interval.
pub async fn room_calendar(
    store: &Store,
    calendar: &Calendar,
    room_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<Vec<Interval>>, CalendarError> {
    if to < from || (to - from).num_days() >= MAX_DAYS {
        return Err(CalendarError::BadRange(from, to));
    }
    let fail = |source| ProjectionError::Database { projection: NAME, source };
    // The range in instants, widened by a day on each side for time zones.
    let (lower, upper) = (
        from.and_hms_opt(0, 0, 0).map(|t| t.and_utc() - Duration::days(1)).unwrap_or_default(),
        to.and_hms_opt(0, 0, 0).map(|t| t.and_utc() + Duration::days(2)).unwrap_or_default(),
    );
    type Schedule = (String, i64, i64);
    type Row = (String, DateTime<Utc>, DateTime<Utc>);
    type Closure = (String, String, String);
    let schedule: Option<Schedule> = sql::fetch_optional(
        store,
        "SELECT opening, buffer_minutes, withdrawn FROM read_room_schedule WHERE room_id = $1",
        Args::new().uuid(room_id),
    )
    .await
    .map_err(fail)?;
    let blackouts: Vec<Closure> = sql::fetch_all(
        store,
        "SELECT first_day, last_day, reason FROM read_room_blackouts WHERE room_id = $1",
        Args::new().uuid(room_id),
    )
    .await
    .map_err(fail)?;
    let occupied: Vec<Row> = sql::fetch_all(
        store,
        "SELECT status, start_at, end_at FROM read_room_occupancy WHERE room_id = $1 AND start_at < $2 AND end_at > $3",
        Args::new().uuid(room_id).time(upper).time(lower),
    )
    .await
    .map_err(fail)?;
    let Some((opening, buffer_minutes, withdrawn)) = schedule else { return Ok(None) };
    let unreadable =
        |reason: String| ProjectionError::Unreadable { projection: NAME, global_position: 0, reason };
    let rules: OpeningRules = serde_json::from_str(&opening).map_err(|e| unreadable(e.to_string()))?;
    let mut closures = Vec::with_capacity(blackouts.len());
    for (first, last, reason) in blackouts {
        let parse = |d: &str| d.parse::<NaiveDate>().map_err(|e| unreadable(e.to_string()));
        closures.push(Blackout { first_day: parse(&first)?, last_day: parse(&last)?, reason });
    }
    let occupied: Vec<Occupied> = occupied
        .into_iter()
        .map(|(status, start, end)| Occupied { start, end, status: Status::parse(&status) })
        .collect();
    let mut intervals =
        calendar_of(&rules, calendar, &closures, buffer_minutes.max(0) as u32, &occupied, from, to);
    if withdrawn != 0 {
        intervals.retain(|i| i.status != Status::Free);
    }
    Ok(Some(intervals))
}

/// The calendars of every room of an establishment, by room, for `from` to
/// `to` inclusive (rooms withdrawn show only their occupied time).
pub async fn establishment_calendar(
    store: &Store,
    calendar: &Calendar,
    establishment_id: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(Uuid, Vec<Interval>)>, CalendarError> {
    let fail = |source| ProjectionError::Database { projection: NAME, source };
    let rooms: Vec<Uuid> = sql::fetch_column(
        store,
        "SELECT room_id FROM read_room_schedule WHERE establishment_id = $1",
        Args::new().uuid(establishment_id),
    )
    .await
    .map_err(fail)?;
    let mut out = Vec::with_capacity(rooms.len());
    for room_id in rooms {
        if let Some(intervals) = room_calendar(store, calendar, room_id, from, to).await? {
            out.push((room_id, intervals));
        }
    }
    out.sort_by_key(|(id, _)| *id);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;
    use salle_events::catalog::room::WeeklyWindow;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn at(day: &str, time: &str) -> DateTime<Utc> {
        local_instant(d(day), NaiveTime::parse_from_str(time, "%H:%M").unwrap()).unwrap()
    }
    fn every_evening() -> OpeningRules {
        let w = |weekday| WeeklyWindow {
            weekday,
            start: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
        };
        OpeningRules {
            school_weeks: (1..=7).map(w).collect(),
            school_holidays: (1..=7).map(w).collect(),
            open_on_public_holidays: false,
        }
    }

    #[test]
    fn an_evening_is_four_free_hours_on_both_clock_change_days() {
        let calendar = Calendar::isere().unwrap();
        for day in ["2026-03-29", "2026-10-25"] {
            let cal = calendar_of(&every_evening(), &calendar, &[], 0, &[], d(day), d(day));
            assert_eq!(cal.len(), 1, "{day}");
            assert_eq!(cal[0].status, Status::Free);
            assert_eq!((cal[0].end - cal[0].start).num_hours(), 4, "{day}");
            assert_eq!(cal[0].start, at(day, "18:00"));
        }
    }

    #[test]
    fn bookings_split_the_free_time_with_their_buffer() {
        let calendar = Calendar::isere().unwrap();
        let occupied = [
            Occupied {
                start: at("2026-12-08", "19:00"),
                end: at("2026-12-08", "20:00"),
                status: Status::Booked,
            },
            Occupied {
                start: at("2026-12-08", "21:00"),
                end: at("2026-12-08", "21:30"),
                status: Status::Held,
            },
        ];
        let cal =
            calendar_of(&every_evening(), &calendar, &[], 15, &occupied, d("2026-12-08"), d("2026-12-08"));
        let got: Vec<(String, String, Status)> = cal
            .iter()
            .map(|i| {
                let local = |t: DateTime<Utc>| {
                    t.with_timezone(&salle_domain::time::LOCAL_TZ).format("%H:%M").to_string()
                };
                (local(i.start), local(i.end), i.status)
            })
            .collect();
        let expected = [
            ("18:00", "18:45", Status::Free),
            ("19:00", "20:00", Status::Booked),
            ("20:15", "20:45", Status::Free),
            ("21:00", "21:30", Status::Held),
            ("21:45", "22:00", Status::Free),
        ];
        assert_eq!(got, expected.map(|(a, b, s)| (a.to_owned(), b.to_owned(), s)));
    }

    #[test]
    fn public_holidays_and_blackouts_leave_no_window() {
        let calendar = Calendar::isere().unwrap();
        assert!(
            calendar_of(&every_evening(), &calendar, &[], 0, &[], d("2026-12-25"), d("2026-12-25"))
                .is_empty()
        );
        let works =
            [Blackout { first_day: d("2026-12-08"), last_day: d("2026-12-09"), reason: "travaux".into() }];
        let cal = calendar_of(&every_evening(), &calendar, &works, 0, &[], d("2026-12-07"), d("2026-12-10"));
        assert_eq!(cal.len(), 2, "only the 7th and the 10th are open");
    }
}
