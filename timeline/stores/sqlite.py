"""The SQLite store: one log in one SQLite file (standard library ``sqlite3``).

For logs too large to read whole on every open: reading from a position, an
as-of fold and one event's history use the indexes (``timeline/stores/sql.py``)
instead of replaying the log.

- The file is in WAL mode (set when it is created, kept by the file) and every
  connection runs with ``synchronous=FULL``: a commit has fsynced the WAL
  before it returns, so an acknowledged append survives a crash or a power
  loss. Readers never block the writer, nor the writer readers.
- An append is one transaction opened with ``BEGIN IMMEDIATE``, which takes
  the file's write lock before the head is read: writers in threads and
  processes queue (for up to the lock timeout, 60 s unless set, then
  :class:`~timeline.errors.LockTimeoutError`: ``timeline/stores/locks.py``)
  and get one global order.
- SQLite needs a file system with working locks: a local disk, not a
  network share (use PostgreSQL for a team on several machines).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import LockTimeoutError, LogCorruptError, LogError
from .base import Filler, Writer, title_from_name
from .files import check_exists, create_exclusive
from .files import fsync_dir as _fsync_dir
from .locks import lock_timeout as _lock_timeout
from .locks import waiting
from .sql import SQLStore, schema
from .staged import SIDE_FILES, existing, staged

__all__ = ["SQLiteStore"]

class SQLiteStore(SQLStore):
    """A log in a SQLite file. ``SQLiteStore(path)`` opens an existing one
    (:class:`~timeline.errors.LogNotFoundError` if there is none);
    :meth:`create` makes a new, empty one. One object may be shared by threads
    (one connection, used under a lock); a forked process opens its own."""

    def __init__(self, path: str | os.PathLike[str], *,
                 lock_timeout: float | None = None) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.title = title_from_name(self.path.stem)
        self.lock_timeout = _lock_timeout(lock_timeout)  # seconds: the busy timeout
        check_exists(self.path, ".sqlite")
        self._mutex = threading.RLock()
        with self._cursor() as cur:
            self._check_schema(cur)

    @classmethod
    def create(cls, path: str | os.PathLike[str], *,
               lock_timeout: float | None = None) -> SQLiteStore:
        """Create the file (exclusively) with the schema, in WAL mode; fsync its folder."""
        target = Path(path)
        seconds = _lock_timeout(lock_timeout)
        os.close(create_exclusive(target))
        try:
            _make_schema(target, seconds)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return cls(target, lock_timeout=seconds)

    @classmethod
    @contextmanager
    def filling(cls, location: str | os.PathLike[str]) -> Iterator[Filler]:
        """Fill the empty log at ``location`` in one transaction, or build a new one in a
        temporary file put in place at the end (:mod:`timeline.stores.staged`)."""
        target = Path(location)
        if existing(target, ".sqlite"):
            there = cls(target)
            try:
                with there._filler() as writer:
                    yield writer
            finally:
                there.close()
            return
        with staged(target, replace_empty=False) as (temp, _fd):
            _make_schema(temp)
            store = cls(temp)
            store.location = str(target)  # messages name the log, not its temporary
            try:
                with store._filler() as writer:
                    yield writer
                # Everything into the database file itself, before it is linked alone.
                with store._cursor() as cur:
                    cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    busy = cur.fetchone()[0]
            finally:
                store.close()
            if busy or Path(f"{temp}-wal").exists():
                raise LogError(f"log: {str(target)!r} could not be completed: SQLite kept a "
                               "write-ahead log beside the copy.", field="log",
                               value=str(target), fix="Look for a process that opened the "
                               "temporary file, and copy again.")

    @contextmanager
    def _filler(self) -> Iterator[Filler]:
        with self._transaction() as cur:
            yield self._empty_writer(cur)

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        with self._transaction() as cur:
            yield self._writer(cur)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A write transaction (the write lock held), committed if the block ends cleanly."""
        with self._cursor() as cur:
            _begin(cur, self.location, self.lock_timeout)
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def files(self) -> dict[Path, str]:
        """The file, and SQLite's -wal, -shm and -journal files beside it (named after
        the path as given and after the file it leads to)."""
        found = {self.path: "the log"}
        for name in (str(self.path), os.path.realpath(self.path)):
            found.update({Path(name + suffix): f"SQLite's {suffix} file of the log"
                          for suffix in SIDE_FILES})
        return found

    # -- internals -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        return _connect(self.path, self.location, self.lock_timeout)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._mutex, self._driver_errors():
            cur = self._connected().cursor()
            try:
                yield cur
            finally:
                cur.close()

    @contextmanager
    def _driver_errors(self) -> Iterator[None]:
        """sqlite3 errors as LogError, as :meth:`_cursor` turns them."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise _error(self.location, exc) from None

    def _has_schema(self, cur: Any) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timeline_meta'")
        return cur.fetchone() is not None


def _make_schema(target: Path, timeout: float | None = None) -> None:
    """Write the schema into the new, empty file ``target``, in WAL mode, in one commit."""
    connection = _connect(target, str(target), _lock_timeout(timeout))
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("BEGIN IMMEDIATE")
        for statement in schema("INTEGER"):
            connection.execute(statement)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _connect(path: Path, location: str, timeout: float) -> sqlite3.Connection:
    """A connection that waits up to ``timeout`` seconds for a lock (SQLite's busy timeout)."""
    try:
        connection = sqlite3.connect(path, timeout=timeout, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as exc:
        raise _error(location, exc) from None
    return connection


def _begin(cur: Any, location: str, timeout: float) -> None:
    """``BEGIN IMMEDIATE``: take the write lock, or say that it waits for it (on a
    terminal, as the file store does) and wait up to ``timeout`` seconds."""
    waits = f"PRAGMA busy_timeout = {round(timeout * 1000)}"
    cur.execute("PRAGMA busy_timeout = 0")  # first a try that does not wait
    try:
        try:
            cur.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or timeout == 0:
                raise
        waiting(location)
        cur.execute(waits)
        cur.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _busy(exc):
            raise LockTimeoutError(location, timeout) from None
        raise
    finally:
        cur.execute(waits)


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _error(location: str, exc: sqlite3.DatabaseError) -> LogError:
    """A sqlite3 error as a LogError: a damaged file is corrupt (exit 4)."""
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return LogError(f"log: {location!r} cannot be used: {text}.", field="log", value=location,
                        fix="Check that the file and its folder are readable and writable.")
    return LogCorruptError(f"log: {location!r} is not a readable SQLite database ({text}).",
                           fix="Give the path of a timeline SQLite log, or restore it from a "
                               "backup.")
