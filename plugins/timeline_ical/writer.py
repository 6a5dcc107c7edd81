"""The ``ical`` writer: a chronology as an iCalendar (RFC 5545) calendar of all-day events.

The document is one VCALENDAR with VERSION ``2.0``, PRODID
``-//diplomatic-timeline//diplomatic-timeline <version>//EN``, CALSCALE
``GREGORIAN``, METHOD ``PUBLISH``, and the chronology's title as NAME (RFC 7986
section 5.1) and X-WR-CALNAME (for clients that predate RFC 7986). It holds one
VEVENT per event, in the chronology's order. (An empty chronology gives a
VCALENDAR without components; RFC 5545 section 3.6 asks for at least one, but
the clients we test against accept it.)

Dates (event time). Every VEVENT is all-day: DTSTART and DTEND have
``VALUE=DATE``, and DTEND is the day *after* the last day, since an all-day
DTEND is exclusive (RFC 5545 section 3.6.1). So DTEND is never DTSTART, and an
imprecise date spans every day it can mean, from its lower to its upper bound
(see :mod:`timeline.dates`). One exception: an event whose last day is
9999-12-31, the last day a DATE can name (RFC 5545 section 3.3.4: four-digit
years), has no day after it, so it gets a DURATION in days instead of DTEND
(RFC 5545 section 3.6.1 allows either): ``9999-12-31`` is
``DTSTART;VALUE=DATE:99991231`` with ``DURATION:P1D``, ``9999`` is
``DTSTART;VALUE=DATE:99990101`` with ``DURATION:P365D``. ical.js (Thunderbird)
and vobject read that exactly (ical.js: end ``10000-01-01``); parsers built on
Python's ``datetime`` that compute the end (the ``ical`` package, Radicale)
cannot hold year 10000 and refuse such a calendar, as they would any rendering
of that day's end.

- day ``2013-08-28``: 2013-08-28 to 2013-08-29 (one day);
- month ``2013-08``: 2013-08-01 to 2013-09-01;
- season ``2014-24`` (winter): 2014-12-01 to 2015-03-01 (northern meteorological);
- year ``2012``: 2012-01-01 to 2013-01-01;
- decade ``201X``, century ``20XX``, millennium ``2XXX``: the whole range of years;
- interval ``2012-11-12/2012-11-15``: 2012-11-12 to 2012-11-16, each end at its
  own precision (``2012-11/2013`` runs to 2014-01-01);
- open (``..``) or unknown (empty) interval end: a one-day event on the known
  end's first day (``2013-08/..``: 2013-08-01) or last day (``../2013-08``:
  2013-08-31), and DESCRIPTION says that the span is open or unknown;
- uncertain ``?``, approximate ``~`` or both ``%``: the same bounds as without
  the qualifier; the words say it.

Option ``imprecise`` (``timeline export -O imprecise=first-day``): ``span``, the
default, spans every day as above; ``first-day`` puts a single date coarser than
a day (month, season, year, decade...) on its first possible day only, a one-day
event, so that a month or a year does not fill a calendar, and DESCRIPTION says
so (``Calendar: shown on 1 August 2013 only, the first day it can mean
(imprecise=first-day).``). Intervals keep their span: their days are the
event's own.

A calendar cannot say "August 2013" or "about 2012", so DESCRIPTION always
does. Its first line is the date in words (:func:`timeline.date_in_words`,
the same words as every exporter), with the precision for anything coarser
than a day, e.g. ``Date: around August 2013 (month precision)``; its second line is the exact EDTF string, e.g.
``EDTF: 2013-08~``, so that no export loses the date as recorded.

Other properties:

- UID ``<event id>@diplomatic-timeline``: from the id alone, so it is stable
  across exports, appends and revisions (RFC 5545 section 3.8.4.7).
- DTSTAMP and LAST-MODIFIED: the record time of the event's latest entry;
  CREATED: of its first entry; SEQUENCE: its number of revisions. All
  DATE-TIMEs are UTC (``Z``) to the second (RFC 5545 sections 3.8.7.1-3.8.7.4).
  Nothing comes from the clock or from chance: the same chronology gives the
  same bytes.
- STATUS (RFC 5545 section 3.8.1.11), and SUMMARY, the title with a suffix so
  that clients which do not show STATUS still tell the status:

  =========  =========  ==============
  status     STATUS     SUMMARY suffix
  =========  =========  ==============
  occurred   CONFIRMED  (none)
  scheduled  CONFIRMED  `` (scheduled)``
  expected   TENTATIVE  `` (expected)``
  cancelled  CANCELLED  `` (cancelled)``
  =========  =========  ==============

- CATEGORIES: the tags, then ``CAMEO <code>`` when the event has one.
- LOCATION: the place name, then the country's ISO 3166-1 name from pycountry
  (its common name where pycountry has one): ``Moscow, Russian Federation``;
  the name alone when it already is one of the country's names (``Pakistan``).
- URL: the first source URL (print sources have none). DESCRIPTION also lists
  the status, the actors, the summary and every source, numbered, with title,
  publisher, publication date and URL.

Text. TEXT values (SUMMARY, DESCRIPTION, LOCATION, CATEGORIES, NAME,
X-WR-CALNAME) are escaped here, as RFC 5545 section 3.3.11 requires: ``\\`` as
``\\\\``, ``;`` as ``\\;``, ``,`` as ``\\,`` and a newline as ``\\n`` (CRLF and CR
become ``\\n`` too), the backslash first, so that any text reads back as it was:
``Path C:\\Net\\New folder`` is ``SUMMARY:Path C:\\\\Net\\\\New folder``. (icalendar's
own escaping turns a ``\\N`` in the text into a newline before it escapes
backslashes, which loses the text.) Line folding is icalendar's: content lines
fold at 75 octets (section 3.1) between whole UTF-8 characters. Lines end with
CRLF.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

import timeline
from timeline import EDTFDate, EventState, ValidationError, date_in_words
from timeline.wording import MONTHS

from . import EXPORTER

if TYPE_CHECKING:
    import icalendar

__all__ = ["write"]

_UID_DOMAIN = "diplomatic-timeline"
# RFC 5545 section 3.8.1.11: a VEVENT's STATUS is TENTATIVE, CONFIRMED or CANCELLED.
_STATUS = {"occurred": "CONFIRMED", "scheduled": "CONFIRMED", "expected": "TENTATIVE",
           "cancelled": "CANCELLED"}
_END = b"END:VCALENDAR\r\n"
_ONE_DAY = _dt.timedelta(days=1)


def write(chronology: timeline.Chronology, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` to the binary stream ``out`` as one iCalendar document.

    The bytes are UTF-8 with CRLF line ends (RFC 5545 section 3.1) and depend
    only on the chronology (and the versions of this package and icalendar).
    Events are written one at a time, so memory does not grow with their number.

    Option ``imprecise``: ``"span"`` (the default) or ``"first-day"`` (see the
    module docstring). Raises :class:`~timeline.ValidationError` for another
    option or value. Output written before an error stays in ``out``;
    :func:`timeline.export` to a path discards it.
    """
    first_day = EXPORTER.resolve_options(options)["imprecise"] == "first-day"
    from icalendar import Calendar

    text = _text_types()[0]
    calendar = Calendar()
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", f"-//diplomatic-timeline//diplomatic-timeline "
                           f"{timeline.__version__}//EN")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    # icalendar types NAME and X-WR-CALNAME as unknown and would not escape them.
    calendar.add("NAME", text(chronology.title))
    calendar.add("X-WR-CALNAME", text(chronology.title))
    # Head, then one VEVENT at a time, then the end: the same bytes as one
    # Calendar holding every event, without holding them all in memory.
    head = calendar.to_ical()
    out.write(head[: -len(_END)])
    for state in chronology:
        out.write(_vevent(state, first_day).to_ical())
    out.write(_END)


def _vevent(state: EventState, first_day: bool) -> icalendar.Event:
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
    else:  # no day after 9999-12-31 to end on: the days instead (module docstring)
        vevent.add("DURATION", _dt.timedelta(days=(last - start).days + 1))
    suffix = "" if event.status == "occurred" else f" ({event.status})"
    vevent.add("SUMMARY", text(event.title + suffix))
    vevent.add("STATUS", _STATUS[event.status])
    vevent.add("DESCRIPTION", text("\n".join(_description(event, note))))
    if event.place is not None:
        vevent.add("LOCATION", text(_location(event.place)))
    categories = [*event.tags, *([f"CAMEO {event.cameo}"] if event.cameo else [])]
    if categories:
        vevent.add("CATEGORIES", categories_of(categories))
    url = next((source.url for source in event.sources if source.url), None)
    if url:
        vevent.add("URL", url)
    return vevent


def _escape(text: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 says, the backslash first."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


@lru_cache(maxsize=1)
def _text_types() -> tuple[type, type]:
    """icalendar's TEXT and CATEGORIES value types with :func:`_escape` for escaping
    (made on first use: importing this module does not import icalendar)."""
    from icalendar import vCategory, vText

    class Text(vText):
        __slots__ = ()

        def to_ical(self) -> bytes:
            return _escape(self).encode(self.encoding)

    class Categories(vCategory):
        def to_ical(self) -> bytes:
            return b",".join(_escape(str(c)).encode() for c in self.cats)

    return Text, Categories


def _span(date: EDTFDate, first_day: bool = False) -> tuple[_dt.date, _dt.date, str | None]:
    """``(first day, last day, note)``; the note explains a one-day event that stands
    for more days (an open interval, or ``imprecise=first-day``)."""
    first, last, note = date.lower, date.upper, None
    if first_day and not date.is_interval and date.precision != "day":
        assert first is not None  # a single date is bounded
        last = first
        note = f"shown on {_day(first)} only, the first day it can mean (imprecise=first-day)."
    elif first is None:
        first = last
        note = (f"shown on {_day(last)} only, the last day its end can mean; "
                f"the start is {_open(date.start_open)}.")
    elif last is None:
        last = first
        note = (f"shown on {_day(first)} only, the first day its start can "
                f"mean; the end is {_open(date.end_open)}.")
    return first, last, note  # type: ignore[return-value]


def _open(is_open: bool) -> str:
    return "open" if is_open else "unknown"


def _description(event: timeline.Event, note: str | None) -> Iterator[str]:
    yield f"Date: {_words(event.date)}"
    yield f"EDTF: {event.date.edtf}"
    yield f"Status: {event.status}"
    if note:
        yield f"Calendar: {note}"
    if event.actors:
        yield "Actors:"
        for actor in event.actors:
            who = actor.name or actor.code
            yield (f"- {who}{f', {actor.role}' if actor.role else ''}"
                   f"{f' ({actor.code})' if actor.name else ''}")
    if event.summary:
        yield ""
        yield event.summary
    if event.sources:
        yield ""
        yield "Sources:"
        for n, source in enumerate(event.sources, 1):
            published = f"published {source.published.edtf}" if source.published else None
            parts = [source.title, source.publisher, published, source.url]
            yield f"{n}. {' - '.join(p for p in parts if p)}"


def _words(date: EDTFDate) -> str:
    """The date in words with its precision: ``around August 2013 (month precision)``."""
    words = date_in_words(date)
    if date.precision == "day" or date.is_interval:  # an interval's words give each end's
        return words
    notes = [f"{date.precision} precision"]
    if date.precision == "season" and not date.is_interval:
        lower, upper = date.lower, date.upper
        assert lower is not None and upper is not None  # a single date is bounded
        notes.append(f"{MONTHS[lower.month - 1]} {lower.year} to "
                     f"{MONTHS[upper.month - 1]} {upper.year}")
    return f"{words} ({'; '.join(notes)})"


def _day(day: _dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _location(place: timeline.Place) -> str:
    if place.country is None:
        return place.name
    import pycountry

    country = pycountry.countries.get(alpha_3=place.country)
    names = [getattr(country, key, None) for key in ("common_name", "name", "official_name")]
    if place.name.casefold() in {n.casefold() for n in names if n}:
        return place.name  # the place is the country: "Pakistan", not "Pakistan, Pakistan"
    return f"{place.name}, {next(n for n in names if n)}"


def _utc(moment: _dt.datetime) -> _dt.datetime:
    """An aware record time as UTC to the second (DATE-TIME form 2, RFC 5545 3.3.5)."""
    if moment.tzinfo is None:
        raise ValidationError("recorded_at", moment.isoformat(), "has no time zone",
                              "Record times are aware UTC datetimes; fold them from a log.")
    return moment.astimezone(_dt.timezone.utc).replace(microsecond=0)
