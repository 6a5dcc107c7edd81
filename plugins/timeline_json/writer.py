"""The ``json`` exporter: every field of every event, with EDTF dates and their bounds.

Document shape (format ``"diplomatic-timeline/1"``; the JSON Schema (Draft 2020-12)
shipped as ``timeline_json/schema.json`` is the normative description)::

    {
      "format": "diplomatic-timeline/1",
      "title": "Pakistan–Russia",          # Chronology.title
      "position": 12,                      # last log position folded in (0: none)
      "events": [                          # chronology order (date sort key, then id)
        {
          "id": "2013-08-28-strategic-dialogue-opens",
          "date": DATE,
          "title": "...", "summary": "",   # summary "" when there is none
          "actors": [{"code": "PAKGOV", "name": null, "role": null}],
          "place": {"name": "Moscow", "country": "RUS"} or null,
          "sources": [{"url": "https://..." or null, "title": null, "publisher": null,
                       "published": DATE or null}],   # url or title, at least
          "tags": ["visit"],
          "cameo": "042" or null,
          "status": "occurred",            # occurred | scheduled | expected | cancelled
          "record": {                      # record time, never mixed with event time
            "recorded_at": "2026-11-29T18:50:01.123456Z",
            "updated_at": "2026-11-30T09:12:44.000001Z",
            "revisions": 0, "first_position": 1, "last_position": 1
          }
        }
      ]
    }

``DATE`` keeps the exact EDTF string and adds what :mod:`timeline.dates` derives::

    {"edtf": "2013-08", "lower": "2013-08-01", "upper": "2013-08-31",
     "precision": "month", "uncertain": false, "approximate": false}

Rules:

- Dates are never simplified: ``edtf`` is the string as recorded; ``lower`` /
  ``upper`` are the first and last day it can mean (inclusive, ISO 8601), ``null``
  for an open (``..``) or unknown interval end; ``precision`` is the coarser end's
  for an interval; ``%`` sets both ``uncertain`` and ``approximate``.
- Every key is always present (``null`` or ``[]`` when unset), so consumers need no
  defaults. Keys appear in the order above. Converting an exported event back to
  :meth:`timeline.Event.to_dict` form means: ``date`` -> ``date.edtf``,
  ``published`` -> ``published.edtf``, drop ``null`` members of actors, place and
  sources, drop ``record``. :func:`timeline_json.document.read_export` does it,
  and reads a whole export back into the chronology it was written from.
- Record times are UTC with microseconds and a ``Z``, as in the log.
- Bytes are deterministic: UTF-8, non-ASCII kept as is (``ensure_ascii=False``),
  one trailing newline. The document is streamed, a few hundred events a write;
  the bytes equal ``json.dumps(document, ensure_ascii=False, indent=indent)`` (with
  ``(",", ":")`` separators when ``indent`` is ``None``).

How, for speed (``json.dumps`` with an ``indent`` runs the stdlib's pure-Python
encoder, ~90 us an event): the text of each kind of object (event, date,
actor, place, source, list) is a template cut once from ``json.dumps``' own
output at its nesting level, and filled with values serialised by
``orjson.dumps``, whose text of a string, ``None``, a bool and a UTC record time
is the stdlib's (a string: the same escapes, UTF-8 kept as is). The texts of
dates (by EDTF string, which determines a date), actors, places and tag lists
repeat, so they are kept in ``functools.lru_cache`` caches of a few thousand
texts each. An event the templates cannot hold exactly (a count that is not an
``int``, a text orjson refuses) is written by ``json.dumps`` itself. The
property tests in ``tests/test_export_speed_paths.py`` prove the bytes equal to
``json.dumps`` of the whole document, for arbitrary chronologies and indents.

Options: ``indent`` (int >= 0, default 2; ``None`` for one compact line). Any other
option raises :class:`timeline.ValidationError` naming it.
"""

from __future__ import annotations

import datetime as _dt
import json
from functools import lru_cache
from typing import Any, BinaryIO, Callable, NamedTuple

import orjson

from timeline import (Chronology, EventState, EventStream, ValidationError, format_time,
                      parse_date)

from .document import _DATE, _EVENT, _RECORD, FORMAT, event_document

__all__ = ["FORMAT", "write", "event_document"]

_CHUNK = 500  # events a write: one join per chunk, not one write per event
_CACHED = 8192  # texts each cache keeps (least recently used go), so memory stays flat
_TEXT, _COUNT = "\x00", "\x01"  # template holes; json.dumps escapes both, no key holds them


def write(chronology: Chronology | EventStream, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` as a JSON document (shape in the module docstring) to ``out``.

    Reads the events once, in order, writing as it goes (``streams=True``): memory
    does not grow with their number; ``len()`` is never asked.

    Raises :class:`timeline.ValidationError` for an unknown option or an ``indent``
    that is not an int >= 0 or ``None``.
    """
    indent = _indent(options)
    dumps = _dumper(indent)
    head = {"format": FORMAT, "title": chronology.title, "position": chronology.position,
            "events": []}
    # "events" is the last key, so its "[]" is the last one in the text.
    opening, closing = dumps(head).rsplit("[]", 1)
    out.write((opening + "[").encode("utf-8"))
    # json.dumps' layout: each item on a new line at nesting level 2, "]" at level 1.
    render, lead, chunk = _renderer(indent), _newline(indent, 2).encode("utf-8"), []
    comma = b"," + lead
    for state in chronology:
        chunk.append(render(state))
        if len(chunk) == _CHUNK:
            out.write(lead + comma.join(chunk))
            lead, chunk = comma, []
    if chunk:
        out.write(lead + comma.join(chunk))
    if chunk or lead is comma:  # any event: no count needed, a stream may not know it
        out.write(_newline(indent, 1).encode("utf-8"))
    out.write(("]" + closing + "\n").encode("utf-8"))


def _indent(options: dict[str, Any]) -> int | None:
    unknown = sorted(set(options) - {"indent"})
    if unknown:
        raise ValidationError("option", unknown[0], "is not an option of the json exporter",
                              "Its only option is indent.")
    indent = options.get("indent", 2)
    if indent is not None and (type(indent) is not int or indent < 0):
        raise ValidationError("indent", indent, "is not a whole number >= 0 or None",
                              "Give for example indent=2, or indent=None for one line.")
    return indent


def _dumper(indent: int | None) -> Callable[[Any], str]:
    separators = (",", ":") if indent is None else (",", ": ")

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return dumps


def _newline(indent: int | None, level: int) -> str:
    """What json.dumps writes before a member at nesting ``level``."""
    return "" if indent is None else "\n" + " " * (indent * level)


class _Layout(NamedTuple):
    """json.dumps' text of each kind of object at its nesting level, holes as %s / %d."""

    event: bytes
    date: bytes
    published: bytes
    actor: bytes
    place: bytes
    source: bytes
    open: bytes  # a non-empty list at level 3: "[", "," and "]" with their newlines
    comma: bytes
    close: bytes


@lru_cache(maxsize=16)
def _layout(indent: int | None) -> _Layout:
    dumps = _dumper(indent)

    def cut(value: Any, level: int) -> bytes:
        text = dumps(value).replace("\n", _newline(indent, level)).replace("%", "%%")
        return text.replace(dumps(_TEXT), "%s").replace(dumps(_COUNT), "%d").encode("utf-8")

    holes = dict.fromkeys
    record = {**holes(_RECORD[:2], _TEXT), **holes(_RECORD[2:], _COUNT)}  # 2 times, 3 counts
    return _Layout(cut({**holes(_EVENT, _TEXT), "record": record}, 2),
                   cut(holes(_DATE, _TEXT), 3), cut(holes(_DATE, _TEXT), 5),
                   cut(holes(("code", "name", "role"), _TEXT), 4),
                   cut(holes(("name", "country"), _TEXT), 3),
                   cut(holes(("url", "title", "publisher", "published"), _TEXT), 4),
                   *cut([_TEXT, _TEXT], 3).split(b"%s"))


def _renderer(indent: int | None) -> Callable[[EventState], bytes]:
    """``state`` -> json.dumps' UTF-8 text of its event document, as a member of ``events``."""
    layout, dumps, level2 = _layout(indent), _dumper(indent), _newline(indent, 2)
    event_t, source_t, open_, comma, close = (layout.event, layout.source, layout.open,
                                              layout.comma, layout.close)
    text = orjson.dumps

    def render(state: EventState) -> bytes:
        counts = state.revisions, state.first_position, state.last_position
        try:
            if not type(counts[0]) is type(counts[1]) is type(counts[2]) is int:
                raise TypeError("json.dumps writes a bool as true, where %d writes 1")
            event, recorded = state.event, _time(state.recorded_at)
            updated = recorded if state.updated_at is state.recorded_at else _time(
                state.updated_at)
            sources = []
            for source in event.sources:
                day = source.published
                sources.append(source_t % (
                    text(source.url), text(source.title), text(source.publisher),
                    b"null" if day is None else _date(indent, day.edtf, True)))
            place = event.place
            return event_t % (
                text(event.id), _date(indent, event.date.edtf, False), text(event.title),
                text(event.summary),
                open_ + comma.join([_actor(indent, a.code, a.name, a.role)
                                    for a in event.actors]) + close if event.actors else b"[]",
                b"null" if place is None else _place(indent, place.name, place.country),
                open_ + comma.join(sources) + close if sources else b"[]",
                _tags(indent, event.tags) if event.tags else b"[]",
                text(event.cameo), text(event.status), recorded, updated, *counts)
        except TypeError:  # orjson refuses a surrogate or a type: json.dumps decides
            return dumps(event_document(state)).replace("\n", level2).encode("utf-8")
    return render


# Texts that repeat, cached by value. A date by EDTF string, which determines it.

@lru_cache(maxsize=_CACHED)
def _date(indent: int | None, edtf: str, published: bool) -> bytes:
    """A ``DATE`` object, with ``document._date_document``'s fields.

    orjson writes a ``datetime.date`` as its ``isoformat()``, quoted.
    """
    date, layout = parse_date(edtf), _layout(indent)
    return (layout.published if published else layout.date) % tuple(map(orjson.dumps, (
        date.edtf, date.lower, date.upper, date.precision, date.uncertain, date.approximate)))


@lru_cache(maxsize=_CACHED)
def _actor(indent: int | None, code: str, name: str | None, role: str | None) -> bytes:
    return _layout(indent).actor % (orjson.dumps(code), orjson.dumps(name), orjson.dumps(role))


@lru_cache(maxsize=_CACHED)
def _place(indent: int | None, name: str, country: str | None) -> bytes:
    return _layout(indent).place % (orjson.dumps(name), orjson.dumps(country))


@lru_cache(maxsize=_CACHED)
def _tags(indent: int | None, tags: tuple[str, ...]) -> bytes:
    layout = _layout(indent)
    return layout.open + layout.comma.join(map(orjson.dumps, tags)) + layout.close


def _time(value: _dt.datetime) -> bytes:
    """The quoted record time: :func:`timeline.format_time`'s text.

    orjson writes an aware time at UTC offset 0 the same way, ``Z`` included;
    anything else (another offset, a naive time, no microseconds: orjson drops
    a zero fraction, a year before 1000) is left to ``format_time``.
    """
    quoted = orjson.dumps(value, option=orjson.OPT_UTC_Z)
    if len(quoted) != 29 or quoted[1] == 48:  # '"2026-11-29T18:50:01.123456Z"'; 48 is "0"
        return json.dumps(format_time(value)).encode("utf-8")
    return quoted
