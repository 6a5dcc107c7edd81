"""Where a log lives: a JSON Lines file (the default), SQLite, or PostgreSQL.

:func:`open_store` reads a location the way the CLI's ``LOG`` argument does:

- ``postgresql://...`` or ``postgres://...``: a PostgreSQL database (a libpq
  connection URI; needs ``pip install 'diplomatic-timeline[postgres]'``);
- ``sqlite:///PATH``: a SQLite file (``sqlite:///rel.sqlite`` is relative,
  ``sqlite:////abs/path.sqlite`` absolute, as in SQLAlchemy);
- a path ending in ``.sqlite`` or ``.sqlite3``: a SQLite file;
- any other path: a JSON Lines file.

The interface every store implements is :class:`~timeline.stores.base.Store`;
``docs/stores.md`` says what each one promises.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path

from .base import Filler, Store

__all__ = ["Store", "open_store", "fill_store", "store_kind", "store_path", "SQLITE_SUFFIXES"]

#: File suffixes that mean a SQLite log.
SQLITE_SUFFIXES = (".sqlite", ".sqlite3")
_SQLITE_URL = "sqlite:///"
_POSTGRES_URLS = ("postgresql://", "postgres://")


def store_kind(location: str | os.PathLike[str]) -> str:
    """``"postgres"``, ``"sqlite"`` or ``"jsonl"``: which store ``location`` names."""
    text = os.fspath(location)
    if text.startswith(_POSTGRES_URLS):
        return "postgres"
    if text.startswith(_SQLITE_URL) or Path(text).suffix.lower() in SQLITE_SUFFIXES:
        return "sqlite"
    return "jsonl"


def store_path(location: str | os.PathLike[str]) -> Path | None:
    """The file a file-backed location names (a ``sqlite:///`` URL without its scheme), or
    ``None`` for a PostgreSQL URL."""
    text = os.fspath(location)
    if store_kind(text) == "postgres":
        return None
    return Path(text[len(_SQLITE_URL):] if text.startswith(_SQLITE_URL) else text)


def open_store(location: str | os.PathLike[str], *, create: bool = False,
               lock_timeout: float | None = None) -> Store:
    """Open the log at ``location`` (see the module docstring), or create an empty one.

    ``lock_timeout``: seconds to wait for the store's lock before
    :class:`~timeline.errors.LockTimeoutError` (default: ``timeline/stores/locks.py``).

    Raises :class:`~timeline.errors.LogNotFoundError` (no log there),
    :class:`~timeline.errors.LogExistsError` (``create`` and there is one),
    :class:`~timeline.errors.SchemaVersionError` (a database written by a newer
    version) or :class:`~timeline.errors.LogError` (cannot be reached or read).
    """
    kind, where = _store_class(location), _where(location)
    return (kind.create(where, lock_timeout=lock_timeout) if create
            else kind(where, lock_timeout=lock_timeout))


def fill_store(location: str | os.PathLike[str]) -> AbstractContextManager[Filler]:
    """:meth:`Store.filling <timeline.stores.base.Store.filling>` of the store ``location``
    names: a new or empty log there, filled whole or not at all (what a copy writes into).

    Raises :class:`~timeline.errors.LogExistsError` if the log there holds entries, and
    what :func:`open_store` raises.
    """
    return _store_class(location).filling(_where(location))


def _store_class(location: str | os.PathLike[str]) -> type[Store]:
    kind = store_kind(location)
    if kind == "postgres":
        from .postgres import PostgresStore

        return PostgresStore
    if kind == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore
    from .jsonl import JsonlStore

    return JsonlStore


def _where(location: str | os.PathLike[str]) -> str | Path:
    """What the store's class takes: the URL for PostgreSQL, else the path."""
    path = store_path(location)
    return os.fspath(location) if path is None else path
