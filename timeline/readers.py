"""Helpers for importer readers: numbered lines, tab-separated rows, located JSON items,
text cut to a record's limits, numbers in range, country names.

A reader (see :class:`timeline.Importer`) yields :class:`timeline.ImportRow` items;
these helpers give the line numbers those rows need and turn a bad byte or a bad
value into a :class:`timeline.Rejection` of one row rather than a failure of the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, BinaryIO

from .errors import ImportRowError, ValidationError
from .hookspecs import Rejection

__all__ = ["read_text_lines", "read_tab_rows", "json_members", "clip_text", "check_number",
           "country_from_name"]


def read_text_lines(stream: BinaryIO, *,
                    encoding: str = "utf-8") -> Iterator[tuple[int, str | Rejection]]:
    """``(line number, text)`` for each line of a binary stream, without its line end.

    Lines end with LF or CRLF. A line that is not valid in ``encoding`` comes
    as a :class:`~timeline.hookspecs.Rejection` (reason ``invalid encoding``)
    instead of its text, so one bad byte costs one row, not the file. A UTF-8
    byte order mark at the start is dropped.
    """
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\n")
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        try:
            yield number, raw.decode(encoding)
        except UnicodeDecodeError as exc:
            yield number, Rejection("invalid encoding",
                                    f"line: byte {exc.start + 1} ({raw[exc.start:exc.start + 1]!r})"
                                    f" is not valid {encoding.upper()}. Save the file as "
                                    f"{encoding.upper()}.")


def read_tab_rows(stream: BinaryIO) -> Iterator[tuple[int, list[str] | Rejection]]:
    """``(line number, fields)`` for each non-blank line of a tab-separated file (no
    quoting, as ICEWS and GDELT write them); a line that is not UTF-8 comes as a
    :class:`~timeline.hookspecs.Rejection`, as in :func:`read_text_lines`."""
    for number, text in read_text_lines(stream):
        if isinstance(text, Rejection):
            yield number, text
        elif text.strip():
            yield number, text.split("\t")


def json_members(data: bytes | str, key: str) -> tuple[dict[str, Any], Iterator[tuple[int, Any]]]:
    """Parse a JSON document whose top level is an object holding an array ``key``.

    ``data`` is the file's bytes (UTF-8, a byte order mark allowed) or text.
    Returns the top-level object (with ``key`` removed) and an iterator of
    ``(line number, item)`` for the array's items, the line being where each
    item starts. Raises :class:`~timeline.errors.ImportRowError` naming the line
    for bytes that are not UTF-8 (reason ``invalid encoding``), a syntax error or
    nesting deeper than Python's JSON parser follows (about 1,000 levels; ``not
    JSON``), or a top level that is not an object with a ``key`` array.
    """
    if isinstance(data, bytes):
        data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportRowError(data.count(b"\n", 0, exc.start) + 1, "invalid encoding",
                                 f"file: byte {exc.start + 1} is not valid UTF-8.",
                                 fix="Save the file as UTF-8.") from None
    else:
        text = data
    try:
        document = json.loads(text)
    except RecursionError:  # the input's fault: json follows nesting with the call stack
        depth, line = _deepest(text)
        raise ImportRowError(line, "not JSON", f"file: nests deeper than the JSON reader can "
                             f"follow: {depth:,} levels of arrays and objects, the deepest on "
                             "this line.", fix="Check the file; an import file nests a few "
                             "levels.") from None
    except ValueError as exc:
        raise ImportRowError(getattr(exc, "lineno", 1), "not JSON",
                             f"file: is not JSON: {getattr(exc, 'msg', exc)} (column "
                             f"{getattr(exc, 'colno', '?')}).",
                             fix="Check the file; only valid JSON can be imported.") from None
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise ImportRowError(1, "not JSON", f"file: is not a JSON object with a {key!r} array.",
                             fix=f"Give a document of the form {{\"{key}\": [...]}}.")
    items = document.pop(key)
    return document, _located(text, key, items, json.JSONDecoder())


def clip_text(text: str, limit: int, *, at: str = " ") -> str:
    """``text`` if it has at most ``limit`` characters; otherwise cut at the last ``at``
    before the limit and ended with an ellipsis, so that it fits a record's text field."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(at, 1)[0] if at in cut else cut).rstrip(" ,;") + "…"


def check_number(field: str, value: str | None, low: float, high: float) -> float | None:
    """``value`` (text) as a float from ``low`` to ``high``; ``None`` for ``None``.

    Raises :class:`~timeline.errors.ValidationError` naming ``field`` for text that
    is not a number, NaN, an infinity or a number out of range.
    """
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:  # NaN fails too
        raise ValidationError(field, value, f"is not a number from {low:g} to {high:g}",
                              f"Check the {field} column.")
    return number


@lru_cache(maxsize=2048)
def country_from_name(name: str) -> str | None:
    """ISO 3166-1 alpha-3 for a country's name as pycountry knows it (official, common
    or short name, any letter case): ``"Russian Federation"`` -> ``"RUS"``; ``None``
    when it knows none. Text under four characters is not looked up: ``"NA"`` would
    be read as Namibia's alpha-2 code, where data files mean "missing"."""
    if len(name) < 4:
        return None
    import pycountry

    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def _located(text: str, key: str, items: list[Any], decoder: json.JSONDecoder,
             ) -> Iterator[tuple[int, Any]]:
    # Walk the top-level object with raw_decode to find where each item starts.
    pos = _skip(text, text.index("{") + 1)
    while text[pos] != "}":
        name, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past ":"
        if name != key:
            _, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            pos = _skip(text, pos + 1) if text[pos] == "," else pos
            continue
        pos = _skip(text, pos + 1)  # past "["
        lines, at = 1, 0
        for item in items:
            lines += text.count("\n", at, pos)
            at = pos
            yield lines, item
            _, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            pos = _skip(text, pos + 1) if text[pos] == "," else pos
        return


_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')  # strings skipped whole


def _deepest(text: str) -> tuple[int, int]:
    """``(depth, line)``: how deep arrays and objects nest in ``text``, and the line
    where that depth is first reached."""
    depth = deepest = 0
    line = where = 1
    for token in _TOKENS.finditer(text):
        kind = token.group()
        if kind == "\n":
            line += 1
        elif kind in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif kind in "]}":
            depth -= 1
    return deepest, where


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos
