"""The PostgreSQL store: one log in a PostgreSQL database, for a team on several machines.

Needs ``psycopg`` 3 (``pip install 'diplomatic-timeline[postgres]'``). The
location is a libpq connection URI, ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB``;
the password is better kept in ``~/.pgpass`` or ``PGPASSWORD`` than in the URL
(messages never show it: :func:`_masked` hides it wherever the URL holds it). Several logs can share a database, one schema each:
``postgresql://host/db?options=-csearch_path%3Dteam_a`` (``timeline init``
creates the schema).

- **One global order, insert order equal to commit order.** An append is one
  transaction that first runs ``LOCK TABLE timeline_entries IN EXCLUSIVE
  MODE`` (as the ``eventsourcing`` library's PostgreSQL recorder does), then
  reads the head, checks, inserts and commits. The lock queues writers on every
  connection and machine and is held until the commit, so positions are
  committed in order: a reader never sees position N+1 before N, and no
  writer's entries interleave with another's. Readers are not blocked (the
  lock allows ``SELECT``). A writer waits up to the lock timeout (60 s unless
  set: ``timeline/stores/locks.py``) for the lock, then gets
  :class:`~timeline.errors.LockTimeoutError`.
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
from urllib.parse import unquote

from ..errors import LockTimeoutError, LogError, LogExistsError
from .base import Filler, Writer, title_from_name
from .locks import lock_timeout as _lock_timeout
from .locks import waiting_if_slow
from .sql import SQLStore, schema

__all__ = ["PostgresStore"]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise LogError("log: a postgresql:// log needs the psycopg package, which is not "
                       "installed.", field="log", value="postgresql://",
                       fix="Install it with: pip install 'diplomatic-timeline[postgres]'") from None
    return psycopg


#: Parameter names whose values are secrets (password, sslpassword, oauth_client_secret...).
_SECRET_NAMES = ("password", "secret")


def _masked(url: str) -> tuple[str, tuple[str, ...]]:
    """The URL as messages show it, each password as ``***``, and the passwords it holds
    (as written and percent-decoded, longest first) for :func:`_scrubbed`.

    Follows libpq's URI grammar (``conninfo_uri_parse_options`` in ``fe-connect.c``), not
    RFC 3986's, so that what libpq takes for a password is what is hidden: the user
    information runs to the first ``@`` before any ``/`` (a ``?`` or ``#`` in a password
    stays in it, where ``urllib.parse.urlsplit`` would cut it); parameters follow the first
    ``?`` after it, ``&``-separated, their names percent-decoded (``pass%77ord``) and
    compared in any letter case.
    """
    scheme, sep, rest = url.partition("://")
    secrets: list[str] = []
    at, last = _user_information(rest)
    if at >= 0:
        user, colon, password = rest[:at].partition(":")
        if colon:  # a raw '@' in the password: libpq cuts it there, the rest is hidden too
            secrets += [password, rest[at + 1:last], rest[len(user) + 1:last]]
            rest = f"{user}:***{rest[last:]}"
            at = len(user) + 4
    query = rest.find("?", at + 1)
    if query >= 0:
        params = []
        for param in rest[query + 1:].split("&"):
            name, equals, value = param.partition("=")
            if equals and any(word in unquote(name).lower() for word in _SECRET_NAMES):
                secrets.append(value)
                param = f"{name}=***"
            params.append(param)
        rest = rest[:query + 1] + "&".join(params)
    found = {text for secret in secrets for text in (secret, unquote(secret)) if text}
    return scheme + sep + rest, tuple(sorted(found, key=len, reverse=True))


def _user_information(rest: str) -> tuple[int, int]:
    """Where the user information of ``rest`` (a URL after ``://``) ends: ``(the first
    '@' before any '/', as libpq reads it; the last '@' before the host's '/' or '?')``,
    ``(-1, -1)`` without one. Two differ only when a password holds an '@' not written
    ``%40``, which libpq would read as part of the host."""
    at, slash = rest.find("@"), rest.find("/")
    if at < 0 or 0 <= slash < at:
        return -1, -1
    ends = [i for i in (rest.find("/", at), rest.find("?", at)) if i >= 0]
    return at, rest.rfind("@", at, min(ends, default=len(rest)))


def _scrubbed(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` (a driver's message) with every password in it replaced by ``***``: libpq
    quotes a URL's tokens in some errors ('invalid percent-encoded token: "..."')."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class PostgresStore(SQLStore):
    """A log in a PostgreSQL database. ``PostgresStore(url)`` opens an existing one
    (:class:`~timeline.errors.LogNotFoundError` if the database holds none);
    :meth:`create` sets up the schema. One object may be shared by threads (one
    connection, used under a lock); a forked process opens its own."""

    _placeholder = "%s"

    def __init__(self, url: str, *, lock_timeout: float | None = None) -> None:
        self._bind(url, lock_timeout)
        with self._cursor() as cur:
            self._check_schema(cur)
            cur.execute("SELECT current_database(), current_schema()")
            database, namespace = cur.fetchone()
            self.title = title_from_name(
                namespace if namespace and namespace != "public" else database)

    def _bind(self, url: str, lock_timeout: float | None = None) -> None:
        self.path = None
        self.location, self._secrets = _masked(url)
        self._url = url
        self.lock_timeout = _lock_timeout(lock_timeout)  # seconds, for LOCK TABLE
        self._mutex = threading.RLock()

    @classmethod
    def create(cls, url: str, *, lock_timeout: float | None = None) -> PostgresStore:
        """Create the schema (and the search path's schema if it does not exist yet), in
        one transaction. Raises LogExistsError if the database already holds a log."""
        store = cls.__new__(cls)
        store._bind(url, lock_timeout)
        try:
            with store._cursor() as cur, cur.connection.transaction():
                if store._make_schema(cur):
                    raise LogExistsError(f"log: {store.location!r} already holds a timeline "
                                         "log.", field="log", value=store.location,
                                         fix="Choose another database or schema, or use the "
                                             "existing log.")
        finally:
            store.close()
        return cls(url, lock_timeout=lock_timeout)

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
                yield store._empty_writer(cur)
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
            psycopg, seconds = _psycopg(), self.lock_timeout
            # lock_timeout 0 would mean no timeout: NOWAIT is "fail at once"
            if seconds:
                cur.execute(f"SET LOCAL lock_timeout = {max(1, round(seconds * 1000))}")
            try:
                # Held to the commit: insert order is commit order (eventsourcing's recorder).
                with waiting_if_slow(self.location):
                    cur.execute("LOCK TABLE timeline_entries IN EXCLUSIVE MODE"
                                + ("" if seconds else " NOWAIT"))
            except psycopg.errors.LockNotAvailable:
                raise LockTimeoutError(self.location, seconds) from None
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
        return _connection(self._url, self.location, self._secrets)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._mutex, self._driver_errors(), \
                self._connected().cursor() as cur:
            yield cur

    def _driver_errors(self) -> Any:
        """psycopg errors as LogError, as :meth:`_cursor` turns them."""
        return _errors(self.location, self._secrets)

    def _has_schema(self, cur: Any) -> bool:
        cur.execute("SELECT to_regclass('timeline_meta') IS NOT NULL")
        return bool(cur.fetchone()[0])


def _connection(url: str, location: str, secrets: tuple[str, ...]) -> Any:
    psycopg = _psycopg()
    at, last = _user_information(url.partition("://")[2])
    if last != at:
        raise LogError(f"log: {location!r} is not a valid PostgreSQL URL: its user name or "
                       "password holds an '@'.", field="log", value=location, fix=_URL_FORM)
    with _errors(location, secrets):
        try:
            return psycopg.connect(url, autocommit=True)
        except psycopg.ProgrammingError as exc:  # libpq could not parse the URL
            raise LogError(f"log: {location!r} is not a valid PostgreSQL URL: "
                           f"{_reason(exc, secrets, 0)}.", field="log", value=location,
                           fix=_URL_FORM) from None


_URL_FORM = ("Check its form, postgresql://USER@HOST[:PORT]/DB; write @ : / ? # % in a user "
             "name or password percent-encoded (%40 for @).")


def _reason(exc: Exception, secrets: tuple[str, ...], line: int) -> str:
    """One line (``line``: 0 the first, -1 the last) of a driver's message, no password."""
    lines = [text.strip() for text in str(exc).strip().splitlines()]
    return _scrubbed(lines[line], secrets) if lines else type(exc).__name__


@contextmanager
def _errors(location: str, secrets: tuple[str, ...]) -> Iterator[None]:
    """psycopg errors as LogError, saying what to check (no password in them)."""
    psycopg = _psycopg()
    try:
        yield
    except psycopg.OperationalError as exc:
        raise LogError(f"log: {location!r} cannot be reached: {_reason(exc, secrets, -1)}",
                       field="log", value=location,
                       fix="Check that the server runs and that the URL's host, port, database "
                           "and user are right. An append cut off here may or may not have "
                           "been committed: retry it with the same idempotency key.") from None
    except psycopg.Error as exc:
        raise LogError(f"log: {location!r}: the database refused: {_reason(exc, secrets, 0)}.",
                       field="log", value=location, fix="Check the database user's rights on "
                       "the log's tables.") from None
