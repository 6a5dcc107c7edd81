"""Every store's read model (docs/read-model.md) gives the fold's answers, exactly.

Random logs (records, revisions, retractions, batches, idempotency keys and their retries)
in SQLite, PostgreSQL and a JSON Lines file (whose read model, in the cache folder, is also
caught up with entries appended after it was built); random filters (date overlap, actor prefix, tag, CAMEO prefix,
status, text) and as-of points (positions and record times): the read model's chronology
equals ``fold(entries, as_of=...).filter(...)`` item for item, in order, with the same
position and title; so do its event stream (``ReadModel.events``, ``Log.events``: what
``timeline export`` reads) and the stream's count when asked first. The read model must answer (not fall back) whenever it is current.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pg
from strategies import EDTF_DATES, EVENTS, TAGS
from timeline import Append, Event, Log, TimelineError, fold
from timeline.chronology import EventFilter

_TEXT_CASES = st.sampled_from(["\x00", "\ud800", "\x1f", "SS", "ß", "İ", "ǅ", "a", "-", " "])
_FOLDS = st.sampled_from([str, str.upper, str.lower, str.swapcase, str.casefold])


@st.composite
def programs(draw: st.DrawFn) -> list[list[Append]]:
    """Appends (one, or a batch) that the log accepts, keys on some, retries of some."""
    steps: list[list[Append]] = []
    live: dict[str, bool] = {}  # id -> not retracted
    keyed: list[Append] = []
    for _ in range(draw(st.integers(1, 9))):
        batch: list[Append] = []
        for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
            choice = draw(st.sampled_from(["record", "record", "revise", "retract", "retry"]))
            current = sorted(i for i, ok in live.items() if ok)
            key = draw(st.none() | st.just(f"k{len(keyed)}"))
            if choice == "retry" and keyed:
                batch.append(draw(st.sampled_from(keyed)))
                continue
            if choice in ("revise", "retract") and current:
                event_id = draw(st.sampled_from(current))
                item = (Append.revise(attrs.evolve(draw(EVENTS), id=event_id), reason="fixed",
                                      idempotency_key=key) if choice == "revise" else
                        Append.retract(event_id, reason="withdrawn", idempotency_key=key))
                live[event_id] = choice == "revise"
            else:
                event = draw(EVENTS)
                if event.id in live:
                    continue
                item = Append.record(event, idempotency_key=key)
                live[event.id] = True
            batch.append(item)
            if key is not None:
                keyed.append(item)
        if batch:
            steps.append(batch)
    return steps


def run_program(log: Log, steps: list[list[Append]]) -> None:
    for batch in steps:
        if len(batch) == 1:
            log.append_batch(batch)
        else:
            try:
                log.append_batch(batch)
            except TimelineError:  # a retry of an item of this very batch, with another key
                for item in batch:
                    log.append_batch([item])


@st.composite
def filters(draw: st.DrawFn, events: list[Event]) -> dict[str, Any]:
    """Filters that match some of ``events``, or none, or weird ones."""
    chosen: dict[str, Any] = {}
    codes = [a.code for e in events for a in e.actors]
    texts = [t for e in events for t in (e.title, e.summary, *(a.name or "" for a in e.actors),
                                         e.place.name if e.place else "") if t]
    tags = [t for e in events for t in e.tags]
    cameos = [e.cameo for e in events if e.cameo]
    uppers = [e.date.upper.isoformat() for e in events if e.date.upper]
    lowers = [e.date.lower.isoformat() for e in events if e.date.lower]
    kinds = draw(st.lists(st.sampled_from(["date_from", "date_to", "actor", "tag", "cameo",
                                           "status", "text"]), max_size=3, unique=True))
    if "date_from" in kinds:  # often the last day of an event: the bounds touch
        chosen["date_from"] = draw(st.sampled_from(uppers) | EDTF_DATES if uppers else EDTF_DATES)
    if "date_to" in kinds:
        chosen["date_to"] = draw(st.sampled_from(lowers) | EDTF_DATES if lowers else EDTF_DATES)
    if "actor" in kinds:
        code = draw(st.sampled_from(codes) if codes else st.just("PAK"))
        chosen["actor"] = draw(_FOLDS)(code[:draw(st.integers(1, len(code)))])
    if "tag" in kinds:
        chosen["tag"] = draw(st.sampled_from(tags) if tags else TAGS.map(
            lambda t: t[0] if t else "x"))
    if "cameo" in kinds:
        code = draw(st.sampled_from(cameos) if cameos else st.just("04"))
        chosen["cameo"] = code[:draw(st.integers(1, len(code)))]
    if "status" in kinds:
        chosen["status"] = draw(st.sampled_from(["occurred", "scheduled", "expected",
                                                 "cancelled"]))
    if "text" in kinds:
        if texts and draw(st.integers(0, 3)):
            text = draw(st.sampled_from(texts))
            start = draw(st.integers(0, len(text) - 1))
            chosen["text"] = draw(_FOLDS)(text[start:start + draw(st.integers(1, 6))])
        else:
            chosen["text"] = draw(_TEXT_CASES)
    return chosen


@st.composite
def as_of_points(draw: st.DrawFn, log: Log) -> Any:
    entries = list(log.entries())
    kind = draw(st.sampled_from(["now", "position", "time"]))
    if kind == "now":
        return None
    if kind == "position" or not entries:
        return draw(st.integers(0, len(entries) + 2))
    moment = draw(st.sampled_from(entries)).recorded_at
    return moment + dt.timedelta(microseconds=draw(st.sampled_from([-1, 0, 1])))


def same_answers(log: Log, data: st.DataObject) -> None:
    """Random filters and as-of points: read model == fold, and it answered itself."""
    events = [e.event for e in log.entries() if e.event is not None]
    model = log.store.read_model
    for _ in range(6):
        chosen = data.draw(filters(events), label="filters")
        as_of = data.draw(as_of_points(log), label="as_of")
        expected = fold(log.entries(), as_of=as_of, title="T").filter(**chosen)
        answer = model.chronology(as_of, EventFilter.of(**chosen), "T")
        assert answer is not None, "the read model fell back to the fold"
        assert answer == expected
        assert log.chronology(as_of=as_of, title="T", **chosen) == expected
        streamed = model.events(as_of, EventFilter.of(**chosen), "T")
        assert streamed is not None, "the read model's stream fell back to the fold"
        counted = data.draw(st.booleans(), label="count first")
        if counted:  # a writer that asks the count before the first event
            assert len(streamed) == len(expected)
        assert (tuple(streamed), streamed.position, streamed.title) == (
            expected.items, expected.position, "T")
        stream = log.events(as_of=as_of, title="T", **chosen)
        assert stream.chronology() == expected


_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                           HealthCheck.data_too_large])


@settings(_SETTINGS, max_examples=80)
@given(steps=programs(), data=st.data())
def test_sqlite_read_model_equals_the_fold(steps: list[list[Append]],
                                           data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Log.create(Path(folder) / "t.sqlite")
        run_program(log, steps)
        assert log.verify_read_model().position == log.head[0]
        same_answers(log, data)
        log.store.close()


@settings(_SETTINGS, max_examples=60)
@given(steps=programs(), data=st.data())
def test_file_read_model_equals_the_fold(steps: list[list[Append]], data: st.DataObject) -> None:
    split = data.draw(st.integers(0, len(steps)), label="built after")
    with tempfile.TemporaryDirectory() as folder:
        log = Log.create(Path(folder) / "t.jsonl")
        run_program(log, steps[:split])
        assert log.verify_read_model().position == log.head[0]  # built by this read
        same_answers(log, data)
        run_program(log, steps[split:])  # then caught up by the next read
        same_answers(log, data)
        assert log.verify_read_model().position == log.head[0]


@pytest.fixture(scope="module")
def postgres_available() -> None:
    pg.new_postgres_log_url()  # skips (or fails in CI) without a server


@settings(_SETTINGS, max_examples=20)
@given(steps=programs(), data=st.data())
def test_postgres_read_model_equals_the_fold(postgres_available: None,
                                             steps: list[list[Append]],
                                             data: st.DataObject) -> None:
    log = Log.create(pg.new_postgres_log_url("rm"))
    run_program(log, steps)
    assert log.verify_read_model().position == log.head[0]
    same_answers(log, data)
    log.store.close()
