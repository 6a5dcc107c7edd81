"""The ical importer: a calendar someone keeps (the validators' good sample), made-up
VEVENTs for each rule, and the round trip through this project's own iCal export."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from timeline import (Event, ImportRow, ImportRowError, Log, Place, Rejection, Source, TakenIds,
                      export, import_file)
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


# --- a file cut short or malformed (issue 12) ---------------------------------------------------

def calendar(*bodies: str, end: bool = True) -> bytes:
    """A VCALENDAR of VEVENTs, each on 5 lines plus its body; the first begins on line 4."""
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(
        f"BEGIN:VEVENT\r\nUID:u{n}\r\nDTSTAMP:20240101T000000Z\r\n{body}END:VEVENT\r\n"
        for n, body in enumerate(bodies)) + ("END:VCALENDAR\r\n" if end else "")).encode()


DAY = "DTSTART;VALUE=DATE:2014010{}\r\nSUMMARY:Day {}\r\n"
THREE = [DAY.format(n, n) for n in (1, 2, 3)]
WHOLE = "Nothing was imported; give the whole file."
STRUCTURE = "Nothing was imported; correct the file's BEGIN and END lines."


@pytest.mark.parametrize(("data", "message"), [
    (calendar(*THREE, end=False),  # three complete VEVENTs, no END:VCALENDAR
     "line 1: file: ends inside the VCALENDAR begun here: END:VCALENDAR is missing, so the "
     f"file looks cut short after line 21. {WHOLE}"),
    (calendar(*THREE, end=False)[:-12],  # cut inside the last VEVENT
     "line 16: file: ends inside the VEVENT begun here: END:VEVENT is missing, so the file "
     f"looks cut short after line 20. {WHOLE}"),
    (calendar(*THREE).replace(b"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:u1", b"BEGIN:VEVENT\r\nUID:u1",
                              1),  # the first VEVENT not closed
     "line 9: file: BEGIN:VEVENT comes inside the VEVENT begun on line 4, but a VEVENT "
     "belongs directly in a VCALENDAR (RFC 5545 section 3.6): END:VEVENT is missing before "
     f"it. {STRUCTURE}"),
    (calendar(*THREE)[:-27] + b"END:VCALENDAR\r\n",  # the last VEVENT not closed
     "line 21: file: END:VCALENDAR comes while the VEVENT begun on line 16 is open: END:VEVENT "
     f"is missing before it. {STRUCTURE}"),
    (calendar(DAY.format(1, 1) + "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"),
     "line 11: file: END:VEVENT comes while the VALARM begun on line 9 is open: END:VALARM is "
     f"missing before it. {STRUCTURE}"),
    (calendar(*THREE) + b"END:VEVENT\r\n",
     f"line 23: file: END:VEVENT closes no component: none is open here. {STRUCTURE}"),
    (calendar(*THREE) + b"BEGIN:VEVENT\r\nDTSTART:20140101\r\nSUMMARY:Loose\r\nEND:VEVENT\r\n",
     f"line 23: file: BEGIN:VEVENT comes outside any VCALENDAR. {STRUCTURE}"),
    (calendar(*THREE) + b"SUMMARY:Loose\r\n",
     f"line 23: file: 'SUMMARY:Loose' comes outside any VCALENDAR. {STRUCTURE}"),
    (b"BEGIN:VCALENDAR\r\n" + b"BEGIN:X-DEEP\r\n" * 20,
     "line 17: file: components nest deeper than 16 levels here (a calendar needs three: "
     f"VCALENDAR, VEVENT, VALARM). {STRUCTURE}"),
])
def test_a_file_cut_short_or_badly_nested_is_an_error_naming_what_is_missing(
        log: Log, data: bytes, message: str) -> None:
    for skip_invalid in (False, True):
        with pytest.raises(ImportRowError) as info:
            import_file(log, io.BytesIO(data), "ical", skip_invalid=skip_invalid)
        assert str(info.value) == message
    assert list(log.entries()) == []


MALFORMED = [
    "DTSTART;VALUE=DATE:20140101\r\nSUMMARY:Good one\r\n",
    "DTSTART:20140101T100000\r\nDTEND:20140101T120000Z\r\nSUMMARY:Naive start, UTC end\r\n",
    "DTSTART;VALUE=DATE:20140101\r\nDURATION:P99999999D\r\nSUMMARY:Overflowing duration\r\n",
    "DTSTART;VALUE=PERIOD:20140101T100000Z/20140101T120000Z\r\nSUMMARY:A period\r\n",
    "DTSTART;VALUE=DATE:00000101\r\nSUMMARY:Year zero\r\n",
    "DTSTART;VALUE=DATE:20140101\r\nDTEND:20140102T100000Z\r\nSUMMARY:Date to date-time\r\n",
    "DTSTART;VALUE=DATE:20140101\r\nSUMMARY:Twice\r\nSUMMARY:Two titles\r\n",
    "DTSTART;VALUE=DATE:20140101\r\nDURATION:soon\r\nSUMMARY:Broken duration\r\n",
    "DTSTART;VALUE=DATE:20140101\r\nSUMMARY\r\n",
    "DTEND;VALUE=TIME:100000\r\nDTSTART;VALUE=DATE:20140101\r\nSUMMARY:A time\r\n",
    "DTSTART;VALUE=DATE:20140102\r\nSUMMARY:Good two\r\n",
]
DATE_FIX = "Give a DATE (20130828) or a DATE-TIME (20130828T100000Z) from year 0001 to 9999."
MALFORMED_REJECTS = f"""line\treason\tdetail
10\tinvalid date\tdate: '20140101T120000Z' is a UTC or zoned time (DTEND, line 14) where DTSTART is a floating time; RFC 5545 section 3.8.2.2 wants both floating or neither. Give DTEND the form of DTSTART.
17\tinvalid date\tdate: 'P99999999D' ends after 9999-12-31, the last day a date can name (DURATION, line 21). Give a shorter DURATION.
24\tinvalid date\tdate: '20140101T100000Z/20140101T120000Z' is a PERIOD (DTSTART, line 27), where RFC 5545 wants a DATE or a DATE-TIME. {DATE_FIX}
30\tinvalid date\tdate: '00000101' cannot be read (DTSTART, line 33): Wrong date format 00000101. {DATE_FIX}
36\tinvalid date\tdate: '20140102T100000Z' is a DATE-TIME (DTEND, line 40) where DTSTART is a DATE; RFC 5545 section 3.8.2.2 wants both of one value type. Give DTEND the value type of DTSTART.
43\tinvalid title\ttitle: is given 2 times (SUMMARY, line 47); RFC 5545 allows one SUMMARY in a VEVENT. Keep one SUMMARY.
50\tinvalid date\tdate: 'soon' cannot be read (DURATION, line 54): Expected datetime, date, or time. Got: 'soon'. Give a duration such as P1D or PT2H30M (RFC 5545 section 3.3.6).
57\tinvalid VEVENT\tVEVENT: line 61 is not a content line NAME:VALUE (Content line could not be parsed into parts: 'SUMMARY': Invalid content line). Correct or remove it.
63\tinvalid date\tdate: '100000' is a TIME (DTEND, line 66), where RFC 5545 wants a DATE or a DATE-TIME. {DATE_FIX}
"""  # noqa: E501


def test_each_malformed_vevent_is_one_rejected_row_with_its_line_and_reason(
        log: Log, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.tsv"
    summary = import_file(log, io.BytesIO(calendar(*MALFORMED)), "ical", skip_invalid=True,
                          rejects=rejects)
    assert (summary.rows, summary.recorded, summary.rejected) == (11, 2, {
        "invalid date": 7, "invalid title": 1, "invalid VEVENT": 1})
    assert rejects.read_text("utf-8") == MALFORMED_REJECTS
    assert [e.event.title for e in log.entries()] == ["Good one", "Good two"]


def test_without_skip_invalid_a_malformed_vevent_stops_the_import_with_its_line(
        log: Log) -> None:
    with pytest.raises(ImportRowError) as info:
        import_file(log, io.BytesIO(calendar(*MALFORMED)), "ical")
    assert (info.value.line, info.value.reason) == (10, "invalid date")
    assert str(info.value) == (
        "line 10: date: '20140101T120000Z' is a UTC or zoned time (DTEND, line 14) where "
        "DTSTART is a floating time; RFC 5545 section 3.8.2.2 wants both floating or neither. "
        "Give DTEND the form of DTSTART. Nothing was imported. Correct the row, or import "
        "with --skip-invalid (skip_invalid=True) to list rejected rows in a side file.")
    assert list(log.entries()) == []


def test_bytes_that_are_not_utf8_reject_their_vevent_or_else_the_file(log: Log) -> None:
    data = calendar(*THREE).replace(b"Day 2", b"Day \xff2")
    [one, two, three] = list(read(io.BytesIO(data)))
    assert (two.line, two.record) == (10, Rejection(
        "invalid encoding", "VEVENT: line 14 is not valid UTF-8. Save the file as UTF-8."))
    assert (one.record.title, three.record.title) == ("Day 1", "Day 3")
    with pytest.raises(ImportRowError) as info:
        import_file(log, io.BytesIO(calendar(*THREE).replace(b"-//test", b"-//t\xe9st")), "ical",
                    skip_invalid=True)
    assert str(info.value) == "line 3: file: this line is not valid UTF-8. Save the file as UTF-8."


def test_folded_and_lowercase_boundaries_are_read_as_icalendar_reads_them() -> None:
    data = calendar(*THREE).replace(b"BEGIN:VEVENT\r\nUID:u1", b"BEG\r\n IN:vevent\r\nUID:u1")
    rows = list(read(io.BytesIO(data)))
    assert [(r.line, r.record.title) for r in rows] == [(4, "Day 1"), (10, "Day 2"),
                                                       (17, "Day 3")]


def test_an_all_day_duration_may_end_on_the_last_day(log: Log, tmp_path: Path) -> None:
    # Our own export of the last day writes DURATION (no DTEND in year 10000): it reads back.
    rows = vevents("DTSTART;VALUE=DATE:99991231\r\nDURATION:P1D\r\nSUMMARY:Last\r\n",
                   "DTSTART;VALUE=DATE:99991230\r\nDURATION:P2D\r\nSUMMARY:Last two\r\n",
                   "DTSTART;VALUE=DATE:99991231\r\nDURATION:P2D\r\nSUMMARY:Past the last\r\n")
    assert [r.record.date.edtf for r in rows[:2]] == ["9999-12-31", "9999-12-30/9999-12-31"]
    assert rows[2].record == Rejection("invalid date", "date: 'P2D' ends after 9999-12-31, the "
                                       "last day a date can name (DURATION, line 22). Give a "
                                       "shorter DURATION.")
    source = Log.create(tmp_path / "source.jsonl")
    for edtf in ("9999-12-31", "9999", "9990/9999-12-31"):
        source.record(Event(id=f"e{edtf[:4]}{len(edtf)}", date=edtf, title=f"Ends {edtf}"))
    export(source.chronology(), "ical", tmp_path / "last.ics")
    assert import_file(log, tmp_path / "last.ics").recorded == 3
    assert [e.date.edtf for e in log.chronology().events] == [
        e.date.edtf for e in source.chronology().events]


@pytest.mark.parametrize(("reader", "data"), [
    ("csv", lambda n: ("date,title\n" + "2014,Talks\n" * n).encode()),
    ("timelinejs", lambda n: json.dumps({"events": [
        {"start_date": {"year": 2014}, "text": {"headline": "Talks"}}] * n}).encode()),
    ("ical", lambda n: calendar(*[DAY.format(1, "x").replace("Day x", "Talks")] * n)),
])
def test_every_importer_derives_ids_in_linear_lookups(
        monkeypatch: pytest.MonkeyPatch, reader: str, data: Any) -> None:
    lookups = []

    class Counting(set):
        def __contains__(self, item: object) -> bool:
            lookups.append(item)
            return super().__contains__(item)

    original = TakenIds.__init__

    def counting_init(self: TakenIds, ids: Any = ()) -> None:
        original(self, ids)
        self._ids = Counting(self._ids)

    monkeypatch.setattr(TakenIds, "__init__", counting_init)
    module = importlib.import_module(f"timeline_{reader}.reader")
    for n in (300, 600):
        lookups.clear()
        ids = [row.record.id for row in module.read(io.BytesIO(data(n)))]
        assert len(set(ids)) == n and ids[1].endswith("-talks-2")
        assert len(lookups) == 2 * n - 1  # one for the first, two for each repeat


def test_the_command_lists_malformed_vevents_in_the_rejects_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from timeline.cli import main

    log = tmp_path / "a.jsonl"
    log.write_bytes(BUNDLED.read_bytes())
    before = log.read_bytes()
    source = tmp_path / "in.ics"
    source.write_bytes(calendar(THREE[0], MALFORMED[1], MALFORMED[3], THREE[2]))
    result = CliRunner().invoke(main, ["import", str(log), str(source), "--skip-invalid",
                                       "--rejects", str(tmp_path / "r.tsv")])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[:-1] == [
        "format: ical", "rows read: 4", "events recorded: 2", "duplicates skipped: 0",
        "rows rejected: 2", "  invalid date: 2", f"rejected rows listed in: {tmp_path / 'r.tsv'}",
        "log positions: 10-11"]
    assert (tmp_path / "r.tsv").read_text("utf-8") == (
        "line\treason\tdetail\n"
        "10\tinvalid date\tdate: '20140101T120000Z' is a UTC or zoned time (DTEND, line 14) "
        "where DTSTART is a floating time; RFC 5545 section 3.8.2.2 wants both floating or "
        "neither. Give DTEND the form of DTSTART.\n"
        "17\tinvalid date\tdate: '20140101T100000Z/20140101T120000Z' is a PERIOD (DTSTART, "
        f"line 20), where RFC 5545 wants a DATE or a DATE-TIME. {DATE_FIX}\n")
    assert log.read_bytes().startswith(before)
