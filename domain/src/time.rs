//! A slot: a half-open interval `[start, end)` of instants, read in
//! Europe/Paris local time for every rule. Storing instants and converting
//! with chrono-tz keeps the days the clocks change right: 18:00–22:00 local is
//! four hours on 29 March and on 25 October 2026 alike.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use chrono_tz::Tz;

use crate::refusal::Refusal;

/// The time zone every local rule is written in.
pub const LOCAL_TZ: Tz = Paris;

/// The years salle reasons about. Dates outside are refused where they are
/// parsed, with the field they came in: chrono's arithmetic near its own
/// limits (±262,143) panics, and no booking, week or ledger period is
/// centuries away.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// `day` if its year is in [`YEARS`], otherwise a refusal naming `field`.
pub fn check_day(field: &str, day: NaiveDate) -> Result<NaiveDate, Refusal> {
    if YEARS.contains(&day.year()) {
        return Ok(day);
    }
    Err(Refusal::new(
        "invalid_date",
        format!(
            "La date « {day} » de « {field} » est hors des années que salle connaît ({} à {}).",
            YEARS.start(),
            YEARS.end()
        ),
    ))
}

/// `instant` if its local day passes [`check_day`].
pub fn check_instant(field: &str, instant: DateTime<Utc>) -> Result<DateTime<Utc>, Refusal> {
    check_day(field, instant.date_naive()).map(|_| instant)
}

/// Parses `AAAA-MM-JJ` for `field` and checks its year.
pub fn parse_day(field: &str, text: &str) -> Result<NaiveDate, Refusal> {
    let day = text.trim().parse::<NaiveDate>().map_err(|_| {
        Refusal::new(
            "invalid_date",
            format!("« {text} » n'est pas une date (attendu : AAAA-MM-JJ) pour « {field} »."),
        )
    })?;
    check_day(field, day)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Slot {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, Refusal> {
        check_instant("start", start)?;
        check_instant("end", end)?;
        if end <= start {
            return Err(Refusal::new(
                "slot_end_before_start",
                "La fin du créneau doit être après son début.",
            ));
        }
        Ok(Self { start, end })
    }

    /// The slot `start`–`end` on local `date`, refusing times that do not
    /// exist or happen twice that day (when the clocks change).
    pub fn from_local(date: NaiveDate, start: NaiveTime, end: NaiveTime) -> Result<Self, Refusal> {
        Self::new(local_instant(date, start)?, local_instant(date, end)?)
    }

    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    pub fn duration_minutes(&self) -> i64 {
        self.duration().num_minutes()
    }

    pub fn local_start(&self) -> DateTime<Tz> {
        self.start.with_timezone(&LOCAL_TZ)
    }

    pub fn local_end(&self) -> DateTime<Tz> {
        self.end.with_timezone(&LOCAL_TZ)
    }

    /// The local day the slot starts on.
    pub fn local_date(&self) -> NaiveDate {
        self.local_start().date_naive()
    }

    /// Whether the two slots overlap once `buffer_minutes` of free time is
    /// required between them.
    pub fn overlaps(&self, other: &Slot, buffer_minutes: u32) -> bool {
        let buffer = Duration::minutes(buffer_minutes as i64);
        self.start < other.end + buffer && other.start < self.end + buffer
    }
}

/// The instant of a local wall-clock time, or an error when that time is
/// skipped or repeated by a clock change.
pub fn local_instant(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, Refusal> {
    LOCAL_TZ.from_local_datetime(&date.and_time(time)).single().map(|t| t.with_timezone(&Utc)).ok_or_else(|| {
        Refusal::new(
            "ambiguous_local_time",
            format!(
                "{} à {} n'existe pas ou existe deux fois (changement d'heure) : choisissez une autre heure.",
                fr_date(date),
                time.format("%H:%M")
            ),
        )
    })
}

const WEEKDAYS_FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `mardi 12 mai 2026`. Two small tables rather than chrono's locale feature,
/// which would bring every locale of the world into the binary.
pub fn fr_date(date: NaiveDate) -> String {
    let weekday = WEEKDAYS_FR[date.weekday().num_days_from_monday() as usize];
    let month = MONTHS_FR[date.month0() as usize];
    let day = if date.day() == 1 { "1er".to_owned() } else { date.day().to_string() };
    format!("{weekday} {day} {month} {}", date.year())
}

/// The French name of an ISO weekday (1 = Monday).
pub fn fr_weekday(iso: u8) -> &'static str {
    WEEKDAYS_FR.get(iso.saturating_sub(1) as usize).copied().unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }

    #[test]
    fn an_evening_window_is_four_hours_on_both_clock_change_days() {
        for day in ["2026-03-29", "2026-10-25", "2026-06-15", "2026-12-15"] {
            let slot = Slot::from_local(d(day), t("18:00"), t("22:00")).unwrap();
            assert_eq!(slot.duration_minutes(), 240, "{day}");
            assert_eq!(slot.local_start().format("%H:%M").to_string(), "18:00");
        }
        // Summer time: 18:00 in Paris is 16:00 UTC; winter time: 17:00 UTC.
        assert_eq!(
            Slot::from_local(d("2026-03-29"), t("18:00"), t("22:00"))
                .unwrap()
                .start()
                .format("%H")
                .to_string(),
            "16"
        );
        assert_eq!(
            Slot::from_local(d("2026-10-25"), t("18:00"), t("22:00"))
                .unwrap()
                .start()
                .format("%H")
                .to_string(),
            "17"
        );
    }

    #[test]
    fn a_slot_across_the_night_of_a_clock_change_counts_real_hours() {
        // 00:00–04:00 local on 29 March 2026 lasts three real hours (02:00 is skipped).
        let spring = Slot::from_local(d("2026-03-29"), t("00:00"), t("04:00")).unwrap();
        assert_eq!(spring.duration_minutes(), 180);
        let autumn = Slot::from_local(d("2026-10-25"), t("00:00"), t("04:00")).unwrap();
        assert_eq!(autumn.duration_minutes(), 300);
    }

    #[test]
    fn skipped_and_repeated_local_times_are_refused() {
        let skipped = Slot::from_local(d("2026-03-29"), t("02:30"), t("04:00")).unwrap_err();
        assert_eq!(skipped.code, "ambiguous_local_time");
        assert!(skipped.message.contains("dimanche 29 mars 2026"), "{skipped}");
        assert!(Slot::from_local(d("2026-10-25"), t("02:30"), t("04:00")).is_err());
    }

    #[test]
    fn buffers_count_as_overlap() {
        let a = Slot::from_local(d("2026-12-08"), t("18:00"), t("20:00")).unwrap();
        let b = Slot::from_local(d("2026-12-08"), t("20:00"), t("21:00")).unwrap();
        let c = Slot::from_local(d("2026-12-08"), t("20:30"), t("21:00")).unwrap();
        assert!(!a.overlaps(&b, 0), "back to back is fine without a buffer");
        assert!(a.overlaps(&b, 15) && b.overlaps(&a, 15));
        assert!(!a.overlaps(&c, 30) && a.overlaps(&c, 31));
    }

    #[test]
    fn dates_read_in_french() {
        assert_eq!(fr_date(d("2026-05-12")), "mardi 12 mai 2026");
        assert_eq!(fr_date(d("2026-05-01")), "vendredi 1er mai 2026");
    }
}
