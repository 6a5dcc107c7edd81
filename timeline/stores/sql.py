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
line. A read by event id or idempotency key checks the rows next to those it
reads as well (:meth:`SQLStore._checked_at`; ``docs/stores.md``, "What a read
by id checks").

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
from ..errors import LogCorruptError, LogNotFoundError, SchemaVersionError
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
    "top": "SELECT MAX(position) FROM timeline_entries",
    # Rows counted over the smallest index (SQLite: about 12 ms a million rows): with unique
    # positions above 0, COUNT equals MAX exactly when none from 1 to the head is missing.
    "count": "SELECT COUNT(*) FROM timeline_entries",
    "at": f"{_SELECT} WHERE position = ?",
    "page": f"{_SELECT} WHERE position > ? AND position <= ? ORDER BY position LIMIT {_PAGE}",
    "span": f"{_SELECT} WHERE position >= ? AND position <= ? ORDER BY position",
    # Record times never go back along positions, so the last one at or before a time
    # is found by the (recorded_at, position) index.
    "until": ("SELECT position FROM timeline_entries WHERE recorded_at <= ? "
              "ORDER BY recorded_at DESC, position DESC LIMIT 1"),
    # Reads by key or event id find positions by an index; the rows come by primary key,
    # with the rows around them (SQLStore._checked_at).
    "key": "SELECT position FROM timeline_entries WHERE idempotency_key = ?",
    "history": "SELECT position FROM timeline_entries WHERE event_id = ? ORDER BY position",
    "state": ("SELECT position FROM timeline_entries WHERE event_id = ? "
              "ORDER BY position DESC LIMIT 1"),
    # One pass over the (event_id, position) index gives the ids and whether any
    # position from 1 to the head is missing.
    "ids": ("SELECT event_id, COUNT(*), MIN(position), MAX(position) FROM timeline_entries "
            "GROUP BY event_id"),
    "gap": ("SELECT MIN(a.position) + 1 FROM timeline_entries AS a WHERE a.position < ? AND NOT "
            "EXISTS (SELECT 1 FROM timeline_entries AS b WHERE b.position = a.position + 1)"),
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"  # a URL without its password

    def _sql(self, name: str) -> str:
        return _QUERIES[name].replace("?", self._placeholder)

    @abc.abstractmethod
    def _cursor(self) -> AbstractContextManager[Any]:
        """A cursor for a few statements, outside any write transaction."""

    @abc.abstractmethod
    def _connect(self) -> Any:
        """A new DB-API connection in autocommit mode."""

    @abc.abstractmethod
    def _driver_errors(self) -> AbstractContextManager[None]:
        """Turns the driver's errors into :class:`~timeline.errors.LogError`, as
        :meth:`_cursor` does (for a connection of a reader's own)."""

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
        text = str(row[0]) if row else ""
        version = int(text) if text.isascii() and text.isdigit() else None  # not "²"
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
                chain = _chain_after(after, self._fetch(cur, "at", after))
        position = chain.position
        while position < end:
            with self._cursor() as cur:
                cur.execute(self._sql("page"), (position, end))
                rows = cur.fetchall()
            if not rows:
                raise _missing(position + 1)
            for row in rows:
                entry = _take(chain, row)
                if entry.position > after:
                    yield entry
            position = chain.position

    def head(self) -> tuple[int, str]:
        with self._cursor() as cur:
            return self._checked_head(cur)

    def _checked_head(self, cur: Any) -> tuple[int, str]:
        """(position, hash) of the head, its row checked, read on ``cur``."""
        row = self._head_row(cur)
        if row is None:
            return 0, GENESIS_HASH
        entry = self._checked_at(cur, [row[0]], head=row[0])[0]
        return entry.position, entry.hash

    def entry_for_key(self, key: str) -> Entry | None:
        with self._cursor() as cur:
            self._check_complete(cur)
            return self._keyed(cur, key)

    def history(self, event_id: str) -> list[Entry]:
        """The event's rows by the ``(event_id, position)`` index, each checked with the
        rows around it (:meth:`_checked_at`) and in an allowed order, in a log none of
        whose rows is missing (:meth:`_check_complete`)."""
        with self._cursor() as cur:
            self._check_complete(cur)
            cur.execute(self._sql("history"), (event_id,))
            found = self._checked_at(cur, [row[0] for row in cur.fetchall()])
            live: dict[str, bool] = {}
            for entry in found:
                check_transition(live, entry.type, entry.event_id, position=entry.position)
                live[entry.event_id] = entry.type != "retracted"
            return found

    def event_ids(self) -> set[str]:
        """Every id, from one pass over the event index; raises LogCorruptError naming the
        first missing position if the positions from 1 to the head are not all there."""
        with self._cursor() as cur:
            cur.execute(self._sql("ids"))
            groups = cur.fetchall()
            top = max((group[3] for group in groups), default=0)
            if sum(group[1] for group in groups) != top:  # positions are unique and > 0
                first = min(group[2] for group in groups)
                raise _missing(1 if first != 1 else self._fetch(cur, "gap", top)[0])
            return {group[0] for group in groups}

    # -- helpers for the subclasses and the writer -----------------------------------------

    def _fetch(self, cur: Any, name: str, *params: Any) -> tuple | None:
        cur.execute(self._sql(name), params)
        return cur.fetchone()

    def _head_row(self, cur: Any) -> tuple | None:
        cur.execute(self._sql("head"))
        return cur.fetchone()

    def _check_complete(self, cur: Any) -> None:
        """Raise LogCorruptError naming the first missing position unless every position
        from 1 to the head has its row.

        A read by id sees only the rows around the event's own (:meth:`_checked_at`); a
        row deleted elsewhere, such as the event's retraction far from its other rows,
        would leave a withdrawn event looking current. Positions are unique and above 0,
        so the row count equals the highest position exactly when none is missing: one
        pass over the smallest index, not a read of the log.
        """
        top = self._fetch(cur, "top")[0] or 0
        if self._fetch(cur, "count")[0] != top:
            first = self._fetch(cur, "at", 1)
            raise _missing(1 if first is None else self._fetch(cur, "gap", top)[0])

    def _keyed(self, cur: Any, key: str) -> Entry | None:
        row = self._fetch(cur, "key", key)
        return None if row is None else self._checked_at(cur, [row[0]])[0]

    def _checked_at(self, cur: Any, positions: list[int], head: int | None = None) -> list[Entry]:
        """The entries at ``positions`` (ascending, found by an index), each checked with
        the rows around it as a full read checks them.

        For a position p, rows p-1 to p+2 (those up to the head) are read by primary key
        and checked in order, chained on from the stored hash of row p-2: each line's
        bytes, hash, position and link to the row before, record times, the columns
        against the line. So a row read, or one next to it, that was deleted, edited
        (with or without a new hash), moved or swapped raises LogCorruptError naming
        the first bad position. Rows further away are not read: a full read (``verify``)
        finds what changed there. Costs O(len(positions) * log n).
        """
        if not positions:
            return []
        if head is None:  # rows deleted since the index was read: the position is missing
            head = max(self._fetch(cur, "top")[0] or 0, positions[-1])
        runs: list[list[int]] = []  # merged ranges [first, last] to check
        for position in positions:
            first, last = max(1, position - 1), min(head, position + 2)
            if runs and first <= runs[-1][1] + 1:
                runs[-1][1] = max(runs[-1][1], last)
            else:
                runs.append([first, last])
        wanted, found = set(positions), {}
        for first, last in runs:
            cur.execute(self._sql("span"), (first - 1, last))
            rows = {row[0]: row for row in cur.fetchall()}
            chain = Chain(rules=False) if first == 1 else _chain_after(first - 1,
                                                                     rows.get(first - 1))
            for position in range(first, last + 1):
                if position not in rows:
                    raise _missing(position)
                entry = _take(chain, rows[position])
                if position in wanted:
                    found[position] = entry
        return [found[position] for position in positions]

    def _empty_writer(self, cur: Any) -> Writer:
        """The writer of a copy's destination, which must hold no entry
        (:func:`~timeline.stores.base.check_empty`); one whose rows fail their check is
        "not an empty log", naming it, as the file store says (not the bare
        :class:`~timeline.errors.LogCorruptError`, which reads as the source's fault)."""
        from ..errors import LogExistsError
        from .base import check_empty

        try:
            writer = self._writer(cur)
        except LogCorruptError as exc:
            raise LogExistsError(
                f"log: {self.location!r} is not an empty log ({exc.message.rstrip('.')}); it "
                "is left as it is.", field="log", value=self.location,
                fix="Copy into a new or empty log.") from None
        check_empty(self.location, writer.position)
        return writer

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
        self._complete = False
        row = store._head_row(cur)
        if row is None:
            self.position, self.head, self.last_time = 0, GENESIS_HASH, _EARLIEST
        else:
            entry = store._checked_at(cur, [row[0]], head=row[0])[0]
            self.position, self.head, self.last_time = entry.position, entry.hash, (
                entry.recorded_at)

    def event_state(self, event_id: str) -> bool | None:
        if not self._complete:  # once a transaction: a batch asks for every item
            self._store._check_complete(self._cur)
            self._complete = True
        row = self._store._fetch(self._cur, "state", event_id)
        if row is None:
            return None
        return self._store._checked_at(self._cur, [row[0]])[0].type != "retracted"

    def entry_for_key(self, key: str) -> Entry | None:
        return self._store._keyed(self._cur, key)

    def write(self, entries: list[Entry]) -> None:
        if not entries:
            return
        self._check_continues(entries)
        follow(self._store, self._cur, self.position, self.head, entries)  # same transaction
        self._cur.executemany(self._store._sql("insert"), [
            (e.position, format_time(e.recorded_at), e.type, e.event_id, e.idempotency_key,
             e.hash, e.to_line()[:-1].decode("utf-8")) for e in entries])
        self._moved_on(entries)


def _line(row: tuple) -> bytes:
    line = row[6]
    return line.encode("utf-8") if isinstance(line, str) else bytes(line)


def _chain_after(position: int, row: tuple | None) -> Chain:
    """A chain going on after ``row``, the row at ``position`` (by its stored hash and time)."""
    if row is None:
        raise _missing(position)
    try:
        last_time = parse_time(row[1])
    except (TypeError, ValueError):
        raise _changed(position, ["recorded_at"]) from None
    return Chain(position, row[5], last_time, rules=False)


def _take(chain: Chain, row: tuple) -> Entry:
    """The next entry of ``chain`` from ``row``: its line checked, its columns against it."""
    entry = chain.take(_line(row))
    _check_columns(row, entry)
    return entry


def _check_columns(row: tuple, entry: Entry) -> None:
    """The indexed columns must say what the (hashed) line says."""
    expected = (entry.position, format_time(entry.recorded_at), entry.type, entry.event_id,
                entry.idempotency_key, entry.hash)
    wrong = [name for name, have, want in zip(_COLUMNS, row, expected) if have != want]
    if wrong:
        raise _changed(entry.position, wrong)


def _changed(position: int, wrong: list[str]) -> LogCorruptError:
    return LogCorruptError(
        f"log entry at position {position} has a row whose {', '.join(wrong)} "
        f"column{'s differ' if len(wrong) > 1 else ' differs'} from its line; the row "
        "was changed outside timeline.", position=position)


def _missing(position: int) -> LogCorruptError:
    return LogCorruptError(f"log has no entry at position {position}; an entry was removed.",
                           position=position)
