"""Imprecise dates: EDTF (ISO 8601-2) levels 0 and 1, with bounds and a sort key.

:func:`parse_date` turns an EDTF string into an :class:`EDTFDate` that keeps the
exact string and exposes:

- ``lower`` / ``upper``: the first and last calendar day the date can mean
  (``datetime.date``, both inclusive); ``None`` for an open (``..``) or unknown
  (empty) interval end, meaning unbounded on that side.
- ``precision``: ``"day"``, ``"month"``, ``"season"``, ``"year"``, ``"decade"``,
  ``"century"`` or ``"millennium"``; for an interval, the coarser of its known ends.
- ``uncertain`` (``?``), ``approximate`` (``~``); ``%`` sets both (EDTF level 1
  "qualification of a date (complete)").
- ``sort_key``: ``(lower, upper, precision rank)``, a total order: by first
  day, then last day, then precision, so that of dates starting on one day a
  day sorts before the month it starts, and that month before its year.

Supported (EDTF 2019, Library of Congress; ISO 8601-2:2019):

- level 0: ``2013-08-28``, ``2013-08``, ``2013``, intervals ``2013-08-28/2013-09-02``;
- level 1: qualifiers ``2013?`` ``2013-08~`` ``2013-08-28%``; unspecified digits
  ``201X`` ``20XX`` ``2013-XX`` ``2013-08-XX``; seasons ``2014-21`` .. ``2014-24``
  (spring, summer, autumn, winter: northern-hemisphere meteorological seasons,
  winter running December to February);
  intervals with qualified ends, open ends (``2013-08/..``) and unknown ends
  (``2013-08/``).

Refused with :class:`~timeline.errors.UnsupportedDateError`, never simplified:
level 2 (partial qualification ``2004-?06-11``, sets ``[1667,1668]``,
unspecified digits inside a component ``156X-12-25``, exponential years,
significant digits ``1950S2``, sub-year groupings ``2001-25``..``2001-41``),
times of day (level 0 ``T10:00:00Z``), and years outside 0001..9999 (``0000``,
negative and ``Y``-prefixed years, ``0XXX``, and winter 9999, ``9999-24``, which
ends in February 10000), which ``datetime.date`` cannot bound.
Whitespace anywhere in the string is refused (:class:`~timeline.errors.InvalidDateError`).

The reference parser is the ``edtf`` package. It takes several milliseconds a
string, so the common forms take a fast path, proved equal to the library by
property tests (``tests/test_dates_property.py``, ``tests/test_dates_fast_forms.py``):
``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, unspecified digits ``201X`` ``20XX``
``2XXX`` ``2013-XX`` ``2013-XX-XX`` ``2013-08-XX`` (each with an optional final
qualifier) and unqualified seasons ``2014-21``..``2014-24``. Anything else,
and the edge cases of those forms (year 0000, winter 9999, a leading ``0``
before ``X``), goes to the library. Every result is cached by string.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from functools import lru_cache

import attrs

from .errors import InvalidDateError, UnsupportedDateError, ValidationError, _shorten

__all__ = ["EDTFDate", "parse_date", "PRECISIONS"]

#: Precisions from finest to coarsest; the index is the rank in the sort key.
PRECISIONS: tuple[str, ...] = ("day", "month", "season", "year", "decade", "century", "millennium")
_RANK = {name: rank for rank, name in enumerate(PRECISIONS)}

# ASCII digits only: ``\d`` would also match Arabic-Indic or full-width digits.
_FAST = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%]?)")
# Unspecified digits (EDTF level 1) the fast path takes: a year with its last 1..3 digits
# unspecified (first digit 1-9), a year with month or month and day unspecified, a
# month with its day unspecified.
_FAST_UNSPECIFIED = re.compile(
    r"([1-9](?:[0-9]{2}X|[0-9]XX|XXX)|[0-9]{4}-XX(?:-XX)?|[0-9]{4}-(?:0[1-9]|1[0-2])-XX)"
    r"([?~%]?)")
_FIX = "Use EDTF: 2013-08-28, 2013-08, 2013, 2013?, 2013-08~, 201X or 2013-08-28/2013-09-02."


@attrs.frozen(slots=True, eq=True, order=False, hash=True, repr=False)
class EDTFDate:
    """An EDTF level 0/1 date or interval; build one with :func:`parse_date`.

    ``str(d)`` is the exact EDTF string given. For intervals, ``start`` and
    ``end`` are the ends (``None`` when open or unknown; ``end_open`` tells
    ``..`` from an unknown, empty end). Equality and hashing use the string.
    """

    edtf: str
    lower: _dt.date | None = attrs.field(eq=False)
    upper: _dt.date | None = attrs.field(eq=False)
    precision: str = attrs.field(eq=False)
    uncertain: bool = attrs.field(default=False, eq=False)
    approximate: bool = attrs.field(default=False, eq=False)
    start: EDTFDate | None = attrs.field(default=None, eq=False)
    end: EDTFDate | None = attrs.field(default=None, eq=False)
    is_interval: bool = attrs.field(default=False, eq=False)
    start_open: bool = attrs.field(default=False, eq=False)
    end_open: bool = attrs.field(default=False, eq=False)

    def __str__(self) -> str:
        return self.edtf

    def __repr__(self) -> str:
        return f"EDTFDate({self.edtf!r})"

    @property
    def sort_key(self) -> tuple[_dt.date, _dt.date, int]:
        """``(lower, upper, precision rank)`` with open bounds as date.min / date.max."""
        return (self.lower or _dt.date.min, self.upper or _dt.date.max, _RANK[self.precision])

    @property
    def qualifier(self) -> str:
        """The EDTF qualifier character of a single date: ``"?"``, ``"~"``, ``"%"`` or ``""``."""
        if self.uncertain and self.approximate:
            return "%"
        return "?" if self.uncertain else "~" if self.approximate else ""

    def overlaps(self, lower: _dt.date | None, upper: _dt.date | None) -> bool:
        """True if this date's bounds overlap ``[lower, upper]`` (None: unbounded)."""
        if lower is not None and self.upper is not None and self.upper < lower:
            return False
        if upper is not None and self.lower is not None and self.lower > upper:
            return False
        return True


def parse_date(text: str) -> EDTFDate:
    """Parse an EDTF level 0/1 string into an :class:`EDTFDate`.

    Raises :class:`~timeline.errors.InvalidDateError` (naming the field
    ``date``, the value and the fix) for strings that are not EDTF or name a
    day that does not exist, and :class:`~timeline.errors.UnsupportedDateError`
    for valid EDTF that this library refuses (see the module docstring).
    Results are cached by string.
    """
    if not isinstance(text, str):
        raise InvalidDateError("date", text, "is not a string", _FIX)
    return _parse_cached(text)


@lru_cache(maxsize=65536)
def _parse_cached(text: str) -> EDTFDate:
    if "/" in text:
        return _parse_interval(text)
    match = _FAST.fullmatch(text)
    if match:
        return _parse_fast(text, match)
    match = _FAST_UNSPECIFIED.fullmatch(text)
    if match and not text.startswith("0000"):
        return _parse_unspecified(text, match)
    return _parse_with_library(text)


def _parse_unspecified(text: str, match: re.Match[str]) -> EDTFDate:
    body, qualifier = match.groups()
    if len(body) == 4:  # 201X, 20XX, 2XXX: a decade, century or millennium
        missing = body.count("X")
        first = int(body[:4 - missing]) * 10 ** missing
        lower, upper = _dt.date(first, 1, 1), _dt.date(first + 10 ** missing - 1, 12, 31)
        precision = ("decade", "century", "millennium")[missing - 1]
    elif body[5:7] != "XX":  # 2013-08-XX: the month is known
        year, month = int(body[:4]), int(body[5:7])
        lower = _dt.date(year, month, 1)
        upper = _dt.date(year, month, calendar.monthrange(year, month)[1])
        precision = "month"
    else:  # 2013-XX, 2013-XX-XX
        year = int(body[:4])
        lower, upper, precision = _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year"
    return EDTFDate(text, lower, upper, precision,
                    uncertain=qualifier in ("?", "%"), approximate=qualifier in ("~", "%"))


def _parse_fast(text: str, match: re.Match[str]) -> EDTFDate:
    year_s, month_s, day_s, qualifier = match.groups()
    year = int(year_s)
    if year == 0:
        _refuse_year(text)
    if month_s is None:
        lower, upper, precision = _dt.date(year, 1, 1), _dt.date(year, 12, 31), "year"
    else:
        month = int(month_s)
        if not 1 <= month <= 12:
            if 21 <= month <= 24 and day_s is None and not qualifier and (
                    year, month) != (9999, 24):
                # a season (level 1); the library refuses a qualified one
                lower, upper = _season_bounds(year, month)
                return EDTFDate(text, lower, upper, "season")
            if 21 <= month <= 41 and day_s is None:
                # a qualified season, or a sub-year grouping (level 2, 25..41)
                return _parse_with_library(text)
            raise InvalidDateError("date", text, f"has month {month_s}, which is not 01..12", _FIX)
        last = calendar.monthrange(year, month)[1]
        if day_s is None:
            lower, upper, precision = _dt.date(year, month, 1), _dt.date(year, month, last), "month"
        else:
            day = int(day_s)
            if not 1 <= day <= last:
                raise InvalidDateError(
                    "date", text,
                    f"names day {day_s}, but {calendar.month_name[month]} {year} has {last} days",
                    f"Give an existing day, or the month alone ({year_s}-{month_s}).")
            lower = upper = _dt.date(year, month, day)
            precision = "day"
    return EDTFDate(text, lower, upper, precision,
                    uncertain=qualifier in ("?", "%"), approximate=qualifier in ("~", "%"))


def _refuse_year(text: str) -> None:
    raise UnsupportedDateError(
        "date", text, "has a year outside 0001..9999, which this library cannot bound "
        "with datetime.date", "Give a year from 0001 to 9999.")


def _parse_with_library(text: str) -> EDTFDate:
    from edtf import parse_edtf
    from edtf.parser import parser_classes as pc

    if text.strip() == "":
        raise InvalidDateError("date", text, "is empty", _FIX)
    if any(c.isspace() for c in text):  # the library's parser would skip it silently
        raise InvalidDateError("date", text, "contains whitespace, which EDTF does not allow",
                               _FIX)
    try:
        parsed = parse_edtf(text)
    except Exception as exc:  # the library raises its own EDTFParseException (and others)
        raise InvalidDateError("date", text, "is not a valid EDTF date", _FIX) from exc

    kind = type(parsed).__name__
    if kind == "DateAndTime":
        raise UnsupportedDateError("date", text, "has a time of day, which is not supported",
                                   "Give the day alone (for example 2013-08-28).")
    if kind == "LongYear" or text.startswith("-"):
        _refuse_year(text)
    year = text[:4]
    if kind == "Unspecified" and "X" in year and year.replace("X", "0") == "0000":
        # 0XXX, 00XX, 000X: the years they span start at 0000
        raise UnsupportedDateError(
            "date", text, f"spans the years 0000 to {year.replace('X', '9')}, and year 0000 "
            "is outside 0001..9999, which this library can bound with datetime.date",
            f"Give an interval from year 0001, such as 0001/{year.replace('X', '9')}.")
    inner = parsed.date if isinstance(parsed, pc.UncertainOrApproximate) else parsed
    if "S" in text:  # 1950S2, 1950S2-21: the library drops the S part of a season
        kind = "SignificantDigits"
    if kind == "SignificantDigits" or not isinstance(
            inner, (pc.Date, pc.Unspecified, pc.Season)) or isinstance(
            inner, (pc.PartialUnspecified, pc.Level2Season)) or isinstance(
            parsed, pc.PartialUncertainOrApproximate):
        raise UnsupportedDateError(
            "date", text, f"uses an EDTF level 2 feature ({_level2_name(kind)}), "
            "which is not supported", _FIX)
    qualifier = str(parsed.ua) if isinstance(parsed, pc.UncertainOrApproximate) else ""
    if isinstance(parsed, pc.Unspecified) and parsed.ua is not None:
        qualifier = str(parsed.ua)
    body = text.rstrip("?~%")
    if body[:4].isdigit() and int(body[:4]) == 0:
        _refuse_year(text)
    if isinstance(inner, pc.Season):
        if body.startswith("9999-24"):
            raise UnsupportedDateError(
                "date", text, "is winter 9999, which runs to February 10000, after "
                "9999-12-31, the last day this library can bound with datetime.date",
                "Give 9999-12, or a season up to autumn 9999 (9999-23).")
        lower, upper = _season_bounds(int(body[:4]), int(body[5:7]))
    else:
        lower = _to_date(text, parsed.lower_strict())
        upper = _to_date(text, parsed.upper_strict())
    return EDTFDate(text, lower, upper, _precision_of(body, inner),
                    uncertain=qualifier in ("?", "%"), approximate=qualifier in ("~", "%"))


def _season_bounds(year: int, season: int) -> tuple[_dt.date, _dt.date]:
    # Northern-hemisphere meteorological seasons; winter runs into the next year.
    # (The edtf package bounds winter to December alone, which would exclude
    # January and February.)
    start_month = {21: 3, 22: 6, 23: 9, 24: 12}[season]
    end_year, end_month = (year + 1, 2) if season == 24 else (year, start_month + 2)
    return (_dt.date(year, start_month, 1),
            _dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1]))


def _precision_of(body: str, inner: object) -> str:
    from edtf.parser import parser_classes as pc

    if isinstance(inner, pc.Season):
        return "season"
    parts = body.split("-")
    if len(parts) == 3 and "X" not in parts[2]:
        return "day"
    if len(parts) >= 2 and "X" not in parts[1]:
        return "month"
    missing = parts[0].count("X")
    return ("year", "decade", "century", "millennium")[missing] if missing < 4 else "millennium"


def _to_date(text: str, value: object) -> _dt.date:
    try:
        return _dt.date(value.tm_year, value.tm_mon, value.tm_mday)  # type: ignore[attr-defined]
    except (ValueError, AttributeError, TypeError):
        raise InvalidDateError("date", text, "names a day that does not exist", _FIX) from None


def _level2_name(kind: str) -> str:
    return {
        "PartialUncertainOrApproximate": "partial qualification",
        "PartialUnspecified": "unspecified digits inside a component",
        "OneOfASet": "a set, one of",
        "MultipleDates": "a set, all of",
        "Level2Interval": "an interval with partially qualified ends",
        "Level2Season": "a sub-year grouping",
        "ExponentialYear": "an exponential year",
        "Consecutives": "a range in a set",
        "SignificantDigits": "significant digits",
    }.get(kind, kind)


def _parse_interval(text: str) -> EDTFDate:
    if text.count("/") != 1:
        raise InvalidDateError("date", text, "has more than one '/'", _FIX)
    start_s, end_s = text.split("/")
    if start_s in ("", "..") and end_s in ("", ".."):
        raise InvalidDateError("date", text, "has neither a start nor an end",
                               "Give at least one end, for example 2013-08/..")
    start = None if start_s in ("", "..") else _parse_end(text, start_s)
    end = None if end_s in ("", "..") else _parse_end(text, end_s)
    if start is not None and end is not None and start.lower > end.upper:  # type: ignore[operator]
        raise InvalidDateError("date", text, f"ends ({end_s}) before it starts ({start_s})",
                               "Swap the two ends.")
    known = [d for d in (start, end) if d is not None]
    precision = max((d.precision for d in known), key=_RANK.__getitem__)
    return EDTFDate(
        text,
        start.lower if start else None,
        end.upper if end else None,
        precision,
        uncertain=any(d.uncertain for d in known),
        approximate=any(d.approximate for d in known),
        start=start, end=end, is_interval=True,
        start_open=start_s == "..", end_open=end_s == "..")


def _parse_end(text: str, part: str) -> EDTFDate:
    try:
        return _parse_cached(part)
    except InvalidDateError as exc:  # and UnsupportedDateError, keeping the class
        raise type(exc)("date", text, f"has an end ({part}) that {_problem_of(exc)}",
                        exc.fix) from None


def _problem_of(exc: ValidationError) -> str:
    """The ``<what is wrong>`` part of a ValidationError's ``<field>: <value> <what>.``."""
    prefix = f"{exc.field}: {_shorten(exc.value)} "
    message = exc.message
    if message.startswith(prefix):
        message = message[len(prefix):]
    return message[:-1] if message.endswith(".") else message


def _refield(exc: ValidationError, field: str) -> ValidationError:
    """The same error (same class, value, problem and fix) naming ``field`` instead."""
    return type(exc)(field, exc.value, _problem_of(exc), exc.fix)
