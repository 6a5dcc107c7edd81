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
import orjson

from .errors import FormatVersionError, LogCorruptError, TimelineError, ValidationError
from .records import _CONTROL_LINE, Event, _checked_event

__all__ = ["Entry", "Append", "ENTRY_TYPES", "FORMAT_VERSION", "GENESIS_HASH"]

#: The log format version this library writes and the newest it reads.
FORMAT_VERSION = 1
#: Entry types: an event recorded, revised (full replacement) or retracted.
ENTRY_TYPES: tuple[str, ...] = ("recorded", "revised", "retracted")
#: ``prev`` of the first entry.
GENESIS_HASH = "0" * 64

_from_iso = _dt.datetime.fromisoformat  # reads the final "Z" as UTC (Python 3.11+)
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
    # The canonical bytes (no newline) when known: read from the log or just built.
    _canonical_bytes: bytes | None = attrs.field(default=None, eq=False, repr=False,
                                                 alias="canonical_bytes")

    def to_line(self) -> bytes:
        """The entry's exact bytes in the log, newline included."""
        if self._canonical_bytes is None:
            return _canonical({**self._body(), "hash": self.hash}) + b"\n"
        return self._canonical_bytes + b"\n"

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
        body = entry._body()  # built and serialised once, for the hash and the line
        hash_ = body_hash(body)
        body["hash"] = hash_
        return cls(position, recorded_at, type, event_id, event, reason, prev, hash_,
                   idempotency_key, _canonical(body))

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
        if type(version) is not int or version != FORMAT_VERSION:
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
        if type(data["position"]) is not int or data["position"] != position:
            raise bad(f"says position {data['position']!r}, expected {position}")
        if data["prev"] != prev:
            raise bad("does not chain to the entry before it (prev hash differs)")
        stated = data.pop("hash")  # the body is the entry without its hash
        if stated != body_hash(data):
            raise bad("has a hash that does not match its content")
        data["hash"] = stated
        if _canonical(data) != line:  # the exact bytes: nothing outside the hash changed
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
        if event is not None:
            # The event exactly as to_dict writes it (no key left out, no null for a
            # default, no alpha-2 country): a checked prefix rebuilds it from that form.
            written, given = event.to_dict(), data["event"]
            if written != given:
                key = next((k for k in written if written[k] != given.get(k, ...)), "event")
                raise bad(f"is not in canonical form (its event's {key!r} is not written as "
                          "this library writes it)")
        event_id = data["event_id"]
        if (kind == "retracted") != (event is None) or (event and event.id != event_id) or (
                (kind == "recorded") != (data["reason"] is None)) or (
                kind != "recorded" and not isinstance(data["reason"], str)):
            raise bad("is inconsistent: its type, event id, event and reason do not agree")
        return cls(position, recorded_at, kind, event_id, event, data["reason"], data["prev"],
                   data["hash"], key, bytes(line))

    @classmethod
    def from_checked_line(cls, line: bytes) -> Entry:
        """The entry :meth:`from_line` returns for ``line``, rebuilt without checking it:
        only for a line a full read already checked, byte for byte (a checked prefix,
        ``timeline/stores/checked.py``). Parses it and builds the records; no
        re-serialising, no hash, no validators.

        Parsed with ``orjson``: on a line a full check accepted (strings, null, lists,
        objects, small integers) it gives exactly what ``json.loads`` gives
        (``tests/test_checked_prefix.py``). The full check keeps ``json.loads``, which
        defines what a line means for any bytes (``orjson`` reads an integer beyond
        64 bits as a float, and refuses NaN and lone surrogates).
        """
        data = orjson.loads(line)  # ~4x faster than json.loads; same values on these lines
        event = data["event"]
        return cls(data["position"], _from_iso(data["recorded_at"]), data["type"], data["event_id"],
                   None if event is None else _checked_event(event), data["reason"],
                   data["prev"], data["hash"], data.get("idempotency_key"), line)


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
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # what only a hostile line holds: see _canonical
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":")).encode("utf-8", "surrogatepass")
    return hashlib.sha256(canonical).hexdigest()


def format_time(value: _dt.datetime) -> str:
    """UTC ``datetime`` -> ``2026-11-29T18:50:01.123456Z``."""
    # isoformat, not strftime: ~10x faster, and pads years before 1000 as %Y does not.
    return value.astimezone(_dt.timezone.utc).replace(tzinfo=None).isoformat(
        timespec="microseconds") + "Z"


def parse_time(text: str) -> _dt.datetime:
    """``2026-11-29T18:50:01.123456Z`` -> aware UTC ``datetime``; raises ValueError.

    Only the exact form :func:`format_time` writes is accepted (6 fraction
    digits, ``Z``), so a hand-edited offset cannot slip through.
    """
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise ValueError(f"record time {text!r} is not of the form 2026-11-29T18:50:01.123456Z")
    return _from_iso(text)


def _canonical(data: dict[str, Any]) -> bytes:
    """``data`` as compact JSON, keys in their order, UTF-8 (not ``\\u`` escapes).

    The reference is ``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``;
    ``orjson`` writes the same bytes ~6x faster for everything an entry can hold
    (strings, 64-bit integers, null, lists, objects; proved by
    ``tests/test_entries_orjson.py``). What it refuses (integers beyond 64 bits, lone
    surrogates, deep nesting: only a hostile line holds them) goes to the reference.
    """
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass")
