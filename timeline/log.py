"""The append-only log: hash-chained entries in a store, and the rules for appending.

:class:`Log` is the one front door. It opens the store a location names
(:func:`timeline.stores.open_store`): a JSON Lines file (the default), a
``.sqlite`` file or ``sqlite:///path`` URL, or a ``postgresql://`` URL. The
rules live here, once, so every store behaves the same: the expected position
(optimistic concurrency), which transitions are allowed, idempotency keys,
record times that never go back, all-or-nothing batches. Each store keeps the
entries, the hash chain and the durability promise (``docs/log-format.md``,
``docs/stores.md``).

Durability contract (full text in ``docs/log-format.md``, "Durability"):

- An append is *acknowledged* when :meth:`Log.record`, :meth:`Log.revise`,
  :meth:`Log.retract` or :meth:`Log.append_batch` return (the CLI then prints
  the position). Before returning, the new entries are on stable storage: the
  file's ``fsync`` returned (file store), or the database committed with
  ``synchronous=FULL`` (SQLite) or a synchronous commit (PostgreSQL).
- Appends hold the store's write lock from reading the head to that point
  (``flock`` on the file, ``BEGIN IMMEDIATE`` in SQLite, ``LOCK TABLE ... IN
  EXCLUSIVE MODE`` in PostgreSQL), so concurrent writers, in threads,
  processes or on other machines, get one global order.
- Readers see the log as it was between two appends, never half of one.
- A failed append leaves the log as it was. Only a crash can leave an
  incomplete final line in a file; reads report it, appends refuse, and
  :meth:`Log.repair` moves it to a side file.
- An ``idempotency_key`` makes a retry safe: an append whose key is already in
  the log, for the same content, returns the original entry and writes nothing.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, MutableMapping

from .chronology import Chronology, EventFilter, EventState, check_as_of, fold
from .entries import GENESIS_HASH, Append, Entry, _check_key, body_hash
from .errors import (ConcurrencyError, IdempotencyKeyError, LogCorruptError, LogNotFoundError,
                     TimelineError, UnknownEventError, ValidationError)
from .records import Event
from .stores import Store, fill_store, open_store, store_path
from .stores.base import RepairReport, Writer, check_transition
from .stores.readmodel import ReadModel, ReadModelReport
from .streams import EventStream
from .stores.jsonl import _write_all  # noqa: F401 - the seam tests/crash_harness.py patches

__all__ = ["Log", "VerifyReport", "RepairReport", "ReadModelReport"]

_HEX = frozenset("0123456789abcdef")
_COPY_CHUNK = 5000  # entries a write when copying: memory stays flat however long the log


class VerifyReport:
    """What :meth:`Log.verify` checked: ``entries`` (count), ``head_hash``, ``events``."""

    __slots__ = ("entries", "head_hash", "events")

    def __init__(self, entries: int, head_hash: str, events: int) -> None:
        self.entries = entries
        self.head_hash = head_hash
        self.events = events


class Log:
    """An append-only, hash-chained log of entries, in whichever store holds it.

    ``Log(location)`` opens an existing log (raises
    :class:`~timeline.errors.LogNotFoundError` if there is none);
    :meth:`Log.create` makes a new, empty one. ``location`` is a path (a
    ``.sqlite`` / ``.sqlite3`` suffix means SQLite, anything else a JSON Lines
    file), a ``sqlite:///path`` URL or a ``postgresql://`` URL (needs the
    ``postgres`` extra). ``path`` is the log's file (``None`` for PostgreSQL),
    ``location`` how messages name it (a URL without its password), ``store``
    the :class:`~timeline.stores.Store` behind it.

    One object may be shared by threads; several objects, processes and, with
    PostgreSQL, machines may append to one log at once. ``lock_timeout``: the seconds
    a read or an append waits for the store's lock before
    :class:`~timeline.errors.LockTimeoutError` (exit 5); default
    ``TIMELINE_LOCK_TIMEOUT``, else 60 (``timeline/stores/locks.py``); 0 fails at once.
    """

    def __init__(self, location: str | os.PathLike[str], *,
                 lock_timeout: float | None = None) -> None:
        self._attach(open_store(location, lock_timeout=lock_timeout))

    def _attach(self, store: Store) -> None:
        self.store = store
        self.path = store.path
        self.location = store.location
        self.lock_timeout = store.lock_timeout

    @classmethod
    def create(cls, location: str | os.PathLike[str], *,
               lock_timeout: float | None = None) -> Log:
        """Create an empty log (file: exclusively, fsynced with its folder; database: the
        schema, with its version). Raises :class:`~timeline.errors.LogExistsError`."""
        log = cls.__new__(cls)
        log._attach(open_store(location, create=True, lock_timeout=lock_timeout))
        return log

    # -- reading ---------------------------------------------------------------------------

    def entries(self, *, after: int = 0) -> Iterator[Entry]:
        """Yield entries in order (those with position > ``after``), checking each.

        Streams; memory does not grow with the log beyond the set of event ids
        and idempotency keys. Raises :class:`~timeline.errors.LogCorruptError`
        at the first bad entry and :class:`~timeline.errors.TornTailError` if a
        file ends with an incomplete line (after yielding every complete entry
        before it).
        """
        return self.store.entries(after=after)

    def chronology(self, *, as_of: int | _dt.datetime | None = None,
                   title: str | None = None, date_from: str | None = None,
                   date_to: str | None = None, actor: str | None = None, tag: str | None = None,
                   cameo: str | None = None, status: str | None = None,
                   text: str | None = None) -> Chronology:
        """The projection: current events, optionally as of a position or record time and
        filtered, in chronological order.

        ``as_of`` is a 1-based position (entries after it are ignored) or an
        aware ``datetime`` (entries recorded after it are ignored). The filters
        are those of :meth:`Chronology.filter` (the same answer as
        ``chronology(as_of=...).filter(...)``); ValidationError for an invalid one.
        A store with a read model (SQLite, PostgreSQL: in the database; a JSON Lines
        file: in the cache folder, caught up here) answers from it, running the filters
        and the as-of in SQL, when its tracking record matches the log's head; otherwise
        the entries (up to that point) are folded (``docs/read-model.md``).
        """
        wanted, title, model = self._read_model(as_of, title, date_from=date_from,
                                                date_to=date_to, actor=actor, tag=tag,
                                                cameo=cameo, status=status, text=text)
        if model is not None:
            found = model.chronology(as_of, wanted, title)
            if found is not None:
                return found
        return self._fold(as_of, wanted, title)

    def events(self, *, as_of: int | _dt.datetime | None = None, title: str | None = None,
               **filters: str | None) -> EventStream:
        """The events of :meth:`chronology` (same arguments, same answer, same order) as an
        :class:`~timeline.streams.EventStream`, to be read once: what ``timeline export``
        writes.

        A SQLite or PostgreSQL read model that is current streams them from its database
        in batches (memory holds a batch, not the export), in one read transaction on a
        connection of the stream's own, so that appends meanwhile neither wait nor show;
        whether it is current is checked before this returns. Otherwise (a JSON Lines
        file's read model, a stale or unbuilt one, no read model) the stream is
        :meth:`chronology`'s. Raises what :meth:`chronology` raises; while iterating,
        :class:`~timeline.errors.LogCorruptError` for a read-model row found not to match
        its entry (fix: ``timeline rebuild LOG``), :class:`~timeline.errors.LogError` for
        a database that fails.
        """
        wanted, title, model = self._read_model(as_of, title, **filters)
        if model is not None:
            found = model.events(as_of, wanted, title)
            if found is not None:
                return found
        return EventStream.from_chronology(self._fold(as_of, wanted, title))

    def _read_model(self, as_of: int | _dt.datetime | None, title: str | None,
                    **filters: str | None) -> tuple[EventFilter, str, ReadModel | None]:
        """The filter, the title, and the read model that may answer (``None``: fold)."""
        wanted = EventFilter.of(**filters)
        check_as_of(as_of)
        exact = isinstance(as_of, int) and not isinstance(as_of, bool)
        timed = isinstance(as_of, _dt.datetime) and as_of.tzinfo is not None
        usable = as_of is None or exact or timed
        return wanted, title or self.store.title, self.store.read_model if usable else None

    def _fold(self, as_of: int | _dt.datetime | None, wanted: EventFilter,
              title: str) -> Chronology:
        exact = isinstance(as_of, int) and not isinstance(as_of, bool)
        timed = isinstance(as_of, _dt.datetime) and as_of.tzinfo is not None
        entries = self.store.entries(upto=as_of if exact else None,  # type: ignore[arg-type]
                                     until=as_of if timed else None)  # type: ignore[arg-type]
        return fold(entries, as_of=as_of, title=title).matching(wanted)

    def rebuild(self) -> ReadModelReport | None:
        """Build the store's read model again from every entry (under the write lock, in
        one transaction) and return what it reflects; ``None`` for a store that keeps
        none (a JSON Lines file when ``TIMELINE_CACHE_DIR`` is empty). Raises
        :class:`~timeline.errors.LogError` if a file's cache folder cannot be written."""
        model = self.store.read_model
        return None if model is None else model.rebuild()

    def verify_read_model(self) -> ReadModelReport | None:
        """Compare the store's read model with a fresh fold of every entry; ``None`` for a
        store that keeps none. Raises :class:`~timeline.errors.LogCorruptError` naming
        the first row that differs (fix: ``timeline rebuild LOG``)."""
        model = self.store.read_model
        return None if model is None else model.check()

    def history(self, event_id: str) -> list[Entry]:
        """Every entry that touched ``event_id``, in order; raises UnknownEventError.

        A database store answers from its index on event ids, without reading
        the rest of the log.
        """
        found = self.store.history(event_id)
        if not found:
            raise UnknownEventError(f"id: no event {event_id!r} in this log.", event_id=event_id,
                                    fix="List the ids with: timeline list LOG")
        return found

    def state(self, event_id: str, *, as_of: int | _dt.datetime | None = None) -> EventState:
        """One event as the chronology holds it (now, or ``as_of`` as in :meth:`chronology`),
        folded from its history alone. Raises UnknownEventError if it is not in the
        chronology (never recorded, retracted, or not yet recorded then)."""
        return fold(self.store.history(event_id), as_of=as_of).get(event_id)

    def event_ids(self) -> set[str]:
        """Every event id ever recorded in the log, retracted ones included (ids stay taken)."""
        return self.store.event_ids()

    @property
    def head(self) -> tuple[int, str]:
        """``(position, hash)`` of the last entry; ``(0, 64 zeros)`` for an empty log."""
        return self.store.head()

    def entry_for_key(self, idempotency_key: str) -> Entry | None:
        """The entry appended with this idempotency key, or ``None`` if there is none.

        Lets an importer ask "is this row in already?" without appending.
        """
        _check_key(idempotency_key)
        return self.store.entry_for_key(idempotency_key)

    def verify(self, *, expect_head: str | None = None,
               expect_position: int | None = None) -> VerifyReport:
        """Check every entry, position, hash and record from the start.

        ``expect_head`` (a hash printed by an earlier ``timeline verify``) and
        ``expect_position`` (the last position you knew of) also detect a log
        truncated at an entry boundary: the log must still hold an entry with
        that hash / reach that position (it may have grown since). The 64 zeros
        an empty log prints are the head at position 0, which every log holds. Given both,
        the hash must be the one at that position. Returns a
        :class:`VerifyReport`; raises :class:`~timeline.errors.LogCorruptError`
        naming the first bad position (:class:`~timeline.errors.TornTailError`
        naming the byte offset of an incomplete final line), or
        :class:`~timeline.errors.ValidationError` for a malformed expectation.
        """
        if expect_head is not None and (not isinstance(expect_head, str) or len(
                expect_head) != 64 or not set(expect_head) <= _HEX):
            raise ValidationError("expect_head", expect_head, "is not a SHA-256 hash (64 "
                                  "lowercase hex digits)",
                                  "Give the head hash printed by 'timeline verify'.")
        _check_position("expect_position", expect_position)
        # The all-zero head an empty log has (and prints) is held by every log, at position 0.
        count, head, live = 0, GENESIS_HASH, set()
        head_at = 0 if expect_head == GENESIS_HASH else None
        for entry in self.store.checked_entries():  # never a checked prefix
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
        if None not in (expect_head, expect_position, head_at) and head_at != expect_position:
            raise LogCorruptError(
                f"log has the expected head hash at position {head_at}, not at the expected "
                f"position {expect_position}: the log was rewritten.",
                position=min(head_at, expect_position))  # type: ignore[type-var]
        return VerifyReport(count, head, len(live))

    # -- repair and copy -------------------------------------------------------------------

    def repair(self) -> RepairReport:
        """Move an incomplete final line (a crash during an append) to a side file.

        Verifies every complete entry first and refuses, changing nothing, with
        :class:`~timeline.errors.LogCorruptError` if any is bad: only a torn
        tail is repaired, never a complete entry. The file store keeps the
        removed bytes in ``LOG.torn-OFFSET`` (see ``docs/log-format.md``); a
        database store has no torn tail and reports that nothing was done.
        Returns a :class:`RepairReport`.
        """
        return self.store.repair()

    def copy_to(self, destination: str | os.PathLike[str]) -> Log:
        """Copy every entry, exactly (positions, record times, hashes), into a new or
        empty log at ``destination`` (any store), checking each on the way; returns it.

        All or nothing, even if the process is killed at any moment: the destination
        appears only complete. A new file log is built under a temporary name in its
        folder and linked into place at the end (an empty one there is replaced the
        same way); a database log is filled in one transaction (see
        :meth:`Store.filling <timeline.stores.base.Store.filling>`). If any entry fails
        its check, or a write fails, the destination is left as it was. Raises
        :class:`~timeline.errors.LogExistsError` if the destination holds entries, and
        ValidationError, before anything is written, if it is this log however it is
        spelled (a relative or absolute path, ``..``, a symbolic or hard link; for
        PostgreSQL, the same table of the same server).
        """
        _refuse_itself(self.store, destination)
        with fill_store(destination) as filler:
            chunk: list[Entry] = []
            for entry in self.entries():
                if body_hash(entry._body()) != entry.hash:  # would not re-serialise as read
                    raise LogCorruptError(
                        f"log entry at position {entry.position} does not serialise back to "
                        "its hash; it cannot be copied exactly.", position=entry.position)
                chunk.append(entry)
                if len(chunk) == _COPY_CHUNK:
                    filler.write(chunk)
                    chunk = []
            filler.write(chunk)
        return Log(destination)

    # -- appending -------------------------------------------------------------------------

    def record(self, event: Event, *, expected_position: int | None = None,
               idempotency_key: str | None = None) -> Entry:
        """Append a *recorded* entry for a new event; returns the acknowledged entry.

        Raises DuplicateEventError if the id is taken (even by a retracted
        event), ConcurrencyError if ``expected_position`` is given and the log
        is not at it. With ``idempotency_key``: if an entry with that key is in
        the log already, for the same content, returns it and writes nothing
        (whatever ``expected_position`` says); for other content, raises
        :class:`~timeline.errors.IdempotencyKeyError`.
        """
        return self._commit([Append.record(event, idempotency_key=idempotency_key)],
                            expected_position, batch=False)[0]

    def revise(self, event: Event, *, reason: str, expected_position: int | None = None,
               idempotency_key: str | None = None) -> Entry:
        """Append a *revised* entry: ``event`` replaces the current record of its id.

        Raises UnknownEventError / RetractedEventError; otherwise as :meth:`record`.
        """
        return self._commit([Append.revise(event, reason=reason,
                                           idempotency_key=idempotency_key)],
                            expected_position, batch=False)[0]

    def retract(self, event_id: str, *, reason: str, expected_position: int | None = None,
                idempotency_key: str | None = None) -> Entry:
        """Append a *retracted* entry: the event leaves the chronology from now on.

        Raises UnknownEventError / RetractedEventError; otherwise as :meth:`record`.
        """
        return self._commit([Append.retract(event_id, reason=reason,
                                            idempotency_key=idempotency_key)],
                            expected_position, batch=False)[0]

    def append_batch(self, items: Iterable[Append], *,
                     expected_position: int | None = None) -> list[Entry]:
        """Append several entries at once, all or none; returns one entry per item.

        Under one lock, every item is checked in order against the log and the
        items before it; if any is refused, the error is raised with its
        ``batch_index`` set and nothing is written. Otherwise all new entries
        are written at once (one write and one ``fsync``, or one transaction),
        share one record time, and are acknowledged together. An item whose
        ``idempotency_key`` is in the log already (or earlier in the batch) for
        the same content gives back that entry and writes nothing.
        ``expected_position`` is checked against the log before the batch, and
        only if the batch writes something. An empty batch returns ``[]``.
        After a crash mid-write, see ``docs/log-format.md``: only a retry with
        the same keys is safe.
        """
        return self._commit(list(items), expected_position, batch=True)

    def _commit(self, items: list[Append], expected_position: int | None, *,
                batch: bool) -> list[Entry]:
        _check_position("expected_position", expected_position)
        for index, item in enumerate(items):
            if not isinstance(item, Append):
                raise _at(ValidationError("item", item, "is not an Append",
                                          "Build items with Append.record, Append.revise or "
                                          "Append.retract."), index, batch)
        if not items:
            return []
        with self.store.writing() as writer:
            earlier = {i.idempotency_key: writer.entry_for_key(i.idempotency_key)
                       for i in items if i.idempotency_key is not None}
            # A batch made only of retries writes nothing, so it cannot conflict.
            writes = any(i.idempotency_key is None or earlier[i.idempotency_key] is None
                         for i in items)
            if writes and expected_position is not None and expected_position != writer.position:
                raise ConcurrencyError(expected_position, writer.position)
            recorded_at = max(_dt.datetime.now(_dt.timezone.utc), writer.last_time)
            live: MutableMapping[str, bool] = ChainMap({}, _States(writer))
            done: list[Entry] = []
            new: list[Entry] = []
            for index, item in enumerate(items):
                try:
                    done.append(_prepare(writer, item, earlier, live, new, recorded_at))
                except TimelineError as exc:
                    raise _at(exc, index, batch) from None
            writer.write(new)
            return done


def _prepare(writer: Writer, item: Append, earlier: dict[str, Entry | None],
             live: MutableMapping[str, bool], new: list[Entry],
             recorded_at: _dt.datetime) -> Entry:
    """The entry for ``item``: an earlier one with its key, or a new one added to ``new``."""
    key = item.idempotency_key
    if key is not None and earlier[key] is not None:
        original = earlier[key]
        if not original.same_content(item):  # type: ignore[union-attr]
            raise IdempotencyKeyError(key, original.position,  # type: ignore[union-attr]
                                      f"{original.type} event {original.event_id!r}")  # type: ignore[union-attr]
        return original  # type: ignore[return-value]
    check_transition(live, item.type, item.event_id, position=None)
    live[item.event_id] = item.type != "retracted"
    entry = Entry.create(position=writer.position + len(new) + 1, recorded_at=recorded_at,
                         type=item.type, event_id=item.event_id, event=item.event,
                         reason=item.reason, prev=new[-1].hash if new else writer.head,
                         idempotency_key=key)
    new.append(entry)
    if key is not None:
        earlier[key] = entry  # a later item of the batch with this key is a retry of it
    return entry


class _States(Mapping[str, bool]):
    """The writer's event states as a read-only mapping (``None`` is "absent")."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    def __getitem__(self, event_id: str) -> bool:
        state = self._writer.event_state(event_id)
        if state is None:
            raise KeyError(event_id)
        return state

    def __iter__(self) -> Iterator[str]:  # pragma: no cover - never listed
        raise TypeError("the event states of a store are looked up, not listed")

    def __len__(self) -> int:  # pragma: no cover - never counted
        raise TypeError("the event states of a store are looked up, not counted")


def _refuse_itself(source: Store, destination: str | os.PathLike[str]) -> None:
    """ValidationError if ``destination`` is the log ``source`` holds: the same file
    (``st_dev`` and ``st_ino``, so every spelling and link of it), or the same
    PostgreSQL table."""
    shown = os.fspath(destination)
    path = store_path(destination)
    if path is not None:
        try:
            same = source.path is not None and os.path.samefile(source.path, path)
        except OSError:  # no file there (yet): not this log
            same = False
        for file, what in source.files().items():  # SQLite's -wal, a torn side file...
            if not same and file != source.path and _names_file(path, file):
                raise ValidationError("destination", shown, f"is {what} being copied",
                                      "Copy to another file or database.")
    elif source.path is not None:
        same = False
    else:
        from .stores.postgres import PostgresStore

        try:
            other = PostgresStore(shown)
        except LogNotFoundError:
            return
        try:
            shown = other.location  # without its password
            same = other.identity() == source.identity()  # type: ignore[attr-defined]
        finally:
            other.close()
    if same:
        raise ValidationError("destination", shown, "is the log being copied",
                              "Copy to another file or database.")


def _names_file(path: os.PathLike[str], file: os.PathLike[str]) -> bool:
    """Whether ``path`` is ``file``: the same resolved name (it need not exist), or the
    same ``st_dev`` and ``st_ino``."""
    if os.path.realpath(path) == os.path.realpath(file):
        return True
    try:
        return os.path.samefile(path, file)
    except OSError:
        return False


def _check_position(name: str, value: int | None) -> None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ValidationError(name, value, "is not a log position (a whole number, 0 or more)",
                              "Give the position of the last entry you read; 0 for an empty "
                              "log.")


def _at(error: TimelineError, index: int, batch: bool) -> TimelineError:
    if batch:
        error.batch_index = index
    return error
