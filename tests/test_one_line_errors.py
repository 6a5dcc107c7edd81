"""Issue 12, item 11: failures that gave a traceback or the wrong reason now give one
``Error:`` line with its exit code, and the log is left byte-identical; a log whose file
name holds control characters exports under a title derived from it."""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import timeline.log
from timeline import Event, Log
from timeline.cli import main
from timeline.plugins import make_plugin_manager
from timeline.stores.base import title_from_name

TIMELINE = Path(sys.executable).parent / "timeline"
EVENTS = Path(__file__).resolve().parent / "data" / "hostile" / "logs" / "base.jsonl"
WRITE_FIX = ("Free space on its disk or raise the file size limit (ulimit -f), then retry.")


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "a.jsonl"
    shutil.copyfile(EVENTS, path)
    return path


def _limited(limit: int):  # noqa: ANN202
    def apply() -> None:  # in the child: the shell's "ulimit -f", SIGXFSZ ignored
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_a_file_size_limit_is_one_error_line(log_path, tmp_path):
    before = log_path.read_bytes()
    done = subprocess.run(
        [str(TIMELINE), "record", str(log_path), "--date", "2014", "--title", "Talks"],
        capture_output=True, timeout=60, preexec_fn=_limited(len(before) + 10),
        env={**os.environ, "TIMELINE_CACHE_DIR": str(tmp_path / "cache")})
    assert (done.returncode, done.stdout) == (1, b"")
    assert done.stderr.decode() == (
        f"Error: log: {str(log_path)!r} could not be written: File too large; nothing was "
        f"appended. {WRITE_FIX}\n")
    assert log_path.read_bytes() == before


def test_a_full_disk_is_one_error_line(log_path, monkeypatch):
    before = log_path.read_bytes()

    def full(fd: int, data: bytes, offset: int) -> None:  # half a line, then the disk is full
        os.pwrite(fd, data[: len(data) // 2], offset)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(timeline.log, "_write_all", full)  # the seam every append writes through
    result = CliRunner().invoke(main, ["record", str(log_path), "--date", "2014", "--title",
                                       "Talks"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: log: {str(log_path)!r} could not be written: No space left on device; "
        f"nothing was appended. {WRITE_FIX}\n")
    assert log_path.read_bytes() == before


def test_the_empty_logs_head_is_accepted(tmp_path):
    path = tmp_path / "new.jsonl"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(path)]).exit_code == 0
    printed = runner.invoke(main, ["verify", str(path)])
    zeros = "0" * 64
    model = "read model: ok: 0 events at position 0\n"
    assert printed.stdout == f"ok: 0 entries, 0 events, head {zeros}\n{model}"
    again = runner.invoke(main, ["verify", str(path), "--expect-head", zeros])
    assert (again.exit_code, again.stdout) == (0, f"ok: 0 entries, 0 events, head {zeros}\n"
                                                  f"{model}")
    both = runner.invoke(main, ["verify", str(path), "--expect-head", zeros,
                                "--expect-position", "0"])
    assert both.exit_code == 0
    Log(path).record(Event(id="a", date="2014", title="A"))  # the log only grew since
    assert runner.invoke(main, ["verify", str(path), "--expect-head", zeros]).exit_code == 0
    moved = runner.invoke(main, ["verify", str(path), "--expect-head", zeros,
                                 "--expect-position", "1"])
    assert (moved.exit_code, moved.stderr) == (4, (
        f"Error: log has the expected head hash at position 0, not at the expected position 1:"
        " the log was rewritten.\n"))


@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "\uff11", "1\u00b2", "\u2460"])
def test_as_of_takes_ascii_digits_only(log_path, value):
    for args in (["list", str(log_path)], ["show", str(log_path), "x"],
                 ["export", str(log_path), "-f", "json"]):
        result = CliRunner().invoke(main, [*args, "--as-of", value])
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == (
            f"Error: --as-of: {value!r} is neither a position nor an ISO 8601 time. Give a "
            "position (12) or a UTC time (2026-11-29T18:00:00Z).\n")


@pytest.mark.parametrize("name, title", [
    ("a\nb", "a b"), ("tab\there", "tab here"), ("\r\n\x1b", "Chronology"),
    ("line\u2028sep", "line sep"), (" ", "Chronology"), ("plain  two", "plain  two"),
    ("bad\udcffbyte", "bad\ufffdbyte"),
])
def test_titles_from_names(name, title):
    assert title_from_name(name) == title


def _formats() -> list[str]:
    return sorted(make_plugin_manager().exporters())


@pytest.mark.parametrize("format_", _formats())
def test_every_exporter_takes_a_log_named_with_a_newline(log_path, format_):
    named = log_path.with_name("Pakistan\nRussia.jsonl")
    os.link(log_path, named)
    result = CliRunner().invoke(main, ["export", str(named), "-f", format_])
    assert (result.exit_code, result.stderr) == (0, "")
    titled = CliRunner().invoke(main, ["export", str(log_path), "-f", format_,
                                       "--title", "Pakistan Russia"])
    assert result.stdout_bytes == titled.stdout_bytes  # the same as that title, given
    assert b"Pakistan Russia" in result.stdout_bytes or format_ == "csv"


def test_list_and_sqlite_take_such_a_name_too(log_path, tmp_path):
    named = log_path.with_name("x\ny.jsonl")
    os.link(log_path, named)
    assert CliRunner().invoke(main, ["list", str(named)]).exit_code == 0
    assert Log(named).chronology().title == "x y"
    sqlite = tmp_path / "x\ty.sqlite"
    Log(log_path).copy_to(sqlite)
    assert Log(sqlite).chronology().title == "x y"
    data = json.loads(CliRunner().invoke(main, ["export", str(sqlite), "-f", "json"]).stdout)
    assert data["title"] == "x y"


@pytest.mark.parametrize("version", ["\u00b2", "\u0663", "1\u00b9", ""])
def test_a_schema_version_of_other_digits_is_not_a_version(tmp_path, version):
    """``str.isdigit`` takes "²" (int() refuses it) and "٣" (int() reads 3): the schema
    version in ``timeline_meta`` is ASCII digits or no version at all."""
    import sqlite3

    def dump() -> list[str]:  # the database's content (a WAL checkpoint moves bytes only)
        db = sqlite3.connect(path)
        try:
            return list(db.iterdump())
        finally:
            db.close()

    path = tmp_path / "a.sqlite"
    Log.create(path).store.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE timeline_meta SET value = ? WHERE key = 'schema_version'", (version,))
    db.close()
    before = dump()
    result = CliRunner().invoke(main, ["list", str(path)])
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (f"Error: log: {str(path)!r} has no valid schema_version in "
                             "timeline_meta. Restore the database from a backup.\n")
    assert dump() == before
