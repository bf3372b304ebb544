//! What people type into the pages' forms, read as the domain's values:
//! amounts in euros (`15`, `15,50`, `15.5`, `15 €`) and a weekday's time
//! ranges (`18:00-22:00, 9h-12h`). Pure, so that it is fuzzed
//! (`fuzz/fuzz_targets/typed.rs`) and tested without HTTP.

use chrono::NaiveTime;
use salle_events::catalog::room::WeeklyWindow;

use super::DomainError;

/// The most an amount typed in a form may be: a million euros.
pub const MAX_TYPED_CENTS: i64 = 100_000_000;

fn refused(message: String) -> DomainError {
    DomainError::rule("invalid_form", message)
}

/// Cents as a French amount without the currency: `12,50`.
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{},{:02}", cents / 100, cents % 100)
}

/// An amount in euros as typed, in cents; `what` names the field in the refusal.
pub fn parse_euros(what: &str, text: &str) -> Result<i64, DomainError> {
    let wrong = || refused(format!("{what} : « {text} » n'est pas un montant en euros (par exemple 12,50)."));
    let normalised = text.trim().replace(',', ".").replace(['€', ' '], "");
    let (units, decimals) = normalised.split_once('.').unwrap_or((&normalised, ""));
    if units.is_empty()
        || units.len() > 12
        || decimals.len() > 2
        || !units.chars().all(|c| c.is_ascii_digit())
        || !decimals.chars().all(|c| c.is_ascii_digit())
    {
        return Err(wrong());
    }
    let decimals = if decimals.is_empty() {
        0
    } else {
        format!("{decimals:0<2}").parse::<i64>().map_err(|_| wrong())?
    };
    let cents = units
        .parse::<i64>()
        .ok()
        .and_then(|u| u.checked_mul(100))
        .and_then(|c| c.checked_add(decimals))
        .ok_or_else(wrong)?;
    if cents > MAX_TYPED_CENTS {
        return Err(refused(format!("{what} : « {text} » dépasse {} €.", MAX_TYPED_CENTS / 100)));
    }
    Ok(cents)
}

/// `18:00-22:00, 09:00-12:00` → windows of one weekday; empty: none.
pub fn parse_windows(weekday: u8, label: &str, text: &str) -> Result<Vec<WeeklyWindow>, DomainError> {
    let mut out = vec![];
    for part in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let wrong = || {
            refused(format!(
                "{label} : « {part} » n'est pas une plage horaire (HH:MM-HH:MM, par exemple 18:00-22:00)."
            ))
        };
        if out.len() >= 12 {
            return Err(refused(format!("{label} : douze plages au plus par jour.")));
        }
        let (start, end) = part.split_once(['-', '–']).ok_or_else(wrong)?;
        let time = |t: &str| NaiveTime::parse_from_str(&clock(t), "%H:%M");
        let (start, end) = (time(start).map_err(|_| wrong())?, time(end).map_err(|_| wrong())?);
        if end <= start {
            return Err(refused(format!("{label} : la plage « {part} » finit avant de commencer.")));
        }
        out.push(WeeklyWindow { weekday, start, end });
    }
    Ok(out)
}

/// `18`, `18h`, `18h30`, `18:30` → `18:30`-style text for parsing.
fn clock(text: &str) -> String {
    let t = text.trim().to_lowercase().replace('h', ":");
    match t.split_once(':') {
        Some((h, "")) => format!("{h}:00"),
        Some(_) => t,
        None => format!("{t}:00"),
    }
}

/// A weekday's windows as the form shows them again.
pub fn windows_text(windows: &[WeeklyWindow], weekday: u8) -> String {
    windows
        .iter()
        .filter(|w| w.weekday == weekday)
        .map(|w| format!("{}-{}", w.start.format("%H:%M"), w.end.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_euros("Tarif", "12").ok(), Some(1200));
        assert_eq!(parse_euros("Tarif", "12,5").ok(), Some(1250));
        assert_eq!(parse_euros("Tarif", " 8.05 € ").ok(), Some(805));
        for wrong in ["", "douze", "12,505", "-3", ",50", "1,-5", "99999999999999999", "1000001"] {
            assert!(parse_euros("Tarif", wrong).is_err(), "{wrong}");
        }
        assert_eq!(euros(1550), "15,50");
        assert_eq!(euros(-5), "-0,05");
    }

    #[test]
    fn time_ranges_are_read_as_people_type_them() {
        let windows = parse_windows(2, "Mardi", "18h-22h, 9:00–12:30").unwrap();
        assert_eq!(windows_text(&windows, 2), "18:00-22:00, 09:00-12:30");
        for wrong in ["18:00", "22:00-18:00", "25:00-26:00", "a-b"] {
            assert!(parse_windows(2, "Mardi", wrong).is_err(), "{wrong}");
        }
        assert!(parse_windows(2, "Mardi", "").unwrap().is_empty());
    }
}
