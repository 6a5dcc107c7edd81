"""Concurrent writers and readers: one winner per expected position (library and CLI, exit
code 3), one global order with no interleaved or merged lines, readers that only ever see
whole entries (docs/log-format.md, "Durability and concurrency")."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from timeline import Append, ConcurrencyError, Event, Log

TIMELINE = Path(sys.executable).parent / "timeline"
KEYS = ["format", "position", "recorded_at", "type", "event_id", "reason", "event", "prev",
        "hash"]
CONFLICT = ("Error: expected_position: the log is at position 1, not 0; another writer "
            "appended first. Read the log again and retry with the new position.\n")
# fork starts a writer in milliseconds; spawn (Windows, macOS default) still works, slower
CTX = multiprocessing.get_context(
    "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def event(writer: int, n: int) -> Event:
    return Event(id=f"p{writer}-{n}", date="2013-08", title=f"Writer {writer}, append {n}")


def _same_position(path: str, writer: int, barrier: Any, results: Any) -> None:
    """One of several processes appending at expected position 0; the test that starts
    them runs in tests/test_stores.py, once per store (this file's log included)."""
    log = Log(path)
    assert log.head[0] == 0  # every writer has read the log at position 0
    barrier.wait()
    try:
        entry = log.record(event(writer, 0), expected_position=0)
        results.put(("appended", writer, entry.position))
    except ConcurrencyError as exc:
        results.put(("conflict", writer, exc.expected, exc.actual, exc.exit_code))


def test_two_cli_processes_expecting_one_position(log: Log) -> None:
    commands = [[str(TIMELINE), "record", str(log.path), "--id", f"p{w}-0", "--date", "2013",
                 "--title", f"Writer {w}", "--expected-position", "0"] for w in (1, 2)]
    running = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for c in commands]
    done = sorted((p.wait(timeout=60), *p.communicate()) for p in running)
    assert done[1] == (3, "", CONFLICT)
    winner = done[0][1].split("\t")[0]
    assert done[0] == (0, f"{winner}\t1\n", "")
    assert [(e.position, e.event_id) for e in log.entries()] == [(1, winner)]


def _append_many(path: str, writer: int, count: int, barrier: Any) -> None:
    log = Log(path)
    barrier.wait()
    n = 0
    while n < count:
        if n % 3 == 2 and n + 1 < count:  # every third append is a batch of two
            log.append_batch([Append.record(event(writer, n)), Append.record(event(writer, n + 1))])
            n += 2
        else:
            log.record(event(writer, n))
            n += 1


def _check_one_global_order(path: Path, writers: int, count: int) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    records = [json.loads(line) for line in lines]  # a merged or cut line would not parse
    assert all(list(r) == KEYS for r in records)
    assert [r["position"] for r in records] == list(range(1, writers * count + 1))
    for w in range(writers):  # each writer's appends, in its own order, all there
        mine = [r["event_id"] for r in records if r["event_id"].startswith(f"p{w}-")]
        assert mine == [f"p{w}-{n}" for n in range(count)]
    assert Log(path).verify().entries == writers * count


def test_many_processes_appending_get_one_global_order(log: Log) -> None:
    writers, count = 4, 30
    barrier = CTX.Barrier(writers)
    processes = [CTX.Process(target=_append_many, args=(str(log.path), w, count, barrier))
                 for w in range(writers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
        assert p.exitcode == 0
    _check_one_global_order(log.path, writers, count)


def test_many_cli_processes_appending(log: Log) -> None:
    running = [subprocess.Popen([str(TIMELINE), "record", str(log.path), "--id", f"p{w}-0",
                                 "--date", "2013-08", "--title", f"Writer {w}, append 0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w in range(5)]
    printed = {}
    for w, p in enumerate(running):
        out, err = p.communicate(timeout=60)
        assert (p.returncode, err) == (0, "")
        event_id, position = out.rstrip("\n").split("\t")
        printed[int(position)] = event_id
        assert event_id == f"p{w}-0"
    assert sorted(printed) == [1, 2, 3, 4, 5]
    assert {e.position: e.event_id for e in log.entries()} == printed
    _check_one_global_order(log.path, 5, 1)


def test_threads_sharing_one_log_object_and_threads_with_their_own(log: Log) -> None:
    shared, count, errors = Log(log.path), 12, []

    def append(writer: int, target: Log) -> None:
        try:
            for n in range(count):
                target.record(event(writer, n))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w, shared if w < 4 else Log(log.path)))
               for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    _check_one_global_order(log.path, 8, count)


def _writer_until(path: str, writer: int, count: int) -> None:
    log = Log(path)
    for n in range(count):
        log.record(event(writer, n))


def test_a_reader_sees_only_whole_entries_while_writers_append(log: Log) -> None:
    writers, count = 2, 60
    processes = [CTX.Process(target=_writer_until, args=(str(log.path), w, count))
                 for w in range(writers)]
    for p in processes:
        p.start()
    seen = []
    while any(p.is_alive() for p in processes):
        entries = list(Log(log.path).entries())  # raises on a torn or bad line
        assert [e.position for e in entries] == list(range(1, len(entries) + 1))
        seen.append(len(entries))
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert seen == sorted(seen)  # a reader never sees the log go back
    assert len(list(log.entries())) == writers * count
