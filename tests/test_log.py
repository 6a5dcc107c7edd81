"""The append-only log: create/open, appends, the hash chain, conflicts and verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import queue
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from timeline import (ConcurrencyError, DuplicateEventError, Entry, Event, FormatVersionError,
                      Log, LogCorruptError, LogError, LogExistsError, LogNotFoundError,
                      RetractedEventError, TornTailError, UnknownEventError, ValidationError)

ZEROS = "0" * 64
KEYS = ["format", "position", "recorded_at", "type", "event_id", "reason", "event", "prev",
        "hash"]
UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 29, 18, 0, 0, 123456, tzinfo=UTC)


def ev(n: int, **fields: Any) -> Event:
    return Event(**{"id": f"e{n}", "date": f"201{n}", "title": f"Event {n}", **fields})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_hash(line: bytes) -> str:
    """The documented hash, computed here independently: SHA-256 of the entry without
    ``hash`` as JSON with sorted keys, no whitespace, UTF-8."""
    body = json.loads(line)
    del body["hash"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@pytest.fixture
def filled(log: Log) -> tuple[Log, list[bytes], list[Entry]]:
    """A log of four recorded events, its lines (with newlines) and the appended entries."""
    entries = [log.record(ev(n)) for n in range(1, 5)]
    return log, log.path.read_bytes().splitlines(keepends=True), entries


# --- create and open -----------------------------------------------------------------------

def test_open_a_missing_log(tmp_path: Path) -> None:
    path = tmp_path / "missing.jsonl"
    with pytest.raises(LogNotFoundError) as info:
        Log(path)
    assert str(info.value) == (f"log: {str(path)!r} does not exist. Create it with: timeline "
                               f"init {path}")
    assert (info.value.field, info.value.value, info.value.exit_code) == ("log", str(path), 1)
    assert not path.exists()


def test_create_refuses_an_existing_log(log: Log) -> None:
    before = sha256(log.path)
    with pytest.raises(LogExistsError) as info:
        Log.create(log.path)
    assert str(info.value) == (f"log: {str(log.path)!r} already exists. Choose another path, "
                               "or use the existing log.")
    assert (info.value.field, info.value.value) == ("log", str(log.path))
    assert sha256(log.path) == before


def test_create_in_a_missing_folder_is_a_log_error(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "t.jsonl"
    with pytest.raises(LogError) as info:
        Log.create(path)
    assert type(info.value) is LogError
    assert str(info.value) == (f"log: {str(path)!r} cannot be created: No such file or "
                               "directory. Check that its folder exists and is writable.")


def test_a_new_log_is_empty(log: Log) -> None:
    assert log.path.read_bytes() == b""
    assert log.head == (0, ZEROS)
    assert list(log.entries()) == []
    report = log.verify()
    assert (report.entries, report.head_hash, report.events) == (0, ZEROS, 0)
    assert len(log.chronology()) == 0


# --- appends and the chain -----------------------------------------------------------------

def test_appends_number_positions_and_chain_hashes(log: Log) -> None:
    returned = [
        log.record(ev(1)),
        log.record(ev(2)),
        log.revise(ev(1, title="Event 1, revised"), reason="title corrected"),
        log.retract("e2", reason="did not happen"),
    ]
    lines = log.path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 4 and all(line.endswith(b"\n") for line in lines)
    read = list(log.entries())
    assert read == returned
    assert [e.position for e in read] == [1, 2, 3, 4]
    assert [e.type for e in read] == ["recorded", "recorded", "revised", "retracted"]
    assert [e.event_id for e in read] == ["e1", "e2", "e1", "e2"]
    assert [e.reason for e in read] == [None, None, "title corrected", "did not happen"]
    assert read[2].event == ev(1, title="Event 1, revised") and read[3].event is None
    prevs = [ZEROS] + [e.hash for e in read[:-1]]
    for entry, line, prev in zip(read, lines, prevs):
        data = json.loads(line)
        assert list(data) == KEYS
        assert data["format"] == 1
        assert data["prev"] == entry.prev == prev
        assert data["hash"] == entry.hash == expected_hash(line)
        assert re.fullmatch(r"[0-9a-f]{64}", entry.hash)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", data["recorded_at"])
        assert entry.to_line() == line
    assert log.head == (4, read[3].hash)


def test_line_holds_the_event_as_utf8_without_escapes(log: Log) -> None:
    log.record(ev(1, title="Pakistan–Russia: Стратегический диалог"))
    line = log.path.read_bytes()
    assert "Pakistan–Russia: Стратегический диалог".encode() in line
    assert b"\\u" not in line
    assert json.loads(line)["event"] == ev(1, title="Pakistan–Russia: Стратегический диалог") \
        .to_dict()


def test_record_times_come_from_the_clock_in_utc(log: Log, clock: Callable[..., None]) -> None:
    clock(T0, T0 + dt.timedelta(seconds=1, microseconds=1))
    log.record(ev(1))
    log.record(ev(2))
    assert [e.recorded_at for e in log.entries()] == [
        T0, dt.datetime(2026, 11, 29, 18, 0, 1, 123457, tzinfo=UTC)]
    stamps = [json.loads(line)["recorded_at"] for line in log.path.read_bytes().splitlines()]
    assert stamps == ["2026-11-29T18:00:00.123456Z", "2026-11-29T18:00:01.123457Z"]


def test_record_time_never_goes_backwards(log: Log, clock: Callable[..., None]) -> None:
    clock(T0, T0 - dt.timedelta(hours=1), T0 + dt.timedelta(seconds=5))
    log.record(ev(1))
    log.record(ev(2))  # the clock stepped back an hour
    log.record(ev(3))
    assert [e.recorded_at for e in log.entries()] == [T0, T0, T0 + dt.timedelta(seconds=5)]


def test_record_time_never_goes_backwards_across_log_objects(
        log: Log, clock: Callable[..., None]) -> None:
    clock(T0, T0 - dt.timedelta(days=1))
    log.record(ev(1))
    Log(log.path).record(ev(2))  # a fresh object learns the last time from the file
    assert [e.recorded_at for e in log.entries()] == [T0, T0]


def test_a_second_log_object_sees_appends(log: Log) -> None:
    other = Log(log.path)
    assert other.head == (0, ZEROS)
    entry = log.record(ev(1))
    assert other.head == (1, entry.hash)
    second = other.record(ev(2), expected_position=1)
    assert (second.position, second.prev) == (2, entry.hash)
    assert log.head == (2, second.hash)


# --- refused appends leave the file byte-identical -----------------------------------------

def _refused(log: Log, kind: type, append: Callable[[], Any]) -> Exception:
    before = log.path.read_bytes()
    with pytest.raises(kind) as info:
        append()
    assert type(info.value) is kind
    assert log.path.read_bytes() == before
    return info.value


def test_duplicate_id(log: Log) -> None:
    log.record(ev(1))
    error = _refused(log, DuplicateEventError, lambda: log.record(ev(1, title="Again")))
    assert str(error) == ("id: event 'e1' is already recorded. Give another --id, or use "
                          "'timeline revise' to correct it.")
    assert (error.event_id, error.field, error.value, error.exit_code) == ("e1", "id", "e1", 1)


def test_duplicate_of_a_retracted_id(log: Log) -> None:
    log.record(ev(1))
    log.retract("e1", reason="wrong")
    error = _refused(log, DuplicateEventError, lambda: log.record(ev(1)))
    assert str(error) == "id: event 'e1' is already recorded (and was retracted). Give another --id."


@pytest.mark.parametrize("append", [
    lambda log: log.revise(ev(9), reason="fix"),
    lambda log: log.retract("e9", reason="fix"),
])
def test_unknown_id(log: Log, append: Callable[[Log], Any]) -> None:
    log.record(ev(1))
    error = _refused(log, UnknownEventError, lambda: append(log))
    assert str(error) == "id: no event 'e9' in this log. List the ids with: timeline list LOG"
    assert error.event_id == "e9"


@pytest.mark.parametrize(("append", "verb"), [
    (lambda log: log.revise(ev(1), reason="fix"), "revised"),
    (lambda log: log.retract("e1", reason="again"), "retracted"),
])
def test_retracted_event_cannot_change(log: Log, append: Callable[[Log], Any], verb: str) -> None:
    log.record(ev(1))
    log.retract("e1", reason="wrong")
    error = _refused(log, RetractedEventError, lambda: append(log))
    assert str(error) == (f"id: event 'e1' was retracted; it cannot be {verb}. Record a new "
                          "event instead.")


@pytest.mark.parametrize("reason", ["", "   ", "two\nlines", "tab\there", "x" * 2001, None])
def test_reason_is_required_and_one_line(log: Log, reason: Any) -> None:
    log.record(ev(1))
    error = _refused(log, ValidationError, lambda: log.revise(ev(1), reason=reason))
    shown = f"'{'x' * 67}...' (2001 chars)" if reason == "x" * 2001 else repr(reason)
    assert str(error) == (f"reason: {shown} is not a one-line reason of 1 to 2000 characters. "
                          "Say why, e.g. --reason 'date confirmed by the ministry'.")
    assert log.revise(ev(1), reason="x" * 2000).reason == "x" * 2000


def test_stale_expected_position_is_a_conflict(log: Log) -> None:
    writer_a, writer_b = Log(log.path), Log(log.path)
    assert writer_a.head == writer_b.head == (0, ZEROS)  # both read the log at position 0
    writer_a.record(ev(1), expected_position=0)
    error = _refused(log, ConcurrencyError,
                     lambda: writer_b.record(ev(2), expected_position=0))
    assert (error.expected, error.actual, error.exit_code) == (0, 1, 3)
    assert (error.field, error.value) == ("expected_position", 0)
    assert str(error) == ("expected_position: the log is at position 1, not 0; another writer "
                          "appended first. Read the log again and retry with the new position.")
    # retrying with the new position succeeds
    assert writer_b.record(ev(2), expected_position=1).position == 2


def test_expected_position_ahead_of_the_log_is_a_conflict(log: Log) -> None:
    log.record(ev(1))
    error = _refused(log, ConcurrencyError, lambda: log.retract("e1", reason="r",
                                                                 expected_position=5))
    assert (error.expected, error.actual) == (5, 1)


def test_a_failed_write_is_rolled_back(log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    first = log.record(ev(1))
    before = log.path.read_bytes()
    real_fsync, calls = os.fsync, []

    def fsync_fails_once(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_fails_once)
    with pytest.raises(LogError) as info:  # one sentence, not the OSError's traceback
        log.record(ev(2))
    assert str(info.value) == (
        f"log: {str(log.path)!r} could not be written: Input/output error; nothing was "
        "appended. Free space on its disk or raise the file size limit (ulimit -f), then retry.")
    assert log.path.read_bytes() == before
    assert len(calls) == 2  # the failed fsync, then the one after truncating
    monkeypatch.setattr(os, "fsync", real_fsync)
    second = log.record(ev(2))
    assert (second.position, second.prev) == (2, first.hash)
    assert log.verify().entries == 2


# --- two writers at once -------------------------------------------------------------------

def _race_worker(path: str, n: int, barrier: Any, results: Any) -> None:
    from timeline import ConcurrencyError, Event, Log

    log = Log(path)
    log.head  # read the log (position 0) before the race
    barrier.wait()
    try:
        entry = log.record(Event(id=f"e{n}", date="2013", title=f"Writer {n}"),
                           expected_position=0)
        results.put(("appended", n, entry.position))
    except ConcurrencyError as exc:
        results.put(("conflict", n, exc.expected, exc.actual))


def _check_race(log: Log, results: list[tuple]) -> None:
    assert sorted(r[0] for r in results) == ["appended", "conflict"]
    won = next(r for r in results if r[0] == "appended")
    lost = next(r for r in results if r[0] == "conflict")
    assert won[2] == 1 and lost[2:] == (0, 1)
    entries = list(log.entries())
    assert [(e.position, e.event_id) for e in entries] == [(1, f"e{won[1]}")]
    assert log.verify().entries == 1


def test_two_threads_with_the_same_expected_position(log: Log) -> None:
    barrier, results = threading.Barrier(2), queue.Queue()
    threads = [threading.Thread(target=_race_worker, args=(str(log.path), n, barrier, results))
               for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    _check_race(log, [results.get_nowait() for _ in threads])


def test_two_processes_with_the_same_expected_position(log: Log) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    processes = [ctx.Process(target=_race_worker, args=(str(log.path), n, barrier, results))
                 for n in (1, 2)]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    _check_race(log, outcomes)


# --- history -------------------------------------------------------------------------------

def test_history_lists_every_entry_of_one_event(log: Log) -> None:
    log.record(ev(1))
    log.record(ev(2))
    log.revise(ev(1, date="2011-05"), reason="month found")
    log.retract("e1", reason="duplicate of e2")
    history = log.history("e1")
    assert [(e.position, e.type, e.reason) for e in history] == [
        (1, "recorded", None), (3, "revised", "month found"), (4, "retracted",
                                                              "duplicate of e2")]
    assert history[1].event.date.edtf == "2011-05"


def test_history_of_an_unknown_event(log: Log) -> None:
    log.record(ev(1))
    with pytest.raises(UnknownEventError) as info:
        log.history("nope")
    assert str(info.value) == "id: no event 'nope' in this log. List the ids with: timeline list LOG"


def test_entries_after_a_position(filled: tuple[Log, list[bytes], list[Entry]]) -> None:
    log, _, appended = filled
    assert [e.position for e in log.entries(after=2)] == [3, 4]
    assert list(log.entries(after=4)) == []
    assert list(log.entries(after=0)) == appended


# --- verify --------------------------------------------------------------------------------

def test_verify_a_good_log(log: Log) -> None:
    log.record(ev(1))
    log.record(ev(2))
    log.revise(ev(1, title="Revised"), reason="title")
    last = log.retract("e2", reason="wrong")
    report = log.verify()
    assert (report.entries, report.head_hash, report.events) == (4, last.hash, 1)  # e2 retracted
    assert log.verify(expect_head=last.hash, expect_position=4).entries == 4


def test_verify_accepts_an_earlier_head_of_a_grown_log(
        filled: tuple[Log, list[bytes], list[Entry]]) -> None:
    log, _, entries = filled
    assert log.verify(expect_head=entries[1].hash, expect_position=2).entries == 4


def _write(path: Path, lines: list[bytes]) -> Log:
    path.write_bytes(b"".join(lines))
    return Log(path)


def _change_title_byte(lines: list[bytes]) -> list[bytes]:
    line = lines[1]
    i = line.index(b"Event 2")
    return [lines[0], line[:i] + b"F" + line[i + 1:], *lines[2:]]


def _hand_appended(lines: list[bytes]) -> list[bytes]:
    data = json.loads(lines[3])
    data.update(position=5, prev=data["hash"], hash="f" * 64, event_id="e5",
                event={**data["event"], "id": "e5"})
    return [*lines, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"]


def _change_prev(lines: list[bytes]) -> list[bytes]:
    data = json.loads(lines[2])
    data["prev"] = "a" * 64
    data["hash"] = expected_hash(json.dumps(data).encode())  # a consistent hash, a broken chain
    return [*lines[:2], json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
            + b"\n", lines[3]]


CORRUPTIONS = {
    "changed byte": (_change_title_byte,
                     "log entry at position 2 has a hash that does not match its content.", 2),
    "deleted line": (lambda ls: [ls[0], *ls[2:]],
                     "log entry at position 2 says position 3, expected 2.", 2),
    "swapped lines": (lambda ls: [ls[0], ls[2], ls[1], ls[3]],
                      "log entry at position 2 says position 3, expected 2.", 2),
    "duplicated line": (lambda ls: [ls[0], ls[1], ls[1], *ls[2:]],
                        "log entry at position 3 says position 2, expected 3.", 3),
    "hand-appended line": (_hand_appended,
                           "log entry at position 5 has a hash that does not match its content.",
                           5),
    "broken chain": (_change_prev, "log entry at position 3 does not chain to the entry before "
                     "it (prev hash differs).", 3),
    "space added": (lambda ls: [ls[0], ls[1].replace(b'"format":1', b'"format": 1'), *ls[2:]],
                    "log entry at position 2 is not in canonical form (bytes changed outside the "
                    "hashed values).", 2),
    "CRLF line end": (lambda ls: [ls[0], ls[1].replace(b"\n", b"\r\n"), *ls[2:]],
                      "log entry at position 2 is not in canonical form (bytes changed outside "
                      "the hashed values).", 2),
    "not JSON": (lambda ls: [*ls[:3], b"{not json\n"],
                 "log entry at position 4 is not JSON.", 4),
    "blank line": (lambda ls: [*ls[:2], b"\n", *ls[2:]], "log entry at position 3 is not JSON.",
                   3),
}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_verify_names_the_first_bad_position(
        filled: tuple[Log, list[bytes], list[Entry]], tmp_path: Path, name: str) -> None:
    _, lines, _ = filled
    corrupt, message, position = CORRUPTIONS[name]
    bad = _write(tmp_path / "bad.jsonl", corrupt(lines))
    with pytest.raises(LogCorruptError) as info:
        bad.verify()
    assert type(info.value) is LogCorruptError
    assert str(info.value) == message
    assert (info.value.position, info.value.offset, info.value.exit_code) == (position, None, 4)
    # reading, folding and appending refuse the same log
    with pytest.raises(LogCorruptError):
        bad.chronology()
    before = sha256(bad.path)
    with pytest.raises(LogCorruptError):
        bad.record(ev(9))
    assert sha256(bad.path) == before


def test_not_utf8_names_the_byte(filled: tuple[Log, list[bytes], list[Entry]],
                                 tmp_path: Path) -> None:
    _, lines, _ = filled
    line = lines[1]
    i = line.index(b"Event 2") + len(b"Event ")
    bad = _write(tmp_path / "bad.jsonl", [lines[0], line[:i] + b"\xff" + line[i + 1:]])
    with pytest.raises(LogCorruptError) as info:
        bad.verify()
    assert str(info.value) == f"log entry at position 2 is not valid UTF-8 (byte {i})."


def test_replayed_transitions_are_checked(tmp_path: Path) -> None:
    # hashes and chain are right, but the entries revise an event never recorded
    first = Entry.create(position=1, recorded_at=T0, type="recorded", event_id="e1",
                         event=ev(1), reason=None, prev=ZEROS)
    second = Entry.create(position=2, recorded_at=T0, type="revised", event_id="e2",
                          event=ev(2), reason="r", prev=first.hash)
    bad = _write(tmp_path / "bad.jsonl", [first.to_line(), second.to_line()])
    with pytest.raises(LogCorruptError) as info:
        bad.verify()
    assert str(info.value) == ("log entry at position 2 revised event 'e2', which the entries "
                               "before it do not allow.")
    assert info.value.position == 2


def test_truncation_at_a_line_boundary_needs_the_expected_head(
        filled: tuple[Log, list[bytes], list[Entry]], tmp_path: Path) -> None:
    _, lines, entries = filled
    short = _write(tmp_path / "short.jsonl", lines[:3])
    assert short.verify().entries == 3  # a clean prefix is a valid log on its own
    head = entries[3].hash
    with pytest.raises(LogCorruptError) as info:
        short.verify(expect_head=head)
    assert str(info.value) == (f"log has no entry with the expected head hash {head}; it ends at "
                               "position 3: the log was truncated or replaced.")
    assert info.value.position == 4
    with pytest.raises(LogCorruptError) as info:
        short.verify(expect_position=4)
    assert str(info.value) == ("log ends at position 3, but position 4 was expected: entries "
                               "were removed from the end.")
    assert info.value.position == 4


def test_truncation_to_empty(filled: tuple[Log, list[bytes], list[Entry]],
                             tmp_path: Path) -> None:
    _, _, entries = filled
    empty = _write(tmp_path / "empty.jsonl", [])
    with pytest.raises(LogCorruptError) as info:
        empty.verify(expect_position=1)
    assert str(info.value) == ("log ends at position 0, but position 1 was expected: entries "
                               "were removed from the end.")
    assert info.value.position == 1


def test_log_shrinking_under_an_open_log_object(
        filled: tuple[Log, list[bytes], list[Entry]]) -> None:
    log, lines, _ = filled
    size = len(b"".join(lines))
    log.path.write_bytes(b"".join(lines[:2]))
    with pytest.raises(LogCorruptError) as info:
        log.record(ev(9))
    assert str(info.value) == (f"log shrank from {size} to {len(lines[0] + lines[1])} bytes "
                               "while open.")
    assert info.value.position == 4


# --- a torn final line ---------------------------------------------------------------------

def test_torn_final_line(filled: tuple[Log, list[bytes], list[Entry]], tmp_path: Path) -> None:
    _, lines, entries = filled
    torn_bytes = lines[3][:57]
    torn = _write(tmp_path / "torn.jsonl", [*lines[:3], torn_bytes])
    offset = len(b"".join(lines[:3]))
    message = (f"log ends with an incomplete line of 57 bytes at byte offset {offset} (an "
               "append was interrupted). Run 'timeline verify LOG --repair' to move it to a side "
               "file.")
    with pytest.raises(TornTailError) as info:
        torn.verify()
    assert str(info.value) == message
    assert (info.value.offset, info.value.position, info.value.exit_code) == (offset, None, 4)
    # reading yields the complete entries, then reports the torn tail
    seen: list[Entry] = []
    with pytest.raises(TornTailError):
        for entry in torn.entries():
            seen.append(entry)
    assert seen == entries[:3]
    # appends refuse and leave the file exactly as it was
    before = torn.path.read_bytes()
    for append in (lambda: torn.record(ev(9)), lambda: torn.revise(ev(1), reason="r"),
                   lambda: torn.retract("e1", reason="r")):
        with pytest.raises(TornTailError) as info:
            append()
        assert str(info.value) == message
        assert torn.path.read_bytes() == before


def test_torn_first_line(tmp_path: Path) -> None:
    torn = _write(tmp_path / "torn.jsonl", [b'{"format":1,"posi'])
    with pytest.raises(TornTailError) as info:
        torn.verify()
    assert info.value.offset == 0


# --- format versions -----------------------------------------------------------------------

def test_newer_format_is_refused(filled: tuple[Log, list[bytes], list[Entry]],
                                 tmp_path: Path) -> None:
    _, lines, _ = filled
    data = json.loads(lines[2])
    data["format"] = 2
    data["new_field"] = "from the future"
    newer = _write(tmp_path / "newer.jsonl",
                   [*lines[:2], json.dumps(data, separators=(",", ":")).encode() + b"\n"])
    with pytest.raises(FormatVersionError) as info:
        newer.verify()
    assert str(info.value) == ("log entry at position 3 has format 2, newer than format 1 which "
                               "this version of diplomatic-timeline reads. Upgrade "
                               "diplomatic-timeline.")
    assert (info.value.position, info.value.exit_code) == (3, 4)
    before = newer.path.read_bytes()
    with pytest.raises(FormatVersionError):
        newer.record(ev(9))
    assert newer.path.read_bytes() == before


def test_missing_or_older_format_is_corrupt(filled: tuple[Log, list[bytes], list[Entry]],
                                            tmp_path: Path) -> None:
    _, lines, _ = filled
    data = json.loads(lines[0])
    data["format"] = 0
    bad = _write(tmp_path / "old.jsonl", [json.dumps(data, separators=(",", ":")).encode()
                                          + b"\n"])
    with pytest.raises(LogCorruptError) as info:
        bad.verify()
    assert type(info.value) is LogCorruptError
    assert str(info.value) == "log entry at position 1 has format 0, not 1."


def test_verify_refuses_a_record_time_that_goes_backwards(log: Log, tmp_path: Path) -> None:
    # Build a two-entry log by hand whose second record time is earlier, with valid hashes,
    # so that only the record-time rule can catch it.
    first = log.record(ev(1))
    second = Entry.create(position=2, recorded_at=first.recorded_at - dt.timedelta(seconds=1),
                          type="recorded", event_id="e2", event=ev(2), reason=None,
                          prev=first.hash)
    with open(log.path, "ab") as f:
        f.write(second.to_line())
    with pytest.raises(LogCorruptError) as info:
        Log(log.path).verify()
    assert info.value.position == 2
    assert str(info.value) == ("log entry at position 2 has a record time earlier than the "
                               "entry before it; record times never go backwards.")


@pytest.mark.parametrize("field, value", [("format", "true"), ("position", "true")])
def test_verify_refuses_booleans_for_numbers(log: Log, field: str, value: str) -> None:
    log.record(ev(1))
    body = json.loads(log.path.read_bytes())
    body[field] = True
    del body["hash"]
    body["hash"] = expected_hash(json.dumps({**body, "hash": ""}).encode())
    log.path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n")
    with pytest.raises(LogCorruptError) as info:
        Log(log.path).verify()
    assert info.value.position == 1


def test_a_folder_is_not_a_log(tmp_path: Path) -> None:
    with pytest.raises(LogNotFoundError) as info:
        Log(tmp_path)
    assert str(info.value) == (f"log: {str(tmp_path)!r} is a folder, not a log file. "
                               "Give the path of a .jsonl log file.")
