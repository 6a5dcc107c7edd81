"""Dates in words: timeline.date_in_words, shared by every exporter."""

import pytest

from timeline import date_in_words, parse_date


@pytest.mark.parametrize(("edtf", "words"), [
    ("2013-08-28", "28 August 2013"),
    ("2013-08", "August 2013"),
    ("2012", "2012"),
    ("2013-XX", "2013"),
    ("2014-21", "spring 2014"),
    ("2014-24", "winter 2014–2015"),
    ("201X", "the 2010s"),
    ("19XX", "the years 1900–1999"),
    ("2013-08-28?", "possibly 28 August 2013"),
    ("2014~", "around 2014"),
    ("2014%", "possibly around 2014"),
    ("2012-11-12/2012-11-15", "12–15 November 2012"),
    ("2013-08-28/2013-09-02", "28 August – 2 September 2013"),
    ("2013-08/2013-10", "August–October 2013"),
    ("2013/2014", "2013–2014"),
    ("2013-08/2014", "August 2013 – 2014"),
    ("2013-08/..", "from August 2013"),
    ("2013-08/", "from August 2013 (end unknown)"),
    ("../2013", "until 2013"),
    ("/2013", "until 2013 (start unknown)"),
    ("2012?/2013-02~", "possibly 2012 – around February 2013"),
])
def test_each_form_in_words(edtf: str, words: str) -> None:
    assert date_in_words(parse_date(edtf)) == words
