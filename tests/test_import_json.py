"""The json importer: this project's JSON export back into a log, without loss."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from known_logs import BUNDLED, FIXTURE
from strategies import CHRONOLOGIES
from timeline import ImportRowError, Log, Rejection, export, export_bytes, import_file
from timeline_json.reader import read


@pytest.mark.parametrize("source", [BUNDLED, FIXTURE], ids=["bundled", "fixture"])
def test_round_trip_gives_equal_events(source: Path, tmp_path: Path) -> None:
    chronology = Log(source).chronology()
    exported = tmp_path / "export.json"
    export(chronology, "json", exported)
    log = Log.create(tmp_path / "copy.jsonl")
    summary = import_file(log, exported)
    assert (summary.format, summary.recorded, summary.rejected) == ("json", len(chronology), {})
    assert log.chronology().events == chronology.events
    assert [e.idempotency_key for e in log.entries()] == [
        f"json:{e.id}" for e in chronology.events]
    # Importing it into the log it came from: every event is there already.
    copy = tmp_path / "again.jsonl"
    copy.write_bytes(log.path.read_bytes())
    assert import_file(Log(copy), exported).duplicates == len(chronology)
    assert copy.read_bytes() == log.path.read_bytes()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CHRONOLOGIES)
def test_round_trip_of_any_chronology(chronology) -> None:  # noqa: ANN001
    rows = list(read(io.BytesIO(export_bytes(chronology, "json"))))
    assert [row.record for row in rows] == chronology.events


def test_a_bad_member_is_rejected_naming_its_place(tmp_path: Path) -> None:
    document = json.loads(export_bytes(Log(BUNDLED).chronology(), "json"))
    document["events"][2]["date"]["upper"] = "2099-01-01"
    rows = list(read(io.BytesIO(json.dumps(document, indent=2).encode())))
    assert rows[2].record == Rejection(
        "invalid date", "events[2].date.upper: '2099-01-01' does not match the EDTF date "
        "'2005-06', which means '2005-06-30'. Derived fields are never edited: correct edtf, or "
        "export the log again.")
    assert [row.line for row in rows][:3] == [6, 63, 122]  # the lines of their "{"
    assert sum(isinstance(row.record, Rejection) for row in rows) == 1


def test_another_format_is_refused() -> None:
    with pytest.raises(ImportRowError) as info:
        list(read(io.BytesIO(b'{"format": "other/2", "events": []}')))
    assert str(info.value) == ("line 1: format: 'other/2' is not 'diplomatic-timeline/1'. Give a "
                               "file written by 'timeline export -f json', or another -f format.")
