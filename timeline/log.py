"""The append-only log: a JSON Lines file of hash-chained entries.

Durability contract (full text in ``docs/log-format.md``):

- An append is *acknowledged* when :meth:`Log.record` / :meth:`Log.revise` /
  :meth:`Log.retract` return (the CLI then prints the position). Before
  returning, the whole line has been written with one ``write`` call on the
  file and ``fsync`` has completed.
- Appends hold an exclusive lock on the log file itself (``portalocker``,
  ``flock`` on POSIX) from reading the head to the ``fsync``, so concurrent
  writers, in threads or processes, get one global order.
- Readers take a shared lock only long enough to read the file's size, then
  read up to that size: every byte there is a complete, fsynced append.
- A write that fails part-way is truncated back under the lock, so a failed
  append leaves the file as it was. Only a crash can leave an incomplete final
  line; reads report it and appends refuse until it is repaired.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterator
from pathlib import Path

import portalocker

from .chronology import Chronology, fold
from .entries import GENESIS_HASH, Entry
from .errors import (ConcurrencyError, DuplicateEventError, LogCorruptError, LogError,
                     LogExistsError, LogNotFoundError, RetractedEventError, TornTailError, UnknownEventError,
                     ValidationError)
from .records import Event

__all__ = ["Log", "VerifyReport"]

_READ_CHUNK = 1 << 20


class VerifyReport:
    """What :meth:`Log.verify` checked: ``entries`` (count), ``head_hash``, ``events``."""

    __slots__ = ("entries", "head_hash", "events")

    def __init__(self, entries: int, head_hash: str, events: int) -> None:
        self.entries = entries
        self.head_hash = head_hash
        self.events = events


class Log:
    """An append-only, hash-chained log of entries in a JSON Lines file.

    ``Log(path)`` opens an existing log (raises
    :class:`~timeline.errors.LogNotFoundError` if there is none);
    :meth:`Log.create` makes a new, empty one. A ``Log`` object caches what it
    has read and, on the next operation, reads only the bytes appended since.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise LogNotFoundError(f"log: {str(self.path)!r} is a folder, not a log file.",
                                   field="log", value=str(self.path),
                                   fix="Give the path of a .jsonl log file.")
        if not self.path.is_file():
            raise LogNotFoundError(f"log: {str(self.path)!r} does not exist.", field="log",
                                   value=str(self.path),
                                   fix=f"Create it with: timeline init {self.path}")
        # What has been read and checked so far: the prefix [0, _offset).
        self._offset = 0
        self._position = 0
        self._head = GENESIS_HASH
        self._last_time = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)
        self._live: dict[str, bool] = {}  # event id -> not retracted

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Log:
        """Create an empty log file (exclusively) and fsync its directory."""
        target = Path(path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise LogExistsError(f"log: {str(target)!r} already exists.", field="log",
                                 value=str(target),
                                 fix="Choose another path, or use the existing log.") from None
        except OSError as exc:  # a missing folder, no permission: say so, not a traceback
            raise LogError(f"log: {str(target)!r} cannot be created: {exc.strerror}.",
                           field="log", value=str(target),
                           fix="Check that its folder exists and is writable.") from None
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(target.parent)
        return cls(target)

    # -- reading ---------------------------------------------------------------------------

    def entries(self, *, after: int = 0) -> Iterator[Entry]:
        """Yield entries in order (those with position > ``after``), checking each.

        Streams the file; memory does not grow with the log. Raises
        :class:`~timeline.errors.LogCorruptError` at the first bad entry and
        :class:`~timeline.errors.TornTailError` if the snapshot ends with an
        incomplete line.
        """
        size = self._snapshot_size()
        position, prev, live = 0, GENESIS_HASH, {}
        last_time = None
        with open(self.path, "rb") as f:
            for _offset, line in _lines(f, size):
                position += 1
                entry = Entry.from_line(line, position=position, prev=prev)
                if last_time is not None and entry.recorded_at < last_time:
                    raise LogCorruptError(
                        f"log entry at position {position} has a record time earlier than the "
                        "entry before it; record times never go backwards.", position=position)
                last_time = entry.recorded_at
                _check_transition(live, entry.type, entry.event_id, position=position)
                live[entry.event_id] = entry.type != "retracted"
                prev = entry.hash
                if position > after:
                    yield entry

    def chronology(self, *, as_of: int | _dt.datetime | None = None,
                   title: str | None = None) -> Chronology:
        """The projection: current events, optionally as of a position or record time.

        ``as_of`` is a 1-based position (entries after it are ignored) or an
        aware ``datetime`` (entries recorded after it are ignored).
        """
        return fold(self.entries(), as_of=as_of, title=title or self.path.stem)

    def history(self, event_id: str) -> list[Entry]:
        """Every entry that touched ``event_id``, in order; raises UnknownEventError."""
        found = [e for e in self.entries() if e.event_id == event_id]
        if not found:
            raise UnknownEventError(f"id: no event {event_id!r} in this log.", event_id=event_id,
                                    fix="List the ids with: timeline list LOG")
        return found

    @property
    def head(self) -> tuple[int, str]:
        """``(position, hash)`` of the last entry; ``(0, 64 zeros)`` for an empty log."""
        with open(self.path, "rb") as f:
            portalocker.lock(f, portalocker.LOCK_SH)
            try:
                self._catch_up(f)
            finally:
                portalocker.unlock(f)
        return self._position, self._head

    def verify(self, *, expect_head: str | None = None,
               expect_position: int | None = None) -> VerifyReport:
        """Check every line, position, hash and record from the start.

        ``expect_head`` (a hash printed by an earlier ``timeline verify``) and
        ``expect_position`` also detect a log truncated at a line boundary.
        Returns a :class:`VerifyReport`; raises
        :class:`~timeline.errors.LogCorruptError` naming the first bad position.
        """
        count, head, live, head_at = 0, GENESIS_HASH, set(), None
        for entry in self.entries():
            count, head = entry.position, entry.hash
            if entry.type == "retracted":
                live.discard(entry.event_id)
            else:
                live.add(entry.event_id)
            if entry.hash == expect_head:
                head_at = entry.position
        if expect_position is not None and count < expect_position:
            raise LogCorruptError(
                f"log ends at position {count}, but position {expect_position} was expected: "
                "entries were removed from the end.", position=count + 1)
        if expect_head is not None and head_at is None:
            raise LogCorruptError(
                f"log has no entry with the expected head hash {expect_head}; it ends at "
                f"position {count}: the log was truncated or replaced.", position=count + 1)
        return VerifyReport(count, head, len(live))

    # -- appending -------------------------------------------------------------------------

    def record(self, event: Event, *, expected_position: int | None = None) -> Entry:
        """Append a *recorded* entry for a new event; returns the acknowledged entry.

        Raises DuplicateEventError if the id is taken (even by a retracted
        event), ConcurrencyError if ``expected_position`` is given and the log
        has moved past it.
        """
        return self._append("recorded", event.id, event, None, expected_position)

    def revise(self, event: Event, *, reason: str,
               expected_position: int | None = None) -> Entry:
        """Append a *revised* entry: ``event`` replaces the current record of its id."""
        return self._append("revised", event.id, event, _reason(reason), expected_position)

    def retract(self, event_id: str, *, reason: str,
                expected_position: int | None = None) -> Entry:
        """Append a *retracted* entry: the event leaves the chronology from now on."""
        return self._append("retracted", event_id, None, _reason(reason), expected_position)

    def _append(self, kind: str, event_id: str, event: Event | None, reason: str | None,
                expected_position: int | None) -> Entry:
        with open(self.path, "r+b") as f:
            portalocker.lock(f, portalocker.LOCK_EX)
            try:
                self._catch_up(f)
                if expected_position is not None and expected_position != self._position:
                    raise ConcurrencyError(expected_position, self._position)
                _check_transition(self._live, kind, event_id, position=None)
                now = _dt.datetime.now(_dt.timezone.utc)
                # Record time never goes backwards, so as-of by time is as-of by position.
                recorded_at = max(now, self._last_time)
                entry = Entry.create(position=self._position + 1, recorded_at=recorded_at,
                                     type=kind, event_id=event_id, event=event, reason=reason,
                                     prev=self._head)
                line = entry.to_line()
                start = self._offset
                try:
                    f.seek(start)
                    written = f.write(line)
                    f.flush()
                    if written != len(line):
                        raise OSError(f"short write: {written} of {len(line)} bytes")
                    os.fsync(f.fileno())
                except BaseException:
                    f.truncate(start)  # leave no partial line behind
                    f.flush()
                    os.fsync(f.fileno())
                    raise
                self._offset = start + len(line)
                self._position, self._head = entry.position, entry.hash
                self._last_time = recorded_at
                self._live[event_id] = kind != "retracted"
                return entry
            finally:
                portalocker.unlock(f)

    # -- internals -------------------------------------------------------------------------

    def _snapshot_size(self) -> int:
        with open(self.path, "rb") as f:
            portalocker.lock(f, portalocker.LOCK_SH)
            try:
                return os.fstat(f.fileno()).st_size
            finally:
                portalocker.unlock(f)

    def _catch_up(self, f) -> None:  # noqa: ANN001
        """Read and check what was appended since the last call (caller holds a lock)."""
        size = os.fstat(f.fileno()).st_size
        if size < self._offset:
            raise LogCorruptError(f"log shrank from {self._offset} to {size} bytes while open.",
                                  position=self._position)
        for offset, line in _lines(f, size, start=self._offset):
            entry = Entry.from_line(line, position=self._position + 1, prev=self._head)
            _check_transition(self._live, entry.type, entry.event_id, position=entry.position)
            self._live[entry.event_id] = entry.type != "retracted"
            self._position, self._head = entry.position, entry.hash
            self._last_time = max(self._last_time, entry.recorded_at)
            self._offset = offset + len(line) + 1


def _lines(f, size: int, start: int = 0) -> Iterator[tuple[int, bytes]]:  # noqa: ANN001
    """Yield ``(offset, line)`` for complete lines in ``[start, size)``; a tail without
    a newline raises TornTailError naming its byte offset."""
    f.seek(start)
    offset, pending, remaining = start, b"", size - start
    while remaining > 0:
        chunk = f.read(min(_READ_CHUNK, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield offset, line
            offset += len(line) + 1
    if pending:
        raise TornTailError(
            f"log ends with an incomplete line of {len(pending)} bytes at byte offset {offset} "
            "(an append was interrupted).", offset=offset,
            fix="Run 'timeline verify LOG --repair' to move it to a side file.")


def _check_transition(live: dict[str, bool], kind: str, event_id: str,
                      position: int | None) -> None:
    state = live.get(event_id)
    if position is not None:  # replaying the log: a bad transition is corruption
        if (kind == "recorded" and state is not None) or (kind != "recorded" and state is not True):
            raise LogCorruptError(f"log entry at position {position} {kind} event {event_id!r}, "
                                  "which the entries before it do not allow.", position=position)
        return
    if kind == "recorded" and state is not None:
        raise DuplicateEventError(
            f"id: event {event_id!r} is already recorded"
            + (" (and was retracted)" if state is False else "") + ".", event_id=event_id,
            # a retracted event cannot be revised: only a new id helps
            fix="Give another --id." if state is False
            else "Give another --id, or use 'timeline revise' to correct it.")
    if kind != "recorded" and state is None:
        raise UnknownEventError(f"id: no event {event_id!r} in this log.", event_id=event_id,
                                fix="List the ids with: timeline list LOG")
    if kind != "recorded" and state is False:
        raise RetractedEventError(f"id: event {event_id!r} was retracted; it cannot be {kind}.",
                                  event_id=event_id, fix="Record a new event instead.")


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000 or any(
            ord(c) < 32 for c in reason):
        raise ValidationError("reason", reason, "is not a one-line reason of 1 to 2000 characters",
                              "Say why, e.g. --reason 'date confirmed by the ministry'.")
    return reason


def _fsync_dir(path: Path) -> None:
    fd = os.open(path if str(path) else ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
