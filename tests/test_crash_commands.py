"""``timeline copy`` and ``timeline import`` SIGKILLed at random moments, on every store
(``tests/crash_harness.py``, "one command killed and run again").

- copy, for every pair of stores (file, SQLite, PostgreSQL; 3 x 3): after the kill the
  destination is as it was (absent, or the empty log ``init`` made) or complete, verifying
  with the source's head hash; nothing else appeared beside it; the copy run again succeeds.
- import of a CSV in small batches, on every store: every acknowledged entry survives, a
  batch is in whole or not at all, the log verifies, and running the import again finishes
  it with no row twice.
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import pytest

import crash_harness
import pg
from timeline import Append, Event, Log

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the harness forks and kills")
KINDS = ["jsonl", "sqlite", "postgres"]
ENTRIES = 3000
_names = itertools.count()


def new_place(kind: str, folder: Path) -> str:
    """A location of ``kind`` where no log is yet."""
    if kind == "postgres":
        return pg.new_postgres_log_url("crash")
    return str(folder / f"log-{next(_names)}.{kind}")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A log of ENTRIES entries (records, revisions, retractions, keys) in every store
    (PostgreSQL only if a server can be had)."""
    folder = tmp_path_factory.mktemp("sources")
    first = Log.create(folder / "source.jsonl")
    for start in range(0, ENTRIES, 500):
        items = [Append.record(Event(id=f"e{n}", date=f"{1990 + n % 30}-{1 + n % 12:02d}",
                                     title=f"Event {n}"), idempotency_key=f"k{n}")
                 for n in range(start, start + 480)]
        items += [Append.revise(Event(id=f"e{n}", date="2001", title=f"Event {n}, revised"),
                                reason="date found") for n in range(start, start + 10)]
        items += [Append.retract(f"e{n}", reason="a duplicate")
                  for n in range(start + 10, start + 20)]
        first.append_batch(items)
    found = {"jsonl": first.location}
    found["sqlite"] = first.copy_to(folder / "source.sqlite").location
    try:
        url = pg.new_postgres_log_url("source")
    except pytest.skip.Exception:
        return found
    first.copy_to(url)
    found["postgres"] = url
    return found


def _source(sources: dict[str, str], kind: str) -> str:
    if kind not in sources:
        pg.new_postgres_log_url()  # skips (or fails in CI) saying how to get a server
    return sources[kind]


@pytest.mark.parametrize("source_kind", KINDS)
@pytest.mark.parametrize("destination_kind", KINDS)
def test_a_killed_copy_leaves_nothing_or_a_complete_log(
        sources: dict[str, str], source_kind: str, destination_kind: str,
        tmp_path: Path) -> None:
    source = _source(sources, source_kind)

    def destination(empty: bool) -> str:
        place = new_place(destination_kind, tmp_path)
        if empty:
            Log.create(place).store.close()
        return place

    seed = random.Random(f"{source_kind}-{destination_kind}").randrange(1 << 30)
    trials = crash_harness.copy_trials(source, destination, tmp_path, seed, kills=6)
    assert trials.problems == []
    assert trials.kills == 6 and trials.mid_way >= 2
    assert trials.retries == 6 - trials.outcomes["complete"]
    assert set(trials.outcomes) <= {"absent", "empty", "complete"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_killed_import_keeps_whole_batches_and_its_rerun_finishes_it(
        kind: str, tmp_path: Path) -> None:
    rows = 2000
    data = tmp_path / "rows.csv"
    crash_harness.import_rows(data, rows)
    location, probe = new_place(kind, tmp_path), new_place(kind, tmp_path)
    for place in (location, probe):
        Log.create(place).store.close()
    trials = crash_harness.import_trials(location, probe, data, rows, tmp_path, 20261204,
                                         kills=8, batch_size=20)
    assert trials.problems == []
    assert trials.kills == 8 and trials.mid_way >= 3 and trials.in_batch >= 3
    assert 0 < trials.acknowledged < rows and trials.retries == 1
    if kind != "jsonl":
        assert (trials.torn_repaired, trials.cut_batches) == (0, 0)


def test_the_copy_check_catches_a_partial_copy(sources: dict[str, str], tmp_path: Path) -> None:
    source = Log(sources["jsonl"])
    want = source.verify()
    partial = tmp_path / "partial.jsonl"
    partial.write_bytes(b"".join(e.to_line() for e in source.entries(after=0)
                                 if e.position <= 100))
    assert crash_harness._copy_state(str(partial), want.entries, want.head_hash) == (
        "a partial log of 100 entries")
    assert crash_harness._copy_state(str(tmp_path / "none.jsonl"), want.entries,
                                     want.head_hash) == "absent"


def test_the_import_check_catches_a_lost_entry(tmp_path: Path) -> None:
    log = Log.create(tmp_path / "t.jsonl")
    entry = log.record(Event(id="a", date="2013", title="A"), idempotency_key="csv:a")
    result = crash_harness.CommandTrials()
    keys = crash_harness._import_check(log.location, {"csv:a": (1, entry.hash),
                                                      "csv:b": (2, "f" * 64)}, result, "now")
    assert keys == {"csv:a"}
    assert result.problems == ["now: 1 acknowledged entries missing or changed"]
