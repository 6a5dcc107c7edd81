"""Reading the SQL stores' read model (:mod:`timeline.stores.sql_projection`): filters and
as-of run in the database, with its indexes; the answer is the fold's, exactly.

A read is one read-only transaction that sees one state of the database (SQLite: a
deferred ``BEGIN`` in WAL mode; PostgreSQL: ``REPEATABLE READ, READ ONLY``):

1. The tracking record must be the log's head, read from ``timeline_entries`` and
   checked (its line, hash and link to the row before), and of this read model version;
   otherwise the read model cannot answer (``None``: the caller folds the log).
2. One query selects the rows of the current chronology (``is_current``), or, as of
   position N, each event's latest row at or before N that is not followed by a later
   entry of the event up to N (a retraction included), from the entries' own
   ``(event_id, position)`` index. Filters become SQL on the indexed columns: date
   overlap on the sort bounds, actor-code and CAMEO prefixes as ranges, tag and status
   equality, text as a substring of the casefolded texts. Sorted by the fold's key.
3. Each row's event is read from its entry's line, checked like any row read
   (``Entry.from_line``: bytes, hash, link to the row before; the columns against the
   line). Record times, first position and revision count come from the entries too.
   Then the fold's own filter (:meth:`EventFilter.keep`) decides, so the SQL need only
   select a superset (Python's casefold has no SQL equal). A row whose entry is not the
   event's latest, or that comes out of order, means the tables were changed: ``None``.

What a read cannot see is a row removed or changed so that it is no longer selected;
``timeline verify`` (:meth:`SQLReadModel.check`) compares every row with a fresh fold.
"""

from __future__ import annotations

import datetime as _dt
import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..chronology import Chronology, EventFilter, EventState, sort_key
from ..entries import GENESIS_HASH, Entry, format_time, parse_time
from ..errors import LogCorruptError
from ..streams import EventStream
from .readmodel import ReadModel, ReadModelReport
from .sql_projection import (_CHUNK, READ_MODEL_VERSION, _chunks, dialect, entry_rows,
                             has_read_model, rebuild_tables, tracking)

__all__ = ["SQLReadModel"]

_ENTRY = "e.position, e.recorded_at, e.type, e.event_id, e.idempotency_key, e.hash, e.line"
_QUERY = (  # {entry}: the entry's columns; the last five are the same for every store
    "SELECT r.position, r.event_id, {entry}, p.hash, "
    "(SELECT MIN(x.position) FROM timeline_entries x WHERE x.event_id = r.event_id), "
    "(SELECT x.recorded_at FROM timeline_entries x WHERE x.event_id = r.event_id "
    "ORDER BY x.position LIMIT 1), "
    "(SELECT COUNT(*) FROM timeline_entries x WHERE x.event_id = r.event_id "
    "AND x.type = 'revised' AND x.position <= r.position), "
    "(SELECT MAX(x.position) FROM timeline_entries x WHERE x.event_id = r.event_id "
    "AND x.position <= ?) "
    "FROM timeline_read_events r "
    "LEFT JOIN timeline_entries e ON e.position = r.position "
    "LEFT JOIN timeline_entries p ON p.position = r.position - 1 "
    "WHERE {where} "
    "ORDER BY r.sort_lower, r.sort_upper, r.precision_rank, r.event_id{collate}")
_AS_OF = ["r.position <= ?", "NOT EXISTS (SELECT 1 FROM timeline_entries x WHERE "
          "x.event_id = r.event_id AND x.position > r.position AND x.position <= ?)"]
_ACTOR_CODE = re.compile(r"[A-Z0-9]+")  # every CAMEO actor code is made of these
_CAMEO_CODE = re.compile(r"[0-9]+")
_BATCH = 500  # rows a fetchmany: memory holds a batch, not the export
_EVENT_COLUMNS = ("position", "event_id", "sort_lower", "sort_upper", "precision_rank",
                  "status", "cameo", "search_text")


class _Stale(Exception):
    """The read model cannot answer: the caller folds the log."""


class SQLReadModel(ReadModel):
    """The read model of a :class:`~timeline.stores.sql.SQLStore`.

    The file store's read model (:mod:`timeline.stores.file_readmodel`) reuses the
    reading and the checking, over a database of its own: ``_ENTRY_COLUMNS``,
    :meth:`_until`, :meth:`_states`, :meth:`_head`, :meth:`_snapshot` and :meth:`_parsed`
    are what differ.
    """

    _ENTRY_COLUMNS = _ENTRY

    def __init__(self, store: Any) -> None:
        self._store = store
        self._dialect = dialect(store)

    # -- reading -------------------------------------------------------------------------

    def chronology(self, as_of: int | _dt.datetime | None, wanted: EventFilter,
                   title: str) -> Chronology | None:
        try:
            with self._snapshot() as cur:
                return self._read(cur, as_of, wanted, title)
        except (_Stale, LogCorruptError, ValueError):
            return None  # the fold answers, or names what is wrong with the log

    def events(self, as_of: int | _dt.datetime | None, wanted: EventFilter,
               title: str) -> EventStream | None:
        """The events in batches of ``_BATCH`` rows (``fetchmany``), from one read
        transaction on a connection of the stream's own, checked and filtered as
        :meth:`chronology` does them; ``None`` if the read model cannot answer.

        The connection is not the store's: the stream does not hold the store's mutex
        while its consumer writes, so a writer in another thread (or the consumer
        itself) appends meanwhile, and the stream still sees the snapshot its
        transaction began with (SQLite in WAL mode; PostgreSQL ``REPEATABLE READ``).
        The connection is closed when the stream ends, fails or is abandoned (its
        generator closed or collected). Before it returns, the query is run once in that
        snapshot and every row checked and counted (what the filter keeps: the SQL
        selects a superset), so a row that does not match its entry makes it ``None``
        (the caller folds, as :meth:`chronology` does) before any event is written, and
        ``count`` is known; the rows are then read a second time to be yielded. PostgreSQL's driver holds a query's result
        client-side, so there only the states, not the rows, are made a batch at a time.
        """
        store, d = self._store, self._dialect
        with store._driver_errors():
            connection = store._connect()
        try:
            with store._driver_errors():
                cur = connection.cursor()
                cur.execute(d.snapshot)
                plan = self._plan(cur, as_of, wanted, store._checked_head)
        except (_Stale, LogCorruptError, ValueError):
            plan = None  # the fold answers, or names what is wrong with the log
        except BaseException:
            connection.close()
            raise
        if plan is None:
            connection.close()
            return None
        end, query, params = plan

        def rows(on: Any) -> Iterator[tuple[Any, ...]]:
            with store._driver_errors():
                if end:
                    on.execute(query, params)
                    while batch := on.fetchmany(_BATCH):
                        yield from batch

        try:  # every row checked once before the first is yielded: a wrong one folds
            counted = sum(1 for _ in _states(rows(connection.cursor()), wanted))
        except BaseException as exc:
            connection.close()
            if isinstance(exc, _Stale):
                return None
            raise

        def states() -> Iterator[EventState]:
            try:
                yield from _states(rows(cur), wanted)
            except _Stale:  # the same snapshot, read again: only if the database lies
                raise self._differs("has a row that does not match the log's entries "
                                    "(found while reading it)", end) from None
            finally:
                done()

        events = states()
        done = weakref.finalize(events, connection.close)  # abandoned unstarted: closed too
        return EventStream(events, count=counted, title=title, position=end)

    def _read(self, cur: Any, as_of: int | _dt.datetime | None, wanted: EventFilter,
              title: str) -> Chronology:
        plan = self._plan(cur, as_of, wanted, self._head)
        if plan is None:
            raise _Stale
        end, query, params = plan
        if end == 0:
            return Chronology((), title=title, position=0)
        cur.execute(query, params)
        return Chronology(tuple(self._states(cur.fetchall(), wanted)), title=title,
                          position=end)

    def _plan(self, cur: Any, as_of: int | _dt.datetime | None, wanted: EventFilter,
              head: Any) -> tuple[int, str, tuple[Any, ...]] | None:
        """(end position, query, parameters) of a read, ``None`` if the read model cannot
        answer; ``head(cur)`` gives the log's checked head."""
        d = self._dialect
        if not has_read_model(d, cur):
            return None
        position, last = head(cur)
        if tracking(d, cur) != (READ_MODEL_VERSION, position, last):
            return None
        end = position
        if isinstance(as_of, _dt.datetime):
            end = min(end, self._until(cur, as_of))
        elif as_of is not None:
            end = min(end, max(as_of, 0))
        where, params = _where(d, wanted)
        if end == position:
            where.insert(0, "r.is_current = 1")
        else:
            where[:0], params[:0] = _AS_OF, [end, end]
        return end, d.sql(_QUERY.format(entry=self._ENTRY_COLUMNS, where=" AND ".join(where),
                                        collate=d.collate)), (end, *params)

    def _until(self, cur: Any, as_of: _dt.datetime) -> int:
        """The last position recorded at or before ``as_of`` (0: none)."""
        cur.execute(self._store._sql("until"), (format_time(as_of),))
        found = cur.fetchone()
        return found[0] if found else 0

    def _states(self, rows: list[tuple[Any, ...]], wanted: EventFilter) -> Iterator[EventState]:
        return _states(rows, wanted)

    def _head(self, cur: Any) -> tuple[int, str]:
        """The log's head, its row checked as ``Store.head`` checks it; on the snapshot's
        connection, so inside its transaction (``cur`` is that connection's)."""
        return self._store.head()

    @contextmanager
    def _snapshot(self) -> Iterator[Any]:
        with self._store._cursor() as cur:
            cur.execute(self._dialect.snapshot)
            try:
                yield cur
            finally:
                cur.execute("ROLLBACK")  # read only: nothing to keep

    # -- rebuilding and checking ---------------------------------------------------------

    def rebuild(self) -> ReadModelReport:
        with self._store.writing() as writer:
            events = rebuild_tables(self._store, writer._cur, upto=writer.position)
            return ReadModelReport(True, writer.position, writer.head, events)

    def check(self) -> ReadModelReport:
        store, d = self._store, self._dialect
        with self._snapshot() as cur:
            if not has_read_model(d, cur):
                return ReadModelReport(False)
            position, head = self._head(cur)
            tracked = tracking(d, cur)
            if tracked != (READ_MODEL_VERSION, position, head):
                shown = ("has no tracking record" if tracked is None else
                         f"reflects position {tracked[1]} (head {tracked[2]}, version "
                         f"{tracked[0]})")
                raise self._differs(f"{shown}, but the log's head is position {position} "
                                    f"(head {head}, version {READ_MODEL_VERSION})", position)
            live: dict[str, int] = {}
            for chunk in _chunks(self._parsed(cur, position)):
                expected = {}
                for entry in chunk:
                    if entry.type == "retracted":
                        live.pop(entry.event_id, None)
                    else:
                        live[entry.event_id] = entry.position
                    rows = entry_rows(entry)
                    if rows is not None:
                        expected[entry.position] = rows
                self._compare(cur, chunk[0].position - 1, chunk[-1].position, expected)
            self._compare(cur, position, None, {})  # nothing after the head
            cur.execute("SELECT position, event_id FROM timeline_read_events "
                        "WHERE is_current = 1")
            marked = dict(cur.fetchall())
            wrong = sorted(set(marked) ^ set(live.values()))
            if wrong:
                at = wrong[0]
                raise self._differs(
                    f"marks the entry at position {at} as the current state of event "
                    f"{marked[at]!r}, which it is not" if at in marked else
                    f"does not mark the entry at position {at} as the current state of its "
                    "event", at)
        return ReadModelReport(True, position, head, len(live))

    def _parsed(self, cur: Any, upto: int) -> Iterator[Entry]:
        """The entries up to ``upto``, parsed without checking them again: the fresh fold
        the read model is compared with. ``verify`` checks the entries themselves (the
        CLI runs it first); a line that cannot even be parsed is named here."""
        position = 0
        while position < upto:
            cur.execute(self._dialect.sql(
                "SELECT position, line FROM timeline_entries WHERE position > ? AND "
                f"position <= ? ORDER BY position LIMIT {_CHUNK}"), (position, upto))
            rows = cur.fetchall()
            if not rows:
                rows = [(position + 1, None)]
            for at, line in rows:
                try:
                    entry = Entry.from_checked_line(line.encode("utf-8"))
                    assert entry.position == at == position + 1
                except Exception:  # noqa: BLE001 - anything: the log is not as verify wants it
                    raise LogCorruptError(
                        f"log entry at position {position + 1} cannot be read to check the "
                        "read model.", position=position + 1,
                        fix=f"Run: timeline verify {self._store.location}") from None
                position = at
                yield entry

    def _compare(self, cur: Any, after: int, upto: int | None,
                 expected: dict[int, tuple[tuple[Any, ...], list[str], list[str]]]) -> None:
        """Compare the rows for positions ``after < p <= upto`` (no end: ``None``)."""
        d = self._dialect
        span = "position > ?" + ("" if upto is None else " AND position <= ?")
        params = (after,) if upto is None else (after, upto)
        cur.execute(d.sql(f"SELECT {', '.join(_EVENT_COLUMNS)} FROM timeline_read_events "
                          f"WHERE {span}"), params)
        events = {row[0]: tuple(row) for row in cur.fetchall()}
        found: dict[str, dict[int, list[str]]] = {}
        for table, column in (("timeline_read_actors", "code"), ("timeline_read_tags", "tag")):
            cur.execute(d.sql(f"SELECT position, {column} FROM {table} WHERE {span} "
                              f"ORDER BY position, {column}{d.collate}"), params)
            found[column] = defaultdict(list)
            for at, value in cur.fetchall():
                found[column][at].append(value)
        for at in sorted({*expected, *events, *found["code"], *found["tag"]}):
            if at not in expected:
                raise self._differs(f"has rows for position {at}, where the log holds no "
                                    "event (a retraction, or no entry)", at)
            row, codes, tags = expected[at]
            have = (events.get(at), found["code"].get(at, []), found["tag"].get(at, []))
            wrong = [name for name, want, got in zip(_EVENT_COLUMNS, row, have[0] or ())
                     if want != got] if have[0] is not None else ["every column (no row)"]
            wrong += [name for name, want, got in (("actors", codes, have[1]),
                                                   ("tags", tags, have[2])) if want != got]
            if wrong:
                raise self._differs(f"has a row for the entry at position {at} (event "
                                    f"{row[1]!r}) that differs from the log in "
                                    f"{', '.join(wrong)}", at)

    def _differs(self, what: str, position: int) -> LogCorruptError:
        location = self._store.location
        return LogCorruptError(
            f"read model of {location!r} {what}: it was changed outside timeline, or by "
            "another version.", position=position,
            fix=f"Rebuild it with: timeline rebuild {location}")


def _where(d: Any, wanted: EventFilter) -> tuple[list[str], list[Any]]:
    """SQL conditions selecting at least every row ``wanted.keep`` keeps."""
    where: list[str] = []
    params: list[Any] = []
    if wanted.lower is not None:  # overlap: date.min / date.max stand for open bounds
        where.append("r.sort_upper >= ?")
        params.append(wanted.lower.isoformat())
    if wanted.upper is not None:
        where.append("r.sort_lower <= ?")
        params.append(wanted.upper.isoformat())
    if wanted.actor:
        if _ACTOR_CODE.fullmatch(wanted.actor):
            where.append("r.position IN (SELECT a.position FROM timeline_read_actors a "
                         "WHERE a.code >= ? AND a.code < ?)")
            params += [wanted.actor, _after_prefix(wanted.actor)]
        else:
            where.append("1 = 0")  # no actor code holds another character
    if wanted.tag:
        if _storable(wanted.tag):
            where.append("r.position IN (SELECT t.position FROM timeline_read_tags t "
                         "WHERE t.tag = ?)")
            params.append(wanted.tag)
        else:
            where.append("1 = 0")
    if wanted.cameo:
        if _CAMEO_CODE.fullmatch(wanted.cameo):
            where.append("r.cameo >= ? AND r.cameo < ?")
            params += [wanted.cameo, _after_prefix(wanted.cameo)]
        else:
            where.append("1 = 0")
    if wanted.status:
        where.append("r.status = ?")
        params.append(wanted.status)
    if wanted.needle:
        if _storable(wanted.needle):
            where.append(f"{d.substring}(r.search_text, ?) > 0")
            params.append(wanted.needle)
        else:
            where.append("1 = 0")
    return where or ["1 = 1"], params


def _after_prefix(prefix: str) -> str:
    """The first string after every string starting with ``prefix`` (ASCII)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _storable(text: str) -> bool:
    """Text a database can take: records hold no NUL and no lone surrogate, so a filter
    with either matches nothing."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def in_order(states: Iterable[EventState]) -> Iterator[EventState]:
    """``states``, each checked to come in the fold's order; raises _Stale."""
    last = None
    for state in states:
        key = sort_key(state)
        if last is not None and key < last:
            raise _Stale
        last = key
        yield state


def _states(rows: Iterable[tuple[Any, ...]], wanted: EventFilter) -> Iterator[EventState]:
    """The states of the selected rows, each checked against its entry; raises _Stale."""
    return in_order(_unordered(rows, wanted))


def _unordered(rows: Iterable[tuple[Any, ...]], wanted: EventFilter) -> Iterator[EventState]:
    from .sql import _check_columns, _line

    for row in rows:
        position, event_id = row[0], row[1]
        first, first_time, revisions, latest = row[10:14]
        if row[2] is None or latest != position or first is None or (
                position > 1 and row[9] is None):
            raise _Stale
        entry = Entry.from_line(_line(row[2:9]), position=position,
                                prev=row[9] if position > 1 else GENESIS_HASH)
        _check_columns(row[2:9], entry)
        if entry.event is None or entry.event_id != event_id:
            raise _Stale
        if not wanted.keep(entry.event):
            continue
        yield EventState(entry.event, parse_time(first_time), entry.recorded_at, first,
                         position, revisions)
