"""Dates in English words, at their own precision and never finer.

:func:`date_in_words` is what every exporter shows a reader, so that an event
known to the month reads "August 2013" everywhere, not "1 August 2013":

- day ``2013-08-28``: "28 August 2013"; month ``2013-08``: "August 2013";
  year ``2012`` (or ``2012-XX``): "2012";
- season ``2014-21``..``2014-24``: "spring 2014", "summer 2014", "autumn 2014",
  "winter 2014–2015" (northern meteorological seasons; winter is December to
  February, see :mod:`timeline.dates`);
- decade ``201X``: "the 2010s"; century ``19XX`` and millennium ``1XXX``:
  "the years 1900–1999", "the years 1000–1999";
- qualifiers (EDTF level 1): ``?`` "possibly 28 August 2013", ``~`` "around
  2014", ``%`` "possibly around 2014"; on an interval each end carries its own;
- intervals: "12–15 November 2012" (days of one month), "28 August – 2 September
  2013" (days of one year), "August–October 2013" (months of one year);
  otherwise the two ends joined by an en dash, spaced when an end has a space
  ("2013–2014", "August 2013 – 2014"); open ends "from August 2013" /
  "until 2013", unknown ends add "(end unknown)" / "(start unknown)".

Month names are English, whatever the locale. Results are cached by EDTF
string (which determines a date: :class:`~timeline.dates.EDTFDate` compares by
it), up to a few thousand strings, since every exporter asks for each event.
"""

from __future__ import annotations

from .dates import EDTFDate

__all__ = ["date_in_words", "MONTHS"]

#: English month names, January first.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_SEASONS = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}
_QUALIFIERS = {"": "", "?": "possibly ", "~": "around ", "%": "possibly around "}
_CACHED = 8192  # strings kept; emptied when full, so memory stays flat on any log
_words: dict[str, str] = {}


def date_in_words(date: EDTFDate) -> str:
    """``date`` in English words at its own precision: "August 2013", "the 2010s".

    Rules in the module docstring; never raises for a parsed date.
    """
    words = _words.get(date.edtf)
    if words is None:
        words = _in_words(date)  # which may cache an interval's ends first
        if len(_words) >= _CACHED:
            _words.clear()
        _words[date.edtf] = words
    return words


def _in_words(date: EDTFDate) -> str:
    if not date.is_interval:
        return _QUALIFIERS[date.qualifier] + _plain(date)
    start, end = date.start, date.end
    if end is None:
        assert start is not None  # the parser refuses an interval with neither end
        return f"from {date_in_words(start)}" + ("" if date.end_open else " (end unknown)")
    if start is None:
        return f"until {date_in_words(end)}" + ("" if date.start_open else " (start unknown)")
    if start.edtf == end.edtf:
        return date_in_words(start)
    compact = _within_a_year(start, end)
    if compact:
        return compact
    first, last = date_in_words(start), date_in_words(end)
    return f"{first}{' – ' if ' ' in first + last else '–'}{last}"


def _within_a_year(start: EDTFDate, end: EDTFDate) -> str | None:
    """E.g. "12–15 November 2012", "28 August – 2 September 2013", "August–October 2013"."""
    a, b = start.lower, end.upper
    if (a is None or b is None or a.year != b.year or start.qualifier or end.qualifier
            or start.precision != end.precision):
        return None
    if start.precision == "day" and a.month == b.month:
        return f"{a.day}–{b.day} {MONTHS[b.month - 1]} {b.year}"
    if start.precision == "day":
        return f"{a.day} {MONTHS[a.month - 1]} – {b.day} {MONTHS[b.month - 1]} {b.year}"
    if start.precision == "month":
        return f"{MONTHS[a.month - 1]}–{MONTHS[b.month - 1]} {b.year}"
    return None


def _plain(date: EDTFDate) -> str:
    low, high = date.lower, date.upper
    assert low is not None and high is not None  # a single date is always bounded
    if date.precision == "day":
        return f"{low.day} {MONTHS[low.month - 1]} {low.year}"
    if date.precision == "month":
        return f"{MONTHS[low.month - 1]} {low.year}"
    if date.precision == "season":
        season = _SEASONS[low.month]
        return f"{season} {low.year}" + (f"–{high.year}" if high.year != low.year else "")
    if date.precision == "year":
        return str(low.year)
    if date.precision == "decade":
        return f"the {low.year}s"
    return f"the years {low.year}–{high.year}"  # century, millennium
