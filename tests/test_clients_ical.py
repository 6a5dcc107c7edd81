"""The iCal export of the fixture and of the bundled log, read by four independent clients.

- ``ical``: the strict, pydantic-based parser Home Assistant uses;
- ``vobject``: parsed with ``validate=True``, then its RFC 5545 checks of
  required and single-valued properties (``validate(raiseException=True)``);
- ``ical.js``: Mozilla's parser (Thunderbird's), under node;
- ``radicale``: a real Radicale CalDAV server on 127.0.0.1, the calendar PUT
  as one collection and every event read back with the ``caldav`` client.

Every client must see every event, with the exact days of ``known_logs`` (an
all-day DTEND is the day after the last day) and the exact summary text.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import timeline
from clients import icaljs, python_module, radicale
from known_logs import LOGS, SUFFIX

UID = "{}@diplomatic-timeline"


@pytest.fixture(scope="module")
def exports() -> dict[str, tuple[timeline.Chronology, bytes]]:
    """Each log's chronology and its iCal export."""
    found = {}
    for name, (path, _) in LOGS.items():
        chronology = timeline.Log(path).chronology()
        found[name] = (chronology, timeline.export_bytes(chronology, "ical"))
    return found


@pytest.fixture(scope="module")
def caldav_server(tmp_path_factory: pytest.TempPathFactory, exports) -> dict[str, Any]:
    """Radicale's reading of each export: PUT as a collection, read back with caldav."""
    with radicale.server(tmp_path_factory.mktemp("radicale")) as url:
        return {name: radicale.read_calendar(url, radicale.put_calendar(url, name, data))
                for name, (_, data) in exports.items()}


def vevents(data: bytes, unfold: bool = True) -> dict[str, bytes]:
    """UID -> the VEVENT's bytes (unfolded, unless ``unfold`` is false)."""
    if unfold:
        data = data.replace(b"\r\n ", b"")
    blocks = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", data, re.S)
    return {re.search(rb"\r\nUID:(\S+)\r\n", block).group(1).decode(): block
            for block in blocks}


# --- each client's reading, as {"name": <calendar name>, "events": [{uid, summary, start, end}]}

def read_with_ical(data: bytes, _: Any) -> dict[str, Any]:
    stream = python_module("ical.calendar_stream")
    calendar = stream.IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    [calname] = [x.value for x in calendar.extras if x.name == "x-wr-calname"]
    return {"name": calname, "names": calendar.name,
            "events": [{"uid": e.uid, "summary": e.summary, "start": e.dtstart, "end": e.dtend}
                       for e in calendar.events]}


def read_with_vobject(data: bytes, _: Any) -> dict[str, Any]:
    vobject = python_module("vobject")
    calendar = vobject.readOne(data.decode("utf-8"), validate=True)
    assert calendar.validate(raiseException=True)
    return {"name": calendar.x_wr_calname.value,
            "names": [p.value for p in calendar.contents["name"]],
            "events": [{"uid": e.uid.value, "summary": e.summary.value, "start": e.dtstart.value,
                        "end": e.dtend.value} for e in calendar.vevent_list]}


def read_with_icaljs(data: bytes, _: Any) -> dict[str, Any]:
    read = icaljs.read(data)
    for event in read["events"]:
        assert event["all_day"], event
    return {"name": read["calendar"]["x_wr_calname"], "names": [read["calendar"]["name"]],
            "events": [{**e, "start": dt.date.fromisoformat(e["start"]),
                        "end": dt.date.fromisoformat(e["end"])} for e in read["events"]]}


def read_with_radicale(_: bytes, stored: dict[str, Any]) -> dict[str, Any]:
    # Radicale keeps X-WR-CALNAME as the collection's displayname.
    return {"name": stored["name"], "names": None, "events": stored["events"]}


CLIENTS: dict[str, Callable[[bytes, Any], dict[str, Any]]] = {
    "ical": read_with_ical, "vobject": read_with_vobject, "ical.js": read_with_icaljs,
    "radicale": read_with_radicale}


@pytest.fixture(params=list(CLIENTS))
def client(request: pytest.FixtureRequest) -> tuple[str, Callable[..., dict[str, Any]]]:
    return request.param, CLIENTS[request.param]


@pytest.mark.parametrize("log", list(LOGS))
def test_every_client_reads_every_event_with_its_exact_days_and_summary(
        request: pytest.FixtureRequest, exports, client, log) -> None:
    name, read = client
    chronology, data = exports[log]
    stored = request.getfixturevalue("caldav_server")[log] if name == "radicale" else None
    reading = read(data, stored)
    table = LOGS[log][1]
    assert len(reading["events"]) == len(table) == len(chronology) == data.count(
        b"BEGIN:VEVENT\r\n")
    assert sorted(e["uid"] for e in reading["events"]) == sorted(UID.format(i) for i in table)
    titles = {s.event.id: s.event.title + SUFFIX[s.event.status] for s in chronology}
    for event in reading["events"]:
        event_id = event["uid"].removesuffix("@diplomatic-timeline")
        _, first, after_last, *_ = table[event_id]
        assert (event["start"], event["end"]) == (first, after_last), event_id
        assert type(event["start"]) is dt.date and type(event["end"]) is dt.date  # all-day
        assert event["end"] > event["start"]  # never a zero-length DTEND == DTSTART
        assert event["summary"] == titles[event_id]


@pytest.mark.parametrize("log", list(LOGS))
def test_every_client_reads_the_calendar_name(request, exports, client, log) -> None:
    name, read = client
    chronology, data = exports[log]
    stored = request.getfixturevalue("caldav_server")[log] if name == "radicale" else None
    reading = read(data, stored)
    assert reading["name"] == chronology.title == LOGS[log][0].stem
    if reading["names"] is not None:  # RFC 7986 NAME, where the client reads it
        assert reading["names"] == [chronology.title]


def test_the_summit_ends_on_the_16th_and_a_month_on_the_first_of_the_next(exports) -> None:
    # The two rules the issue names, on the raw bytes every client above read.
    events = vevents(exports["fixture"][1])
    assert b"\r\nDTSTART;VALUE=DATE:20121112\r\nDTEND;VALUE=DATE:20121116\r\n" in (
        events[UID.format("interval-summit")])
    assert b"\r\nDTSTART;VALUE=DATE:20130801\r\nDTEND;VALUE=DATE:20130901\r\n" in (
        events[UID.format("month-air-chief-visit")])
    assert b"\r\nDTSTART;VALUE=DATE:20131201\r\nDTEND;VALUE=DATE:20140101\r\n" in (
        events[UID.format("month-december-talks")])


# --- stability: bytes and UIDs ---------------------------------------------------------------

def test_two_exports_of_each_log_are_byte_identical(exports) -> None:
    for name, (path, _) in LOGS.items():
        again = timeline.export_bytes(timeline.Log(path).chronology(), "ical")
        assert again == exports[name][1]


def test_uids_never_change_across_revisions_and_unrelated_appends(tmp_path: Path) -> None:
    path = tmp_path / "fixture.jsonl"
    shutil.copyfile(LOGS["fixture"][0], path)
    log = timeline.Log(path)
    history = log.history("revised-twice")
    assert [e.type for e in history] == ["recorded", "revised", "revised"]
    as_recorded = vevents(timeline.export_bytes(
        log.chronology(as_of=history[0].position), "ical"))
    now = vevents(timeline.export_bytes(log.chronology(), "ical"))
    log.record(timeline.Event(id="unrelated", date="2020", title="Unrelated"))
    after_append = vevents(timeline.export_bytes(log.chronology(), "ical"))

    uid = UID.format("revised-twice")
    assert uid in as_recorded and uid in now and uid in after_append
    assert b"SEQUENCE:0\r\n" in as_recorded[uid] and b"SEQUENCE:2\r\n" in now[uid]
    assert b"DTSTART;VALUE=DATE:20130101\r\n" in as_recorded[uid]  # the first record: "2013"
    assert b"DTSTART;VALUE=DATE:20130910\r\n" in now[uid]
    # An unrelated append adds one VEVENT and changes no byte of any other.
    assert set(after_append) == set(now) | {UID.format("unrelated")}
    assert {k: v for k, v in after_append.items() if k in now} == now
    # Every event recorded before the revisions keeps its UID and, untouched, its bytes.
    for key, block in as_recorded.items():
        assert key in now
        if key != uid:
            assert now[key] == block


# --- octets ----------------------------------------------------------------------------------

@pytest.mark.parametrize("log", list(LOGS))
def test_lines_are_at_most_75_octets_and_fold_between_whole_characters(exports, log) -> None:
    data = exports[log][1]
    assert data.count(b"\n") == data.count(b"\r\n")
    lines = data.split(b"\r\n")
    assert lines.pop() == b""
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold inside a character would leave half of it here


def test_non_latin_summaries_fold_on_character_boundaries(exports) -> None:
    # The fixture's Cyrillic, Urdu and Chinese titles are over 75 octets, so they must fold,
    # and each physical line must hold whole characters of the title.
    chronology, data = exports["fixture"]
    blocks = vevents(data, unfold=False)
    for event_id in ("script-cyrillic", "script-urdu", "script-chinese"):
        title = chronology.get(event_id).event.title
        assert len(f"SUMMARY:{title}".encode()) > 75
        summary = re.search(rb"\r\n(SUMMARY:.*?)\r\n(?! )", blocks[UID.format(event_id)],
                            re.S).group(1)
        physical = summary.split(b"\r\n ")
        assert len(physical) >= 2
        assert "".join(p.decode("utf-8") for p in physical) == f"SUMMARY:{title}"


# --- text escaping (RFC 5545 section 3.3.11) ---------------------------------------------------

ESCAPED_TITLES = ["Path C:\\Net\\New folder", "a\\nb \\N; c, d\\", "\\\\N, ;\\,\\;", "x\\"]


@pytest.mark.parametrize("client", ["ical", "vobject", "ical.js"])
def test_every_client_reads_backslashes_n_and_punctuation_as_written(
        tmp_path: Path, client: str) -> None:
    log = timeline.Log.create(tmp_path / "escapes.jsonl")
    for n, title in enumerate(ESCAPED_TITLES):
        log.record(timeline.Event(id=f"e{n}", date=f"2013-08-{n + 10}", title=title))
    data = timeline.export_bytes(log.chronology(), "ical")
    assert b"SUMMARY:Path C:\\\\Net\\\\New folder\r\n" in data
    events = CLIENTS[client](data, None)["events"]
    assert {e["uid"]: e["summary"] for e in events} == {
        UID.format(f"e{n}"): title for n, title in enumerate(ESCAPED_TITLES)}


def test_icaljs_reads_the_last_day_as_ending_in_year_10000(tmp_path: Path) -> None:
    # DURATION:P1D instead of an exclusive DTEND that no DATE can write (writer docstring).
    log = timeline.Log.create(tmp_path / "last.jsonl")
    log.record(timeline.Event(id="last", date="9999-12-31", title="Last day"))
    log.record(timeline.Event(id="year", date="9999", title="Last year"))
    data = timeline.export_bytes(log.chronology(), "ical")
    events = {e["uid"]: (e["start"], e["end"], e["all_day"]) for e in icaljs.read(data)["events"]}
    assert events == {UID.format("last"): ("9999-12-31", "10000-01-01", True),
                      UID.format("year"): ("9999-01-01", "10000-01-01", True)}
