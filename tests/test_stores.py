"""The store conformance suite: one log, three stores, the same behaviour byte for byte.

Every test runs against the JSON Lines file, SQLite and PostgreSQL (a throwaway server,
``tests/pg.py``): the same entries, positions and hashes, the same concurrency errors,
idempotency, batches, as-of results, histories and exports. The reference is a JSON Lines log
built in the same test with the same record times; hashes are also recomputed here without
the library (``docs/log-format.md``, "The hash chain").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pg
from test_concurrency import _append_many, _same_position  # any LOG location works
from timeline import (Actor, Append, ConcurrencyError, DuplicateEventError, Event,
                      IdempotencyKeyError, Log, Place, RetractedEventError, Source,
                      UnknownEventError, ValidationError, export_bytes)

UTC = dt.timezone.utc
ZEROS = "0" * 64
TIMES = [dt.datetime(2026, 11, 29, 18, 0, s, 123456, tzinfo=UTC) for s in range(0, 60, 5)]
STORES = ["jsonl", "sqlite", "postgres"]
CTX = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")

DIALOGUE = Event(id="dialogue", date="2013-08-28", title="Стратегический диалог — Moscow",
                 actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                         Actor("RUSGOV")], place=Place("Moscow", "RUS"),
                 sources=[Source("https://example.org/a", title="Dialogue opens")],
                 tags=["dialogue"], cameo="040")
VISIT = Event(id="air-chief", date="2013-08", title="Air chief visits", cameo="042",
              actors=[Actor("RUSMIL")])
TRADE = Event(id="trade", date="2013", title="Trade at US$542 million")
SCO = Event(id="sco", date="2005~", title="SCO observer status")
WITHDRAWAL = Event(id="withdrawal", date="2014", title="Withdrawal", status="expected")


def scenario(log: Log) -> list[Any]:
    """Six appends (eight entries): records, keys, a batch, a revision, a retraction."""
    return [
        log.record(DIALOGUE),
        log.record(VISIT, idempotency_key="icews:1"),
        *log.append_batch([Append.record(TRADE, idempotency_key="batch:1"), Append.record(SCO),
                           Append.revise(Event(id="sco", date="2005", title=SCO.title),
                                         reason="year sure")]),
        log.revise(Event(id="air-chief", date="2013-08~", title=VISIT.title, cameo="042",
                         actors=[Actor("RUSMIL")]), reason="month approximate"),
        log.retract("trade", reason="figure unconfirmed", idempotency_key="icews:3"),
        log.record(WITHDRAWAL),
    ]


def independent_hash(line: bytes) -> str:
    body = json.loads(line)
    del body["hash"]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(params=STORES)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def place(kind: str, tmp_path: Path) -> Callable[[str], str]:
    """``place(name)``: a location in the store under test where no log is yet."""
    if kind == "postgres":
        return pg.new_postgres_log_url
    suffix = ".jsonl" if kind == "jsonl" else ".sqlite"
    return lambda name: str(tmp_path / f"{name}{suffix}")


@pytest.fixture
def store_log(place: Callable[[str], str]) -> Log:
    return Log.create(place("t"))


@pytest.fixture
def both(store_log: Log, tmp_path: Path, clock: Callable[..., None]) -> tuple[Log, Log]:
    """The scenario in the store under test and in a reference JSON Lines file, with the
    same record times."""
    reference = Log.create(tmp_path / "reference.jsonl")
    clock(*TIMES[:6])
    scenario(reference)
    clock(*TIMES[:6])
    scenario(store_log)
    clock(*TIMES[6:])  # for the appends a test adds
    return store_log, reference


def lines(log: Log, after: int = 0) -> list[bytes]:
    return [entry.to_line() for entry in log.entries(after=after)]


# --- the same entries, positions and hashes ------------------------------------------------

def test_a_new_log_is_empty(store_log: Log) -> None:
    assert store_log.head == (0, ZEROS)
    assert list(store_log.entries()) == []
    report = store_log.verify()
    assert (report.entries, report.head_hash, report.events) == (0, ZEROS, 0)
    assert len(store_log.chronology()) == 0
    assert store_log.event_ids() == set()


def test_the_same_entries_byte_for_byte(both: tuple[Log, Log]) -> None:
    log, reference = both
    expected = reference.path.read_bytes().splitlines(keepends=True)
    assert lines(log) == lines(Log(log.location)) == expected
    prev = ZEROS
    for position, line in enumerate(expected, start=1):
        data = json.loads(line)
        assert (data["position"], data["prev"]) == (position, prev)
        assert data["hash"] == independent_hash(line)
        prev = data["hash"]
    assert log.head == reference.head == (8, prev)
    report = log.verify(expect_head=prev, expect_position=8)
    assert (report.entries, report.head_hash, report.events) == (8, prev, 4)
    assert log.event_ids() == {"dialogue", "air-chief", "trade", "sco", "withdrawal"}
    # a batch shares one record time; the clock gave one time per append
    assert [e.recorded_at for e in log.entries()] == [TIMES[0], TIMES[1], TIMES[2], TIMES[2],
                                                      TIMES[2], TIMES[3], TIMES[4], TIMES[5]]


@pytest.mark.parametrize("after", range(0, 10))
def test_reading_from_a_position(both: tuple[Log, Log], after: int) -> None:
    log, reference = both
    assert lines(log, after) == lines(reference, after)
    assert [e.position for e in log.entries(after=after)] == list(range(after + 1, 9))


def test_as_of_every_position_and_record_time(both: tuple[Log, Log]) -> None:
    log, reference = both
    for as_of in [*range(0, 10), *TIMES[:7], TIMES[2] - dt.timedelta(microseconds=1)]:
        mine, theirs = log.chronology(as_of=as_of), reference.chronology(as_of=as_of)
        assert mine.items == theirs.items, as_of
        assert mine.position == theirs.position
    assert [s.event.id for s in log.chronology(as_of=4)] == ["sco", "trade", "air-chief",
                                                             "dialogue"]
    assert log.chronology(as_of=TIMES[2]).position == 5


@pytest.mark.parametrize("format_", ["json", "ical", "markdown"])
def test_exports_are_byte_identical(both: tuple[Log, Log], format_: str) -> None:
    log, reference = both
    for as_of in (None, 4):
        mine = export_bytes(log.chronology(as_of=as_of, title="Pakistan–Russia"), format_)
        theirs = export_bytes(reference.chronology(as_of=as_of, title="Pakistan–Russia"),
                              format_)
        assert mine == theirs
    assert b"Air chief visits" in mine


def test_history_state_and_keys(both: tuple[Log, Log]) -> None:
    log, reference = both
    assert log.history("sco") == reference.history("sco")
    assert [(e.position, e.type) for e in log.history("trade")] == [(3, "recorded"),
                                                                    (7, "retracted")]
    state = log.state("air-chief")
    assert (state.event.date.edtf, state.first_position, state.last_position, state.revisions,
            state.recorded_at, state.updated_at) == ("2013-08~", 2, 6, 1, TIMES[1], TIMES[3])
    assert log.state("air-chief", as_of=5).event.date.edtf == "2013-08"
    with pytest.raises(UnknownEventError) as info:
        log.history("nope")
    assert str(info.value) == ("id: no event 'nope' in this log. List the ids with: timeline "
                               "list LOG")
    with pytest.raises(UnknownEventError) as info:
        log.state("trade")
    assert str(info.value) == ("id: no current event 'trade' in this chronology. List the ids "
                               "with: timeline list LOG")
    assert log.entry_for_key("icews:3") == reference.entry_for_key("icews:3")
    assert log.entry_for_key("icews:3").position == 7
    assert log.entry_for_key("icews:9") is None


# --- the same errors -------------------------------------------------------------------------

def test_a_stale_expected_position_is_the_same_conflict(both: tuple[Log, Log],
                                                        clock: Callable[..., None]) -> None:
    log, _ = both
    clock(TIMES[6])
    head = log.head
    with pytest.raises(ConcurrencyError) as info:
        log.record(Event(id="late", date="2015", title="Late"), expected_position=7)
    assert str(info.value) == ("expected_position: the log is at position 8, not 7; another "
                               "writer appended first. Read the log again and retry with the new "
                               "position.")
    assert (info.value.expected, info.value.actual, info.value.exit_code) == (7, 8, 3)
    with pytest.raises(ConcurrencyError, match="position 9 does not exist yet"):
        log.retract("sco", reason="r", expected_position=9)
    assert log.head == head
    assert log.record(Event(id="late", date="2015", title="Late"),
                      expected_position=8).position == 9


def test_refused_appends_are_the_same_and_change_nothing(both: tuple[Log, Log],
                                                         clock: Callable[..., None]) -> None:
    log, _ = both
    clock(*TIMES[6:12])
    head = log.head
    cases = [
        (lambda: log.record(SCO), DuplicateEventError,
         "id: event 'sco' is already recorded. Give another --id, or use 'timeline revise' to "
         "correct it."),
        (lambda: log.record(TRADE), DuplicateEventError,
         "id: event 'trade' is already recorded (and was retracted). Give another --id."),
        (lambda: log.revise(Event(id="nope", date="2013", title="N"), reason="r"),
         UnknownEventError, "id: no event 'nope' in this log. List the ids with: timeline list "
         "LOG"),
        (lambda: log.retract("trade", reason="again"), RetractedEventError,
         "id: event 'trade' was retracted; it cannot be retracted. Record a new event instead."),
        (lambda: log.record(Event(id="other", date="2013", title="O"), idempotency_key="icews:1"),
         IdempotencyKeyError, "idempotency_key: 'icews:1' was used at position 2 for a "
         "different entry (recorded event 'air-chief'). Retry with exactly the same entry, or "
         "give a new key for a new entry."),
        (lambda: log.record(Event(id="x", date="2013", title="X"), expected_position=-1),
         ValidationError, "expected_position: -1 is not a log position (a whole number, 0 or "
         "more). Give the position of the last entry you read; 0 for an empty log."),
    ]
    for append, error, message in cases:
        with pytest.raises(error) as info:
            append()
        assert str(info.value) == message
    assert log.head == head


def test_an_idempotent_retry_returns_the_original(both: tuple[Log, Log]) -> None:
    log, _ = both
    head = log.head
    again = log.record(VISIT, idempotency_key="icews:1", expected_position=0)  # stale: no write
    assert again == list(log.entries())[1]
    assert log.append_batch([Append.record(TRADE, idempotency_key="batch:1"),
                             Append.retract("trade", reason="figure unconfirmed",
                                            idempotency_key="icews:3")]) == [
        log.entry_for_key("batch:1"), log.entry_for_key("icews:3")]
    assert log.head == head


def test_a_batch_is_all_or_nothing(both: tuple[Log, Log], clock: Callable[..., None]) -> None:
    log, _ = both
    head = log.head
    with pytest.raises(RetractedEventError) as info:
        log.append_batch([Append.record(Event(id="b1", date="2016", title="B1")),
                          Append.revise(Event(id="b1", date="2016-05", title="B1"), reason="r"),
                          Append.revise(Event(id="trade", date="2013", title="T"), reason="r")])
    assert info.value.batch_index == 2
    assert log.head == head and "b1" not in log.event_ids()
    clock(TIMES[1])  # earlier than the last entry's time: record time does not go back
    written = log.append_batch([Append.record(Event(id="b1", date="2016", title="B1")),
                                Append.retract("b1", reason="r")])
    assert [(e.position, e.recorded_at) for e in written] == [(9, TIMES[5]), (10, TIMES[5])]
    assert log.verify().entries == 10


# --- concurrent writers ----------------------------------------------------------------------

def test_of_four_processes_expecting_one_position_exactly_one_wins(store_log: Log) -> None:
    barrier, results = CTX.Barrier(4), CTX.Queue()
    processes = [CTX.Process(target=_same_position, args=(store_log.location, w, barrier,
                                                          results)) for w in range(4)]
    for p in processes:
        p.start()
    outcomes = sorted(results.get(timeout=60) for _ in processes)
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    winners = [o for o in outcomes if o[0] == "appended"]
    assert len(winners) == 1 and winners[0][2] == 1
    assert sorted(o[2:] for o in outcomes if o[0] == "conflict") == [(0, 1, 3)] * 3
    assert [(e.position, e.event_id) for e in store_log.entries()] == [
        (1, f"p{winners[0][1]}-0")]


def check_one_global_order(log: Log, writers: int, count: int) -> None:
    entries = list(Log(log.location).entries())
    assert [e.position for e in entries] == list(range(1, writers * count + 1))
    for w in range(writers):  # each writer's appends, in its own order, all there
        assert [e.event_id for e in entries if e.event_id.startswith(f"p{w}-")] == [
            f"p{w}-{n}" for n in range(count)]
    assert log.verify().entries == writers * count


def run_writers(log: Log, writers: int, count: int) -> None:
    barrier = CTX.Barrier(writers)
    processes = [CTX.Process(target=_append_many, args=(log.location, w, count, barrier))
                 for w in range(writers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
        assert p.exitcode == 0


def test_many_processes_appending_get_one_global_order(store_log: Log) -> None:
    run_writers(store_log, 4, 15)
    check_one_global_order(store_log, 4, 15)
