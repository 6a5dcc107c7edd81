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

A VEVENT is rejected when it has no DTSTART [invalid date] or no SUMMARY
[invalid title], repeats (RRULE or RDATE: a chronology records occurrences, not
rules) [recurring event], or breaks a record rule [invalid <field>]. A file
that is not iCalendar raises :class:`timeline.ImportRowError`.

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

__all__ = ["read", "sniff"]

_OWN_UID = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)@diplomatic-timeline")
_EDTF_LINE = re.compile(r"EDTF: (\S+)")
_SUFFIXES = {" (scheduled)": "scheduled", " (expected)": "expected", " (cancelled)": "cancelled"}
_ONE_DAY = _dt.timedelta(days=1)


def sniff(head: bytes) -> bool:
    """True when the file starts with ``BEGIN:VCALENDAR``."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().upper().startswith(b"BEGIN:VCALENDAR")


def read(stream: BinaryIO, **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per VEVENT (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the ical "
                              "importer", "The ical importer takes no options; remove it.")
    from icalendar import Calendar

    data = stream.read()
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as exc:
        raise ImportRowError(1, "not iCalendar", f"file: is not iCalendar: {exc}.",
                             fix="Give an .ics file, or another -f format.") from None
    starts = [n for n, line in enumerate(data.splitlines(), 1)
              if line.strip().upper() == b"BEGIN:VEVENT"]
    vevents = [v for calendar in calendars for v in calendar.walk("VEVENT")]
    today = _dt.date.today()
    taken = TakenIds()
    for line, vevent in zip(starts, vevents):
        if "RRULE" in vevent or "RDATE" in vevent:
            yield ImportRow(line, Rejection("recurring event", "VEVENT: repeats (RRULE or "
                                            "RDATE); a chronology records occurrences, not "
                                            "rules. Add each occurrence as its own event."))
            continue
        try:
            event, key = _event(vevent, taken, today)
        except ValidationError as exc:
            yield ImportRow(line, Rejection.from_error(exc))
            continue
        taken.add(event.id)
        yield ImportRow(line, event, key)


def _event(vevent: Any, taken: TakenIds, today: _dt.date) -> tuple[Event, str]:
    description = str(vevent.get("DESCRIPTION", ""))
    date, time = _date(vevent)
    mark = next((m for m in map(_EDTF_LINE.fullmatch, description.splitlines()) if m), None)
    if mark:
        try:
            date = parse_date(mark.group(1)).edtf
        except ValidationError:
            pass  # not ours after all: keep the calendar's dates
    parsed = parse_date(date)
    title = str(vevent.get("SUMMARY", "")).strip()
    status = {"CANCELLED": "cancelled", "TENTATIVE": "expected"}.get(
        str(vevent.get("STATUS", "")).upper())
    for suffix, meaning in _SUFFIXES.items():
        if title.endswith(suffix):
            title, status = title[: -len(suffix)], meaning
    if status is None:
        status = "scheduled" if parsed.lower and parsed.lower > today else "occurred"
    uid = str(vevent.get("UID", "")).strip()
    own = _OWN_UID.fullmatch(uid)
    event_id = own.group(1) if own else make_event_id(parsed, title or "untitled", taken)
    categories = _categories(vevent.get("CATEGORIES"))
    cameo = next((c[6:] for c in categories if c.startswith("CAMEO ")), None)
    url = str(vevent.get("URL", "")).strip()
    summary = "\n".join(p for p in (description, f"Time: {time}" if time else "") if p)
    event = Event(
        id=event_id, date=parsed, title=title, summary=clip_text(summary, 10_000),
        place=_place(str(vevent.get("LOCATION", "")).strip()),
        sources=[Source(url=url)] if url.lower().startswith(("http://", "https://")) else [],
        tags=[c for c in categories if not c.startswith("CAMEO ")], cameo=cameo, status=status)
    identity = uid or event_id
    if len(identity) > 180:  # an idempotency key has at most 200 characters
        identity = hashlib.sha256(identity.encode()).hexdigest()
    return event, f"ical:{identity}"


def _date(vevent: Any) -> tuple[str, str | None]:
    """The EDTF date of a VEVENT and, for a timed one, its times in words."""
    start_prop = vevent.get("DTSTART")
    if start_prop is None:
        raise ValidationError("date", None, "is missing (the VEVENT has no DTSTART)",
                              "Give the event a DTSTART.")
    start = start_prop.dt
    end_prop, duration = vevent.get("DTEND"), vevent.get("DURATION")
    end = end_prop.dt if end_prop is not None else (
        start + duration.dt if duration is not None else None)
    if not isinstance(start, _dt.datetime):  # all-day: DTEND is the day after the last
        last = end - _ONE_DAY if isinstance(end, _dt.date) and not isinstance(
            end, _dt.datetime) and end > start else start
        return _span(start, last), None
    if isinstance(end, _dt.datetime) and end.tzinfo is not None and start.tzinfo is not None:
        end = end.astimezone(start.tzinfo)
    last = start.date()
    if isinstance(end, _dt.datetime) and end > start:
        last = max(start.date(), (end - _dt.timedelta(microseconds=1)).date())
    zone = getattr(start.tzinfo, "key", None) or (start.tzname() if start.tzinfo else "floating")
    time = start.strftime("%H:%M") + (f"-{end.strftime('%H:%M')}" if isinstance(
        end, _dt.datetime) and end > start else "") + f" ({zone})"
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
