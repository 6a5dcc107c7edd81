"""The ``timelinejs`` export of the fixture and of the bundled log, rendered by TimelineJS3.

Knight Lab's ``@knight-lab/timelinejs`` build (from ``tests/clients/node_modules``)
is served from 127.0.0.1 to Debian's headless ``chromium`` (``clients.browser``).
One slide must render per event, plus the title slide, with no JavaScript error,
each showing the title and the date exactly as recorded and no markup from
event text.
"""

from __future__ import annotations

import json

import pytest

from timeline import Event, Log, export_bytes

from clients import browser
from known_logs import LOGS, SUFFIX

# TimelineJS's own layout inside a slide's text, and this exporter's markup.
LAYOUT = {"div", "h2", "h3"}
OURS = {"p", "br", "ol", "li", "a"}
# DOMPurify adds target and rel to links; TimelineJS adds classes.
ATTRIBUTES = {"class", "href", "target", "rel"}


@pytest.fixture(scope="module")
def pages():
    """Each log's chronology and what TimelineJS rendered of its export."""
    found = {}
    for name, (path, _) in LOGS.items():
        chronology = Log(path).chronology()
        found[name] = (chronology, browser.render(json.loads(export_bytes(chronology,
                                                                          "timelinejs"))))
    return found


@pytest.fixture(params=list(LOGS))
def rendered(request, pages):
    return (request.param, *pages[request.param])


def test_one_slide_per_event_plus_the_title_and_no_javascript_error(rendered):
    name, chronology, page = rendered
    assert page["constructed"] and page["ready"]
    assert page["errors"] == [] and page["config_errors"] == [] and page["message"] == ""
    assert len(page["slides"]) == len(chronology) + 1 == len(LOGS[name][1]) + 1
    assert [s["title"] for s in page["slides"]].count(True) == 1
    assert page["slides"][0]["title"] and page["slides"][0]["headline"] == chronology.title
    assert page["slides"][0]["text"] == (
        f"{len(chronology)} events, as of log position {chronology.position}.")
    assert sorted(s["id"] for s in page["slides"][1:]) == sorted(s.event.id for s in chronology)
    assert page["markers"] == len(chronology)


def test_each_slide_shows_the_title_and_the_date_as_recorded(rendered):
    name, chronology, page = rendered
    table = LOGS[name][1]
    slides = {s["id"]: s for s in page["slides"][1:]}
    for state in chronology:
        event, shown = state.event, slides[state.event.id]
        assert shown["headline"] == event.title
        assert shown["date"] == table[event.id][3] + SUFFIX[event.status]
        assert shown["text"].splitlines()[-1] == f"EDTF: {event.date.edtf}"


def test_no_element_attribute_or_link_comes_from_event_text(rendered):
    _, chronology, page = rendered
    urls = []
    for shown in page["slides"][1:]:
        assert set(shown["elements"]) <= LAYOUT | OURS, shown["id"]
        assert set(shown["attributes"]) <= ATTRIBUTES, shown["id"]
        urls += shown["links"]
    expected = [s.url for e in chronology.events for s in e.sources if s.url]
    assert sorted(urls) == sorted(expected)
    assert not any(url.lower().startswith("javascript:") for url in urls)


def test_rows_are_grouped_by_first_actor(rendered):
    _, chronology, page = rendered
    groups = {e.actors[0].code if e.actors else "" for e in chronology.events}
    assert sorted(page["groups"]) == sorted(groups)


def test_fixture_hostile_text_shows_as_typed(pages):
    chronology, page = pages["fixture"]
    slides = {s["id"]: s for s in page["slides"][1:]}
    markup = slides["text-markup"]
    assert markup["headline"] == ("# Heading? *bold* _under_ | pipe | "
                                  "<script>alert('x')</script> done")
    assert markup["text"].splitlines()[:3] == ["Actors: <b>Name</b> (PAKGOV, *role*)", "",
                                               "Place: <i>Place</i>"]
    assert "<img src=x onerror=alert(1)> **not bold** | not | a table" in markup["text"]
    assert slides["text-javascript-url"]["headline"] == (
        "Link javascript:alert(document.cookie) must stay text")
    assert slides["five-sources"]["links"] == [
        s.url for s in chronology.get("five-sources").event.sources if s.url]


def test_tag_groups_and_dates_show_as_typed_even_though_timelinejs_reparses_them(tmp_path):
    # TimelineJS reads group and display_date as HTML, keeps the text, then inserts that
    # as HTML again: only a twice-escaped label stays text.
    log = Log.create(tmp_path / "groups.jsonl")
    hostile = "<img src=x onerror=alert(1)>&amp;"
    log.record(Event(id="a", date="2013", title="A", tags=[hostile]))
    log.record(Event(id="b", date="2014", title="B", tags=["<b>bold</b>"]))
    page = browser.render(json.loads(export_bytes(log.chronology(), "timelinejs", group="tag")))
    assert page["errors"] == [] and len(page["slides"]) == 3
    assert sorted(page["groups"]) == sorted([hostile, "<b>bold</b>"])
    assert page["group_elements"] == []
