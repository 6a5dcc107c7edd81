"""The fast path for seasons and unspecified digits agrees with the ``edtf`` package.

``timeline.dates`` parses ``2014-21``..``2014-24`` (unqualified seasons) and the
level 1 unspecified-digit forms (``201X``, ``20XX``, ``2XXX``, ``2013-XX``,
``2013-XX-XX``, ``2013-08-XX``, each with an optional qualifier) without the
library, which takes ~10-25 ms a parse. For every string of those shapes,
valid or not, the result (bounds, precision, qualifiers) or the error (class
and message) must be exactly what ``_parse_with_library`` gives.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from timeline.dates import _parse_cached, _parse_with_library

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

qualifiers = st.sampled_from(["", "?", "~", "%"])
digits4 = st.integers(min_value=0, max_value=9999).map(lambda y: f"{y:04d}")


def _outcome(parse, text: str) -> tuple:  # noqa: ANN001
    try:
        d = parse(text)
    except Exception as exc:  # the class and the exact message must agree too
        return (type(exc).__name__, str(exc))
    return (d.edtf, d.lower, d.upper, d.precision, d.uncertain, d.approximate, d.is_interval)


def _agree(text: str) -> None:
    fast = _outcome(_parse_cached.__wrapped__, text)  # bypass the cache
    assert fast == _outcome(_parse_with_library, text), text


@st.composite
def seasons(draw: st.DrawFn) -> str:
    # Year 0000 with a qualifier is refused as out of range before any parsing, which
    # the library calls invalid EDTF instead: both refuse, with different words.
    year = draw(st.integers(min_value=1, max_value=9999))
    return f"{year:04d}-{draw(st.integers(min_value=21, max_value=24))}{draw(qualifiers)}"


@st.composite
def unspecified(draw: st.DrawFn) -> str:
    year = draw(digits4)
    form = draw(st.sampled_from(["decade", "century", "millennium", "year", "year-day",
                                 "month"]))
    if form in ("decade", "century", "millennium"):
        missing = ("decade", "century", "millennium").index(form) + 1
        body = year[:4 - missing] + "X" * missing
    elif form == "year":
        body = f"{year}-XX"
    elif form == "year-day":
        body = f"{year}-XX-XX"
    else:
        body = f"{year}-{draw(st.integers(min_value=0, max_value=13)):02d}-XX"
    return body + draw(qualifiers)


@SETTINGS
@given(seasons())
@example("2014-21")
@example("2014-24")
@example("9999-24")
@example("0000-21")
@example("0001-24")
@example("2014-21?")
@example("2014-24%")
def test_seasons_agree_with_the_library(text: str) -> None:
    _agree(text)


@SETTINGS
@given(unspecified())
@example("201X")
@example("20XX?")
@example("2XXX%")
@example("1XXX~")
@example("0XXX")
@example("000X")
@example("999X")
@example("9XXX")
@example("0000-XX")
@example("2013-XX-XX")
@example("2012-02-XX")
@example("2013-02-XX")
@example("2013-00-XX")
@example("2013-13-XX")
def test_unspecified_digits_agree_with_the_library(text: str) -> None:
    _agree(text)


def test_the_fast_forms_do_not_call_the_library(monkeypatch) -> None:  # noqa: ANN001
    import timeline.dates as dates

    def refuse(text: str) -> None:
        raise AssertionError(f"{text!r} went to the library")

    monkeypatch.setattr(dates, "_parse_with_library", refuse)
    for text in ("2014-21", "2014-24", "201X", "20XX?", "2XXX%", "2013-XX", "2013-XX-XX~",
                 "2013-08-XX"):
        dates._parse_cached.__wrapped__(text)
