"""File helpers the file-backed stores share (JSON Lines, SQLite): finding a log file,
creating one exclusively, locking it, and making data and names durable."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import LogError, LogExistsError, LogNotFoundError

__all__ = ["check_exists", "create_exclusive", "lock", "unlock", "sync", "fsync_dir"]

try:
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows: portalocker's own locks
    _fcntl = None  # type: ignore[assignment]


def lock(fd: int, *, shared: bool = False) -> None:
    """Wait for a lock on the open file ``fd``: exclusive, or ``shared`` (readers).

    On POSIX this is ``flock(2)`` called directly: the lock ``portalocker`` takes
    there (``tests/test_file_locks.py`` proves each excludes the other), without
    its ~50 us of argument checking per call, which a single durable append
    cannot afford (bench/NOTES.md). Elsewhere ``portalocker`` does it.
    """
    if _fcntl is not None:
        _fcntl.flock(fd, _fcntl.LOCK_SH if shared else _fcntl.LOCK_EX)
    else:  # pragma: no cover
        import portalocker

        portalocker.lock(fd, portalocker.LOCK_SH if shared else portalocker.LOCK_EX)


def unlock(fd: int) -> None:
    """Release the lock :func:`lock` took on ``fd``."""
    if _fcntl is not None:
        _fcntl.flock(fd, _fcntl.LOCK_UN)
    else:  # pragma: no cover
        import portalocker

        portalocker.unlock(fd)


def check_exists(path: Path, kind: str) -> None:
    """Raise LogNotFoundError unless ``path`` is a file (``kind``: ".jsonl", ".sqlite")."""
    if path.is_dir():
        raise LogNotFoundError(f"log: {str(path)!r} is a folder, not a log file.",
                               field="log", value=str(path),
                               fix=f"Give the path of a {kind} log file.")
    if not path.is_file():
        raise LogNotFoundError(f"log: {str(path)!r} does not exist.", field="log",
                               value=str(path), fix=f"Create it with: timeline init {path}")


def create_exclusive(target: Path, shown: Path | None = None) -> int:
    """Create ``target``, which must not exist, and return a write descriptor for it.

    ``shown``: the log that messages name, if ``target`` is a temporary for it."""
    name = str(shown or target)
    try:
        return os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise LogExistsError(f"log: {name!r} already exists.", field="log", value=name,
                             fix="Choose another path, or use the existing log.") from None
    except OSError as exc:  # a missing folder, no permission: say so, not a traceback
        raise LogError(f"log: {name!r} cannot be created: {exc.strerror}.", field="log",
                       value=name, fix="Check that its folder exists and is writable.") from None


def sync(fd: int) -> None:
    """Flush to stable storage: on macOS ``fsync`` alone leaves data in the drive's cache."""
    if sys.platform == "darwin":  # pragma: no cover - not our CI
        import fcntl

        fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
    else:
        os.fsync(fd)


def fsync_dir(path: Path) -> None:
    """Make a created or renamed directory entry durable (POSIX; a no-op on Windows)."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open a directory
        return
    fd = os.open(path if str(path) else ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
