#!/usr/bin/env python3
"""Reads an iCalendar file on stdin with Python's `icalendar` and expands it
over a window with `recurring-ical-events`, as a calendar program would;
prints JSON: the calendar's properties, each event in the window (local
Europe/Paris times), and every problem the parser found.

    ics_check.py FROM TO < feed.ics      (FROM, TO: YYYY-MM-DD)
"""

import datetime
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events


def main():
    start, end = (datetime.date.fromisoformat(d) for d in sys.argv[1:3])
    data = sys.stdin.buffer.read()
    calendar = icalendar.Calendar.from_ical(data)
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    problems = []
    for component in calendar.walk():
        problems.extend(f"{component.name}: {e}" for e in getattr(component, "errors", []))
    for raw in data.split(b"\r\n"):
        if len(raw) > 75:
            problems.append(f"a line of {len(raw)} octets")
    if data and not data.endswith(b"\r\n"):
        problems.append("not CRLF-terminated")
    events = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        events.append({
            "uid": str(event.get("UID")),
            "start": event.decoded("DTSTART").astimezone(paris).isoformat(),
            "end": event.decoded("DTEND").astimezone(paris).isoformat(),
            "status": str(event.get("STATUS", "")),
            "sequence": int(event.get("SEQUENCE", 0)),
            "summary": str(event.get("SUMMARY", "")),
            "location": str(event.get("LOCATION", "")),
            "url": str(event.get("URL", "")),
        })
    events.sort(key=lambda e: e["start"])
    print(json.dumps({
        "name": str(calendar.get("X-WR-CALNAME", "")),
        "refresh_seconds": int(calendar.decoded("REFRESH-INTERVAL").total_seconds())
        if "REFRESH-INTERVAL" in calendar else None,
        "version": str(calendar.get("VERSION", "")),
        "events": events,
        "problems": problems,
    }))


if __name__ == "__main__":
    main()
