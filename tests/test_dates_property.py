"""The fast path agrees with the reference parser (the ``edtf`` package).

``timeline.dates._parse_fast`` handles ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD``
with an optional final ``?``, ``~`` or ``%``; ``_parse_with_library`` parses
the same strings with ``edtf``. For every valid string they must give the same
bounds, precision and qualifiers, and both must refuse the same impossible days.
The library takes ~10-25 ms a parse, so the example counts stay modest.
"""

from __future__ import annotations

import calendar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from timeline import InvalidDateError
from timeline.dates import _FAST, _parse_fast, _parse_with_library

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

qualifiers = st.sampled_from(["", "?", "~", "%"])
years = st.integers(min_value=1, max_value=9999)
months = st.integers(min_value=1, max_value=12)


@st.composite
def valid_dates(draw: st.DrawFn) -> str:
    year = draw(years)
    form = draw(st.sampled_from(["year", "month", "day"]))
    text = f"{year:04d}"
    if form != "year":
        month = draw(months)
        text += f"-{month:02d}"
        if form == "day":
            last = calendar.monthrange(year, month)[1]
            text += f"-{draw(st.integers(min_value=1, max_value=last)):02d}"
    return text + draw(qualifiers)


@st.composite
def impossible_days(draw: st.DrawFn) -> str:
    year, month = draw(years), draw(months)
    last = calendar.monthrange(year, month)[1]
    day = draw(st.integers(min_value=last + 1, max_value=99) | st.just(0))
    return f"{year:04d}-{month:02d}-{day:02d}{draw(qualifiers)}"


def _fast(text: str):  # noqa: ANN202
    match = _FAST.fullmatch(text)
    assert match is not None, f"{text!r} does not take the fast path"
    return _parse_fast(text, match)


def _facts(d) -> tuple:  # noqa: ANN001
    return (d.lower, d.upper, d.precision, d.uncertain, d.approximate)


@SETTINGS
@given(valid_dates())
@example("2012-02-29")  # leap day
@example("1900-02")      # not a leap year: February has 28 days
@example("2000-02-29%")  # a leap year divisible by 400
@example("0001")         # the first supported year
@example("9999-12-31~")  # the last supported day
def test_fast_path_agrees_with_the_library(text: str) -> None:
    fast, reference = _fast(text), _parse_with_library(text)
    assert _facts(fast) == _facts(reference)
    assert fast.edtf == reference.edtf == text


@SETTINGS
@given(impossible_days())
@example("2013-02-29")
@example("1900-02-29?")
@example("2013-04-31")
@example("2013-08-00")
def test_both_paths_refuse_impossible_days(text: str) -> None:
    with pytest.raises(InvalidDateError) as fast:
        _fast(text)
    with pytest.raises(InvalidDateError) as reference:
        _parse_with_library(text)
    assert type(fast.value) is type(reference.value) is InvalidDateError
    assert fast.value.field == reference.value.field == "date"
    assert fast.value.value == reference.value.value == text


@settings(SETTINGS, max_examples=50)
@given(years, st.integers(min_value=13, max_value=20) | st.just(0), qualifiers)
def test_both_paths_refuse_impossible_months(year: int, month: int, qualifier: str) -> None:
    text = f"{year:04d}-{month:02d}{qualifier}"
    with pytest.raises(InvalidDateError) as fast:
        _fast(text)
    with pytest.raises(InvalidDateError) as reference:
        _parse_with_library(text)
    assert type(fast.value) is type(reference.value) is InvalidDateError
