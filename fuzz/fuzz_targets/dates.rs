//! Days and instants as the API and the pages receive them, and the slots
//! and periods made of them.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use salle_domain::time::{Slot, check_instant, parse_day};

fuzz_target!(|text: &str| {
    let (a, b) = text.split_once('/').unwrap_or((text, text));
    if let (Ok(first), Ok(last)) = (parse_day("from", a), parse_day("to", b)) {
        let _ = salle::finance::Period::of_days(Some(first), Some(last));
        for time in [chrono::NaiveTime::MIN, chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default()] {
            let _ = salle_domain::time::local_instant(first, time);
        }
    }
    let instant = |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc));
    if let (Some(start), Some(end)) = (instant(a), instant(b)) {
        if let Ok(slot) = Slot::new(start, end) {
            assert!(check_instant("start", slot.start()).is_ok() && slot.start() < slot.end());
            let _ = (slot.local_date(), slot.duration_minutes(), slot.overlaps(&slot, 120));
        }
    }
});
