"""A log file built under a temporary name beside its destination, then put in place whole.

What a copy into a file log (JSON Lines or SQLite) needs, so that the destination is only
ever visible complete, even if the copy is killed (``kill -9``) at any moment:

- The entries go to ``.NAME.copy-TOKEN.tmp`` in the destination's folder (``NAME`` the
  destination's file name, ``TOKEN`` 16 random hex digits): hidden, with a suffix no store
  claims, so neither a person nor ``timeline`` takes it for a log.
- While a copy runs it holds ``flock`` on its temporary. A copy starting later removes
  every temporary of the same destination that no process holds (left by a copy that was
  killed), with SQLite's ``-wal``, ``-shm`` and ``-journal`` files beside it, before it
  looks at the destination (:func:`existing`).
- When the last entry is written the temporary is fsynced and given the destination's name
  with ``link(2)``, which never replaces a file that appeared meanwhile (a file system
  without hard links: ``renameat2(RENAME_NOREPLACE)`` on Linux), then its own name is
  removed and the folder fsynced. An empty log already there (made by ``timeline init``)
  is replaced by ``rename(2)`` instead, under its exclusive lock and only if it is still
  empty: appends wait for that lock, and an append that waited finds the new file.
- Whatever goes wrong before that (an error, a bad entry), the temporary is removed and
  the destination is as it was.

POSIX only in full: without ``fcntl`` (Windows) temporaries are not locked, and so never
removed by a later copy.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from ..errors import LogError, LogExistsError
from .files import (check_exists, create_exclusive, fsync_dir, lock, special_kind, sync,
                    unlock)
from .locks import lock_timeout

__all__ = ["existing", "staged", "temporaries", "SIDE_FILES"]

try:
    import fcntl as _fcntl
except ImportError:  # pragma: no cover - Windows
    _fcntl = None  # type: ignore[assignment]

#: The files SQLite keeps beside a database (its write-ahead log, shared memory, journal).
SIDE_FILES = ("-wal", "-shm", "-journal")
# link(2) refused because the file system has no hard links (vfat, some network shares).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}


def temporaries(target: Path) -> list[Path]:
    """The temporaries of copies into ``target`` in its folder, live or left behind."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.copy-[0-9a-f]{{16}}\.tmp")
    try:
        names = os.listdir(target.parent if str(target.parent) else ".")
    except OSError:
        return []
    return sorted(target.with_name(n) for n in names if pattern.fullmatch(n))


def existing(target: Path, kind: str) -> bool:
    """Sweep the temporaries killed copies into ``target`` left, then say whether a log file
    is at ``target`` (to be opened) or nothing (to be made); refuse anything else there
    (:class:`~timeline.errors.LogExistsError`; a folder:
    :class:`~timeline.errors.LogNotFoundError`). ``kind``: ".jsonl", ".sqlite"."""
    _sweep(Path(os.path.realpath(target)))  # also a kill between link and unlink
    if not os.path.lexists(target):
        return False
    if target.is_file():
        return True
    if target.is_dir():
        check_exists(target, kind)  # says it is a folder
    what = special_kind(target)
    raise LogExistsError(f"log: {str(target)!r} is {what}, not a log file.", field="log",
                         value=str(target), fix="Copy to another path.")


@contextlib.contextmanager
def staged(target: Path, *, replace_empty: bool) -> Iterator[tuple[Path, int]]:
    """Give ``(temporary path, write descriptor)`` for the new contents of ``target``; on a
    clean exit put them in place (see the module docstring), else remove them.

    ``replace_empty``: ``target`` is an empty log, to be replaced (through a symbolic
    link, the file it names); otherwise ``target`` must not exist. Raises
    :class:`~timeline.errors.LogExistsError` if a file appeared at ``target`` meanwhile
    (or the empty log received entries), :class:`~timeline.errors.LogError` if the
    folder refuses.
    """
    place = Path(os.path.realpath(target)) if replace_empty else target
    temp = place.with_name(f".{place.name}.copy-{secrets.token_hex(8)}.tmp")
    fd = create_exclusive(temp, shown=target)
    try:
        if _fcntl is not None:
            _fcntl.flock(fd, _fcntl.LOCK_EX)  # in use: a later copy's sweep leaves it alone
        yield temp, fd
        sync(fd)
        if replace_empty:
            _replace_empty(temp, fd, place, target)
        else:
            _link_new(temp, place, target)
        fsync_dir(place.parent)
    except BaseException:
        _remove(temp)
        raise
    finally:
        os.close(fd)


def _link_new(temp: Path, place: Path, shown: Path) -> None:
    """Give ``temp`` the name ``place``, which must not exist, then drop ``temp``'s name."""
    try:
        try:
            os.link(temp, place)
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            _rename_noreplace(temp, place)
        else:
            temp.unlink()
    except FileExistsError:
        raise LogExistsError(f"log: {str(shown)!r} appeared while the copy ran; it is left as "
                             "it is.", field="log", value=str(shown),
                             fix="Copy into another path.") from None
    except OSError as exc:
        raise _cannot(shown, exc) from None


def _replace_empty(temp: Path, fd: int, place: Path, shown: Path) -> None:
    """Rename ``temp`` over the empty log ``place``, under its lock, if it is still empty."""
    try:
        old = os.open(place, os.O_RDONLY)
    except FileNotFoundError:  # removed while the copy ran: the name is free
        _link_new(temp, place, shown)
        return
    try:
        lock(old, timeout=lock_timeout(), location=str(shown))
        try:
            held, now = os.fstat(old), os.stat(place)
            if held.st_size or (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino):
                raise LogExistsError(
                    f"log: {str(shown)!r} received entries while the copy ran; it is left "
                    "as it is.", field="log", value=str(shown),
                    fix="Copy into a new or empty log.")
            os.fchmod(fd, stat.S_IMODE(held.st_mode))  # the log keeps its permissions
            os.rename(temp, place)
            fsync_dir(place.parent)  # before a waiting append reopens the name
        finally:
            unlock(old)
    except OSError as exc:
        raise _cannot(shown, exc) from None
    finally:
        os.close(old)


def _rename_noreplace(temp: Path, place: Path) -> None:
    """``rename`` that fails with EEXIST rather than replace (Linux's ``renameat2``)."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOTSUP, "the file system has no hard links")
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_noreplace = -100, 1
    if libc.renameat2(at_fdcwd, os.fsencode(temp), at_fdcwd, os.fsencode(place),
                      rename_noreplace) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _sweep(place: Path) -> None:
    """Remove the temporaries of ``place`` that no running copy holds (left by a kill)."""
    if _fcntl is None:  # pragma: no cover - no way to tell a live copy from a dead one
        return
    for temp in temporaries(place):
        try:
            fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # gone, a symbolic link, unreadable: not ours to touch
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            try:
                _fcntl.flock(fd, _fcntl.LOCK_EX | _fcntl.LOCK_NB)
            except OSError:
                continue  # a copy is running: its temporary
            _remove(temp)
        finally:
            os.close(fd)


def _remove(temp: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        with contextlib.suppress(OSError):
            os.unlink(f"{temp}{suffix}")


def _cannot(shown: Path, exc: OSError) -> LogError:
    return LogError(f"log: {str(shown)!r} cannot be put in place: {exc.strerror}; it is left "
                    "as it was.", field="log", value=str(shown),
                    fix="Check that its folder is writable and has space.")
