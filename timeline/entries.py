"""Log entries: what was recorded about an event, when, and its place in the hash chain.

An entry is one line of JSON (the full format is specified in
``docs/log-format.md``)::

    {"format":1,"position":1,"recorded_at":"2026-11-29T18:50:01.123456Z",
     "type":"recorded","event_id":"...","reason":null,"event":{...},
     "prev":"000...000","hash":"9f2c..."}

``hash`` is the SHA-256 (hex) of the entry's canonical JSON without ``hash``:
keys sorted, no whitespace, UTF-8 (not ``\\u`` escapes). ``prev`` is the
previous entry's hash (64 zeros for position 1), which chains every entry to
all before it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from typing import Any

import attrs

from .errors import FormatVersionError, LogCorruptError, TimelineError
from .records import Event

__all__ = ["Entry", "ENTRY_TYPES", "FORMAT_VERSION", "GENESIS_HASH"]

#: The log format version this library writes and the newest it reads.
FORMAT_VERSION = 1
#: Entry types: an event recorded, revised (full replacement) or retracted.
ENTRY_TYPES: tuple[str, ...] = ("recorded", "revised", "retracted")
#: ``prev`` of the first entry.
GENESIS_HASH = "0" * 64

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", re.ASCII)
_FIELDS = ("format", "position", "recorded_at", "type", "event_id", "reason", "event", "prev",
           "hash")


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
    """

    position: int
    recorded_at: _dt.datetime
    type: str
    event_id: str
    event: Event | None
    reason: str | None
    prev: str
    hash: str

    def to_line(self) -> bytes:
        """The entry's exact bytes in the log, newline included."""
        return (_dumps(_ordered(self._body(), self.hash)) + "\n").encode("utf-8")

    def _body(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "position": self.position,
            "recorded_at": format_time(self.recorded_at),
            "type": self.type,
            "event_id": self.event_id,
            "reason": self.reason,
            "event": None if self.event is None else self.event.to_dict(),
            "prev": self.prev,
        }

    @classmethod
    def create(cls, *, position: int, recorded_at: _dt.datetime, type: str, event_id: str,
               event: Event | None, reason: str | None, prev: str) -> Entry:
        """A new entry with its hash computed."""
        entry = cls(position, recorded_at, type, event_id, event, reason, prev, "")
        return attrs.evolve(entry, hash=body_hash(entry._body()))

    @classmethod
    def from_line(cls, line: bytes, *, position: int, prev: str) -> Entry:
        """Parse and check one line (without its newline) found at ``position``.

        Checks, in order: UTF-8, JSON object, format version, canonical form
        (the line is byte-for-byte what this library writes), position,
        ``prev``, hash, then the event's own validation. Raises
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
        if list(data) != list(_FIELDS):
            missing = [f for f in _FIELDS if f not in data]
            extra = [f for f in data if f not in _FIELDS]
            raise bad(f"has fields out of order, missing {missing} or unknown {extra}")
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
        try:
            recorded_at = parse_time(data["recorded_at"])
            event = None if data["event"] is None else Event.from_dict(data["event"])
        except (TimelineError, ValueError, TypeError) as exc:
            raise bad(f"holds an invalid record: {exc}") from None
        event_id = data["event_id"]
        if (kind == "retracted") != (event is None) or (event and event.id != event_id) or (
                kind != "recorded" and not isinstance(data["reason"], str)):
            raise bad("is inconsistent: its type, event id, event and reason do not agree")
        return cls(position, recorded_at, kind, event_id, event, data["reason"], data["prev"],
                   data["hash"])


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
