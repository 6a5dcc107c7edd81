"""The PostgreSQL store: one log in a PostgreSQL database, for a team on several machines.

Needs ``psycopg`` 3 (``pip install 'diplomatic-timeline[postgres]'``). The
location is a libpq connection URI, ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB``;
the password is better kept in ``~/.pgpass`` or ``PGPASSWORD`` than in the URL
(messages never show it). Several logs can share a database, one schema each:
``postgresql://host/db?options=-csearch_path%3Dteam_a`` (``timeline init``
creates the schema).

- **One global order, insert order equal to commit order.** An append is one
  transaction that first runs ``LOCK TABLE timeline_entries IN EXCLUSIVE
  MODE`` (as the ``eventsourcing`` library's PostgreSQL recorder does), then
  reads the head, checks, inserts and commits. The lock queues writers on every
  connection and machine and is held until the commit, so positions are
  committed in order: a reader never sees position N+1 before N, and no
  writer's entries interleave with another's. Readers are not blocked (the
  lock allows ``SELECT``). A writer waits up to 60 s for the lock, then gets
  :class:`~timeline.errors.LogError`.
- **Optimistic concurrency.** ``expected_position`` is checked under the
  lock, like the file store's, and fails with the same
  :class:`~timeline.errors.ConcurrencyError` (exit 3). The primary key on
  ``position`` makes a position taken twice impossible even without it.
- **Acknowledged** means committed: with the server's default
  ``synchronous_commit = on`` the commit has reached the server's disk. If the
  connection drops during the commit the outcome is unknown; retry with the
  same idempotency key.
- **Schema version.** ``timeline init`` writes ``schema_version`` to
  ``timeline_meta``; a database with a newer one is refused
  (:class:`~timeline.errors.SchemaVersionError`, exit 4).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import LogError, LogExistsError
from .base import Filler, Writer, check_empty
from .sql import SQLStore, schema

__all__ = ["PostgresStore"]

_LOCK_TIMEOUT = "60s"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise LogError("log: a postgresql:// log needs the psycopg package, which is not "
                       "installed.", field="log", value="postgresql://",
                       fix="Install it with: pip install 'diplomatic-timeline[postgres]'") from None
    return psycopg


def _masked(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore(SQLStore):
    """A log in a PostgreSQL database. ``PostgresStore(url)`` opens an existing one
    (:class:`~timeline.errors.LogNotFoundError` if the database holds none);
    :meth:`create` sets up the schema. One object may be shared by threads (one
    connection, used under a lock); a forked process opens its own."""

    _placeholder = "%s"

    def __init__(self, url: str) -> None:
        self._bind(url)
        with self._cursor() as cur:
            self._check_schema(cur)
            cur.execute("SELECT current_database(), current_schema()")
            database, namespace = cur.fetchone()
            self.title = namespace if namespace and namespace != "public" else database

    def _bind(self, url: str) -> None:
        self.path = None
        self.location = _masked(url)
        self._url = url
        self._mutex = threading.RLock()

    @classmethod
    def create(cls, url: str) -> PostgresStore:
        """Create the schema (and the search path's schema if it does not exist yet), in
        one transaction. Raises LogExistsError if the database already holds a log."""
        store = cls.__new__(cls)
        store._bind(url)
        try:
            with store._cursor() as cur, cur.connection.transaction():
                if store._make_schema(cur):
                    raise LogExistsError(f"log: {store.location!r} already holds a timeline "
                                         "log.", field="log", value=store.location,
                                         fix="Choose another database or schema, or use the "
                                             "existing log.")
        finally:
            store.close()
        return cls(url)

    @classmethod
    @contextmanager
    def filling(cls, location: str) -> Iterator[Filler]:
        """Fill the log at ``location`` in ONE transaction that also creates the schema if
        there is none: nothing of it is visible before the commit, and a kill rolls it
        all back (the server ends the transaction of a lost connection)."""
        store = cls.__new__(cls)
        store._bind(location)
        try:
            with store._locked(create=True) as cur:
                writer = store._writer(cur)
                check_empty(store.location, writer.position)
                yield writer
        finally:
            store.close()

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        with self._locked() as cur:
            yield self._writer(cur)

    def identity(self) -> tuple[Any, ...]:
        """What tells this log from every other: the server (its port and start time), the
        database and the table's oid (which also tells schemas apart)."""
        with self._cursor() as cur:
            cur.execute("SELECT current_setting('port'), pg_postmaster_start_time()::text, "
                        "current_database(), to_regclass('timeline_entries')::oid::bigint")
            return tuple(cur.fetchone())

    # -- internals -------------------------------------------------------------------------

    @contextmanager
    def _locked(self, *, create: bool = False) -> Iterator[Any]:
        """A transaction holding the write lock; ``create``: making the schema first if the
        database holds no log (an existing one is checked as opening checks it)."""
        with self._cursor() as cur, cur.connection.transaction():
            if create and self._make_schema(cur):
                self._check_schema(cur)
            cur.execute(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
            # Held to the commit: insert order is commit order (eventsourcing's recorder).
            cur.execute("LOCK TABLE timeline_entries IN EXCLUSIVE MODE")
            yield cur

    def _make_schema(self, cur: Any) -> bool:
        """In the caller's transaction: create the search path's schema if it does not exist
        yet, then the tables unless there is a log; whether there was one."""
        psycopg = _psycopg()
        cur.execute("SELECT current_schema()")
        if cur.fetchone()[0] is None:  # the schema named by search_path is not there yet
            cur.execute("SHOW search_path")
            name = cur.fetchone()[0].split(",")[0].strip().strip('"')
            cur.execute(psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                psycopg.sql.Identifier(name)))
        if self._has_schema(cur):
            return True
        for statement in schema("BIGINT"):
            cur.execute(statement)
        return False

    def _connect(self) -> Any:
        return _connection(self._url, self.location)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._mutex, _errors(self.location), self._connected().cursor() as cur:
            yield cur

    def _has_schema(self, cur: Any) -> bool:
        cur.execute("SELECT to_regclass('timeline_meta') IS NOT NULL")
        return bool(cur.fetchone()[0])


def _connection(url: str, location: str) -> Any:
    psycopg = _psycopg()
    with _errors(location):
        return psycopg.connect(url, autocommit=True)


@contextmanager
def _errors(location: str) -> Iterator[None]:
    """psycopg errors as LogError, saying what to check."""
    psycopg = _psycopg()
    try:
        yield
    except psycopg.errors.LockNotAvailable:
        raise LogError(f"log: {location!r} stayed locked by another writer for "
                       f"{_LOCK_TIMEOUT}.", field="log", value=location,
                       fix="Try again; look for a session that holds the lock.") from None
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise LogError(f"log: {location!r} cannot be reached: {reason}", field="log",
                       value=location,
                       fix="Check that the server runs and that the URL's host, port, database "
                           "and user are right. An append cut off here may or may not have "
                           "been committed: retry it with the same idempotency key.") from None
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LogError(f"log: {location!r}: the database refused: {reason}.", field="log",
                       value=location, fix="Check the database user's rights on the log's "
                       "tables.") from None
