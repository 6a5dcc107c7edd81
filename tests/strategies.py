"""Hypothesis strategies for valid records and chronologies, shared by the property tests.

- :data:`EDTF_DATES`: EDTF level 0/1 strings of every form :mod:`timeline.dates`
  takes (day, month, year, season, unspecified digits, qualifiers, intervals
  with open and unknown ends);
- :data:`ACTORS`, :data:`PLACES`, :data:`SOURCES`, :data:`EVENTS`: records that
  pass every validator (CAMEO actor codes on ISO 3166-1 alpha-3 countries or
  CAMEO regions, CAMEO event codes with roots 01..20, http(s) URLs...);
- :data:`CHRONOLOGIES`: a :class:`timeline.Chronology` of events with unique
  ids and aware UTC record times, in chronology order.

Text draws from all of Unicode except control characters and surrogates, which
the records refuse; summaries add LF, CRLF, CR and tabs. Every strategy is
built once, at import: hypothesis validates a strategy each time one is made.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from timeline import STATUSES, Actor, Chronology, Event, EventState, Place, Source

UTC = dt.timezone.utc

_CHARS = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029")
_QUALIFIERS = st.sampled_from(["", "?", "~", "%"])
_DAYS = st.dates(dt.date(1, 1, 1), dt.date(9998, 12, 31))
_CUT = st.sampled_from([4, 7, 10])  # an interval end to the year, the month or the day
_FORMS = st.sampled_from(["day", "month", "year", "decade", "century", "year-XX", "month-XX",
                          "season"])
_SEASONS = st.integers(21, 24)
_OPEN = st.sampled_from(["..", ""])


def _one_line(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_CHARS, min_size=1, max_size=max_size).filter(str.strip)


#: One line of text with something other than spaces in it.
LINE_200 = _one_line(200)
LINE_300 = _one_line(300)
#: Optional text that may be empty or blank (names, roles, publishers).
OPTIONAL_TEXT = st.none() | st.text(_CHARS, max_size=60)
#: Free text with LF, CRLF, CR and tabs.
SUMMARIES = st.lists(st.text(_CHARS, max_size=30) | st.sampled_from(["\n", "\r\n", "\r", "\t"]),
                     max_size=8).map("".join)


@st.composite
def _single_date(draw: st.DrawFn) -> str:
    y, m, d = draw(_DAYS).isoformat().split("-")
    form = draw(_FORMS)
    if form == "season":  # the library refuses a qualified season
        return f"{y}-{draw(_SEASONS)}"
    if y.startswith("0") and form in ("decade", "century"):  # 00XX would reach year 0
        form = "year"
    body = {"day": f"{y}-{m}-{d}", "month": f"{y}-{m}", "year": y, "decade": f"{y[:3]}X",
            "century": f"{y[:2]}XX", "year-XX": f"{y}-XX", "month-XX": f"{y}-{m}-XX"}[form]
    return body + draw(_QUALIFIERS)


@st.composite
def _interval(draw: st.DrawFn) -> str:
    first, second = sorted([draw(_DAYS), draw(_DAYS)])
    start = first.isoformat()[: draw(_CUT)] + draw(_QUALIFIERS)
    end = second.isoformat()[: draw(_CUT)] + draw(_QUALIFIERS)
    return draw(st.sampled_from([f"{start}/{end}", f"{start}/{draw(_OPEN)}",
                                 f"{draw(_OPEN)}/{end}"]))


#: One EDTF date, not an interval.
SINGLE_DATES = _single_date()
#: Any supported EDTF date or interval.
EDTF_DATES = SINGLE_DATES | _interval()

#: CAMEO actor codes: an ISO 3166-1 alpha-3 country or a CAMEO region / transnational
#: code, then up to two role groups (``PAKGOV``, ``IGOWSTNAT``).
ACTOR_CODES = st.builds(
    lambda head, roles: head + "".join(roles),
    st.sampled_from(["PAK", "RUS", "USA", "CHN", "IND", "AFG", "KGZ", "IGO", "NGO", "EUR", "SAS"]),
    st.lists(st.sampled_from(["GOV", "MIL", "BUS", "OPP", "REB", "WST", "NAT", "ELI"]),
             max_size=2))
ACTORS = st.builds(Actor, ACTOR_CODES, OPTIONAL_TEXT, OPTIONAL_TEXT)
PLACES = st.builds(Place, LINE_200, st.none() | st.sampled_from(["PAK", "RUS", "KGZ", "RU"]))
URLS = st.builds(lambda scheme, host, rest: f"{scheme}://{host}/{rest}",
                 st.sampled_from(["http", "https", "HTTPS"]),
                 st.sampled_from(["example.org", "mofa.gov.pk", "www.mid.ru"]),
                 st.text("abcdefghijklmnopqrstuvwxyz0123456789-._~/?#[]@!$&'()*+,;=%",
                         max_size=40))
#: A source with a URL, a title, or both (print sources have no URL).
SOURCES = (st.builds(Source, URLS, st.none() | LINE_300, OPTIONAL_TEXT, st.none() | SINGLE_DATES)
           | st.builds(Source, st.none(), LINE_300, OPTIONAL_TEXT, st.none() | SINGLE_DATES))
#: CAMEO event codes: root 01..20, then up to two digits (``042``, ``0874``).
CAMEO_CODES = st.builds(lambda root, rest: f"{root:02d}{rest}", st.integers(1, 20),
                        st.text("0123456789", max_size=2))
EVENT_IDS = st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,4}", fullmatch=True)
TAGS = st.lists(LINE_200.map(str.strip).filter(lambda t: t and "," not in t), max_size=4,
                unique=True)
EVENTS = st.builds(
    Event, id=EVENT_IDS, date=EDTF_DATES, title=LINE_300, summary=SUMMARIES,
    actors=st.lists(ACTORS, max_size=3), place=st.none() | PLACES,
    sources=st.lists(SOURCES, max_size=5), tags=TAGS, cameo=st.none() | CAMEO_CODES,
    status=st.sampled_from(STATUSES))
#: Aware UTC record times with microseconds.
RECORD_TIMES = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1),
                            timezones=st.just(UTC))
_REVISIONS = st.integers(0, 5)
_POSITIONS = st.integers(1, 10_000)


@st.composite
def _chronology(draw: st.DrawFn) -> Chronology:
    states = []
    for event in draw(st.lists(EVENTS, max_size=4, unique_by=lambda e: e.id)):
        recorded, later = sorted([draw(RECORD_TIMES), draw(RECORD_TIMES)])
        revisions, first = draw(_REVISIONS), draw(_POSITIONS)
        states.append(EventState(event, recorded, later if revisions else recorded, first,
                                 first + revisions, revisions))
    states.sort(key=lambda s: (s.event.date.sort_key, s.event.id))  # as timeline.fold sorts
    position = max((s.last_position for s in states), default=0)
    return Chronology(tuple(states), title=draw(LINE_300), position=position)


#: A chronology of up to four events with unique ids, in chronology order.
CHRONOLOGIES = _chronology()
