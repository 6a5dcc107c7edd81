"""The ``markdown`` exporter: a readable chronology, grouped by year (CommonMark).

Layout::

    # <chronology title>

    3 events, as of log position 7.

    ## 2013

    - **28 August 2013** — <title>\\
      Actors: <name> (<CAMEO code>, <role>); ...\\
      Place: <name> (<ISO 3166-1 alpha-3>)\\
      <summary, one line per non-blank line>\\
      Tags: <tag>, <tag>\\
      CAMEO event code: 042\\
      Sources: [1](<url>) <title>, <publisher>, <published>; [2](<url>); 3 <title>

Each event is one list item: continuation lines are joined by a backslash hard
break and indented two spaces, and lines with nothing to show are left out.
Sources are numbered per event; the number links to the source's URL, and a
print or archival source without one keeps a plain number. Events are in
chronology order, grouped under ``## <year>`` of their date's lower bound, so an
interval spanning years is listed once, under its start year, with its full span
in the date. Events whose start is open or unknown (``../2013``, ``/2013``) sort
first and come under ``## Without a start date``. An empty chronology gets
"No events, as of log position N."

Dates: never shown finer than known, always in words (English month names,
not the locale's):

- day ``2013-08-28``: "28 August 2013"; month ``2013-08``: "August 2013";
  year ``2012`` (or ``2012-XX``): "2012";
- season ``2014-21``..``2014-24``: "spring 2014", "summer 2014", "autumn 2014",
  "winter 2014–2015" (northern meteorological seasons; winter is December to February);
- decade ``201X``: "the 2010s"; century ``19XX`` and millennium ``1XXX``:
  "the years 1900–1999", "the years 1000–1999";
- qualifiers: ``?`` "possibly 28 August 2013", ``~`` "around 2014",
  ``%`` "possibly around 2014"; on an interval each end carries its own;
- intervals: "12–15 November 2012" (days of one month), "28 August – 2 September
  2013" (days of one year), "August–October 2013" (months of one year); otherwise
  the two ends joined by an en dash, spaced when an end has a space
  ("2013–2014", "August 2013 – 2014"); open ends "from August 2013" /
  "until 2013", unknown ends add "(end unknown)" / "(start unknown)";
- status other than "occurred" follows in brackets: "2014 (expected)",
  "(scheduled)", "(cancelled)".

Text escaping (all user text: titles, summaries, names, roles, places, tags, source
titles and publishers; the chronology title too):

- a summary is split into lines, each shown on its own hard-broken line, with
  blank lines dropped so that an item stays one paragraph; in every line (and in
  the chronology title) whitespace runs become one space and ends are trimmed;
  a control character left over raises :class:`timeline.ValidationError`;
- each of ``! # $ & ( ) * + - . : < = > [ \\ ] ^ _ ` { | } ~`` is backslash-escaped
  (CommonMark 0.31, 2.4: any ASCII punctuation may be), wherever it stands, so no
  text can open a heading, list, block quote, thematic break, emphasis, code span,
  table cell, link, image, autolink, raw HTML or entity, nor a GFM bare-URL
  autolink (``https\\://``), nor the math (``$``) and attribute (``{}``) syntax of
  other flavours;
- a heading's last character, when it is one of ``.,;:!`` (or their full-width
  forms), is written as a numeric character reference, so that markdownlint's
  MD026 (trailing punctuation in heading) stays quiet;
- source URLs (http/https only, see :mod:`timeline.records`) are link destinations
  with space, ``" ( ) < > \\`` and backtick percent-encoded and ``&`` backslash-escaped
  (so ``&amp;`` is not decoded): the link points exactly at the recorded URL.

Option ``layout`` (``timeline export -O layout=table``): ``list``, the default, is
the layout above; ``table`` gives each year one GitHub Flavored Markdown table
(GFM 0.29, section 4.10), one row per event, under the same headings::

    | Date | Title | Summary | Actors | Place | Tags | CAMEO | Sources |
    | --- | --- | --- | --- | --- | --- | --- | --- |
    | August 2013 | <title> | <summary lines, joined by a space> | ... | ... | ... | 042 | ... |

Cells hold what the list's lines hold, escaped the same way (so a ``|`` in the
text is ``\\|``, as GFM asks; a source URL cannot hold one, see
:mod:`timeline.records`), or nothing when there is nothing to show.

Output is deterministic UTF-8 with one trailing newline, and passes markdownlint's
default rules.

How, for speed: escaping scans each text in C (regular expressions find what
needs work; a text without any is only stripped), and what repeats between
events (actors, places, tag lists, summaries, source titles and publishers,
dates in words) is rendered once per distinct value and kept in
``functools.lru_cache`` caches of a few thousand entries; a few hundred events
are joined per write. The property tests in
``tests/test_export_speed_paths.py`` prove the escaping equal to the
character-by-character rules above (errors included), and the bytes equal to
those of the same writer with no cache.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, BinaryIO

from timeline import Chronology, EDTFDate, Event, EventStream, ValidationError, date_in_words

from . import EXPORTER

__all__ = ["write", "escape"]

_SPECIAL = re.compile(r"[!#$&()*+\-.:<=>\[\\\]^_`{|}~]")
_URL_ENCODE = {" ": "%20", '"': "%22", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E",
               "\\": "%5C", "`": "%60", "&": "\\&"}
_URL_UNSAFE = re.compile("[" + re.escape("".join(_URL_ENCODE)) + "]")
_MD026 = ".,;:!。，；：！"  # markdownlint's default trailing punctuation for headings
_BLANKS = re.compile(r"[\t\n\v\f\r \x1c-\x1f\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A text with none of these needs only strip(): _BLANKS would put back each single
# space it takes, and there is no control character to refuse.
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]|  ")
_NO_START = "Without a start date"
_COLUMNS = ("Date", "Title", "Summary", "Actors", "Place", "Tags", "CAMEO", "Sources")
_TABLE_HEAD = ("| " + " | ".join(_COLUMNS) + " |\n"
               + "| " + " | ".join("---" for _ in _COLUMNS) + " |\n")
_CHUNK = 500  # events a write
_CACHED = 8192  # texts each cache keeps (least recently used go), so memory stays flat


def write(chronology: Chronology | EventStream, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` as Markdown (layout in the module docstring) to ``out``.

    Reads the events once, in order, writing as it goes (``streams=True``): memory
    does not grow with their number; the count for the intro line is ``len()``.

    Option ``layout``: ``"list"`` (the default) or ``"table"``. Raises
    :class:`timeline.ValidationError` for another option or value, and for a
    chronology title that is empty or holds control characters.
    """
    table = EXPORTER.resolve_options(options)["layout"] == "table"
    title = _one_line(str(chronology.title), "title")
    if not title:
        raise ValidationError("title", chronology.title, "is empty", "Give the chronology a title.")
    count = len(chronology)
    intro = (f"{count} event{'' if count == 1 else 's'}" if count else "No events")
    out.write(f"# {_heading(title)}\n\n{intro}, as of log position {chronology.position}.\n"
              .encode("utf-8"))
    render, group, parts = _row if table else _item, -1, []
    for state in chronology:
        lower = state.event.date.lower
        year = 0 if lower is None else lower.year  # 0: no start date (years are 1..9999)
        if year != group:
            group = year
            parts.append(f"\n## {year or _NO_START}\n\n{_TABLE_HEAD if table else ''}")
        parts.append(render(state.event))
        if len(parts) >= _CHUNK:
            out.write("".join(parts).encode("utf-8"))
            parts = []
    out.write("".join(parts).encode("utf-8"))


def escape(text: str, field: str = "text") -> str:
    """``text`` as one line of inert Markdown (rules in the module docstring).

    Raises :class:`timeline.ValidationError` naming ``field`` if a control character
    is left after turning line breaks and tabs into spaces.
    """
    return _escape_chars(_one_line(text, field))


#: escape() of texts that repeat (names, roles, tags, source titles, publishers).
_escape_repeated = lru_cache(maxsize=_CACHED)(escape)


def _escape_chars(text: str) -> str:
    return _SPECIAL.sub(_backslash, text)


def _backslash(match: re.Match[str]) -> str:
    return "\\" + match.group()


def _item(event: Event) -> str:
    status = "" if event.status == "occurred" else f" ({event.status})"
    lines = [f"**{date_in_words(event.date)}{status}** — {escape(event.title, 'title')}"]
    if event.actors:
        lines.append("Actors: " + "; ".join([_actor(a.code, a.name, a.role)
                                             for a in event.actors]))
    if event.place:
        lines.append("Place: " + _place(event.place.name, event.place.country))
    if event.summary:
        lines += _summary_lines(event.summary)
    if event.tags:
        lines.append("Tags: " + _tags(event.tags))
    if event.cameo:
        lines.append(f"CAMEO event code: {event.cameo}")
    if event.sources:
        lines.append("Sources: " + _sources(event))
    return "- " + "\\\n  ".join(lines) + "\n"


def _row(event: Event) -> str:
    status = "" if event.status == "occurred" else f" ({event.status})"
    place = event.place
    cells = [
        f"{date_in_words(event.date)}{status}",
        escape(event.title, "title"),
        " ".join(_summary_lines(event.summary)) if event.summary else "",
        "; ".join([_actor(a.code, a.name, a.role) for a in event.actors]),
        _place(place.name, place.country) if place else "",
        _tags(event.tags) if event.tags else "",
        event.cameo or "",
        _sources(event),
    ]
    return "| " + " | ".join(cells) + " |\n"


# What repeats between events is rendered once per distinct value.

@lru_cache(maxsize=_CACHED)
def _actor(code: str, name: str | None, role: str | None) -> str:
    # Optional names may be blank ("  "): records only refuse blank required text.
    name = _escape_repeated(name or "", "actor.name")
    role = _escape_repeated(role or "", "actor.role")
    if name:
        return f"{name} ({code}{', ' + role if role else ''})"
    return f"{code} ({role})" if role else code


@lru_cache(maxsize=_CACHED)
def _place(name: str, country: str | None) -> str:
    return _escape_repeated(name, "place.name") + (f" ({country})" if country else "")


@lru_cache(maxsize=256)  # summaries may be long: fewer of them
def _summary_lines(summary: str) -> tuple[str, ...]:
    return tuple(text for text in (escape(line, "summary") for line in summary.splitlines())
                 if text)


@lru_cache(maxsize=_CACHED)
def _tags(tags: tuple[str, ...]) -> str:
    return ", ".join(_escape_repeated(t, "tags") for t in tags)


def _sources(event: Event) -> str:
    return "; ".join([_source(n, s.url, s.title, s.publisher, s.published)
                      for n, s in enumerate(event.sources, 1)])


def _source(n: int, url: str | None, title: str | None, publisher: str | None,
            published: EDTFDate | None) -> str:
    # A print source (no url) keeps its number, unlinked.
    link = f"[{n}]({_destination(url)})" if url else str(n)
    about = [_escape_repeated(title or "", "source.title"),
             _escape_repeated(publisher or "", "source.publisher"),
             date_in_words(published) if published else ""]
    about = [part for part in about if part]
    return f"{link} {', '.join(about)}" if about else link


def _destination(url: str) -> str:
    """``url`` as a link destination: each character of :data:`_URL_ENCODE` encoded."""
    return _URL_UNSAFE.sub(_url_escape, url)


def _url_escape(match: re.Match[str]) -> str:
    return _URL_ENCODE[match.group()]


def _heading(title: str) -> str:
    # ``title`` is already one trimmed line.
    if title[-1] in _MD026:
        return _escape_chars(title[:-1]) + f"&#{ord(title[-1])};"
    return _escape_chars(title)


def _one_line(text: str, field: str) -> str:
    if _NOT_PLAIN.search(text) is None:
        return text.strip()
    # Unicode-aware strip: renderers trim paragraph and heading ends the same way.
    line = _BLANKS.sub(" ", text).strip()
    bad = _CONTROL.search(line)
    if bad:
        raise ValidationError(field, text, f"contains control character U+{ord(bad.group()):04X}",
                              "Remove it.")
    return line
