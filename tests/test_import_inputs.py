"""What an import reads from: a FIFO or process substitution (read once into a temporary
file, since an import reads its input twice), a device that never ends (refused), and an
input too large to hold in memory (the input's fault, not the plugin's)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from timeline import Importer, Log, TimelineError, hookimpl, import_file, make_plugin_manager

TIMELINE = Path(sys.executable).parent / "timeline"
CSV = b"date,title\n2014,Through a FIFO\n2013-02-30,bad\n"


def _plugin(name: str, reader: Any) -> Any:
    """Plugins holding one importer ``name`` reading with ``reader``, from plugin 'third'."""
    @hookimpl
    def timeline_importers() -> list[Importer]:
        return [Importer(name, "x", (), reader)]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(SimpleNamespace(timeline_importers=timeline_importers), "third")
    return plugins


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_fifo_is_read_once_and_imported(log: Log, tmp_path: Path, skip_invalid: bool) -> None:
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)
    data = CSV if skip_invalid else CSV.replace(b"2013-02-30,bad\n", b"")
    writer = threading.Thread(target=lambda: fifo.write_bytes(data))
    writer.start()
    summary = import_file(log, fifo, "csv", skip_invalid=skip_invalid,
                          rejects=tmp_path / "r.tsv")
    writer.join()
    assert (summary.rows, summary.recorded, summary.rejected_rows) == (
        2 if skip_invalid else 1, 1, 1 if skip_invalid else 0)
    assert [e.event.title for e in log.chronology()] == ["Through a FIFO"]


def test_process_substitution_through_the_command(tmp_path: Path) -> None:
    Log.create(tmp_path / "a.jsonl")
    done = subprocess.run(["bash", "-c", f"'{TIMELINE}' import a.jsonl <(printf "
                           "'date,title\\n2014,Piped\\n') --dry-run"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[:3] == ["format: csv", "rows read: 1",
                                            "events would be recorded: 1"]


@pytest.mark.parametrize("how", ["path", "stdin"])
def test_a_device_that_never_ends_is_refused(tmp_path: Path, how: str) -> None:
    Log.create(tmp_path / "a.jsonl")
    before = (tmp_path / "a.jsonl").read_bytes()
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run([str(TIMELINE), "import", "a.jsonl",
                               "/dev/zero" if how == "path" else "-", "-f", "csv"],
                              stdin=zero, cwd=tmp_path, capture_output=True, text=True,
                              timeout=60)
    shown = "'/dev/zero'" if how == "path" else "standard input"
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"Error: file: {shown} is a character device, not a file of events (it may "
        "never end). Give a file of events, or pipe one into standard input.\n")
    assert (tmp_path / "a.jsonl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


def test_memory_running_out_is_the_inputs_fault(log: Log) -> None:
    def greedy(stream: Any, **options: Any) -> Any:
        raise MemoryError
        yield  # a generator, as readers are

    with pytest.raises(TimelineError) as info:
        import_file(log, io.BytesIO(b"x"), "greedy", plugins=_plugin("greedy", greedy))
    assert (type(info.value).__name__, str(info.value)) == (
        "TimelineError", "file: is too large for the greedy reader to hold in memory. Split "
        "the file, or give a file of greedy format; if it is small, report this to the "
        "author of plugin 'third'.")


def test_an_import_with_standard_error_closed_imports(tmp_path: Path) -> None:
    # 2>&- (cron, a daemon): Python's sys.stderr is None; the progress bar's isatty() on it
    # was an AttributeError that ended the import before its first append.
    Log.create(tmp_path / "a.jsonl")
    (tmp_path / "in.csv").write_bytes(b"date,title\n2014,No stderr\n")
    done = subprocess.run(["bash", "-c", f"'{TIMELINE}' import a.jsonl in.csv 2>&-"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.splitlines()[-2]) == (0, "log positions: 1-1")
    assert [e.event.title for e in Log(tmp_path / "a.jsonl").chronology()] == ["No stderr"]


@pytest.mark.parametrize("batch_size", [1, 500])
def test_a_file_that_changes_between_the_two_readings_stops_the_import(
        log: Log, batch_size: int) -> None:
    # Without --skip-invalid the file is checked whole, then read again to append. A row
    # that turns bad in between (the file was rewritten) was counted as rejected and
    # skipped, exit 0: rows dropped without --skip-invalid.
    from timeline import Event, ImportRow, ImportRowError, Rejection

    readings = []

    def changing(stream: Any, **options: Any) -> Any:
        readings.append(1)
        yield ImportRow(1, Event(id="a", date="2014", title="A"), "t:a")
        if len(readings) == 1:
            yield ImportRow(2, Event(id="b", date="2014", title="B"), "t:b")
        else:
            yield ImportRow(2, Rejection("invalid date", "date: 'x' is not EDTF."))
        yield ImportRow(3, Event(id="c", date="2014", title="C"), "t:c")

    with pytest.raises(ImportRowError) as info:
        import_file(log, io.BytesIO(b"x"), "changing", plugins=_plugin("changing", changing),
                    batch_size=batch_size)
    done = ("the rows before it are imported (log positions 1-1), in whole batches."
            if batch_size == 1 else "nothing was imported.")
    assert str(info.value) == (f"line 2: date: 'x' is not EDTF. The file changed while it was "
                               f"imported: {done} Let the file be, then run the same import "
                               "again.")
    assert [e.event_id for e in log.entries()] == (["a"] if batch_size == 1 else [])
