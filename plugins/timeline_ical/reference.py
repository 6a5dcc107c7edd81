"""The reference ``ical`` writer: the same calendar built with ``icalendar`` objects.

:func:`write` builds an ``icalendar.Calendar`` head and one ``icalendar.Event``
per event and serialises them (property order, value types, parameters and
line folding are icalendar's). It is what :mod:`timeline_ical.writer` wrote
before it rendered content lines itself, and stays as the definition of the
bytes: the fast writer must equal it byte for byte for every chronology and
option (``tests/test_ical_fast.py``), and hands it every event it cannot
render itself. The values (dates, DESCRIPTION, LOCATION, record times) come
from the same helpers in :mod:`timeline_ical.writer`; only the serialising
differs. About 1,400 events/s (``bench/RESULTS.md``).
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

import timeline
from timeline import EventState

from . import EXPORTER
from .writer import (_END, _ONE_DAY, _STATUS, _UID_DOMAIN, _description, _escape, _location,
                     _prodid, _span, _utc)

if TYPE_CHECKING:
    import icalendar

__all__ = ["write"]


def write(chronology: timeline.Chronology, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` to ``out`` as :func:`timeline_ical.writer.write` does, with
    icalendar objects: the same options, bytes and errors."""
    first_day = EXPORTER.resolve_options(options)["imprecise"] == "first-day"
    out.write(head(chronology.title))
    for state in chronology:
        out.write(vevent(state, first_day).to_ical())
    out.write(_END)


def head(title: str) -> bytes:
    """The VCALENDAR's lines before its first VEVENT (``BEGIN:VCALENDAR`` to X-WR-CALNAME)."""
    from icalendar import Calendar

    text = _text_types()[0]
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", _prodid())
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    # icalendar types NAME and X-WR-CALNAME as unknown and would not escape them.
    calendar.add("NAME", text(title))
    calendar.add("X-WR-CALNAME", text(title))
    # The calendar without components, cut before its end: the same bytes as one
    # Calendar holding every event, without holding them all in memory.
    return calendar.to_ical()[: -len(_END)]


def vevent(state: EventState, first_day: bool) -> icalendar.Event:
    """One event as an ``icalendar.Event`` (serialise it with ``to_ical()``)."""
    from icalendar import Event

    text, categories_of = _text_types()
    event = state.event
    start, last, note = _span(event.date, first_day)
    vevent = Event()  # not Event.new(): it would stamp the clock and a random UID
    vevent.add("UID", f"{event.id}@{_UID_DOMAIN}")
    vevent.add("DTSTAMP", _utc(state.updated_at))
    vevent.add("CREATED", _utc(state.recorded_at))
    vevent.add("LAST-MODIFIED", _utc(state.updated_at))
    vevent.add("SEQUENCE", state.revisions)
    vevent.add("DTSTART", start)
    if last < _dt.date.max:
        vevent.add("DTEND", last + _ONE_DAY)
    else:  # no day after 9999-12-31 to end on: the days instead (writer docstring)
        vevent.add("DURATION", _dt.timedelta(days=(last - start).days + 1))
    suffix = "" if event.status == "occurred" else f" ({event.status})"
    vevent.add("SUMMARY", text(event.title + suffix))
    vevent.add("STATUS", _STATUS[event.status])
    vevent.add("DESCRIPTION", text(_description(event, note)))
    if event.place is not None:
        vevent.add("LOCATION", text(_location(event.place)))
    categories = [*event.tags, *([f"CAMEO {event.cameo}"] if event.cameo else [])]
    if categories:
        vevent.add("CATEGORIES", categories_of(categories))
    url = next((source.url for source in event.sources if source.url), None)
    if url:
        vevent.add("URL", url)
    return vevent


@lru_cache(maxsize=1)
def _text_types() -> tuple[type, type]:
    """icalendar's TEXT and CATEGORIES value types with the writer's escaping
    (:func:`timeline_ical.writer._escape`, RFC 5545 section 3.3.11, the backslash first;
    icalendar's own turns ``\\N`` into a newline first)."""
    from icalendar import vCategory, vText

    class Text(vText):
        __slots__ = ()

        def to_ical(self) -> bytes:
            return _escape(self).encode(self.encoding)

    class Categories(vCategory):
        def to_ical(self) -> bytes:
            return b",".join(_escape(str(c)).encode() for c in self.cats)

    return Text, Categories
