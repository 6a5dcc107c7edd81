"""An import killed mid-way (a real process, SIGKILL) and run again: nothing lost, nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from timeline import Log, TornTailError, import_file

DATA = Path(__file__).parent / "data" / "import"
ICEWS = DATA / "icews-2018-slice.tab"
ROWS = 405

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def test_killed_import_resumes_without_duplicates(tmp_path: Path) -> None:
    log = Log.create(tmp_path / "t.jsonl")
    child = subprocess.Popen(
        [sys.executable, "-c", "from timeline.cli import main; main()", "import",
         str(log.path), str(ICEWS), "--batch-size", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while log.path.read_bytes().count(b"\n") < 20:  # ten batches acknowledged
            assert child.poll() is None, child.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline
            time.sleep(0.001)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    try:
        done = log.verify().entries
    except TornTailError:  # killed inside a write: the documented repair, then go on
        done = log.repair().entries
    assert 20 <= done < ROWS  # killed mid-way

    summary = import_file(Log(log.path), ICEWS)
    assert (summary.rows, summary.recorded, summary.duplicates) == (ROWS, ROWS - done, done)
    final = Log(log.path)
    assert final.verify().entries == ROWS
    entries = list(final.entries())
    lines = ICEWS.read_text("utf-8").splitlines()[1:]
    expected = [f"icews:{r.split(chr(9))[0]}:{r.split(chr(9))[1]}" for r in lines]
    assert [e.idempotency_key for e in entries] == expected  # each row once, in file order
    assert [e.position for e in entries] == list(range(1, ROWS + 1))
