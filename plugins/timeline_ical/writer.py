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
X-WR-CALNAME) are escaped as RFC 5545 section 3.3.11 requires: ``\\`` as
``\\\\``, ``;`` as ``\\;``, ``,`` as ``\\,`` and a newline as ``\\n`` (CRLF and CR
become ``\\n`` too), the backslash first, so that any text reads back as it was:
``Path C:\\Net\\New folder`` is ``SUMMARY:Path C:\\\\Net\\\\New folder``. (icalendar's
own escaping turns a ``\\N`` in the text into a newline before it escapes
backslashes, which loses the text.) UID, STATUS and URL are written as they are
(event ids are slugs; a URL has no space, CR or LF). Lines end with CRLF.

Content lines (RFC 5545 section 3.1) are folded exactly as icalendar 7.3 folds
them: a line longer than 74 octets is cut after at most 74 octets, never inside
a UTF-8 sequence, and each further piece starts with one space and holds at
most 74 octets after it; where a cut would leave a ``\\`` or ``^`` last on a
line, that character moves to the next line (icalendar's rule, so that no
client sees an escape split by a fold).

How it is written. This module renders the content lines itself, as text,
one VEVENT at a time, with the values cached where events share them (date
lines, LOCATION, actors' lines); nothing is built per event but strings. The
same calendar built with ``icalendar`` objects is the reference,
:mod:`timeline_ical.reference` (the writer before this one, more than ten
times slower): for every chronology and option the bytes are equal, which
``tests/test_ical_fast.py`` proves on random chronologies and checks again by
parsing both with icalendar. An event this module does not render itself (a
record built around the validators: an id icalendar would escape, a URL with
CR or LF, a revision count that is not an ``int`` of RFC 5545's INTEGER
range, text that is not UTF-8, or anything else that raises) is handed to the
reference, which writes it or raises its error: the output is never other
bytes than the reference's. The chronology is read once, in order, so a
stream of events will do.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, BinaryIO

import timeline
from timeline import EDTFDate, EventState, ValidationError, date_in_words
from timeline.wording import MONTHS

from . import EXPORTER

__all__ = ["write"]

_UID_DOMAIN = "diplomatic-timeline"
# RFC 5545 section 3.8.1.11: a VEVENT's STATUS is TENTATIVE, CONFIRMED or CANCELLED.
_STATUS = {"occurred": "CONFIRMED", "scheduled": "CONFIRMED", "expected": "TENTATIVE",
           "cancelled": "CANCELLED"}
_STATUS_LINES = {status: f"STATUS:{value}\r\n".encode() for status, value in _STATUS.items()}
_END = b"END:VCALENDAR\r\n"
_ONE_DAY = _dt.timedelta(days=1)
_UTC = _dt.timezone.utc
#: What TEXT escaping changes, this module's or icalendar's (a UID or PRODID with one of
#: these is left to the reference, whose escaping of ``\N`` differs).
_SPECIAL = re.compile(r"[\\;,\r\n]")
#: An octet that continues a UTF-8 sequence: a fold may not fall before it.
_CONTINUATION = 0x80
#: VEVENTs written to ``out`` at a time.
_CHUNK = 200


class _Unhandled(Exception):
    """An event this module leaves to the reference writer."""


def write(chronology: timeline.Chronology, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` to the binary stream ``out`` as one iCalendar document.

    ``chronology``: its ``title`` is read, then it is iterated once, for
    :class:`~timeline.EventState` items in chronology order (a stream of them
    will do: no ``len()``, no indexing). The bytes are UTF-8 with CRLF line
    ends (RFC 5545 section 3.1), those of :func:`timeline_ical.reference.write`
    (module docstring), and depend only on the chronology and the option.
    Events are written 200 at a time, so memory does not grow with their number.

    Option ``imprecise``: ``"span"`` (the default) or ``"first-day"`` (see the
    module docstring). Raises :class:`~timeline.ValidationError` for another
    option or value, and for a record time without a time zone. Output written
    before an error stays in ``out``; :func:`timeline.export` to a path discards it.
    """
    first_day = EXPORTER.resolve_options(options)["imprecise"] == "first-day"
    out.write(_head(chronology.title))
    chunk: list[bytes] = []
    for state in chronology:
        try:
            chunk.append(_vevent(state, first_day))
        except Exception:  # the reference's bytes, or its error, for what is not handled here
            out.write(b"".join(chunk))
            chunk.clear()
            from .reference import vevent

            chunk.append(vevent(state, first_day).to_ical())
        if len(chunk) >= _CHUNK:
            out.write(b"".join(chunk))
            chunk.clear()
    chunk.append(_END)
    out.write(b"".join(chunk))


def _head(title: str) -> bytes:
    """``BEGIN:VCALENDAR`` to X-WR-CALNAME, as :func:`timeline_ical.reference.head`."""
    prodid = _prodid()
    try:
        if _SPECIAL.search(prodid):  # icalendar would escape a PRODID (a TEXT)
            raise _Unhandled(prodid)
        name = _escape(title)
        return b"".join([b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", _line("PRODID:" + prodid),
                         b"CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n", _line("NAME:" + name),
                         _line("X-WR-CALNAME:" + name)])
    except Exception:
        from .reference import head

        return head(title)


def _prodid() -> str:
    return f"-//diplomatic-timeline//diplomatic-timeline {timeline.__version__}//EN"


def _vevent(state: EventState, first_day: bool) -> bytes:
    """One VEVENT's content lines: the properties in icalendar's order (its canonical
    order for a VEVENT, then the others alphabetically), folded, CRLF after each."""
    event = state.event
    revisions = state.revisions
    # icalendar's vInt writes True as 1 and refuses what RFC 5545 3.3.8 does not allow
    if type(revisions) is not int or not -2**31 <= revisions < 2**31:
        raise _Unhandled(revisions)
    uid = event.id
    if _SPECIAL.search(uid):
        raise _Unhandled(uid)
    status = event.status
    dates, note = _dates(event.date, first_day)
    updated = _stamp(state.updated_at)
    recorded = state.recorded_at
    created = updated if recorded is state.updated_at else _stamp(recorded)
    title = event.title if status == "occurred" else f"{event.title} ({status})"
    # Only the lines a value can make long are folded; the others are short by their form.
    lines = [b"BEGIN:VEVENT\r\n", _line("SUMMARY:" + _escape(title)),
             f"{dates}DTSTAMP:{updated}\r\n".encode()]
    if len(uid) <= 50 and uid.isascii():  # the UID line fits in 74 octets
        lines.append(f"UID:{uid}@{_UID_DOMAIN}\r\nSEQUENCE:{revisions}\r\n".encode())
    else:
        lines += [_line(f"UID:{uid}@{_UID_DOMAIN}"), f"SEQUENCE:{revisions}\r\n".encode()]
    categories = event.tags
    if event.cameo:
        categories = (*categories, f"CAMEO {event.cameo}")
    if categories:
        lines.append(_line("CATEGORIES:" + ",".join([_escape(c) for c in categories])))
    lines.append(f"CREATED:{created}\r\n".encode())
    lines.append(_line("DESCRIPTION:" + _escape(_description(event, note))))
    lines.append(f"LAST-MODIFIED:{updated}\r\n".encode())
    if event.place is not None:
        lines.append(_location_line(event.place))
    lines.append(_STATUS_LINES[status])
    for source in event.sources:
        url = source.url
        if url:
            if "\r" in url or "\n" in url:  # icalendar's vUri refuses it
                raise _Unhandled(url)
            lines.append(_line("URL:" + url))
            break
    lines.append(b"END:VEVENT\r\n")
    return b"".join(lines)


def _line(text: str) -> bytes:
    """One content line as UTF-8, folded as icalendar folds it (module docstring), CRLF."""
    data = text.encode()
    return data + b"\r\n" if len(data) <= 74 else _fold(data) + b"\r\n"


def _fold(line: bytes) -> bytes:
    """One content line of more than 74 octets, folded: pieces of at most 74 octets
    that end on a whole UTF-8 character and not on ``\\`` or ``^`` (icalendar 7.3's
    ``_foldline``), joined by CRLF and a space."""
    pieces = []
    start, size = 0, len(line)
    while size - start > 74:
        cut = start + 74
        while line[cut] & 0xC0 == _CONTINUATION:  # inside a UTF-8 sequence: before it
            cut -= 1
        if line[cut - 1] in b"\\^":  # an escape is not split from what it escapes
            cut -= 1
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def _stamp(moment: _dt.datetime) -> str:
    """A record time as a UTC DATE-TIME to the second (RFC 5545 3.3.5 form 2)."""
    if moment.tzinfo is not _UTC:
        moment = _utc(moment)
    return "%04d%02d%02dT%02d%02d%02dZ" % (moment.year, moment.month, moment.day, moment.hour,
                                           moment.minute, moment.second)


# Caches keyed by the id of a record the chronology shares between events (a fold
# keeps one object per distinct date, actor and place); each entry holds its
# record, so that id is not reused while cached, and a hit is checked by identity.
_CACHED = 1 << 15  # entries kept per cache; a full cache is emptied
_DATES: tuple[dict[int, tuple[Any, Any]], dict[int, tuple[Any, Any]]] = ({}, {})
_LOCATIONS: dict[int, tuple[Any, bytes]] = {}
_ACTORS: dict[int, tuple[Any, str]] = {}


def _cached(cache: dict[int, tuple[Any, Any]], record: Any, render: Any) -> Any:
    """``render(record)``, from ``cache`` when this very record was rendered before."""
    hit = cache.get(id(record))
    if hit is not None and hit[0] is record:
        return hit[1]
    value = render(record)
    if len(cache) >= _CACHED:
        cache.clear()
    cache[id(record)] = (record, value)
    return value


def _dates(date: EDTFDate, first_day: bool) -> tuple[str, str | None]:
    """``(DTSTART and DTEND or DURATION lines, the DESCRIPTION's calendar note)``."""
    return _cached(_DATES[first_day], date, _span_first_day if first_day else _span_all)


def _span_all(date: EDTFDate) -> tuple[str, str | None]:
    return _date_lines(*_span(date, False))


def _span_first_day(date: EDTFDate) -> tuple[str, str | None]:
    return _date_lines(*_span(date, True))


def _date_lines(start: _dt.date, last: _dt.date, note: str | None) -> tuple[str, str | None]:
    if last < _dt.date.max:
        end = f"DTEND;VALUE=DATE:{_date(last + _ONE_DAY)}"
    else:  # no day after 9999-12-31 to end on: the days instead (module docstring)
        end = f"DURATION:P{(last - start).days + 1}D"
    return f"DTSTART;VALUE=DATE:{_date(start)}\r\n{end}\r\n", note


def _date(day: _dt.date) -> str:
    """A DATE value (RFC 5545 3.3.4); years are 1 to 9999, which isoformat writes in 4 digits."""
    return day.isoformat().replace("-", "")


def _location_line(place: timeline.Place) -> bytes:
    return _cached(_LOCATIONS, place, _render_location)


def _render_location(place: timeline.Place) -> bytes:
    return _line("LOCATION:" + _escape(_location(place)))


def _escape(text: str) -> str:
    """A TEXT value escaped as RFC 5545 section 3.3.11 says, the backslash first."""
    if not _SPECIAL.search(text):
        return text
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


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


def _description(event: timeline.Event, note: str | None) -> str:
    """The DESCRIPTION text (unescaped): date, EDTF, status, note, actors, summary,
    sources, one per line (module docstring)."""
    date = event.date
    lines = [f"Date: {_words(date)}\nEDTF: {date.edtf}\nStatus: {event.status}"]
    if note:
        lines.append("Calendar: " + note)
    if event.actors:
        lines.append("Actors:")
        lines += [_cached(_ACTORS, actor, _actor) for actor in event.actors]
    if event.summary:
        lines.append("")
        lines.append(event.summary)
    if event.sources:
        lines.append("\nSources:")
        n = 0
        for source in event.sources:
            n += 1
            published = source.published
            parts = [p for p in (source.title, source.publisher,
                                 published and f"published {published.edtf}", source.url) if p]
            lines.append(f"{n}. {' - '.join(parts)}")
    return "\n".join(lines)


def _actor(actor: timeline.Actor) -> str:
    who, role = actor.name, actor.role
    return (f"- {who}{f', {role}' if role else ''} ({actor.code})" if who else
            f"- {actor.code}{f', {role}' if role else ''}")


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
