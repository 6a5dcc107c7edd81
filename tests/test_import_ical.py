"""The ical importer: a calendar someone keeps (the validators' good sample), made-up
VEVENTs for each rule, and the round trip through this project's own iCal export."""

from __future__ import annotations

import io
from pathlib import Path

from timeline import Event, ImportRow, Log, Place, Rejection, Source, export, import_file
from timeline_ical.reader import read

DATA = Path(__file__).parent / "data" / "import"
SAMPLE = DATA / "calendar-sample.ics"
BUNDLED = Path(__file__).parent.parent / "events" / "pakistan-russia.jsonl"


def vevents(*bodies: str) -> list[ImportRow]:
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(
        f"BEGIN:VEVENT\r\nUID:u{n}\r\nDTSTAMP:20240101T000000Z\r\n{body}END:VEVENT\r\n"
        for n, body in enumerate(bodies)) + "END:VCALENDAR\r\n"
    return list(read(io.BytesIO(text.encode())))


def test_sample_calendar(log: Log) -> None:
    summary = import_file(log, SAMPLE)
    assert (summary.format, summary.rows, summary.recorded, summary.rejected) == (
        "ical", 6, 6, {})
    entries = list(log.entries())
    assert [(e.event.date.edtf, e.idempotency_key) for e in entries] == [
        ("1814-09-18/1815-06-09", "ical:evt-congress-vienna@sample.invalid"),  # DTEND exclusive
        ("1815-06-09", "ical:evt-final-act@sample.invalid"),
        ("1643-01-01/1643-12-31", "ical:evt-westphalia-year@sample.invalid"),
        ("1648-10-01/1648-10-31", "ical:evt-month-precision@sample.invalid"),
        ("2024-06-12", "ical:evt-sample-briefing@sample.invalid"),
        ("2099-05-01", "ical:evt-far-future@sample.invalid"),
    ]
    assert entries[0].event == Event(
        id="1814-09-18-1815-06-09-congress-of-vienna-multi-day-span-inclusive-end-1815-06-09",
        date="1814-09-18/1815-06-09",
        title="Congress of Vienna (multi-day span, inclusive end 1815-06-09)",
        summary="Span of 265 days; DTEND is exclusive so it is the day after the last day.",
        place=Place("Vienna", "AUT"),
        sources=[Source("https://example.org/sources/congress-of-vienna")],
        tags=["congress", "europe"])
    briefing = entries[4].event
    assert briefing.title == ("Sample press briefing — Вена переговоры 🤝 «ζ» 東京 données été, "
                              "long title that must fold")
    assert briefing.summary.splitlines()[-1] == "Time: 14:30-15:30 (Europe/Vienna)"
    assert briefing.place == Place("Vienna International Centre, Wagramer Str. 5")
    assert entries[5].event.status == "scheduled"  # 2099: after the day of the import


def test_timed_events_spanning_days_durations_and_statuses() -> None:
    rows = vevents(
        "DTSTART:20130827T220000Z\r\nDTEND:20130828T020000Z\r\nSUMMARY:Overnight\r\n",
        "DTSTART:20130827T220000Z\r\nDTEND:20130828T000000Z\r\nSUMMARY:Until midnight\r\n",
        "DTSTART;VALUE=DATE:20121112\r\nDURATION:P4D\r\nSUMMARY:Four days\r\n",
        "DTSTART;VALUE=DATE:20121112\r\nDTEND;VALUE=DATE:20121112\r\nSUMMARY:Zero\r\n",
        "DTSTART;VALUE=DATE:20121112\r\nSUMMARY:Off\r\nSTATUS:CANCELLED\r\n"
        "CATEGORIES:talks,CAMEO 042\r\n",
        "DTSTART:20121112T100000\r\nSUMMARY:Maybe\r\nSTATUS:TENTATIVE\r\n",
    )
    events = [row.record for row in rows]
    assert [(e.date.edtf, e.summary) for e in events] == [
        ("2013-08-27/2013-08-28", "Time: 22:00-02:00 (UTC)"),
        ("2013-08-27", "Time: 22:00-00:00 (UTC)"),
        ("2012-11-12/2012-11-15", ""),
        ("2012-11-12", ""),
        ("2012-11-12", ""),
        ("2012-11-12", "Time: 10:00 (floating)"),
    ]
    assert (events[4].status, events[4].tags, events[4].cameo) == ("cancelled", ("talks",), "042")
    assert events[5].status == "expected"
    assert [row.line for row in rows] == [4, 11, 18, 25, 32, 40]  # each BEGIN:VEVENT


def test_rejected_vevents() -> None:
    rows = vevents("SUMMARY:No start\r\n",
                   "DTSTART;VALUE=DATE:20130101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Every year\r\n",
                   "DTSTART;VALUE=DATE:20130101\r\n")
    assert [row.record for row in rows] == [
        Rejection("invalid date", "date: None is missing (the VEVENT has no DTSTART). Give the "
                  "event a DTSTART."),
        Rejection("recurring event", "VEVENT: repeats (RRULE or RDATE); a chronology records "
                  "occurrences, not rules. Add each occurrence as its own event."),
        Rejection("invalid title", "title: '' is empty. Give some text."),
    ]


def test_round_trip_of_our_own_export(log: Log, tmp_path: Path) -> None:
    chronology = Log(BUNDLED).chronology()
    target = tmp_path / "bundled.ics"
    export(chronology, "ical", target)
    assert import_file(log, target).recorded == 9
    kept = ("id", "date", "title", "status", "tags", "cameo")
    assert [{k: e.to_dict()[k] for k in kept} for e in log.chronology().events] == [
        {k: e.to_dict()[k] for k in kept} for e in chronology.events]
    assert [e.place for e in log.chronology().events] == [e.place for e in chronology.events]
    assert import_file(log, target).duplicates == 9
