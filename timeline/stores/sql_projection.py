"""The SQL stores' read model: an inline projection of the chronology, in the log's database.

Tables (schema version 2; ``docs/read-model.md``)::

    timeline_read_events(position PRIMARY KEY, event_id, sort_lower, sort_upper,
                         precision_rank, status, cameo, search_text, is_current)
    timeline_read_actors(position, code)     -- PRIMARY KEY (position, code)
    timeline_read_tags(position, tag)        -- PRIMARY KEY (position, tag)
    timeline_read_tracking(name PRIMARY KEY, version, position, head)

One ``timeline_read_events`` row per *recorded* or *revised* entry: the event as that
entry states it, reduced to what the filters need (its sort key, status, CAMEO code,
casefolded text; its actors' codes and its tags in the two side tables).
``is_current`` marks the rows of the current chronology: each event's latest entry,
unless it was retracted (a partial unique index keeps one a event). As-of reads take
the latest row per event at or before a position from the entries themselves. The
tracking record holds the position and head hash the tables reflect.

:func:`follow` runs inside every append's transaction, under the write lock, before
the entries are inserted: if the tracking record is not the log's head (a database
written by release 1, which has no read model, or one changed by hand) the tables are
rebuilt from the entries first; then the new entries are projected and the tracking
record moved on. So the log and its read model commit together or not at all.

What a read takes from the read model is only *which* entries to show, in which order;
what it shows comes from those entries, checked as every read of a row is (see
:mod:`timeline.stores.sql_readmodel`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..entries import GENESIS_HASH, Entry

__all__ = ["READ_MODEL_VERSION", "Dialect", "dialect", "dialect_of", "follow", "rebuild_tables",
           "projection_schema", "entry_rows"]

#: The layout of the read model tables; a tracking record with another version is rebuilt.
READ_MODEL_VERSION = 1
_NAME = "chronology"  # the tracking record's name: the one projection kept
_CHUNK = 5000  # entries projected a statement batch when rebuilding
# Dropped in the order readers lock them (the tracking record first), so that a rebuild
# waits for readers instead of deadlocking with one (PostgreSQL).
_TABLES = ("timeline_read_tracking", "timeline_read_events", "timeline_read_actors",
           "timeline_read_tags")
SEPARATOR = "\x1f"  # between the texts of search_text; no record text holds it


class Dialect:
    """What differs between SQLite and PostgreSQL in the read model's SQL."""

    def __init__(self, placeholder: str, integer: str, collate: str, substring: str,
                 has_table: str, snapshot: str) -> None:
        self.placeholder = placeholder
        self.integer = integer  # the position type
        self.collate = collate  # compares text code point by code point, as Python does
        self.substring = substring  # "instr" / "strpos": 1-based index of a substring
        self.has_table = has_table
        self.snapshot = snapshot  # begins a read-only transaction that sees one state

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)


_SQLITE = Dialect("?", "INTEGER", "", "instr",
                  "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", "BEGIN")
# COLLATE "C": sorts and prefix ranges by code point, as Python compares strings. (Not on
# event_id, which is compared with timeline_entries.event_id and its index.)
_POSTGRES = Dialect("%s", "BIGINT", ' COLLATE "C"', "strpos",
                    "SELECT 1 WHERE to_regclass(%s) IS NOT NULL",
                    "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def dialect(store: Any) -> Dialect:
    """The dialect of a :class:`~timeline.stores.sql.SQLStore`."""
    return _POSTGRES if store._placeholder == "%s" else _SQLITE


def dialect_of(position_type: str) -> Dialect:
    """The dialect whose position type is ``position_type`` (``INTEGER``, ``BIGINT``)."""
    return _POSTGRES if position_type == "BIGINT" else _SQLITE


def projection_schema(d: Dialect) -> list[str]:
    """The statements that create the read model tables, empty, reflecting position 0."""
    integer, text = d.integer, f"TEXT{d.collate}"
    return [
        f"CREATE TABLE timeline_read_events (position {integer} PRIMARY KEY, "
        f"event_id TEXT NOT NULL, sort_lower {text} NOT NULL, sort_upper {text} NOT NULL, "
        f"precision_rank INTEGER NOT NULL, status {text} NOT NULL, cameo {text}, "
        "search_text TEXT NOT NULL, is_current INTEGER NOT NULL)",
        "CREATE UNIQUE INDEX timeline_read_events_current ON timeline_read_events (event_id) "
        "WHERE is_current = 1",
        "CREATE INDEX timeline_read_events_order ON timeline_read_events "
        "(is_current, sort_lower, sort_upper, precision_rank, event_id)",
        "CREATE INDEX timeline_read_events_cameo ON timeline_read_events (cameo, position)",
        f"CREATE TABLE timeline_read_actors (position {integer} NOT NULL, code {text} NOT NULL, "
        "PRIMARY KEY (position, code))",
        "CREATE INDEX timeline_read_actors_code ON timeline_read_actors (code, position)",
        f"CREATE TABLE timeline_read_tags (position {integer} NOT NULL, tag {text} NOT NULL, "
        "PRIMARY KEY (position, tag))",
        "CREATE INDEX timeline_read_tags_tag ON timeline_read_tags (tag, position)",
        f"CREATE TABLE timeline_read_tracking (name TEXT PRIMARY KEY, version INTEGER NOT NULL, "
        f"position {integer} NOT NULL, head TEXT NOT NULL)",
        f"INSERT INTO timeline_read_tracking (name, version, position, head) VALUES "
        f"('{_NAME}', {READ_MODEL_VERSION}, 0, '{GENESIS_HASH}')",
    ]


# -- rows --------------------------------------------------------------------------------------

def event_row(entry: Entry) -> tuple[Any, ...]:
    """The ``timeline_read_events`` columns (without ``is_current``) for an entry that
    holds an event: what the filters and the order of :mod:`timeline.chronology` read."""
    event = entry.event
    assert event is not None
    lower, upper, rank = event.date.sort_key
    hay = [event.title, event.summary, *(a.name or "" for a in event.actors),
           event.place.name if event.place else ""]
    return (entry.position, event.id, lower.isoformat(), upper.isoformat(), rank, event.status,
            event.cameo, SEPARATOR.join(h.casefold() for h in hay))


def entry_rows(entry: Entry) -> tuple[tuple[Any, ...], list[str], list[str]] | None:
    """``(event row, actor codes, tags)`` for an entry, or ``None`` for a retraction."""
    if entry.event is None:
        return None
    return (event_row(entry), sorted({a.code for a in entry.event.actors}),
            sorted(entry.event.tags))


# -- writing -----------------------------------------------------------------------------------

def has_read_model(d: Dialect, cur: Any) -> bool:
    """Whether the database holds the read model tables (release 1 made none)."""
    cur.execute(d.has_table, ("timeline_read_tracking",))
    return cur.fetchone() is not None


def tracking(d: Dialect, cur: Any) -> tuple[int, int, str] | None:
    """``(version, position, head)`` of the tracking record, or ``None`` if there is none."""
    cur.execute(d.sql("SELECT version, position, head FROM timeline_read_tracking "
                      "WHERE name = ?"), (_NAME,))
    row = cur.fetchone()
    return None if row is None else (row[0], row[1], row[2])


def follow(store: Any, cur: Any, position: int, head: str, entries: list[Entry]) -> None:
    """Project ``entries``, about to be appended after ``(position, head)``, in the
    append's transaction; rebuild the tables first if they do not reflect that head."""
    d = dialect(store)
    if not (has_read_model(d, cur) and tracking(d, cur) == (READ_MODEL_VERSION, position, head)):
        rebuild_tables(store, cur, upto=position)
    _project(d, cur, entries)
    last = entries[-1]
    _track(d, cur, last.position, last.hash)


def rebuild_tables(store: Any, cur: Any, *, upto: int) -> int:
    """Make the tables again (and mark the schema version 2) and project every entry up
    to ``upto``; the caller holds the write lock. Returns the number of current events."""
    from .sql import SCHEMA_VERSION

    d = dialect(store)
    for table in _TABLES:  # made again, indexes included: nothing of the old one is kept
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in projection_schema(d):
        cur.execute(statement)
    cur.execute(d.sql("UPDATE timeline_meta SET value = ? WHERE key = 'schema_version'"),
                (str(SCHEMA_VERSION),))
    head, live = GENESIS_HASH, set()
    for chunk in _chunks(store.entries(upto=upto)):
        _project(d, cur, chunk)
        head = chunk[-1].hash
        for entry in chunk:
            (live.discard if entry.type == "retracted" else live.add)(entry.event_id)
    _track(d, cur, upto, head)
    return len(live)


def _chunks(entries: Iterable[Entry]) -> Iterator[list[Entry]]:
    chunk: list[Entry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == _CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _project(d: Dialect, cur: Any, entries: list[Entry]) -> None:
    """Insert the rows of ``entries`` (in position order) and move ``is_current``."""
    events: list[list[Any]] = []
    actors: list[tuple[int, str]] = []
    tags: list[tuple[int, str]] = []
    here: dict[str, int | None] = {}  # event id -> index in events of its row, None: retracted
    ended: list[tuple[str]] = []  # events whose current row, from before, is current no more
    for entry in entries:
        event_id = entry.event_id
        if entry.type != "recorded":
            if event_id not in here:
                ended.append((event_id,))
            elif here[event_id] is not None:
                events[here[event_id]][-1] = 0  # type: ignore[index]
        rows = entry_rows(entry)
        if rows is None:
            here[event_id] = None
            continue
        row, codes, names = rows
        here[event_id] = len(events)
        events.append([*row, 1])
        actors += [(entry.position, code) for code in codes]
        tags += [(entry.position, tag) for tag in names]
    if ended:
        cur.executemany(d.sql("UPDATE timeline_read_events SET is_current = 0 "
                              "WHERE event_id = ? AND is_current = 1"), ended)
    if events:
        cur.executemany(d.sql(
            "INSERT INTO timeline_read_events (position, event_id, sort_lower, sort_upper, "
            "precision_rank, status, cameo, search_text, is_current) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), [tuple(r) for r in events])
    if actors:
        cur.executemany(d.sql("INSERT INTO timeline_read_actors (position, code) VALUES (?, ?)"),
                        actors)
    if tags:
        cur.executemany(d.sql("INSERT INTO timeline_read_tags (position, tag) VALUES (?, ?)"),
                        tags)


def _track(d: Dialect, cur: Any, position: int, head: str) -> None:
    cur.execute(d.sql("UPDATE timeline_read_tracking SET position = ?, head = ? WHERE name = ?"),
                (position, head, _NAME))
