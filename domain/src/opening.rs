//! Whether a slot lies inside a room's opening rules: weekly windows in local
//! time for school weeks, other windows (or none) in school holidays, closed on
//! public holidays unless stated, closed during blackouts.

use chrono::{Datelike, NaiveDate};
use salle_events::catalog::room::{OpeningRules, WeeklyWindow};

use crate::calendar::Calendar;
use crate::refusal::Refusal;
use crate::time::{Slot, fr_date, fr_weekday};

/// Most windows a set of rules may hold (a dozen per day is already unusual).
pub const MAX_WINDOWS: usize = 7 * 6;

/// A closed period of whole local days, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blackout {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: String,
}

/// Checks rules a manager writes: windows that make sense and do not overlap.
pub fn validate_rules(rules: &OpeningRules) -> Result<(), Refusal> {
    for (label, windows) in
        [("semaines scolaires", &rules.school_weeks), ("vacances scolaires", &rules.school_holidays)]
    {
        if windows.len() > MAX_WINDOWS {
            return Err(Refusal::new(
                "too_many_windows",
                format!("Au plus {MAX_WINDOWS} plages d'ouverture par période ({label})."),
            ));
        }
        for w in windows.iter() {
            if !(1..=7).contains(&w.weekday) {
                return Err(Refusal::new(
                    "invalid_weekday",
                    format!("Le jour {} n'existe pas : 1 = lundi … 7 = dimanche.", w.weekday),
                ));
            }
            if w.end <= w.start {
                return Err(Refusal::new(
                    "invalid_window",
                    format!(
                        "La plage du {} ({label}) doit finir après son début ({}–{}).",
                        fr_weekday(w.weekday),
                        w.start.format("%H:%M"),
                        w.end.format("%H:%M")
                    ),
                ));
            }
        }
        for (i, a) in windows.iter().enumerate() {
            if windows[i + 1..].iter().any(|b| b.weekday == a.weekday && a.start < b.end && b.start < a.end) {
                return Err(Refusal::new(
                    "overlapping_windows",
                    format!("Deux plages du {} se chevauchent ({label}).", fr_weekday(a.weekday)),
                ));
            }
        }
    }
    Ok(())
}

/// "Vacances de Noël" → "vacances de Noël", to sit inside a sentence.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// The windows open on a local day: none when a blackout, a public holiday
/// (unless opened) or school holidays without windows close the room.
pub fn windows_on<'r>(
    rules: &'r OpeningRules,
    calendar: &Calendar,
    blackouts: &[Blackout],
    day: NaiveDate,
) -> Vec<&'r WeeklyWindow> {
    if blackouts.iter().any(|b| b.first_day <= day && day <= b.last_day) {
        return vec![];
    }
    if calendar.public_holiday(day).is_some() && !rules.open_on_public_holidays {
        return vec![];
    }
    let windows =
        if calendar.school_holiday(day).is_some() { &rules.school_holidays } else { &rules.school_weeks };
    let weekday = day.weekday().number_from_monday() as u8;
    let mut open: Vec<&WeeklyWindow> = windows.iter().filter(|w| w.weekday == weekday).collect();
    open.sort();
    open
}

/// Why a slot is outside the rules: a machine code and a French sentence.
pub fn check_slot(
    rules: &OpeningRules,
    calendar: &Calendar,
    blackouts: &[Blackout],
    slot: &Slot,
) -> Result<(), Refusal> {
    let day = slot.local_date();
    // Windows end by 23:59 at the latest, so a slot must end the day it starts.
    if slot.local_end().date_naive() != day {
        return Err(Refusal::new("slot_spans_days", "Un créneau commence et finit le même jour."));
    }
    if let Some(b) = blackouts.iter().find(|b| b.first_day <= day && day <= b.last_day) {
        return Err(Refusal::new(
            "blackout",
            format!(
                "La salle est fermée du {} au {} ({}).",
                fr_date(b.first_day),
                fr_date(b.last_day),
                b.reason
            ),
        ));
    }
    if let Some(name) = calendar.public_holiday(day)
        && !rules.open_on_public_holidays
    {
        return Err(Refusal::new(
            "public_holiday",
            format!("Le {} est un jour férié ({name}) : la salle est fermée.", fr_date(day)),
        ));
    }
    let windows: &[WeeklyWindow] = match calendar.school_holiday(day) {
        Some(holiday) if rules.school_holidays.is_empty() => {
            return Err(Refusal::new(
                "school_holidays",
                format!(
                    "Le {} tombe pendant les {} : la salle est fermée.",
                    fr_date(day),
                    lower_first(&holiday.name)
                ),
            ));
        }
        Some(_) => &rules.school_holidays,
        None => &rules.school_weeks,
    };
    let weekday = day.weekday().number_from_monday() as u8;
    let start = slot.local_start().time();
    let end = slot.local_end().time();
    if windows.iter().any(|w| w.weekday == weekday && w.start <= start && end <= w.end) {
        return Ok(());
    }
    let today: Vec<String> = windows
        .iter()
        .filter(|w| w.weekday == weekday)
        .map(|w| format!("{}–{}", w.start.format("%H:%M"), w.end.format("%H:%M")))
        .collect();
    let message = if today.is_empty() {
        format!("La salle n'ouvre pas le {} ({}).", fr_weekday(weekday), fr_date(day))
    } else {
        format!(
            "Le {} la salle est ouverte {} ; le créneau {}–{} en sort.",
            fr_date(day),
            today.join(", "),
            start.format("%H:%M"),
            end.format("%H:%M")
        )
    };
    Err(Refusal::new("outside_opening_hours", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    use chrono::NaiveTime;

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }
    fn w(weekday: u8, start: &str, end: &str) -> WeeklyWindow {
        WeeklyWindow { weekday, start: t(start), end: t(end) }
    }
    fn evenings() -> OpeningRules {
        OpeningRules {
            school_weeks: (1..=5).map(|d| w(d, "18:00", "22:00")).chain([w(6, "09:00", "18:00")]).collect(),
            school_holidays: vec![],
            open_on_public_holidays: false,
        }
    }
    fn check(rules: &OpeningRules, day: &str, start: &str, end: &str) -> Result<(), Refusal> {
        let slot = Slot::from_local(d(day), t(start), t(end)).unwrap();
        check_slot(rules, &Calendar::isere().unwrap(), &[], &slot)
    }

    #[test]
    fn a_slot_inside_a_window_is_open() {
        assert!(check(&evenings(), "2026-12-08", "18:00", "22:00").is_ok());
        assert!(check(&evenings(), "2026-12-12", "10:00", "12:00").is_ok());
    }

    #[test]
    fn a_slot_leaving_the_window_names_the_hours() {
        let err = check(&evenings(), "2026-12-08", "17:00", "19:00").unwrap_err();
        assert_eq!(err.code, "outside_opening_hours");
        assert!(err.message.contains("18:00–22:00") && err.message.contains("17:00–19:00"), "{err}");
        let sunday = check(&evenings(), "2026-12-13", "10:00", "12:00").unwrap_err();
        assert!(sunday.message.contains("n'ouvre pas le dimanche"), "{sunday}");
    }

    #[test]
    fn the_evening_window_holds_on_both_clock_change_days() {
        let mut rules = evenings();
        rules.school_weeks.push(w(7, "18:00", "22:00"));
        // 29 March 2026 is a Sunday in school weeks; 25 October 2026 is in the Toussaint holidays.
        assert!(check(&rules, "2026-03-29", "18:00", "22:00").is_ok());
        rules.school_holidays = vec![w(7, "18:00", "22:00")];
        assert!(check(&rules, "2026-10-25", "18:00", "22:00").is_ok());
    }

    #[test]
    fn rooms_close_on_public_holidays_unless_stated() {
        let err = check(&evenings(), "2026-05-01", "18:00", "20:00").unwrap_err();
        assert_eq!(err.code, "public_holiday");
        assert!(err.message.contains("1er mai"), "{err}");
        let mut open = evenings();
        open.open_on_public_holidays = true;
        assert!(check(&open, "2026-05-01", "18:00", "20:00").is_ok());
    }

    #[test]
    fn school_holidays_use_their_own_windows_or_close() {
        let err = check(&evenings(), "2026-10-20", "18:00", "20:00").unwrap_err();
        assert_eq!(err.code, "school_holidays");
        assert!(err.message.contains("vacances de la Toussaint"), "{err}");
        let mut rules = evenings();
        rules.school_holidays = vec![w(2, "09:00", "12:00")];
        assert!(check(&rules, "2026-10-20", "09:00", "12:00").is_ok());
        assert_eq!(check(&rules, "2026-10-20", "18:00", "20:00").unwrap_err().code, "outside_opening_hours");
    }

    #[test]
    fn blackouts_close_every_day_they_cover() {
        let slot = Slot::from_local(d("2027-06-22"), t("18:00"), t("20:00")).unwrap();
        let exams =
            [Blackout { first_day: d("2027-06-21"), last_day: d("2027-06-25"), reason: "brevet".into() }];
        let err = check_slot(&evenings(), &Calendar::isere().unwrap(), &exams, &slot).unwrap_err();
        assert_eq!(err.code, "blackout");
        assert!(err.message.contains("brevet"));
    }

    #[test]
    fn rules_with_overlapping_or_inverted_windows_are_refused() {
        let mut rules = evenings();
        rules.school_weeks.push(w(1, "21:00", "23:00"));
        assert_eq!(validate_rules(&rules).unwrap_err().code, "overlapping_windows");
        let inverted = OpeningRules { school_weeks: vec![w(1, "22:00", "18:00")], ..Default::default() };
        assert_eq!(validate_rules(&inverted).unwrap_err().code, "invalid_window");
        let bad_day = OpeningRules { school_weeks: vec![w(8, "18:00", "20:00")], ..Default::default() };
        assert_eq!(validate_rules(&bad_day).unwrap_err().code, "invalid_weekday");
        assert!(validate_rules(&evenings()).is_ok());
    }
}
