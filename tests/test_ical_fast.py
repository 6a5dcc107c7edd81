"""The ``ical`` writer's own content lines equal the icalendar reference, byte for byte.

:mod:`timeline_ical.writer` renders RFC 5545 text itself; :mod:`timeline_ical.reference`
builds the same calendar with icalendar objects (the writer before it). Here:

- random chronologies (every EDTF form :mod:`timeline.dates` takes, the last day
  9999-12-31 included; text from all of Unicode with what TEXT escaping and folding
  are about: backslashes, ``\\N``, ``;``, ``,``, ``^``, 2-, 3- and 4-octet characters,
  lines long enough to fold; record times in any zone; both values of every option):
  the two writers' bytes are equal, and icalendar reads the same components with the
  same properties, parameters and values from both;
- the folding alone equals icalendar's ``_foldline`` on any line;
- what the fast path leaves to the reference (values past the validators) gives the
  reference's bytes or its very error, and a valid chronology never reaches it.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from typing import Any

import icalendar
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from icalendar.parser.string import _foldline
from timeline_ical import reference, writer

import timeline
from timeline import STATUSES, Chronology, Event, EventState, Place, Source

from strategies import (ACTORS, CAMEO_CODES, EDTF_DATES, EVENT_IDS, LINE_300, PLACES,
                        SOURCES, SUMMARIES, TAGS)

SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
OPTIONS = st.sampled_from([{}, {"imprecise": "span"}, {"imprecise": "first-day"}])

#: Dates that end on 9999-12-31, written with DURATION (the strategies stop at 9998).
LAST_DAY_DATES = st.sampled_from(["9999", "9999-12-31", "999X", "99XX", "9990/9999-12-31",
                                  "9999-12/..", "../9999-12-31", "9999-12~", "9999-12-XX",
                                  "9999?/..", "/9999", "9999-23", "2013/9999"])
DATES = EDTF_DATES | LAST_DAY_DATES
#: What escaping and folding are about, with runs of characters of each UTF-8 length.
_PIECES = st.sampled_from(["\\", "\\N", "\\n", "N", "^", ";", ",", ":", '"', " ", "\\\\",
                           "\\;", "é", "Ж", "ب", "中", "😀", "🇵🇰", "e\u0301", "a" * 70,
                           "Ж" * 40, "中" * 30, "😀" * 20, "x" * 73 + "\\", "x" * 72 + "^;"])
_ANY = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029")
TRICKY = st.lists(_PIECES | st.text(_ANY, max_size=8), max_size=14).map("".join)
TRICKY_LINE = TRICKY.map(lambda t: t[:200].strip()).filter(bool)  # a title, place or tag
TITLES = LINE_300 | TRICKY_LINE
ZONES = st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=5, minutes=30)),
                         dt.timezone(dt.timedelta(hours=-11)), dt.timezone(dt.timedelta(0), "Z0"),
                         dt.timezone(dt.timedelta(seconds=-3601, microseconds=7))])
RECORD_TIMES = st.datetimes(dt.datetime(1, 1, 3), dt.datetime(9999, 12, 29), timezones=ZONES)
#: Long ids fold their UID line.
IDS = EVENT_IDS | st.from_regex(r"[a-z0-9]{40,60}(-[a-z0-9]{1,12}){0,3}", fullmatch=True)
#: RFC 5545 INTEGER is 32-bit: icalendar refuses more (so the fast path leaves it).
REVISIONS = st.integers(0, 40) | st.integers(-2**31, 2**31 - 1) | st.integers(2**31, 2**80)


@st.composite
def events(draw: st.DrawFn) -> Event:
    event = draw(st.builds(
        Event, id=IDS, date=DATES, title=TITLES, summary=SUMMARIES | TRICKY,
        actors=st.lists(ACTORS, max_size=3),
        place=st.none() | PLACES | st.builds(Place, TRICKY_LINE, st.none() | st.just("RUS")),
        sources=st.lists(SOURCES, max_size=3), cameo=st.none() | CAMEO_CODES,
        tags=TAGS | st.lists(TRICKY_LINE.map(lambda t: t.replace(",", "").strip())
                             .filter(bool), max_size=3, unique=True),
        status=st.sampled_from(STATUSES)))
    return event


@st.composite
def chronologies(draw: st.DrawFn) -> Chronology:
    states = []
    for event in draw(st.lists(events(), max_size=6, unique_by=lambda e: e.id)):
        recorded = draw(RECORD_TIMES)
        updated = draw(st.just(recorded) | RECORD_TIMES)
        revisions = draw(REVISIONS)
        states.append(EventState(event, recorded, updated, 1, 1 + revisions, revisions))
    states.sort(key=lambda s: (s.event.date.sort_key, s.event.id))
    return Chronology(tuple(states), title=draw(TITLES), position=len(states))


def outcome(write: Any, chronology: Any, **options: Any) -> tuple[str, Any, bytes]:
    """``("ok", None, bytes)`` or ``("error", (type, message), bytes written before)``."""
    out = io.BytesIO()
    try:
        write(chronology, out, **options)
    except Exception as exc:
        return "error", (type(exc), str(exc)), out.getvalue()
    return "ok", None, out.getvalue()


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the events the writer handed to the reference."""
    seen: list[str] = []
    vevent = reference.vevent

    def counted(state: EventState, first_day: bool) -> icalendar.Event:
        seen.append(state.event.id)
        return vevent(state, first_day)

    monkeypatch.setattr(reference, "vevent", counted)
    return seen


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "_CHUNK", 2)  # so that chunk joins are crossed


# --- the bytes -------------------------------------------------------------------------------

@SETTINGS
@given(chronology=chronologies(), options=OPTIONS)
@example(chronology=Chronology((), title="Empty"), options={})
def test_the_bytes_equal_the_icalendar_reference(fallbacks, chronology, options) -> None:
    expected = outcome(reference.write, chronology, **options)
    fallbacks.clear()  # the reference's own calls, and those of earlier examples
    fast = outcome(writer.write, chronology, **options)
    assert fast == expected
    if all(s.revisions < 2**31 for s in chronology):
        assert fast[0] == "ok"
        assert fallbacks == []  # every valid record is rendered by the fast path itself
    else:  # as the reference fails: "Integer ... is outside the RFC 5545 range"
        assert fast[1][0] is ValueError and len(fallbacks) == 1


@settings(SETTINGS, max_examples=50)
@given(chronology=chronologies(), options=OPTIONS)
def test_icalendar_reads_the_same_components_and_properties_from_both(chronology, options):
    assume(all(s.revisions < 2**31 for s in chronology))  # else both fail (above)
    fast = icalendar.Calendar.from_ical(outcome(writer.write, chronology, **options)[2])
    slow = icalendar.Calendar.from_ical(outcome(reference.write, chronology, **options)[2])
    read_fast, read_slow = components(fast), components(slow)
    assert read_fast == read_slow
    assert [name for name, _ in read_fast] == ["VCALENDAR"] + ["VEVENT"] * len(chronology)
    for (_, properties), state in zip(read_fast[1:], chronology):
        values = dict((name, value) for name, _, value in properties)
        assert values["UID"] == f"{state.event.id}@diplomatic-timeline"
        assert values["SEQUENCE"] == state.revisions


def components(calendar: icalendar.Calendar) -> list[tuple[str, list[tuple[str, dict, Any]]]]:
    """Every component in order: its name and each property's name, parameters and
    value as icalendar decodes it (dates, durations, integers, text, categories)."""
    found = []
    for component in calendar.walk():
        properties = []
        for name, value in component.property_items(recursive=False):
            if name in ("BEGIN", "END"):
                continue
            decoded = (value.dt if hasattr(value, "dt") else
                       [str(c) for c in value.cats] if hasattr(value, "cats") else
                       int(value) if isinstance(value, int) else str(value))
            properties.append((name, dict(getattr(value, "params", {})), decoded))
        found.append((component.name, properties))
    return found


# --- folding ---------------------------------------------------------------------------------

@settings(SETTINGS, max_examples=500)
@given(line=st.lists(_PIECES | st.text(st.characters(blacklist_characters="\r\n",
                                                     blacklist_categories=("Cs",)),
                                       max_size=20), max_size=20).map("".join))
@example(line="x" * 73 + "\\,").via("a backslash last before the cut moves to the next line")
@example(line="x" * 73 + "^^").via("so does a caret")
@example(line="x" * 72 + "é" + "y").via("a 2-octet character across octet 74")
@example(line="x" * 71 + "😀" + "y").via("a 4-octet character across octet 74")
@example(line="\\" * 200).via("backslashes only")
@example(line="x" * 74).via("74 octets: not folded")
@example(line="x" * 75).via("75 octets: folded")
def test_folding_is_icalendars(line: str) -> None:
    assert writer._line(line) == _foldline(line).encode() + b"\r\n"


def test_folded_lines_hold_74_octets_then_a_space_and_74() -> None:
    data = writer._line("DESCRIPTION:" + "Ж" * 100)
    lines = data.split(b"\r\n")
    assert [len(x) for x in lines] == [74, 75, 65, 0]  # 12 + 200 octets
    assert lines[1].startswith(b" ") and lines[0].decode() == "DESCRIPTION:" + "Ж" * 31
    assert writer._line("x" * 73 + "\\n") == b"x" * 73 + b"\r\n \\n\r\n"


# --- what the fast path leaves to the reference ------------------------------------------------

UTC = dt.timezone.utc
T0 = dt.datetime(2020, 5, 17, 9, 30, 15, 654321, tzinfo=UTC)


def one(event: Event | None = None, *, revisions: Any = 0, recorded: dt.datetime = T0,
        **changes: Any) -> Chronology:
    """A chronology of one event, with ``changes`` forced past the validators."""
    event = event or Event(id="e", date="2013-08", title="Talks",
                           sources=[Source("https://example.org/a")])
    for name, value in changes.items():
        object.__setattr__(event, name, value)
    return Chronology((EventState(event, recorded, recorded, 1, 1, revisions),), title="T")


def test_a_valid_chronology_is_rendered_without_the_reference(fallbacks) -> None:
    chronology = timeline.Log("tests/data/fixture.jsonl").chronology()
    for imprecise in ("span", "first-day"):
        expected = outcome(reference.write, chronology, imprecise=imprecise)
        fallbacks.clear()
        assert outcome(writer.write, chronology, imprecise=imprecise) == expected
        assert fallbacks == []


@pytest.mark.parametrize(("what", "chronology", "line"), [
    ("a revision count that is a bool (vInt writes 1)", one(revisions=True), b"SEQUENCE:1\r\n"),
    ("an id icalendar escapes", one(id="a;b,c"), b"UID:a\\;b\\,c@diplomatic-timeline\r\n"),
    ("an id with \\N, which icalendar reads as a newline", one(id="x\\Ny"),
     b"UID:x\\ny@diplomatic-timeline\r\n"),
], ids=["bool-sequence", "escaped-id", "backslash-N-id"])
def test_an_event_past_the_validators_gets_the_references_bytes(fallbacks, what, chronology,
                                                                 line) -> None:
    expected = outcome(reference.write, chronology)
    fallbacks.clear()
    fast = outcome(writer.write, chronology)
    assert fast == expected
    assert fast[0] == "ok" and line in fast[2], what
    assert fallbacks == [chronology.items[0].event.id]


def two_events_then(bad: Chronology) -> Chronology:
    good = Event(id="a", date="2012", title="First")
    return Chronology((EventState(good, T0, T0, 1, 1), EventState(good, T0, T0, 2, 2),
                       *bad.items), title="T")


@pytest.mark.parametrize(("chronology", "error"), [
    (two_events_then(one(title="bad \ud800")), UnicodeEncodeError),
    (two_events_then(one(recorded=dt.datetime(2020, 1, 1))), timeline.ValidationError),
    (two_events_then(one(recorded=dt.datetime(1, 1, 1, tzinfo=dt.timezone(
        dt.timedelta(hours=5))))), OverflowError),
    (two_events_then(one(status="unknown")), KeyError),
], ids=["surrogate", "naive-record-time", "before-year-1-in-utc", "unknown-status"])
def test_what_the_reference_refuses_fails_with_its_error_after_the_same_bytes(
        fallbacks, chronology, error) -> None:
    expected = outcome(reference.write, chronology)
    fallbacks.clear()
    fast = outcome(writer.write, chronology)
    assert fast == expected
    assert fast[0] == "error" and fast[1][0] is error
    assert fast[2].count(b"BEGIN:VEVENT") == 2  # the two events before it, then nothing
    assert len(fallbacks) == 1


def test_a_url_with_a_line_break_fails_as_icalendar_fails(fallbacks) -> None:
    source = Source("https://example.org/a")
    object.__setattr__(source, "url", "https://example.org/a\r\nX-EVIL:1")
    chronology = two_events_then(one(sources=(source,)))
    expected = outcome(reference.write, chronology)
    fallbacks.clear()
    fast = outcome(writer.write, chronology)
    assert fast == expected
    assert fallbacks == ["e"]
    assert fast[1][0] is ValueError and "may not contain CR or LF" in fast[1][1]
    assert b"X-EVIL" not in fast[2]


def test_a_prodid_icalendar_would_escape_comes_from_the_reference(monkeypatch) -> None:
    monkeypatch.setattr(timeline, "__version__", "1.0;beta,2\\N")
    chronology = one()
    fast = outcome(writer.write, chronology)
    assert fast == outcome(reference.write, chronology)
    assert b"PRODID:-//diplomatic-timeline//diplomatic-timeline 1.0\\;beta\\,2\\n//EN\r\n" in (
        fast[2])


# --- a stream, and no icalendar --------------------------------------------------------------

class OneShot:
    """Events that can be iterated once, with no len() and no indexing: a stream."""

    def __init__(self, chronology: Chronology) -> None:
        self.title = chronology.title
        self._items = iter(chronology.items)

    def __iter__(self):
        items, self._items = self._items, iter(())
        return items


@settings(SETTINGS, max_examples=60)
@given(chronology=chronologies(), options=OPTIONS)
def test_a_stream_of_events_gives_the_same_bytes(chronology, options) -> None:
    assert outcome(writer.write, OneShot(chronology), **options) == outcome(
        reference.write, chronology, **options)


def test_exporting_a_valid_log_does_not_import_icalendar(tmp_path) -> None:
    code = ("import sys, timeline; c = timeline.Log('tests/data/fixture.jsonl').chronology(); "
            f"timeline.export(c, 'ical', {str(tmp_path / 'x.ics')!r}); "
            "assert 'icalendar' not in sys.modules, 'icalendar imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert (tmp_path / "x.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
