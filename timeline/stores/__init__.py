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
from pathlib import Path

from .base import Store

__all__ = ["Store", "open_store", "store_kind", "SQLITE_SUFFIXES"]

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
    text = os.fspath(location)
    kind = store_kind(text)
    if kind == "postgres":
        from .postgres import PostgresStore

        return (PostgresStore.create(text, lock_timeout=lock_timeout) if create
                else PostgresStore(text, lock_timeout=lock_timeout))
    if kind == "sqlite":
        from .sqlite import SQLiteStore

        path = text[len(_SQLITE_URL):] if text.startswith(_SQLITE_URL) else location
        return (SQLiteStore.create(path, lock_timeout=lock_timeout) if create
                else SQLiteStore(path, lock_timeout=lock_timeout))
    from .jsonl import JsonlStore

    return (JsonlStore.create(location, lock_timeout=lock_timeout) if create
            else JsonlStore(location, lock_timeout=lock_timeout))
