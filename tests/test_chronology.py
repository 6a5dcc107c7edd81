"""The chronology: folding the log, as-of by position and record time, and filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from timeline import (Actor, Chronology, Entry, Event, EventState, InvalidDateError, Log, Place,
                      UnknownEventError, ValidationError, fold)

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 29, 18, 0, 0, tzinfo=UTC)
BUNDLED = Path(__file__).resolve().parent.parent / "events" / "pakistan-russia.jsonl"


def t(seconds: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def ev(event_id: str, date: str = "2013", **fields: Any) -> Event:
    return Event(**{"id": event_id, "date": date, "title": f"Event {event_id}", **fields})


# --- folding a history ---------------------------------------------------------------------

@pytest.fixture
def history(log: Log, clock: Callable[..., None]) -> Log:
    """Six entries, one a second from T0+1s: e1, e2 recorded; e1 revised twice;
    e2 retracted; e3 recorded."""
    clock(*(t(n) for n in range(1, 7)))
    log.record(ev("e1", "2013-08", title="Talks"))                                # 1
    log.record(ev("e2", "2012"))                                                  # 2
    log.revise(ev("e1", "2013-08-28", title="Talks open"), reason="day found")    # 3
    log.revise(ev("e1", "2013-08-28", title="Talks open in Moscow"), reason="place")  # 4
    log.retract("e2", reason="did not happen")                                    # 5
    log.record(ev("e3", "2014"))                                                  # 6
    return log


def _titles(chronology: Chronology) -> list[tuple[str, str]]:
    return [(s.event.id, s.event.title) for s in chronology]


def test_current_chronology(history: Log) -> None:
    c = history.chronology()
    assert _titles(c) == [("e1", "Talks open in Moscow"), ("e3", "Event e3")]
    assert (c.position, c.title, len(c)) == (6, "t", 2)
    assert c.events == [s.event for s in c.items]
    assert c.get("e1") == EventState(
        event=ev("e1", "2013-08-28", title="Talks open in Moscow"), recorded_at=t(1),
        updated_at=t(4), first_position=1, last_position=4, revisions=2)
    assert c.get("e3") == EventState(ev("e3", "2014"), t(6), t(6), 6, 6, 0)


@pytest.mark.parametrize(("as_of", "expected", "position"), [
    (0, [], 0),
    (1, [("e1", "Talks")], 1),
    (2, [("e2", "Event e2"), ("e1", "Talks")], 2),               # 2012 sorts before 2013-08
    (3, [("e2", "Event e2"), ("e1", "Talks open")], 3),          # after the first revision
    (4, [("e2", "Event e2"), ("e1", "Talks open in Moscow")], 4),
    (5, [("e1", "Talks open in Moscow")], 5),                    # the retraction removes e2
    (6, [("e1", "Talks open in Moscow"), ("e3", "Event e3")], 6),
    (99, [("e1", "Talks open in Moscow"), ("e3", "Event e3")], 6),
])
def test_as_of_position(history: Log, as_of: int, expected: list, position: int) -> None:
    c = history.chronology(as_of=as_of)
    assert (_titles(c), c.position) == (expected, position)


@pytest.mark.parametrize(("as_of", "expected", "position"), [
    (t(1) - dt.timedelta(microseconds=1), [], 0),
    (t(1), [("e1", "Talks")], 1),
    (t(3) - dt.timedelta(microseconds=1), [("e2", "Event e2"), ("e1", "Talks")], 2),  # before
    (t(3), [("e2", "Event e2"), ("e1", "Talks open")], 3),                           # after
    (t(5) + dt.timedelta(milliseconds=500), [("e1", "Talks open in Moscow")], 5),
    (t(3).astimezone(dt.timezone(dt.timedelta(hours=5))),                            # PKT
     [("e2", "Event e2"), ("e1", "Talks open")], 3),
    (t(3600), [("e1", "Talks open in Moscow"), ("e3", "Event e3")], 6),
])
def test_as_of_record_time(history: Log, as_of: dt.datetime, expected: list,
                           position: int) -> None:
    c = history.chronology(as_of=as_of)
    assert (_titles(c), c.position) == (expected, position)


def test_event_state_as_of_a_revision(history: Log) -> None:
    before = history.chronology(as_of=t(3) - dt.timedelta(microseconds=1)).get("e1")
    after = history.chronology(as_of=t(3)).get("e1")
    assert before == EventState(ev("e1", "2013-08", title="Talks"), t(1), t(1), 1, 1, 0)
    assert after == EventState(ev("e1", "2013-08-28", title="Talks open"), t(1), t(3), 1, 3, 1)


def test_as_of_time_needs_a_time_zone(history: Log) -> None:
    naive = dt.datetime(2026, 11, 29, 18, 0, 3)
    with pytest.raises(ValidationError) as info:
        history.chronology(as_of=naive)
    assert type(info.value) is ValidationError
    assert str(info.value) == ("as_of: '2026-11-29T18:00:03' has no time zone. Give an aware "
                               "datetime, e.g. 2026-11-29T18:00:00+00:00.")


def test_get_a_retracted_or_unknown_event(history: Log) -> None:
    for event_id in ("e2", "nope"):
        with pytest.raises(UnknownEventError) as info:
            history.chronology().get(event_id)
        assert str(info.value) == (f"id: no current event {event_id!r} in this chronology. "
                                   "List the ids with: timeline list LOG")
        assert info.value.event_id == event_id
    assert history.chronology(as_of=4).get("e2").event == ev("e2", "2012")


def test_title_defaults_to_the_log_name(history: Log) -> None:
    assert history.chronology().title == "t"
    assert history.chronology(title="Pakistan–Russia").title == "Pakistan–Russia"


def test_fold_entries_directly() -> None:
    first = Entry.create(position=1, recorded_at=t(1), type="recorded", event_id="b",
                         event=ev("b"), reason=None, prev="0" * 64)
    second = Entry.create(position=2, recorded_at=t(2), type="recorded", event_id="a",
                          event=ev("a"), reason=None, prev=first.hash)
    c = fold([first, second], title="Direct")
    # equal dates: ordered by id
    assert ([s.event.id for s in c], c.title, c.position) == (["a", "b"], "Direct", 2)
    assert fold([]) == Chronology((), title="Chronology", position=0)


def test_order_is_by_date_then_id(log: Log) -> None:
    for event_id, date in [("z", "2013-08-28"), ("m", "2013"), ("a", "2013-08"),
                           ("b", "2013-08"), ("y", "2013-01-01"), ("c", "2013-01")]:
        log.record(ev(event_id, date))
    assert [s.event.id for s in log.chronology()] == ["y", "c", "m", "a", "b", "z"]


# --- filters -------------------------------------------------------------------------------

@pytest.fixture
def events(log: Log) -> Chronology:
    log.record(ev("dialogue", "2013-08-28", title="First Strategic Dialogue opens",
                  actors=[Actor("PAKGOV", "Jalil Abbas Jilani"), Actor("RUSGOV")],
                  place=Place("Moscow", "RU"), tags=["strategic-dialogue", "visit"],
                  cameo="036"))
    log.record(ev("air-chief", "2013-08", title="Russian air chief visits Pakistan",
                  actors=[Actor("RUSMIL", "Viktor Bondarev")], place=Place("Rawalpindi", "PK"),
                  tags=["visit", "defence"], cameo="042"))
    log.record(ev("oic", "../2005", title="Pakistan backs Russia's OIC observer bid",
                  actors=[Actor("PAKGOV"), Actor("IGO", "Organisation of Islamic Conference")],
                  tags=["observer-status"], cameo="051"))
    log.record(ev("trade", "2013-08/..", title="Bilateral trade at $542 million",
                  summary="Trade between the two countries.", actors=[Actor("PAK")]))
    log.record(ev("nato", "2014", title="Withdrawal from Afghanistan",
                  summary="NATO forces WITHDRAW.", actors=[Actor("IGOWSTNAT", "NATO")],
                  tags=["afghanistan"], status="expected"))
    log.record(ev("summit", "2015-24", title="Winter summit", actors=[Actor("RUSGOV")],
                  cameo="043", status="scheduled"))
    return log.chronology()


def _ids(chronology: Chronology) -> list[str]:
    return [s.event.id for s in chronology]


def test_unfiltered_order(events: Chronology) -> None:
    assert _ids(events) == ["oic", "air-chief", "trade", "dialogue", "nato", "summit"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["oic", "air-chief", "trade", "dialogue", "nato", "summit"]),
    # dates: bounds overlap [lower(from), upper(to)], open ends unbounded
    ({"date_from": "2014"}, ["trade", "nato", "summit"]),
    ({"date_to": "2005"}, ["oic"]),
    ({"date_to": "2005-12-31"}, ["oic"]),
    ({"date_to": "2004"}, ["oic"]),                      # open start reaches back forever
    ({"date_from": "2006", "date_to": "2012"}, []),
    ({"date_from": "2013-08", "date_to": "2013-08"}, ["air-chief", "trade", "dialogue"]),
    ({"date_from": "2013-08-29", "date_to": "2013-12"}, ["air-chief", "trade"]),
    ({"date_from": "2016-02-29"}, ["trade", "summit"]),  # winter 2015 ends 2016-02-29
    ({"date_from": "2016-03"}, ["trade"]),               # open end reaches forward forever
    ({"date_from": "2100/.."}, ["trade"]),                # an interval filter: its lower bound
    ({"date_to": "../2005"}, ["oic"]),
    # actors: CAMEO code prefix
    ({"actor": "PAK"}, ["oic", "trade", "dialogue"]),
    ({"actor": "PAKGOV"}, ["oic", "dialogue"]),
    ({"actor": "RUS"}, ["air-chief", "dialogue", "summit"]),
    ({"actor": "IGO"}, ["oic", "nato"]),
    ({"actor": "IGOWST"}, ["nato"]),
    ({"actor": "PAKMIL"}, []),
    # tags: exact
    ({"tag": "visit"}, ["air-chief", "dialogue"]),
    ({"tag": "vis"}, []),
    # cameo: prefix
    ({"cameo": "04"}, ["air-chief", "summit"]),
    ({"cameo": "0"}, ["oic", "air-chief", "dialogue", "summit"]),
    ({"cameo": "036"}, ["dialogue"]),
    # status: exact
    ({"status": "scheduled"}, ["summit"]),
    ({"status": "expected"}, ["nato"]),
    ({"status": "occurred"}, ["oic", "air-chief", "trade", "dialogue"]),
    ({"status": "cancelled"}, []),
    # text: case-insensitive in title, summary, actor names, place name
    ({"text": "withdraw"}, ["nato"]),                     # title and summary
    ({"text": "nAtO"}, ["nato"]),                         # summary and actor name
    ({"text": "JILANI"}, ["dialogue"]),                   # actor name
    ({"text": "rawalpindi"}, ["air-chief"]),              # place name
    ({"text": "$542"}, ["trade"]),
    ({"text": "pakistan"}, ["oic", "air-chief"]),
    ({"text": "defence"}, []),                            # tags are not text
    # every filter must match
    ({"actor": "PAK", "date_from": "2013"}, ["trade", "dialogue"]),
    ({"tag": "visit", "actor": "RUS", "cameo": "03"}, ["dialogue"]),
    ({"status": "occurred", "text": "russia"}, ["oic", "air-chief"]),
])
def test_filters(events: Chronology, filters: dict[str, str], expected: list[str]) -> None:
    filtered = events.filter(**filters)
    assert _ids(filtered) == expected
    assert (filtered.title, filtered.position) == (events.title, events.position)


def test_filtering_keeps_event_states(events: Chronology) -> None:
    assert events.filter(tag="visit").items == (events.get("air-chief"), events.get("dialogue"))


def test_invalid_status_filter() -> None:
    with pytest.raises(ValidationError) as info:
        Chronology(()).filter(status="done")
    assert type(info.value) is ValidationError
    assert str(info.value) == ("status: 'done' is not a status. Use one of: occurred, scheduled, "
                               "expected, cancelled.")


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("date_from", "2013-02-30",
     "names day 30, but February 2013 has 28 days. Give an existing day, or the month alone "
     "(2013-02)."),
    ("date_to", "abc",
     "is not a valid EDTF date. Use EDTF: 2013-08-28, 2013-08, 2013, 2013?, 2013-08~, 201X or "
     "2013-08-28/2013-09-02."),
])
def test_invalid_date_filter_names_the_filter(field: str, value: str, problem: str) -> None:
    with pytest.raises(InvalidDateError) as info:
        Chronology(()).filter(**{field: value})
    assert type(info.value) is InvalidDateError
    assert str(info.value) == f"{field}: {value!r} {problem}"
    assert (info.value.field, info.value.value) == (field, value)


def test_text_filter_with_an_event_without_summary(log: Log) -> None:
    log.record(Event(id="e", date="2013", title="Talks", summary=None))
    chronology = log.chronology()
    assert chronology.get("e").event.summary == ""
    assert _ids(chronology.filter(text="talks")) == ["e"]
    assert _ids(chronology.filter(text="moscow")) == []  # the summary is searched too


# --- the bundled chronology ----------------------------------------------------------------

def test_bundled_pakistan_russia_log() -> None:
    log = Log(BUNDLED)
    report = log.verify()
    assert (report.entries, report.events) == (9, 9)
    c = log.chronology()
    assert [(s.event.date.edtf, s.event.id) for s in c] == [
        ("2003-02", "2003-02-musharraf-visits-russia"),
        ("2005~", "2005-russia-helps-pakistan-sco-observer-status"),
        ("2005-06", "2005-06-pakistan-supports-russia-oic-observer-bid"),
        ("2012", "2012-army-chief-kiyani-visits-moscow"),
        ("2012", "2012-foreign-secretaries-agree-strategic-dialogue"),
        ("2013-08", "2013-08-bilateral-trade-reported-542-million"),
        ("2013-08", "2013-08-russian-air-chief-visits-pakistan"),
        ("2013-08-28", "2013-08-28-first-strategic-dialogue-opens-moscow"),
        ("2014", "2014-nato-withdrawal-from-afghanistan"),
    ]
    assert c.title == "pakistan-russia"
    assert [s.event.id for s in c.filter(date_from="2013-08-28", date_to="2013-08-28")] == [
        "2013-08-bilateral-trade-reported-542-million",
        "2013-08-russian-air-chief-visits-pakistan",
        "2013-08-28-first-strategic-dialogue-opens-moscow",
    ]
