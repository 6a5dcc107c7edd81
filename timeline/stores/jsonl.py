"""The JSON Lines file store: one entry a line, the default (``docs/log-format.md``).

Durability contract (full text in ``docs/log-format.md``, "Durability"):

- An append is acknowledged when the :meth:`JsonlStore.writing` block that
  wrote it ends: every byte of the new lines, final newline included, has been
  written and ``fsync`` (``F_FULLFSYNC`` on macOS) has completed on the file.
- Appends hold an exclusive lock on the log file itself (``flock`` on POSIX,
  ``portalocker`` elsewhere: :func:`.files.lock`) from reading the head to the
  ``fsync``, so concurrent writers, in threads or processes, get one global order.
- Readers take a shared lock only long enough to read the file's size, then
  read up to that size: every byte there is a complete, fsynced append.
- A write that fails part-way is truncated back under the lock, so a failed
  append leaves the file as it was. Only a crash can leave an incomplete final
  line; reads report it, appends refuse, and :meth:`JsonlStore.repair` moves it
  to a side file.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import stat
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..entries import GENESIS_HASH, Entry
from ..errors import LogCorruptError, LogError, LogExistsError, TimelineError, TornTailError
from .base import Chain, Filler, RepairReport, Store, Writer, check_empty, title_from_name
from .checked import BLOCK, CheckedPrefix, record_path
from .files import check_exists, create_exclusive, lock, unlock
from .files import fsync_dir as _fsync_dir
from .files import sync as _sync
from .locks import lock_timeout as _lock_timeout
from .staged import SIDE_FILES, existing, staged

__all__ = ["JsonlStore"]

_READ_CHUNK = BLOCK  # reads from the start go block by block: see checked.py


class _Replay(Chain):
    """A :class:`Chain` that also knows where each entry starts in the file (8 bytes an
    entry), so that an original entry can be read back, and where the checked prefix ends."""

    __slots__ = ("offset", "starts")

    def __init__(self) -> None:
        super().__init__()
        self.offset = 0  # end of the last complete, checked line
        self.starts = array("Q")  # starts[p - 1]: byte offset of position p

    def apply(self, line: bytes, offset: int, checked: bool = False) -> Entry:
        """Check ``line`` (found at ``offset``) as the next entry and take it in
        (``checked``: it lies in a checked prefix, see :meth:`Chain.take`)."""
        entry = self.take(line, checked)
        self.starts.append(offset)
        self.offset = offset + len(line) + 1
        return entry

    def wrote(self, entry: Entry, start: int, end: int) -> None:
        self.advance(entry)
        self.starts.append(start)
        self.offset = end


class JsonlStore(Store):
    """A log in a JSON Lines file. ``JsonlStore(path)`` opens an existing one
    (:class:`~timeline.errors.LogNotFoundError` if there is none);
    :meth:`create` makes a new, empty one.

    A store object caches what it has read and, on the next append, reads
    only the bytes appended since, so an append costs the same at position 10
    and at position 10 million. One object may be shared by threads.
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 lock_timeout: float | None = None) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.title = title_from_name(self.path.stem)
        self.lock_timeout = _lock_timeout(lock_timeout)  # seconds: see locks.py
        check_exists(self.path, ".jsonl")
        self._state = _Replay()  # the checked prefix [0, _state.offset)
        self._mutex = threading.RLock()  # the cache is per object; the file lock is per open
        self._file = None  # open for writing between appends, see _writable
        self._file_pid = 0

    @classmethod
    def create(cls, path: str | os.PathLike[str], *,
               lock_timeout: float | None = None) -> JsonlStore:
        """Create an empty log file (exclusively), fsync it and its directory."""
        target = Path(path)
        fd = create_exclusive(target)
        try:
            _sync(fd)
        finally:
            os.close(fd)
        _fsync_dir(target.parent)
        return cls(target, lock_timeout=lock_timeout)

    # -- reading ---------------------------------------------------------------------------

    def entries(self, *, after: int = 0, upto: int | None = None,
                until: _dt.datetime | None = None) -> Iterator[Entry]:
        """Stream and check the file from its start (the rules need the whole prefix);
        yield entries after ``after``. Ends with TornTailError after the last complete
        entry if the snapshot ends with an incomplete line."""
        size = self._snapshot_size()
        with open(self.path, "rb") as f:
            for entry in self._from_start(f, size, _Replay()):
                if entry.position > after:
                    yield entry

    def checked_entries(self) -> Iterator[Entry]:
        """:meth:`entries` with every entry checked in full, checked prefix or not
        (what :meth:`timeline.Log.verify` reads)."""
        size = self._snapshot_size()
        with open(self.path, "rb") as f:
            yield from self._from_start(f, size, _Replay(), trust=False)

    def head(self) -> tuple[int, str]:
        with self._mutex, open(self.path, "rb") as f:
            self._lock(f, shared=True)
            try:
                self._catch_up(f)
            finally:
                unlock(f.fileno())
            return self._state.position, self._state.head

    def entry_for_key(self, key: str) -> Entry | None:
        with self._mutex, open(self.path, "rb") as f:
            self._lock(f, shared=True)
            try:
                self._catch_up(f)
                position = self._state.keys.get(key)
                return None if position is None else self._read_entry(f, position)
            finally:
                unlock(f.fileno())

    # -- appending -------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        with self._mutex:
            f = self._writable()
            self._lock(f)
            while not _names(self.path, f):  # replaced while we waited (a copy's rename)
                unlock(f.fileno())
                f = self._writable()
                self._lock(f)
            try:
                self._catch_up(f)
                writer = _JsonlWriter(self, f)
                try:
                    yield writer
                except BaseException:
                    writer.undo()
                    raise
            finally:
                unlock(f.fileno())

    @property
    def read_model(self) -> Any:
        """The read model kept in the cache folder (``timeline/stores/file_readmodel.py``),
        or ``None`` when ``TIMELINE_CACHE_DIR`` is empty (the cache is off)."""
        from .file_readmodel import FileReadModel

        database = record_path(self.path, "readmodel", ".sqlite")
        return None if database is None else FileReadModel(self, database)

    def files(self) -> dict[Path, str]:
        """The log file (which is also its lock), its checked-prefix record, its read model
        (and that database's SQLite side files) and its ``LOG.torn-OFFSET`` side files."""
        found = {self.path: "the log"}
        record = record_path(self.path)
        if record is not None:
            found[record] = "the checked-prefix record of the log"
        database = record_path(self.path, "readmodel", ".sqlite")
        if database is not None:
            found[database] = "the read model of the log"
            found.update({database.with_name(database.name + suffix): "the read model of the log"
                          for suffix in SIDE_FILES})
        try:
            names = os.listdir(self.path.parent if str(self.path.parent) else ".")
        except OSError:
            names = []
        found.update({self.path.with_name(name): "a torn-tail side file of the log"
                      for name in names if name.startswith(f"{self.path.name}.torn-")})
        return found
    @classmethod
    @contextmanager
    def filling(cls, location: str | os.PathLike[str]) -> Iterator[Filler]:
        """Fill a new log file, or replace the empty one at ``location``, whole (see
        :mod:`timeline.stores.staged`): the entries go to a temporary file, written
        and fsynced once at the end, that takes the log's name only then."""
        target = Path(location)
        there = existing(target, ".jsonl")
        if there:
            try:
                count = cls(target).head()[0]  # read and checked
            except (LogCorruptError, TornTailError) as exc:
                raise LogExistsError(
                    f"log: {str(target)!r} is not an empty log ({exc.message.rstrip('.')}); "
                    "it is left as it is.", field="log", value=str(target),
                    fix="Copy into a new or empty log.") from None
            check_empty(str(target), count)
        with staged(target, replace_empty=there) as (_temp, fd):
            yield _FileFiller(fd)

    def close(self) -> None:
        """Close the file kept open between appends (the store reopens it if used again)."""
        with self._mutex:
            if self._file is not None:
                self._file.close()
                self._file = None

    # -- repair ----------------------------------------------------------------------------

    def repair(self) -> RepairReport:
        """Move an incomplete final line (a crash during an append) to a side file.

        Under the exclusive lock: verifies every complete entry first (and
        refuses, changing nothing, with :class:`~timeline.errors.LogCorruptError`
        if any is bad: only a torn tail is repaired, never a complete entry);
        then writes the bytes after the last newline to ``LOG.torn-OFFSET``
        (``-2``, ``-3``... if that name holds other bytes), fsyncs it and the
        directory, and only then truncates the log to ``OFFSET`` and fsyncs it.
        A crash at any point leaves either the torn log or the repaired one,
        and the bytes always exist in one of the two. A final line without its
        newline is removed even if it is a whole entry: the append that wrote
        it never returned.
        """
        with self._mutex, self._open_for_writing() as f:
            self._lock(f)
            try:
                size = os.fstat(f.fileno()).st_size
                replay = _Replay()
                try:
                    for offset, line in _lines(f, size):
                        replay.apply(line, offset)
                except TornTailError as torn:
                    tail_at = torn.offset
                else:
                    self._state = replay
                    return RepairReport(None, 0, None, replay.position)
                tail = _read_exact(f, tail_at, size - tail_at)
                try:
                    Entry.from_line(tail, position=replay.position + 1, prev=replay.head)
                    whole = replay.position + 1
                except TimelineError:
                    whole = None
                side = _save_side_file(self.path, tail_at, tail)
                try:
                    f.truncate(tail_at)
                    _sync(f.fileno())
                except OSError as exc:
                    raise LogError(f"log: {str(self.path)!r} cannot be truncated: "
                                   f"{exc.strerror}; the torn bytes are saved in {side}.",
                                   field="log", value=str(self.path),
                                   fix="Check that the log is writable.") from None
                self._state = replay
                return RepairReport(tail_at, len(tail), side, replay.position, whole)
            finally:
                unlock(f.fileno())

    # -- internals -------------------------------------------------------------------------

    def _lock(self, f, *, shared: bool = False) -> None:  # noqa: ANN001
        lock(f.fileno(), shared=shared, timeout=self.lock_timeout, location=self.location)

    def _open_for_writing(self):  # noqa: ANN202
        try:
            return open(self.path, "r+b", buffering=0)  # unbuffered: one os.write per append
        except OSError as exc:  # read-only file, removed since opened: say so, no traceback
            raise LogError(f"log: {str(self.path)!r} cannot be opened for writing: "
                           f"{exc.strerror}.", field="log", value=str(self.path),
                           fix="Check that the log exists and is writable.") from None

    def _writable(self):  # noqa: ANN202
        """The log open for writing, kept between appends: one ``open`` and ``close`` less
        per append. Reopened in a forked child (``flock`` locks belong to the open file,
        which a fork shares) and when the path now names another file (replaced or
        restored: what was read of the old one no longer applies)."""
        f = self._file
        if f is not None:
            same = _names(self.path, f)
            if same and self._file_pid == os.getpid():
                return f
            f.close()
            self._file = None
            if not same:
                self._state = _Replay()
        f = self._open_for_writing()
        self._file, self._file_pid = f, os.getpid()
        return f

    def _snapshot_size(self) -> int:
        with open(self.path, "rb") as f:
            self._lock(f, shared=True)
            try:
                return os.fstat(f.fileno()).st_size
            finally:
                unlock(f.fileno())

    def _catch_up(self, f) -> None:  # noqa: ANN001
        """Read and check what was appended since the last call (caller holds a lock)."""
        state = self._state
        size = os.fstat(f.fileno()).st_size
        if size < state.offset:
            raise LogCorruptError(f"log shrank from {state.offset} to {size} bytes while open.",
                                  position=state.position)
        if state.offset:
            for offset, line in _lines(f, size, start=state.offset):
                state.apply(line, offset)
        else:
            for _ in self._from_start(f, size, state):
                pass

    def _from_start(self, f, size: int, replay: _Replay, *,  # noqa: ANN001
                    trust: bool = True) -> Iterator[Entry]:
        """Check ``[0, size)`` into ``replay``, yielding each entry. With ``trust``, the
        lines in the checked prefix recorded for this file are rebuilt, not checked
        (``checked.py``), and the prefix checked now is recorded at the end (before a
        torn tail's TornTailError too)."""
        prefix = CheckedPrefix(self.path) if trust else None
        try:
            for offset, line in _lines(f, size, prefix=prefix):
                yield replay.apply(line, offset, prefix is not None and (
                    offset + len(line) < prefix.trusted))
        except TornTailError:
            if prefix is not None:
                prefix.save(replay.offset)
            raise
        if prefix is not None:
            prefix.save(replay.offset)

    def _read_entry(self, f, position: int) -> Entry:  # noqa: ANN001
        """Read back the (already checked) entry at ``position`` (caller holds a lock)."""
        state = self._state
        start = state.starts[position - 1]
        end = state.starts[position] if position < state.position else state.offset
        line = _read_exact(f, start, end - start - 1)
        prev = GENESIS_HASH if position == 1 else json.loads(line)["prev"]
        return Entry.from_line(line, position=position, prev=prev)


class _JsonlWriter(Writer):
    """Appends at the end of the checked prefix of an exclusively locked file."""

    def __init__(self, store: JsonlStore, f) -> None:  # noqa: ANN001
        self._store, self._f = store, f
        state = store._state
        self.position, self.head, self.last_time = state.position, state.head, state.last_time
        self._start = state.offset  # where this block's first write went: undo goes back here

    def event_state(self, event_id: str) -> bool | None:
        return self._store._state.live.get(event_id)

    def entry_for_key(self, key: str) -> Entry | None:
        state = self._store._state
        position = state.keys.get(key)
        return None if position is None else self._store._read_entry(self._f, position)

    def write(self, entries: list[Entry]) -> None:
        """Write ``entries`` after the checked prefix in one write, then fsync."""
        if not entries:
            return
        state, fd = self._store._state, self._f.fileno()
        lines = [entry.to_line() for entry in entries]
        start = state.offset
        try:
            _write_through_seam(fd, b"".join(lines), start)
            _sync(fd)
        except BaseException as exc:
            self._f.truncate(start)  # leave no partial line behind
            _sync(fd)
            if isinstance(exc, OSError):  # a full disk, the file size limit (EFBIG)
                raise _unwritable(self._store.location, exc) from None
            raise
        for entry, line in zip(entries, lines):
            state.wrote(entry, start, start + len(line))
            start += len(line)
        self._moved_on(entries)

    def undo(self) -> None:
        """The block failed after a write: take back what it wrote."""
        store = self._store
        if store._state.offset > self._start:
            self._f.truncate(self._start)
            _sync(self._f.fileno())
            store._state = _Replay()  # read again, from the start, next time


def _unwritable(location: str, exc: OSError) -> LogError:
    return LogError(f"log: {location!r} could not be written: "
                    f"{exc.strerror or exc}; nothing was appended.", field="log",
                    value=location, fix="Free space on its disk or raise the file size "
                    "limit (ulimit -f), then retry.")
class _FileFiller(Filler):
    """Writes a new log file from its start (a copy's temporary: nobody else has it)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self.position, self.head, self._offset = 0, GENESIS_HASH, 0

    def write(self, entries: list[Entry]) -> None:
        """Write ``entries`` after the last; :meth:`JsonlStore.filling` fsyncs at the end."""
        if not entries:
            return
        self._check_continues(entries)
        data = b"".join(entry.to_line() for entry in entries)
        _write_through_seam(self._fd, data, self._offset)
        self._offset += len(data)
        self._moved_on(entries)


def _names(path: Path, f) -> bool:  # noqa: ANN001
    """Whether ``path`` still names the open file ``f``."""
    try:
        now, held = os.stat(path), os.fstat(f.fileno())
    except OSError:
        return False
    return (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev)


def _lines(f, size: int, start: int = 0,  # noqa: ANN001
           prefix: CheckedPrefix | None = None) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, line)`` for complete lines in ``[start, size)``; a tail without
    a newline raises TornTailError naming its byte offset. ``prefix`` (reading from 0)
    is fed each block before the lines that end in it are yielded."""
    f.seek(start)
    offset, pending, remaining = start, b"", size - start
    while remaining > 0:
        chunk = f.read(min(_READ_CHUNK, remaining))
        if not chunk:
            break
        if prefix is not None:
            prefix.feed(size - remaining, chunk)
        remaining -= len(chunk)
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield offset, line
            offset += len(line) + 1
    if pending:
        raise TornTailError(
            f"log ends with an incomplete line of {len(pending)} bytes at byte offset {offset} "
            "(an append was interrupted).", offset=offset,
            fix="Run 'timeline verify LOG --repair' to move it to a side file.")


def _read_exact(f, start: int, length: int) -> bytes:  # noqa: ANN001
    f.seek(start)
    parts, remaining = [], length
    while remaining > 0:  # an unbuffered read may return less than asked
        chunk = f.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def _write_through_seam(fd: int, data: bytes, offset: int) -> None:
    # Looked up at each call: the crash harness (tests/crash_harness.py) replaces
    # ``timeline.log._write_all`` to cut writes into pieces, so kills land mid-line.
    from .. import log

    log._write_all(fd, data, offset)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    """Write all of ``data`` at ``offset``; a short write continues where it stopped."""
    os.lseek(fd, offset, os.SEEK_SET)
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(f"short write: {len(data) - len(view)} of {len(data)} bytes")
        view = view[written:]


def _save_side_file(log: Path, offset: int, data: bytes) -> Path:
    """Keep ``data`` in ``LOG.torn-OFFSET`` (durably, directory included) and return its path."""
    n = 1
    while True:
        side = log.with_name(f"{log.name}.torn-{offset}" + (f"-{n}" if n > 1 else ""))
        try:
            fd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if not _holds(side, data):  # another crash's bytes, a link, a FIFO...: keep it
                n += 1
                continue
            fd = os.open(side, os.O_RDONLY)  # a repair that crashed after saving: reuse
        except OSError as exc:
            raise LogError(f"log: the side file {str(side)!r} cannot be written: "
                           f"{exc.strerror}; the log is unchanged.", field="log",
                           value=str(log), fix="Check that the log's folder is writable.") from None
        try:
            if os.fstat(fd).st_size == 0 and data:
                _write_all(fd, data, 0)
            _sync(fd)
        finally:
            os.close(fd)
        _fsync_dir(log.parent)
        return side


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) holding exactly ``data``; never
    opens anything else (a FIFO would block, a folder or a dangling link fail)."""
    try:
        st = os.lstat(path)
        return stat.S_ISREG(st.st_mode) and st.st_size == len(data) and \
            path.read_bytes() == data
    except OSError:
        return False
