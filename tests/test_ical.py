"""The ``ical`` exporter (``timeline_ical.writer``), read back by three parsers.

Every export is parsed by icalendar (which wrote it) and by two independent
parsers: ``ical`` (the strict, pydantic-based parser Home Assistant uses) and
``vobject``. Values are asserted exactly.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

import timeline
from timeline import (Actor, Chronology, Entry, Event, EventState, Place, Source,
                      country_from_name)
from timeline_ical.reader import read

UTC = dt.timezone.utc
T0 = dt.datetime(2020, 5, 17, 9, 30, 15, 654321, tzinfo=UTC)


# --- helpers ---------------------------------------------------------------------------------

def fold_events(*events: Event, title: str = "Test chronology") -> Chronology:
    """Fold *recorded* entries for ``events``, one minute apart from T0."""
    entries = [Entry.create(position=n, recorded_at=T0 + dt.timedelta(minutes=n - 1),
                            type="recorded", event_id=e.id, event=e, reason=None,
                            prev="0" * 64)
               for n, e in enumerate(events, 1)]
    return timeline.fold(entries, title=title)


def export(chronology: Chronology, **options: object) -> bytes:
    return timeline.export_bytes(chronology, "ical", **options)


def parse_all(data: bytes) -> tuple:
    """``(icalendar, ical, vobject)`` readings of one document."""
    text = data.decode("utf-8")
    return (icalendar.Calendar.from_ical(data), IcsCalendarStream.calendar_from_ics(text),
            vobject.readOne(text))


def only_event(data: bytes) -> tuple:
    """The single VEVENT as ``(icalendar, ical, vobject)`` objects."""
    by_icalendar, by_ical, by_vobject = parse_all(data)
    assert len(by_icalendar.events) == len(by_ical.events) == len(by_vobject.vevent_list) == 1
    return by_icalendar.events[0], by_ical.events[0], by_vobject.vevent


def texts(data: bytes, name: str) -> list[str]:
    """One TEXT property of the single VEVENT, as each parser unescapes it."""
    a, b, c = only_event(data)
    return [str(a[name]), getattr(b, name.lower().replace("-", "_")),
            c.contents[name.lower()][0].value]


def description_lines(data: bytes) -> list[str]:
    values = texts(data, "DESCRIPTION")
    assert values[0] == values[1] == values[2]
    return values[0].split("\n")


def event(date: str = "2013-08-28", **fields: object) -> Event:
    return Event(**{"id": "e", "date": date, "title": "Talks", **fields})


# --- the VCALENDAR ---------------------------------------------------------------------------

def test_calendar_properties_are_exact() -> None:
    title = "Pakistan, Russia; 2013 \\ talks"
    data = export(fold_events(event(), title=title))
    head = data.split(b"BEGIN:VEVENT")[0]
    assert head == (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + f"PRODID:-//diplomatic-timeline//diplomatic-timeline {timeline.__version__}//EN\r\n"
        .encode()
        + b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
        b"NAME:Pakistan\\, Russia\\; 2013 \\\\ talks\r\n"
        b"X-WR-CALNAME:Pakistan\\, Russia\\; 2013 \\\\ talks\r\n")
    assert data.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    by_icalendar, by_ical, by_vobject = parse_all(data)
    assert str(by_icalendar["PRODID"]) == by_ical.prodid == by_vobject.prodid.value
    assert by_ical.version == "2.0" and by_ical.calscale == "GREGORIAN"
    assert by_ical.method == "PUBLISH"
    assert by_ical.name == [title]  # RFC 7986 NAME
    assert by_vobject.contents["name"][0].value == title
    assert by_vobject.x_wr_calname.value == title
    # icalendar 7.3 types NAME and X-WR-CALNAME as unknown: it reads them still escaped.
    escaped = "Pakistan\\, Russia\\; 2013 \\\\ talks"
    assert str(by_icalendar["NAME"]) == str(by_icalendar["X-WR-CALNAME"]) == escaped


def test_empty_chronology_is_a_calendar_without_events() -> None:
    data = export(fold_events(title="Empty"))
    assert data == (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + f"PRODID:-//diplomatic-timeline//diplomatic-timeline {timeline.__version__}//EN\r\n"
        .encode()
        + b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nNAME:Empty\r\nX-WR-CALNAME:Empty\r\n"
        b"END:VCALENDAR\r\n")
    by_icalendar, by_ical, by_vobject = parse_all(data)
    assert by_icalendar.events == [] and by_ical.events == []
    assert "vevent" not in by_vobject.contents


def test_one_vevent_per_event_in_chronology_order() -> None:
    chronology = fold_events(event("2013", id="year"), event("2013-08-28", id="day"),
                             event("2012-11-12/2012-11-15", id="interval"),
                             event("2013-08", id="month"))
    data = export(chronology)
    expected = [f"{s.event.id}@diplomatic-timeline" for s in chronology]
    assert expected == ["interval@diplomatic-timeline", "year@diplomatic-timeline",
                        "month@diplomatic-timeline", "day@diplomatic-timeline"]
    by_icalendar, by_ical, by_vobject = parse_all(data)
    assert [str(e["UID"]) for e in by_icalendar.events] == expected
    assert [e.uid for e in by_ical.events] == expected
    assert [e.uid.value for e in by_vobject.vevent_list] == expected


def test_streamed_output_is_what_icalendar_writes_for_the_whole_calendar() -> None:
    chronology = fold_events(event(id="a", place=Place("Moscow", "RUS"), tags=["visit"]),
                             event("2013-08", id="b", summary="x, y; z"))
    data = export(chronology)
    assert icalendar.Calendar.from_ical(data).to_ical() == data


# --- dates: each precision -------------------------------------------------------------------

DATES = [
    # EDTF, DTSTART, DTEND (exclusive), first DESCRIPTION line
    ("2013-08-28", "2013-08-28", "2013-08-29", "Date: 28 August 2013"),
    ("2012-02-29", "2012-02-29", "2012-03-01", "Date: 29 February 2012"),
    ("2013-12-31", "2013-12-31", "2014-01-01", "Date: 31 December 2013"),
    ("2013-08", "2013-08-01", "2013-09-01", "Date: August 2013 (month precision)"),
    ("2013-08-XX", "2013-08-01", "2013-09-01", "Date: August 2013 (month precision)"),
    ("2012", "2012-01-01", "2013-01-01", "Date: 2012 (year precision)"),
    ("2013-XX", "2013-01-01", "2014-01-01", "Date: 2013 (year precision)"),
    ("2014-22", "2014-06-01", "2014-09-01",
     "Date: summer 2014 (season precision; June 2014 to August 2014)"),
    ("2014-24", "2014-12-01", "2015-03-01",
     "Date: winter 2014–2015 (season precision; December 2014 to February 2015)"),
    ("201X", "2010-01-01", "2020-01-01", "Date: the 2010s (decade precision)"),
    ("20XX", "2000-01-01", "2100-01-01",
     "Date: the years 2000–2099 (century precision)"),
    ("0800", "0800-01-01", "0801-01-01", "Date: 800 (year precision)"),
    ("2012-11-12/2012-11-15", "2012-11-12", "2012-11-16",
     "Date: 12–15 November 2012"),
    ("2012-11/2013", "2012-11-01", "2014-01-01",
     "Date: November 2012 – 2013"),
    ("2013?", "2013-01-01", "2014-01-01", "Date: possibly 2013 (year precision)"),
    ("2013-08~", "2013-08-01", "2013-09-01", "Date: around August 2013 (month precision)"),
    ("2013-08-28%", "2013-08-28", "2013-08-29", "Date: possibly around 28 August 2013"),
    ("2012?/2013-02~", "2012-01-01", "2013-03-01",
     "Date: possibly 2012 – around February 2013"),
    ("2013-08/..", "2013-08-01", "2013-08-02",
     "Date: from August 2013"),
    ("2013-08/", "2013-08-01", "2013-08-02",
     "Date: from August 2013 (end unknown)"),
    ("../2013-08-28", "2013-08-28", "2013-08-29", "Date: until 28 August 2013"),
    ("/2013-08", "2013-08-31", "2013-09-01",
     "Date: until August 2013 (start unknown)"),
]


@pytest.mark.parametrize(("edtf", "start", "end", "words"), DATES,
                         ids=[d[0] or "empty" for d in DATES])
def test_all_day_bounds_and_date_words(edtf: str, start: str, end: str, words: str) -> None:
    data = export(fold_events(event(edtf)))
    compact = (start.replace("-", ""), end.replace("-", ""))
    assert f"DTSTART;VALUE=DATE:{compact[0]}\r\n".encode() in data
    assert f"DTEND;VALUE=DATE:{compact[1]}\r\n".encode() in data
    a, b, c = only_event(data)
    want = (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    for got in ((a["DTSTART"].dt, a["DTEND"].dt), (b.dtstart, b.dtend),
                (c.dtstart.value, c.dtend.value)):
        assert got == want
        assert not isinstance(got[0], dt.datetime) and not isinstance(got[1], dt.datetime)
    lines = description_lines(data)
    assert lines[0] == words
    assert lines[1] == f"EDTF: {edtf}"


@pytest.mark.parametrize(("edtf", "note"), [
    ("2013-08/..", "Calendar: shown on 1 August 2013 only, the first day its start can mean; "
                   "the end is open."),
    ("2013-08/", "Calendar: shown on 1 August 2013 only, the first day its start can mean; "
                 "the end is unknown."),
    ("../2013-08", "Calendar: shown on 31 August 2013 only, the last day its end can mean; "
                   "the start is open."),
    ("/2013", "Calendar: shown on 31 December 2013 only, the last day its end can mean; "
              "the start is unknown."),
])
def test_open_interval_is_one_day_and_says_so(edtf: str, note: str) -> None:
    lines = description_lines(export(fold_events(event(edtf))))
    assert lines[:4] == [lines[0], f"EDTF: {edtf}", "Status: occurred", note]


def test_bounded_dates_have_no_calendar_note() -> None:
    lines = description_lines(export(fold_events(event("2013-08"))))
    assert not any(line.startswith("Calendar:") for line in lines)


def test_the_last_day_9999_12_31_has_a_duration_instead_of_dtend() -> None:
    data = export(fold_events(event("9999-12-31")))
    assert data[data.index(b"BEGIN:VEVENT"):] == (
        b"BEGIN:VEVENT\r\n"
        b"SUMMARY:Talks\r\n"
        b"DTSTART;VALUE=DATE:99991231\r\n"
        b"DURATION:P1D\r\n"
        b"DTSTAMP:20200517T093015Z\r\n"
        b"UID:e@diplomatic-timeline\r\n"
        b"SEQUENCE:0\r\n"
        b"CREATED:20200517T093015Z\r\n"
        b"DESCRIPTION:Date: 31 December 9999\\nEDTF: 9999-12-31\\nStatus: occurred\r\n"
        b"LAST-MODIFIED:20200517T093015Z\r\n"
        b"STATUS:CONFIRMED\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n")
    by_icalendar, by_ical, by_vobject = only_event(data)
    assert by_icalendar["DTSTART"].dt == by_ical.dtstart == dt.date(9999, 12, 31)
    assert by_icalendar["DURATION"].dt == by_ical.duration == by_vobject.duration.value == (
        dt.timedelta(days=1))
    assert "DTEND" not in by_icalendar


@pytest.mark.parametrize(("edtf", "start", "days"), [
    ("9999", b"99990101", 365), ("9990/9999-12-31", b"99900101", 3652), ("999X", b"99900101", 3652),
    ("9999-12", b"99991201", 31), ("9999-12-31/..", b"99991231", 1),
])
def test_every_date_ending_9999_12_31_counts_its_days(edtf: str, start: bytes, days: int) -> None:
    data = export(fold_events(event(edtf)))
    assert re.findall(rb"^(DTSTART;VALUE=DATE|DTEND;VALUE=DATE|DURATION):(.*)\r$", data,
                      re.M) == [(b"DTSTART;VALUE=DATE", start), (b"DURATION", b"P%dD" % days)]


def test_the_day_before_the_last_keeps_its_dtend() -> None:
    data = export(fold_events(event("9999-12-30")))
    assert b"DTEND;VALUE=DATE:99991231\r\n" in data and b"DURATION" not in data


# --- record time, UID, determinism -----------------------------------------------------------

def test_stamps_are_record_time_and_uid_is_stable_across_revisions(tmp_path) -> None:
    log = timeline.Log.create(tmp_path / "x.jsonl")
    log.record(event(id="visit", title="Visit"))
    first = log.chronology()
    before = export(first)
    log.record(event("2014", id="other"))
    log.revise(event("2013-08-29", id="visit", title="Visit, corrected"), reason="new source")
    after_chronology = log.chronology()
    after = export(after_chronology)

    def vevent(data: bytes) -> icalendar.Event:
        return next(e for e in icalendar.Calendar.from_ical(data).events
                    if str(e["UID"]) == "visit@diplomatic-timeline")

    old, new = vevent(before), vevent(after)
    assert str(old["UID"]) == str(new["UID"]) == "visit@diplomatic-timeline"
    assert (old["SEQUENCE"], new["SEQUENCE"]) == (0, 1)
    state = after_chronology.get("visit")
    assert state.revisions == 1
    stamp = state.updated_at.replace(microsecond=0)
    created = state.recorded_at.replace(microsecond=0)
    assert new["DTSTAMP"].dt == new["LAST-MODIFIED"].dt == stamp
    assert new["CREATED"].dt == old["CREATED"].dt == created
    assert old["DTSTAMP"].dt == created
    line = f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}\r\n".encode()
    assert line in after
    _, ical_event, vobject_event = only_event(export(after_chronology.filter(text="corrected")))
    assert ical_event.dtstamp == stamp and ical_event.created == created
    assert ical_event.last_modified == stamp and ical_event.sequence == 1
    assert vobject_event.dtstamp.value == stamp and vobject_event.created.value == created


def test_every_date_time_is_a_record_time_in_utc() -> None:
    chronology = fold_events(event(id="a"), event("2013", id="b"), event("2012/2014", id="c"))
    data = export(chronology)
    stamps = set(re.findall(rb"^(?:DTSTAMP|CREATED|LAST-MODIFIED):(.*)\r$", data, re.M))
    assert stamps == {b"20200517T093015Z", b"20200517T093115Z", b"20200517T093215Z"}


def test_two_exports_are_byte_identical(tmp_path) -> None:
    path = tmp_path / "x.jsonl"
    log = timeline.Log.create(path)
    for n, date in enumerate(["2013-08-28", "2013-08", "2012?", "2013-08/.."]):
        log.record(event(date, id=f"e{n}", place=Place("Moscow", "RU"), tags=["visit", "a;b"],
                         cameo="042", sources=[Source("https://example.org/a")]))
    first = export(log.chronology())
    assert export(log.chronology()) == first
    assert export(timeline.Log(path).chronology()) == first  # a fresh read of the same log


def test_record_time_without_time_zone_is_refused() -> None:
    naive = dt.datetime(2020, 1, 1)
    chronology = Chronology((EventState(event(), naive, naive, 1, 1),))
    with pytest.raises(timeline.ValidationError) as info:
        export(chronology)
    assert info.value.field == "recorded_at"


# --- text: escaping, folding, content --------------------------------------------------------

def test_special_characters_round_trip_through_every_parser() -> None:
    title = 'Talks, "round 2"; notes \\ more'
    summary = "a, b; c \\ d\nsecond line\n\nthird\twith a tab; \\n is not a newline"
    place = "Kremlin, hall 2; \\ east"
    data = export(fold_events(event(title=title, summary=summary, place=Place(place, "RUS"),
                                    tags=["a;b", "c\\d", "x y"], cameo="042")))
    assert b'SUMMARY:Talks\\, "round 2"\\; notes \\\\ more\r\n' in data
    assert texts(data, "SUMMARY") == [title] * 3
    assert texts(data, "LOCATION") == [f"{place}, Russian Federation"] * 3
    assert description_lines(data)[3:] == ["", *summary.split("\n")]
    a, b, c = only_event(data)
    categories = ["a;b", "c\\d", "x y", "CAMEO 042"]
    assert [str(x) for x in a["CATEGORIES"].cats] == categories
    assert b.categories == categories
    assert c.categories.value == categories


def test_backslash_n_and_capital_n_stay_text() -> None:
    # RFC 5545 section 3.3.11: the backslash is escaped first, so "\\N" in the text is
    # "\\\\N" in the file, not a line break (icalendar's own escaping made it one).
    title = "Path C:\\Net\\New folder"
    summary = "C:\\new\\Notes\\n and \\N; end\\"
    data = export(fold_events(event(title=title, summary=summary, place=Place("A\\Nb"),
                                    tags=["x\\Ny", "p;q"]), title="C:\\Net"))
    assert b"SUMMARY:Path C:\\\\Net\\\\New folder\r\n" in data
    assert b"LOCATION:A\\\\Nb\r\n" in data
    assert b"CATEGORIES:x\\\\Ny,p\\;q\r\n" in data
    assert b"NAME:C:\\\\Net\r\n" in data and b"X-WR-CALNAME:C:\\\\Net\r\n" in data
    assert texts(data, "SUMMARY") == [title] * 3
    assert texts(data, "LOCATION") == ["A\\Nb"] * 3
    assert description_lines(data)[4] == summary
    assert [str(c) for c in only_event(data)[0]["CATEGORIES"].cats] == ["x\\Ny", "p;q"]
    assert calendar_names(data) == ["C:\\Net", "C:\\Net"]


def calendar_names(data: bytes) -> list[str]:
    """NAME and X-WR-CALNAME as vobject reads them: icalendar, ical and ical.js take both
    for properties of unknown type and keep their escapes (RFC 7986 makes NAME TEXT)."""
    calendar = vobject.readOne(data.decode("utf-8"))
    return [calendar.contents["name"][0].value, calendar.x_wr_calname.value]


# Text heavy in what TEXT escaping is about: backslashes, N and n, ; , and line breaks.
_TRICKY = st.lists(st.sampled_from(["\\", "\\N", "\\n", "N", "n", ";", ",", ":", '"', " ", "\\\\",
                                     "\\;", "\\,", "\\\\N"])
                   | st.text(st.characters(blacklist_categories=("Cc", "Cs"),
                                           blacklist_characters="\u2028\u2029"), max_size=3),
                   max_size=12).map("".join)
_LINE = _TRICKY.map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None)
@given(title=_LINE, summary=st.lists(_TRICKY | st.sampled_from(["\n", "\r\n", "\r"]),
                                     max_size=6).map("".join),
       place=_LINE, tags=st.lists(_LINE.filter(lambda t: "," not in t), max_size=3, unique=True),
       name=_LINE)
def test_any_text_reads_back_exactly_from_every_text_property(
        title: str, summary: str, place: str, tags: list[str], name: str) -> None:
    data = export(fold_events(event(title=title, summary=summary, place=Place(place),
                                    tags=tags), title=name))
    calendar = icalendar.Calendar.from_ical(data)
    [vevent] = calendar.events
    lines = ["Date: 28 August 2013", "EDTF: 2013-08-28", "Status: occurred"]
    if summary:
        lines += ["", summary.replace("\r\n", "\n").replace("\r", "\n")]
    assert (str(vevent["SUMMARY"]), str(vevent["LOCATION"]), str(vevent["DESCRIPTION"])) == (
        title, place, "\n".join(lines))
    assert [str(c) for c in vevent["CATEGORIES"].cats] == tags if tags else (
        "CATEGORIES" not in vevent)
    assert calendar_names(data) == [name, name]
    # ... and through this project's importer, back into the same event.
    [row] = list(read(io.BytesIO(data)))
    assert (row.record.title, row.record.summary, row.record.tags) == (
        title, "\n".join(lines), tuple(tags))
    assert row.record.place.name == place or country_from_name(
        place.rpartition(",")[2].strip()) or country_from_name(place)


def test_carriage_returns_in_a_summary_become_newlines() -> None:
    data = export(fold_events(event(summary="one\r\ntwo\rthree")))
    assert b"\r\n\r\n" not in data and b"\r" not in data.replace(b"\r\n", b"")
    assert description_lines(data)[3:] == ["", "one", "two", "three"]


LONG_TEXTS = [
    "Стратегический диалог между Пакистаном и Россией; визит министра иностранных дел",
    "پاکستان اور روس کے درمیان اسٹریٹجک مذاکرات، وزیر خارجہ کا دورہ ماسکو",
    "巴基斯坦与俄罗斯举行战略对话，外交部长访问莫斯科，双方签署合作备忘录。" * 2,
    "Emoji 🇵🇰🇷🇺 and combining e\u0301 accents " * 4,
]


@pytest.mark.parametrize("text", LONG_TEXTS, ids=["cyrillic", "urdu", "chinese", "emoji"])
@pytest.mark.parametrize("shift", [0, 1, 2, 3])
def test_lines_fold_at_75_octets_between_whole_utf8_characters(text: str, shift: int) -> None:
    title = "x" * shift + text  # shift where the 75-octet boundaries fall
    data = export(fold_events(event(title=title[:300], summary=text * 5,
                                    place=Place(text[:200]))))
    assert data.count(b"\n") == data.count(b"\r\n")  # CRLF only, no bare LF
    lines = data.split(b"\r\n")
    assert lines[-1] == b""
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # it did fold
    for line in lines:
        line.decode("utf-8")  # raises if a fold split a character
    assert texts(data, "SUMMARY") == [title[:300]] * 3
    assert description_lines(data)[4:] == (text * 5).split("\n")


def test_description_lists_actors_summary_and_numbered_sources() -> None:
    data = export(fold_events(event(
        "2013-08", summary="Foreign secretaries met.\nA joint statement followed.",
        actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                Actor("RUSGOV", "Sergey Lavrov"), Actor("RUS")],
        sources=[Source("https://mofa.gov.pk/a", title="Press release", publisher="MOFA",
                        published="2013-08-28"),
                 Source("https://tass.ru/b", publisher="TASS"),
                 Source("https://example.org/c"),
                 Source(title="Dawn, 29 August 2013, p. 1; print edition")])))
    assert description_lines(data) == [
        "Date: August 2013 (month precision)",
        "EDTF: 2013-08",
        "Status: occurred",
        "Actors:",
        "- Jalil Abbas Jilani, Foreign Secretary (PAKGOV)",
        "- Sergey Lavrov (RUSGOV)",
        "- RUS",
        "",
        "Foreign secretaries met.",
        "A joint statement followed.",
        "",
        "Sources:",
        "1. Press release - MOFA - published 2013-08-28 - https://mofa.gov.pk/a",
        "2. TASS - https://tass.ru/b",
        "3. https://example.org/c",
        "4. Dawn, 29 August 2013, p. 1; print edition",
    ]
    a, b, c = only_event(data)
    assert str(a["URL"]) == b.url == c.url.value == "https://mofa.gov.pk/a"


def test_url_is_the_first_source_that_has_one() -> None:
    data = export(fold_events(event(sources=[Source(title="Dawn (print)"),
                                             Source("https://example.org/a")])))
    a, b, c = only_event(data)
    assert str(a["URL"]) == b.url == c.url.value == "https://example.org/a"
    data = export(fold_events(event(sources=[Source(title="Dawn (print)")])))
    assert b"\r\nURL:" not in data
    assert description_lines(data)[-2:] == ["Sources:", "1. Dawn (print)"]


def test_a_bare_event_has_no_optional_properties() -> None:
    data = export(fold_events(event()))
    a, _, _ = only_event(data)
    assert sorted(a) == ["CREATED", "DESCRIPTION", "DTEND", "DTSTAMP", "DTSTART",
                         "LAST-MODIFIED", "SEQUENCE", "STATUS", "SUMMARY", "UID"]
    assert description_lines(data) == ["Date: 28 August 2013", "EDTF: 2013-08-28",
                                       "Status: occurred"]


@pytest.mark.parametrize(("place", "location"), [
    (Place("Moscow", "RU"), "Moscow, Russian Federation"),
    (Place("Tehran", "IRN"), "Tehran, Iran"),  # pycountry's common name
    (Place("Geneva"), "Geneva"),
    (Place("Pakistan", "PAK"), "Pakistan"),  # the place is the country
    (Place("viet nam", "VNM"), "viet nam"),
    (Place("Russia", "RUS"), "Russia, Russian Federation"),
])
def test_location_is_place_and_country_name(place: Place, location: str) -> None:
    assert texts(export(fold_events(event(place=place))), "LOCATION") == [location] * 3


@pytest.mark.parametrize(("status", "rfc_status", "summary"), [
    ("occurred", "CONFIRMED", "Talks"),
    ("scheduled", "CONFIRMED", "Talks (scheduled)"),
    ("expected", "TENTATIVE", "Talks (expected)"),
    ("cancelled", "CANCELLED", "Talks (cancelled)"),
])
def test_status_maps_to_rfc_5545_status(status: str, rfc_status: str, summary: str) -> None:
    data = export(fold_events(event(status=status)))
    a, b, c = only_event(data)
    assert str(a["STATUS"]) == b.status.value == c.status.value == rfc_status
    assert texts(data, "SUMMARY") == [summary] * 3
    assert description_lines(data)[2] == f"Status: {status}"


# --- options and imports ---------------------------------------------------------------------

def test_unknown_option_is_refused_before_writing() -> None:
    out = io.BytesIO()
    with pytest.raises(timeline.ValidationError) as info:
        timeline.export(fold_events(event()), "ical", out, timezone="UTC")
    assert info.value.field == "option" and info.value.value == "timezone"
    assert str(info.value).startswith("option: 'timezone' is not an option of the ical exporter.")
    assert out.getvalue() == b""


def test_importing_the_plugin_does_not_import_icalendar() -> None:
    code = ("import sys, timeline_ical, timeline_ical.writer; "
            "assert 'icalendar' not in sys.modules, 'icalendar imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
