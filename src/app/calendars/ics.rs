//! iCalendar (RFC 5545) as salle writes it: a VCALENDAR of VEVENTs with a
//! stable UID per booking, a SEQUENCE that grows with each change of its
//! status, STATUS (TENTATIVE while requested, CONFIRMED, CANCELLED), times
//! in UTC, REFRESH-INTERVAL, text escaped and lines folded at 75 octets.
//!
//! Written here rather than with the `icalendar` crate: salle writes five
//! properties of one component, never reads a calendar, and the writer is
//! checked against a real parser (Python's `icalendar`) in the tests.

use chrono::{DateTime, Utc};
use salle_events::catalog::room::BookingStatus;
use uuid::Uuid;

/// One booking as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub booking_id: Uuid,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub summary: String,
    pub location: Option<String>,
    /// A link to the booking's page, for the feeds that may show it.
    pub url: Option<String>,
}

/// What the calendar program shows: held, confirmed, or gone.
fn status(s: BookingStatus) -> &'static str {
    match s {
        BookingStatus::Requested => "TENTATIVE",
        BookingStatus::Approved | BookingStatus::Paid | BookingStatus::Completed | BookingStatus::Settled => {
            "CONFIRMED"
        }
        BookingStatus::Rejected | BookingStatus::Expired | BookingStatus::Cancelled => "CANCELLED",
    }
}

/// Grows with every change a calendar program must take: a booking only
/// ever moves forward through these.
fn sequence(s: BookingStatus) -> u32 {
    match s {
        BookingStatus::Requested => 0,
        BookingStatus::Approved => 1,
        BookingStatus::Paid => 2,
        BookingStatus::Completed => 3,
        BookingStatus::Settled => 4,
        BookingStatus::Rejected | BookingStatus::Expired | BookingStatus::Cancelled => 5,
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values: backslash, semicolon, comma and new lines escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character), CRLF-ended.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The calendar `name` of `events`, stamped `now`.
pub fn calendar(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//salle//salle//FR");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    line(&mut out, "X-WR-TIMEZONE:Europe/Paris");
    line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    line(&mut out, "X-PUBLISHED-TTL:PT1H");
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@salle", e.booking_id));
        line(&mut out, &format!("DTSTAMP:{}", utc(now)));
        line(&mut out, &format!("DTSTART:{}", utc(e.start)));
        line(&mut out, &format!("DTEND:{}", utc(e.end)));
        line(&mut out, &format!("SEQUENCE:{}", sequence(e.status)));
        line(&mut out, &format!("STATUS:{}", status(e.status)));
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        if let Some(location) = &e.location {
            line(&mut out, &format!("LOCATION:{}", text(location)));
        }
        if let Some(url) = &e.url {
            line(&mut out, &format!("URL:{url}"));
        }
        line(&mut out, "TRANSP:OPAQUE");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), long);
    }

    #[test]
    fn text_is_escaped_and_statuses_map() {
        assert_eq!(text("a; b, c\\d\ne"), "a\\; b\\, c\\\\d\\ne");
        assert_eq!(status(BookingStatus::Cancelled), "CANCELLED");
        assert!(sequence(BookingStatus::Paid) > sequence(BookingStatus::Approved));
    }
}
