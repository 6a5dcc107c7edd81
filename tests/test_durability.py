"""The durability contract (docs/log-format.md, "Durability"): crashes, torn tails and repair,
fsync order, idempotent retries and all-or-nothing batches."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import crash_harness
from timeline import (Append, ConcurrencyError, DuplicateEventError, Entry, Event,
                      IdempotencyKeyError, Log, LogCorruptError, LogError, RepairReport,
                      TornTailError, UnknownEventError, ValidationError)
from timeline.cli import main

KEYS = ["format", "position", "recorded_at", "type", "event_id", "reason", "event", "prev",
        "hash"]
KEYED = [*KEYS[:5], "idempotency_key", *KEYS[5:]]
POSIX_PROC = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(),
                                reason="reads /proc/self/fd to name fsynced files")


def ev(n: int, **fields: Any) -> Event:
    return Event(**{"id": f"e{n}", "date": f"201{n}", "title": f"Event {n}", **fields})


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


def independent_hash(line: bytes) -> str:
    body = json.loads(line)
    del body["hash"]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def filled(log: Log) -> tuple[Log, bytes, list[Entry]]:
    """A log of three recorded events, its bytes and its entries."""
    entries = [log.record(ev(n)) for n in (1, 2, 3)]
    return log, log.path.read_bytes(), entries


# --- crashes: real processes killed at random -----------------------------------------------

@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks and SIGKILLs writers")
def test_killed_writers_lose_no_acknowledged_entry(tmp_path: Path) -> None:
    summary = crash_harness.run(tmp_path, trials=20, seed=20261129, duration=0.4)
    assert summary.problems == []
    assert (summary.trials, summary.lost, summary.duplicates) == (20, 0, 0)
    assert summary.kills >= 20 * 4  # at least the four final kills of every trial
    assert 0 < summary.acknowledged <= summary.entries
    # the run met the hard cases: kills in the middle of a line, lost acknowledgements
    assert summary.torn_repaired >= 1
    assert summary.retries_answered >= 1


def test_the_harness_check_catches_a_lost_and_a_duplicated_entry(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    log = Log.create(path)
    first = log.record(ev(1), idempotency_key="w0:0")
    acks = tmp_path / "writer-0.acks"
    acks.write_text(f"0\t1\tw0:0\t{first.hash}\tnew\n1\t2\tw0:1\t{'f' * 64}\tnew\n1\t2\tw0")
    result = crash_harness.TrialResult()
    crash_harness.check_log(path, [acks], result)
    assert (result.entries, result.acknowledged, result.lost, result.duplicates) == (1, 2, 1, 0)
    assert result.problems == ["acknowledged entry w0:1 at position 2 is missing or changed"]
    # a second, hash-valid entry with the same key: a duplicate the library must refuse
    copy = Entry.create(position=2, recorded_at=first.recorded_at, type="recorded",
                        event_id="e2", event=ev(2), reason=None, prev=first.hash,
                        idempotency_key="w0:0")
    with open(path, "ab") as f:
        f.write(copy.to_line())
    result = crash_harness.TrialResult()
    crash_harness.check_log(path, [acks], result)
    assert (result.entries, result.lost, result.duplicates) == (2, 1, 1)
    assert result.problems == [
        "verify failed: log entry at position 2 repeats the idempotency key 'w0:0' of position "
        "1; a key names one append.",
        "acknowledged entry w0:1 at position 2 is missing or changed", "1 duplicated entries"]


# --- a torn final line and its repair -------------------------------------------------------

def test_repair_moves_only_the_incomplete_final_line(
        filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, entries = filled
    torn = b'{"format":1,"position":4,"recorded_at":"2026-11-2'
    log.path.write_bytes(good + torn)
    report = log.repair()
    side = log.path.with_name(f"t.jsonl.torn-{len(good)}")
    assert report == RepairReport(offset=len(good), removed=len(torn), side_file=side,
                                  entries=3, unacknowledged_position=None)
    assert str(report) == (f"moved the incomplete final line ({len(torn)} bytes at byte offset "
                           f"{len(good)}) to {side}; the 3 complete entries before it are "
                           "unchanged.")
    assert log.path.read_bytes() == good
    assert side.read_bytes() == torn
    assert list(log.entries()) == entries
    assert log.record(ev(4)).position == 4  # appends work again
    assert Log(log.path).verify().entries == 4


def test_a_whole_entry_without_its_newline_was_never_acknowledged(
        filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, entries = filled
    unacked = Entry.create(position=4, recorded_at=entries[2].recorded_at, type="recorded",
                           event_id="e4", event=ev(4), reason=None, prev=entries[2].hash)
    line = unacked.to_line()[:-1]  # the crash came before the newline reached the file
    log.path.write_bytes(good + line)
    with pytest.raises(TornTailError) as info:
        Log(log.path).verify()
    assert (info.value.offset, info.value.exit_code) == (len(good), 4)
    report = Log(log.path).repair()
    assert report.unacknowledged_position == 4
    assert str(report) == (
        f"moved the incomplete final line ({len(line)} bytes at byte offset {len(good)}) to "
        f"{report.side_file}; the 3 complete entries before it are unchanged. Those bytes "
        "hold a whole entry for position 4 without its final newline, so its append was never "
        "acknowledged: append it again if it is wanted.")
    assert log.path.read_bytes() == good
    assert report.side_file.read_bytes() == line


def test_repair_refuses_a_log_with_a_bad_complete_entry(
        filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, _ = filled
    bad = good.replace(b"Event 2", b"Event X") + b'{"form'
    log.path.write_bytes(bad)
    with pytest.raises(LogCorruptError) as info:
        log.repair()
    assert str(info.value) == "log entry at position 2 has a hash that does not match its content."
    assert log.path.read_bytes() == bad
    assert list(log.path.parent.glob("*.torn-*")) == []


def test_repair_with_nothing_to_repair(filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, _ = filled
    report = log.repair()
    assert report == RepairReport(None, 0, None, 3)
    assert str(report) == "nothing to repair: the log has no incomplete final line (3 complete " \
                          "entries)."
    assert log.path.read_bytes() == good
    assert list(log.path.parent.glob("*.torn-*")) == []


def test_repair_never_overwrites_an_earlier_side_file(
        filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, _ = filled
    first = log.path.with_name(f"t.jsonl.torn-{len(good)}")
    first.write_bytes(b"bytes of an earlier crash")
    log.path.write_bytes(good + b'{"format":1')
    report = log.repair()
    assert report.side_file == log.path.with_name(f"t.jsonl.torn-{len(good)}-2")
    assert first.read_bytes() == b"bytes of an earlier crash"
    assert report.side_file.read_bytes() == b'{"format":1'
    # a repair that crashed after saving the bytes, run again: the same file is reused
    log.path.write_bytes(good + b'{"format":1')
    assert log.repair().side_file == report.side_file
    assert sorted(p.name for p in log.path.parent.glob("*.torn-*")) == [
        first.name, report.side_file.name]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, int]]:
    """Record ``("write"|"fsync", file name, bytes written | file size)`` for each call."""
    calls: list[tuple[str, str, int]] = []
    real_write, real_fsync = os.write, os.fsync

    def name(fd: int) -> str:
        return os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))

    def write(fd: int, data: Any) -> int:
        calls.append(("write", name(fd), len(data)))
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        calls.append(("fsync", name(fd), os.fstat(fd).st_size))
        real_fsync(fd)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)
    return calls


@POSIX_PROC
def test_create_fsyncs_the_file_then_its_folder(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch)
    Log.create(tmp_path / "new.jsonl")
    assert [(c[0], c[1]) for c in calls] == [("fsync", "new.jsonl"), ("fsync", tmp_path.name)]


@POSIX_PROC
def test_an_append_is_written_whole_and_fsynced_before_it_returns(
        log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    log.record(ev(1))
    size = log.path.stat().st_size
    calls = _spy(monkeypatch)
    entry = log.record(ev(2))
    line = len(entry.to_line())
    assert calls == [("write", "t.jsonl", line), ("fsync", "t.jsonl", size + line)]


@POSIX_PROC
def test_repair_makes_the_side_file_durable_before_truncating(
        filled: tuple[Log, bytes, list[Entry]], monkeypatch: pytest.MonkeyPatch) -> None:
    log, good, _ = filled
    log.path.write_bytes(good + b'{"format":1,"posi')
    calls = _spy(monkeypatch)
    log.repair()
    side = f"t.jsonl.torn-{len(good)}"
    assert [c if c[1] != log.path.parent.name else c[:2] for c in calls] == [
        ("write", side, 17), ("fsync", side, 17), ("fsync", log.path.parent.name),
        ("fsync", "t.jsonl", len(good))]


def test_a_failed_batch_write_is_rolled_back(log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    log.record(ev(1))
    before = log.path.read_bytes()
    real_fsync, calls = os.fsync, []

    def fails_once(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fails_once)
    batch = [Append.record(ev(2)), Append.record(ev(3))]
    with pytest.raises(LogError) as info:  # one sentence naming the log and the reason
        log.append_batch(batch)
    assert str(info.value) == (
        f"log: {str(log.path)!r} could not be written: No space left on device; nothing was "
        "appended. Free space on its disk or raise the file size limit (ulimit -f), then retry.")
    assert log.path.read_bytes() == before
    assert [e.position for e in log.append_batch(batch)] == [2, 3]
    assert Log(log.path).verify().entries == 3


# --- the torn tail through the CLI ----------------------------------------------------------

def test_cli_reports_refuses_and_repairs_a_torn_tail(
        filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, entries = filled
    torn = b'{"format":1,"position":4,"recor'
    log.path.write_bytes(good + torn)
    message = (f"Error: log ends with an incomplete line of {len(torn)} bytes at byte offset "
               f"{len(good)} (an append was interrupted). Run 'timeline verify LOG --repair' to "
               "move it to a side file.\n")
    for args in (["verify", log.path], ["list", log.path],
                 ["record", log.path, "--date", "2014", "--title", "New"],
                 ["retract", log.path, "e1", "--reason", "r"]):
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (4, "", message)
        assert log.path.read_bytes() == good + torn
    result = run("verify", log.path, "--repair")
    side = f"{log.path}.torn-{len(good)}"
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"repair: moved the incomplete final line ({len(torn)} bytes at byte offset {len(good)})"
        f" to {side}; the 3 complete entries before it are unchanged.\n"
        f"ok: 3 entries, 3 events, head {entries[2].hash}\n"
        "read model: ok: 3 events at position 3\n")
    assert Path(side).read_bytes() == torn and log.path.read_bytes() == good
    again = run("verify", log.path, "--repair", "--expect-position", 3)
    assert (again.exit_code, again.stdout) == (0, (
        "repair: nothing to repair: the log has no incomplete final line (3 complete entries).\n"
        f"ok: 3 entries, 3 events, head {entries[2].hash}\nread model: ok: 3 events at position 3\n"))


def test_cli_repair_refuses_a_tampered_log(filled: tuple[Log, bytes, list[Entry]]) -> None:
    log, good, _ = filled
    bad = good.replace(b'"Event 3"', b'"Event 9"') + b"{"
    log.path.write_bytes(bad)
    result = run("verify", log.path, "--repair")
    assert (result.exit_code, result.stdout, result.stderr) == (
        4, "", "Error: log entry at position 3 has a hash that does not match its content.\n")
    assert log.path.read_bytes() == bad
    assert list(log.path.parent.glob("*.torn-*")) == []


# --- idempotent appends ---------------------------------------------------------------------

def test_a_retry_with_the_same_key_returns_the_original_and_writes_nothing(log: Log) -> None:
    appended = [log.record(ev(1), idempotency_key="icews:1"),
                log.revise(ev(1, title="Revised"), reason="title", idempotency_key="icews:2"),
                log.retract("e1", reason="wrong", idempotency_key="icews:3")]
    before = sha256(log.path)
    retry = Log(log.path)  # a new process would start from nothing
    assert retry.record(ev(1), idempotency_key="icews:1") == appended[0]
    assert retry.revise(ev(1, title="Revised"), reason="title",
                        idempotency_key="icews:2") == appended[1]
    assert retry.retract("e1", reason="wrong", idempotency_key="icews:3") == appended[2]
    assert log.record(ev(1), idempotency_key="icews:1") == appended[0]  # the writing object
    assert sha256(log.path) == before


def test_the_key_is_stored_after_the_event_id_and_hashed(log: Log) -> None:
    plain = log.record(ev(1))
    keyed = log.record(ev(2), idempotency_key="gdelt:455/2018-06-01")
    lines = log.path.read_bytes().splitlines(keepends=True)
    assert list(json.loads(lines[0])) == KEYS  # no key: no field, the bytes as before
    assert list(json.loads(lines[1])) == KEYED
    assert json.loads(lines[1])["idempotency_key"] == "gdelt:455/2018-06-01"
    assert (plain.idempotency_key, keyed.idempotency_key) == (None, "gdelt:455/2018-06-01")
    assert keyed.hash == independent_hash(lines[1])
    assert list(Log(log.path).entries()) == [plain, keyed]
    log.path.write_bytes(lines[0] + lines[1].replace(b"gdelt:455", b"gdelt:456"))
    with pytest.raises(LogCorruptError) as info:
        Log(log.path).verify()
    assert str(info.value) == "log entry at position 2 has a hash that does not match its content."


def test_a_retry_ignores_a_stale_expected_position(log: Log) -> None:
    first = log.record(ev(1), expected_position=0, idempotency_key="k1")
    log.record(ev(2))
    assert log.record(ev(1), expected_position=0, idempotency_key="k1") == first
    with pytest.raises(ConcurrencyError):  # a new key still has to match the position
        log.record(ev(3), expected_position=0, idempotency_key="k3")


@pytest.mark.parametrize(("append", "original"), [
    (lambda log: log.record(ev(1, title="Other title"), idempotency_key="k"), "recorded"),
    (lambda log: log.record(ev(2), idempotency_key="k"), "recorded"),
    (lambda log: log.retract("e1", reason="r", idempotency_key="k"), "recorded"),
])
def test_a_key_reused_for_other_content_is_refused(
        log: Log, append: Callable[[Log], Any], original: str) -> None:
    log.record(ev(1), idempotency_key="k")
    before = sha256(log.path)
    with pytest.raises(IdempotencyKeyError) as info:
        append(log)
    assert str(info.value) == (f"idempotency_key: 'k' was used at position 1 for a different "
                               f"entry ({original} event 'e1'). Retry with exactly the same "
                               "entry, or give a new key for a new entry.")
    assert (info.value.key, info.value.position, info.value.field, info.value.exit_code) == (
        "k", 1, "idempotency_key", 1)
    assert sha256(log.path) == before


@pytest.mark.parametrize(("key", "shown"), [
    ("", "''"), (" k", "' k'"), ("k ", "'k '"), ("a\nb", "'a\\nb'"), ("a\x00b", "'a\\x00b'"),
    ("x" * 201, f"'{'x' * 67}...' (201 chars)"), (7, "7"),
])
def test_key_rules(log: Log, key: Any, shown: str) -> None:
    with pytest.raises(ValidationError) as info:
        log.record(ev(1), idempotency_key=key)
    assert str(info.value) == (f"idempotency_key: {shown} is not a key of 1 to 200 characters "
                               "on one line, without control characters or surrounding "
                               "spaces. For example icews:20180601-123, or a UUID.")
    assert log.path.read_bytes() == b""
    assert log.record(ev(1), idempotency_key="x" * 200).idempotency_key == "x" * 200


def test_entry_for_key(log: Log) -> None:
    entry = log.record(ev(1), idempotency_key="row-1")
    other = Log(log.path)
    assert other.entry_for_key("row-1") == entry
    assert other.entry_for_key("row-2") is None
    later = log.record(ev(2), idempotency_key="row-2")
    assert other.entry_for_key("row-2") == later  # reads what was appended since


def test_cli_retry_with_a_key_prints_the_original(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    Log.create(path)
    args = ["record", path, "--date", "2013-08", "--title", "Air chief visits",
            "--idempotency-key", "req-1"]
    first, second = run(*args), run(*args)
    # without --id the id is derived again; the retry must not become ...-2
    assert first.stdout == second.stdout == "2013-08-air-chief-visits\t1\n"
    assert second.exit_code == 0
    other = run("record", path, "--date", "2013-09", "--title", "Air chief visits",
                "--idempotency-key", "req-1")
    assert (other.exit_code, other.stderr) == (1, (
        "Error: idempotency_key: 'req-1' was used at position 1 for a different entry "
        "(recorded event '2013-08-air-chief-visits'). Retry with exactly the same entry, or give "
        "a new key for a new entry.\n"))
    retract = ["retract", path, "2013-08-air-chief-visits", "--reason", "duplicate",
               "--idempotency-key", "req-2"]
    assert run(*retract).stdout == run(*retract).stdout == "2013-08-air-chief-visits\t2\n"
    assert len(path.read_bytes().splitlines()) == 2


# --- batches ----------------------------------------------------------------------------------

@POSIX_PROC
def test_a_batch_is_one_write_and_one_fsync(log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _spy(monkeypatch)
    entries = log.append_batch([Append.record(ev(1)), Append.record(ev(2), idempotency_key="b"),
                                Append.revise(ev(1, date="2011-05"), reason="month found")])
    size = log.path.stat().st_size
    assert calls == [("write", "t.jsonl", size), ("fsync", "t.jsonl", size)]
    assert [(e.position, e.type, e.idempotency_key) for e in entries] == [
        (1, "recorded", None), (2, "recorded", "b"), (3, "revised", None)]
    assert len({e.recorded_at for e in entries}) == 1  # one moment
    assert [e.prev for e in entries[1:]] == [e.hash for e in entries[:2]]
    assert list(Log(log.path).entries()) == entries


@pytest.mark.parametrize(("items", "error", "index", "message"), [
    ([Append.record(ev(2)), Append.record(ev(3)), Append.revise(ev(9), reason="r")],
     UnknownEventError, 2, "id: no event 'e9' in this log. List the ids with: timeline list LOG"),
    ([Append.record(ev(2)), Append.record(ev(2, title="Again"))], DuplicateEventError, 1,
     "id: event 'e2' is already recorded. Give another --id, or use 'timeline revise' to "
     "correct it."),
    ([Append.record(ev(2), idempotency_key="k"), Append.record(ev(3), idempotency_key="k")],
     IdempotencyKeyError, 1, "idempotency_key: 'k' was used at position 2 for a different entry "
     "(recorded event 'e2'). Retry with exactly the same entry, or give a new key for a new "
     "entry."),
    ([Append.retract("e1", reason="r"), "e2"], ValidationError, 1,
     "item: 'e2' is not an Append. Build items with Append.record, Append.revise or "
     "Append.retract."),
])
def test_a_batch_is_all_or_nothing(log: Log, items: list[Any], error: type, index: int,
                                   message: str) -> None:
    log.record(ev(1))
    before = log.path.read_bytes()
    with pytest.raises(error) as info:
        log.append_batch(items)
    assert type(info.value) is error
    assert (str(info.value), info.value.batch_index) == (message, index)
    assert log.path.read_bytes() == before
    assert log.head[0] == 1


def test_a_retried_batch_writes_nothing(log: Log) -> None:
    batch = [Append.record(ev(n), idempotency_key=f"row-{n}") for n in (1, 2, 3)]
    first = log.append_batch(batch)
    before = sha256(log.path)
    assert Log(log.path).append_batch(batch, expected_position=0) == first
    assert sha256(log.path) == before


def test_a_batch_cut_short_by_a_crash_is_completed_by_its_retry(tmp_path: Path) -> None:
    batch = [Append.record(ev(n), idempotency_key=f"row-{n}") for n in (1, 2, 3)]
    elsewhere = Log.create(tmp_path / "a.jsonl")
    written = elsewhere.append_batch(batch)
    # the crash left the first two lines whole (and part of the third, repaired away)
    crashed = tmp_path / "b.jsonl"
    crashed.write_bytes(b"".join(e.to_line() for e in written[:2]))
    retried = Log(crashed).append_batch(batch)
    assert retried[:2] == written[:2]
    assert (retried[2].position, retried[2].event_id, retried[2].prev) == (
        3, "e3", written[1].hash)
    assert Log(crashed).verify().entries == 3


def test_one_key_twice_in_a_batch_is_one_entry(log: Log) -> None:
    same = Append.record(ev(1), idempotency_key="k")
    entries = log.append_batch([same, Append.record(ev(2)), same])
    assert entries[0] is entries[2]
    assert [e.event_id for e in log.entries()] == ["e1", "e2"]


def test_a_batch_checks_the_expected_position_once(log: Log) -> None:
    log.record(ev(1))
    with pytest.raises(ConcurrencyError) as info:
        log.append_batch([Append.record(ev(2)), Append.record(ev(3))], expected_position=0)
    assert (info.value.expected, info.value.actual, info.value.batch_index) == (0, 1, None)
    assert [e.position for e in log.append_batch([Append.record(ev(2))],
                                                 expected_position=1)] == [2]
    assert log.append_batch([], expected_position=0) == []


@pytest.mark.parametrize(("build", "message"), [
    (lambda: Append.revise(ev(1), reason=""), "reason: '' is not a one-line reason of 1 to 2000 "
     "characters. Say why, e.g. --reason 'date confirmed by the ministry'."),
    (lambda: Append("recorded", "e1", ev(1), reason="why"), "reason: 'why' is given for a new "
     "event. Give a reason only when revising or retracting."),
    (lambda: Append("recorded", "e2", ev(1)), "event_id: 'e2' differs from the event's id "
     "'e1'. Build the item with Append.record or Append.revise, which take the id from the "
     "event."),
    (lambda: Append("revised", "e1", None, reason="r"), "event: None is not an Event. Give an "
     "Event record."),
    (lambda: Append("retracted", "e1", ev(1), reason="r"), "event: 'e1' is given for a "
     "retraction. Give only the event id: Append.retract(id, reason=...)."),
    (lambda: Append("deleted", "e1"), "type: 'deleted' is not an entry type. Use one of: "
     "recorded, revised, retracted."),
])
def test_append_items_are_checked_when_built(build: Callable[[], Append], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert str(info.value) == message


@pytest.mark.parametrize("position", [-1, True, 1.0, "3"])
def test_an_expected_position_must_be_a_position(log: Log, position: Any) -> None:
    with pytest.raises(ValidationError) as info:
        log.record(ev(1), expected_position=position)
    assert str(info.value) == (f"expected_position: {position!r} is not a log position (a whole "
                               "number, 0 or more). Give the position of the last entry you "
                               "read; 0 for an empty log.")
    assert log.path.read_bytes() == b""


def test_a_log_removed_under_an_open_log_object(log: Log) -> None:
    log.path.unlink()
    with pytest.raises(LogError) as info:
        log.record(ev(1))
    assert str(info.value) == (f"log: {str(log.path)!r} cannot be opened for writing: No such "
                               "file or directory. Check that the log exists and is writable.")
    assert not log.path.exists()  # an append never creates a log
