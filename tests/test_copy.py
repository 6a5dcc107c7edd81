"""``timeline copy`` / ``Log.copy_to``: all or nothing for every store, under a kill too
(``timeline/stores/staged.py`` for files, one transaction for databases); a destination that
is the source, however spelled, refused before anything is written. The random kills are in
``tests/test_crash_commands.py``; here each case is placed exactly."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import crash_harness
import pg
from timeline import Append, Event, Log, LogExistsError
from timeline.cli import main
from timeline.errors import _shorten  # how a message shows a long value
from timeline.stores.staged import temporaries

KINDS = ["jsonl", "sqlite", "postgres"]


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


@pytest.fixture
def source(tmp_path: Path) -> Log:
    """A log of 20 entries (in batches of four, keys included) in ``tmp_path/src/``."""
    (tmp_path / "src").mkdir()
    log = Log.create(tmp_path / "src" / "a.jsonl")
    for start in range(0, 20, 4):
        log.append_batch([Append.record(Event(id=f"e{n}", date="2013", title=f"E {n}"),
                                        idempotency_key=f"k{n}")
                          for n in range(start, start + 4)])
    return log


def place(kind: str, folder: Path, name: str = "b") -> str:
    if kind == "postgres":
        return pg.new_postgres_log_url(name)
    return str(folder / f"{name}.{kind}")


def _die_after_writes(count: int) -> Callable[[int], None]:
    """In a child: copy 2 entries a write and SIGKILL itself after ``count`` writes."""
    def install(fd: int) -> None:
        import timeline.log

        real, done = timeline.log.fill_store, []
        timeline.log._COPY_CHUNK = 2

        def fill(location):  # noqa: ANN001, ANN202
            context = real(location)
            filler = context.__enter__()
            write = filler.write

            def dying(entries: list) -> None:  # type: ignore[type-arg]
                write(entries)
                done.append(1)
                if len(done) == count:
                    os.kill(os.getpid(), signal.SIGKILL)
            filler.write = dying
            return _Entered(context, filler)
        timeline.log.fill_store = fill
    return install


class _Entered:
    def __init__(self, context, value) -> None:  # noqa: ANN001
        self.context, self.value = context, value

    def __enter__(self):  # noqa: ANN204
        return self.value

    def __exit__(self, *exc):  # noqa: ANN002, ANN204
        return self.context.__exit__(*exc)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks and kills a copy")
@pytest.mark.parametrize("empty", [False, True], ids=["new", "init"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_copy_killed_half_way_leaves_the_destination_as_it_was_and_the_retry_works(
        source: Log, tmp_path: Path, kind: str, empty: bool) -> None:
    dst = place(kind, tmp_path)
    if empty:
        run("init", dst)
    head = source.head[1]
    code, _ = crash_harness._run_cli(["copy", source.location, dst], tmp_path,
                                     _die_after_writes(5), None)
    assert code is None  # killed, with 10 of 20 entries written
    if kind != "postgres":
        hidden = [p.name for p in temporaries(Path(dst))]
        assert len(hidden) == (0 if empty and kind == "sqlite" else 1)
        # beside it only the hidden temporary, the harness's files and SQLite's own files
        # of the empty log (its write-ahead log, whose uncommitted frames never count)
        assert sorted(p for p in os.listdir(tmp_path) if not p.startswith(("child", "."))
                      and not p.endswith(("-wal", "-shm"))) == (
            ["b." + kind, "src"] if empty else ["src"])
    left = run("verify", dst)
    if empty:  # every log also reports its read model (docs/read-model.md)
        assert left.stdout == (f"ok: 0 entries, 0 events, head {'0' * 64}\n"
                               "read model: ok: 0 events at position 0\n")
    elif kind == "postgres":
        assert "holds no timeline log" in left.stderr
    else:
        assert left.stderr == (f"Error: log: {dst!r} does not exist. Create it with: timeline "
                               f"init {dst}\n")
    again = run("copy", source.location, dst)
    shown = Log(dst).location
    assert (again.exit_code, again.stdout, again.stderr) == (
        0, f"copied 20 entries to {shown}; ok: 20 events, head {head}\n", "")
    if kind != "postgres":
        assert temporaries(Path(dst)) == []  # the retry swept the killed copy's temporary
        assert not any(p.startswith(".") for p in os.listdir(tmp_path))


def test_a_file_that_appears_meanwhile_is_never_replaced(
        source: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dst = tmp_path / "b.jsonl"
    real = Log.entries

    def entries(self, **kwargs):  # noqa: ANN001, ANN003, ANN202
        for entry in real(self, **kwargs):
            if entry.position == 10:
                dst.write_bytes(b"someone else's file\n")
            yield entry
    monkeypatch.setattr(Log, "entries", entries)
    result = run("copy", source.location, dst)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {str(dst)!r} appeared while the copy ran; it is left as it is. Copy "
           "into another path.\n")
    assert dst.read_bytes() == b"someone else's file\n"
    assert sorted(os.listdir(tmp_path)) == ["b.jsonl", "src"]


def test_an_empty_log_that_gets_an_entry_meanwhile_is_left_alone(
        source: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dst = Log.create(tmp_path / "b.jsonl")
    real = Log.entries

    def entries(self, **kwargs):  # noqa: ANN001, ANN003, ANN202
        for entry in real(self, **kwargs):
            if entry.position == 10:
                dst.record(Event(id="x", date="2014", title="Meanwhile"))
            yield entry
    monkeypatch.setattr(Log, "entries", entries)
    with pytest.raises(LogExistsError) as info:
        source.copy_to(dst.path)
    assert str(info.value) == (f"log: {str(dst.path)!r} received entries while the copy ran; "
                               "it is left as it is. Copy into a new or empty log.")
    assert [e.event_id for e in Log(dst.path).entries()] == ["x"]
    assert sorted(os.listdir(tmp_path)) == ["b.jsonl", "src"]


def test_an_empty_log_behind_a_link_is_filled_and_keeps_its_mode(source: Log,
                                                                   tmp_path: Path) -> None:
    real = Log.create(tmp_path / "real.jsonl").path
    real.chmod(0o600)
    link = tmp_path / "link.jsonl"
    link.symlink_to("real.jsonl")
    assert run("copy", source.location, link).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == "real.jsonl"
    assert real.read_bytes() == source.path.read_bytes()
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_a_writer_waiting_on_the_replaced_empty_log_appends_to_the_copy(
        source: Log, tmp_path: Path) -> None:
    dst = Log.create(tmp_path / "b.jsonl")
    holder = os.open(dst.path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # the writer below waits for this lock
    writer = Log(dst.path)
    got: list = []  # type: ignore[type-arg]
    thread = threading.Thread(target=lambda: got.append(
        writer.record(Event(id="late", date="2014", title="Late"))))
    thread.start()
    time.sleep(0.2)  # it has opened the empty file and waits for its lock
    staged = tmp_path / "staged.jsonl"
    staged.write_bytes(source.path.read_bytes())
    os.rename(staged, dst.path)  # what a copy into the empty log does, under that lock
    fcntl.flock(holder, fcntl.LOCK_UN)
    os.close(holder)
    thread.join(10)
    assert got[0].position == 21
    assert Log(dst.path).verify().entries == 21


def test_leftover_temporaries_are_swept_but_not_live_ones_or_strangers(
        source: Log, tmp_path: Path) -> None:
    stale = tmp_path / ".b.sqlite.copy-0123456789abcdef.tmp"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{stale}{suffix}").write_bytes(b"a killed copy")
    live = tmp_path / ".b.sqlite.copy-fedcba9876543210.tmp"
    live.write_bytes(b"a copy that runs")
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    (tmp_path / ".b.sqlite.copy-00000000000000ff.tmp").symlink_to("src/a.jsonl")
    os.mkfifo(tmp_path / ".b.sqlite.copy-0000000000000fff.tmp")
    (tmp_path / ".b.sqlite.copy-short.tmp").write_bytes(b"not a temporary name")
    try:
        assert run("copy", source.location, tmp_path / "b.sqlite").exit_code == 0
    finally:
        os.close(fd)
    in_use = ("b.sqlite-wal", "b.sqlite-shm")  # the copy this process still has open
    assert sorted(p for p in os.listdir(tmp_path) if p not in in_use) == [
        ".b.sqlite.copy-00000000000000ff.tmp", ".b.sqlite.copy-0000000000000fff.tmp",
        ".b.sqlite.copy-fedcba9876543210.tmp", ".b.sqlite.copy-short.tmp", "b.sqlite", "src"]
    assert (tmp_path / "src" / "a.jsonl").read_bytes() == source.path.read_bytes()


@pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
def test_without_hard_links_a_rename_that_never_replaces(
        source: Log, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(os, "link", no_links)
    dst = tmp_path / f"b.{kind}"
    copy = source.copy_to(dst)
    assert copy.verify().head_hash == source.head[1]
    copy.store.close()
    assert sorted(os.listdir(tmp_path)) == [dst.name, "src"]
    with pytest.raises(LogExistsError):  # the rename would replace: it does not
        from timeline.stores.staged import _link_new

        other = tmp_path / "other"
        other.write_bytes(b"x")
        _link_new(other, dst, dst)
    assert Log(dst).verify().entries == 20


def test_a_new_sqlite_copy_is_one_file(source: Log, tmp_path: Path) -> None:
    copy = source.copy_to(tmp_path / "b.sqlite")
    copy.store.close()
    assert sorted(os.listdir(tmp_path)) == ["b.sqlite", "src"]
    assert Log(tmp_path / "b.sqlite").verify().head_hash == source.head[1]


@pytest.mark.parametrize("spelling", [
    lambda url: url, lambda url: url.replace("postgresql://", "postgres://"),
    lambda url: url.replace("127.0.0.1", "localhost"),
    lambda url: url.replace("search_path%3D", "search_path%3Dnot_there_at_all%2C"),
], ids=["same", "scheme", "host", "search-path"])
def test_a_postgres_destination_that_is_the_source_is_refused(
        spelling: Callable[[str], str], tmp_path: Path) -> None:
    url = pg.new_postgres_log_url("self")
    log = Log.create(url)
    log.record(Event(id="a", date="2013", title="A"))
    before = [e.to_line() for e in log.entries()]
    other = spelling(url)
    result = run("copy", url, other)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error: destination: {_shorten(Log(other).location)} is the log "
                             "being copied. Copy to another file or database.\n")
    assert [e.to_line() for e in Log(url).entries()] == before
    elsewhere = pg.new_postgres_log_url("other")  # another schema of the same database
    assert run("copy", url, elsewhere).exit_code == 0


@pytest.mark.parametrize("spelling", ["sub/../a.jsonl", "./a.jsonl", "{abs}", "sqlite:///{abs}",
                                      "sub/../sub/../a.jsonl"])
def test_a_file_destination_that_is_the_source_is_refused_however_spelled(
        source: Log, monkeypatch: pytest.MonkeyPatch, spelling: str) -> None:
    folder = source.path.parent
    (folder / "sub").mkdir()
    monkeypatch.chdir(folder)
    before = sorted(os.listdir(folder)), source.path.read_bytes()
    dst = spelling.format(abs=source.path)
    result = run("copy", "a.jsonl", dst)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: destination: {_shorten(dst)} is the log being copied. Copy to another "
               "file or database.\n")
    assert (sorted(os.listdir(folder)), source.path.read_bytes()) == before


def test_a_kill_between_link_and_unlink_leaves_a_second_name_the_next_copy_removes(
        source: Log, tmp_path: Path) -> None:
    dst = tmp_path / "b.jsonl"
    source.copy_to(dst)
    second = tmp_path / ".b.jsonl.copy-00112233445566aa.tmp"
    os.link(dst, second)  # what a kill right after link(2) leaves
    result = run("copy", source.location, dst)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {str(dst)!r} already holds 20 entries. Copy into a new or empty log.\n")
    assert sorted(os.listdir(tmp_path)) == ["b.jsonl", "src"]
    assert dst.read_bytes() == source.path.read_bytes()
