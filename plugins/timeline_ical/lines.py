"""The content lines of an iCalendar file (RFC 5545 section 3.1) and the components they
open and close, checked before icalendar reads the file.

- :func:`decode`: the text, and the lines holding bytes that are not UTF-8;
- :class:`ContentLines`: the unfolded content lines, each with the number of the
  file's line it starts on;
- :func:`components`: where each top-level VCALENDAR and each VEVENT begins and
  ends. Raises :class:`timeline.ImportRowError` naming the line for a component
  that is never closed [truncated file], an ``END`` that closes another one, a
  component or property outside any VCALENDAR, a VEVENT inside another component
  than a VCALENDAR (RFC 5545 section 3.6), nesting deeper than 16 levels [not
  iCalendar], and bytes that are not UTF-8 outside a VEVENT [invalid encoding].

icalendar itself drops a component that is not closed without a word, so a file cut
short would read as fewer events (or none); these checks make it an error.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from timeline import ImportRowError

__all__ = ["decode", "ContentLines", "components"]

_MAX_DEPTH = 16  # VCALENDAR > VEVENT > VALARM is three; a deeper file is not a calendar
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that are not UTF-8, under surrogateescape


def decode(data: bytes) -> tuple[str, list[int]]:
    """The text of the file (a byte order mark dropped) and the numbers of the lines that
    hold bytes which are not UTF-8 (those bytes read as U+FFFD)."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", "surrogateescape")
    numbers: list[int] = []
    number, at = 1, 0
    for bad in _ESCAPED.finditer(text):
        number += text.count("\n", at, bad.start())
        at = bad.start()
        if not numbers or numbers[-1] != number:
            numbers.append(number)
    return _ESCAPED.sub("\ufffd", text), numbers


class ContentLines:
    """The content lines of an iCalendar text, unfolded (RFC 5545 section 3.1: a line
    that starts with a space or a tab continues the one before; blank lines are
    skipped), each with the number of the file's line it starts on."""

    def __init__(self, text: str) -> None:
        self.numbers: list[int] = []
        self.lines: list[str] = []
        pieces: list[str] = []
        for number, raw in enumerate(text.split("\n"), 1):
            raw = raw[:-1] if raw.endswith("\r") else raw
            if raw[:1] in (" ", "\t") and pieces:
                pieces.append(raw[1:])
            elif raw:
                self._close(pieces)
                pieces = [raw]
                self.numbers.append(number)
        self._close(pieces)
        self.last = text.count("\n") + (0 if text.endswith("\n") else 1)

    def _close(self, pieces: list[str]) -> None:
        if pieces:  # joined once: a line folded a million times costs no more than its size
            self.lines.append("".join(pieces))

    def text(self, first: int, last: int) -> str:
        """Content lines ``first`` to ``last`` (indexes, both included) as one text."""
        return "\r\n".join(self.lines[first:last + 1]) + "\r\n"

    def boundary(self, index: int) -> tuple[str, str] | None:
        """``("BEGIN" or "END", component name)`` for a BEGIN or END line, else None; read
        with icalendar's own content line parser, so that both see the same components."""
        line = self.lines[index]
        if not line[:5].upper().startswith(("BEGIN", "END")):
            return None
        from icalendar.parser import Contentline

        try:
            name, _, value = Contentline(line).parts()
        except ValueError:
            return None
        name = name.upper()
        return (name, value.upper()) if name in ("BEGIN", "END") else None


def components(lines: ContentLines, bad_lines: list[int]) -> tuple[list[tuple[int, int]],
                                                               list[tuple[int, int]]]:
    """``(calendars, vevents)``: the indexes of the first and last content line of each
    top-level VCALENDAR and of each VEVENT, in file order. Raises ImportRowError (see the
    module docstring) for a file that is not made of closed VCALENDARs."""
    calendars: list[tuple[int, int]] = []
    vevents: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # (name, index of its BEGIN line)
    for index in range(len(lines.lines)):
        number = lines.numbers[index]
        boundary = lines.boundary(index)
        if boundary is None:
            if not stack:
                _not_ical(number, f"{lines.lines[index][:40]!r} comes outside any VCALENDAR")
            continue
        kind, name = boundary
        if kind == "BEGIN":
            if not stack and name != "VCALENDAR":
                _not_ical(number, f"BEGIN:{name} comes outside any VCALENDAR")
            if name == "VEVENT" and stack[-1][0] != "VCALENDAR":
                parent, at = stack[-1]
                _not_ical(number, f"BEGIN:VEVENT comes inside the {parent} begun on line "
                          f"{lines.numbers[at]}, but a VEVENT belongs directly in a "
                          f"VCALENDAR (RFC 5545 section 3.6): END:{parent} is missing "
                          "before it")
            if len(stack) == _MAX_DEPTH:
                _not_ical(number, f"components nest deeper than {_MAX_DEPTH} levels here "
                          "(a calendar needs three: VCALENDAR, VEVENT, VALARM)")
            stack.append((name, index))
            continue
        if not stack:
            _not_ical(number, f"END:{name} closes no component: none is open here")
        open_name, at = stack.pop()
        if name != open_name:
            _not_ical(number, f"END:{name} comes while the {open_name} begun on line "
                      f"{lines.numbers[at]} is open: END:{open_name} is missing before it")
        if name == "VEVENT":
            vevents.append((at, index))
        if not stack:
            calendars.append((at, index))
    if stack:
        name, at = stack[-1]
        raise ImportRowError(lines.numbers[at], "truncated file", f"file: ends inside the "
                             f"{name} begun here: END:{name} is missing, so the file looks "
                             f"cut short after line {lines.last}.",
                             fix="Nothing was imported; give the whole file.")
    for number in bad_lines:  # inside a VEVENT, the VEVENT is rejected; elsewhere, the file
        at = bisect_right(lines.numbers, number) - 1
        if not any(first <= at <= last for first, last in vevents):
            raise ImportRowError(number, "invalid encoding", "file: this line is not valid "
                                 "UTF-8.", fix="Save the file as UTF-8.")
    if not calendars:  # RFC 5545 section 3.4: a stream is one or more VCALENDARs
        raise ImportRowError(1, "not iCalendar", "file: holds no VCALENDAR: it is empty or "
                             "blank, so it looks cut short before its first line.",
                             fix="Nothing was imported; give the whole file.")
    return calendars, vevents


def _not_ical(line: int, problem: str) -> None:
    raise ImportRowError(line, "not iCalendar", f"file: {problem}.",
                         fix="Nothing was imported; correct the file's BEGIN and END lines.")
