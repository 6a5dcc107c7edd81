"""Exporter options: the Option record, checking and converting values, the library's
keyword arguments, the CLI's ``-O name=value`` and ``formats --verbose``, and the
first-party options (markdown ``layout``, ical ``imprecise``, json ``indent``,
timelinejs ``group``), whose defaults keep the output byte-identical.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt
from plugin_sites import open_site

from timeline import (Actor, Event, Exporter, Option, Place, Source, ValidationError, export,
                      export_bytes, hookimpl, make_plugin_manager)
from timeline.cli import main
from timeline.testing import bundled_chronology, chronology_of, make_test_plugins

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "events" / "pakistan-russia.jsonl"
FIRST_PARTY = ["ical", "json", "markdown", "timelinejs"]


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


@pytest.fixture
def pakistan(tmp_path: Path) -> Path:
    path = tmp_path / "pakistan-russia.jsonl"
    shutil.copyfile(BUNDLED, path)
    return path


# --- the Option record ---------------------------------------------------------------------

def test_an_option_shows_its_values_and_default_as_the_command_line_writes_them() -> None:
    assert [(o.metavar, o.default_text) for o in (
        Option("layout", str, "list", "h", choices=("list", "table")),
        Option("indent", int, 2, "h", nullable=True),
        Option("scale", float, 1.5, "h"),
        Option("upper", bool, False, "h"),
        Option("sep", str, None, "h", nullable=True),
    )] == [("list|table", "list"), ("INT|none", "2"), ("NUMBER", "1.5"), ("true|false", "false"),
           ("TEXT|none", "none")]


@pytest.mark.parametrize(("option", "message"), [
    (lambda: Option("layout", str, "grid", "h", choices=("list", "table")),
     "default: 'grid' is not one of the layout values. Use one of: list, table."),
    (lambda: Option("indent", int, "2", "h"),
     "default: '2' is not a whole number. Give a whole number."),
    (lambda: Option("indent", int, None, "h"),
     "default: None is not a whole number. Give a whole number."),
    (lambda: Option("layout", str, "list", "h", choices=("list", 2)),
     "choices: 2 is not a string. Give a string."),
])
def test_an_option_whose_own_default_or_choices_it_would_refuse_is_refused(
        option: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        option()
    assert str(info.value) == message


@pytest.mark.parametrize(("name", "type_"), [("Layout", str), ("two words", str), ("", str),
                                             ("1st", str), ("layout", list), ("layout", dict)])
def test_an_option_name_must_be_a_lowercase_identifier_and_its_type_a_simple_one(
        name: str, type_: type) -> None:
    with pytest.raises(ValueError):
        Option(name, type_, None, "h", nullable=True)


@pytest.mark.parametrize(("option", "text", "value"), [
    (Option("n", int, 0, "h"), "4", 4),
    (Option("n", int, 0, "h"), " -12 ", -12),
    (Option("n", int, 0, "h", nullable=True), "None", None),
    (Option("x", float, 0.0, "h"), "2", 2.0),
    (Option("x", float, 0.0, "h"), "-1.25e2", -125.0),
    (Option("x", float, 0.0, "h"), ".5", 0.5),
    (Option("b", bool, False, "h"), "TRUE", True),
    (Option("b", bool, False, "h"), "yes", True),
    (Option("b", bool, False, "h"), "on", True),
    (Option("b", bool, False, "h"), "1", True),
    (Option("b", bool, True, "h"), "false", False),
    (Option("b", bool, True, "h"), "No", False),
    (Option("b", bool, True, "h"), "off", False),
    (Option("b", bool, True, "h"), "0", False),
    (Option("s", str, "", "h"), " kept as typed ", " kept as typed "),
    (Option("s", str, "", "h"), "none", "none"),  # only a nullable option reads none
    (Option("s", str, "a", "h", choices=("a", "b")), "b", "b"),
])
def test_parse_converts_the_command_lines_text_by_type(option: Option, text: str,
                                                       value: Any) -> None:
    parsed = option.parse(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(("option", "text", "message"), [
    (Option("indent", int, 2, "h", nullable=True), "two",
     "indent: 'two' is not a whole number. Give a whole number or none, e.g. -O indent=2."),
    (Option("indent", int, 2, "h"), "4.0",
     "indent: '4.0' is not a whole number. Give a whole number, e.g. -O indent=2."),
    (Option("indent", int, 2, "h"), "",
     "indent: '' is not a whole number. Give a whole number, e.g. -O indent=2."),
    (Option("scale", float, 1.0, "h"), "nan",
     "scale: 'nan' is not a number. Give a number, e.g. -O scale=1.0."),
    (Option("upper", bool, False, "h"), "maybe",
     "upper: 'maybe' is not true or false. Give true or false, e.g. -O upper=false."),
    (Option("layout", str, "list", "h", choices=("list", "table")), "grid",
     "layout: 'grid' is not one of the layout values. Use one of: list, table."),
])
def test_parse_refuses_text_naming_the_option_the_value_and_the_fix(
        option: Option, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        option.parse(text)
    assert str(info.value) == message
    assert (info.value.field, info.value.value) == (option.name, text)


def test_check_is_strict_about_python_types() -> None:
    assert Option("x", float, 0.0, "h").check(2) == 2.0
    assert type(Option("x", float, 0.0, "h").check(2)) is float
    for option, value in ((Option("n", int, 0, "h"), True), (Option("n", int, 0, "h"), 2.0),
                          (Option("n", int, 0, "h"), None), (Option("b", bool, False, "h"), 1),
                          (Option("s", str, "", "h"), b"bytes")):
        with pytest.raises(ValidationError):
            option.check(value)


def test_an_exporter_takes_a_list_of_options_as_a_tuple_and_refuses_anything_else() -> None:
    layout = Option("layout", str, "list", "h")
    assert Exporter("x", "d", "text/plain", ".txt", "m:f", options=[layout]).options == (layout,)
    assert Exporter("x", "d", "text/plain", ".txt", "m:f").options == ()
    with pytest.raises(ValidationError) as info:
        Exporter("x", "d", "text/plain", ".txt", "m:f", options=("layout",))
    assert str(info.value) == ("options: 'layout' is not a timeline.Option. Declare each option "
                               "as Option(name, type, default, help).")
    with pytest.raises(ValidationError) as info:
        Exporter("x", "d", "text/plain", ".txt", "m:f", options=(layout, layout))
    assert str(info.value) == "options: 'layout' is declared twice. Give each option its own name."


@pytest.mark.parametrize(("options", "message"), [
    ((), "option: 'x' is not an option of the demo exporter. It takes no options."),
    ((Option("a", int, 0, "h"),),
     "option: 'x' is not an option of the demo exporter. Its only option is a."),
    ((Option("a", int, 0, "h"), Option("b", int, 0, "h")),
     "option: 'x' is not an option of the demo exporter. Its options are: a, b."),
])
def test_an_unknown_option_is_refused_listing_the_valid_ones(options: tuple[Option, ...],
                                                             message: str) -> None:
    exporter = Exporter("demo", "d", "text/plain", ".txt", "m:f", options=options)
    for call in (exporter.resolve_options, exporter.parse_options):
        with pytest.raises(ValidationError) as info:
            call({"x": "1"})
        assert str(info.value) == message
        assert (info.value.field, info.value.value) == ("option", "x")


# --- the library: export(..., name=value) ----------------------------------------------------

class Spy:
    """An exporter whose writer records the options it was called with."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    @hookimpl
    def timeline_exporters(self) -> list[Exporter]:
        def write(chronology: Any, out: Any, **options: Any) -> None:
            self.calls.append(options)
            out.write(b"ok")
        return [Exporter("spy", "Spy", "text/plain", ".txt", write, options=(
            Option("layout", str, "list", "h", choices=("list", "table")),
            Option("indent", int, 2, "h", nullable=True)))]


def test_the_writer_gets_every_declared_option_given_or_default() -> None:
    spy = Spy()
    plugins = make_test_plugins(spy, first_party=False)
    chronology = chronology_of(Event(id="a", date="2013", title="A"))

    export_bytes(chronology, "spy", plugins=plugins)
    export_bytes(chronology, "spy", plugins=plugins, indent=None)
    export_bytes(chronology, "spy", plugins=plugins, layout="table", indent=4)
    assert spy.calls == [{"layout": "list", "indent": 2}, {"layout": "list", "indent": None},
                         {"layout": "table", "indent": 4}]


def test_a_bad_option_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    spy = Spy()
    plugins = make_test_plugins(spy, first_party=False)
    chronology = chronology_of(Event(id="a", date="2013", title="A"))
    target = tmp_path / "out.txt"
    for options, message in (
            ({"layout": "grid"},
             "layout: 'grid' is not one of the spy exporter's layout values. Use one of: list, "
             "table."),
            ({"indent": "2"}, "indent: '2' is not a whole number. Give a whole number or none."),
            ({"width": 80},
             "option: 'width' is not an option of the spy exporter. Its options are: layout, "
             "indent.")):
        with pytest.raises(ValidationError) as info:
            export(chronology, "spy", target, plugins=plugins, **options)
        assert str(info.value) == message
    assert spy.calls == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", FIRST_PARTY)
def test_first_party_defaults_give_the_same_bytes_as_no_option(name: str) -> None:
    plugins = make_plugin_manager()
    chronology = bundled_chronology()
    defaults = {o.name: o.default for o in plugins.exporter(name).options}
    assert defaults  # each first-party exporter declares its options
    assert export_bytes(chronology, name, plugins=plugins, **defaults) == export_bytes(
        chronology, name, plugins=plugins)


def test_the_first_party_options() -> None:
    plugins = make_plugin_manager()
    assert {name: [(o.name, o.type, o.default, o.choices, o.nullable)
                   for o in plugins.exporter(name).options] for name in FIRST_PARTY} == {
        "ical": [("imprecise", str, "span", ("span", "first-day"), False)],
        "json": [("indent", int, 2, (), True)],
        "markdown": [("layout", str, "list", ("list", "table"), False)],
        "timelinejs": [("group", str, "actor", ("actor", "tag", "none"), False)],
    }


# --- markdown: layout=table -----------------------------------------------------------------

def two_events() -> Any:
    return chronology_of(
        Event(id="a", date="2013-08", title="Talks | round 2", summary="Line one\n\nLine two",
              actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                      Actor("RUSGOV")],
              place=Place("Moscow", "RUS"), tags=["visit", "dialogue"], cameo="040",
              sources=[Source("https://example.org/a?x=1&y=2", title="Report"),
                       Source(None, title="Dawn", publisher="Dawn Media")]),
        Event(id="b", date="2014~", title="Withdrawal", status="expected"),
        title="Small")


def test_markdown_table_layout() -> None:
    text = export_bytes(two_events(), "markdown", layout="table").decode("utf-8")
    head = ("| Date | Title | Summary | Actors | Place | Tags | CAMEO | Sources |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- |\n")
    assert text == (
        "# Small\n\n2 events, as of log position 2.\n\n## 2013\n\n" + head +
        "| August 2013 | Talks \\| round 2 | Line one Line two | Jalil Abbas Jilani (PAKGOV, "
        "Foreign Secretary); RUSGOV | Moscow (RUS) | visit, dialogue | 040 | "
        "[1](https://example.org/a?x=1\\&y=2) Report; 2 Dawn, Dawn Media |\n"
        "\n## 2014\n\n" + head +
        "| around 2014 (expected) | Withdrawal |  |  |  |  |  |  |\n")


def test_markdown_table_cells_read_back_as_written_by_a_gfm_parser() -> None:
    # markdown-it-py with GFM tables: each row has its 8 cells, a "|" in the text
    # stays text, and the link points at the recorded URL.
    html = MarkdownIt("commonmark").enable("table").render(
        export_bytes(two_events(), "markdown", layout="table").decode("utf-8"))
    assert html.count("<table>") == 2
    assert html.count("<th>") == 16 and html.count("<td>") == 16
    assert "<td>Talks | round 2</td>" in html
    assert ('<td><a href="https://example.org/a?x=1&amp;y=2">1</a> Report; 2 Dawn, Dawn Media'
            "</td>") in html
    assert "<td>around 2014 (expected)</td>" in html


def test_markdown_list_layout_is_the_default_output() -> None:
    assert export_bytes(two_events(), "markdown", layout="list") == export_bytes(
        two_events(), "markdown")
    assert export_bytes(two_events(), "markdown").startswith(
        b"# Small\n\n2 events, as of log position 2.\n\n## 2013\n\n- **August 2013** ")


# --- ical: imprecise=first-day ---------------------------------------------------------------

IMPRECISE = [  # date, DTSTART, DTEND (exclusive) with first-day, the note
    ("2013-08-28", "20130828", "20130829", None),
    ("2013-08", "20130801", "20130802", "1 August 2013"),
    ("2013-08~", "20130801", "20130802", "1 August 2013"),
    ("2014-21", "20140301", "20140302", "1 March 2014"),
    ("2012", "20120101", "20120102", "1 January 2012"),
    ("201X", "20100101", "20100102", "1 January 2010"),
    ("2012-11-12/2012-11-15", "20121112", "20121116", None),  # an interval keeps its days
    ("2012-11/2013", "20121101", "20140101", None),
]


def calendar_events(data: bytes) -> dict[str, Any]:
    return {str(e["UID"]).split("@")[0]: e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_ical_first_day_puts_a_coarse_single_date_on_its_first_day_and_says_so() -> None:
    events = [Event(id=f"e{n}", date=date, title=f"Event {n}")
              for n, (date, *_rest) in enumerate(IMPRECISE)]
    data = export_bytes(chronology_of(*events), "ical", imprecise="first-day")
    found = calendar_events(data)
    for n, (date, start, end, day) in enumerate(IMPRECISE):
        vevent = found[f"e{n}"]
        assert (vevent["DTSTART"].to_ical().decode(), vevent["DTEND"].to_ical().decode()) == (
            start, end), date
        lines = str(vevent["DESCRIPTION"]).split("\n")
        note = [line for line in lines if line.startswith("Calendar: ")]
        assert note == ([f"Calendar: shown on {day} only, the first day it can mean "
                         "(imprecise=first-day)."] if day else []), date
        assert lines[1] == f"EDTF: {date}"  # the date as recorded is never lost


def test_ical_span_is_the_default() -> None:
    events = [Event(id="m", date="2013-08", title="Month")]
    data = export_bytes(chronology_of(*events), "ical", imprecise="span")
    assert data == export_bytes(chronology_of(*events), "ical")
    vevent = calendar_events(data)["m"]
    assert (vevent["DTSTART"].to_ical(), vevent["DTEND"].to_ical()) == (b"20130801", b"20130901")


# --- the command line: -O name=value and formats --verbose -----------------------------------

def test_export_options_on_the_command_line_give_what_the_library_gives(pakistan: Path) -> None:
    result = run("export", pakistan, "-f", "markdown", "-O", "layout=table")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout_bytes == export_bytes(bundled_chronology(), "markdown", layout="table")

    result = run("export", pakistan, "-f", "json", "--option", "indent=none")
    assert result.exit_code == 0
    assert result.stdout_bytes.count(b"\n") == 1
    assert json.loads(result.stdout_bytes) == json.loads(
        export_bytes(bundled_chronology(), "json"))

    result = run("export", pakistan, "-f", "timelinejs", "-O", "group=tag")
    assert [s.get("group") for s in json.loads(result.stdout)["events"]][:2] == [
        "visit", "observer-status"]


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "markdown", "-O", "layout=grid"],
     "layout: 'grid' is not one of the markdown exporter's layout values. Use one of: list, "
     "table."),
    (["-f", "markdown", "-O", "width=80"],
     "option: 'width' is not an option of the markdown exporter. Its only option is layout."),
    (["-f", "json", "-O", "indent=two"],
     "indent: 'two' is not a whole number. Give a whole number or none, e.g. -O indent=2."),
    (["-f", "markdown", "-O", "layout"],
     "-O: 'layout' is not NAME=VALUE. For example -O layout=table (see: timeline formats "
     "--verbose)."),
    (["-f", "markdown", "-O", "=table"],
     "-O: '=table' is not NAME=VALUE. For example -O layout=table (see: timeline formats "
     "--verbose)."),
    (["-f", "markdown", "-O", "layout=table", "-O", "layout=list"],
     "-O: 'layout' is given twice. Give each option once."),
])
def test_a_bad_option_exits_1_naming_it_and_writes_nothing(
        pakistan: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out.txt"
    before = pakistan.read_bytes()
    result = run("export", pakistan, *args, "-o", out)
    assert result.exit_code == 1
    assert (result.stdout, result.stderr) == ("", f"Error: {message}\n")
    assert not out.exists()
    assert pakistan.read_bytes() == before
    # Options are checked before the log is read.
    result = run("export", tmp_path / "missing.jsonl", *args)
    assert result.stderr == f"Error: {message}\n"


def test_formats_verbose_lists_every_option() -> None:
    result = run("formats", "--verbose")
    assert result.exit_code == 0
    assert result.stdout == (
        "ical\t.ics\ttext/calendar\tiCalendar (RFC 5545) calendar of all-day events\n"
        "  -O imprecise=span|first-day\tdefault: span\ta date known only to the month, season, "
        "year or coarser: span (every day it can mean) or first-day (its first possible day, "
        "and DESCRIPTION says so)\n"
        "json\t.json\tapplication/json\tJSON document of every field, with EDTF dates and their "
        "bounds\n"
        "  -O indent=INT|none\tdefault: 2\tspaces per nesting level (0 or more); none writes one "
        "compact line\n"
        "markdown\t.md\ttext/markdown\tReadable Markdown chronology grouped by year\n"
        "  -O layout=list|table\tdefault: list\tlist: one item per event; table: one table row "
        "per event (GitHub Flavored Markdown)\n"
        "timelinejs\t.json\tapplication/json\tTimelineJS3 JSON for Knight Lab's web timelines\n"
        "  -O group=actor|tag|none\tdefault: actor\tthe row a slide goes in: its first actor's "
        "CAMEO code, its first tag, or none\n")
    assert run("formats", "-v").stdout == result.stdout
    plain = run("formats").stdout
    assert plain == "".join(line + "\n" for line in result.stdout.splitlines()
                            if not line.startswith("  "))


def test_formats_verbose_says_when_a_format_has_no_options(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for site in open_site(tmp_path / "site", monkeypatch):
        site.add("timeline_bare", """
            from timeline import Exporter, hookimpl

            @hookimpl
            def timeline_exporters():
                return [Exporter("bare", "Bare", "text/plain", ".txt", "timeline_bare:write")]
        """)
        lines = run("formats", "--verbose").stdout.splitlines()
        assert lines[:2] == ["bare\t.txt\ttext/plain\tBare", "  (no options)"]
        with pytest.raises(ValidationError) as info:
            export_bytes(chronology_of(), "bare", anything=1)
        assert str(info.value) == ("option: 'anything' is not an option of the bare exporter. "
                                   "It takes no options.")
