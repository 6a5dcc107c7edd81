"""Importing in general: the importer hook and its failure isolation, format guessing,
dry runs, filters, batches, the side file of rejects, and the `timeline import` command."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import timeline
from timeline import (Event, ImportRow, ImportRowError, Importer, Log, PluginError,
                      PluginInfo, UnknownFormatError, ValidationError, guess_format,
                      hookimpl, import_file, make_plugin_manager)
from timeline.cli import main

DATA = Path(__file__).parent / "data" / "import"
ICEWS = DATA / "icews-2018-slice.tab"
FIRST_PARTY_IMPORTERS = ["csv", "gdelt", "ical", "icews", "json", "timelinejs"]


def run(*args: str, input: bytes | None = None) -> Any:
    return CliRunner().invoke(main, list(args), prog_name="timeline", input=input)


def summary_lines(output: str) -> list[str]:
    """The summary without its last line (the time taken varies)."""
    lines = output.splitlines()
    assert lines[-1].startswith("time: ") and lines[-1].endswith(" s")
    return lines[:-1]


# --- the hook and the registry ---------------------------------------------------------------

def test_first_party_importers_are_registered_through_the_entry_points() -> None:
    plugins = make_plugin_manager()
    assert list(plugins.importers()) == FIRST_PARTY_IMPORTERS
    assert plugins.importer("icews") == Importer(
        "icews", "ICEWS Coded Event Data: the 20-column tab-separated files",
        (".tab", ".tsv", ".txt"), "timeline_icews.reader:read", "timeline_icews.reader:sniff")
    assert plugins.importer_owners == {name: name for name in FIRST_PARTY_IMPORTERS}


def _reader_rows(stream: Any, **options: Any) -> Any:
    yield ImportRow(1, Event(id="made-up", date="2013", title="Made up"), "test:1")


class Good:
    @hookimpl
    def timeline_importers(self) -> list[Importer]:
        return [Importer("made", "Made-up rows", (".made",), _reader_rows)]


class Raises:
    @hookimpl
    def timeline_importers(self) -> list[Importer]:
        raise OSError("gone")


class Wrong:
    @hookimpl
    def timeline_importers(self) -> list[str]:
        return ["made"]


class Same:
    @hookimpl
    def timeline_importers(self) -> list[Importer]:
        return [Importer("made", "Again", (".made",), _reader_rows)]


def test_failing_importer_hooks_are_reported_by_name_and_the_others_work(log: Log) -> None:
    plugins = make_plugin_manager(entry_points=False)
    for name, plugin in (("good", Good()), ("raises", Raises()), ("wrong", Wrong())):
        plugins.register(plugin, name)
    assert list(plugins.importers()) == ["made"]
    assert plugins.failures == [
        PluginInfo("raises", None, None, (),
                   "plugin 'raises' failed in hook timeline_importers: OSError: gone"),
        PluginInfo("wrong", None, None, (), "plugin 'wrong' failed in hook timeline_importers: "
                   "TypeError: timeline_importers must return a list of Importer")]
    summary = import_file(log, io.BytesIO(b"anything"), "made", plugins=plugins)
    assert (summary.format, summary.recorded) == ("made", 1)
    assert plugins.exporters() == {}  # the exporter registry is separate
    assert len(plugins.failures) == 2  # and computing it reports nothing twice


def test_a_format_name_claimed_twice_stays_with_the_first_and_the_second_is_reported() -> None:
    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Good(), "good")
    plugins.register(Same(), "same")
    assert list(plugins.importers()) == ["made"]
    assert plugins.importer("made").description == "Made-up rows"
    assert plugins.importer_owners == {"made": "good"}
    assert [f.error for f in plugins.failures] == [
        "format 'made' is registered by two plugins: 'good' and 'same'. 'good' keeps it; "
        "uninstall 'same', or ask its author to rename the format."]


def test_unknown_import_format() -> None:
    with pytest.raises(UnknownFormatError) as info:
        make_plugin_manager().importer("xlsx")
    assert str(info.value) == (
        "format: 'xlsx' is not an installed import format. Installed formats: csv, gdelt, "
        "ical, icews, json, timelinejs (see: timeline importers).")


def test_readers_that_cannot_load_or_fail_are_named(log: Log) -> None:
    def broken(stream: Any, **options: Any) -> Any:
        yield ImportRow(1, Event(id="a", date="2013", title="A"), "t:1")
        raise KeyError("column")

    def not_rows(stream: Any, **options: Any) -> Any:
        yield ("1", "row")

    class Plugin:
        @hookimpl
        def timeline_importers(self) -> list[Importer]:
            return [Importer("missing", "x", (), "no_such_module:read"),
                    Importer("broken", "x", (), broken), Importer("rows", "x", (), not_rows)]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Plugin(), "third")
    messages = []
    for name in ("missing", "broken", "rows"):
        with pytest.raises(PluginError) as info:
            import_file(log, io.BytesIO(b""), name, plugins=plugins, skip_invalid=True)
        messages.append(str(info.value))
    assert messages == [
        "plugin 'third': the reader 'no_such_module:read' of import format 'missing' could not "
        "be loaded: ModuleNotFoundError: No module named 'no_such_module'. Reinstall the "
        "plugin, or report this to its author.",
        "plugin 'third': import format 'broken' failed while reading: KeyError: 'column'. "
        "Report this to the plugin's author, with the file that caused it.",
        "plugin 'third': import format 'rows' failed while reading: TypeError: the reader "
        "yielded tuple, not ImportRow. Report this to the plugin's author, with the file that "
        "caused it."]
    assert log.path.read_bytes() == b""  # the batch with event 'a' was never appended


def test_a_reader_out_of_stack_says_the_file_nests_too_deeply(log: Log) -> None:
    def recursive(stream: Any, **options: Any) -> Any:
        def down(value: Any) -> Any:
            return [down(v) for v in value] if isinstance(value, list) else value
        yield ImportRow(1, Event(id="a", date="2013", title="A"), "t:1")
        down(_deep_list(100_000))

    class Plugin:
        @hookimpl
        def timeline_importers(self) -> list[Importer]:
            return [Importer("nested", "x", (), recursive)]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Plugin(), "third")
    with pytest.raises(timeline.TimelineError) as info:
        import_file(log, io.BytesIO(b""), "nested", plugins=plugins)
    assert not isinstance(info.value, PluginError) and info.value.field == "file"
    assert str(info.value) == (
        "file: nests deeper than the nested reader can follow (RecursionError: maximum "
        "recursion depth exceeded). Check the file; if it does not nest deeply, report this to "
        "the author of plugin 'third'.")
    assert log.path.read_bytes() == b""


def _deep_list(depth: int) -> list[Any]:
    top: list[Any] = []
    for _ in range(depth):
        top = [top]
    return top


@pytest.mark.parametrize(("name", "document"), [
    ("json", '{"format": "diplomatic-timeline/1", "title": "t", "position": 0,\n"events": '),
    ("timelinejs", '{"events": [{"start_date": {"year": 2014}, "text": {"headline": "x"},\n'
                   '"media": '),
])
def test_a_json_file_100000_levels_deep_is_the_files_fault(
        log: Log, name: str, document: str) -> None:
    data = (document + "[" * 100_000 + "]" * 100_000 + "}" * (1 + (name == "timelinejs"))
            + ("]}" if name == "timelinejs" else "")).encode()
    for skip_invalid in (False, True):
        with pytest.raises(ImportRowError) as info:
            import_file(log, io.BytesIO(data), name, skip_invalid=skip_invalid)
        depth = 100_000 + (1 if name == "json" else 3)
        assert str(info.value) == (
            f"line 2: file: nests deeper than the JSON reader can follow: {depth:,} levels of "
            "arrays and objects, the deepest on this line. Check the file; an import file "
            "nests a few levels.")
    assert log.path.read_bytes() == b""


# --- guessing the format --------------------------------------------------------------------

@pytest.mark.parametrize(("name", "source", "expected"), [
    ("icews.tab", "icews-2018-slice.tab", "icews"),
    ("icews.tsv", "icews-2018-slice.tab", "icews"),
    ("gdelt.tsv", "gdelt1-mixed-slice.tsv", "gdelt"),
    ("20160728.export.CSV", "gdelt1-mixed-slice.tsv", "gdelt"),  # GDELT's own file names
    ("events.csv", "events.csv", "csv"),
    ("timeline.json", "timelinejs3-republican-runup-2012.json", "timelinejs"),
    ("calendar.ics", "calendar-sample.ics", "ical"),
    ("no-suffix", "calendar-sample.ics", "ical"),
    ("data.dat", "icews-2018-slice.tab", "icews"),
])
def test_format_is_guessed_from_suffix_and_content(name: str, source: str, expected: str) -> None:
    head = (DATA / source).read_bytes()[:65536]
    assert guess_format(name, head).name == expected


def test_our_json_export_is_told_from_a_timelinejs_file() -> None:
    exported = timeline.export_bytes(Log(Path(__file__).parent.parent / "events" /
                                         "pakistan-russia.jsonl").chronology(), "json")
    assert guess_format("export.json", exported[:65536]).name == "json"


def test_a_file_nothing_recognises_asks_for_the_format(log: Log, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("just some notes\n", "utf-8")
    with pytest.raises(UnknownFormatError) as info:
        import_file(log, source)
    assert str(info.value) == (
        "format: cannot tell the import format of 'notes.txt' from its suffix (.txt) or its "
        "content. Give -f NAME (format=NAME); installed importers: csv, gdelt, ical, icews, "
        "json, timelinejs (see: timeline importers).")


# --- dry runs, filters, batches, rejects -----------------------------------------------------

def test_dry_run_counts_and_appends_nothing(log: Log, tmp_path: Path) -> None:
    summary = import_file(log, DATA / "icews-invalid.tab", dry_run=True, skip_invalid=True)
    assert (summary.rows, summary.recorded, summary.rejected_rows, summary.rejects_path) == (
        8, 3, 5, None)
    assert log.path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jsonl"]  # no side file either
    explicit = tmp_path / "would-reject.tsv"
    summary = import_file(log, DATA / "icews-invalid.tab", dry_run=True, skip_invalid=True,
                          rejects=explicit)
    assert summary.rejects_path == str(explicit)
    assert len(explicit.read_text("utf-8").splitlines()) == 6


def test_batches_are_appended_together(log: Log) -> None:
    summary = import_file(log, ICEWS, batch_size=100)
    assert (summary.recorded, summary.positions) == (405, (1, 405))
    times = [e.recorded_at for e in log.entries()]
    # One record time per batch: positions 1-100, 101-200, ... 401-405.
    assert [times.index(t) for t in sorted(set(times))] == [0, 100, 200, 300, 400]


def test_an_id_recorded_by_hand_is_a_duplicate_not_an_error(log: Log) -> None:
    log.record(Event(id="icews-32889837-2018-06-01", date="2018-06-01", title="By hand"))
    summary = import_file(log, ICEWS, batch_size=50)
    assert (summary.recorded, summary.duplicates) == (404, 1)
    assert log.chronology().get("icews-32889837-2018-06-01").event.title == "By hand"


def test_bad_batch_size_and_filters_fail_before_reading(log: Log) -> None:
    with pytest.raises(ValidationError) as info:
        import_file(log, ICEWS, batch_size=0)
    assert str(info.value) == "batch_size: 0 is not a whole number >= 1. Give for example 500."
    with pytest.raises(ValidationError) as info:
        import_file(log, ICEWS, filters={"date_from": "June 2018"})
    assert str(info.value).startswith("date_from: 'June 2018' ")
    assert log.path.read_bytes() == b""


def test_unwritable_rejects_place_fails_before_appending(log: Log, tmp_path: Path) -> None:
    with pytest.raises(timeline.TimelineError) as info:
        import_file(log, DATA / "icews-invalid.tab", skip_invalid=True,
                    rejects=tmp_path / "missing" / "r.tsv")
    assert str(info.value) == (
        f"rejects: '{tmp_path / 'missing' / 'r.tsv'}' cannot be written: No such file or "
        "directory. Check that its folder exists and is writable, or give --rejects PATH.")
    assert log.path.read_bytes() == b""


# --- the command line -----------------------------------------------------------------------

def test_cli_import_prints_the_summary_and_a_second_run_adds_nothing(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    Log.create(log)
    result = run("import", str(log), str(ICEWS))
    assert (result.exit_code, result.stderr) == (0, "")
    assert summary_lines(result.stdout) == [
        "format: icews", "rows read: 405", "events recorded: 405", "duplicates skipped: 0",
        "rows rejected: 0", "log positions: 1-405"]
    result = run("import", str(log), str(ICEWS), "--actor", "RUS")
    assert summary_lines(result.stdout) == [
        "format: icews", "rows read: 405", "events recorded: 0", "duplicates skipped: 405",
        "rows rejected: 0"]


def test_cli_skip_invalid_dry_run_and_filters(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    Log.create(log)
    copy = tmp_path / "in" / "icews-invalid.tab"
    copy.parent.mkdir()
    shutil.copy(DATA / "icews-invalid.tab", copy)
    result = run("import", str(log), str(copy), "--skip-invalid", "--dry-run", "--from",
                 "2018-06-02")
    assert result.exit_code == 0
    assert summary_lines(result.stdout) == [
        "format: icews", "rows read: 8", "events would be recorded: 0",
        "duplicates skipped: 0", "rows filtered out: 3", "rows rejected: 5",
        "  invalid date: 1", "  invalid cameo: 1", "  wrong number of fields: 1",
        "  invalid encoding: 1", "  invalid Intensity: 1"]
    result = run("import", str(log), str(copy), "--skip-invalid")
    assert summary_lines(result.stdout)[2] == "events recorded: 3"
    assert summary_lines(result.stdout)[-2:] == [
        f"rejected rows listed in: {tmp_path / 'icews-invalid.tab.rejects.tsv'}",
        "log positions: 1-3"]


def test_cli_invalid_row_exit_code_and_message(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    Log.create(log)
    result = run("import", str(log), str(DATA / "events.csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: line 9: date: '28/08/2013' ")
    assert result.stderr.endswith(
        " Nothing was imported. Correct the row, or import with --skip-invalid "
        "(skip_invalid=True) to list rejected rows in a side file.\n")
    assert log.read_bytes() == b""


def test_cli_import_from_stdin_and_unknown_log(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    Log.create(log)
    result = run("import", str(log), "-", "-f", "timelinejs",
                 input=(DATA / "timelinejs3-republican-runup-2012.json").read_bytes())
    assert (result.exit_code, summary_lines(result.stdout)[:3]) == (
        0, ["format: timelinejs", "rows read: 13", "events recorded: 13"])
    result = run("import", str(tmp_path / "none.jsonl"), str(ICEWS))
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: '{tmp_path / 'none.jsonl'}' does not exist. Create it with: timeline "
           f"init {tmp_path / 'none.jsonl'}\n")


def test_cli_importers_lists_every_import_format() -> None:
    result = run("importers")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "csv\t.csv\tCSV with a header: date (EDTF), title, actors, place, sources, tags, "
        "cameo...",
        "gdelt\t.csv .tsv .txt\tGDELT 1.0 (57/58 columns) and 2.0 (61 columns) event files, no "
        "header",
        "ical\t.ics .ical .ifb\tiCalendar (RFC 5545) files: each VEVENT becomes an event",
        "icews\t.tab .tsv .txt\tICEWS Coded Event Data: the 20-column tab-separated files",
        "json\t.json\tthis project's JSON export, back into events without loss",
        "timelinejs\t.json\tTimelineJS3 JSON timelines (slides become events)"]


def test_progress_bar_on_a_terminal_only(log: Log, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import time

    def slow(stream: Any, **options: Any) -> Any:
        for n in range(60):
            time.sleep(0.01)  # 0.6 s in all: the bar shows after 0.5 s
            yield ImportRow(n + 1, Event(id=f"e{n}", date="2013", title="E"), f"t:{n}")

    class Plugin:
        @hookimpl
        def timeline_importers(self) -> list[Importer]:
            return [Importer("slow", "x", (), slow)]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Plugin(), "slow")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    import_file(log, io.BytesIO(b"x" * 1000), "slow", plugins=plugins, skip_invalid=True,
                progress=True)
    assert "importing" in terminal.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no bar
    import_file(log, io.BytesIO(b"x" * 1000), "slow", plugins=plugins, skip_invalid=True,
                progress=True)
    assert sys.stderr.getvalue() == ""


def test_cli_reader_options(tmp_path: Path) -> None:
    log = tmp_path / "t.jsonl"
    Log.create(log)
    source = tmp_path / "semicolons.csv"
    source.write_text("date;title\n2013;A\n", "utf-8")
    result = run("import", str(log), str(source), "--option", "delimiter=;")
    assert summary_lines(result.stdout)[:3] == ["format: csv", "rows read: 1",
                                                "events recorded: 1"]
    result = run("import", str(log), str(source), "--option", "delimiter")
    assert (result.exit_code, result.stderr) == (
        1, "Error: --option: 'delimiter' is not NAME=VALUE. For example --option delimiter=;\n")
    result = run("import", str(log), str(source), "--option", "quote='")
    assert (result.exit_code, result.stderr) == (
        1, "Error: option: 'quote' is not an option of the csv importer. Its only option is "
           "delimiter.\n")
