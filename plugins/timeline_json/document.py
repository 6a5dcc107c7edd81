"""The ``diplomatic-timeline/1`` JSON document, both ways: event to document, document back.

:func:`read_export` is the public read-back function (``from timeline_json.document
import read_export``): it turns a JSON export into the
:class:`timeline.Chronology` it was written from, losslessly::

    read_export(timeline.export_bytes(chronology, "json")) == chronology

for every chronology: ids, EDTF strings, every text exactly (newlines, tabs and
CRs included), record times to the microsecond, positions, revisions and the
title. The document's shape is described in :mod:`timeline_json.writer` and in
``schema.json``; :func:`event_document` builds one member of ``events``.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, BinaryIO, TextIO

from timeline import (Chronology, EDTFDate, Event, EventState, TimelineError, ValidationError,
                      format_time, parse_date, parse_time)

__all__ = ["FORMAT", "event_document", "read_export"]

#: The value of the document's ``format`` key; bumped when the shape changes.
FORMAT = "diplomatic-timeline/1"

_TOP = ("format", "title", "position", "events")
_EVENT = ("id", "date", "title", "summary", "actors", "place", "sources", "tags", "cameo",
          "status", "record")
_DATE = ("edtf", "lower", "upper", "precision", "uncertain", "approximate")
_RECORD = ("recorded_at", "updated_at", "revisions", "first_position", "last_position")
_FIX = "Export the log again with: timeline export LOG -f json"


def event_document(state: EventState) -> dict[str, Any]:
    """One ``events`` member: the event's fields plus its ``record`` facts."""
    event = state.event
    return {
        "id": event.id,
        "date": _date_document(event.date),
        "title": event.title,
        "summary": event.summary,
        "actors": [{"code": a.code, "name": a.name, "role": a.role} for a in event.actors],
        "place": None if event.place is None else {"name": event.place.name,
                                                   "country": event.place.country},
        "sources": [{"url": s.url, "title": s.title, "publisher": s.publisher,
                     "published": None if s.published is None else _date_document(s.published)}
                    for s in event.sources],
        "tags": list(event.tags),
        "cameo": event.cameo,
        "status": event.status,
        "record": {
            "recorded_at": format_time(state.recorded_at),
            "updated_at": format_time(state.updated_at),
            "revisions": state.revisions,
            "first_position": state.first_position,
            "last_position": state.last_position,
        },
    }


def _date_document(date: EDTFDate) -> dict[str, Any]:
    """A ``DATE`` object: the EDTF string and the bounds and precision it means."""
    return {
        "edtf": date.edtf,
        "lower": None if date.lower is None else date.lower.isoformat(),
        "upper": None if date.upper is None else date.upper.isoformat(),
        "precision": date.precision,
        "uncertain": date.uncertain,
        "approximate": date.approximate,
    }


def read_export(source: bytes | str | BinaryIO | TextIO) -> Chronology:
    """Read a JSON export (bytes, text, or a binary or text stream) into its Chronology.

    Returns a :class:`timeline.Chronology` whose ``items`` are the exported
    events in the document's order (the exporter writes chronology order), each
    an :class:`timeline.EventState` with its record facts.

    Checks, and raises :class:`timeline.ValidationError` naming the place in
    the document (``events[3].date.upper``), the value and the fix, when: the
    bytes are not UTF-8 JSON; ``format`` is not ``diplomatic-timeline/1``; an
    object misses a key or has one the format does not define (every key is
    always written); a date's ``lower``, ``upper``, ``precision``,
    ``uncertain`` or ``approximate`` differs from what its ``edtf`` string
    means (so an edited bound cannot make a date look more precise than
    recorded); a record time is not of the log's form
    ``2026-11-29T18:50:01.123456Z``; a count or position is not a whole number
    in range; an event id repeats; or an event breaks a record rule
    (:mod:`timeline.records`).
    """
    document = _load(source)
    _keys(document, _TOP, "document")
    if document["format"] != FORMAT:
        raise ValidationError("format", document["format"], f"is not {FORMAT!r}",
                              "Read a document written by this version's json exporter.")
    position = _whole(document["position"], "position", 0)
    events = document["events"]
    if not isinstance(events, list):
        raise ValidationError("events", events, "is not a list", _FIX)
    items, seen = [], {}
    for n, member in enumerate(events):
        state = _state(member, f"events[{n}]")
        if state.event.id in seen:
            raise ValidationError(f"events[{n}].id", state.event.id,
                                  f"repeats the id of events[{seen[state.event.id]}]", _FIX)
        seen[state.event.id] = n
        items.append(state)
    if not isinstance(document["title"], str):
        raise ValidationError("title", document["title"], "is not text", _FIX)
    return Chronology(tuple(items), title=document["title"], position=position)


def _load(source: bytes | str | BinaryIO | TextIO) -> dict[str, Any]:
    data = source if isinstance(source, (bytes, str)) else source.read()
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(text)
    except UnicodeDecodeError as exc:
        raise ValidationError("document", data[:40], f"is not UTF-8 (byte {exc.start})",
                              _FIX) from None
    except ValueError as exc:
        raise ValidationError("document", data[:40], f"is not JSON ({exc})", _FIX) from None
    if not isinstance(document, dict):
        raise ValidationError("document", type(document).__name__, "is not a JSON object", _FIX)
    return document


def _keys(value: Any, keys: tuple[str, ...], path: str) -> None:
    if not isinstance(value, dict):
        raise ValidationError(path, value, "is not an object", _FIX)
    for key in keys:
        if key not in value:
            raise ValidationError(path, key, "is missing", _FIX)
    for key in value:
        if key not in keys:
            raise ValidationError(f"{path}.{key}", value[key], "is not a key of this format",
                                  f"Remove it; the keys are: {', '.join(keys)}.")


def _whole(value: Any, path: str, least: int) -> int:
    if type(value) is not int or value < least:
        raise ValidationError(path, value, f"is not a whole number >= {least}", _FIX)
    return value


def _state(member: Any, path: str) -> EventState:
    _keys(member, _EVENT, path)
    data = {key: member[key] for key in _EVENT if key != "record"}
    data["date"] = _date(member["date"], f"{path}.date")
    for n, actor in enumerate(_list(member["actors"], f"{path}.actors")):
        _keys(actor, ("code", "name", "role"), f"{path}.actors[{n}]")
    if member["place"] is not None:
        _keys(member["place"], ("name", "country"), f"{path}.place")
    sources = []
    for n, source in enumerate(_list(member["sources"], f"{path}.sources")):
        where = f"{path}.sources[{n}]"
        _keys(source, ("url", "title", "publisher", "published"), where)
        published = source["published"]
        sources.append({**source, "published": None if published is None
                        else _date(published, f"{where}.published")})
    data["actors"] = [_drop_none(actor) for actor in member["actors"]]
    data["place"] = None if member["place"] is None else _drop_none(member["place"])
    data["sources"] = [_drop_none(source) for source in sources]
    try:
        event = Event.from_dict(data)
    except TimelineError as exc:
        raise ValidationError(path, member.get("id"), f"is not a valid event: {exc}",
                              "Correct that field, or export the log again.") from None
    record = member["record"]
    _keys(record, _RECORD, f"{path}.record")
    return EventState(event, _time(record["recorded_at"], f"{path}.record.recorded_at"),
                      _time(record["updated_at"], f"{path}.record.updated_at"),
                      _whole(record["first_position"], f"{path}.record.first_position", 1),
                      _whole(record["last_position"], f"{path}.record.last_position", 1),
                      _whole(record["revisions"], f"{path}.record.revisions", 0))


def _date(value: Any, path: str) -> str:
    """The EDTF string of a ``DATE`` object, after checking its derived fields."""
    _keys(value, _DATE, path)
    try:
        parsed = parse_date(value["edtf"])
    except TimelineError as exc:
        raise ValidationError(f"{path}.edtf", value["edtf"], f"is not a supported EDTF date: "
                              f"{exc}", _FIX) from None
    expected = _date_document(parsed)
    for key in _DATE[1:]:
        if value[key] != expected[key] or type(value[key]) is not type(expected[key]):
            raise ValidationError(f"{path}.{key}", value[key], f"does not match the EDTF date "
                                  f"{parsed.edtf!r}, which means {expected[key]!r}",
                                  "Derived fields are never edited: correct edtf, or export "
                                  "the log again.")
    return parsed.edtf


def _time(value: Any, path: str) -> _dt.datetime:
    try:
        return parse_time(value)
    except ValueError:
        raise ValidationError(path, value, "is not a record time of the form "
                              "2026-11-29T18:50:01.123456Z", _FIX) from None


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationError(path, value, "is not a list", _FIX)
    return value


def _drop_none(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item is not None}
