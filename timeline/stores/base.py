"""The store interface: where a log's entries live, whatever holds them.

A :class:`Store` keeps entries exactly as :mod:`timeline.entries` defines them
(the same canonical line, the same hash chain) and answers five questions: the
entries from a position on, the head ``(position, hash)``, the entry with an
idempotency key, the entries of one event, and, inside :meth:`Store.writing`,
the state needed to check an append. The rules (expected position, allowed
transitions, idempotency) live in :class:`timeline.Log`, once, so every store
behaves the same; ``tests/test_stores.py`` is the conformance suite that holds
each store to that.

:class:`Chain` is the check every reader runs on what it reads: each entry's
bytes, hash and link to the one before (``Entry.from_line``), record times that
never go back and, when reading from the start, the allowed transitions and
unique idempotency keys.
"""

from __future__ import annotations

import abc
import datetime as _dt
import re
from collections.abc import Iterator, MutableMapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ..entries import ENTRY_TYPES, GENESIS_HASH, Entry
from ..errors import (DuplicateEventError, LogCorruptError, LogError, LogExistsError,
                      RetractedEventError, UnknownEventError)
from ..records import _CONTROL_LINE

if TYPE_CHECKING:
    from .readmodel import ReadModel

__all__ = ["Store", "Writer", "Filler", "Chain", "RepairReport", "check_transition",
           "check_empty", "title_from_name"]

_EARLIEST = _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # a file name's bytes that are not UTF-8
_CONTROL_RUN = re.compile(f"(?:{_CONTROL_LINE.pattern})+")
_DEFAULT_TITLE = "Chronology"  # Chronology's own default


@attrs.frozen(slots=True)
class RepairReport:
    """What :meth:`timeline.Log.repair` did.

    - ``offset``: byte offset where the removed incomplete line started, or
      ``None`` if the log ended with a complete line and nothing was removed
      (always ``None`` for a database store, which has no lines to tear).
    - ``removed``: how many bytes were removed (0 if none).
    - ``side_file``: where the removed bytes were kept, byte for byte.
    - ``entries``: complete entries in the log (all kept, all verified).
    - ``unacknowledged_position``: if the removed bytes were a whole, hash-valid
      entry missing only its newline, the position it would have had. Such an
      entry was never acknowledged (see ``docs/log-format.md``).

    ``str(report)`` says it in one or two sentences.
    """

    offset: int | None
    removed: int
    side_file: Path | None
    entries: int
    unacknowledged_position: int | None = None

    def __str__(self) -> str:
        kept = f"{self.entries} complete entr{'y' if self.entries == 1 else 'ies'}"
        if self.offset is None:
            return f"nothing to repair: the log has no incomplete final line ({kept})."
        text = (f"moved the incomplete final line ({self.removed} bytes at byte offset "
                f"{self.offset}) to {self.side_file}; the {kept} before it "
                f"{'is' if self.entries == 1 else 'are'} unchanged.")
        if self.unacknowledged_position is not None:
            text += (f" Those bytes hold a whole entry for position "
                     f"{self.unacknowledged_position} without its final newline, so its append "
                     "was never acknowledged: append it again if it is wanted.")
        return text


class Chain:
    """What reading a log's first entries established, to check the next one.

    Holds the chain head, the last record time and, when ``rules`` is true
    (reading from position 1), the live state of every event id and the
    position of every idempotency key. A reader that starts later
    (``position``, ``head``, ``last_time`` of the entry before) checks bytes,
    hashes, the chain and record times, not the transitions, which need the
    whole log: ``verify`` reads from the start.
    """

    __slots__ = ("position", "head", "last_time", "live", "keys", "rules")

    def __init__(self, position: int = 0, head: str = GENESIS_HASH,
                 last_time: _dt.datetime = _EARLIEST, *, rules: bool = True) -> None:
        self.position = position
        self.head = head
        self.last_time = last_time
        self.rules = rules
        self.live: dict[str, bool] = {}  # event id -> not retracted
        self.keys: dict[str, int] = {}  # idempotency key -> position

    def take(self, line: bytes, checked: bool = False) -> Entry:
        """Check ``line`` (without its newline) as the next entry and take it in.

        ``checked``: the line lies in a checked prefix (``timeline/stores/checked.py``),
        so its own bytes, hash and records are not checked again; record times,
        transitions and keys still are. Raises
        :class:`~timeline.errors.LogCorruptError` naming the position.
        """
        position = self.position + 1
        entry = _rebuilt(line, position, self.head) if checked else None
        if entry is None:
            entry = Entry.from_line(line, position=position, prev=self.head)
        if entry.recorded_at < self.last_time:
            raise LogCorruptError(
                f"log entry at position {position} has a record time earlier than the "
                "entry before it; record times never go backwards.", position=position)
        if self.rules:
            check_transition(self.live, entry.type, entry.event_id, position=position)
            key = entry.idempotency_key
            if key is not None and key in self.keys:
                raise LogCorruptError(
                    f"log entry at position {position} repeats the idempotency key {key!r} of "
                    f"position {self.keys[key]}; a key names one append.", position=position)
        self.advance(entry)
        return entry

    def advance(self, entry: Entry) -> None:
        """Take in an entry already checked (one this process just wrote)."""
        self.position, self.head = entry.position, entry.hash
        if entry.recorded_at > self.last_time:
            self.last_time = entry.recorded_at
        if self.rules:
            self.live[entry.event_id] = entry.type != "retracted"
            if entry.idempotency_key is not None:
                self.keys[entry.idempotency_key] = entry.position


def _rebuilt(line: bytes, position: int, prev: str) -> Entry | None:
    """The entry of a line in a checked prefix, or ``None`` if it cannot be rebuilt as
    one that continues the chain at ``position`` after ``prev``: then the caller checks it
    in full, so a line a checked-prefix record should not have covered (a record
    written by hand) gives the full check's error naming its position, never another."""
    try:
        entry = Entry.from_checked_line(line)
    except Exception:  # noqa: BLE001 - any failure: the full check says what is wrong
        return None
    linked = type(entry.position) is int and entry.position == position and entry.prev == prev
    return entry if linked and entry.type in ENTRY_TYPES else None


class Filler(abc.ABC):
    """Writes entries into a log that a copy fills (:meth:`Store.filling`).

    ``position`` and ``head`` describe the last entry written (``0`` and 64
    zeros at first) and move on with each :meth:`write`.
    """

    position: int
    head: str

    @abc.abstractmethod
    def write(self, entries: list[Entry]) -> None:
        """Store ``entries``, which continue the chain from ``head``.

        Everything written in one block is acknowledged together when the block
        ends without an error (durable by then), and undone if it ends with one.
        """

    def _check_continues(self, entries: list[Entry]) -> None:
        """Refuse ``entries`` that do not start right after ``head`` (a caller's bug, never
        written)."""
        first = entries[0]
        if first.position != self.position + 1 or first.prev != self.head:
            raise LogError(f"log: entries for position {first.position} do not continue the "
                           f"log at position {self.position}.", field="position",
                           value=first.position, fix="Read the log again and retry.")

    def _moved_on(self, entries: list[Entry]) -> None:
        last = entries[-1]
        self.position, self.head = last.position, last.hash


class Writer(Filler):
    """The store as one append sees it, from :meth:`Store.writing` (the lock is held).

    ``position``, ``head`` and ``last_time`` describe the last entry (``0``,
    64 zeros and the earliest time for an empty log) and move on with each
    :meth:`write`.
    """

    last_time: _dt.datetime

    @abc.abstractmethod
    def event_state(self, event_id: str) -> bool | None:
        """``None``: never recorded; ``True``: live; ``False``: retracted."""

    @abc.abstractmethod
    def entry_for_key(self, key: str) -> Entry | None:
        """The entry written with this idempotency key, or ``None``."""

    def _moved_on(self, entries: list[Entry]) -> None:
        super()._moved_on(entries)
        self.last_time = max(self.last_time, entries[-1].recorded_at)


class Store(abc.ABC):
    """Where a log's entries live: a JSON Lines file, a SQLite file, a PostgreSQL database.

    - ``location``: the path or URL, as shown in messages (a password left out).
    - ``path``: the file that holds the log, or ``None`` for a database server.
    - ``title``: the default chronology title (the file's stem, the database's
      or schema's name).
    - ``lock_timeout``: seconds a read or an append waits for the store's lock
      before :class:`~timeline.errors.LockTimeoutError` (``timeline/stores/locks.py``).
    - ``read_model``: the persisted chronology it keeps, or ``None`` (``docs/read-model.md``).

    Every entry a store yields has been checked (see :class:`Chain`); errors
    are :class:`~timeline.errors.LogCorruptError` naming the position.
    """

    location: str
    path: Path | None
    title: str
    lock_timeout: float
    #: The persisted chronology this store keeps, a
    #: :class:`~timeline.stores.readmodel.ReadModel`; ``None``: every read folds the log.
    read_model: ReadModel | None = None

    @abc.abstractmethod
    def entries(self, *, after: int = 0, upto: int | None = None,
                until: _dt.datetime | None = None) -> Iterator[Entry]:
        """Entries with ``after < position``, in order, checked as they are read.

        A store may stop after position ``upto`` or after the last entry
        recorded at or before ``until``; a caller must not rely on it (the
        file store reads on). Read from 0, every rule is checked.
        """

    def checked_entries(self) -> Iterator[Entry]:
        """Every entry from the start, each checked in full (what ``verify`` reads); a
        store that trusts what it checked before (the file store) overrides it."""
        return self.entries()

    @abc.abstractmethod
    def head(self) -> tuple[int, str]:
        """``(position, hash)`` of the last entry; ``(0, 64 zeros)`` for an empty log."""

    @abc.abstractmethod
    def entry_for_key(self, key: str) -> Entry | None:
        """The entry appended with this idempotency key, or ``None``."""

    def history(self, event_id: str) -> list[Entry]:
        """Every entry of ``event_id``, in order (empty if it was never recorded)."""
        return [e for e in self.entries() if e.event_id == event_id]

    def event_ids(self) -> set[str]:
        """Every event id ever recorded, retracted ones included."""
        return {e.event_id for e in self.entries()}

    @abc.abstractmethod
    def writing(self) -> AbstractContextManager[Writer]:
        """Hold the store's write lock (one writer at a time, across processes and
        machines) and give a :class:`Writer`; commit what it wrote on a clean exit."""

    @classmethod
    @abc.abstractmethod
    def filling(cls, location: str) -> AbstractContextManager[Filler]:
        """Give a :class:`Filler` for a new log at ``location``, or for the empty log there,
        that a copy fills: what it wrote appears whole when the block ends without an
        error, or not at all (an error, or a crash at any moment, kill -9 included).

        Raises :class:`~timeline.errors.LogExistsError` (:func:`check_empty`) if
        the log there has entries, before anything is written.
        """

    def repair(self) -> RepairReport:
        """Verify every entry; a store without a torn tail to remove reports nothing done."""
        count = 0
        for entry in self.entries():
            count = entry.position
        return RepairReport(None, 0, None, count)

    def files(self) -> dict[Path, str]:
        """Every file of the log, existing or not, with what it is (``"the log"``...):
        what no output may overwrite (:mod:`timeline.outputs`). Empty for a database
        server; a file store adds its side files."""
        return {self.path: "the log"} if self.path is not None else {}

    def close(self) -> None:  # noqa: B027 - nothing to close for a file
        """Release connections; the store may not be used afterwards."""


def title_from_name(name: str) -> str:
    """The default chronology title for a log named ``name`` (a file's stem, a database's
    or schema's name), valid whatever the name holds: a byte that is not UTF-8 becomes
    U+FFFD, each run of control characters (a newline, a tab...) one space, the ends
    are stripped and the length cut to 300; a name with nothing left gives "Chronology".
    So ``timeline export $'a\\nb.jsonl'`` is titled "a b" instead of failing."""
    text = _CONTROL_RUN.sub(" ", _SURROGATE.sub("\ufffd", name)).strip()[:300].strip()
    return text or _DEFAULT_TITLE


def check_transition(live: MutableMapping[str, bool], kind: str, event_id: str,
                     position: int | None) -> None:
    """Is an entry of type ``kind`` for ``event_id`` allowed, given ``live``?

    ``live.get(id)`` is ``None`` (never recorded), ``True`` or ``False``
    (retracted). Replaying a log (``position`` given), a refused transition is
    corruption; appending (``position`` None), it is the caller's error.
    """
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


def check_empty(location: str, count: int | None) -> None:
    """Refuse a copy into a log that already holds ``count`` entries
    (:class:`~timeline.errors.LogExistsError`); ``None`` or 0 is fine."""
    if count:
        raise LogExistsError(f"log: {location!r} already holds {count} "
                             f"entr{'y' if count == 1 else 'ies'}.", field="log",
                             value=location, fix="Copy into a new or empty log.")
