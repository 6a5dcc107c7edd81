"""The JSON Lines file store's read model (docs/read-model.md, "The file store"): kept in the
cache folder, caught up with appends (by any process), rebuilt when stale, from another file
or changed by hand, never trusted over the log, and never failing a read."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from test_stores_sql import run
from timeline import Event, Log, LogCorruptError, fold
from timeline.chronology import EventFilter
from timeline.stores.checked import record_path
from timeline.stores.file_readmodel import FileReadModel

TIMELINE = str(Path(sys.executable).with_name("timeline"))
BUNDLED = Path(__file__).parents[1] / "events" / "pakistan-russia.jsonl"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bundled log (9 events) and a revision and a retraction: 11 entries, 8 events."""
    copy = tmp_path_factory.mktemp("original") / "pr.jsonl"
    shutil.copyfile(BUNDLED, copy)
    log = Log(copy)
    first = log.state("2003-02-musharraf-visits-russia").event
    log.revise(attrs.evolve(first, title="Musharraf in Moscow"), reason="shorter")
    log.retract("2005-russia-helps-pakistan-sco-observer-status", reason="withdrawn")
    return copy.read_bytes()


@pytest.fixture
def path(tmp_path: Path, original: bytes) -> Path:
    copy = tmp_path / "pr.jsonl"
    copy.write_bytes(original)
    return copy


def database(log: Path) -> Path:
    found = record_path(log, "readmodel", ".sqlite")
    assert found is not None
    return found


def execute(log: Path, statement: str, params: tuple = ()) -> list[tuple]:
    with sqlite3.connect(database(log)) as conn:
        return conn.execute(statement, params).fetchall()


def answered(log: Log, **filters: object) -> object:
    """The read model's own answer (``None``: it fell back to the fold)."""
    return log.store.read_model.chronology(None, EventFilter.of(**filters), "T")


def folded(log: Log, **filters: object) -> object:
    return fold(log.entries(), title="T").filter(**filters)


def test_a_read_builds_it_in_the_cache_folder_and_verify_checks_it(path: Path, original: bytes) -> None:
    log = Log(path)
    assert not database(path).exists()
    assert log.chronology(title="T") == folded(log)
    assert execute(path, "SELECT position, head FROM timeline_read_tracking") == [
        (11, log.head[1])]
    assert sorted(p.name for p in path.parent.iterdir()) == ["pr.jsonl"]  # nothing beside it
    assert database(path).stat().st_mode & 0o777 == 0o600  # as private as the records
    result = run("verify", path)
    assert result.exit_code == 0
    assert result.stdout == (f"ok: 11 entries, 8 events, head {log.head[1]}\n"
                             "read model: ok: 8 events at position 11\n")
    result = run("rebuild", path)
    assert (result.exit_code, result.stdout) == (
        0, f"rebuilt the read model: 8 events at position 11, head {log.head[1]}\n")
    assert path.read_bytes() == original


def test_appends_by_another_process_are_caught_up_not_rebuilt(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = Log(path)
    assert answered(log) == folded(log)

    def no_rebuild(*args: object) -> None:
        raise AssertionError("rebuilt instead of caught up")

    monkeypatch.setattr(FileReadModel, "_rebuild", no_rebuild)
    for n in range(2):
        subprocess.run([TIMELINE, "record", str(path), "--id",
                        f"later-{n}", "--date", f"2025-12-1{n}", "--title", f"Later {n}", "--actor",
                        "PAK"], check=True, capture_output=True)
        log = Log(path)
        assert answered(log, actor="pak") == folded(log, actor="pak")
        assert [s.event.id for s in answered(log)][-1 - n:] == [f"later-{i}" for i in range(n + 1)]
    log.retract("later-0", reason="withdrawn")
    assert answered(log) == folded(log)
    assert "later-0" not in [s.event.id for s in answered(log)]
    assert execute(path, "SELECT position FROM timeline_read_tracking") == [(14,)]


def test_a_reader_that_saw_less_of_the_file_does_not_rebuild_it(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = Log(path)
    log.chronology()
    before = path.stat().st_size
    log.record(Event(id="late", date="2001", title="Late"))
    assert answered(log) == folded(log)  # caught up to the new size by this read
    sizes = [before]  # the next read took its snapshot before that append
    real = FileReadModel._size
    monkeypatch.setattr(FileReadModel, "_size",
                        lambda self, f: sizes.pop() if sizes else real(self, f))

    def no_rebuild(*args: object) -> None:
        raise AssertionError("rebuilt for an older snapshot of the file")

    monkeypatch.setattr(FileReadModel, "_rebuild", no_rebuild)
    assert answered(log) == folded(log)
    assert not sizes


def test_readers_catching_up_at_once_agree(path: Path) -> None:
    Log(path).chronology()
    Log(path).record(Event(id="late", date="2001", title="Late"))
    readers = [subprocess.Popen([TIMELINE, "list", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(4)]
    outputs = {reader.communicate() for reader in readers}
    assert [reader.returncode for reader in readers] == [0] * 4
    assert len(outputs) == 1 and next(iter(outputs))[1] == b""
    assert run("verify", path).stdout.endswith("read model: ok: 9 events at position 12\n")


# --- never trusted over the log -------------------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE timeline_read_tracking SET head = '" + "0" * 64 + "'",
    "UPDATE timeline_file_source SET blocks = '[\"" + "0" * 64 + "\"]'",
    "UPDATE timeline_file_source SET inode = inode + 1",
    "UPDATE timeline_file_source SET library = '0.0.1'",
    "UPDATE timeline_entries SET byte_offset = byte_offset + 1 WHERE position = 2",
    "UPDATE timeline_entries SET position = position + 100 WHERE position = 1",
    # a retracted event shown, a revised one shown twice
    "UPDATE timeline_read_events SET is_current = 1 WHERE event_id = "
    "'2005-russia-helps-pakistan-sco-observer-status'",
    "UPDATE timeline_read_events SET event_id = 'other' WHERE position = 2",
    "DROP TABLE timeline_entries",
])
def test_a_read_model_changed_by_hand_is_not_trusted(path: Path, statement: str) -> None:
    log = Log(path)
    log.chronology()
    execute(path, statement)
    assert log.chronology(title="T") == folded(log)
    assert answered(log) == folded(log)  # rebuilt by the read before
    assert run("verify", path).stdout.endswith("read model: ok: 8 events at position 11\n")


@pytest.mark.parametrize(("statement", "found"), [
    ("UPDATE timeline_read_actors SET code = 'XXX' WHERE code LIKE 'PAK%'",
     "has a row for the entry at position 1 (event '2003-02-musharraf-visits-russia') that "
     "differs from the log in actors"),
    # position 3: the retracted event's entry, which no read of the current events reads
    ("UPDATE timeline_entries SET byte_offset = byte_offset + 1 WHERE position = 3",
     "indexes the entry at position 3 wrongly (byte_offset)"),
])
def test_a_row_edited_so_that_no_read_meets_it_is_found_by_verify(path: Path, statement: str,
                                                                   found: str) -> None:
    log = Log(path)
    log.chronology()
    execute(path, statement)
    result = run("verify", path)
    assert result.exit_code == 4
    assert result.stderr == (f"Error: read model of {str(path)!r} {found}: it was changed "
                             "outside timeline, or by another version. Rebuild it with: "
                             f"timeline rebuild {path}\n")
    assert run("rebuild", path).exit_code == 0
    assert answered(log, actor="PAK") == folded(log, actor="PAK")
    assert run("verify", path).exit_code == 0


def test_a_damaged_database_file_is_made_again(path: Path) -> None:
    log = Log(path)
    log.chronology()
    database(path).write_bytes(b"not a database" * 100)
    assert answered(log) == folded(log)
    assert execute(path, "SELECT position FROM timeline_read_tracking") == [(11,)]


def test_a_log_replaced_by_another_file_of_the_same_name_is_not_trusted(path: Path) -> None:
    Log(path).chronology()
    other = path.with_name("other.jsonl")
    log = Log.create(other)
    log.record(Event(id="only", date="1999", title="Only"))
    os.replace(other, path)
    log = Log(path)
    assert [s.event.id for s in answered(log)] == ["only"]
    assert answered(log) == folded(log)


def test_a_log_changed_in_place_reads_as_the_fold_does(path: Path) -> None:
    Log(path).chronology()
    data = bytearray(path.read_bytes())
    at = data.index(b'"title":"') + 9
    data[at] = ord("Z") if data[at] != ord("Z") else ord("Y")  # the same size, a bad hash
    path.write_bytes(bytes(data))
    with pytest.raises(LogCorruptError) as cached:
        Log(path).chronology()
    with pytest.raises(LogCorruptError) as folding:
        fold(Log(path).entries())
    assert cached.value.message == folding.value.message
    assert cached.value.position == 1


def test_a_torn_tail_reads_as_the_fold_does(path: Path) -> None:
    Log(path).chronology()
    with open(path, "ab") as f:
        f.write(b'{"position": 9')
    result = run("list", path)
    assert result.exit_code == 4
    assert "incomplete line of 14 bytes" in result.stderr


@pytest.mark.parametrize("blocker", ["file", "folder"])
def test_a_cache_that_cannot_be_written_never_fails_a_read(path: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           blocker: str, original: bytes) -> None:
    expected = run("list", path).stdout
    cache = tmp_path / "cache"
    if blocker == "file":  # the cache folder is a file: nothing can be made in it
        cache.write_text("")
    else:  # the read model's own name is taken by a folder
        monkeypatch.setenv("TIMELINE_CACHE_DIR", str(cache))
        database(path).mkdir(parents=True)
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(cache))
    log = Log(path)
    assert answered(log) is None
    assert log.chronology(title="T") == folded(log)
    result = run("list", path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")
    result = run("verify", path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == (
        f"read model: not kept: the cache folder {str(database(path).parent)!r} cannot be used "
        f"({'Not a directory' if blocker == 'file' else 'unable to open database file'}); reads "
        "fold the log")
    result = run("rebuild", path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: read model: the cache folder ")
    assert path.read_bytes() == original
