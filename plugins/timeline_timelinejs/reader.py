"""The ``timelinejs`` reader: a TimelineJS3 JSON timeline into events.

Input: the JSON document Knight Lab's TimelineJS3 loads (its "JSON Format"):
an object with an ``events`` array of slides; ``title`` (the title slide),
``eras`` and ``scale`` are not events and are not imported. UTF-8.

One event per slide:

- ``date``: ``start_date`` at the precision it gives: ``{"year": 2012}`` is
  ``2012``, with ``month`` ``2012-01``, with ``day`` ``2012-01-03`` (never a day
  for a month nor a month for a year). Parts are whole numbers written as
  numbers or as strings (``"3"``); an empty string counts as missing. With an
  ``end_date``, an interval ``start/end`` (each end at its own precision); an
  ``end_date`` equal to the start adds nothing. Years must be 1 to 9999 (an
  EDTF level 0/1 date has no year 0 or negative years). ``hour``, ``minute``
  and ``second`` have no place in an EDTF date: they go to the summary
  (``Time: 14:30``). A slide written by this project's ``timelinejs`` exporter
  ends its text with ``EDTF: <string>``; that string, when valid, is the date
  (it keeps qualifiers and seasons a TimelineJS date cannot say).
- ``title``: ``text.headline`` reduced to plain text (required).
- ``summary``: ``text.text`` reduced to plain text: tags dropped, entities
  decoded, ``<p>``, ``<br>``, ``<li>``, ``<div>`` and ``<blockquote>`` as line
  breaks, ``<script>`` and ``<style>`` content dropped. Then, each on its own
  line when present: ``Shown as: <display_date>`` (the slide's, else its
  start_date's) when it says more than the date in words, the time of day,
  ``Media: <url> (<caption>; credit: <credit>)`` (``Media quote: <text>`` when
  the media "url" is a quotation in HTML, as TimelineJS allows), with the same
  reduction, and ``Group: <group>`` when the group cannot be a tag.
- ``sources``: every http(s) link (``<a href>``) in ``text.text``, in order and
  once each, titled with its link text; protocol-relative links (``//host/...``)
  are read as ``https:``. Other schemes (``javascript:``, ``mailto:``) are
  dropped.
- ``tags``: ``group``, when it is a valid tag (no comma, one line).
- ``id``: ``unique_id`` made a slug (lowercase ASCII letters, digits and
  hyphens); without one, the date and title (:func:`timeline.make_event_id`),
  ``-2``, ``-3``... for repeats in the file. The source identity (idempotency
  key) is ``timelinejs:<unique_id>``, or ``timelinejs:<id>`` without one.

A slide is rejected [invalid <field>] when its start_date is missing or not a
date object, a part is not a whole number, the date does not exist (month 13,
30 February), is out of range or ends before it starts, the headline is empty,
or a text is too long for a record. A file that is not UTF-8 JSON with an
``events`` array raises :class:`timeline.ImportRowError`.

Options: none.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, BinaryIO

from timeline import (Event, ImportRow, Rejection, Source, TakenIds, ValidationError, clip_text,
                      date_in_words, json_members, make_event_id, parse_date)

__all__ = ["read", "sniff", "html_to_text"]

_PARTS = ("year", "month", "day")
_TIME = ("hour", "minute", "second")
_WHOLE = re.compile(r"-?[0-9]+")
_EDTF_LINE = re.compile(r"EDTF: (\S+)")


def sniff(head: bytes) -> bool:
    """True for a JSON object whose first slide keys include ``start_date`` (or an
    ``events`` array and no ``format`` key: our own JSON export has one)."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    return text.startswith("{") and '"events"' in text and (
        '"start_date"' in text or '"format"' not in text)


def read(stream: BinaryIO, **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per slide of ``events`` (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the "
                              "timelinejs importer",
                              "The timelinejs importer takes no options; remove it.")
    _top, slides = json_members(stream.read(), "events")
    taken = TakenIds()
    for line, slide in slides:
        try:
            event, key = _event(slide, taken)
        except ValidationError as exc:
            yield ImportRow(line, Rejection.from_error(exc))
            continue
        taken.add(event.id)
        yield ImportRow(line, event, key)


def _event(slide: Any, taken: TakenIds) -> tuple[Event, str]:
    if not isinstance(slide, dict):
        raise ValidationError("slide", slide, "is not an object", "Each event is a JSON object.")
    text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
    title = html_to_text(_str(text.get("headline"), "text.headline"))[0].replace("\n", " ")
    if not title.strip():
        raise ValidationError("title", title, "is empty (text.headline)",
                              "Give each slide a headline.")
    body, links = html_to_text(_str(text.get("text"), "text.text"))
    start, start_time = _date(slide.get("start_date"), "start_date")
    date = start
    if slide.get("end_date") not in (None, {}):
        end, _ = _date(slide["end_date"], "end_date")
        date = start if end == start else f"{start}/{end}"
    lines = body.splitlines()
    mark = _EDTF_LINE.fullmatch(lines[-1]) if lines else None
    if mark and _valid(mark.group(1)):  # written by our exporter: the exact date
        date, lines = mark.group(1), lines[:-1]
    parsed = parse_date(date)
    shown = slide.get("display_date") or (slide.get("start_date") or {}).get("display_date")
    extra = []
    if isinstance(shown, str) and shown.strip() and shown.strip() != date_in_words(parsed):
        extra.append(f"Shown as: {html_to_text(shown)[0]}")
    if start_time:
        extra.append(f"Time: {start_time}")
    extra += _media(slide.get("media"))
    group = slide.get("group")
    tags = []
    if isinstance(group, str) and group.strip():
        group = group.strip()
        if "," in group or "\n" in group or len(group) > 200:
            extra.append(f"Group: {group}")
        else:
            tags.append(group)
    unique = slide.get("unique_id")
    unique = unique.strip() if isinstance(unique, str) else ""
    event_id = _slug(unique) or make_event_id(parsed, title, taken)
    summary = "\n".join(line for line in [*lines, *extra] if line.strip())
    event = Event(id=event_id, date=parsed, title=clip_text(title, 300),
                  summary=clip_text(summary, 10_000), sources=_sources(links), tags=tags)
    identity = unique or event_id
    if len(identity) > 180:  # an idempotency key has at most 200 characters
        identity = hashlib.sha256(identity.encode()).hexdigest()
    return event, f"timelinejs:{identity}"


def _date(value: Any, field: str) -> tuple[str, str | None]:
    """The EDTF string of a TimelineJS date object, and its time of day if it has one."""
    if not isinstance(value, dict):
        raise ValidationError(field, value, "is not a date object", "Give for example "
                              '{"year": 2012, "month": 1, "day": 3}.')
    year, month, day = (_part(value.get(p), f"{field}.{p}") for p in _PARTS)
    if year is None:
        raise ValidationError(f"{field}.year", value.get("year"), "is missing",
                              "Every TimelineJS date has a year.")
    if day is not None and month is None:
        raise ValidationError(f"{field}.day", day, "is given without a month",
                              "Give the month too, or leave out the day.")
    if not 1 <= year <= 9999:
        raise ValidationError(f"{field}.year", year, "is outside 1..9999, which EDTF dates "
                              "here support", "Such timelines cannot be imported.")
    edtf = f"{year:04d}" + (f"-{month:02d}" if month is not None else "") + (
        f"-{day:02d}" if day is not None else "")
    try:
        parse_date(edtf)
    except ValidationError as exc:
        raise ValidationError(field, value, f"is not a real date ({exc.message})",
                              "Correct the month or day.") from None
    clock = [_part(value.get(p), f"{field}.{p}") for p in _TIME]
    time = None
    if any(c is not None for c in clock):
        time = ":".join(f"{c or 0:02d}" for c in clock[: 3 if clock[2] is not None else 2])
    return edtf, time


def _part(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _WHOLE.fullmatch(value.strip()))):
        raise ValidationError(field, value, "is not a whole number",
                              "Write it as a number (3) or a string of digits (\"3\").")
    return int(value)


def _valid(edtf: str) -> bool:
    try:
        parse_date(edtf)
    except ValidationError:
        return False
    return True


def _str(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, value, "is not text", "Give a string.")
    return value


def _media(media: Any) -> list[str]:
    if not isinstance(media, dict):
        return []
    url = media.get("url") if isinstance(media.get("url"), str) else ""
    url = url.strip()
    if not url:
        return []
    link = _absolute(url)
    shown = f"Media: {link}" if link else f"Media quote: {html_to_text(url)[0]}"
    caption, credit = (html_to_text(media[k])[0] if isinstance(media.get(k), str) else ""
                       for k in ("caption", "credit"))
    notes = [caption] * bool(caption) + [f"credit: {credit}"] * bool(credit)
    return [shown + (f" ({'; '.join(notes)})" if notes else "")]


def _sources(links: list[tuple[str, str]]) -> list[Source]:
    found: dict[str, Source] = {}
    for href, label in links:
        url = _absolute(href)
        if url is None or url in found:
            continue
        try:
            found[url] = Source(url=url, title=clip_text(label, 300) if label else None)
        except ValidationError:  # not a usable address: the text still has the link's words
            continue
    return list(found.values())


def _absolute(href: str) -> str | None:
    href = href.strip()
    if href.startswith("//"):
        href = "https:" + href
    return href if href.lower().startswith(("http://", "https://")) and " " not in href else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120].strip("-")


class _Plain(HTMLParser):
    _BREAKS = frozenset({"p", "br", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4",
                         "h5", "h6", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.href: str | None = None
        self.anchor: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "a":
            self.href, self.anchor = dict(attrs).get("href") or "", []
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag == "a" and self.href is not None:
            self.links.append((self.href, " ".join("".join(self.anchor).split())))
            self.href = None
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.parts.append(data)
        if self.href is not None:
            self.anchor.append(data)


def html_to_text(markup: str) -> tuple[str, list[tuple[str, str]]]:
    """Plain text and ``(href, link text)`` pairs of an HTML fragment (rules above):
    spaces collapsed within lines, blank lines dropped."""
    parser = _Plain()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line), parser.links
