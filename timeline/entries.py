"""Log entries: what was recorded about an event, when, and its place in the hash chain.

An entry is one line of JSON (the full format is specified in
``docs/log-format.md``)::

    {"format":1,"position":1,"recorded_at":"2026-11-29T18:50:01.123456Z",
     "type":"recorded","event_id":"...","reason":null,"event":{...},
     "prev":"000...000","hash":"9f2c..."}

``hash`` is the SHA-256 (hex) of the entry's canonical JSON without ``hash``:
keys sorted, no whitespace, UTF-8 (not ``\\u`` escapes). ``prev`` is the
previous entry's hash (64 zeros for position 1), which chains every entry to
all before it. An optional ``idempotency_key`` (after ``event_id``) names the
client's append so that a retry is recognised; it is left out when absent.

:class:`Append` describes an entry still to be written, for
:meth:`timeline.Log.append_batch`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from typing import Any

import attrs

from .errors import FormatVersionError, LogCorruptError, TimelineError, ValidationError
from .records import _CONTROL_LINE, Event

__all__ = ["Entry", "Append", "ENTRY_TYPES", "FORMAT_VERSION", "GENESIS_HASH"]

#: The log format version this library writes and the newest it reads.
FORMAT_VERSION = 1
#: Entry types: an event recorded, revised (full replacement) or retracted.
ENTRY_TYPES: tuple[str, ...] = ("recorded", "revised", "retracted")
#: ``prev`` of the first entry.
GENESIS_HASH = "0" * 64

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)
_FIELDS = ("format", "position", "recorded_at", "type", "event_id", "reason", "event", "prev",
           "hash")
# With a key: it follows event_id, so a reader sees it before the (long) event.
_KEYED_FIELDS = (*_FIELDS[:5], "idempotency_key", *_FIELDS[5:])


@attrs.frozen(slots=True)
class Entry:
    """One immutable log entry.

    - ``position``: 1-based, gap-free.
    - ``recorded_at``: record time, an aware UTC ``datetime`` (microseconds).
    - ``type``: one of :data:`ENTRY_TYPES`.
    - ``event``: the full :class:`~timeline.records.Event` for *recorded* and
      *revised*; ``None`` for *retracted*.
    - ``reason``: why a revision or retraction was made (required for both).
    - ``prev`` / ``hash``: the chain, lowercase hex SHA-256.
    - ``idempotency_key``: the client's key for this append, or ``None``.
    """

    position: int
    recorded_at: _dt.datetime
    type: str
    event_id: str
    event: Event | None
    reason: str | None
    prev: str
    hash: str
    idempotency_key: str | None = None

    def to_line(self) -> bytes:
        """The entry's exact bytes in the log, newline included."""
        return (_dumps(_ordered(self._body(), self.hash)) + "\n").encode("utf-8")

    def _body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "position": self.position,
            "recorded_at": format_time(self.recorded_at),
            "type": self.type,
            "event_id": self.event_id,
        }
        if self.idempotency_key is not None:  # absent, not null: keyless lines stay as they were
            body["idempotency_key"] = self.idempotency_key
        body.update(reason=self.reason,
                    event=None if self.event is None else self.event.to_dict(), prev=self.prev)
        return body

    def same_content(self, append: Append) -> bool:
        """True if ``append`` asks for exactly this entry's type, event id, event and reason
        (record time, position and chain aside): an idempotent retry of it."""
        return (self.type, self.event_id, self.reason, self.event) == (
            append.type, append.event_id, append.reason, append.event)

    @classmethod
    def create(cls, *, position: int, recorded_at: _dt.datetime, type: str, event_id: str,
               event: Event | None, reason: str | None, prev: str,
               idempotency_key: str | None = None) -> Entry:
        """A new entry with its hash computed."""
        entry = cls(position, recorded_at, type, event_id, event, reason, prev, "",
                    idempotency_key)
        return attrs.evolve(entry, hash=body_hash(entry._body()))

    @classmethod
    def from_line(cls, line: bytes, *, position: int, prev: str) -> Entry:
        """Parse and check one line (without its newline) found at ``position``.

        Checks, in order: UTF-8, JSON object, format version, fields (the
        optional ``idempotency_key`` after ``event_id``), position, ``prev``,
        hash, canonical form (the line is byte-for-byte what this library
        writes), type, then the event's own validation and the key's form. Raises
        :class:`~timeline.errors.LogCorruptError` naming ``position``, or
        :class:`~timeline.errors.FormatVersionError` for a newer format.
        """
        def bad(why: str, fix: str | None = None) -> LogCorruptError:
            return LogCorruptError(f"log entry at position {position} {why}.", position=position,
                                   fix=fix)

        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise bad(f"is not valid UTF-8 (byte {exc.start})") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise bad("is not JSON") from None
        if not isinstance(data, dict):
            raise bad("is not a JSON object")
        version = data.get("format")
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            raise FormatVersionError(
                f"log entry at position {position} has format {version}, newer than "
                f"format {FORMAT_VERSION} which this version of diplomatic-timeline reads.",
                position=position, fix="Upgrade diplomatic-timeline.")
        if version != FORMAT_VERSION or isinstance(version, bool):
            raise bad(f"has format {version!r}, not {FORMAT_VERSION}")
        fields = _KEYED_FIELDS if "idempotency_key" in data else _FIELDS
        if list(data) != list(fields):
            missing = [f for f in fields if f not in data]
            extra = [f for f in data if f not in fields]
            if missing or extra:
                raise bad("has " + " and ".join(
                    ([f"no field {', '.join(missing)}"] if missing else [])
                    + ([f"unknown field {', '.join(extra)}"] if extra else [])))
            raise bad(f"has its fields out of order (expected {', '.join(fields)})")
        if data["position"] != position or isinstance(data["position"], bool):
            raise bad(f"says position {data['position']!r}, expected {position}")
        if data["prev"] != prev:
            raise bad("does not chain to the entry before it (prev hash differs)")
        expected = body_hash({k: v for k, v in data.items() if k != "hash"})
        if data["hash"] != expected:
            raise bad("has a hash that does not match its content")
        if _dumps(data) != text:
            raise bad("is not in canonical form (bytes changed outside the hashed values)")
        kind = data["type"]
        if kind not in ENTRY_TYPES:
            raise bad(f"has unknown type {kind!r}")
        key = data.get("idempotency_key")
        try:
            recorded_at = parse_time(data["recorded_at"])
            event = None if data["event"] is None else Event.from_dict(data["event"])
            if key is not None or "idempotency_key" in data:
                _check_key(key)
        except (TimelineError, ValueError, TypeError) as exc:
            raise bad(f"holds an invalid record: {str(exc).rstrip('.')}") from None
        event_id = data["event_id"]
        if (kind == "retracted") != (event is None) or (event and event.id != event_id) or (
                (kind == "recorded") != (data["reason"] is None)) or (
                kind != "recorded" and not isinstance(data["reason"], str)):
            raise bad("is inconsistent: its type, event id, event and reason do not agree")
        return cls(position, recorded_at, kind, event_id, event, data["reason"], data["prev"],
                   data["hash"], key)


@attrs.frozen(slots=True)
class Append:
    """One entry still to be appended: build it with :meth:`record`, :meth:`revise` or
    :meth:`retract`, and give a list of them to :meth:`timeline.Log.append_batch`.

    The constructors check what needs no log: a revision or retraction needs a
    one-line ``reason`` of 1 to 2000 characters; an ``idempotency_key`` is one
    line of 1 to 200 characters without control characters or surrounding
    spaces. Both raise :class:`~timeline.errors.ValidationError` naming the
    field. Whether the event may be recorded, revised or retracted is decided
    by the log, under its lock.
    """

    type: str
    event_id: str
    event: Event | None = None
    reason: str | None = None
    idempotency_key: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.type not in ENTRY_TYPES:
            raise ValidationError("type", self.type, "is not an entry type",
                                  f"Use one of: {', '.join(ENTRY_TYPES)}.")
        if self.type == "retracted":
            if self.event is not None:
                raise ValidationError("event", self.event.id if isinstance(self.event, Event)
                                      else self.event, "is given for a retraction",
                                      "Give only the event id: Append.retract(id, reason=...).")
        elif not isinstance(self.event, Event):
            raise ValidationError("event", self.event, "is not an Event", "Give an Event record.")
        elif self.event.id != self.event_id:
            raise ValidationError("event_id", self.event_id, f"differs from the event's id "
                                  f"{self.event.id!r}", "Build the item with Append.record or "
                                  "Append.revise, which take the id from the event.")
        if self.type != "recorded":
            _check_reason(self.reason)
        elif self.reason is not None:
            raise ValidationError("reason", self.reason, "is given for a new event",
                                  "Give a reason only when revising or retracting.")
        if self.idempotency_key is not None:
            _check_key(self.idempotency_key)

    @classmethod
    def record(cls, event: Event, *, idempotency_key: str | None = None) -> Append:
        """A *recorded* entry for a new event."""
        return cls("recorded", _event_id(event), event, None, idempotency_key)

    @classmethod
    def revise(cls, event: Event, *, reason: str, idempotency_key: str | None = None) -> Append:
        """A *revised* entry: ``event`` replaces the current record of its id."""
        return cls("revised", _event_id(event), event, reason, idempotency_key)

    @classmethod
    def retract(cls, event_id: str, *, reason: str,
                idempotency_key: str | None = None) -> Append:
        """A *retracted* entry: the event leaves the chronology from then on."""
        return cls("retracted", event_id, None, reason, idempotency_key)


def _event_id(event: Event) -> str:
    if not isinstance(event, Event):
        raise ValidationError("event", event, "is not an Event", "Give an Event record.")
    return event.id


def _check_reason(reason: Any) -> None:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000 or any(
            ord(c) < 32 for c in reason):
        raise ValidationError("reason", reason, "is not a one-line reason of 1 to 2000 characters",
                              "Say why, e.g. --reason 'date confirmed by the ministry'.")


def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not key or len(key) > 200 or key != key.strip() or (
            _CONTROL_LINE.search(key)):
        raise ValidationError("idempotency_key", key, "is not a key of 1 to 200 characters on "
                              "one line, without control characters or surrounding spaces",
                              "For example icews:20180601-123, or a UUID.")


def body_hash(body: dict[str, Any]) -> str:
    """SHA-256 hex of ``body`` as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def format_time(value: _dt.datetime) -> str:
    """UTC ``datetime`` -> ``2026-11-29T18:50:01.123456Z``."""
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> _dt.datetime:
    """``2026-11-29T18:50:01.123456Z`` -> aware UTC ``datetime``; raises ValueError.

    Only the exact form :func:`format_time` writes is accepted (6 fraction
    digits, ``Z``), so a hand-edited offset cannot slip through.
    """
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise ValueError(f"record time {text!r} is not of the form 2026-11-29T18:50:01.123456Z")
    return _dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=_dt.timezone.utc)


def _ordered(body: dict[str, Any], hash_: str) -> dict[str, Any]:
    return {**body, "hash": hash_}


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
