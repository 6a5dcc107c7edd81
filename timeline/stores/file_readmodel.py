"""The JSON Lines file store's read model: the SQL read model's tables, in a SQLite database
per log file in the user's cache folder (``docs/read-model.md``, "The file store").

Where: ``TIMELINE_CACHE_DIR/readmodel/SHA256.sqlite`` (the SHA-256 of the log's real path),
else ``platformdirs.user_cache_dir("diplomatic-timeline")/readmodel/``, beside the
checked-prefix records (:mod:`timeline.stores.checked`); ``TIMELINE_CACHE_DIR=`` (empty)
turns it off. Nothing is written beside the log.

Tables: those of :mod:`timeline.stores.sql_projection`, plus ``timeline_entries`` (one row
an entry: its byte offset and length in the file, record time, type, event id,
idempotency key, hash: the index the SQL read path's queries use) and
``timeline_file_source``, which says which file the tables reflect: library version,
layout, format, the file's device and inode, the byte offset the tracking record's
position ends at, and the SHA-256 of each 1 MiB block of ``[0, offset)``.

A read (:meth:`FileReadModel.chronology`) takes the log file's size under its shared lock,
then, in the cache database:

1. If the source record names another file, version or layout, or the file is shorter
   than it says, or its blocks do not hash as recorded, the tables are rebuilt from every
   entry (read as every read from the start is: checked in full, or through the
   checked prefix), in one ``BEGIN IMMEDIATE`` transaction.
2. If the file grew, its prefix is checked against the block hashes, the entry at the
   tracked position must be the tracked head, and the entries appended since are checked
   in full (bytes, hash, chain, record times, transitions, keys) and projected, in one
   transaction. Two readers catching up at once: the second finds the work done.
3. The SQL read path (:class:`~timeline.stores.sql_readmodel.SQLReadModel`) selects the
   rows; each selected event is then read from the log file, at its byte offset, in one
   pass over ``[0, offset)`` that hashes every block and compares it with the record: the
   lines shown are the bytes checked when they were projected. The first entry of each
   event (its first record time) is read the same way. A mismatch rebuilds, once.

Anything wrong with the cache (changed by hand, another version) rebuilds it, once; a
cache that cannot be used (unwritable, locked, a rebuild that fails) means the caller
folds the log: a cache never fails a read. A reader that finds the tables moved on by
another reader, which saw more of the file, takes the file's size again.
What a read cannot see, as for the databases, is a row removed from the cache so that
an event is no longer selected, or a revision no longer counted: ``timeline verify``
compares every row with a fresh fold of the file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import attrs

from ..__about__ import __version__
from ..chronology import Chronology, EventFilter, EventState
from ..entries import ENTRY_TYPES, FORMAT_VERSION, GENESIS_HASH, Entry, format_time
from ..errors import LogCorruptError, LogError
from .base import Chain, check_transition
from .checked import BLOCK
from .files import unlock
from .readmodel import ReadModel, ReadModelReport
from .sql_projection import (READ_MODEL_VERSION, _chunks, _project, _track, dialect_of,
                             has_read_model, projection_schema, tracking)
from .sql_readmodel import SQLReadModel, _Stale, in_order

__all__ = ["FileReadModel"]

_D = dialect_of("INTEGER")  # SQLite
_KIND = "diplomatic-timeline file read model"
_LAYOUT = 1  # of the two tables below; another one is rebuilt
_SCHEMA = [
    "CREATE TABLE timeline_entries (position INTEGER PRIMARY KEY, byte_offset INTEGER NOT NULL, "
    "byte_length INTEGER NOT NULL, recorded_at TEXT NOT NULL, type TEXT NOT NULL, "
    "event_id TEXT NOT NULL, idempotency_key TEXT, hash TEXT NOT NULL)",
    "CREATE INDEX timeline_entries_event ON timeline_entries (event_id, position)",
    "CREATE INDEX timeline_entries_time ON timeline_entries (recorded_at, position)",
    "CREATE UNIQUE INDEX timeline_entries_key ON timeline_entries (idempotency_key) "
    "WHERE idempotency_key IS NOT NULL",
    "CREATE TABLE timeline_file_source (kind TEXT PRIMARY KEY, library TEXT NOT NULL, "
    "layout INTEGER NOT NULL, format INTEGER NOT NULL, device INTEGER NOT NULL, "
    "inode INTEGER NOT NULL, byte_offset INTEGER NOT NULL, blocks TEXT NOT NULL)",
]
_TABLES = ("timeline_file_source", "timeline_entries", "timeline_read_tracking",
           "timeline_read_events", "timeline_read_actors", "timeline_read_tags")
_INDEX_COLUMNS = ("position", "byte_offset", "byte_length", "recorded_at", "type", "event_id",
                  "idempotency_key", "hash")


class _Moved(Exception):
    """Another reader moved the tables on since this read looked at the file: look again."""


class _Mismatch(Exception):
    """The file's bytes are not those the tables were made from: rebuild."""


@attrs.frozen
class _Source:
    """What the tables reflect: the file (device, inode), its prefix and the head there."""

    identity: tuple[int, int]
    offset: int
    position: int
    head: str
    blocks: list[str]


class FileReadModel(SQLReadModel):
    """The read model of a :class:`~timeline.stores.jsonl.JsonlStore`, kept in ``database``
    (see the module docstring)."""

    _ENTRY_COLUMNS = "e.position, e.byte_offset, e.byte_length, e.event_id"

    def __init__(self, store: Any, database: Path) -> None:
        self._store = store
        self._dialect = _D
        self._database = database
        self._log: Any = None  # the log file this read reads, and what it reflects there
        self._source: _Source | None = None
        self._cur: Any = None

    # -- reading -------------------------------------------------------------------------

    def chronology(self, as_of: int | _dt.datetime | None, wanted: EventFilter,
                   title: str) -> Chronology | None:
        try:
            with self._opened() as (f, conn):
                dropped = False
                for _ in range(4):  # a few races lost to other readers, then the fold
                    size = self._size(f)
                    try:
                        self._follow(conn, f, size)
                        with self._reading(conn, f, size) as cur:
                            return self._read(cur, as_of, wanted, title)
                    except _Moved:
                        continue  # another reader moved the tables on: look at the file again
                    except (_Stale, _Mismatch, sqlite3.DatabaseError, ValueError, TypeError,
                            KeyError, AttributeError):  # changed by hand: rebuild, once
                        if dropped:
                            break
                        conn.execute("DROP TABLE IF EXISTS timeline_file_source")
                        dropped = True
        except Exception:  # noqa: BLE001 - whatever is wrong with a cache, the fold answers
            return None
        return None

    # The file's entries are read by one pass over the checked prefix (its block hashes):
    # a pass per batch would read the file once a batch, so a stream holds the chronology.
    events = ReadModel.events

    def _size(self, f: Any) -> int:
        """The log file's size, taken under its shared lock: every byte before it is part
        of a complete append."""
        self._store._lock(f, shared=True)
        try:
            return os.fstat(f.fileno()).st_size
        finally:
            unlock(f.fileno())

    @contextmanager
    def _opened(self) -> Iterator[tuple[Any, sqlite3.Connection]]:
        """The log file and the cache database."""
        with open(self._store.path, "rb") as f:
            self._database.parent.mkdir(parents=True, exist_ok=True)
            conn = self._connect()
            try:
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.DatabaseError as exc:
                conn.close()
                if isinstance(exc, sqlite3.OperationalError):  # locked, unreadable: fold
                    raise
                self._database.unlink()  # not a database (any more): start again
                conn = self._connect()
            with closing(conn):
                yield f, conn

    def _connect(self) -> sqlite3.Connection:
        try:  # readable by its owner only, as the checked-prefix records (SQLite's journal
            # takes the database's mode)
            os.close(os.open(self._database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        return sqlite3.connect(self._database, isolation_level=None,
                               timeout=max(self._store.lock_timeout, 0.001))

    @contextmanager
    def _reading(self, conn: sqlite3.Connection, f: Any, size: int) -> Iterator[Any]:
        """A read transaction on tables that reflect the whole file, as ``size`` long."""
        cur = conn.cursor()
        cur.execute("BEGIN")
        try:
            source = _source(cur)
            if source is None or source.identity != _identity(f) or source.offset != size:
                raise _Moved  # another reader rebuilt or caught it up since _follow
            self._log, self._source, self._cur = f, source, cur
            yield cur
        finally:
            cur.execute("ROLLBACK")

    def _head(self, cur: Any) -> tuple[int, str]:
        """The head the tables reflect; the lines read are checked against the file."""
        assert self._source is not None
        return self._source.position, self._source.head

    @contextmanager
    def _snapshot(self) -> Iterator[Any]:
        yield self._cur  # check() runs inside _reading

    def _until(self, cur: Any, as_of: _dt.datetime) -> int:
        """The last position recorded at or before ``as_of``, by the index, confirmed by
        the lines at that position and the next (record times never go back)."""
        cur.execute("SELECT position FROM timeline_entries WHERE recorded_at <= ? "
                    "ORDER BY recorded_at DESC, position DESC LIMIT 1", (format_time(as_of),))
        found = cur.fetchone()
        position = found[0] if found else 0
        assert self._source is not None
        around = [p for p in (position, position + 1) if 0 < p <= self._source.position]
        entries = self._entries(cur, around)
        if (position and entries[position].recorded_at > as_of) or (
                position + 1 in entries and entries[position + 1].recorded_at <= as_of):
            raise _Stale
        return position

    def _states(self, rows: list[tuple[Any, ...]], wanted: EventFilter) -> Iterator[EventState]:
        """The states of the selected rows, each event and first entry read from the file."""
        return in_order(self._unordered(rows, wanted))

    def _unordered(self, rows: list[tuple[Any, ...]],
                   wanted: EventFilter) -> Iterator[EventState]:
        if any(row[2] is None for row in rows):
            raise _Stale
        assert self._source is not None
        head = self._source.position
        entries = self._entries(self._cur, {head, *(p for row in rows for p in (row[0], row[-4]))}
                                - {0})
        if head and entries[head].hash != self._source.head:
            raise _Mismatch  # the tracking record does not name the entry at its position
        for row in rows:
            position, event_id = row[0], row[1]
            first, revisions, latest = row[-4], row[-2], row[-1]
            entry, opening = entries[position], entries[first]
            if latest != position or entry.event is None or entry.event_id != event_id or (
                    opening.type != "recorded" or opening.event_id != event_id):
                raise _Stale
            if not wanted.keep(entry.event):
                continue
            yield EventState(entry.event, opening.recorded_at, entry.recorded_at, first,
                             position, revisions)

    def _entries(self, cur: Any, positions: Iterable[int]) -> dict[int, Entry]:
        """The entries at ``positions``, read from the file at the offsets the index gives,
        in one pass over the tracked prefix that checks every block's hash."""
        spans: dict[int, tuple[int, int]] = {}
        wanted = sorted(set(positions))
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            cur.execute("SELECT position, byte_offset, byte_length FROM timeline_entries "
                        f"WHERE position IN ({', '.join('?' * len(part))})", part)
            spans.update((row[0], (row[1], row[2])) for row in cur.fetchall())
        if len(spans) != len(wanted):
            raise _Stale
        assert self._source is not None
        # Each line with its newline. A span the index got wrong is refused below: a JSON
        # object that ends a line and starts inside it does not parse (its quotes would be
        # escaped, or a nested object would be followed by more), so only whole lines do.
        lines = _scan(self._log, self._source, [(o, n + 1) for o, n in spans.values()])
        found = {}
        for position, (offset, length) in spans.items():
            line = lines[offset]
            if line[-1:] != b"\n":
                raise _Stale
            entry = Entry.from_checked_line(line[:-1])  # bytes checked when projected
            if entry.position != position or entry.type not in ENTRY_TYPES:
                raise _Stale
            found[position] = entry
        return found

    # -- keeping it ----------------------------------------------------------------------

    def _follow(self, conn: sqlite3.Connection, f: Any, size: int) -> None:
        """Make the tables reflect the file as ``size`` long: catch up, or rebuild."""
        cur = conn.cursor()
        source = _source(cur)
        if source is not None and source.identity == _identity(f) and source.offset == size:
            return  # the read checks the blocks
        cur.execute("BEGIN IMMEDIATE")  # one writer: a second reader waits, then finds it done
        try:
            source = _source(cur)
            if source is not None and source.identity == _identity(f) and (
                    size < source.offset <= self._size(f)):
                raise _Moved  # caught up by a reader that saw more of the file than we did
            if source is None or source.identity != _identity(f) or source.offset > size:
                self._rebuild(cur, f, size)
            elif source.offset < size:
                try:
                    self._catch_up(cur, f, source, size)
                except (_Stale, _Mismatch):
                    self._rebuild(cur, f, size)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def _rebuild(self, cur: Any, f: Any, size: int) -> int:
        """Make the tables again from every entry of ``[0, size)``; returns the number of
        current events."""
        from .jsonl import _Replay

        for table in _TABLES:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        # The indexes are made after the rows (faster), but the one each append's
        # UPDATE of is_current looks events up by.
        statements = [*projection_schema(_D), *_SCHEMA]
        later = [s for s in statements if " INDEX " in s and "_read_events_current" not in s]
        for statement in statements:
            if statement not in later:
                cur.execute(statement)
        blocks, offset, position, head = _Blocks([], b""), 0, 0, GENESIS_HASH
        for chunk in _chunks(self._store._from_start(f, size, _Replay())):
            offset = self._insert(cur, chunk, offset, blocks)
            position, head = chunk[-1].position, chunk[-1].hash
        for statement in later:
            cur.execute(statement)
        self._moved(cur, f, offset, position, head, blocks)
        cur.execute("SELECT COUNT(*) FROM timeline_read_events WHERE is_current = 1")
        return cur.fetchone()[0]

    def _catch_up(self, cur: Any, f: Any, source: _Source, size: int) -> None:
        """Check and project the entries in ``[source.offset, size)``."""
        from .jsonl import _lines, _read_exact

        self._log, self._source = f, source
        last_time = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)
        if source.position:  # the entry at the tracked position must be the tracked head
            head = self._entries(cur, [source.position])[source.position]
            if head.hash != source.head:
                raise _Mismatch
            last_time = head.recorded_at
        start = source.offset - source.offset % BLOCK
        tail = _read_exact(f, start, source.offset - start)
        if tail and hashlib.sha256(tail).hexdigest() != source.blocks[-1]:
            raise _Mismatch
        blocks = _Blocks(source.blocks[:start // BLOCK], tail)
        chain = Chain(source.position, source.head, last_time, rules=False)
        entries = (chain.take(line) for _, line in _lines(f, size, start=source.offset))
        offset, position, head = source.offset, source.position, source.head
        for chunk in _chunks(entries):
            _check_rules(cur, chunk)
            offset = self._insert(cur, chunk, offset, blocks)
            position, head = chunk[-1].position, chunk[-1].hash
        self._moved(cur, f, offset, position, head, blocks)

    @staticmethod
    def _insert(cur: Any, chunk: list[Entry], offset: int, blocks: _Blocks) -> int:
        rows = []
        for entry in chunk:
            line = entry.to_line()
            rows.append((entry.position, offset, len(line) - 1, format_time(entry.recorded_at),
                         entry.type, entry.event_id, entry.idempotency_key, entry.hash))
            blocks.feed(line)
            offset += len(line)
        cur.executemany(f"INSERT INTO timeline_entries ({', '.join(_INDEX_COLUMNS)}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        _project(_D, cur, chunk)
        return offset

    @staticmethod
    def _moved(cur: Any, f: Any, offset: int, position: int, head: str,
               blocks: _Blocks) -> None:
        device, inode = _identity(f)
        cur.execute("DELETE FROM timeline_file_source")
        cur.execute("INSERT INTO timeline_file_source (kind, library, layout, format, device, "
                    "inode, byte_offset, blocks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (_KIND, __version__, _LAYOUT, FORMAT_VERSION, device, inode, offset,
                     json.dumps(blocks.hashes())))
        _track(_D, cur, position, head)

    # -- rebuild and verify --------------------------------------------------------------

    def rebuild(self) -> ReadModelReport:
        try:
            with self._opened() as (f, conn):
                size = self._size(f)
                cur = conn.cursor()
                cur.execute("BEGIN IMMEDIATE")
                try:
                    events = self._rebuild(cur, f, size)
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                source = _source(conn.cursor())
        except (OSError, sqlite3.Error) as exc:
            raise self._unwritable(exc) from None
        assert source is not None
        return ReadModelReport(True, source.position, source.head, events)

    def check(self) -> ReadModelReport:
        """Catch the read model up with the log (rebuilding it if it is stale or from another
        file), then compare every row with a fresh fold of the file."""
        try:
            with self._opened() as (f, conn):
                size = self._size(f)
                self._follow(conn, f, size)
                with self._reading(conn, f, size):
                    return super().check()
        except (OSError, sqlite3.Error) as exc:
            return ReadModelReport(False, reason=f"not kept: {self._unusable(exc)}")
        except (_Stale, _Mismatch, _Moved):
            return ReadModelReport(False, reason="not checked: the log changed while it was "
                                   "read; run 'timeline verify LOG' again")

    def _parsed(self, cur: Any, upto: int) -> Iterator[Entry]:
        """The file's entries up to the tracked offset, parsed (``verify`` checked them),
        each compared with its ``timeline_entries`` row, the blocks with their hashes."""
        from .jsonl import _lines

        source = self._source
        assert source is not None
        blocks, offset, last = _Blocks([], b""), 0, None

        def parsed() -> Iterator[Entry]:
            for _, line in _lines(self._log, source.offset):
                yield Entry.from_checked_line(line)

        for chunk in _chunks(parsed()):
            cur.execute(f"SELECT {', '.join(_INDEX_COLUMNS)} FROM timeline_entries WHERE "
                        "position >= ? AND position <= ? ORDER BY position",
                        (chunk[0].position, chunk[-1].position))
            rows = {row[0]: row for row in cur.fetchall()}
            for entry in chunk:
                line = entry.to_line()
                want = (entry.position, offset, len(line) - 1, format_time(entry.recorded_at),
                        entry.type, entry.event_id, entry.idempotency_key, entry.hash)
                have = rows.get(entry.position)
                if have != want:
                    wrong = ["every column (no row)"] if have is None else [
                        name for name, a, b in zip(_INDEX_COLUMNS, have, want) if a != b]
                    raise self._differs(f"indexes the entry at position {entry.position} "
                                        f"wrongly ({', '.join(wrong)})", entry.position)
                blocks.feed(line)
                offset += len(line)
                last = entry
            yield from chunk
        cur.execute("SELECT MIN(position) FROM timeline_entries WHERE position > ?",
                    (last.position if last else 0,))
        extra = cur.fetchone()[0]
        if extra is not None:
            raise self._differs(f"indexes a position {extra} the log does not hold", extra)
        if blocks.hashes() != source.blocks or (last.hash if last else GENESIS_HASH) != (
                source.head) or (last.position if last else 0) != upto:
            raise self._differs("was made from other bytes than the log's", upto)

    def _unusable(self, exc: BaseException) -> str:
        return (f"the cache folder {str(self._database.parent)!r} cannot be used "
                f"({getattr(exc, 'strerror', None) or exc}); reads fold the log")

    def _unwritable(self, exc: BaseException) -> LogError:
        return LogError(f"read model: {self._unusable(exc)}.", field="cache",
                        value=str(self._database.parent),
                        fix="Make TIMELINE_CACHE_DIR a writable folder of your own, or set "
                        "it empty to turn the cache off.")


class _Blocks:
    """SHA-256 of each :data:`BLOCK` of a byte stream fed in order (the last partial)."""

    def __init__(self, done: list[str], tail: bytes) -> None:
        self._done = list(done)
        self._hash = hashlib.sha256(tail)
        self._size = len(tail)

    def feed(self, data: bytes) -> None:
        while data:
            take = data[:BLOCK - self._size]
            self._hash.update(take)
            self._size += len(take)
            data = data[len(take):]
            if self._size == BLOCK:
                self._done.append(self._hash.hexdigest())
                self._hash, self._size = hashlib.sha256(), 0

    def hashes(self) -> list[str]:
        return self._done + ([self._hash.hexdigest()] if self._size else [])


def _scan(f: Any, source: _Source, spans: list[tuple[int, int]]) -> dict[int, bytes]:
    """``{start: bytes}`` of each ``(start, length)`` span, read in one pass over
    ``[0, source.offset)`` in which every block must hash as the record says."""
    from .jsonl import _read_exact

    spans = sorted(set(spans))
    if spans and spans[-1][0] + spans[-1][1] > source.offset:
        raise _Stale
    if len(source.blocks) != -(-source.offset // BLOCK):
        raise _Mismatch
    found: dict[int, bytes] = {}
    parts: list[bytes] = []
    i = 0
    for index, begin in enumerate(range(0, source.offset, BLOCK)):
        data = _read_exact(f, begin, min(BLOCK, source.offset - begin))
        if hashlib.sha256(data).hexdigest() != source.blocks[index]:
            raise _Mismatch
        stop = begin + len(data)
        while i < len(spans) and spans[i][0] < stop:
            start, length = spans[i]
            parts.append(data[max(start, begin) - begin:min(start + length, stop) - begin])
            if start + length > stop:
                break  # goes on in the next block
            found[start] = b"".join(parts)
            parts = []
            i += 1
    return found


def _source(cur: Any) -> _Source | None:
    """What the tables reflect, or ``None`` (none yet, or of another version)."""
    if not has_read_model(_D, cur):
        return None
    cur.execute(_D.has_table, ("timeline_file_source",))
    if cur.fetchone() is None:
        return None
    cur.execute("SELECT library, layout, format, device, inode, byte_offset, blocks "
                "FROM timeline_file_source WHERE kind = ?", (_KIND,))
    row, tracked = cur.fetchone(), tracking(_D, cur)
    if row is None or tracked is None or tuple(row[:3]) != (__version__, _LAYOUT, FORMAT_VERSION) \
            or tracked[0] != READ_MODEL_VERSION:
        return None
    try:
        blocks = json.loads(row[6])
        if not (isinstance(blocks, list) and all(isinstance(b, str) for b in blocks)
                and type(row[5]) is int and type(tracked[1]) is int):
            return None
    except ValueError:
        return None
    return _Source((row[3], row[4]), row[5], tracked[1], tracked[2], blocks)


def _identity(f: Any) -> tuple[int, int]:
    status = os.fstat(f.fileno())
    return status.st_dev, status.st_ino


def _check_rules(cur: Any, chunk: list[Entry]) -> None:
    """The rules that need the whole log, for entries appended after the tables' head:
    transitions (from each event's latest indexed entry) and unique idempotency keys."""
    live: dict[str, bool] = {}
    keys: set[str] = set()
    for entry in chunk:
        if entry.event_id not in live:
            cur.execute("SELECT type FROM timeline_entries WHERE event_id = ? "
                        "ORDER BY position DESC LIMIT 1", (entry.event_id,))
            row = cur.fetchone()
            if row is not None:
                live[entry.event_id] = row[0] != "retracted"
        check_transition(live, entry.type, entry.event_id, position=entry.position)
        live[entry.event_id] = entry.type != "retracted"
        key = entry.idempotency_key
        if key is not None:
            cur.execute("SELECT position FROM timeline_entries WHERE idempotency_key = ?", (key,))
            row = cur.fetchone()
            if row is not None or key in keys:
                raise LogCorruptError(
                    f"log entry at position {entry.position} repeats the idempotency key "
                    f"{key!r}; a key names one append.", position=entry.position)
            keys.add(key)
