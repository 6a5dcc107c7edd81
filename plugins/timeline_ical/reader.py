"""The ``ical`` reader: the VEVENTs of an iCalendar file (RFC 5545) into events.

Input: an iCalendar file (``.ics``), one or more VCALENDARs, parsed by the
``icalendar`` package (imported only when a file is read). Other components
(VTODO, VJOURNAL, VTIMEZONE...) are not events and are skipped. One event per
VEVENT, its line being the line of its ``BEGIN:VEVENT``:

- ``date``, all-day events (``DTSTART;VALUE=DATE``): the day; when DTEND (which
  is exclusive, RFC 5545 section 3.6.1) or DURATION makes it longer than one
  day, the interval ``first/last`` (``DTEND:20121116`` after
  ``DTSTART:20121112`` is ``2012-11-12/2012-11-15``). A DTEND not after DTSTART
  counts as one day.
- ``date``, timed events: the day of DTSTART in its own time zone (a floating
  time as written); if the event ends on a later day, the interval of the two
  days (an end at exactly midnight belongs to the day before). The times go to
  the summary: ``Time: 10:00-12:30 (Europe/Moscow)``. EDTF dates here hold no
  time of day.
- A DESCRIPTION line ``EDTF: <string>`` (this project's ``ical`` exporter
  writes one), when it is a valid EDTF date, is the date: it keeps the month,
  year, qualifier or season a calendar cannot say.
- ``title``: SUMMARY, without the `` (scheduled)``, `` (expected)`` or
  `` (cancelled)`` suffix this project's exporter adds.
- ``summary``: DESCRIPTION, as is, then the time line.
- ``status``: STATUS CANCELLED is ``cancelled``, TENTATIVE ``expected``; a
  summary suffix says ``scheduled``; otherwise ``occurred``, or ``scheduled``
  when the event starts after the day of the import.
- ``place``: LOCATION. When its last comma-separated part (or the whole) is a
  country's name pycountry knows (``Moscow, Russian Federation``), that is the
  country and the rest the name.
- ``sources``: URL, when it is an http(s) address.
- ``tags``: CATEGORIES, except ``CAMEO <code>``, which is the ``cameo`` code.
- ``id``: ``<id>`` of a UID ``<id>@diplomatic-timeline`` (this project's UIDs),
  else from the date and title (:func:`timeline.make_event_id`, ``-2``... for
  repeats). The source identity (idempotency key) is ``ical:<UID>`` (a SHA-256
  of it for UIDs over 180 characters), or ``ical:<id>`` without a UID.

A VEVENT is rejected (one row: the line of its ``BEGIN:VEVENT``, a reason and
a detail naming the property and its line) when it has no DTSTART [invalid
date] or no SUMMARY [invalid title], repeats (RRULE or RDATE: a chronology
records occurrences, not rules) [recurring event], or breaks a record rule
[invalid <field>]; also when a property it is read by cannot be read: a value
icalendar cannot parse (``DTSTART;VALUE=DATE:00000101``: year 0000), a
property given twice that RFC 5545 allows once, a DTSTART that is a PERIOD or
a TIME, a DTEND of another value type than DTSTART or floating where DTSTART
is not (or the reverse; RFC 5545 section 3.8.2.2), a DURATION that ends after
9999-12-31 [invalid date, invalid title...]; a content line icalendar cannot
split into name and value [invalid VEVENT]; bytes that are not UTF-8
[invalid encoding].

The file as a whole raises :class:`timeline.ImportRowError` naming the line,
before any row is read, when it is not iCalendar: a component that is not
closed (``BEGIN:VEVENT`` without ``END:VEVENT``, a file cut short without
``END:VCALENDAR``) [truncated file]; an ``END`` that closes another
component, a component or property outside any VCALENDAR, a VEVENT inside
another component than a VCALENDAR, components nested deeper than 16 levels,
or a calendar icalendar refuses [not iCalendar]; bytes that are not UTF-8
outside a VEVENT [invalid encoding] (see :mod:`timeline_ical.lines`).

Options: none.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from timeline import (Event, ImportRow, ImportRowError, Place, Rejection, Source, TakenIds,
                      ValidationError, clip_text, country_from_name, make_event_id, parse_date)

from .lines import ContentLines, components, decode

__all__ = ["read", "sniff"]

_OWN_UID = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)@diplomatic-timeline")
_EDTF_LINE = re.compile(r"EDTF: (\S+)")
_SUFFIXES = {" (scheduled)": "scheduled", " (expected)": "expected", " (cancelled)": "cancelled"}
_ONE_DAY = _dt.timedelta(days=1)
_FIELDS = {"DTSTART": "date", "DTEND": "date", "DURATION": "date", "SUMMARY": "title",
           "DESCRIPTION": "summary", "LOCATION": "place", "URL": "sources", "UID": "id",
           "STATUS": "status", "CATEGORIES": "tags"}
_DATE_FIX = "Give a DATE (20130828) or a DATE-TIME (20130828T100000Z) from year 0001 to 9999."
_FIXES = {"DTSTART": _DATE_FIX, "DTEND": _DATE_FIX,
          "DURATION": "Give a duration such as P1D or PT2H30M (RFC 5545 section 3.3.6)."}


def sniff(head: bytes) -> bool:
    """True when the file starts with ``BEGIN:VCALENDAR``."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().upper().startswith(b"BEGIN:VCALENDAR")


def read(stream: BinaryIO, **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per VEVENT (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the ical "
                              "importer", "The ical importer takes no options; remove it.")
    from icalendar import Calendar

    text, bad_lines = decode(stream.read())
    lines = ContentLines(text)
    calendars, spans = components(lines, bad_lines)
    vevents = []
    for first, last in calendars:
        try:
            parsed = Calendar.from_ical(lines.text(first, last), multiple=True)
        except Exception as exc:  # whatever icalendar raises for a calendar it refuses
            raise ImportRowError(lines.numbers[first], "not iCalendar", "file: the VCALENDAR "
                                 f"begun here is not iCalendar: {' '.join(str(exc).split())}.",
                                 fix="Give an .ics file, or another -f format.") from None
        vevents += [v for calendar in parsed for v in calendar.walk("VEVENT")]
    if len(vevents) != len(spans):  # our reading of the structure and icalendar's differ
        raise AssertionError(f"icalendar found {len(vevents)} VEVENTs, the file has "
                             f"{len(spans)}")
    today = _dt.date.today()
    taken = TakenIds()
    for (first, last), vevent in zip(spans, vevents):
        component = _VEvent(vevent, lines, first, last)
        rejection = component.unreadable(bad_lines)
        if rejection is None:
            try:
                event, key = _event(component, taken, today)
            except ValidationError as exc:
                rejection = Rejection.from_error(exc)
        if rejection is not None:
            yield ImportRow(component.line, rejection)
            continue
        taken.add(event.id)
        yield ImportRow(component.line, event, key)


# --- one VEVENT -----------------------------------------------------------------------------

class _VEvent:
    """A VEVENT as icalendar read it, with its content lines, so that a property that
    cannot be read is named with its line."""

    def __init__(self, vevent: Any, lines: ContentLines, first: int, last: int) -> None:
        self.vevent, self.lines, self.first, self.last = vevent, lines, first, last
        self.line = lines.numbers[first]

    def unreadable(self, bad_lines: list[int]) -> Rejection | None:
        """The rejection of a VEVENT whose bytes or lines cannot be read, or that repeats."""
        end = self.lines.numbers[self.last]
        bad = next((n for n in bad_lines if self.line <= n <= end), None)
        if bad is not None:
            return Rejection("invalid encoding", f"VEVENT: line {bad} is not valid UTF-8. "
                             "Save the file as UTF-8.")
        if "RRULE" in self.vevent or "RDATE" in self.vevent:
            return Rejection("recurring event", "VEVENT: repeats (RRULE or RDATE); a "
                             "chronology records occurrences, not rules. Add each "
                             "occurrence as its own event.")
        problem = next((message for name, message in self.vevent.errors if name is None), None)
        if problem is None:
            return None
        from icalendar.parser import Contentline

        number = self.line
        for index in range(self.first, self.last + 1):
            try:
                Contentline(self.lines.lines[index]).parts()
            except ValueError:
                number = self.lines.numbers[index]
                break
        return Rejection("invalid VEVENT", f"VEVENT: line {number} is not a content line "
                         f"NAME:VALUE ({' '.join(problem.split())}). Correct or remove it.")

    def where(self, name: str) -> str:
        """``"DTEND, line 14"``: the property and the line it is on."""
        for index in range(self.first, self.last + 1):
            if self.lines.lines[index][:len(name) + 1].upper() in (f"{name}:", f"{name};"):
                return f"{name}, line {self.lines.numbers[index]}"
        return name

    def one(self, name: str) -> Any:
        """The value of a property RFC 5545 allows once in a VEVENT, or None; raises
        ValidationError when it is given twice or icalendar could not read it."""
        value = self.vevent.get(name)
        if isinstance(value, list) and name != "CATEGORIES":
            raise ValidationError(_FIELDS[name], None, f"is given {len(value)} times "
                                  f"({self.where(name)}); RFC 5545 allows one {name} in a "
                                  "VEVENT", f"Keep one {name}.", show_value=False)
        problem = next((message for prop, message in self.vevent.errors if prop == name), None)
        if problem is not None:
            raise ValidationError(_FIELDS[name], _raw(value), f"cannot be read "
                                  f"({self.where(name)}): {' '.join(problem.split())}",
                                  _FIXES.get(name, f"Correct the {name}."))
        return value

    def text(self, name: str) -> str:
        value = self.one(name)
        return "" if value is None else str(value)

    def moment(self, name: str) -> Any:
        """The DATE or DATE-TIME of DTSTART or DTEND, the timedelta of DURATION, or None."""
        prop = self.one(name)
        if prop is None:
            return None
        try:
            value = prop.dt
        except Exception as exc:  # whatever icalendar raises for a value it could not read
            raise ValidationError("date", _raw(prop), f"cannot be read ({self.where(name)}): "
                                  f"{' '.join(str(exc).split())}", _FIXES[name]) from None
        wanted = _dt.timedelta if name == "DURATION" else _dt.date
        if not isinstance(value, wanted):
            kind = ("a PERIOD" if isinstance(value, tuple) else "a TIME" if isinstance(
                value, _dt.time) else "a DURATION" if isinstance(value, _dt.timedelta) else
                    "a DATE" if isinstance(value, _dt.date) else f"a {type(value).__name__}")
            want = "a duration" if name == "DURATION" else "a DATE or a DATE-TIME"
            raise ValidationError("date", _raw(prop), f"is {kind} ({self.where(name)}), where "
                                  f"RFC 5545 wants {want}", _FIXES[name])
        return value

    def dtend(self, start: Any) -> Any:
        """DTEND or None, checked against DTSTART (RFC 5545 section 3.8.2.2: the same
        value type, and floating only if DTSTART is)."""
        end = self.moment("DTEND")
        if end is None:
            return None
        raw, where = _raw(self.vevent["DTEND"]), self.where("DTEND")
        timed = isinstance(start, _dt.datetime)
        if isinstance(end, _dt.datetime) != timed:
            raise ValidationError("date", raw, f"is a {'DATE' if timed else 'DATE-TIME'} "
                                  f"({where}) where DTSTART is a "
                                  f"{'DATE-TIME' if timed else 'DATE'}; RFC 5545 section "
                                  "3.8.2.2 wants both of one value type",
                                  "Give DTEND the value type of DTSTART.")
        if timed and (end.tzinfo is None) != (start.tzinfo is None):
            forms = ("a floating time", "a UTC or zoned time")
            raise ValidationError("date", raw, f"is {forms[end.tzinfo is not None]} "
                                  f"({where}) where DTSTART is "
                                  f"{forms[start.tzinfo is not None]}; RFC 5545 section "
                                  "3.8.2.2 wants both floating or neither",
                                  "Give DTEND the form of DTSTART.")
        return end

    def after(self, start: Any, duration: _dt.timedelta) -> Any:
        """``start + duration``; ValidationError (DURATION) past 9999-12-31."""
        try:
            return start + duration
        except OverflowError:
            raise ValidationError("date", _raw(self.vevent["DURATION"]), f"ends after "
                                  f"9999-12-31, the last day a date can name "
                                  f"({self.where('DURATION')})",
                                  "Give a shorter DURATION.") from None


def _raw(value: Any) -> str:
    """A property's value as the file spells it (for messages)."""
    try:
        raw = value.to_ical()
        return raw.decode() if isinstance(raw, bytes) else str(raw)
    except Exception:  # a value icalendar cannot write back: show what it holds
        return str(value)


def _event(vevent: _VEvent, taken: TakenIds, today: _dt.date) -> tuple[Event, str]:
    description = vevent.text("DESCRIPTION")
    date, time = _date(vevent)
    mark = next((m for m in map(_EDTF_LINE.fullmatch, description.splitlines()) if m), None)
    if mark:
        try:
            date = parse_date(mark.group(1)).edtf
        except ValidationError:
            pass  # not ours after all: keep the calendar's dates
    parsed = parse_date(date)
    title = vevent.text("SUMMARY").strip()
    status = {"CANCELLED": "cancelled", "TENTATIVE": "expected"}.get(
        vevent.text("STATUS").upper())
    for suffix, meaning in _SUFFIXES.items():
        if title.endswith(suffix):
            title, status = title[: -len(suffix)], meaning
    if status is None:
        status = "scheduled" if parsed.lower and parsed.lower > today else "occurred"
    uid = vevent.text("UID").strip()
    own = _OWN_UID.fullmatch(uid)
    event_id = own.group(1) if own else make_event_id(parsed, title or "untitled", taken)
    categories = _categories(vevent.one("CATEGORIES"))
    cameo = next((c[6:] for c in categories if c.startswith("CAMEO ")), None)
    url = vevent.text("URL").strip()
    summary = "\n".join(p for p in (description, f"Time: {time}" if time else "") if p)
    event = Event(
        id=event_id, date=parsed, title=title, summary=clip_text(summary, 10_000),
        place=_place(vevent.text("LOCATION").strip()),
        sources=[Source(url=url)] if url.lower().startswith(("http://", "https://")) else [],
        tags=[c for c in categories if not c.startswith("CAMEO ")], cameo=cameo, status=status)
    identity = uid or event_id
    if len(identity) > 180:  # an idempotency key has at most 200 characters
        identity = hashlib.sha256(identity.encode()).hexdigest()
    return event, f"ical:{identity}"


def _date(vevent: _VEvent) -> tuple[str, str | None]:
    """The EDTF date of a VEVENT and, for a timed one, its times in words."""
    start = vevent.moment("DTSTART")
    if start is None:
        raise ValidationError("date", None, "is missing (the VEVENT has no DTSTART)",
                              "Give the event a DTSTART.")
    end = vevent.dtend(start)
    duration = vevent.moment("DURATION") if end is None else None
    if not isinstance(start, _dt.datetime):  # all-day: DTEND is the day after the last
        if end is not None:
            return _span(start, end - _ONE_DAY if end > start else start), None
        # DURATION counts days; the last is the day before start + days, computed without
        # that day, so that a DURATION ending on 9999-12-31 needs no year 10000.
        days = duration.days if duration is not None else 1
        return _span(start, vevent.after(start, _dt.timedelta(days=days - 1))
                     if days > 1 else start), None
    if duration is not None:
        end = vevent.after(start, duration)
    if end is not None and end.tzinfo is not None:
        try:
            end = end.astimezone(start.tzinfo)
        except OverflowError:
            name = "DTEND" if "DTEND" in vevent.vevent else "DURATION"
            raise ValidationError("date", _raw(vevent.vevent[name]), "is out of range in "
                                  f"the time zone of DTSTART ({vevent.where(name)})",
                                  _DATE_FIX) from None
    last = start.date()
    if end is not None and end > start:
        last = max(start.date(), (end - _dt.timedelta(microseconds=1)).date())
    zone = getattr(start.tzinfo, "key", None) or (start.tzname() if start.tzinfo else "floating")
    time = start.strftime("%H:%M") + (f"-{end.strftime('%H:%M')}" if end is not None and
                                      end > start else "") + f" ({zone})"
    return _span(start.date(), last), time


def _span(first: _dt.date, last: _dt.date) -> str:
    return first.isoformat() if last <= first else f"{first.isoformat()}/{last.isoformat()}"


def _categories(value: Any) -> list[str]:
    found: list[str] = []
    for prop in value if isinstance(value, list) else [value] if value is not None else []:
        for category in getattr(prop, "cats", [prop]):
            text = str(category).strip()
            if text and text not in found:
                found.append(text)
    return found


def _place(location: str) -> Place | None:
    if not location:
        return None
    name, _, last = location.rpartition(",")
    country = country_from_name(last.strip())
    if country and name.strip():
        return Place(clip_text(name.strip(), 200), country=country)
    return Place(clip_text(location, 200), country=country_from_name(location))
