"""What the SQLite and PostgreSQL stores share: the schema, the queries and the checks.

One table holds the log, one row an entry::

    timeline_entries(position PRIMARY KEY, recorded_at, type, event_id,
                     idempotency_key UNIQUE, hash, line)
    timeline_meta(key PRIMARY KEY, value)   -- schema_version, format

``line`` is the entry's exact JSON line (without its newline), the same bytes
the file store writes, so the hash chain is the one of ``docs/log-format.md``
and an entry has the same hash in every store. The other columns repeat what
the line says, for the indexes: the primary key on ``position`` (one global
order, a position taken once), a unique index on ``idempotency_key``, an index
on ``(event_id, position)`` (an event's history without a replay) and one on
``recorded_at`` (as-of a record time). Every row read is checked: its line
(``Entry.from_line``: bytes, hash, link to the row before) and its columns
against its line, so an edited row is named by its position like an edited
line.

Appends run in one transaction that first takes the store's write lock (the
subclass says how) and commits at the end: all or nothing, one writer at a
time, insert order equal to commit order.
"""

from __future__ import annotations

import abc
import datetime as _dt
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from ..entries import GENESIS_HASH, Entry, format_time, parse_time
from ..errors import LogCorruptError, LogError, LogNotFoundError, SchemaVersionError
from .base import _EARLIEST, Chain, Store, Writer, check_transition
from .sql_projection import dialect_of, follow, projection_schema

__all__ = ["SQLStore", "SCHEMA_VERSION"]

#: The database schema this version writes and the newest it reads: 2 adds the read
#: model's tables (``timeline/stores/sql_projection.py``); a database of version 1 reads as
#: before and gets them at its next append or ``timeline rebuild``.
SCHEMA_VERSION = 2
_COLUMNS = ("position", "recorded_at", "type", "event_id", "idempotency_key", "hash", "line")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM timeline_entries"
_PAGE = 2000  # rows a query when streaming: memory stays flat, no long read transaction
_INHERITED: list[Any] = []  # connections from before a fork: never closed in the child

# Written with "?" placeholders; PostgreSQL's "%s" is put in by the subclass.
_QUERIES = {
    "head": f"{_SELECT} ORDER BY position DESC LIMIT 1",
    "at": f"{_SELECT} WHERE position = ?",
    "hash_at": "SELECT hash FROM timeline_entries WHERE position = ?",
    "page": f"{_SELECT} WHERE position > ? AND position <= ? ORDER BY position LIMIT {_PAGE}",
    # Record times never go back along positions, so the last one at or before a time
    # is found by the (recorded_at, position) index.
    "until": ("SELECT position FROM timeline_entries WHERE recorded_at <= ? "
              "ORDER BY recorded_at DESC, position DESC LIMIT 1"),
    "key": f"{_SELECT} WHERE idempotency_key = ?",
    "history": f"{_SELECT} WHERE event_id = ? ORDER BY position",
    "state": ("SELECT type FROM timeline_entries WHERE event_id = ? "
              "ORDER BY position DESC LIMIT 1"),
    "ids": "SELECT DISTINCT event_id FROM timeline_entries",
    "insert": (f"INSERT INTO timeline_entries ({', '.join(_COLUMNS)}) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)"),
    "version": "SELECT value FROM timeline_meta WHERE key = 'schema_version'",
}


def schema(position_type: str) -> list[str]:
    """The statements that create the schema (``position_type``: the integer type)."""
    return [
        "CREATE TABLE timeline_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE timeline_entries (position {position_type} PRIMARY KEY "
        "CHECK (position > 0), recorded_at TEXT NOT NULL, type TEXT NOT NULL, "
        "event_id TEXT NOT NULL, idempotency_key TEXT UNIQUE, hash TEXT NOT NULL, "
        "line TEXT NOT NULL)",
        "CREATE INDEX timeline_entries_event ON timeline_entries (event_id, position)",
        "CREATE INDEX timeline_entries_time ON timeline_entries (recorded_at, position)",
        f"INSERT INTO timeline_meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}')",
        "INSERT INTO timeline_meta (key, value) VALUES ('format', '1')",
        *projection_schema(dialect_of(position_type)),
    ]


class SQLStore(Store):
    """A log in a SQL database (the shared part); see the module docstring.

    A subclass gives ``_placeholder``, :meth:`_cursor` (a DB-API cursor, the
    store's mutex held, driver errors turned into
    :class:`~timeline.errors.LogError`), :meth:`_has_schema` and
    :meth:`writing`.
    """

    _placeholder = "?"
    _mutex: threading.RLock
    _connection: Any = None
    _pid = 0

    def _sql(self, name: str) -> str:
        return _QUERIES[name].replace("?", self._placeholder)

    @abc.abstractmethod
    def _cursor(self) -> AbstractContextManager[Any]:
        """A cursor for a few statements, outside any write transaction."""

    @abc.abstractmethod
    def _connect(self) -> Any:
        """A new DB-API connection in autocommit mode."""

    def _connected(self) -> Any:
        """This process's connection (caller holds ``_mutex``); a forked child opens its own."""
        if self._connection is not None and self._pid != os.getpid():
            _INHERITED.append(self._connection)  # the parent's: closing it here would end it
            self._connection = None
        if self._connection is None or getattr(self._connection, "closed", False):
            self._connection = self._connect()
            self._pid = os.getpid()
        return self._connection

    def close(self) -> None:
        with self._mutex:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    @abc.abstractmethod
    def _has_schema(self, cur: Any) -> bool:
        """Whether the database holds the ``timeline_meta`` table."""

    def _check_schema(self, cur: Any) -> None:
        """Refuse a database without a log, or with a newer schema (opening)."""
        if not self._has_schema(cur):
            raise LogNotFoundError(
                f"log: {self.location!r} holds no timeline log (no timeline_meta table).",
                field="log", value=self.location,
                fix=f"Create one with: timeline init {self.location}")
        cur.execute(self._sql("version"))
        row = cur.fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else None
        if version is None:
            raise LogCorruptError(f"log: {self.location!r} has no valid schema_version in "
                                  "timeline_meta.", fix="Restore the database from a backup.")
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(self.location, version, SCHEMA_VERSION)

    # -- reading ---------------------------------------------------------------------------

    def entries(self, *, after: int = 0, upto: int | None = None,
                until: _dt.datetime | None = None) -> Iterator[Entry]:
        """Entries after ``after``, up to ``upto`` / ``until`` and the head when called,
        read a page at a time by primary key; from 0, every rule is checked."""
        with self._cursor() as cur:
            last = self._head_row(cur)
            end = last[0] if last else 0
            if until is not None:
                cur.execute(self._sql("until"), (format_time(until),))
                found = cur.fetchone()
                end = min(end, found[0] if found else 0)
            if upto is not None:
                end = min(end, upto)
            chain = Chain()
            if 0 < after < end:  # start mid-log: chain on from the row before
                before = self._fetch(cur, "at", after)
                if before is None:
                    raise _missing(after)
                chain = Chain(after, before[5], parse_time(before[1]), rules=False)
        position = chain.position
        while position < end:
            with self._cursor() as cur:
                cur.execute(self._sql("page"), (position, end))
                rows = cur.fetchall()
            if not rows:
                raise _missing(position + 1)
            for row in rows:
                entry = chain.take(_line(row))
                _check_columns(row, entry)
                if entry.position > after:
                    yield entry
            position = chain.position

    def head(self) -> tuple[int, str]:
        with self._cursor() as cur:
            row = self._head_row(cur)
            if row is None:
                return 0, GENESIS_HASH
            entry = self._checked(cur, row)
            return entry.position, entry.hash

    def entry_for_key(self, key: str) -> Entry | None:
        with self._cursor() as cur:
            row = self._fetch(cur, "key", key)
            return None if row is None else self._checked(cur, row)

    def history(self, event_id: str) -> list[Entry]:
        """The event's rows by the ``(event_id, position)`` index, each checked (its line,
        its link to the row before it, its columns) and in an allowed order."""
        with self._cursor() as cur:
            cur.execute(self._sql("history"), (event_id,))
            rows = cur.fetchall()
            found, live = [], {}  # type: ignore[var-annotated]
            for row in rows:
                entry = self._checked(cur, row)
                check_transition(live, entry.type, entry.event_id, position=entry.position)
                live[entry.event_id] = entry.type != "retracted"
                found.append(entry)
            return found

    def event_ids(self) -> set[str]:
        with self._cursor() as cur:
            cur.execute(self._sql("ids"))
            return {row[0] for row in cur.fetchall()}

    # -- helpers for the subclasses and the writer -----------------------------------------

    def _fetch(self, cur: Any, name: str, *params: Any) -> tuple | None:
        cur.execute(self._sql(name), params)
        return cur.fetchone()

    def _head_row(self, cur: Any) -> tuple | None:
        cur.execute(self._sql("head"))
        return cur.fetchone()

    def _checked(self, cur: Any, row: tuple) -> Entry:
        """The entry of one row, checked against the row before it."""
        position = row[0]
        if position == 1:
            prev = GENESIS_HASH
        else:
            before = self._fetch(cur, "hash_at", position - 1)
            if before is None:
                raise _missing(position - 1)
            prev = before[0]
        entry = Entry.from_line(_line(row), position=position, prev=prev)
        _check_columns(row, entry)
        return entry

    def _writer(self, cur: Any) -> Writer:
        return _SQLWriter(self, cur)

    @property
    def read_model(self) -> Any:
        """The inline projection in this database (``timeline/stores/sql_readmodel.py``)."""
        from .sql_readmodel import SQLReadModel

        return SQLReadModel(self)


class _SQLWriter(Writer):
    """Appends inside the store's write transaction (the lock is held)."""

    def __init__(self, store: SQLStore, cur: Any) -> None:
        self._store, self._cur = store, cur
        row = store._head_row(cur)
        if row is None:
            self.position, self.head, self.last_time = 0, GENESIS_HASH, _EARLIEST
        else:
            entry = store._checked(cur, row)
            self.position, self.head, self.last_time = entry.position, entry.hash, (
                entry.recorded_at)

    def event_state(self, event_id: str) -> bool | None:
        row = self._store._fetch(self._cur, "state", event_id)
        return None if row is None else row[0] != "retracted"

    def entry_for_key(self, key: str) -> Entry | None:
        row = self._store._fetch(self._cur, "key", key)
        return None if row is None else self._store._checked(self._cur, row)

    def write(self, entries: list[Entry]) -> None:
        if not entries:
            return
        first = entries[0]
        if first.position != self.position + 1 or first.prev != self.head:
            raise LogError(f"log: entries for position {first.position} do not continue the "
                           f"log at position {self.position}.", field="position",
                           value=first.position, fix="Read the log again and retry.")
        follow(self._store, self._cur, self.position, self.head, entries)  # same transaction
        self._cur.executemany(self._store._sql("insert"), [
            (e.position, format_time(e.recorded_at), e.type, e.event_id, e.idempotency_key,
             e.hash, e.to_line()[:-1].decode("utf-8")) for e in entries])
        self._moved_on(entries)


def _line(row: tuple) -> bytes:
    line = row[6]
    return line.encode("utf-8") if isinstance(line, str) else bytes(line)


def _check_columns(row: tuple, entry: Entry) -> None:
    """The indexed columns must say what the (hashed) line says."""
    expected = (entry.position, format_time(entry.recorded_at), entry.type, entry.event_id,
                entry.idempotency_key, entry.hash)
    wrong = [name for name, have, want in zip(_COLUMNS, row, expected) if have != want]
    if wrong:
        raise LogCorruptError(
            f"log entry at position {entry.position} has a row whose {', '.join(wrong)} "
            f"column{'s differ' if len(wrong) > 1 else ' differs'} from its line; the row "
            "was changed outside timeline.", position=entry.position)


def _missing(position: int) -> LogCorruptError:
    return LogCorruptError(f"log has no entry at position {position}; an entry was removed.",
                           position=position)
