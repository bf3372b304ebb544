//! The calendar rules depend on: school holidays of zone A (académie de
//! Grenoble) and French public holidays, shipped with salle from
//! `data/isere/` (sources in `data/isere/SOURCES.md`).
//!
//! Parsed once at start-up and passed into commands; a bad row is an error
//! naming the file and line, never a silent gap.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One period of school holidays: every day from `first_day_off` to `last_day_off` inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolHoliday {
    pub name: String,
    pub first_day_off: NaiveDate,
    pub last_day_off: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    school_holidays: Vec<SchoolHoliday>,
    public_holidays: BTreeMap<NaiveDate, String>,
}

const SCHOOL_HOLIDAYS_CSV: &str = include_str!("../../data/isere/school_holidays_zone_a.csv");
const PUBLIC_HOLIDAYS_CSV: &str = include_str!("../../data/isere/public_holidays_fr.csv");

impl Calendar {
    /// The calendar shipped with salle (zone A, 2025–2028).
    pub fn isere() -> Result<Self, String> {
        Self::from_csv(SCHOOL_HOLIDAYS_CSV, PUBLIC_HOLIDAYS_CSV)
    }

    /// Parses `zone,academie,school_year,name,first_day_off,last_day_off,…` and `date,name`.
    pub fn from_csv(school_holidays: &str, public_holidays: &str) -> Result<Self, String> {
        let date = |file: &str, line: usize, value: &str| {
            NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
                .map_err(|e| format!("{file}, line {line}: « {value} » is not a date: {e}"))
        };
        let mut calendar = Self::default();
        for (i, row) in school_holidays.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
            let cells: Vec<&str> = row.split(',').collect();
            if cells.len() < 6 {
                return Err(format!("school holidays, line {}: expected at least 6 columns", i + 1));
            }
            let holiday = SchoolHoliday {
                name: cells[3].trim().to_owned(),
                first_day_off: date("school holidays", i + 1, cells[4])?,
                last_day_off: date("school holidays", i + 1, cells[5])?,
            };
            if holiday.last_day_off < holiday.first_day_off {
                return Err(format!("school holidays, line {}: the period ends before it starts", i + 1));
            }
            calendar.school_holidays.push(holiday);
        }
        calendar.school_holidays.sort_by_key(|h| h.first_day_off);
        for (i, row) in public_holidays.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
            let (day, name) = row
                .split_once(',')
                .ok_or_else(|| format!("public holidays, line {}: expected date,name", i + 1))?;
            calendar.public_holidays.insert(date("public holidays", i + 1, day)?, name.trim().to_owned());
        }
        Ok(calendar)
    }

    /// The school holiday period containing `day`, if any.
    pub fn school_holiday(&self, day: NaiveDate) -> Option<&SchoolHoliday> {
        self.school_holidays.iter().find(|h| h.first_day_off <= day && day <= h.last_day_off)
    }

    /// The public holiday on `day`, if any.
    pub fn public_holiday(&self, day: NaiveDate) -> Option<&str> {
        self.public_holidays.get(&day).map(String::as_str)
    }

    /// The last day the shipped data covers; beyond it no holiday is known.
    pub fn known_until(&self) -> Option<NaiveDate> {
        let school = self.school_holidays.iter().map(|h| h.last_day_off).max();
        let public = self.public_holidays.keys().next_back().copied();
        school.into_iter().chain(public).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_shipped_calendar_knows_toussaint_christmas_and_may_day() {
        let c = Calendar::isere().unwrap();
        assert_eq!(c.school_holiday(d("2026-10-20")).unwrap().name, "Vacances de la Toussaint");
        assert_eq!(c.school_holiday(d("2026-12-24")).unwrap().name, "Vacances de Noël");
        assert!(c.school_holiday(d("2026-11-10")).is_none());
        assert_eq!(c.public_holiday(d("2026-05-01")), Some("1er mai"));
        assert_eq!(c.public_holiday(d("2026-11-11")), Some("11 novembre"));
        assert!(c.public_holiday(d("2026-05-02")).is_none());
    }

    #[test]
    fn a_bad_row_names_its_file_and_line() {
        let err =
            Calendar::from_csv("h\nA,G,2025,Noël,2025-13-01,2026-01-04,x,y\n", "date,name\n").unwrap_err();
        assert!(err.contains("school holidays, line 2"), "{err}");
    }
}
