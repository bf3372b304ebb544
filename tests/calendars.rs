//! The iCalendar feeds, read by a real parser (Python's `icalendar` and
//! `recurring-ical-events`, `tests/tools/ics_check.py`): a room's public
//! busy times with nothing about who, an association's and a manager's
//! secret links (revocable), one booking's `.ics`; local times right on
//! both sides of the October clock change, cancelled bookings marked.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestDb;
use support::browser::Browser;
use support::market::{World, day};

on_both_backends!(feeds_show_each_booking_at_its_local_time_and_nothing_more_than_they_should);

/// The calendar at `path` as the parser reads it over 2026–2027.
async fn parsed(w: &World, path: &str) -> (u16, String, Value) {
    let response = w.app.client.get(w.app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    if status != 200 {
        return (status, body, Value::Null);
    }
    assert!(content_type.unwrap_or_default().starts_with("text/calendar"), "{path}");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/ics_check.py");
    let mut child = Command::new("python3")
        .args([script, "2026-01-01", "2028-01-01"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with icalendar (./scripts/test installs it)");
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser refused {path}:\n{body}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["problems"], json!([]), "{path}:\n{body}");
    assert_eq!(report["version"], "2.0");
    assert_eq!(report["refresh_seconds"], 3600, "{report}");
    (status, body, report)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn feeds_show_each_booking_at_its_local_time_and_nothing_more_than_they_should(db: TestDb) {
    let w = World::new(db).await;
    let (_, association) = w.verified_association("W381000001", "chorale@salle.test").await;
    // Before and after the clock change of Sunday 31 October 2027, each at 18:00 in Paris.
    let (_, before) = w.request(&association, d("2027-10-28"), None).await;
    let (_, after) = w.request(&association, d("2027-11-02"), None).await;
    let (_, cancelled) = w.request(&association, day(0), None).await;
    let id = |b: &Value| b["id"].as_str().unwrap().to_owned();
    let (before, after, cancelled) = (id(&before), id(&after), id(&cancelled));
    assert_eq!(w.post(&format!("/bookings/{before}/approve"), &w.manager, json!({})).await.0, 200);
    let cancel = json!({ "reason": "Concert reporté" });
    assert_eq!(w.post(&format!("/bookings/{cancelled}/cancel"), &association, cancel).await.0, 200);

    // The association's secret link.
    let (status, feed) = w.post("/calendars/feeds", &association, json!({})).await;
    assert_eq!(status, 201, "{feed}");
    let url = feed["url"].as_str().unwrap();
    assert!(feed["webcal"].as_str().unwrap().starts_with("webcal://"), "{feed}");
    let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics");
    assert_eq!(token.len(), 64, "256 random bits");
    let path = &url[url.find("/api/v1/").unwrap()..];
    let (_, _, report) = parsed(&w, path).await;
    let events = report["events"].as_array().unwrap();
    let find = |booking: &str| {
        events.iter().find(|e| e["uid"] == format!("{booking}@salle")).unwrap_or_else(|| panic!("{report}"))
    };
    assert_eq!(find(&before)["start"], "2027-10-28T18:00:00+02:00");
    assert_eq!(find(&before)["end"], "2027-10-28T20:00:00+02:00");
    assert_eq!(find(&before)["status"], "CONFIRMED");
    assert_eq!(find(&after)["start"], "2027-11-02T18:00:00+01:00");
    assert_eq!(find(&after)["status"], "TENTATIVE");
    assert_eq!(find(&cancelled)["status"], "CANCELLED");
    assert!(find(&cancelled)["sequence"].as_i64() > find(&before)["sequence"].as_i64());
    assert!(find(&before)["summary"].as_str().unwrap().contains("Grande salle — Gymnase Jean Moulin"));
    assert!(find(&before)["url"].as_str().unwrap().ends_with(&format!("/reservations/{before}")));

    // The room's public feed: its busy times, nothing about who or why.
    let (_, raw, public) = parsed(&w, &format!("/api/v1/calendars/rooms/{}.ics", w.room_id)).await;
    assert_eq!(public["events"].as_array().unwrap().len(), 3, "{public}");
    for private in ["chorale", "Chorale", "Anne Martin", "Répétition", "Concert reporté", "/reservations/"]
    {
        assert!(!raw.contains(private), "« {private} » in the public feed:\n{raw}");
    }
    // The manager's link: the rooms' bookings, with who booked them.
    let (_, manager_feed) = w.post("/calendars/feeds", &w.manager, json!({})).await;
    let manager_url = manager_feed["url"].as_str().unwrap();
    let (_, _, managed) = parsed(&w, &manager_url[manager_url.find("/api/v1/").unwrap()..]).await;
    let summaries: Vec<&str> =
        managed["events"].as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap()).collect();
    assert!(summaries.iter().all(|s| s.contains("Association chorale@salle.test")), "{summaries:?}");

    // Revoked: 404 at once; another link keeps working. A made-up one is 404 too.
    let (_, second) = w.post("/calendars/feeds", &association, json!({})).await;
    let (_, _, listed) = w.app.api(Method::GET, "/calendars/feeds", Some(&association), None).await;
    assert_eq!(listed["feeds"].as_array().unwrap().len(), 2, "{listed}");
    let revoke = format!("/calendars/feeds/{}", feed["id"].as_str().unwrap());
    let (status, _, _) = w.app.api(Method::DELETE, &revoke, Some(&w.manager), None).await;
    assert_eq!(status, 404, "not the manager's link");
    let (status, _, _) = w.app.api(Method::DELETE, &revoke, Some(&association), None).await;
    assert_eq!(status, 204);
    assert_eq!(parsed(&w, path).await.0, 404, "a revoked link answers 404");
    let second = second["url"].as_str().unwrap();
    assert_eq!(parsed(&w, &second[second.find("/api/v1/").unwrap()..]).await.0, 200);
    let (status, body, _) = parsed(&w, &format!("/api/v1/calendars/feeds/{}.ics", "0".repeat(64))).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("n'existe pas"), "{body}");
    let (status, _, _) = parsed(&w, "/api/v1/calendars/rooms/pas-une-salle.ics").await;
    assert_eq!(status, 404);
    // Finance and admins have no bookings of their own to follow.
    let (status, _, body) = w.app.api(Method::POST, "/calendars/feeds", Some(&w.admin), None).await;
    assert_eq!(status, 403, "{body}");

    // One booking's file from its page, and a link to the room's calendar on the room's.
    let mut page = Browser::signed_in(&w.app.address, "chorale@salle.test", "un long mot de passe").await;
    let (_, html, _) = page.get(&format!("/reservations/{before}")).await;
    assert!(html.contains(&format!("/reservations/{before}/agenda.ics")), "{html}");
    let (status, one, _) = page.get(&format!("/reservations/{before}/agenda.ics")).await;
    assert_eq!(status, 200);
    assert_eq!(one.matches("BEGIN:VEVENT").count(), 1, "{one}");
    let (_, html, _) = page.get(&format!("/salles/{}", w.room_id)).await;
    assert!(html.contains(&format!("/api/v1/calendars/rooms/{}.ics", w.room_id)), "{html}");
    let mut stranger = Browser::new(&w.app.address);
    let (status, _, location) = stranger.get(&format!("/reservations/{before}/agenda.ics")).await;
    assert_eq!((status, location.as_deref()), (303, Some("/connexion")));
    // The account's page makes, shows once and revokes links.
    let (_, html, _) = page.get("/compte").await;
    assert!(html.contains("Mon agenda"), "{html}");
    let (status, html, _) = page.post("/compte/agendas", &[("csrf", &support::browser::csrf(&html))]).await;
    assert_eq!(status, 200);
    assert!(html.contains("webcal://") && html.contains("/api/v1/calendars/feeds/"), "{html}");
}
