"""Writing an output file safely: ``export``'s output and ``import``'s side file of rejects.

:class:`Output` decides, before anything is written, what an output path is and how
to write it; every refusal is an :class:`~timeline.errors.OutputError` (exit code 1)
naming the field (``output``, ``rejects``), the path as given and the fix.

- **Never a protected file.** The caller names what it must not write: a
  :class:`~timeline.Log` stands for every file of the log (the log itself, which
  is also what the file store locks; SQLite's ``-wal``, ``-shm`` and ``-journal``
  files; the log's checked-prefix record; its ``LOG.torn-OFFSET`` side files:
  :meth:`timeline.Store.files`), a path or an open file for that file (an import's
  input). A path is refused if it leads to one of them however it is spelled:
  relative or absolute, with ``..``, through symbolic links (a dangling one
  included: its target's name is compared) or as a hard link (the same
  ``st_dev`` and ``st_ino``).
- **Regular files are replaced atomically.** A new path or a regular file is
  written to a temporary file in the same folder, fsynced, renamed over the
  target, and the folder fsynced: a failed write leaves no file, and an earlier
  file as it was. A new file gets mode 0644, a replaced one keeps its mode.
  Another hard link to a replaced file keeps the old content (as with editors).
- **A symbolic link is kept.** The file it leads to is replaced, atomically, in
  that file's folder (a dangling link: the file it names is created), as
  ``sed -i --follow-symlinks`` and most editors do.
- **FIFOs and character devices are written in place**: opened for writing
  (a FIFO waits for its reader), never created, truncated or replaced, so
  ``/dev/null``, ``/dev/full`` and a terminal stay what they are.
- **A name of an open descriptor is written through it**: ``/dev/stdout``,
  ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N`` (whatever the descriptor
  leads to, a file included) get the bytes as a shell redirection would, at the
  descriptor's offset; the file behind it is not reopened nor replaced. A stream
  given instead of a path (standard output for ``-o -``) is written and flushed,
  not closed.
- **Anything else is refused**: a folder, a block device, a socket.
- **A failed write is the output's fault.** An ``OSError`` writing, flushing,
  syncing or renaming (``ENOSPC``, ``EFBIG``, ``EIO``...) is an ``OutputError``
  saying the output could not be written, whoever was writing (a plugin's writer
  included), and the temporary file is removed.

Checking a path creates nothing; :meth:`Output.open` creates the temporary file
(or opens the FIFO or device).
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from .errors import OutputError
from .stores.files import fsync_dir, sync

__all__ = ["Output"]

_BUFFER = 1 << 16
_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOCTTY = getattr(os, "O_NOCTTY", 0)  # a terminal given as the output stays not ours
_NEW_FILE_MODE = 0o644


class Output:
    """One output: a path (or a binary stream) checked before anything is written.

    ``target``: a path (``str`` or ``os.PathLike``) or a binary stream (written and
    flushed, never closed). ``field``: how messages name it (``"output"``,
    ``"rejects"``). ``protect``: what must never be written (see the module
    docstring): :class:`~timeline.Log` objects or stores, paths, or open binary
    files. ``example``: a file name the fix of a refusal suggests; ``option``: how
    else to give the path, named by the fix of a path that cannot be written
    (``"--rejects PATH"``).

    Raises :class:`~timeline.errors.OutputError` when the path is protected, is a
    folder, a block device, a socket or another kind of file that is not written,
    or cannot be examined. Use :meth:`writing` (or :meth:`open`, then
    :meth:`commit` or :meth:`discard`).
    """

    def __init__(self, target: str | os.PathLike[str] | BinaryIO, *, field: str = "output",
                 protect: Iterable[Any] = (), example: str = "out.txt",
                 option: str | None = None) -> None:
        self.field = field
        self.example = example
        self.option = option
        self._raw: _Recording | None = None
        self._buffer: io.BufferedWriter | None = None
        self._fd: int | None = None
        self._tmp: Path | None = None
        if hasattr(target, "write"):
            self._caller = target
            name = getattr(target, "name", None)
            self._stdout = name == "<stdout>"
            self.value = name if isinstance(name, str) and not name.startswith("<") else "-"
            self.kind = "stream"
            _Guard(protect).check_stream(self, target)
            return
        self._caller, self._stdout = None, False
        self.value = os.fspath(target)  # type: ignore[arg-type]
        _Guard(protect).check(self)
        self.kind, self.path, self._mode = self._inspect()

    # -- what the path is ------------------------------------------------------------------

    def _inspect(self) -> tuple[str, Path, int]:
        """``(kind, path to write, mode)``: ``"replace"`` (a new or regular file, through
        its symbolic links), ``"in place"`` (a FIFO, a character device) or
        ``"descriptor"`` (a name of an open descriptor, kept in ``_source_fd``)."""
        if not self.value:  # Path("") is ".": a rename there fails only at the very end
            raise OutputError(f"{self.field}: {self.value!r} is an empty path.",
                              field=self.field, value=self.value,
                              fix=f"Give a file name, e.g. {self.example}.")
        fd = _descriptor(self.value)
        if fd is not None:
            try:
                st = os.fstat(fd)
            except OSError as exc:
                raise self._cannot(exc, "Check that the descriptor is open.") from None
            if stat.S_ISDIR(st.st_mode):
                raise OutputError(f"{self.field}: {self.value!r} is a folder.",
                                  field=self.field, value=self.value,
                                  fix=f"Give a file name, e.g. {self.example}.")
            self._source_fd = fd
            return "descriptor", Path(self.value), 0
        try:
            st = os.stat(self.value)
        except FileNotFoundError:
            st = None
        except OSError as exc:  # a loop of links, a file used as a folder, no permission
            raise self._cannot(exc, "Check the path and that its folder is writable.") from None
        if st is None and self.value.endswith(("/", os.sep)):  # a folder that is not there
            raise OutputError(f"{self.field}: {self.value!r} names a folder.", field=self.field,
                              value=self.value, fix=f"Give a file name, e.g. {self.example}.")
        if st is None or stat.S_ISREG(st.st_mode):
            path = Path(os.path.realpath(self.value) if os.path.islink(self.value)
                        else self.value)
            return "replace", path, _NEW_FILE_MODE if st is None else stat.S_IMODE(st.st_mode)
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            return "in place", Path(self.value), 0
        what = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
        if what == "folder":
            raise OutputError(f"{self.field}: {self.value!r} is a folder.", field=self.field,
                              value=self.value, fix=f"Give a file name, e.g. {self.example}.")
        raise OutputError(
            f"{self.field}: {self.value!r} is a {what}; only a regular file, a FIFO or a "
            "character device is written.", field=self.field, value=self.value,
            fix=f"Give a file name, e.g. {self.example}.")

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[BinaryIO]:
        """Open, yield the stream, and commit; on any exception discard and re-raise."""
        stream = self.open()
        try:
            yield stream
            self.commit()
        except BaseException:
            self.discard()
            raise

    def open(self) -> BinaryIO:
        """A binary stream to write the output to: a temporary file beside the target,
        the FIFO or device itself, or (a stream target) a layer over it. Raises
        :class:`~timeline.errors.OutputError` if it cannot be created or opened."""
        if self.kind == "stream":
            self._raw = _StreamRaw(self._caller)
        elif self.kind == "replace":
            folder = self.path.parent
            try:
                fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                           dir=folder if str(folder) else ".")
            except OSError as exc:  # a missing folder, no permission: nothing was written
                raise self._cannot(exc, "Check that its folder exists and is writable.") from None
            self._fd, self._tmp = fd, Path(tmp)
            self._raw = _FileRaw(fd)
        elif self.kind == "descriptor":
            try:
                self._fd = os.dup(self._source_fd)  # shares the offset, as a redirection
            except OSError as exc:
                raise self._cannot(exc, "Check that the descriptor is open.") from None
            self._raw = _FileRaw(self._fd)
        else:
            try:
                fd = os.open(self.value, os.O_WRONLY | _NOCTTY | getattr(os, "O_CLOEXEC", 0))
            except OSError as exc:
                raise self._cannot(exc, "Check that it is writable.") from None
            self._fd = fd
            mode = os.fstat(fd).st_mode
            if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):  # replaced since checked
                self.discard()
                raise OutputError(f"{self.field}: {self.value!r} changed while it was opened.",
                                  field=self.field, value=self.value,
                                  fix="Run the command again.")
            self._raw = _FileRaw(fd)
        self._buffer = io.BufferedWriter(self._raw, buffer_size=_BUFFER)
        return self._buffer  # type: ignore[return-value]

    @property
    def failure(self) -> OSError | None:
        """The first ``OSError`` a write to the stream raised, or ``None``."""
        return self._raw.failure if self._raw is not None else None

    def error(self, exc: OSError) -> OutputError:
        """The error for ``exc``, an ``OSError`` met writing the output."""
        shown = f"{self.value!r} (standard output)" if self._stdout else repr(self.value)
        if exc.errno == errno.EPIPE:
            fix = "The program reading it stopped before the end."
        elif exc.errno in _NO_ROOM:
            fix = "Make room (disk space, quota, file size limit) or give another path."
        else:
            fix = "Check the disk or the device, or give another path."
        if self.kind == "replace":
            fix += " Nothing was written there (an earlier file is as it was)."
        return OutputError(
            f"{self.field}: {shown} could not be written: {exc.strerror or exc}.",
            field=self.field, value=self.value, errno=exc.errno, fix=fix)

    def commit(self) -> None:
        """Flush everything and put it in place (rename over the target, folder fsynced).
        Raises :class:`~timeline.errors.OutputError` (and discards) if any write failed."""
        try:
            if self.failure is not None:
                raise self.failure
            assert self._buffer is not None
            self._buffer.close()  # flushes (a writer that closed it flushed it then)
            if self.failure is not None:
                raise self.failure
            if self.kind == "stream":
                self._caller.flush()  # type: ignore[union-attr]
            elif self.kind == "replace":
                sync(self._fd)  # type: ignore[arg-type]
                self._close_fd()
                os.chmod(self._tmp, self._mode)  # type: ignore[arg-type]
                os.replace(self._tmp, self.path)  # type: ignore[arg-type]
                self._tmp = None
                fsync_dir(self.path.parent)
            else:
                self._close_fd()
        except OSError as exc:
            failure = self.failure or exc
            self.discard()
            raise self.error(failure) from None

    def discard(self) -> None:
        """Abandon the output: remove the temporary file; never raises."""
        if self._buffer is not None and not self._buffer.closed:
            self._raw.failure = self._raw.failure or OSError(0, "discarded")  # type: ignore[union-attr]
            try:
                self._buffer.close()  # writes nothing more: the raw layer refuses
            except (OSError, ValueError):
                pass
        try:
            self._close_fd()
        except OSError:
            pass
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def _close_fd(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _cannot(self, exc: OSError, fix: str) -> OutputError:
        if self.option:
            fix = f"{fix[:-1]}, or give {self.option}."
        return OutputError(f"{self.field}: {self.value!r} cannot be written: "
                           f"{exc.strerror or exc}.", field=self.field, value=self.value,
                           errno=exc.errno, fix=fix)


_KINDS = {stat.S_IFDIR: "folder", stat.S_IFBLK: "block device", stat.S_IFSOCK: "socket"}


def _descriptor(value: str) -> int | None:
    """The descriptor ``value`` names (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/3``:
    links into this process's ``/proc/PID/fd``), or ``None``. Opening such a name would
    reopen (and renaming over it replace) the file behind the descriptor; writing to
    the descriptor itself is what a shell redirection does."""
    if os.name != "posix":  # pragma: no cover
        return None
    fds = (f"/proc/{os.getpid()}/fd", "/dev/fd")  # /dev/fd is its own folder on BSDs
    path = os.path.abspath(value)
    for _ in range(40):  # a link chain no longer than the kernel follows
        folder, name = os.path.split(path)
        real = os.path.realpath(folder)
        if name.isdigit() and (real in fds or re.fullmatch(
                rf"/proc/{os.getpid()}/task/\d+/fd", real)):  # /proc/thread-self/fd
            return int(name)
        try:
            path = os.path.join(folder, os.readlink(path))
        except OSError:  # not a link (or not there): a plain name
            return None
    return None



class _Recording(io.RawIOBase):
    """A raw stream that remembers the first ``OSError`` its writes raised, so that a
    failure is blamed on the output even when a plugin's writer catches it and raises
    something else. After a failure (or a discard) it writes nothing more."""

    failure: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.failure is not None:
            raise self.failure
        try:
            return self._write(data)
        except OSError as exc:
            self.failure = exc
            raise

    def _write(self, data: Any) -> int:
        raise NotImplementedError


class _FileRaw(_Recording):
    """Writes to a file descriptor the :class:`Output` owns (and closes)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def fileno(self) -> int:
        return self._fd

    def _write(self, data: Any) -> int:
        return os.write(self._fd, data)


class _StreamRaw(_Recording):
    """Writes to a caller's binary stream (never closed here)."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._target = stream

    def _write(self, data: Any) -> int:
        written = self._target.write(bytes(data))
        return len(data) if written is None else written


class _Guard:
    """What an output must not be: each protected file by its resolved name and, if it
    exists, by its identity (``st_dev``, ``st_ino``), with what to call it."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.names: dict[str, str] = {}  # realpath -> what it is
        self.spellings: set[str] = set()  # absolute spellings, for the wording only
        self.ids: dict[tuple[int, int], str] = {}
        for item in items:
            store = getattr(item, "store", item)  # a Log, or a Store
            if hasattr(store, "files"):
                for path, what in store.files().items():
                    self._add(path, f"{what} {store.location!r}")
            elif hasattr(item, "fileno"):
                name = getattr(item, "name", None)
                what = (f"the input file {name!r}" if isinstance(name, str)
                        and not name.startswith("<") else "the input (standard input)"
                        if name == "<stdin>" else "the input")
                try:
                    st = os.fstat(item.fileno())
                except (OSError, ValueError, io.UnsupportedOperation):
                    continue  # an in-memory stream: no file to protect
                self.ids[(st.st_dev, st.st_ino)] = what
                if isinstance(name, str) and not name.startswith("<"):
                    self._add(name, what)
            else:
                self._add(item, f"the input file {os.fspath(item)!r}")

    def _add(self, path: str | os.PathLike[str], what: str) -> None:
        text = os.fspath(path)
        self.names.setdefault(os.path.realpath(text), what)
        self.spellings.add(os.path.abspath(text))
        try:
            st = os.stat(text)
        except OSError:
            return  # not there (yet): its name is enough
        self.ids.setdefault((st.st_dev, st.st_ino), what)

    def check(self, output: Output) -> None:
        value = output.value
        link = os.path.islink(value)
        what = self.names.get(os.path.realpath(value))
        how = "a symbolic link to " if link and os.path.abspath(
            value) not in self.spellings else ""
        if what is None:
            try:
                st = os.stat(value)
            except OSError:
                return
            what = self.ids.get((st.st_dev, st.st_ino))
            how = "a symbolic link to " if link else "a hard link to "
        if what is not None:
            self._refuse(output, f"is {how}{what}")

    def check_stream(self, output: Output, stream: Any) -> None:
        """Refuse a stream open on a protected file (``timeline export LOG >> LOG``)."""
        try:
            st = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            return  # an in-memory stream
        what = self.ids.get((st.st_dev, st.st_ino))
        if what is not None:
            self._refuse(output, f"leads to {what}")

    @staticmethod
    def _refuse(output: Output, problem: str) -> None:
        shown = f"{output.value!r} (standard output)" if output._stdout else repr(output.value)
        raise OutputError(
            f"{output.field}: {shown} {problem}; writing there would destroy it.",
            field=output.field, value=output.value,
            fix=f"Give another path, e.g. {output.example}.")


def standard_stream_on(locations: Iterable[str | os.PathLike[str]]) -> tuple[int, str] | None:
    """``(fd, what)`` when standard output (1) or standard error (2) is a file of one of
    the logs at ``locations`` (``timeline list LOG >> LOG``), else ``None``.

    Only what the shell opened is examined (``fstat`` of 1 and 2; a terminal or a pipe is
    never a log), against each log's file and SQLite's ``-wal``, ``-shm`` and ``-journal``
    files by identity (``st_dev``, ``st_ino``); a database URL has no file. Opens nothing.
    """
    from .stores import store_kind, store_path
    from .stores.staged import SIDE_FILES

    streams = []
    for fd in (1, 2):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            streams.append((fd, (st.st_dev, st.st_ino)))
    if not streams:
        return None
    for location in locations:
        text = os.fspath(location)
        file = store_path(text)
        if file is None:  # a database server's log has no file here
            continue
        path = os.fspath(file)
        names = [(path, "the log")]
        if store_kind(text) == "sqlite":
            names += [(path + suffix, f"SQLite's {suffix} file of the log")
                      for suffix in SIDE_FILES]
        for name, what in names:
            try:
                st = os.stat(name)
            except OSError:
                continue
            for fd, identity in streams:
                if identity == (st.st_dev, st.st_ino):
                    return fd, f"{what} {text!r}"
    return None
