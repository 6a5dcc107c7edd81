"""The fixture chronology (tests/data/fixture.jsonl) is what its script says and covers what
the client tests need: every precision, qualifier, status, script and hostile text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from timeline import Log

from known_logs import FIXTURE, FIXTURE_DATES


@pytest.fixture(scope="module")
def made():
    spec = importlib.util.spec_from_file_location("make_fixture",
                                                  FIXTURE.parent / "make_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_log_verifies_and_is_what_the_script_records(made, tmp_path: Path):
    committed = Log(FIXTURE)
    report = committed.verify()
    assert (report.entries, report.events) == (32, 28)
    fresh = made.build(tmp_path / "fixture.jsonl")
    # Record times differ between runs; the entries' types, ids and events do not.
    assert [(e.type, e.event_id, e.event, e.reason) for e in fresh.entries()] == [
        (e.type, e.event_id, e.event, e.reason) for e in committed.entries()]


def test_fixture_covers_what_the_exports_must_survive():
    chronology = Log(FIXTURE).chronology()
    events = {s.event.id: s.event for s in chronology}
    assert {event_id: e.date.edtf for event_id, e in events.items()} == {
        event_id: row[0] for event_id, row in FIXTURE_DATES.items()}
    dates = [e.date for e in events.values()]
    assert {d.precision for d in dates} == {"day", "month", "season", "year", "decade",
                                           "century"}
    assert {"?", "~", "%"} <= {d.qualifier for d in dates if not d.is_interval}
    assert any(d.is_interval and d.end_open for d in dates)
    assert any(d.is_interval and d.start_open for d in dates)
    assert any(d.is_interval and d.end is None and not d.end_open for d in dates)
    assert any("X" in d.edtf for d in dates)
    assert {e.status for e in events.values()} == {"occurred", "scheduled", "expected",
                                                  "cancelled"}
    for event_id in ("script-cyrillic", "script-urdu", "script-chinese"):
        assert len(events[event_id].title.encode()) > 75
        assert len(events[event_id].place.name.encode()) > 75
    separators = events["text-separators"]
    assert all(c in separators.title for c in ",;\\")
    assert "\r\n" in separators.summary and "\n" in separators.summary.replace("\r\n", "")
    markup = events["text-markup"].title
    assert markup.startswith("#") and all(c in markup for c in ("*", "_", "|", "<script>"))
    assert "javascript:" in events["text-javascript-url"].title
    assert len(events["five-sources"].sources) == 5
    assert chronology.get("revised-twice").revisions == 2
    assert "retracted-duplicate" not in events
    assert [e.type for e in Log(FIXTURE).history("retracted-duplicate")] == [
        "recorded", "retracted"]
