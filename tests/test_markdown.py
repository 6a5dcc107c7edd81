"""The ``markdown`` exporter (plugins/timeline_markdown): exact text, dates, escaping, render."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from timeline import (Actor, Chronology, Event, Log, Place, Source, ValidationError,
                      export_bytes)

from clients import markdownlint
from known_logs import LOGS, SUFFIX

HOSTILE = "# <script>alert(1)</script> *bold* _x_ | [a](javascript:alert(1)) `code`"
HOSTILE_MD = (r"\# \<script\>alert\(1\)\</script\> \*bold\* \_x\_ \| "
              r"\[a\]\(javascript\:alert\(1\)\) \`code\`")
# What exports may render to: the layout's own elements, nothing from event text.
ALLOWED = {"h1": set(), "h2": set(), "p": set(), "ul": set(), "li": set(), "strong": set(),
           "br": set(), "a": {"href"}}


def chronology(tmp_path, *events: Event, title: str = "Test") -> Chronology:
    log = Log.create(tmp_path / "x.jsonl")
    for event in events:
        log.record(event)
    return log.chronology(title=title)


def markdown(tmp_path, *events: Event, title: str = "Test") -> str:
    return export_bytes(chronology(tmp_path, *events, title=title), "markdown").decode("utf-8")


def render(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


class Elements(HTMLParser):
    """Tags, attributes and text (entities decoded) of rendered HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.items: list[str] = []
        self._in_li = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.append((tag, dict(attrs)))
        if tag == "li":
            self.items.append("")
            self._in_li = True

    def handle_endtag(self, tag):  # noqa: ANN001
        self._in_li = self._in_li and tag != "li"

    def handle_data(self, data):  # noqa: ANN001
        if self._in_li:
            self.items[-1] += data


def assert_inert(html: str) -> Elements:
    found = Elements(html)
    for tag, attrs in found.tags:
        assert tag in ALLOWED and set(attrs) <= ALLOWED[tag], (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:")
    assert "<script" not in html
    return found


def page(heading: str, *items: str, count: int = 1) -> str:
    intro = f"{count} event{'' if count == 1 else 's'}, as of log position {count}."
    body = "".join(f"- {item}\n" for item in items)
    return f"# Test\n\n{intro}\n\n## {heading}\n\n{body}"


# --- exact Markdown --------------------------------------------------------------------------

def test_exact_markdown_of_a_small_chronology(tmp_path):
    text = markdown(
        tmp_path,
        Event(id="dialogue", date="2013-08-28", title="Strategic dialogue opens",
              summary="First round.\n\nSecond line", cameo="042", tags=["visit", "defence"],
              actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                      Actor("RUSGOV"), Actor("RUSMIL", role="Navy")],
              place=Place("Moscow", "RUS"),
              sources=[Source("https://example.org/report", title="Report", publisher="Dawn",
                              published="2013-08-29"), Source("https://example.com/x"),
                       Source(title="Memoir", publisher="OUP", published="2015")]),
        Event(id="exercise", date="2014~", title="Joint exercise", status="expected"),
        Event(id="talks", date="2013-08", title="Talks", place=Place("Islamabad")),
        title="Pakistan–Russia")
    assert text == """\
# Pakistan–Russia

3 events, as of log position 3.

## 2013

- **August 2013** — Talks\\
  Place: Islamabad
- **28 August 2013** — Strategic dialogue opens\\
  Actors: Jalil Abbas Jilani (PAKGOV, Foreign Secretary); RUSGOV; RUSMIL (Navy)\\
  Place: Moscow (RUS)\\
  First round\\.\\
  Second line\\
  Tags: visit, defence\\
  CAMEO event code: 042\\
  Sources: [1](https://example.org/report) Report, Dawn, 29 August 2013; [2](https://example.com/x); 3 Memoir, OUP, 2015

## 2014

- **around 2014 (expected)** — Joint exercise
"""


def test_exact_markdown_of_a_hostile_title(tmp_path):
    text = markdown(tmp_path, Event(id="a", date="2013-08-28", title=HOSTILE), title=HOSTILE)
    assert text == (f"# {HOSTILE_MD}\n\n1 event, as of log position 1.\n\n## 2013\n\n"
                    f"- **28 August 2013** — {HOSTILE_MD}\n")
    found = assert_inert(render(text))
    assert found.items == [f"28 August 2013 — {HOSTILE}"]
    assert re.search(r"<h1>(.*)</h1>", render(text)).group(1) == (
        "# &lt;script&gt;alert(1)&lt;/script&gt; *bold* _x_ | [a](javascript:alert(1)) `code`")


@pytest.mark.parametrize("edtf, heading, words", [
    ("2013-08-28", "2013", "28 August 2013"),
    ("2013-08", "2013", "August 2013"),
    ("2013-08-XX", "2013", "August 2013"),
    ("2012", "2012", "2012"),
    ("2012-XX", "2012", "2012"),
    ("2014-21", "2014", "spring 2014"),
    ("2014-22", "2014", "summer 2014"),
    ("2014-23", "2014", "autumn 2014"),
    ("2014-24", "2014", "winter 2014–2015"),
    ("201X", "2010", "the 2010s"),
    ("19XX", "1900", "the years 1900–1999"),
    ("1XXX", "1000", "the years 1000–1999"),
    ("2013-08-28?", "2013", "possibly 28 August 2013"),
    ("2014~", "2014", "around 2014"),
    ("2014%", "2014", "possibly around 2014"),
    ("2012-11-12/2012-11-15", "2012", "12–15 November 2012"),
    ("2013-08-28/2013-09-02", "2013", "28 August – 2 September 2013"),
    ("2012-12-30/2013-01-02", "2012", "30 December 2012 – 2 January 2013"),
    ("2013-08/2013-10", "2013", "August–October 2013"),
    ("2013/2014", "2013", "2013–2014"),
    ("2013-08/2014", "2013", "August 2013 – 2014"),
    ("2013-08-28/2013-08-28", "2013", "28 August 2013"),
    ("2013?/2014~", "2013", "possibly 2013 – around 2014"),
    ("2012-11-12?/2012-11-15", "2012", "possibly 12 November 2012 – 15 November 2012"),
    ("2013-08/..", "2013", "from August 2013"),
    ("2013-08/", "2013", "from August 2013 (end unknown)"),
    ("../2013", "Without a start date", "until 2013"),
    ("/2013", "Without a start date", "until 2013 (start unknown)"),
])
def test_each_date_precision_in_words(tmp_path, edtf, heading, words):
    text = markdown(tmp_path, Event(id="a", date=edtf, title="T"))
    assert text == page(heading, f"**{words}** — T")


@pytest.mark.parametrize("status, shown", [
    ("occurred", "2014"), ("expected", "2014 (expected)"), ("scheduled", "2014 (scheduled)"),
    ("cancelled", "2014 (cancelled)"),
])
def test_status(tmp_path, status, shown):
    text = markdown(tmp_path, Event(id="a", date="2014", title="T", status=status))
    assert text == page("2014", f"**{shown}** — T")


def test_empty_chronology(tmp_path):
    assert markdown(tmp_path) == "# Test\n\nNo events, as of log position 0.\n"


def test_summary_lines_stay_inside_one_item(tmp_path):
    summary = ("# not a heading\r\n\n  - not a list  \n1. nor this\n===\n```\n"
               "    not code\n> nor a quote\t\ttabbed\n<div>x</div>\n| a | b |\nends with \\")
    text = markdown(tmp_path, Event(id="a", date="2013", title="T", summary=summary))
    assert text == page("2013", "\\\n  ".join([
        "**2013** — T", r"\# not a heading", r"\- not a list", r"1\. nor this", r"\=\=\=",
        r"\`\`\`", "not code", r"\> nor a quote tabbed", r"\<div\>x\</div\>",
        r"\| a \| b \|", r"ends with \\"]))
    found = assert_inert(render(text))
    assert found.items == ["2013 — T\n# not a heading\n- not a list\n1. nor this\n===\n```\n"
                           "not code\n> nor a quote tabbed\n<div>x</div>\n| a | b |\n"
                           "ends with \\"]


def test_urls_in_text_are_not_autolinks(tmp_path):
    # GFM and markdownlint (MD034) autolink a bare "https://..."; an escaped ":" prevents it.
    text = markdown(tmp_path, Event(id="a", date="2013", title="see https://evil.example/x, "
                                    "www.evil.example and a@evil.example"))
    assert text == page("2013", r"**2013** — see https\://evil\.example/x, "
                                r"www\.evil\.example and a@evil\.example")


def test_heading_trailing_punctuation_is_a_character_reference(tmp_path):
    text = markdown(tmp_path, title="Timeline: 2013.")
    assert text.startswith("# Timeline\\: 2013&#46;\n")
    assert "<h1>Timeline: 2013.</h1>" in render(text)


def test_chronology_title_whitespace_is_collapsed(tmp_path):
    assert markdown(tmp_path, title="  A   # B  C ").startswith("# A \\# B C\n\n")


@pytest.mark.parametrize("title", ["", " \n ", "bell\x07"])
def test_bad_chronology_title_is_refused(tmp_path, title):
    with pytest.raises(ValidationError) as info:  # the core refuses it before any exporter
        attrs.evolve(chronology(tmp_path), title=title)
    assert info.value.field == "title"


def test_any_option_is_refused_by_name(tmp_path):
    with pytest.raises(ValidationError, match="'indent'") as info:
        export_bytes(chronology(tmp_path), "markdown", indent=2)
    assert info.value.field == "option"


# --- links -----------------------------------------------------------------------------------

def test_link_destinations_are_encoded_and_exact(tmp_path):
    # Records refuse spaces, quotes, <, >, ` and \ in URLs; ( ) and & remain to encode.
    url = "https://example.org/a(c)d?x=1&amp;y=2"
    text = markdown(tmp_path, Event(id="a", date="2013", title="T", sources=[Source(url)]))
    assert text.endswith("Sources: [1](https://example.org/a%28c%29d?x=1\\&amp;y=2)\n")
    found = assert_inert(render(text))
    [href] = [attrs["href"] for tag, attrs in found.tags if tag == "a"]
    assert href == "https://example.org/a%28c%29d?x=1&amp;y=2"


# --- rendering: nothing from event text becomes markup ----------------------------------------

PAYLOADS = [
    HOSTILE,
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1)) ![i](javascript:alert(1)) <javascript:alert(1)>",
    "<https://evil.example> &lt;script&gt; &#60;script&#62;",
    "**strong** __b__ ~~s~~ $x$ {#id .cls} ^sup^ [^1]",
    "x | y | z",
    "1. one",
    "+ plus",
    "---",
]


def test_hostile_text_in_every_field_renders_inert(tmp_path):
    events = [
        Event(id=f"e{n}", date=f"{2000 + n}-05", title=p, summary=f"{p}\n{p}",
              actors=[Actor("PAKGOV", name=p, role=p)], place=Place(p, "PAK"),
              tags=[p.replace(",", ";")],
              sources=[Source(f"https://example.org/{n}", title=p, publisher=p),
                       Source(title=p, published="2013?")])
        for n, p in enumerate(PAYLOADS)
    ] + [Event(id="open", date="../2001", title="Open"),
         Event(id="span", date="2001-12/2003-01", title="Span")]
    text = markdown(tmp_path, *events)
    html = render(text)
    found = assert_inert(html)
    assert len(found.items) == len(events)
    assert html.count("<h2>") == len(PAYLOADS) + 1  # one per year, plus "Without a start date"
    assert html.count("<h1>") == 1
    hrefs = [attrs["href"] for tag, attrs in found.tags if tag == "a"]
    assert hrefs == [f"https://example.org/{n}" for n in range(len(PAYLOADS))]
    by_first_line = {item.split("\n")[0]: item for item in found.items}
    for n, p in enumerate(PAYLOADS):  # every field comes back as the text it was given
        assert by_first_line[f"May {2000 + n} — {p}"] == "\n".join([
            f"May {2000 + n} — {p}", f"Actors: {p} (PAKGOV, {p})", f"Place: {p} (PAK)", p, p,
            f"Tags: {p.replace(',', ';')}", f"Sources: 1 {p}, {p}; 2 {p}, possibly 2013"])


def test_events_are_grouped_by_start_year(tmp_path):
    text = markdown(tmp_path,
                    Event(id="a", date="2012-12/2014-02", title="Spans years"),
                    Event(id="b", date="/2013", title="No start"),
                    Event(id="c", date="2014-24", title="Winter"),
                    Event(id="d", date="2013", title="Year"))
    assert re.findall(r"^## (.*)$", text, re.M) == ["Without a start date", "2012", "2013", "2014"]
    html = render(text)
    assert html.count("<h2>") == 4 and html.count("<li>") == 4


def test_markdownlint_basics_and_determinism(tmp_path):
    ch = chronology(tmp_path, *[Event(id=f"e{n}", date=f"{2010 + n % 3}", title=f"T{n}",
                                      summary="a\n\n\nb  ") for n in range(6)])
    first = export_bytes(ch, "markdown")
    assert first == export_bytes(ch, "markdown")
    text = first.decode("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text and not re.search(r"[ \t]$", text, re.M)
    assert text.count("\n# ") == 0 and text.startswith("# ")
    for match in re.finditer(r"^#+ .*$", text, re.M):  # blank lines around headings
        assert text[match.start() - 2:match.start()] in ("\n\n", "") and (
            text[match.end():match.end() + 2] == "\n\n")


# --- property: any text renders as exactly that text -----------------------------------------

_LINE = string.ascii_letters + string.digits + string.punctuation + " é–«»中\u00a0\u3000"


def _norm(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text).strip()


@settings(max_examples=200, deadline=None)
@given(title=st.text(_LINE, min_size=1, max_size=40).filter(str.strip),
       place=st.text(_LINE, min_size=1, max_size=20).filter(str.strip),
       summary=st.text(_LINE + "\n\t\r", max_size=60))
def test_any_text_renders_as_itself(tmp_path_factory, title, place, summary):
    event = Event(id="a", date="2013-08-28", title=title, place=Place(place), summary=summary)
    text = markdown(tmp_path_factory.mktemp("p"), event)
    found = assert_inert(render(text))
    lines = [f"28 August 2013 — {_norm(title)}", f"Place: {_norm(place)}"]
    lines += [n for n in map(_norm, summary.splitlines()) if n]
    assert found.items == ["\n".join(lines)]


# --- real clients: markdownlint-cli2 and markdown-it-py on the fixture and the bundled log ----

@pytest.fixture(scope="module", params=list(LOGS))
def known_export(request) -> tuple[str, Chronology, bytes]:
    chronology = Log(LOGS[request.param][0]).chronology()
    return request.param, chronology, export_bytes(chronology, "markdown")


def test_markdownlint_passes_with_the_committed_configuration(known_export):
    _, _, data = known_export
    assert markdownlint.lint(data) == []


def test_markdownlint_configuration_catches_what_it_should():
    # The harness can fail: a heading that is not first, raw HTML and a bare URL.
    found = markdownlint.lint(b"Intro\n\n# Title\n\n<b>x</b> https://example.org\n")
    assert [line.split()[2].split("/")[0] for line in found] == ["MD041", "MD033", "MD034"]


def test_known_logs_render_one_item_per_event_with_each_date_at_its_precision(known_export):
    name, chronology, data = known_export
    html = render(data.decode("utf-8"))
    found = assert_inert(html)
    table = LOGS[name][1]
    assert len(found.items) == len(chronology) == len(table)
    for item, state in zip(found.items, chronology, strict=True):
        event = state.event
        words = table[event.id][3]
        assert item.split("\n")[0] == f"{words}{SUFFIX[event.status]} — {event.title}"
    hrefs = [attrs["href"] for tag, attrs in found.tags if tag == "a"]
    assert hrefs == [s.url for e in chronology.events for s in e.sources if s.url]
    assert "javascript:" not in " ".join(hrefs)


def test_fixture_hostile_text_renders_as_text():
    chronology = Log(LOGS["fixture"][0]).chronology()
    found = assert_inert(render(export_bytes(chronology, "markdown").decode("utf-8")))
    by_id = dict(zip((s.event.id for s in chronology), found.items, strict=True))
    assert by_id["text-markup"].split("\n")[:4] == [
        "2 October 2013 — # Heading? *bold* _under_ | pipe | <script>alert('x')</script> done",
        "Actors: <b>Name</b> (PAKGOV, *role*)",
        "Place: <i>Place</i>",
        "<img src=x onerror=alert(1)> **not bold** | not | a table",
    ]
    assert by_id["text-javascript-url"].split("\n") == [
        "3 October 2013 — Link javascript:alert(document.cookie) must stay text",
        "[click me](javascript:alert(1)) and <a href=\"javascript:alert(2)\">x</a>",
        "CAMEO event code: 040",
        "Sources: 1 javascript:alert(3), <script>p</script>",
    ]
    assert by_id["text-separators"].split("\n")[3:8] == [
        "First line, with a comma; and a semicolon \\ and a backslash.",
        "Second line after CRLF.", "Third line after LF.", "Fourth after CR.",
        "After a blank line."]
