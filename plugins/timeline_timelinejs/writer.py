"""The ``timelinejs`` writer: a chronology as Knight Lab's TimelineJS3 JSON.

The document is what ``new TL.Timeline(element, document)`` takes (the
TimelineJS3 JSON format, Knight Lab's "JSON Format" documentation)::

    {
      "title": {"text": {"headline": "<chronology title>",
                         "text": "<p>28 events, as of log position 32.</p>"},
                "autolink": false},
      "events": [                                   # chronology order
        {
          "unique_id": "2013-08-28-strategic-dialogue",   # the event id
          "start_date": {"year": 2013, "month": 8, "day": 28},
          "end_date": {"year": 2013, "month": 9},          # only for a span
          "display_date": "possibly 28 August 2013",      # always
          "group": "PAKGOV",                              # see the group option
          "text": {"headline": "<title>", "text": "<p>...</p>"},
          "autolink": false
        }
      ]
    }

Dates (event time). A TimelineJS date object holds only the parts the date is
known to, never a day for a month nor a month for a year (dates from
:mod:`timeline.dates`):

- day ``2013-08-28``: ``{"year": 2013, "month": 8, "day": 28}``;
- month ``2013-08`` (and ``2013-08-XX``): ``{"year": 2013, "month": 8}``;
- year ``2012`` (and ``2012-XX``): ``{"year": 2012}``;
- season ``2014-21``: from ``{"year": 2014, "month": 3}`` to ``{"year": 2014, "month": 5}``
  (northern meteorological seasons; winter ``2014-24`` runs 2014-12 to 2015-02);
- decade ``201X``: from ``{"year": 2010}`` to ``{"year": 2019}``; century and
  millennium alike;
- interval ``2012-11-12/2012-11-15``: ``start_date`` is the first end's first
  day, month or year, at that end's precision, ``end_date`` the second end's
  last (``2012-11/2013``: ``{"year": 2012, "month": 11}`` to ``{"year": 2013}``);
- open or unknown end (``2013-09/..``, ``2013-09/``): ``start_date`` alone; open
  or unknown start (``../2003-02``): TimelineJS needs a ``start_date``, so it is
  the end's last part-date, and nothing else;
- ``end_date`` is left out when it would equal ``start_date`` (TimelineJS drops it).

TimelineJS cannot say "possibly", "around", "the 2010s" or "(end unknown)", so
``display_date``, which it shows instead of its own date label, is always the
date in words (:func:`timeline.date_in_words`, as in every exporter), followed
by the status when it is not "occurred": ``around 2014 (expected)``; and the
last line of the text is the exact EDTF string (``EDTF: 2014~``), so no export
loses the date as recorded.

``group`` (option ``group``): ``"actor"`` (the default) is the first actor's
CAMEO code, ``"tag"`` the first tag, ``"none"`` leaves every slide ungrouped;
an event with no actor (or no tag) has no ``group``. ``unique_id`` is the event
id, a slug, which TimelineJS uses as the slide's element id and ``#`` anchor.

Text. TimelineJS renders ``text.headline`` and ``text.text`` as HTML (after
DOMPurify), so every piece of event text is HTML-escaped (``& < > " '``), and a
summary's lines (LF, CRLF or CR; blank ones dropped) are joined by ``<br>``. The
only markup is this writer's own ``<p>``, ``<br>``, ``<ol>``, ``<li>`` and
``<a href>`` for source URLs (http and https only, see :mod:`timeline.records`).
``display_date`` and ``group`` TimelineJS reads as HTML, keeps the text and
inserts that as HTML again, so they are escaped twice (``<`` becomes
``&amp;lt;``) to show as typed. Every slide has
``"autolink": false``: otherwise TimelineJS turns URL-like event text into links.
The body (``text.text``) holds, each line in its own ``<p>`` when there is
something to show: ``Actors: name (CODE, role); ...``, ``Place: name (COUNTRY)``,
the summary, ``Tags: a, b``, ``CAMEO event code: 042``, ``Sources:`` and a
numbered list (link text the source title, else its URL; then publisher and
publication date in words), and ``EDTF: <string>``.

Output is deterministic UTF-8 (non-ASCII kept as is), indented by two spaces,
with one trailing newline; it equals ``json.dumps(document, ensure_ascii=False,
indent=2)``. TimelineJS refuses a timeline without events, so an empty
chronology raises :class:`timeline.ValidationError`.

For speed, slides are serialised a few hundred at a time by ``orjson``, whose
indented text is ``json.dumps``' own (proved by ``tests/test_export_speed_paths.py``;
a text orjson refuses goes to ``json.dumps``), and escaped texts and part-dates,
which repeat, are kept in ``functools.lru_cache`` caches of a few thousand entries.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, BinaryIO

import orjson

from timeline import (Chronology, EDTFDate, Event, EventStream, Source, ValidationError,
                      date_in_words)

from . import EXPORTER, GROUPS

__all__ = ["write", "GROUPS"]

_PAD = "\n    "  # json.dumps(indent=2) puts each member of "events" at depth 2
_CHUNK = 500  # slides serialised and written at a time
_CACHED = 8192  # entries each cache keeps (least recently used go), so memory stays flat


def write(chronology: Chronology | EventStream, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` to ``out`` as one TimelineJS3 JSON document (rules above).

    Reads the events once, in order, writing as it goes (``streams=True``): memory
    does not grow with their number (a slide's ``group`` is its own event's, so
    nothing is gathered across events); the count for the title is ``len()``.

    Option ``group``: one of :data:`GROUPS` (default ``"actor"``). Raises
    :class:`timeline.ValidationError` for another option or value, and for an
    empty chronology, before writing anything.
    """
    group = EXPORTER.resolve_options(options)["group"]
    count = len(chronology)
    if not count:
        raise ValidationError("chronology", chronology.title, "has no events, and TimelineJS "
                              "refuses a timeline without events",
                              "Record an event, or widen the export's filters.")
    title = {"text": {"headline": _escape(chronology.title),
                      "text": f"<p>{count} event{'' if count == 1 else 's'}, as of log position "
                              f"{chronology.position}.</p>"},
             "autolink": False}
    head = _dumps({"title": title})
    out.write((head[:-2] + ',\n  "events": [').encode("utf-8"))  # head ends "\n}"
    slides, comma = [], b""
    for state in chronology:
        slides.append(_slide(state.event, group))
        if len(slides) == _CHUNK:
            out.write(comma + _members(slides))
            slides, comma = [], b","
    if slides:
        out.write(comma + _members(slides))
    out.write(b"\n  ]\n}\n")


def _members(slides: list[dict[str, Any]]) -> bytes:
    """``slides`` as members of ``events``: json.dumps' text at depth 2, comma-joined."""
    try:
        # orjson's list without its "[" and "\n]", one level deeper
        return orjson.dumps(slides, option=orjson.OPT_INDENT_2)[1:-2].replace(b"\n", b"\n  ")
    except TypeError:  # a text orjson refuses (a lone surrogate): json.dumps decides
        return ",".join(_PAD + _dumps(slide).replace("\n", _PAD)
                        for slide in slides).encode("utf-8")


def _slide(event: Event, group: str) -> dict[str, Any]:
    start, end = _dates(event.date)
    slide: dict[str, Any] = {"unique_id": event.id, "start_date": start}
    if end is not None and end != start:
        slide["end_date"] = end
    status = "" if event.status == "occurred" else f" ({event.status})"
    slide["display_date"] = _escape(_escape(date_in_words(event.date) + status))
    label = _group_label(event, group)
    if label is not None:
        slide["group"] = _escape(_escape(label))
    slide["text"] = {"headline": _escape(event.title), "text": "".join(_body(event))}
    slide["autolink"] = False
    return slide


@lru_cache(maxsize=_CACHED)
def _dates(date: EDTFDate) -> tuple[dict[str, int], dict[str, int] | None]:
    """``(start_date, end_date)`` objects; end None for an open or unknown end.

    Cached (slides share the objects, which nothing changes).
    """
    if not date.is_interval:
        return _part_date(date.lower, date.precision), _part_date(date.upper, date.precision)
    if date.start is None:  # ../2003-02: the only known point is the end
        assert date.end is not None  # the parser refuses an interval with neither end
        return _part_date(date.end.upper, date.end.precision), None
    start = _part_date(date.start.lower, date.start.precision)
    if date.end is None:
        return start, None
    return start, _part_date(date.end.upper, date.end.precision)


def _part_date(day: _dt.date | None, precision: str) -> dict[str, int]:
    assert day is not None  # a single date, or a known interval end, is bounded
    if precision == "day":
        return {"year": day.year, "month": day.month, "day": day.day}
    if precision in ("month", "season"):
        return {"year": day.year, "month": day.month}
    return {"year": day.year}


def _group_label(event: Event, group: str) -> str | None:
    if group == "actor" and event.actors:
        return event.actors[0].code
    if group == "tag" and event.tags:
        return event.tags[0]
    return None


def _body(event: Event) -> Iterator[str]:
    if event.actors:
        yield "<p>Actors: " + "; ".join(
            _actor(a.code, a.name, a.role) for a in event.actors) + "</p>"
    if event.place is not None:
        country = f" ({event.place.country})" if event.place.country else ""
        yield f"<p>Place: {_escape(event.place.name)}{country}</p>"
    lines = [_escape(line) for line in event.summary.splitlines() if line.strip()]
    if lines:
        yield "<p>" + "<br>".join(lines) + "</p>"
    if event.tags:
        yield "<p>Tags: " + ", ".join(_escape(tag) for tag in event.tags) + "</p>"
    if event.cameo:
        yield f"<p>CAMEO event code: {event.cameo}</p>"
    if event.sources:
        yield "<p>Sources:</p><ol>" + "".join(_source(s) for s in event.sources) + "</ol>"
    yield f"<p>EDTF: {_escape(event.date.edtf)}</p>"


def _actor(code: str, name: str | None, role: str | None) -> str:
    # Optional names may be blank: records refuse only blank required text.
    name = _escape(name.strip()) if name and name.strip() else ""
    role = _escape(role.strip()) if role and role.strip() else ""
    if name:
        return f"{name} ({code}{', ' + role if role else ''})"
    return f"{code} ({role})" if role else code


def _source(source: Source) -> str:
    title = _escape(source.title) if source.title and source.title.strip() else ""
    about = [_escape(source.publisher) if source.publisher and source.publisher.strip() else "",
             date_in_words(source.published) if source.published else ""]
    if source.url:
        title = f'<a href="{_escape(source.url)}">{title or _escape(source.url)}</a>'
    return "<li>" + ", ".join(part for part in (title, *about) if part) + "</li>"


@lru_cache(maxsize=_CACHED)
def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
