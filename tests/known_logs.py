"""The two logs the client tests read, and what every client must read from them.

- :data:`FIXTURE`: ``tests/data/fixture.jsonl``, built by ``tests/data/make_fixture.py``;
- :data:`BUNDLED`: ``events/pakistan-russia.jsonl``, the chronology shipped with the project.

The tables are written by hand from the EDTF strings and the rules in each
exporter's docstring, not computed by the code under test. Each row:
``id: (EDTF, first day, day after the last day, date in words, TimelineJS
start_date, TimelineJS end_date or None)``. The day after the last day is the
exclusive all-day DTEND of RFC 5545 section 3.6.1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "fixture.jsonl"
BUNDLED = ROOT / "events" / "pakistan-russia.jsonl"

Row = tuple[str, dt.date, dt.date, str, dict[str, int], "dict[str, int] | None"]
D = dt.date


def _ym(year: int, month: int) -> dict[str, int]:
    return {"year": year, "month": month}


def _ymd(year: int, month: int, day: int) -> dict[str, int]:
    return {"year": year, "month": month, "day": day}


FIXTURE_DATES: dict[str, Row] = {
    "open-start-arms-embargo": ("../2003-02", D(2003, 2, 28), D(2003, 3, 1),
                                "until February 2003", _ym(2003, 2), None),
    "unspecified-century": ("19XX", D(1900, 1, 1), D(2000, 1, 1), "the years 1900–1999",
                            {"year": 1900}, {"year": 1999}),
    "unspecified-decade": ("201X", D(2010, 1, 1), D(2020, 1, 1), "the 2010s",
                           {"year": 2010}, {"year": 2019}),
    "both-qualified-consultations": ("2011-05%", D(2011, 5, 1), D(2011, 6, 1),
                                     "possibly around May 2011", _ym(2011, 5), None),
    "year-army-chief-visit": ("2012", D(2012, 1, 1), D(2013, 1, 1), "2012", {"year": 2012},
                              None),
    "day-leap-day-memorandum": ("2012-02-29", D(2012, 2, 29), D(2012, 3, 1),
                                "29 February 2012", _ymd(2012, 2, 29), None),
    "interval-summit": ("2012-11-12/2012-11-15", D(2012, 11, 12), D(2012, 11, 16),
                        "12–15 November 2012", _ymd(2012, 11, 12), _ymd(2012, 11, 15)),
    "unspecified-year": ("2013-XX", D(2013, 1, 1), D(2014, 1, 1), "2013", {"year": 2013}, None),
    "month-air-chief-visit": ("2013-08", D(2013, 8, 1), D(2013, 9, 1), "August 2013",
                              _ym(2013, 8), None),
    "unspecified-month": ("2013-08-XX", D(2013, 8, 1), D(2013, 9, 1), "August 2013",
                          _ym(2013, 8), None),
    "day-strategic-dialogue": ("2013-08-28", D(2013, 8, 28), D(2013, 8, 29), "28 August 2013",
                               _ymd(2013, 8, 28), None),
    "five-sources": ("2013-08-28", D(2013, 8, 28), D(2013, 8, 29), "28 August 2013",
                     _ymd(2013, 8, 28), None),
    "uncertain-signing": ("2013-08-28?", D(2013, 8, 28), D(2013, 8, 29),
                          "possibly 28 August 2013", _ymd(2013, 8, 28), None),
    "script-cyrillic": ("2013-08-29", D(2013, 8, 29), D(2013, 8, 30), "29 August 2013",
                        _ymd(2013, 8, 29), None),
    "script-urdu": ("2013-08-30", D(2013, 8, 30), D(2013, 8, 31), "30 August 2013",
                    _ymd(2013, 8, 30), None),
    "open-energy-working-group": ("2013-09/..", D(2013, 9, 1), D(2013, 9, 2),
                                  "from September 2013", _ym(2013, 9), None),
    "revised-twice": ("2013-09-10", D(2013, 9, 10), D(2013, 9, 11), "10 September 2013",
                      _ymd(2013, 9, 10), None),
    "script-chinese": ("2013-09-13", D(2013, 9, 13), D(2013, 9, 14), "13 September 2013",
                       _ymd(2013, 9, 13), None),
    "text-separators": ("2013-10-01", D(2013, 10, 1), D(2013, 10, 2), "1 October 2013",
                        _ymd(2013, 10, 1), None),
    "text-markup": ("2013-10-02", D(2013, 10, 2), D(2013, 10, 3), "2 October 2013",
                    _ymd(2013, 10, 2), None),
    "text-javascript-url": ("2013-10-03", D(2013, 10, 3), D(2013, 10, 4), "3 October 2013",
                            _ymd(2013, 10, 3), None),
    "month-december-talks": ("2013-12", D(2013, 12, 1), D(2014, 1, 1), "December 2013",
                             _ym(2013, 12), None),
    "approximate-pipeline": ("2014~", D(2014, 1, 1), D(2015, 1, 1), "around 2014",
                             {"year": 2014}, None),
    "status-expected": ("2014", D(2014, 1, 1), D(2015, 1, 1), "2014", {"year": 2014}, None),
    "season-spring-exercise": ("2014-21", D(2014, 3, 1), D(2014, 6, 1), "spring 2014",
                               _ym(2014, 3), _ym(2014, 5)),
    "unknown-end-observer-mission": ("2014-03/", D(2014, 3, 1), D(2014, 3, 2),
                                     "from March 2014 (end unknown)", _ym(2014, 3), None),
    "status-cancelled": ("2014-10-15", D(2014, 10, 15), D(2014, 10, 16), "15 October 2014",
                         _ymd(2014, 10, 15), None),
    "status-scheduled": ("2015-07-09/2015-07-10", D(2015, 7, 9), D(2015, 7, 11),
                         "9–10 July 2015", _ymd(2015, 7, 9), _ymd(2015, 7, 10)),
}

BUNDLED_DATES: dict[str, Row] = {
    "2003-02-musharraf-visits-russia": ("2003-02", D(2003, 2, 1), D(2003, 3, 1),
                                        "February 2003", _ym(2003, 2), None),
    "2005-russia-helps-pakistan-sco-observer-status": ("2005~", D(2005, 1, 1), D(2006, 1, 1),
                                                       "around 2005", {"year": 2005}, None),
    "2005-06-pakistan-supports-russia-oic-observer-bid": ("2005-06", D(2005, 6, 1),
                                                          D(2005, 7, 1), "June 2005",
                                                          _ym(2005, 6), None),
    "2012-army-chief-kiyani-visits-moscow": ("2012", D(2012, 1, 1), D(2013, 1, 1), "2012",
                                             {"year": 2012}, None),
    "2012-foreign-secretaries-agree-strategic-dialogue": ("2012", D(2012, 1, 1),
                                                          D(2013, 1, 1), "2012",
                                                          {"year": 2012}, None),
    "2013-08-bilateral-trade-reported-542-million": ("2013-08", D(2013, 8, 1), D(2013, 9, 1),
                                                     "August 2013", _ym(2013, 8), None),
    "2013-08-russian-air-chief-visits-pakistan": ("2013-08", D(2013, 8, 1), D(2013, 9, 1),
                                                  "August 2013", _ym(2013, 8), None),
    "2013-08-28-first-strategic-dialogue-opens-moscow": ("2013-08-28", D(2013, 8, 28),
                                                         D(2013, 8, 29), "28 August 2013",
                                                         _ymd(2013, 8, 28), None),
    "2014-nato-withdrawal-from-afghanistan": ("2014", D(2014, 1, 1), D(2015, 1, 1), "2014",
                                              {"year": 2014}, None),
}

#: Each log with its table, for parametrized tests.
LOGS = {"fixture": (FIXTURE, FIXTURE_DATES), "bundled": (BUNDLED, BUNDLED_DATES)}

#: Status words the iCal SUMMARY and the other exports append (not for "occurred").
SUFFIX = {"occurred": "", "scheduled": " (scheduled)", "expected": " (expected)",
          "cancelled": " (cancelled)"}
