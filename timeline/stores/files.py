"""File helpers the file-backed stores share (JSON Lines, SQLite): finding a log file,
creating one exclusively, locking it, and making data and names durable."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

from ..errors import LockTimeoutError, LogError, LogExistsError, LogNotFoundError
from .locks import waiting

__all__ = ["check_exists", "create_exclusive", "lock", "unlock", "sync", "fsync_dir"]

try:
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows: portalocker's own locks
    _fcntl = None  # type: ignore[assignment]


def lock(fd: int, *, shared: bool = False, timeout: float | None = None,
         location: str = "") -> None:
    """Take a lock on the open file ``fd``: exclusive, or ``shared`` (readers).

    Waits at most ``timeout`` seconds (``None``: for ever; 0: not at all), then raises
    :class:`~timeline.errors.LockTimeoutError` naming ``location``; a wait says so on
    stderr if it is a terminal (:func:`.locks.waiting`). A lock free at once costs one
    non-blocking call.

    On POSIX this is ``flock(2)`` called directly: the lock ``portalocker`` takes
    there (``tests/test_file_locks.py`` proves each excludes the other), without
    its ~50 us of argument checking per call, which a single durable append
    cannot afford (bench/NOTES.md). Elsewhere ``portalocker`` does it.
    """
    if _try_lock(fd, shared):
        return
    if timeout == 0:
        raise LockTimeoutError(location, 0.0)
    waiting(location)
    deadline = None if timeout is None else time.monotonic() + timeout
    pause = 0.001
    while True:  # flock cannot time out: poll, backing off to 50 ms between tries
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise LockTimeoutError(location, timeout)  # type: ignore[arg-type]
        time.sleep(pause if left is None else min(pause, left))
        pause = min(pause * 2, 0.05)
        if _try_lock(fd, shared):
            return


def _try_lock(fd: int, shared: bool) -> bool:
    """Take the lock if it is free now; ``False`` if another open file holds it."""
    if _fcntl is not None:
        try:
            _fcntl.flock(fd, (_fcntl.LOCK_SH if shared else _fcntl.LOCK_EX) | _fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    import portalocker  # pragma: no cover

    try:  # pragma: no cover
        portalocker.lock(fd, (portalocker.LOCK_SH if shared else portalocker.LOCK_EX)
                         | portalocker.LOCK_NB)
    except portalocker.exceptions.LockException:  # pragma: no cover
        return False
    return True  # pragma: no cover


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
        what = special_kind(path)
        if what is not None:  # there, but no file: "init" would say it exists
            raise LogNotFoundError(f"log: {str(path)!r} is {what}, not a log file.",
                                   field="log", value=str(path),
                                   fix=f"Give the path of a {kind} log file.")
        raise LogNotFoundError(f"log: {str(path)!r} does not exist.", field="log",
                               value=str(path), fix=f"Create it with: timeline init {path}")


def special_kind(path: Path) -> str | None:
    """What is at ``path`` when it is neither a regular file nor a folder nor missing
    (``"a FIFO"``, ``"a socket"``, ``"a device"``, ``"a symbolic link to nothing"``)."""
    if not os.path.lexists(path) or path.is_file() or path.is_dir():
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return "a symbolic link to nothing"
    return ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device")


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
