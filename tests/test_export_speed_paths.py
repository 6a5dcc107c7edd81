"""The exporters' fast paths write exactly the bytes of their reference forms.

The JSON, Markdown and TimelineJS writers render from templates, orjson, regular
expressions and caches (see each writer's docstring). Each property below builds
the reference bytes the slow, obvious way and compares byte for byte:

- JSON: ``json.dumps(document, ensure_ascii=False, indent=indent)`` of the
  whole document, as the writer's docstring promises, for every indent;
- Markdown: the same writer with every cache bypassed and each fast primitive
  replaced by the character-by-character rule it replaced;
- TimelineJS: ``json.dumps(document, ensure_ascii=False, indent=2)`` of the
  slides, built with the caches bypassed.

Chronologies draw their actors, places and dates from small pools, so that the
caches are hit, and the writers' chunks are shrunk to two events, so that chunk
joins are crossed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from timeline_json import writer as json_writer
from timeline_json.document import FORMAT, event_document
from timeline_markdown import writer as md_writer
from timeline_timelinejs import writer as tljs_writer

from timeline import (STATUSES, Actor, Chronology, Event, EventState, Place, Source,
                      ValidationError, date_in_words, format_time, parse_date, wording)

from strategies import (ACTORS, CAMEO_CODES, EDTF_DATES, EVENT_IDS, LINE_300, PLACES,
                        SOURCES, SUMMARIES, TAGS)

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
#: Whole exports take longer: 60 chronologies of up to 8 events each.
WHOLE = settings(SETTINGS, max_examples=60)
#: Every code point, surrogates and control characters included.
ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=40)
ZONES = st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=5)),
                         dt.timezone(dt.timedelta(hours=-3, minutes=-30)),
                         dt.timezone(dt.timedelta(0), "GMT")])
#: Record times format_time writes differently from orjson, or not at all alike:
#: other offsets, naive times, no microseconds, years before 1000.
RECORD_TIMES = (st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30), timezones=ZONES)
                | st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1)).map(
                    lambda t: t.replace(microsecond=0, tzinfo=dt.timezone.utc))
                | st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)))
#: Records that differ in one field only, so that a cache keyed on too few fields shows.
_FEW = st.sampled_from([None, "", "  ", "Jilani", "Лавров", "a*b_c", "x  y"])
NEAR_ACTORS = st.builds(Actor, st.sampled_from(["PAKGOV", "RUSGOV", "IGO"]), _FEW, _FEW)
NEAR_PLACES = st.builds(Place, st.sampled_from(["Moscow", "Doha", "a|b"]),
                        st.none() | st.sampled_from(["PAK", "RUS"]))
NEAR_SOURCES = st.builds(
    Source, st.none() | st.sampled_from(["https://example.org/a?b&c", "https://example.org/(x)"]),
    st.sampled_from(["Report", "Dawn & co."]), _FEW,
    st.none() | st.sampled_from(["2013", "2013-08", "2013-08/2014", "201X~"]))
#: json.dumps writes True as ``true`` and ints beyond 64 bits in full.
COUNTS = st.integers(0, 10_000) | st.integers(2**63, 2**70) | st.booleans()


@st.composite
def chronologies(draw: st.DrawFn) -> Chronology:
    """Up to 8 events sharing actors, places, dates and sources from small pools."""
    actors = draw(st.lists(NEAR_ACTORS | ACTORS, min_size=1, max_size=5))
    places = draw(st.lists(NEAR_PLACES | PLACES, min_size=1, max_size=3))
    dates = draw(st.lists(EDTF_DATES, min_size=1, max_size=3))
    sources = draw(st.lists(NEAR_SOURCES | SOURCES, min_size=1, max_size=4))
    events = draw(st.lists(st.builds(
        Event, id=EVENT_IDS, date=st.sampled_from(dates) | EDTF_DATES, title=LINE_300,
        summary=SUMMARIES, actors=st.lists(st.sampled_from(actors), max_size=3),
        place=st.none() | st.sampled_from(places),
        sources=st.lists(st.sampled_from(sources) | SOURCES, max_size=3), tags=TAGS,
        cameo=st.none() | CAMEO_CODES, status=st.sampled_from(STATUSES)),
        max_size=8, unique_by=lambda e: e.id))
    states = []
    for event in events:
        recorded = draw(RECORD_TIMES)
        updated = draw(st.just(recorded) | RECORD_TIMES)
        states.append(EventState(event, recorded, updated, draw(COUNTS), draw(COUNTS),
                                 draw(COUNTS)))
    states.sort(key=lambda s: (s.event.date.sort_key, s.event.id))
    return Chronology(tuple(states), title=draw(LINE_300), position=draw(COUNTS))


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    for module in (json_writer, md_writer, tljs_writer):
        monkeypatch.setattr(module, "_CHUNK", 2)


def written(write: Any, chronology: Chronology, **options: Any) -> bytes:
    out = io.BytesIO()
    write(chronology, out, **options)
    return out.getvalue()


# --- JSON ------------------------------------------------------------------------------------

def json_reference(chronology: Chronology, indent: int | None) -> bytes:
    document = {"format": FORMAT, "title": chronology.title, "position": chronology.position,
                "events": [event_document(state) for state in chronology]}
    separators = (",", ":") if indent is None else (",", ": ")
    return (json.dumps(document, ensure_ascii=False, indent=indent, separators=separators)
            + "\n").encode("utf-8")


@WHOLE
@given(chronology=chronologies(), indent=st.none() | st.integers(0, 8))
def test_json_bytes_equal_json_dumps_of_the_document(chronology, indent):
    assert written(json_writer.write, chronology, indent=indent) == json_reference(
        chronology, indent)


@WHOLE
@given(chronology=chronologies().filter(len),
       text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_json_bytes_equal_json_dumps_for_text_the_records_refuse(chronology, text):
    # Control characters, U+2028/2029 and the like, forced past the validators.
    event = chronology.items[0].event
    object.__setattr__(event, "title", text)
    object.__setattr__(event, "summary", text + "\x00\x1f\x7f\u2028\u2029\U0001F600\"\\")
    for indent in (None, 0, 2):
        assert written(json_writer.write, chronology, indent=indent) == json_reference(
            chronology, indent)


def test_json_text_orjson_refuses_fails_as_json_dumps_does():
    # A lone surrogate: orjson refuses it, json.dumps writes it and UTF-8 cannot.
    event = Event(id="a", date="2013", title="A")
    object.__setattr__(event, "title", "bad \ud800")
    state = EventState(event, dt.datetime(2026, 11, 29, tzinfo=dt.timezone.utc),
                       dt.datetime(2026, 11, 29, tzinfo=dt.timezone.utc), 1, 1)
    chronology = Chronology((state,), title="T", position=1)
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        json_reference(chronology, 2)
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        written(json_writer.write, chronology)


@SETTINGS
@given(text=ANY_TEXT)
def test_orjson_writes_every_string_as_json_dumps_does(text):
    # The fast path's premise; a string orjson refuses goes to json.dumps.
    try:
        fast = orjson.dumps(text)
    except TypeError:
        assert re.search("[\ud800-\udfff]", text)
        return
    assert fast == json.dumps(text, ensure_ascii=False).encode("utf-8")


@SETTINGS
@given(value=RECORD_TIMES)
def test_record_time_is_format_times_text(value):
    assert json_writer._time(value) == json.dumps(format_time(value)).encode("utf-8")


def test_json_record_time_fallbacks_are_exact():
    utc, plus5 = dt.timezone.utc, dt.timezone(dt.timedelta(hours=5))
    for value, text in [
            (dt.datetime(2026, 11, 29, 18, 50, 1, 123456, utc), "2026-11-29T18:50:01.123456Z"),
            (dt.datetime(2026, 11, 29, 18, 50, 1, tzinfo=utc), "2026-11-29T18:50:01.000000Z"),
            (dt.datetime(2026, 11, 29, 23, 50, 1, 5, plus5), "2026-11-29T18:50:01.000005Z")]:
        assert json_writer._time(value) == f'"{text}"'.encode()


# --- Markdown --------------------------------------------------------------------------------

# The rules of the Markdown writer's docstring, one character at a time.
_REF_SPECIAL = frozenset("!#$&()*+-.:<=>[\\]^_`{|}~")
_REF_BLANK = frozenset("\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\u2028\u2029")


def ref_escape_chars(text: str) -> str:
    return "".join("\\" + c if c in _REF_SPECIAL else c for c in text)


def ref_one_line(text: str, field: str) -> str:
    spaced = "".join(" " if c in _REF_BLANK else c for c in text)
    while "  " in spaced:
        spaced = spaced.replace("  ", " ")
    line = spaced.strip()
    for c in line:
        if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f:
            raise ValidationError(field, text, f"contains control character U+{ord(c):04X}",
                                  "Remove it.")
    return line


def ref_destination(url: str) -> str:
    encode = {" ": "%20", '"': "%22", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E",
              "\\": "%5C", "`": "%60", "&": "\\&"}
    return "".join(encode.get(c, c) for c in url)


def outcome(function: Any, *args: Any) -> tuple[str, str]:
    try:
        return "ok", function(*args)
    except ValidationError as exc:
        return "error", str(exc)


TEXT_WITH_BLANKS = st.lists(ANY_TEXT | st.sampled_from(
    [" ", "  ", "\t", "\n", "\r\n", "\x0b", "\x1c", "\x85", "\u2028", "\u2029", "\xa0", "\u3000",
     "\x00", "\x7f", "\x9f", "."]), max_size=6).map("".join)


@SETTINGS
@given(text=TEXT_WITH_BLANKS, field=st.sampled_from(["title", "summary", "tags"]))
@example(text="a  b", field="title").via("a run of spaces inside")
@example(text=" a \t\u2028 b\xa0", field="title").via("blanks of each kind")
@example(text="a\x85b", field="title").via("a blank that is also a control character")
@example(text="a\x00b", field="tags").via("a control character")
@example(text="*a* [b](c) `d` \\ e_f", field="title").via("specials")
def test_markdown_escape_equals_the_character_rules(text, field):
    assert outcome(md_writer.escape, text, field) == outcome(
        lambda t, f: ref_escape_chars(ref_one_line(t, f)), text, field)


@SETTINGS
@given(url=ANY_TEXT)
def test_markdown_link_destination_equals_the_character_rules(url):
    assert md_writer._destination(url) == ref_destination(url)


@pytest.fixture
def markdown_reference(monkeypatch):
    """Write Markdown with every cache bypassed and the reference primitives."""
    def write(chronology: Chronology, **options: Any) -> bytes:
        with monkeypatch.context() as patch:
            for name in ("_escape_repeated", "_actor", "_place", "_summary_lines", "_tags"):
                patch.setattr(md_writer, name, getattr(md_writer, name).__wrapped__)
            patch.setattr(md_writer, "_escape_chars", ref_escape_chars)
            patch.setattr(md_writer, "_one_line", ref_one_line)
            patch.setattr(md_writer, "_destination", ref_destination)
            patch.setattr(md_writer, "date_in_words", wording._in_words)
            patch.setattr(wording, "date_in_words", wording._in_words)
            patch.setattr(md_writer, "_CHUNK", 10**9)
            return written(md_writer.write, chronology, **options)
    return write


@WHOLE
@given(chronology=chronologies(), layout=st.sampled_from(["list", "table"]))
def test_markdown_bytes_equal_the_reference_writer(markdown_reference, chronology, layout):
    assert written(md_writer.write, chronology, layout=layout) == markdown_reference(
        chronology, layout=layout)


# --- dates in words --------------------------------------------------------------------------

@SETTINGS
@given(edtf=st.lists(EDTF_DATES, min_size=1, max_size=6))
def test_date_in_words_cache_gives_what_is_computed(monkeypatch, edtf):
    monkeypatch.setattr(wording, "_CACHED", 3)  # so that the cache fills and empties
    monkeypatch.setattr(wording, "_words", {})
    for text in edtf + edtf:
        date = parse_date(text)
        assert date_in_words(date) == wording._in_words(date)
        assert len(wording._words) <= 3


# --- TimelineJS ------------------------------------------------------------------------------

def tljs_reference(chronology: Chronology, group: str, monkeypatch: Any) -> bytes:
    with monkeypatch.context() as patch:
        for name in ("_dates", "_escape"):
            patch.setattr(tljs_writer, name, getattr(tljs_writer, name).__wrapped__)
        patch.setattr(wording, "date_in_words", wording._in_words)
        patch.setattr(tljs_writer, "date_in_words", wording._in_words)
        count = len(chronology)
        title = {"text": {"headline": tljs_writer._escape(chronology.title),
                          "text": f"<p>{count} event{'' if count == 1 else 's'}, as of log "
                                  f"position {chronology.position}.</p>"},
                 "autolink": False}
        events = [tljs_writer._slide(state.event, group) for state in chronology]
    return (json.dumps({"title": title, "events": events}, ensure_ascii=False, indent=2)
            + "\n").encode("utf-8")


@WHOLE
@given(chronology=chronologies().filter(len), group=st.sampled_from(["actor", "tag", "none"]))
def test_timelinejs_bytes_equal_json_dumps_of_the_document(monkeypatch, chronology, group):
    assert written(tljs_writer.write, chronology, group=group) == tljs_reference(
        chronology, group, monkeypatch)

