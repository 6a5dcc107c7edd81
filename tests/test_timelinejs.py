"""The ``timelinejs`` exporter (plugins/timeline_timelinejs): exact JSON, dates, escaping.

Rendering in a real browser is in ``test_clients_timelinejs.py``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings

from timeline import (Actor, Chronology, Entry, Event, Log, Place, Source, ValidationError,
                      export, export_bytes, fold, make_plugin_manager)

from known_logs import LOGS, SUFFIX
from strategies import CHRONOLOGIES

T0 = dt.datetime(2026, 11, 29, 18, 50, 0, tzinfo=dt.timezone.utc)


def chronology_of(*events: Event, title: str = "Test") -> Chronology:
    entries = [Entry.create(position=n, recorded_at=T0, type="recorded", event_id=e.id, event=e,
                            reason=None, prev="0" * 64) for n, e in enumerate(events, 1)]
    return fold(entries, title=title)


def document(*events: Event, **options) -> dict:
    return json.loads(export_bytes(chronology_of(*events), "timelinejs", **options))


def slide(edtf: str = "2013-08-28", **fields) -> dict:
    return document(Event(**{"id": "e", "date": edtf, "title": "T", **fields}))["events"][0]


# --- exact output ----------------------------------------------------------------------------

def test_exact_document_of_a_small_chronology():
    data = export_bytes(chronology_of(
        Event(id="dialogue", date="2013-08-28", title="Strategic dialogue opens",
              summary="First round.\n\nA joint statement", cameo="040", tags=["visit"],
              actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                      Actor("RUSGOV"), Actor("RUSMIL", role="Navy")],
              place=Place("Moscow", "RUS"),
              sources=[Source("https://example.org/r?a=1&b=2", title="Report", publisher="Dawn",
                              published="2013-08-29"),
                       Source("https://example.com/x"), Source(title="Memoir", published="2015")]),
        Event(id="exercise", date="2014~", title="Joint exercise", status="expected"),
        title="Pakistan–Russia"), "timelinejs")
    assert data.decode("utf-8") == """\
{
  "title": {
    "text": {
      "headline": "Pakistan–Russia",
      "text": "<p>2 events, as of log position 2.</p>"
    },
    "autolink": false
  },
  "events": [
    {
      "unique_id": "dialogue",
      "start_date": {
        "year": 2013,
        "month": 8,
        "day": 28
      },
      "display_date": "28 August 2013",
      "group": "PAKGOV",
      "text": {
        "headline": "Strategic dialogue opens",
        "text": "<p>Actors: Jalil Abbas Jilani (PAKGOV, Foreign Secretary); RUSGOV; \
RUSMIL (Navy)</p><p>Place: Moscow (RUS)</p><p>First round.<br>A joint statement</p><p>Tags: visit</p>\
<p>CAMEO event code: 040</p><p>Sources:</p><ol>\
<li><a href=\\"https://example.org/r?a=1&amp;b=2\\">Report</a>, Dawn, 29 August 2013</li>\
<li><a href=\\"https://example.com/x\\">https://example.com/x</a></li><li>Memoir, 2015</li></ol>\
<p>EDTF: 2013-08-28</p>"
      },
      "autolink": false
    },
    {
      "unique_id": "exercise",
      "start_date": {
        "year": 2014
      },
      "display_date": "around 2014 (expected)",
      "text": {
        "headline": "Joint exercise",
        "text": "<p>EDTF: 2014~</p>"
      },
      "autolink": false
    }
  ]
}
"""
    assert data == (json.dumps(json.loads(data), ensure_ascii=False, indent=2) + "\n").encode()


# --- dates -----------------------------------------------------------------------------------

DATES = [
    # EDTF, start_date, end_date (None: none), display_date
    ("2013-08-28", {"year": 2013, "month": 8, "day": 28}, None, "28 August 2013"),
    ("2013-08", {"year": 2013, "month": 8}, None, "August 2013"),
    ("2013-08-XX", {"year": 2013, "month": 8}, None, "August 2013"),
    ("2012", {"year": 2012}, None, "2012"),
    ("2013-XX", {"year": 2013}, None, "2013"),
    ("0800", {"year": 800}, None, "800"),
    ("2014-21", {"year": 2014, "month": 3}, {"year": 2014, "month": 5}, "spring 2014"),
    ("2014-24", {"year": 2014, "month": 12}, {"year": 2015, "month": 2}, "winter 2014–2015"),
    ("201X", {"year": 2010}, {"year": 2019}, "the 2010s"),
    ("19XX", {"year": 1900}, {"year": 1999}, "the years 1900–1999"),
    ("2013?", {"year": 2013}, None, "possibly 2013"),
    ("2013-08~", {"year": 2013, "month": 8}, None, "around August 2013"),
    ("2013-08-28%", {"year": 2013, "month": 8, "day": 28}, None,
     "possibly around 28 August 2013"),
    ("2012-11-12/2012-11-15", {"year": 2012, "month": 11, "day": 12},
     {"year": 2012, "month": 11, "day": 15}, "12–15 November 2012"),
    ("2012-11/2013", {"year": 2012, "month": 11}, {"year": 2013}, "November 2012 – 2013"),
    ("2012?/2013-02~", {"year": 2012}, {"year": 2013, "month": 2},
     "possibly 2012 – around February 2013"),
    ("2013-08-28/2013-08-28", {"year": 2013, "month": 8, "day": 28}, None, "28 August 2013"),
    ("2013/2013", {"year": 2013}, None, "2013"),
    ("2013-09/..", {"year": 2013, "month": 9}, None, "from September 2013"),
    ("2014-03/", {"year": 2014, "month": 3}, None, "from March 2014 (end unknown)"),
    ("../2003-02", {"year": 2003, "month": 2}, None, "until February 2003"),
    ("/201X", {"year": 2019}, None, "until the 2010s (start unknown)"),
]


@pytest.mark.parametrize(("edtf", "start", "end", "words"), DATES, ids=[d[0] for d in DATES])
def test_partial_dates_at_their_own_precision(edtf, start, end, words):
    got = slide(edtf)
    assert got["start_date"] == start
    assert got.get("end_date") == end and ("end_date" in got) == (end is not None)
    assert got["display_date"] == words
    assert got["text"]["text"].endswith(f"<p>EDTF: {edtf}</p>")


@pytest.mark.parametrize("status", ["scheduled", "expected", "cancelled"])
def test_status_follows_the_date_in_words(status):
    assert slide("2014", status=status)["display_date"] == f"2014 ({status})"


@pytest.mark.parametrize("name", list(LOGS))
def test_known_logs_slide_by_slide(name):
    chronology = Log(LOGS[name][0]).chronology()
    doc = json.loads(export_bytes(chronology, "timelinejs"))
    table = LOGS[name][1]
    assert [s["unique_id"] for s in doc["events"]] == [s.event.id for s in chronology]
    assert len(doc["events"]) == len(table)
    for got, state in zip(doc["events"], chronology, strict=True):
        _, _, _, words, start, end = table[state.event.id]
        assert got["start_date"] == start, state.event.id
        assert got.get("end_date") == end, state.event.id
        assert html.unescape(html.unescape(got["display_date"])) == (
            words + SUFFIX[state.event.status])
        assert html.unescape(got["text"]["headline"]) == state.event.title
    assert doc["title"]["text"] == {
        "headline": chronology.title,
        "text": f"<p>{len(table)} events, as of log position {chronology.position}.</p>"}


# --- text ------------------------------------------------------------------------------------

def test_event_text_is_escaped_once_and_display_fields_twice():
    got = slide(title="<script>alert('x')</script> & \"q\"", status="cancelled",
                summary="<img src=x onerror=alert(1)>\r\nline 2\n\n\tline 3",
                actors=[Actor("PAKGOV", "<b>N</b>", "<i>r</i>")], place=Place("<p>", "PAK"),
                tags=["<t>&"], sources=[Source(title="javascript:alert(1)", publisher="<s>")])
    assert got["text"]["headline"] == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;")
    assert got["text"]["text"] == (
        "<p>Actors: &lt;b&gt;N&lt;/b&gt; (PAKGOV, &lt;i&gt;r&lt;/i&gt;)</p>"
        "<p>Place: &lt;p&gt; (PAK)</p>"
        "<p>&lt;img src=x onerror=alert(1)&gt;<br>line 2<br>\tline 3</p>"
        "<p>Tags: &lt;t&gt;&amp;</p>"
        "<p>Sources:</p><ol><li>javascript:alert(1), &lt;s&gt;</li></ol>"
        "<p>EDTF: 2013-08-28</p>")
    assert got["display_date"] == "28 August 2013 (cancelled)"
    assert document(Event(id="e", date="2013", title="T", tags=["<b>&"]),
                    group="tag")["events"][0]["group"] == "&amp;lt;b&amp;gt;&amp;amp;"


def test_blank_optional_text_is_left_out():
    got = slide(actors=[Actor("PAKGOV", " ", " ")], sources=[Source("https://e.org/", " ", " ")])
    assert got["text"]["text"] == ("<p>Actors: PAKGOV</p><p>Sources:</p><ol>"
                                   "<li><a href=\"https://e.org/\">https://e.org/</a></li></ol>"
                                   "<p>EDTF: 2013-08-28</p>")


def test_chronology_title_is_escaped():
    doc = json.loads(export_bytes(chronology_of(Event(id="e", date="2013", title="T"),
                                                title="<b>A & B</b>"), "timelinejs"))
    assert doc["title"]["text"]["headline"] == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    assert doc["title"]["text"]["text"] == "<p>1 event, as of log position 1.</p>"


# --- options and errors ----------------------------------------------------------------------

def test_group_by_actor_tag_or_none():
    events = [Event(id="a", date="2013", title="A", actors=[Actor("RUSMIL"), Actor("PAK")],
                    tags=["visit", "x"]),
              Event(id="b", date="2014", title="B")]
    assert [s.get("group") for s in document(*events)["events"]] == ["RUSMIL", None]
    assert [s.get("group") for s in document(*events, group="actor")["events"]] == [
        "RUSMIL", None]
    assert [s.get("group") for s in document(*events, group="tag")["events"]] == ["visit", None]
    assert [s.get("group") for s in document(*events, group="none")["events"]] == [None, None]


@pytest.mark.parametrize(("options", "field", "message"), [
    ({"group": "place"}, "group", "group: 'place' is not one of the timelinejs exporter's group "
                                  "values. Use one of: actor, tag, none."),
    ({"indent": 2}, "option", "option: 'indent' is not an option of the timelinejs exporter. "
                              "Its only option is group."),
])
def test_bad_options_are_named_and_nothing_is_written(options, field, message):
    out = io.BytesIO()
    with pytest.raises(ValidationError) as info:
        export(chronology_of(Event(id="e", date="2013", title="T")), "timelinejs", out,
               **options)
    assert info.value.field == field and str(info.value) == message
    assert out.getvalue() == b""


def test_empty_chronology_is_refused_and_leaves_no_file(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(ValidationError) as info:
        export(chronology_of(title="Empty"), "timelinejs", target)
    assert info.value.field == "chronology"
    assert str(info.value) == ("chronology: 'Empty' has no events, and TimelineJS refuses a "
                               "timeline without events. Record an event, or widen the "
                               "export's filters.")
    assert list(tmp_path.iterdir()) == []


# --- any chronology: a document TimelineJS accepts ------------------------------------------

def _as_tuple(date: dict) -> tuple[int, int, int]:
    return (date["year"], date.get("month", 1), date.get("day", 1))


def _check_date_object(date: dict) -> None:
    assert set(date) in ({"year"}, {"year", "month"}, {"year", "month", "day"})
    assert all(type(v) is int for v in date.values())
    assert 1 <= date["year"] <= 9999
    if "month" in date:
        assert 1 <= date["month"] <= 12
    if "day" in date:
        assert 1 <= date["day"] <= calendar.monthrange(date["year"], date["month"])[1]


@pytest.fixture(scope="module")
def plugins():
    return make_plugin_manager()  # once: finding the plugins reads package metadata


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chronology=CHRONOLOGIES.filter(len))
def test_any_chronology_gives_valid_slides(plugins, chronology):
    data = export_bytes(chronology, "timelinejs", plugins=plugins)
    doc = json.loads(data)
    assert data.endswith(b"}\n") and data == (
        json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode()
    assert [s["unique_id"] for s in doc["events"]] == [s.event.id for s in chronology]
    for got, state in zip(doc["events"], chronology, strict=True):
        event = state.event
        _check_date_object(got["start_date"])
        if "end_date" in got:
            _check_date_object(got["end_date"])
            assert _as_tuple(got["end_date"]) >= _as_tuple(got["start_date"])
            assert got["end_date"] != got["start_date"]
        known = event.date.lower or event.date.upper
        assert got["start_date"]["year"] == known.year  # never another year than recorded
        assert html.unescape(got["text"]["headline"]) == event.title
        assert "<" not in got["text"]["headline"]
        assert got["text"]["text"].endswith(f"<p>EDTF: {html.escape(event.date.edtf)}</p>")
        assert got["autolink"] is False
