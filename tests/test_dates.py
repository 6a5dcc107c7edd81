"""EDTF dates: exact bounds, precision, qualifiers, refusals and the sort key."""

from __future__ import annotations

import random
from datetime import date

import pytest

from timeline import PRECISIONS, EDTFDate, InvalidDateError, UnsupportedDateError, parse_date

#: The fix every "not EDTF" refusal gives (docs: errors name field, value and fix).
FIX = "Use EDTF: 2013-08-28, 2013-08, 2013, 2013?, 2013-08~, 201X or 2013-08-28/2013-09-02."
YEAR_FIX = "Give a year from 0001 to 9999."
WINTER_9999 = ("is winter 9999, which runs to February 10000, after 9999-12-31, the last day "
               "this library can bound with datetime.date. Give 9999-12, or a season up to "
               "autumn 9999 (9999-23).")
YEAR_PROBLEM = ("has a year outside 0001..9999, which this library cannot bound with "
                "datetime.date")


# --- single dates --------------------------------------------------------------------------

SINGLE = [
    # edtf, lower, upper, precision, uncertain, approximate, qualifier
    ("2013-08-28", date(2013, 8, 28), date(2013, 8, 28), "day", False, False, ""),
    ("2013-08", date(2013, 8, 1), date(2013, 8, 31), "month", False, False, ""),
    ("2013", date(2013, 1, 1), date(2013, 12, 31), "year", False, False, ""),
    ("2012-02-29", date(2012, 2, 29), date(2012, 2, 29), "day", False, False, ""),
    ("2013-02", date(2013, 2, 1), date(2013, 2, 28), "month", False, False, ""),
    ("2012-02", date(2012, 2, 1), date(2012, 2, 29), "month", False, False, ""),
    ("2013?", date(2013, 1, 1), date(2013, 12, 31), "year", True, False, "?"),
    ("2013-08~", date(2013, 8, 1), date(2013, 8, 31), "month", False, True, "~"),
    ("2013-08-28%", date(2013, 8, 28), date(2013, 8, 28), "day", True, True, "%"),
    ("201X", date(2010, 1, 1), date(2019, 12, 31), "decade", False, False, ""),
    ("20XX", date(2000, 1, 1), date(2099, 12, 31), "century", False, False, ""),
    ("1XXX", date(1000, 1, 1), date(1999, 12, 31), "millennium", False, False, ""),
    ("2013-XX", date(2013, 1, 1), date(2013, 12, 31), "year", False, False, ""),
    ("2013-08-XX", date(2013, 8, 1), date(2013, 8, 31), "month", False, False, ""),
    ("2012-02-XX", date(2012, 2, 1), date(2012, 2, 29), "month", False, False, ""),
    ("201X?", date(2010, 1, 1), date(2019, 12, 31), "decade", True, False, "?"),
    ("2013-08-XX~", date(2013, 8, 1), date(2013, 8, 31), "month", False, True, "~"),
    # seasons: northern-hemisphere meteorological; winter runs into the next year
    ("2014-21", date(2014, 3, 1), date(2014, 5, 31), "season", False, False, ""),
    ("2014-22", date(2014, 6, 1), date(2014, 8, 31), "season", False, False, ""),
    ("2014-23", date(2014, 9, 1), date(2014, 11, 30), "season", False, False, ""),
    ("2014-24", date(2014, 12, 1), date(2015, 2, 28), "season", False, False, ""),
    ("2015-24", date(2015, 12, 1), date(2016, 2, 29), "season", False, False, ""),
    # the ends of the supported range
    ("0001", date(1, 1, 1), date(1, 12, 31), "year", False, False, ""),
    ("9999-12-31", date(9999, 12, 31), date(9999, 12, 31), "day", False, False, ""),
]


@pytest.mark.parametrize(
    ("edtf", "lower", "upper", "precision", "uncertain", "approximate", "qualifier"), SINGLE,
    ids=[row[0] for row in SINGLE])
def test_single_date_bounds_precision_and_qualifier(
        edtf: str, lower: date, upper: date, precision: str, uncertain: bool,
        approximate: bool, qualifier: str) -> None:
    d = parse_date(edtf)
    assert (d.lower, d.upper, d.precision) == (lower, upper, precision)
    assert (d.uncertain, d.approximate, d.qualifier) == (uncertain, approximate, qualifier)
    assert (d.is_interval, d.start, d.end, d.start_open, d.end_open) == (
        False, None, None, False, False)
    assert str(d) == edtf and d.edtf == edtf and repr(d) == f"EDTFDate({edtf!r})"


def test_equality_and_hash_follow_the_string_not_the_bounds() -> None:
    assert parse_date("2013") == parse_date("2013")
    assert hash(parse_date("2013")) == hash(parse_date("2013"))
    # same bounds, different claims: not equal
    assert parse_date("2013") != parse_date("2013?")
    assert parse_date("2013") != parse_date("2013-XX")
    assert len({parse_date("2013"), parse_date("2013"), parse_date("2013~")}) == 2


# --- intervals -----------------------------------------------------------------------------

def test_closed_interval_of_days() -> None:
    d = parse_date("2012-11-12/2012-11-15")
    assert (d.lower, d.upper, d.precision) == (date(2012, 11, 12), date(2012, 11, 15), "day")
    assert (d.is_interval, d.start_open, d.end_open) == (True, False, False)
    assert (d.uncertain, d.approximate, d.qualifier) == (False, False, "")
    assert (d.start.edtf, d.end.edtf) == ("2012-11-12", "2012-11-15")


def test_interval_precision_is_the_coarser_end() -> None:
    d = parse_date("2013-08-28/2014")
    assert (d.lower, d.upper, d.precision) == (date(2013, 8, 28), date(2014, 12, 31), "year")


def test_open_end_interval() -> None:
    d = parse_date("2013-08/..")
    assert (d.lower, d.upper, d.precision) == (date(2013, 8, 1), None, "month")
    assert (d.is_interval, d.start_open, d.end_open) == (True, False, True)
    assert d.start.edtf == "2013-08" and d.end is None


def test_unknown_end_interval_is_not_open() -> None:
    d = parse_date("2013/")
    assert (d.lower, d.upper, d.precision) == (date(2013, 1, 1), None, "year")
    assert (d.is_interval, d.start_open, d.end_open) == (True, False, False)
    assert d.end is None


def test_open_start_interval() -> None:
    d = parse_date("../2013")
    assert (d.lower, d.upper, d.precision) == (None, date(2013, 12, 31), "year")
    assert (d.is_interval, d.start_open, d.end_open) == (True, True, False)
    assert d.start is None and d.end.edtf == "2013"


def test_unknown_start_interval() -> None:
    d = parse_date("/2013-08-28")
    assert (d.lower, d.upper, d.precision) == (None, date(2013, 8, 28), "day")
    assert (d.start_open, d.end_open) == (False, False)


def test_interval_with_qualified_ends() -> None:
    d = parse_date("2013?/2014~")
    assert (d.lower, d.upper, d.precision) == (date(2013, 1, 1), date(2014, 12, 31), "year")
    assert (d.start.uncertain, d.start.approximate) == (True, False)
    assert (d.end.uncertain, d.end.approximate) == (False, True)
    # the interval is uncertain and approximate because one of its ends is
    assert (d.uncertain, d.approximate) == (True, True)


def test_interval_with_qualified_day_and_month_ends() -> None:
    d = parse_date("2013-08-28~/2013-09%")
    assert (d.lower, d.upper, d.precision) == (date(2013, 8, 28), date(2013, 9, 30), "month")
    assert (d.start.qualifier, d.end.qualifier) == ("~", "%")


def test_qualified_open_interval() -> None:
    d = parse_date("2013-08-28?/..")
    assert (d.lower, d.upper, d.precision, d.uncertain, d.end_open) == (
        date(2013, 8, 28), None, "day", True, True)


def test_interval_of_seasons_spans_winter() -> None:
    d = parse_date("2013-24/2014-21")
    assert (d.lower, d.upper, d.precision) == (date(2013, 12, 1), date(2014, 5, 31), "season")


def test_interval_ending_within_its_start_is_allowed() -> None:
    # a year that ends in June of that year: the ends overlap, nothing is reversed
    d = parse_date("2013/2013-06")
    assert (d.lower, d.upper) == (date(2013, 1, 1), date(2013, 6, 30))


# --- refusals ------------------------------------------------------------------------------

REFUSED = [
    # edtf, exact class, exact message
    ("2013-02-30", InvalidDateError,
     "date: '2013-02-30' names day 30, but February 2013 has 28 days. "
     "Give an existing day, or the month alone (2013-02)."),
    ("2013-02-29", InvalidDateError,
     "date: '2013-02-29' names day 29, but February 2013 has 28 days. "
     "Give an existing day, or the month alone (2013-02)."),
    ("1900-02-29", InvalidDateError,
     "date: '1900-02-29' names day 29, but February 1900 has 28 days. "
     "Give an existing day, or the month alone (1900-02)."),
    ("2013-04-31", InvalidDateError,
     "date: '2013-04-31' names day 31, but April 2013 has 30 days. "
     "Give an existing day, or the month alone (2013-04)."),
    ("2013-08-00", InvalidDateError,
     "date: '2013-08-00' names day 00, but August 2013 has 31 days. "
     "Give an existing day, or the month alone (2013-08)."),
    ("2013-13", InvalidDateError, f"date: '2013-13' has month 13, which is not 01..12. {FIX}"),
    ("2013-00", InvalidDateError, f"date: '2013-00' has month 00, which is not 01..12. {FIX}"),
    ("2013-42", InvalidDateError, f"date: '2013-42' has month 42, which is not 01..12. {FIX}"),
    ("0000", UnsupportedDateError, f"date: '0000' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("0000?", UnsupportedDateError, f"date: '0000?' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("-0100", UnsupportedDateError, f"date: '-0100' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("Y170000002", UnsupportedDateError, f"date: 'Y170000002' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("9999-24", UnsupportedDateError, f"date: '9999-24' {WINTER_9999}"),
    ("9999-24/..", UnsupportedDateError,
     f"date: '9999-24/..' has an end (9999-24) that {WINTER_9999}"),
    ("2013/9999-24", UnsupportedDateError,
     f"date: '2013/9999-24' has an end (9999-24) that {WINTER_9999}"),
    ("9999-25", UnsupportedDateError, "date: '9999-25' uses an EDTF level 2 feature (a sub-year "
     f"grouping), which is not supported. {FIX}"),
    ("0000-21", UnsupportedDateError, f"date: '0000-21' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("0000-24", UnsupportedDateError, f"date: '0000-24' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("0000-21/2013", UnsupportedDateError,
     f"date: '0000-21/2013' has an end (0000-21) that {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("0XXX", UnsupportedDateError, "date: '0XXX' spans the years 0000 to 0999, and year 0000 "
     "is outside 0001..9999, which this library can bound with datetime.date. Give an "
     "interval from year 0001, such as 0001/0999."),
    ("00XX?", UnsupportedDateError, "date: '00XX?' spans the years 0000 to 0099, and year 0000 "
     "is outside 0001..9999, which this library can bound with datetime.date. Give an "
     "interval from year 0001, such as 0001/0099."),
    ("000X", UnsupportedDateError, "date: '000X' spans the years 0000 to 0009, and year 0000 "
     "is outside 0001..9999, which this library can bound with datetime.date. Give an "
     "interval from year 0001, such as 0001/0009."),
    ("0000-XX", UnsupportedDateError, f"date: '0000-XX' {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("", InvalidDateError, f"date: '' is empty. {FIX}"),
    ("   ", InvalidDateError, f"date: '   ' is empty. {FIX}"),
    ("abc", InvalidDateError, f"date: 'abc' is not a valid EDTF date. {FIX}"),
    ("2013-8", InvalidDateError, f"date: '2013-8' is not a valid EDTF date. {FIX}"),
    ("Y2013", InvalidDateError, f"date: 'Y2013' is not a valid EDTF date. {FIX}"),
    # digits of other scripts are not EDTF digits
    ("\u0662\u0660\u0661\u0663", InvalidDateError,
     f"date: '\u0662\u0660\u0661\u0663' is not a valid EDTF date. {FIX}"),
    ("\uff12\uff10\uff11\uff13", InvalidDateError,
     f"date: '\uff12\uff10\uff11\uff13' is not a valid EDTF date. {FIX}"),
    # whitespace is not EDTF, and is not silently stripped
    (" 2013", InvalidDateError,
     "date: ' 2013' contains whitespace, which EDTF does not allow. "
     f"{FIX}"),
    ("2013-08 ?", InvalidDateError,
     "date: '2013-08 ?' contains whitespace, which EDTF does not allow. "
     f"{FIX}"),
    # level 2
    ("2004-?06-11", UnsupportedDateError,
     "date: '2004-?06-11' uses an EDTF level 2 feature (partial qualification), "
     f"which is not supported. {FIX}"),
    ("2004?-06-11", UnsupportedDateError,
     "date: '2004?-06-11' uses an EDTF level 2 feature (partial qualification), "
     f"which is not supported. {FIX}"),
    ("[1667,1668]", UnsupportedDateError,
     "date: '[1667,1668]' uses an EDTF level 2 feature (a set, one of), "
     f"which is not supported. {FIX}"),
    ("{1667,1668}", UnsupportedDateError,
     "date: '{1667,1668}' uses an EDTF level 2 feature (a set, all of), "
     f"which is not supported. {FIX}"),
    ("156X-12-25", UnsupportedDateError,
     "date: '156X-12-25' uses an EDTF level 2 feature (unspecified digits inside a "
     f"component), which is not supported. {FIX}"),
    ("2013-XX-28", UnsupportedDateError,
     "date: '2013-XX-28' uses an EDTF level 2 feature (unspecified digits inside a "
     f"component), which is not supported. {FIX}"),
    ("Y17E7", UnsupportedDateError,
     "date: 'Y17E7' uses an EDTF level 2 feature (an exponential year), "
     f"which is not supported. {FIX}"),
    ("1950S2", UnsupportedDateError,
     "date: '1950S2' uses an EDTF level 2 feature (significant digits), "
     f"which is not supported. {FIX}"),
    ("1950S2-21", UnsupportedDateError,
     "date: '1950S2-21' uses an EDTF level 2 feature (significant digits), "
     f"which is not supported. {FIX}"),
    ("2001-25", UnsupportedDateError,
     "date: '2001-25' uses an EDTF level 2 feature (a sub-year grouping), "
     f"which is not supported. {FIX}"),
    ("2001-41", UnsupportedDateError,
     "date: '2001-41' uses an EDTF level 2 feature (a sub-year grouping), "
     f"which is not supported. {FIX}"),
    ("2004-06-~01/2004-06-~20", UnsupportedDateError,
     "date: '2004-06-~01/2004-06-~20' has an end (2004-06-~01) that uses an EDTF level 2 "
     f"feature (partial qualification), which is not supported. {FIX}"),
    # times of day
    ("2013-08-28T10:00:00Z", UnsupportedDateError,
     "date: '2013-08-28T10:00:00Z' has a time of day, which is not supported. "
     "Give the day alone (for example 2013-08-28)."),
    ("1985-04-12T23:20:30+04:00", UnsupportedDateError,
     "date: '1985-04-12T23:20:30+04:00' has a time of day, which is not supported. "
     "Give the day alone (for example 2013-08-28)."),
    # intervals
    ("2014/2013", InvalidDateError,
     "date: '2014/2013' ends (2013) before it starts (2014). Swap the two ends."),
    ("2013-08-28/2013-08-27", InvalidDateError,
     "date: '2013-08-28/2013-08-27' ends (2013-08-27) before it starts (2013-08-28). "
     "Swap the two ends."),
    ("../..", InvalidDateError,
     "date: '../..' has neither a start nor an end. Give at least one end, for example "
     "2013-08/.."),
    ("/", InvalidDateError,
     "date: '/' has neither a start nor an end. Give at least one end, for example 2013-08/.."),
    ("2013/2014/2015", InvalidDateError, f"date: '2013/2014/2015' has more than one '/'. {FIX}"),
    ("2013-02-29/2014", InvalidDateError,
     "date: '2013-02-29/2014' has an end (2013-02-29) that names day 29, but February 2013 "
     "has 28 days. Give an existing day, or the month alone (2013-02)."),
    ("2013/0000", UnsupportedDateError,
     f"date: '2013/0000' has an end (0000) that {YEAR_PROBLEM}. {YEAR_FIX}"),
    ("2013-08-28T10:00:00Z/2014", UnsupportedDateError,
     "date: '2013-08-28T10:00:00Z/2014' has an end (2013-08-28T10:00:00Z) that has a time of "
     "day, which is not supported. Give the day alone (for example 2013-08-28)."),
    # an end with a space in it: the problem is quoted whole, not cut at the space
    ("abc def/2014", InvalidDateError,
     "date: 'abc def/2014' has an end (abc def) that contains whitespace, which EDTF does not "
     f"allow. {FIX}"),
    ("2013/" + "x" * 100, InvalidDateError,
     "date: '2013/" + "x" * 62 + "...' (105 chars) has an end (" + "x" * 100
     + f") that is not a valid EDTF date. {FIX}"),
]


@pytest.mark.parametrize(("edtf", "kind", "message"), REFUSED,
                         ids=[repr(row[0])[:40] for row in REFUSED])
def test_refusals_name_field_value_and_fix(edtf: str, kind: type, message: str) -> None:
    with pytest.raises(InvalidDateError) as info:
        parse_date(edtf)
    assert type(info.value) is kind
    assert str(info.value) == message
    assert (info.value.field, info.value.value) == ("date", edtf)
    assert isinstance(info.value, ValueError)  # ValidationError is a ValueError too


def test_non_string_is_refused() -> None:
    with pytest.raises(InvalidDateError) as info:
        parse_date(2013)  # type: ignore[arg-type]
    assert type(info.value) is InvalidDateError
    assert str(info.value) == f"date: 2013 is not a string. {FIX}"
    assert (info.value.field, info.value.value) == ("date", 2013)


def test_refusal_exit_code_is_domain_error() -> None:
    with pytest.raises(UnsupportedDateError) as info:
        parse_date("[1667,1668]")
    assert info.value.exit_code == 1


# --- sort key ------------------------------------------------------------------------------

def test_precisions_rank_finest_first() -> None:
    assert PRECISIONS == ("day", "month", "season", "year", "decade", "century", "millennium")


def test_sort_key_values() -> None:
    assert parse_date("2013-08").sort_key == (date(2013, 8, 1), date(2013, 8, 31), 1)
    assert parse_date("2013-08/..").sort_key == (date(2013, 8, 1), date.max, 1)
    assert parse_date("../2013").sort_key == (date.min, date(2013, 12, 31), 3)


def _sorted(texts: list[str]) -> list[str]:
    return [d.edtf for d in sorted(map(parse_date, texts), key=lambda d: d.sort_key)]


def test_same_start_sorts_day_then_month_then_year() -> None:
    texts = ["2013", "2013-01", "2013-01-01"]
    for seed in range(6):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert _sorted(shuffled) == ["2013-01-01", "2013-01", "2013"]


def test_same_start_coarser_units_sort_by_end() -> None:
    texts = ["2013", "2013-01", "2013-01-01", "201X", "20XX", "2XXX", "2013-01-01/2013-01-02"]
    # 20XX and 2XXX both start 2000-01-01; the century ends first
    expected = ["20XX", "2XXX", "201X", "2013-01-01", "2013-01-01/2013-01-02", "2013-01",
                "2013"]
    for seed in range(6):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert _sorted(shuffled) == expected


def test_equal_bounds_sort_by_precision_rank() -> None:
    # the day interval and the spring season have the same bounds; the season is coarser
    texts = ["2013-21", "2013-03-01/2013-05-31", "2013-03", "2013-03-01", "2013"]
    assert _sorted(texts) == ["2013", "2013-03-01", "2013-03", "2013-03-01/2013-05-31",
                              "2013-21"]
    assert _sorted(list(reversed(texts))) == _sorted(texts)


def test_realistic_mixed_list_sorts_in_exact_order() -> None:
    texts = ["2014", "2013-08-28", "2013-08", "2012/2013", "../2012", "2013-08/..", "201X",
             "2013?", "2013-24", "2005~", "2003-02", "2005-06", "2012"]
    expected = [
        "../2012",      # open start sorts first
        "2003-02",
        "2005~",        # 2005-01-01: before June 2005
        "2005-06",
        "201X",         # 2010-01-01
        "2012",         # 2012-01-01 .. 2012-12-31
        "2012/2013",    # same start, later end
        "2013?",
        "2013-08",      # ends 2013-08-31
        "2013-08/..",   # same start, open end
        "2013-08-28",
        "2013-24",      # winter 2013: 2013-12-01 .. 2014-02-28
        "2014",
    ]
    for seed in range(6):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert _sorted(shuffled) == expected


# --- overlap -------------------------------------------------------------------------------

@pytest.mark.parametrize(("edtf", "lower", "upper", "expected"), [
    ("2013-08", date(2013, 8, 31), None, True),         # touches the last day
    ("2013-08", date(2013, 9, 1), None, False),
    ("2013-08", None, date(2013, 8, 1), True),          # touches the first day
    ("2013-08", None, date(2013, 7, 31), False),
    ("2013-08", None, None, True),
    ("2013-08/..", date(2099, 1, 1), date(2099, 12, 31), True),
    ("../2005", date(1900, 1, 1), date(1900, 1, 1), True),
    ("../2005", date(2006, 1, 1), None, False),
    ("2014-24", date(2015, 2, 1), date(2015, 2, 1), True),  # winter reaches February
])
def test_overlaps(edtf: str, lower: date | None, upper: date | None, expected: bool) -> None:
    assert parse_date(edtf).overlaps(lower, upper) is expected


def test_edtfdate_is_frozen() -> None:
    d = parse_date("2013")
    with pytest.raises(AttributeError):
        d.lower = date(2000, 1, 1)  # type: ignore[misc]
    assert isinstance(d, EDTFDate)
