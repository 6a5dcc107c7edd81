"""``timeline export`` streams its events from a current SQL read model (``Log.events``,
docs/read-model.md), and writes exactly what the fold gives.

For SQLite, PostgreSQL and a JSON Lines file holding ``tests/data/fixture.jsonl``'s
entries, every format, with filters and as-of points: the CLI's output is byte-identical
to exporting ``fold(...).filter(...)``, and for the SQL stores the fold is never asked
(``Log._fold`` raises). A stale read model falls back to the fold; a read-model row
found wrong folds before any event is written (every row is checked in a first pass); one
met part way (a database answering the same query differently) leaves no output file. And
exporting from a SQLite read model holds a batch of rows, not every event:
``tracemalloc`` peaks for 10,000 and 40,000 events are within a small ratio (nothing is
timed), while the same measure sees the fold's growth.
"""

from __future__ import annotations

import io
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pg
from known_logs import FIXTURE
from test_export_memory import Sink, states
from timeline import Append, EventStream, Log, export, fold
from timeline.cli import main
from timeline.plugins import make_plugin_manager

FORMATS = sorted(make_plugin_manager().exporters())
QUERIES = [([], None, {}), (["--actor", "PAK"], None, {"actor": "PAK"}),
           (["--as-of", "12"], 12, {}),
           (["--from", "2010", "--text", "moscow", "--as-of", "25"], 25,
            {"date_from": "2010", "text": "moscow"})]


def copied(location: str) -> Log:
    return Log(FIXTURE).copy_to(location)


def fold_bytes(log: Log, format_: str, as_of: Any, chosen: dict[str, str]) -> bytes:
    chronology = fold(log.entries(), as_of=as_of, title="T").filter(**chosen)
    out = io.BytesIO()
    export(EventStream.from_chronology(chronology), format_, out)
    return out.getvalue()


def cli_bytes(location: str, format_: str, args: list[str], tmp_path: Path) -> bytes:
    target = tmp_path / f"out-{format_}"
    result = CliRunner().invoke(main, ["export", location, "-f", format_, "-o", str(target),
                                       "--title", "T", *args])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    target.unlink()
    return data


def no_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("the fold was asked")
    monkeypatch.setattr(Log, "_fold", refuse)


def exports_match(log: Log, location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  streams: bool) -> None:
    expected = {(f, i): fold_bytes(log, f, q[1], q[2]) for f in FORMATS
                for i, q in enumerate(QUERIES)}
    if streams:
        no_fold(monkeypatch)
    for (format_, i), want in expected.items():
        assert cli_bytes(location, format_, QUERIES[i][0], tmp_path) == want, (format_, i)
    assert len(set(expected.values())) > len(FORMATS)  # the queries differ in what they give


def test_sqlite_export_streams_and_equals_the_fold(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    location = str(tmp_path / "t.sqlite")
    log = copied(location)
    exports_match(log, location, tmp_path, monkeypatch, streams=True)


def test_postgres_export_streams_and_equals_the_fold(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    location = pg.new_postgres_log_url("export")
    log = copied(location)
    exports_match(log, location, tmp_path, monkeypatch, streams=True)
    log.store.close()


def test_file_export_equals_the_fold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    location = str(tmp_path / "t.jsonl")
    log = copied(location)
    exports_match(log, location, tmp_path, monkeypatch, streams=False)


def test_a_stale_read_model_falls_back_to_the_fold(tmp_path: Path) -> None:
    location = tmp_path / "t.sqlite"
    log = copied(str(location))
    with sqlite3.connect(location) as db:
        db.execute("UPDATE timeline_read_tracking SET position = position - 1")
    db.close()
    assert log.store.read_model.events(None, _everything(), "T") is None
    stream = log.events(title="T", actor="PAK")
    assert stream.chronology() == fold(log.entries(), title="T").filter(actor="PAK")
    assert cli_bytes(str(location), "json", [], tmp_path) == fold_bytes(log, "json", None, {})


def test_a_wrong_row_folds_before_any_event_is_written(tmp_path: Path) -> None:
    location = tmp_path / "t.sqlite"
    log = copied(str(location))
    first = log.chronology().items[0]
    with sqlite3.connect(location) as db:  # sorted last, though every row is checked
        db.execute("UPDATE timeline_read_events SET sort_lower = '9999-01-01', sort_upper = "
                   "'9999-12-31' WHERE position = ?", (first.last_position,))
    db.close()
    assert log.store.read_model.events(None, _everything(), "T") is None
    assert cli_bytes(str(location), "json", [], tmp_path) == fold_bytes(log, "json", None, {})


def test_a_wrong_row_met_part_way_leaves_no_output(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from timeline.stores import sql_readmodel

    location = tmp_path / "t.sqlite"
    copied(str(location))
    checked = sql_readmodel._states
    passes = []

    def second_pass_fails(rows: Any, wanted: Any) -> Any:  # a database that answers the
        passes.append(1)                                   # same query differently
        for i, state in enumerate(checked(rows, wanted)):
            if len(passes) == 2 and i == 3:
                raise sql_readmodel._Stale
            yield state
    monkeypatch.setattr(sql_readmodel, "_states", second_pass_fails)
    target = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["export", str(location), "-f", "json", "-o",
                                       str(target)])
    assert result.exit_code == 4
    assert result.output == (
        f"Error: read model of {str(location)!r} has a row that does not match the log's "
        "entries (found while reading it): it was changed outside timeline, or by another "
        "version. Rebuild it with: timeline rebuild "
        f"{location}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.sqlite", "t.sqlite-shm",
                                                          "t.sqlite-wal"]


def _everything() -> Any:
    from timeline.chronology import EventFilter
    return EventFilter.of()


def _big(tmp_path: Path, n: int) -> Log:
    log = Log.create(tmp_path / f"big{n}.sqlite")
    made = [Append.record(s.event) for s in states(n)]
    for i in range(0, n, 5000):
        log.append_batch(made[i:i + 5000])
    return log


def _peak(read: Any) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_sqlite_export_does_not_hold_every_event(tmp_path: Path) -> None:
    small, large = _big(tmp_path, 10_000), _big(tmp_path, 40_000)
    streamed = {n: _peak(lambda: export(log.events(), "json", Sink()))
                for n, log in ((10_000, small), (40_000, large))}
    folded = {n: _peak(lambda: log.chronology())
              for n, log in ((10_000, small), (40_000, large))}
    assert streamed[40_000] <= 1.3 * streamed[10_000], streamed
    assert folded[40_000] > 3 * folded[10_000], folded  # the measure sees events held
