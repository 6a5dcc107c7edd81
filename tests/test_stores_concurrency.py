"""The database stores under concurrent writers and killed writers.

- 8 writer processes, each on its own connection, append to one PostgreSQL log (and one
  SQLite log) while a reader reads: one global order, each writer's appends in its own order,
  no interleaving, and a reader never sees a gap (insert order is commit order).
- The fault-injection harness of the durability issue (``tests/crash_harness.py``) run against
  SQLite and PostgreSQL: writers SIGKILLed at random moments, restarted, retrying with their
  idempotency keys; afterwards every acknowledged entry is there exactly once. The checks read
  a JSON Lines copy of the log (``Log.copy_to``), so they are the very checks the file store
  passes; and the read model, written in the appends' transactions, reflects the log's head
  and equals a fresh fold.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

import crash_harness
import pg
from test_concurrency import _append_many
from test_stores import CTX, check_one_global_order
from timeline import Log


@pytest.fixture(params=["sqlite", "postgres"])
def db_location(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    if request.param == "postgres":
        return pg.new_postgres_log_url
    return lambda name: str(tmp_path / f"{name}.sqlite")


def while_writers_append(location: str, writers: int, count: int,
                         read: Callable[[], None]) -> None:
    """Start ``writers`` processes appending ``count`` records each to ``location``; call
    ``read`` until they are all done (at least once); check they all ended well."""
    barrier = CTX.Barrier(writers)
    processes = [CTX.Process(target=_append_many, args=(location, w, count, barrier))
                 for w in range(writers)]
    for p in processes:
        p.start()
    read()
    while any(p.is_alive() for p in processes):
        read()
    for p in processes:
        p.join(timeout=120)
        assert p.exitcode == 0


def test_eight_writers_and_a_reader(db_location: Callable[[str], str]) -> None:
    log = Log.create(db_location("eight"))
    writers, count = 8, 24
    seen = []
    reader = Log(log.location)

    def read() -> None:
        positions = [e.position for e in reader.entries()]
        assert positions == list(range(1, len(positions) + 1))  # no gap, ever
        seen.append(len(positions))

    while_writers_append(log.location, writers, count, read)
    assert seen == sorted(seen)  # a reader never sees the log go back
    check_one_global_order(log, writers, count)


# --- killed writers ------------------------------------------------------------------------

def trial(location: str, workdir: Path, seed: int, *, duration: float,
          writers: int = 4) -> crash_harness.TrialResult:
    """One trial of the harness against a database log (see ``crash_harness.run_trial``)."""
    acks, result = crash_harness.run_writers(location, workdir, seed, duration=duration,
                                             writers=writers, torn=False)
    copy = workdir / "copy.jsonl"
    Log(location).copy_to(copy)  # verifies every entry on the way
    crash_harness.check_log(copy, acks, result)
    crash_harness.check_read_model(location, result)  # it never disagrees with the log
    return result


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks and SIGKILLs writers")
def test_killed_writers_lose_no_acknowledged_entry(db_location: Callable[[str], str],
                                                   tmp_path: Path) -> None:
    summary = crash_harness.RunSummary()
    rng = random.Random(20261130)
    for n in range(6):
        folder = tmp_path / f"trial-{n}"
        folder.mkdir()
        location = Log.create(db_location(f"crash{n}")).location
        summary.add(n, trial(location, folder, rng.randrange(1 << 30), duration=0.5))
    assert summary.problems == []
    assert summary.kills >= 6 * 5 and summary.acknowledged > 0
    assert (summary.lost, summary.duplicates, summary.torn_repaired) == (0, 0, 0)


def test_a_reader_of_the_read_model_sees_one_state_of_the_log(
        db_location: Callable[[str], str]) -> None:
    """While writers append, every answer of the read model is the fold of the log as of the
    position it reports: one snapshot, never the log and the read model of two moments."""
    from timeline import fold
    from timeline.chronology import EventFilter

    log = Log.create(db_location("snap"))
    writers, count = 4, 15
    reader = Log(log.location)

    def read() -> None:
        answer = reader.store.read_model.chronology(None, EventFilter(), "T")
        assert answer is not None  # current whenever read: written with every append
        assert answer == fold(reader.entries(), as_of=answer.position, title="T")

    while_writers_append(log.location, writers, count, read)
    assert reader.store.read_model.chronology(None, EventFilter(), "T") == fold(
        reader.entries(), title="T")
    assert len(fold(reader.entries())) == writers * count
