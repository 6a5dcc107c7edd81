"""The ``csv`` reader: a spreadsheet of events, one row each, with a header.

Input: CSV as spreadsheets write it (RFC 4180: comma-separated, ``"`` quotes,
cells may hold line breaks), UTF-8 with or without a byte order mark, and a
header row naming the columns, in any order and any letter case:

=========  ========  ===========================================================
column     needed    value
=========  ========  ===========================================================
date       yes       EDTF: ``2013-08-28``, ``2013-08``, ``2013~``, ``2012-11-12/2012-11-15``
title      yes       one line
id         no        the event id (a slug); default: from date and title
summary    no        longer text; line breaks kept
actors     no        ``CODE[:NAME[:ROLE]]``, several separated by ``;``:
                     ``PAKGOV:Jalil Abbas Jilani:Foreign Secretary; RUSGOV``
place      no        ``NAME[:COUNTRY]``: ``Moscow:RUS`` (ISO 3166 alpha-3 or alpha-2)
sources    no        separated by ``;``; each a URL, a URL then a space and a
                     title (``https://example.org/a Russo-Pak dialogue``), or a
                     title alone (a print source). Write a ``;`` inside a URL as ``%3B``.
tags       no        separated by ``;`` (or ``,``)
cameo      no        CAMEO event code, leading zero kept: ``042``
status     no        ``occurred`` (default), ``scheduled``, ``expected``, ``cancelled``
=========  ========  ===========================================================

Empty cells mean "not given"; rows whose cells are all empty are skipped.
A spreadsheet that dropped the leading zero of a CAMEO code (``42``) is not
corrected: the row is rejected, since ``42`` and ``042`` are different codes.

- ``id``: the ``id`` cell, else :func:`timeline.make_event_id` of date and title
  (``-2``, ``-3``... for repeats in the file). The source identity
  (idempotency key) is ``csv:<id>``.

A row is rejected [invalid <field>] when a value breaks a record rule (the
message names the column, the value and the fix) or has more cells than the
header [wrong number of fields]. A header without ``date`` and ``title``, or
with a column not in the table, or a file that is not UTF-8, raises
:class:`timeline.ImportRowError`.

Options: ``delimiter`` (one character, default ``,``; ``;`` and tab are common
in spreadsheets set to other locales).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from timeline import (Event, ImportRow, ImportRowError, Rejection, Source, TakenIds,
                      ValidationError, make_event_id, parse_actor, parse_place, parse_date)

__all__ = ["read", "sniff", "COLUMNS"]

#: The columns of the layout, required ones first.
COLUMNS = ("date", "title", "id", "summary", "actors", "place", "sources", "tags", "cameo",
           "status")
_REQUIRED = ("date", "title")


def sniff(head: bytes) -> bool:
    """True when the first line is a header naming ``date`` and ``title`` and only
    columns of the layout (comma, semicolon or tab separated)."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    text = first.decode("utf-8", "replace")
    for delimiter in ",;\t":
        names = {c.strip().strip('"').lower() for c in text.split(delimiter)}
        if set(_REQUIRED) <= names <= set(COLUMNS):
            return True
    return False


def read(stream: BinaryIO, *, delimiter: str = ",", **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per data row (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the csv "
                              "importer", "Its only option is delimiter.")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise ValidationError("delimiter", delimiter, "is not one character",
                              "Give for example ',' or ';'.")
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    rows = csv.reader(text, delimiter=delimiter)
    try:
        header = _header(next(rows, []))
        taken = TakenIds()
        last = rows.line_num
        for cells in rows:
            line, last = last + 1, rows.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                yield ImportRow(line, Rejection(
                    "wrong number of fields", f"row: has {len(cells)} cells, more than the "
                    f"{len(header)} columns of the header. Quote cells that hold a "
                    f"{delimiter!r}."))
                continue
            values = {name: cell.strip() for name, cell in zip(header, cells) if cell.strip()}
            try:
                event = _event(values, taken)
            except ValidationError as exc:
                yield ImportRow(line, Rejection.from_error(exc))
                continue
            taken.add(event.id)
            yield ImportRow(line, event, f"csv:{event.id}")
    except UnicodeDecodeError:
        # The text layer decodes ahead of the csv reader, so its position says nothing
        # about where the byte is: find it in the bytes themselves.
        line, column, byte = _first_bad_byte(stream)
        raise ImportRowError(line, "invalid encoding", f"file: byte {column} of this line "
                             f"({byte!r}) is not valid UTF-8.",
                             fix="Save the file as CSV UTF-8.") from None
    except csv.Error as exc:
        raise ImportRowError(rows.line_num, "not CSV", f"file: is not CSV: {exc}.",
                             fix="Check the quotes of that line.") from None
    finally:
        text.detach()


def _first_bad_byte(stream: BinaryIO, chunk_size: int = 1 << 20) -> tuple[int, int, bytes]:
    """``(line, byte in that line, the byte)`` of the first byte of ``stream`` that is
    not UTF-8, lines and bytes counted from 1; read in chunks, from the start."""
    stream.seek(0)
    line, line_start, offset, carry = 1, 0, 0, b""  # offset: of carry[0] in the file
    while True:
        chunk = stream.read(chunk_size)
        data = carry + chunk
        try:
            data.decode("utf-8")
            good, carry = len(data), b""
        except UnicodeDecodeError as exc:
            if exc.end == len(data) and chunk and exc.reason == "unexpected end of data":
                good, carry = exc.start, data[exc.start:]  # a character cut by the chunk
            else:
                line += data.count(b"\n", 0, exc.start)
                newline = data.rfind(b"\n", 0, exc.start)
                start = offset + newline + 1 if newline >= 0 else line_start
                return line, offset + exc.start - start + 1, data[exc.start:exc.start + 1]
        line += data.count(b"\n", 0, good)
        newline = data.rfind(b"\n", 0, good)
        line_start = offset + newline + 1 if newline >= 0 else line_start
        offset += good
        if not chunk:
            raise AssertionError("the file decoded as UTF-8 after all")


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lower() for c in cells]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise ImportRowError(1, "wrong header", f"header: column {unknown[0]!r} is not a column "
                             "of the csv layout.",
                             fix=f"Columns are: {', '.join(COLUMNS)} (see docs/importers.md).")
    missing = [n for n in _REQUIRED if n not in names]
    if missing:
        raise ImportRowError(1, "wrong header", f"header: has no {missing[0]!r} column.",
                             fix="The first row names the columns; date and title are needed.")
    repeated = [n for n in names if names.count(n) > 1]
    if repeated:
        raise ImportRowError(1, "wrong header", f"header: names the column {repeated[0]!r} "
                             "twice.", fix="Keep one of them.")
    return names


def _event(values: dict[str, str], taken: TakenIds) -> Event:
    date = parse_date(values.get("date", ""))
    title = values.get("title", "")
    event_id = values.get("id") or make_event_id(date, title, taken)
    return Event(
        id=event_id, date=date, title=title, summary=values.get("summary", ""),
        actors=[parse_actor(a) for a in _split(values.get("actors"))],
        place=parse_place(values["place"]) if "place" in values else None,
        sources=[_source(s) for s in _split(values.get("sources"))],
        tags=_split(values.get("tags"), ";,"), cameo=values.get("cameo"),
        status=values.get("status", "occurred"))


def _split(cell: str | None, separators: str = ";") -> list[str]:
    if not cell:
        return []
    for separator in separators[1:]:
        cell = cell.replace(separator, separators[0])
    return [part.strip() for part in cell.split(separators[0]) if part.strip()]


def _source(item: str) -> Source:
    if item.lower().startswith(("http://", "https://")):
        url, _, title = item.partition(" ")
        return Source(url=url, title=title.strip() or None)
    return Source(title=item)
