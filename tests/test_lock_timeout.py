"""Lock waits (issue 12, item 8): every store gives up after the lock timeout with one error
(exit 5), the file store says it is waiting when stderr is a terminal, and the log is left
byte-identical. Timeouts here are fractions of a second; nothing asserts a speed beyond
"it gave up instead of hanging"."""

from __future__ import annotations

import fcntl
import os
import pty
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import pg
from timeline import Event, LockTimeoutError, Log, ValidationError
from timeline.cli import main
from timeline.stores import locks

pytestmark = pytest.mark.skipif(os.name != "posix", reason="flock and ptys are POSIX")

TIMELINE = Path(sys.executable).parent / "timeline"
FIX = ("Try again when that process is done, or wait longer with 'timeline --lock-timeout "
       "SECONDS' or TIMELINE_LOCK_TIMEOUT.")
RECORD = ["record", "--date", "2014", "--title", "Talks"]


def _message(location: str, waited: str) -> str:
    return f"log: {location!r} is locked by another process; gave up {waited}. {FIX}"


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "a.jsonl"
    Log.create(path).record(Event(id="first", date="2013", title="First"))
    return path


class Held:
    """A lock on ``path`` held by another open of the file, as another process would."""

    def __init__(self, path: Path, shared: bool) -> None:
        self.file = open(path, "rb")  # noqa: SIM115 - closed by release
        fcntl.flock(self.file.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)

    def release(self) -> None:
        self.file.close()


@pytest.fixture(params=["shared", "exclusive"])
def held(request, log_path):  # noqa: ANN001, ANN201
    holder = Held(log_path, request.param == "shared")
    yield request.param
    holder.release()


def _run(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(TIMELINE), *args], capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})}, **kwargs)


# --- the file store -----------------------------------------------------------------------

def test_an_append_gives_up_after_the_timeout(log_path, held):
    before = log_path.read_bytes()
    start = time.monotonic()
    with pytest.raises(LockTimeoutError) as info:
        Log(log_path, lock_timeout=0.2).record(Event(id="second", date="2014", title="Second"))
    assert 0.2 <= time.monotonic() - start < 10
    assert str(info.value) == _message(str(log_path), "after waiting 0.2 s for it")
    assert (info.value.exit_code, info.value.timeout, info.value.location) == (
        5, 0.2, str(log_path))
    assert log_path.read_bytes() == before


def test_a_reader_gives_up_on_an_exclusive_lock(log_path):
    holder = Held(log_path, shared=False)
    try:
        for read in (lambda log: log.head, lambda log: log.chronology(), lambda log: list(
                log.entries()), lambda log: log.entry_for_key("k")):
            with pytest.raises(LockTimeoutError) as info:
                read(Log(log_path, lock_timeout=0))
            assert str(info.value) == _message(str(log_path), "at once (lock timeout 0)")
    finally:
        holder.release()
    assert Log(log_path, lock_timeout=0).head[0] == 1  # free again


def test_readers_share_their_lock(log_path):
    holder = Held(log_path, shared=True)
    try:
        assert [s.event.id for s in Log(log_path, lock_timeout=0).chronology()] == ["first"]
    finally:
        holder.release()


def test_a_wait_ends_when_the_lock_is_released(log_path):
    holder = Held(log_path, shared=False)
    threading.Timer(0.3, holder.release).start()
    entry = Log(log_path, lock_timeout=30).record(Event(id="second", date="2014", title="Two"))
    assert entry.position == 2


def test_the_cli_gives_one_error_line_and_exit_5(log_path, held):
    before = log_path.read_bytes()
    done = _run("--lock-timeout", "0.3", *RECORD[:1], str(log_path), *RECORD[1:])
    assert (done.returncode, done.stdout) == (5, b"")
    assert done.stderr.decode() == (
        f"Error: {_message(str(log_path), 'after waiting 0.3 s for it')}\n")  # no "waiting"
    assert log_path.read_bytes() == before


def test_the_environment_sets_the_timeout_and_the_option_wins(log_path):
    holder = Held(log_path, shared=False)
    try:
        by_env = _run("list", str(log_path), env={"TIMELINE_LOCK_TIMEOUT": "0"})
        assert (by_env.returncode, by_env.stderr.decode()) == (
            5, f"Error: {_message(str(log_path), 'at once (lock timeout 0)')}\n")
        both = _run("--lock-timeout", "0.1", "list", str(log_path),
                    env={"TIMELINE_LOCK_TIMEOUT": "30"})
        assert (both.returncode, both.stderr.decode()) == (
            5, f"Error: {_message(str(log_path), 'after waiting 0.1 s for it')}\n")
    finally:
        holder.release()


def _on_a_terminal(*args: str) -> tuple[int, bytes, str]:
    """Run ``timeline ARGS`` with stderr on a pty (stdout a pipe): exit code, stdout, and
    what the terminal showed."""
    master, slave = pty.openpty()
    try:
        done = subprocess.run([str(TIMELINE), *args], stdout=subprocess.PIPE, stderr=slave,
                              timeout=60)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the other end is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    return done.returncode, done.stdout, seen.decode().replace("\r\n", "\n")


def _waited(location: str, seconds: str) -> str:
    return (f"waiting for the lock on {location!r} (held by another process)...\n"
            f"Error: {_message(location, f'after waiting {seconds} s for it')}\n")


def test_a_terminal_is_told_that_the_command_waits(log_path, held):
    before = log_path.read_bytes()
    assert _on_a_terminal("--lock-timeout", "0.3", "record", str(log_path), *RECORD[1:]) == (
        5, b"", _waited(str(log_path), "0.3"))
    assert log_path.read_bytes() == before


def test_a_terminal_is_told_nothing_when_the_timeout_is_0(log_path, held):
    assert _on_a_terminal("--lock-timeout", "0", "record", str(log_path), *RECORD[1:]) == (
        5, b"", f"Error: {_message(str(log_path), 'at once (lock timeout 0)')}\n")


def test_a_terminal_is_told_that_a_sqlite_writer_waits(tmp_path):
    path = tmp_path / "a.sqlite"
    Log.create(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert _on_a_terminal("--lock-timeout", "0.3", "record", str(path), *RECORD[1:]) == (
            5, b"", _waited(str(path), "0.3"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert Log(path).head[0] == 0


def test_no_waiting_line_when_the_lock_is_free(log_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    Log(log_path, lock_timeout=0).record(Event(id="second", date="2014", title="Two"))
    assert capsys.readouterr().err == ""


def test_the_option_lasts_one_command(log_path):
    result = CliRunner().invoke(main, ["--lock-timeout", "0.5", "list", str(log_path)])
    assert result.exit_code == 0
    assert Log(log_path).lock_timeout == 60.0


@pytest.mark.parametrize("value, problem", [
    ("-1", "is not a number of seconds"), ("", "is not a number of seconds"),
    ("1e3", "is not a number of seconds"), ("\u00b2", "is not a number of seconds"),
    ("nan", "is not a number of seconds"), ("inf", "is not a number of seconds"),
    ("2147484", "is more than 2147483 seconds"),
])
def test_bad_timeouts_are_refused(log_path, value, problem):
    result = CliRunner().invoke(main, ["--lock-timeout", value, "list", str(log_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --lock-timeout: {value!r} {problem}. Give a number of seconds from 0 to "
        "2147483, such as 60 or 0.5 (0: fail at once if the log is locked).\n")


@pytest.mark.parametrize("value", [-1, True, float("nan"), "3", 3e6])
def test_the_library_checks_its_argument(log_path, value):
    with pytest.raises(ValidationError) as info:
        Log(log_path, lock_timeout=value)
    assert info.value.field == "lock_timeout"


def test_defaults(monkeypatch, log_path):
    monkeypatch.delenv(locks.ENV_LOCK_TIMEOUT, raising=False)
    assert Log(log_path).lock_timeout == locks.DEFAULT_LOCK_TIMEOUT == 60.0
    monkeypatch.setenv(locks.ENV_LOCK_TIMEOUT, "")  # empty: not given
    assert Log(log_path).lock_timeout == 60.0
    monkeypatch.setenv(locks.ENV_LOCK_TIMEOUT, "2.5")
    assert Log(log_path).lock_timeout == 2.5
    assert Log(log_path, lock_timeout=0).lock_timeout == 0.0


def test_a_forked_child_takes_its_own_lock(log_path):
    """The kept-open file is reopened after a fork, so a child's lock is its own: the
    parent holding its lock makes the child wait and give up."""
    log = Log(log_path, lock_timeout=0)
    log.record(Event(id="second", date="2014", title="Two"))  # the file is kept open now
    with log.store.writing():  # the parent holds the exclusive lock
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                log.record(Event(id="third", date="2015", title="Three"))
            except LockTimeoutError:
                os._exit(5)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 5


# --- the database stores: the same default, wording and exit code -----------------------

def test_sqlite_gives_up_the_same_way(tmp_path):
    path = tmp_path / "a.sqlite"
    Log.create(path).record(Event(id="first", date="2013", title="First"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        assert Log(path).lock_timeout == 60.0
        with pytest.raises(LockTimeoutError) as info:
            Log(path, lock_timeout=0.2).record(Event(id="second", date="2014", title="Two"))
        assert str(info.value) == _message(str(path), "after waiting 0.2 s for it")
        done = _run("--lock-timeout", "0", "record", str(path), *RECORD[1:])
        assert (done.returncode, done.stderr.decode()) == (
            5, f"Error: {_message(str(path), 'at once (lock timeout 0)')}\n")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [s.event.id for s in Log(path).chronology()] == ["first"]


def test_a_terminal_is_told_that_a_postgres_writer_waits():
    url = pg.new_postgres_log_url("locks")
    Log.create(url)
    holder = Log(url)
    with holder.store.writing():
        code, out, seen = _on_a_terminal("--lock-timeout", "0.5", "record", url, *RECORD[1:])
    assert (code, out, seen) == (5, b"", _waited(holder.location, "0.5"))
    assert Log(url).head[0] == 0


@pytest.mark.parametrize("seconds, waited", [(0.2, "after waiting 0.2 s for it"),
                                             (0, "at once (lock timeout 0)")])
def test_postgres_gives_up_the_same_way(seconds, waited):
    url = pg.new_postgres_log_url("locks")
    Log.create(url).record(Event(id="first", date="2013", title="First"))
    holder = Log(url)
    with holder.store.writing():  # LOCK TABLE ... IN EXCLUSIVE MODE, held to the commit
        log = Log(url, lock_timeout=seconds)
        with pytest.raises(LockTimeoutError) as info:
            log.record(Event(id="second", date="2014", title="Two"))
        assert str(info.value) == _message(log.location, waited)
        assert info.value.exit_code == 5
    assert [s.event.id for s in Log(url).chronology()] == ["first"]
