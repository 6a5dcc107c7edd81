"""Plugin discovery, failure isolation, format names taken twice, strict and
selective loading (TIMELINE_PLUGINS_STRICT, TIMELINE_PLUGINS), and lazy imports.

Third-party plugins are real distributions here (:mod:`plugin_sites`): each test
writes a package and its ``*.dist-info`` folder into a temporary folder put on
``sys.path``, exactly what ``pip install`` leaves behind, so discovery goes
through ``importlib.metadata`` like it does for users.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from plugin_sites import Site, open_site

import timeline
from timeline import (DuplicateFormatError, Event, Exporter, Log, PluginError, PluginInfo,
                      UnknownFormatError, ValidationError, export, export_bytes, hookimpl,
                      make_plugin_manager)
from timeline.chronology import Chronology, EventState
from timeline.cli import main

FIRST_PARTY = ["ical", "json", "markdown", "timelinejs"]
# First-party plugins with an importer (issue 7): import only, or export and import.
IMPORT_ONLY = ["csv", "gdelt", "icews"]
EXPORT_AND_IMPORT = {"ical", "json", "timelinejs"}
PLUGIN_MODULES = sorted(f"timeline_{name}" for name in [*FIRST_PARTY, *IMPORT_ONLY])
VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "events" / "pakistan-russia.jsonl"


@pytest.fixture(autouse=True)
def _no_plugin_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own TIMELINE_PLUGINS* settings must not change these tests."""
    monkeypatch.delenv("TIMELINE_PLUGINS", raising=False)
    monkeypatch.delenv("TIMELINE_PLUGINS_STRICT", raising=False)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    yield from open_site(tmp_path / "site", monkeypatch)


def run(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline", env=env)


TESTCSV = """
    from timeline import Exporter, hookimpl

    @hookimpl
    def timeline_exporters():
        return [Exporter(name="testcsv", description="Test CSV: id, EDTF date, title",
                         media_type="text/csv", suffix=".csv",
                         writer="timeline_testcsv.writer:write")]
"""

TESTCSV_WRITER = """
    def write(chronology, out, **options):
        out.write(f"# {chronology.title} at {chronology.position}\\n".encode("utf-8"))
        for item in chronology:
            event = item.event
            out.write(f"{event.id},{event.date.edtf},{event.title}\\n".encode("utf-8"))
"""


def add_testcsv(site: Site) -> None:
    site.add("timeline_testcsv", TESTCSV, files={"writer.py": TESTCSV_WRITER})


def exporter_plugin(format_name: str, *more: str) -> str:
    """Source of a plugin module exporting ``format_name`` (and ``more``) with a tiny writer."""
    names = [format_name, *more]
    return f"""
        from timeline import Exporter, hookimpl

        def write(chronology, out, **options):
            out.write(b"written by " + __name__.encode() + b"\\n")

        @hookimpl
        def timeline_exporters():
            return [Exporter(name=n, description="format " + n, media_type="text/plain",
                             suffix=".txt", writer=write) for n in {names!r}]
    """


def small_chronology() -> Chronology:
    t = _dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=_dt.timezone.utc)
    items = (
        EventState(Event(id="2003-02-visit", date="2003-02", title="A visit, in Moscow"), t, t,
                   1, 1),
        EventState(Event(id="2013-08-28-dialogue", date="2013-08-28", title="Dialogue opens"),
                   t, t, 2, 2),
    )
    return Chronology(items, title="Small", position=2)


# --- discovery through an entry point -------------------------------------------------------

def test_third_party_plugin_is_discovered_with_its_distribution_and_version(
        site: Site, tmp_path: Path) -> None:
    add_testcsv(site)
    plugins = make_plugin_manager()

    assert plugins.failures == []
    assert plugins.infos["testcsv"] == PluginInfo(
        name="testcsv", distribution="timeline-testcsv", version="1.0",
        hooks=("timeline_exporters",), error=None)
    assert list(plugins.exporters()) == ["ical", "json", "markdown", "testcsv", "timelinejs"]
    exporter = plugins.exporter("testcsv")
    assert exporter == Exporter(name="testcsv", description="Test CSV: id, EDTF date, title",
                                media_type="text/csv", suffix=".csv",
                                writer="timeline_testcsv.writer:write")
    assert plugins.format_owners["testcsv"] == "testcsv"
    # The writer module is imported only when the format is exported.
    assert "timeline_testcsv" in sys.modules
    assert "timeline_testcsv.writer" not in sys.modules

    chronology = small_chronology()
    expected = (b"# Small at 2\n2003-02-visit,2003-02,A visit, in Moscow\n"
                b"2013-08-28-dialogue,2013-08-28,Dialogue opens\n")
    assert export_bytes(chronology, "testcsv", plugins=plugins) == expected
    assert "timeline_testcsv.writer" in sys.modules

    target = tmp_path / "out.csv"
    export(chronology, "testcsv", target, plugins=plugins)
    assert target.read_bytes() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "site"]  # no temp file left


def test_first_party_plugins_load_through_the_same_entry_point_group() -> None:
    plugins = make_plugin_manager()

    assert plugins.failures == []
    assert sorted(plugins.infos) == sorted([*FIRST_PARTY, *IMPORT_ONLY])
    for name in FIRST_PARTY:
        hooks = ("timeline_exporters", "timeline_importers")[:2 if name in EXPORT_AND_IMPORT
                                                              else 1]
        assert plugins.infos[name] == PluginInfo(name, "diplomatic-timeline",
                                                 timeline.__version__, hooks)
    for name in IMPORT_ONLY:
        assert plugins.infos[name].hooks == ("timeline_importers",)
    assert [(e.name, e.suffix, e.media_type, e.writer) for e in plugins.exporters().values()] == [
        ("ical", ".ics", "text/calendar", "timeline_ical.writer:write"),
        ("json", ".json", "application/json", "timeline_json.writer:write"),
        ("markdown", ".md", "text/markdown", "timeline_markdown.writer:write"),
        ("timelinejs", ".json", "application/json", "timeline_timelinejs.writer:write"),
    ]
    assert plugins.format_owners == {"ical": "ical", "json": "json", "markdown": "markdown",
                                     "timelinejs": "timelinejs"}


def test_empty_registry_has_no_formats_and_says_so() -> None:
    plugins = make_plugin_manager(entry_points=False)

    assert plugins.exporters() == {}
    with pytest.raises(UnknownFormatError) as info:
        plugins.exporter("json")
    assert str(info.value) == ("format: 'json' is not an installed export format. "
                               "Installed formats: none (see: timeline formats).")


def test_unknown_format_error_lists_the_installed_formats(site: Site) -> None:
    add_testcsv(site)
    plugins = make_plugin_manager()

    with pytest.raises(UnknownFormatError) as info:
        plugins.exporter("csv")
    assert str(info.value) == ("format: 'csv' is not an installed export format. Installed "
                               "formats: ical, json, markdown, testcsv, timelinejs (see: timeline "
                               "formats).")
    assert info.value.exit_code == 1


# --- a plugin that fails to import ----------------------------------------------------------

BROKEN = """
    raise RuntimeError("cannot import: missing libfoo")
"""
BROKEN_ERROR = ("plugin 'broken' failed to import (timeline_broken): "
                "RuntimeError: cannot import: missing libfoo")


def test_plugin_that_raises_on_import_is_reported_by_name(site: Site) -> None:
    site.add("timeline_broken", BROKEN)
    add_testcsv(site)
    plugins = make_plugin_manager()

    assert plugins.failures == [PluginInfo("broken", "timeline-broken", "1.0", (), BROKEN_ERROR)]
    assert plugins.infos["broken"].error == BROKEN_ERROR
    assert plugins.pm.get_plugin("broken") is None
    assert list(plugins.exporters()) == sorted([*FIRST_PARTY, "testcsv"])


def test_formats_command_survives_a_plugin_that_raises_on_import(site: Site) -> None:
    site.add("timeline_broken", BROKEN)
    result = CliRunner().invoke(main, ["formats"], prog_name="timeline")

    assert result.exit_code == 0
    assert result.stdout == (
        "ical\t.ics\ttext/calendar\tiCalendar (RFC 5545) calendar of all-day events\n"
        "json\t.json\tapplication/json\tJSON document of every field, with EDTF dates and "
        "their bounds\n"
        "markdown\t.md\ttext/markdown\tReadable Markdown chronology grouped by year\n"
        "timelinejs\t.json\tapplication/json\tTimelineJS3 JSON for Knight Lab's web timelines\n")
    assert result.stderr == f"warning: {BROKEN_ERROR}\n"


def test_installed_timeline_script_survives_a_plugin_that_raises_on_import(site: Site) -> None:
    site.add("timeline_broken", BROKEN)
    env = {**os.environ, "PYTHONPATH": str(site.root)}
    done = subprocess.run([str(VENV_BIN / "timeline"), "formats"], capture_output=True,
                          text=True, env=env, timeout=60)

    assert done.returncode == 0
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == FIRST_PARTY
    assert done.stderr == f"warning: {BROKEN_ERROR}\n"

    done = subprocess.run([str(VENV_BIN / "timeline"), "plugins"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == f"broken\ttimeline-broken 1.0\terror\t{BROKEN_ERROR}"
    assert done.stderr == ""


# --- a plugin whose hook raises -------------------------------------------------------------

HOOK_RAISES = """
    from timeline import hookimpl

    @hookimpl
    def timeline_exporters():
        raise ValueError("no formats today")
"""


def test_plugin_whose_hook_raises_is_reported_and_the_others_keep_working(
        site: Site) -> None:
    site.add("timeline_hookfail", HOOK_RAISES)
    add_testcsv(site)
    plugins = make_plugin_manager()
    assert plugins.failures == []  # the hook has not run yet

    assert list(plugins.exporters()) == sorted([*FIRST_PARTY, "testcsv"])
    error = ("plugin 'hookfail' failed in hook timeline_exporters: "
             "ValueError: no formats today")
    assert plugins.failures == [PluginInfo("hookfail", "timeline-hookfail", "1.0", (), error)]
    assert export_bytes(small_chronology(), "testcsv", plugins=plugins).startswith(
        b"# Small at 2\n")

    result = CliRunner().invoke(main, ["plugins", "--json"], prog_name="timeline")
    assert result.exit_code == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["hookfail"] == {"name": "hookfail", "distribution": "timeline-hookfail",
                                "version": "1.0", "hooks": [], "formats": [], "importers": [],
                                "status": "error", "error": error}
    assert rows["testcsv"] == {"name": "testcsv", "distribution": "timeline-testcsv",
                               "version": "1.0", "hooks": ["timeline_exporters"],
                               "formats": ["testcsv"], "importers": [], "status": "ok",
                               "error": None}


def test_hook_returning_something_else_than_exporters_is_reported() -> None:
    class Wrong:
        @hookimpl
        def timeline_exporters(self):  # noqa: ANN202
            return ["json"]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Wrong(), "wrong")

    assert plugins.exporters() == {}
    assert [f.error for f in plugins.failures] == [
        "plugin 'wrong' failed in hook timeline_exporters: "
        "TypeError: timeline_exporters must return a list of Exporter"]


def test_hook_failures_are_not_reported_twice_when_formats_are_recomputed() -> None:
    class Raises:
        @hookimpl
        def timeline_exporters(self):  # noqa: ANN202
            raise OSError("gone")

    class Good:
        @hookimpl
        def timeline_exporters(self):  # noqa: ANN202
            return [Exporter("good", "good", "text/plain", ".txt", lambda c, o: None)]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Raises(), "raises")
    assert plugins.exporters() == {}
    plugins.register(Good(), "good")  # resets the cached formats

    assert list(plugins.exporters()) == ["good"]
    assert [f.error for f in plugins.failures] == [
        "plugin 'raises' failed in hook timeline_exporters: OSError: gone"]


# --- two plugins, one format name: the first keeps it ---------------------------------------

def duplicate(name: str, first: str, second: str) -> str:
    return (f"format {name!r} is registered by two plugins: {first!r} and {second!r}. "
            f"{first!r} keeps it; uninstall {second!r}, or ask its author to rename the format.")


def test_a_format_name_taken_twice_stays_with_the_first_and_the_second_is_reported(
        site: Site) -> None:
    site.add("timeline_dupa", exporter_plugin("shared", "only-a"))
    site.add("timeline_dupb", exporter_plugin("shared", "only-b"))
    plugins = make_plugin_manager()

    assert list(plugins.exporters()) == sorted([*FIRST_PARTY, "only-a", "only-b", "shared"])
    assert plugins.format_owners["shared"] == "dupa"
    assert [f.error for f in plugins.failures] == [duplicate("shared", "dupa", "dupb")]
    assert plugins.failures[0] == PluginInfo("dupb", "timeline-dupb", "1.0", (),
                                             duplicate("shared", "dupa", "dupb"))
    chronology = small_chronology()
    assert export_bytes(chronology, "shared", plugins=plugins) == b"written by timeline_dupa\n"
    # The later plugin's other formats still work.
    assert export_bytes(chronology, "only-b", plugins=plugins) == b"written by timeline_dupb\n"

    result = run("plugins", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["dupb"] == {"name": "dupb", "distribution": "timeline-dupb", "version": "1.0",
                            "hooks": ["timeline_exporters"], "formats": ["only-b"],
                            "importers": [], "status": "error",
                            "error": duplicate("shared", "dupa", "dupb")}
    assert rows["dupa"]["formats"] == ["only-a", "shared"] and rows["dupa"]["status"] == "ok"


def test_the_error_keeps_the_duplicate_format_error_shape() -> None:
    error = DuplicateFormatError("shared", "dupa", "dupb")
    assert str(error) == duplicate("shared", "dupa", "dupb")
    assert (error.plugins, error.plugin, error.exit_code) == (("dupa", "dupb"), "dupb", 1)
    assert isinstance(error, PluginError)


EVIL = """
    from timeline import Exporter, Importer, ImportRow, hookimpl

    def write(chronology, out, **options):
        out.write(b"not a calendar\\n")

    def read(stream, **options):
        return iter(())

    @hookimpl
    def timeline_exporters():
        return [Exporter("ical", "Evil iCal", "text/calendar", ".ics", write),
                Exporter("aaa-notes", "Notes", "text/plain", ".txt", write)]

    @hookimpl
    def timeline_importers():
        return [Importer("csv", "Evil CSV", (".csv",), read)]
"""


def test_a_plugin_can_never_take_a_first_party_format_name(site: Site, tmp_path: Path) -> None:
    # "aaa" sorts before "ical" and "csv": first-party plugins still load first.
    site.add("timeline_aaa", EVIL)
    log = tmp_path / "p.jsonl"
    shutil.copyfile(BUNDLED, log)
    plugins = make_plugin_manager()

    assert plugins.exporters()["ical"].writer == "timeline_ical.writer:write"
    assert plugins.format_owners["ical"] == "ical"
    assert plugins.importers()["csv"].reader == "timeline_csv.reader:read"
    assert plugins.importer_owners["csv"] == "csv"
    assert [f.error for f in plugins.failures] == [duplicate("ical", "ical", "aaa"),
                                                   duplicate("csv", "csv", "aaa")]
    assert export_bytes(small_chronology(), "aaa-notes", plugins=plugins) == b"not a calendar\n"

    result = run("export", log, "-f", "ical")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert result.stdout_bytes == export_bytes(Log(log).chronology(), "ical",
                                               plugins=make_plugin_manager(only=["ical"]))
    result = run("formats")
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "aaa-notes", *FIRST_PARTY]
    assert result.stderr == f"warning: {duplicate('ical', 'ical', 'aaa')}\n"  # exporters only
    result = run("importers")
    assert result.stdout.splitlines()[0].startswith("csv\t.csv\tCSV with a header")
    assert result.stderr == f"warning: {duplicate('csv', 'csv', 'aaa')}\n"


def test_the_plugin_registered_first_keeps_the_name_whatever_pluggys_call_order() -> None:
    class Provides:
        def __init__(self, name: str) -> None:
            self.name = name

        @hookimpl(tryfirst=True)
        def timeline_exporters(self):  # noqa: ANN202
            return [Exporter("same", self.name, "text/plain", ".txt", lambda c, o: None)]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Provides("zeta"), "zeta")
    plugins.register(Provides("alpha"), "alpha")

    assert plugins.exporter("same").description == "zeta"
    assert [f.error for f in plugins.failures] == [duplicate("same", "zeta", "alpha")]


def test_two_distributions_with_one_entry_point_name_keep_the_first_on_sys_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = Site(tmp_path / "first"), Site(tmp_path / "second")
    first.root.mkdir()
    second.root.mkdir()
    first.add("timeline_samea", exporter_plugin("samea"), entry_point="same")
    second.add("timeline_sameb", exporter_plugin("sameb"), entry_point="same")
    monkeypatch.syspath_prepend(str(second.root))
    monkeypatch.syspath_prepend(str(first.root))  # now first on sys.path
    try:
        plugins = make_plugin_manager()
        assert plugins.failures == [PluginInfo(
            "same", "timeline-sameb", "1.0", (),
            "plugin 'same' has the same entry point name as another plugin (timeline_sameb)")]
        assert plugins.infos["same"] == PluginInfo("same", "timeline-samea", "1.0",
                                                   ("timeline_exporters",))
        assert list(plugins.exporters()) == sorted([*FIRST_PARTY, "samea"])
        assert "timeline_sameb" not in sys.modules

        rows = json.loads(run("plugins", "--json").stdout)
        assert [(r["name"], r["distribution"], r["status"]) for r in rows
                if r["name"] == "same"] == [("same", "timeline-samea", "ok"),
                                            ("same", "timeline-sameb", "error")]
    finally:
        sys.modules.pop("timeline_samea", None)


def test_a_third_party_entry_point_named_like_a_first_party_one_is_reported(
        site: Site) -> None:
    site.add("timeline_fakeical", exporter_plugin("fakeical"), entry_point="ical")
    plugins = make_plugin_manager()

    assert plugins.infos["ical"].distribution == "diplomatic-timeline"
    assert plugins.failures == [PluginInfo(
        "ical", "timeline-fakeical", "1.0", (),
        "plugin 'ical' has the same entry point name as another plugin (timeline_fakeical)")]
    assert list(plugins.exporters()) == FIRST_PARTY
    assert plugins.format_owners["ical"] == "ical"
    assert "timeline_fakeical" not in sys.modules


# --- a misspelled hook ----------------------------------------------------------------------

TYPO = """
    from timeline import Exporter, hookimpl

    @hookimpl
    def timeline_exporter():
        return [Exporter("typo", "typo", "text/plain", ".txt", "timeline_typo:write")]
"""
TYPO_ERROR = ("plugin 'typo' implements unknown hook 'timeline_exporter' (misspelled?); "
              "known hooks: timeline_exporters, timeline_importers")


def test_misspelled_hook_is_reported_as_unknown_and_the_plugin_unregistered(site: Site) -> None:
    site.add("timeline_typo", TYPO)
    add_testcsv(site)
    plugins = make_plugin_manager()

    assert plugins.failures == [PluginInfo("typo", "timeline-typo", "1.0", (), TYPO_ERROR)]
    assert plugins.pm.get_plugin("typo") is None
    assert list(plugins.exporters()) == sorted([*FIRST_PARTY, "testcsv"])
    assert plugins.failures == [PluginInfo("typo", "timeline-typo", "1.0", (), TYPO_ERROR)]

    result = CliRunner().invoke(main, ["plugins"], prog_name="timeline")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == f"typo\ttimeline-typo 1.0\terror\t{TYPO_ERROR}"


def test_register_checks_hook_names_of_plugin_objects_too() -> None:
    class Typo:
        @hookimpl
        def timeline_exports(self):  # noqa: ANN202
            return []

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Typo(), "typo-object", distribution="x", version="2")

    assert plugins.failures == [PluginInfo(
        "typo-object", "x", "2", (),
        "plugin 'typo-object' implements unknown hook 'timeline_exports' (misspelled?); "
        "known hooks: timeline_exporters, timeline_importers")]
    assert plugins.pm.get_plugin("typo-object") is None


# --- a writer that cannot be imported -------------------------------------------------------

def test_writer_that_cannot_be_imported_is_a_plugin_error_naming_the_plugin(
        site: Site, tmp_path: Path) -> None:
    site.add("timeline_nowriter", """
        from timeline import Exporter, hookimpl

        @hookimpl
        def timeline_exporters():
            return [Exporter("nowriter", "n", "text/plain", ".txt",
                             "timeline_nowriter.missing:write")]
    """)
    plugins = make_plugin_manager()
    target = tmp_path / "out.txt"

    with pytest.raises(PluginError) as info:
        export(small_chronology(), "nowriter", target, plugins=plugins)
    assert str(info.value) == (
        "plugin 'nowriter': the writer 'timeline_nowriter.missing:write' of format 'nowriter' "
        "could not be loaded: ModuleNotFoundError: No module named 'timeline_nowriter.missing'. "
        "Reinstall the plugin, or report this to its author.")
    assert info.value.plugin == "nowriter"
    assert not target.exists()


# --- every failure at once: every other command and format keeps working --------------------

def install_bad_plugins(site: Site) -> dict[str, str]:
    """One plugin of each kind of failure, and a good one; returns name -> error."""
    site.add("timeline_broken", BROKEN)
    site.add("timeline_hookfail", HOOK_RAISES)
    site.add("timeline_aaa", EVIL)
    site.add("timeline_typo", TYPO)
    add_testcsv(site)
    return {"aaa": duplicate("ical", "ical", "aaa"), "broken": BROKEN_ERROR,
            "hookfail": "plugin 'hookfail' failed in hook timeline_exporters: ValueError: no "
                        "formats today",
            "typo": TYPO_ERROR}


def test_with_every_kind_of_broken_plugin_installed_every_command_still_works(
        site: Site, tmp_path: Path) -> None:
    log = tmp_path / "p.jsonl"
    shutil.copyfile(BUNDLED, log)
    clean = {name: export_bytes(Log(log).chronology(), name,
                                plugins=make_plugin_manager(only=FIRST_PARTY))
             for name in FIRST_PARTY}
    errors = install_bad_plugins(site)

    for name in FIRST_PARTY:  # byte for byte what they give with no other plugin
        result = run("export", log, "-f", name)
        assert (result.exit_code, result.stderr) == (0, "")
        assert result.stdout_bytes == clean[name]
    assert run("export", log, "-f", "testcsv").stdout.startswith("# p at 9\n")
    assert run("export", log, "-f", "aaa-notes").stdout == "not a calendar\n"

    result = run("formats")
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        "aaa-notes", *FIRST_PARTY[:3], "testcsv", "timelinejs"]
    assert sorted(result.stderr.splitlines()) == sorted(f"warning: {e}" for e in errors.values())

    result = run("plugins", "--json")
    assert result.exit_code == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {name: (rows[name]["status"], rows[name]["error"]) for name in errors} == {
        name: ("error", error) for name, error in errors.items()}
    assert [name for name, row in rows.items() if row["status"] == "ok"] == [
        "csv", "gdelt", "ical", "icews", "json", "markdown", "testcsv", "timelinejs"]

    csv_file = tmp_path / "new.csv"
    csv_file.write_text("date,title\n2014-11-20,Defence cooperation agreement signed\n")
    result = run("import", log, csv_file)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == ["format: csv", "rows read: 1",
                                              "events recorded: 1"]
    assert run("importers").stdout.splitlines()[0].startswith("csv\t.csv\t")
    assert run("list", log).stdout.splitlines()[-1] == (
        "2014-11-20\t2014-11-20-defence-cooperation-agreement-signed\tDefence cooperation "
        "agreement signed")
    result = run("verify", log)
    assert result.exit_code == 0 and result.stdout.startswith("ok: 10 entries, 10 events, head ")


# --- TIMELINE_PLUGINS_STRICT: plugin failures are errors --------------------------------------

STRICT_FIX = ("Fix or uninstall the plugin, or unset TIMELINE_PLUGINS_STRICT to go on without "
              "it (with a warning).")


@pytest.mark.parametrize("plugin", ["broken", "typo"])
def test_strict_mode_stops_at_a_plugin_that_fails_to_load(site: Site, plugin: str) -> None:
    errors = install_bad_plugins(site)
    for value in ("1", "true", "YES", "on"):
        result = run("formats", env={"TIMELINE_PLUGINS_STRICT": value,
                                     "TIMELINE_PLUGINS": f"json,{plugin}"})
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == f"Error: {errors[plugin]}. {STRICT_FIX}\n"

    with pytest.raises(PluginError) as info:
        make_plugin_manager(only=[plugin], strict=True)
    assert info.value.plugin == plugin


def test_strict_mode_stops_at_a_hook_that_raises_when_the_hooks_run(
        site: Site, tmp_path: Path) -> None:
    errors = install_bad_plugins(site)
    plugins = make_plugin_manager(only=["json", "hookfail"], strict=True)  # loads fine
    with pytest.raises(PluginError) as info:
        plugins.exporters()
    assert str(info.value) == f"{errors['hookfail']}. {STRICT_FIX}"

    log = tmp_path / "p.jsonl"
    shutil.copyfile(BUNDLED, log)
    result = run("export", log, "-f", "json", env={"TIMELINE_PLUGINS_STRICT": "1"})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: plugin ")


def test_strict_mode_stops_at_a_format_name_taken_twice(site: Site) -> None:
    install_bad_plugins(site)
    result = run("formats", env={"TIMELINE_PLUGINS_STRICT": "1", "TIMELINE_PLUGINS": "ical,aaa"})
    assert result.exit_code == 1
    assert result.stderr == f"Error: {duplicate('ical', 'ical', 'aaa')}\n"

    with pytest.raises(DuplicateFormatError) as info:
        make_plugin_manager(only=["ical", "aaa"], strict=True).exporters()
    assert info.value.plugins == ("ical", "aaa")


def test_strict_mode_off_and_a_value_it_cannot_read(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    errors = install_bad_plugins(site)
    for value in ("0", "false", "no", "off", ""):
        result = run("formats", env={"TIMELINE_PLUGINS_STRICT": value,
                                     "TIMELINE_PLUGINS": "json,broken"})
        assert (result.exit_code, result.stderr) == (0, f"warning: {errors['broken']}\n")

    result = run("formats", env={"TIMELINE_PLUGINS_STRICT": "maybe"})
    assert result.exit_code == 1
    assert result.stderr == ("Error: TIMELINE_PLUGINS_STRICT: 'maybe' is not 1 or 0. Set "
                             "TIMELINE_PLUGINS_STRICT=1 to make plugin failures errors, or unset "
                             "it.\n")
    monkeypatch.setenv("TIMELINE_PLUGINS_STRICT", "2")
    with pytest.raises(ValidationError) as info:
        make_plugin_manager()
    assert (info.value.field, info.value.value) == ("TIMELINE_PLUGINS_STRICT", "2")


# --- TIMELINE_PLUGINS: load only the plugins named ---------------------------------------------

def test_only_the_plugins_named_are_loaded_and_the_others_are_not_imported(
        site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    install_bad_plugins(site)
    monkeypatch.setenv("TIMELINE_PLUGINS", " json , testcsv,")
    plugins = make_plugin_manager()

    assert sorted(plugins.infos) == ["json", "testcsv"]
    assert list(plugins.exporters()) == ["json", "testcsv"]
    assert list(plugins.importers()) == ["json"]
    assert plugins.failures == []
    assert not {"timeline_broken", "timeline_typo", "timeline_aaa"} & set(sys.modules)
    assert sorted(info.name for info in plugins.skipped) == [
        "aaa", "broken", "csv", "gdelt", "hookfail", "ical", "icews", "markdown", "timelinejs",
        "typo"]

    result = run("plugins")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "aaa\ttimeline-aaa 1.0\tskipped\tnot loaded (TIMELINE_PLUGINS)",
        "broken\ttimeline-broken 1.0\tskipped\tnot loaded (TIMELINE_PLUGINS)"]
    rows = {row["name"]: row for row in json.loads(run("plugins", "--json").stdout)}
    assert rows["ical"] == {"name": "ical", "distribution": "diplomatic-timeline",
                            "version": timeline.__version__, "hooks": [], "formats": [],
                            "importers": [], "status": "skipped", "error": None}


def test_a_plugin_named_but_not_installed_is_reported() -> None:
    result = run("formats", env={"TIMELINE_PLUGINS": "markdown,mermaid"})
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "markdown\t.md\ttext/markdown\tReadable Markdown chronology grouped by year"]
    assert result.stderr == ("warning: plugin 'mermaid' is named in TIMELINE_PLUGINS but is not "
                             "installed\n")
    result = run("formats", env={"TIMELINE_PLUGINS": "markdown,mermaid",
                                 "TIMELINE_PLUGINS_STRICT": "1"})
    assert result.exit_code == 1
    assert result.stderr == ("Error: plugin 'mermaid' is named in TIMELINE_PLUGINS but is not "
                             "installed. Install it, or leave it out of TIMELINE_PLUGINS.\n")
    plugins = make_plugin_manager(only=["nope"])
    assert [f.error for f in plugins.failures] == [
        "plugin 'nope' is named in only= but is not installed"]


def test_an_empty_timeline_plugins_loads_no_plugin(tmp_path: Path) -> None:
    result = run("formats", env={"TIMELINE_PLUGINS": ""})
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    result = run("export", BUNDLED, "-f", "json", env={"TIMELINE_PLUGINS": ""})
    assert result.exit_code == 1
    assert result.stderr == ("Error: format: 'json' is not an installed export format. "
                             "Installed formats: none (see: timeline formats).\n")


# --- one end-to-end test per hook (tests/test_docs.py checks that each hook has one) -----------

OPTIONED = """
    from timeline import Exporter, Option, hookimpl

    def write(chronology, out, *, upper, sep):
        for item in chronology:
            title = item.event.title.upper() if upper else item.event.title
            out.write(f"{item.event.date.edtf}{sep}{title}\\n".encode("utf-8"))

    @hookimpl
    def timeline_exporters():
        return [Exporter("lines", "One line per event", "text/plain", ".txt", write,
                         options=(Option("upper", bool, False, "titles in capitals"),
                                  Option("sep", str, " ", "between date and title")))]
"""


def test_hook_timeline_exporters_from_entry_point_to_formats_and_export(site: Site) -> None:
    site.add("timeline_lines", OPTIONED)

    result = run("formats", "--verbose")
    assert result.exit_code == 0
    listed = result.stdout.splitlines()
    assert listed[listed.index("lines\t.txt\ttext/plain\tOne line per event"):][:3] == [
        "lines\t.txt\ttext/plain\tOne line per event",
        "  -O upper=true|false\tdefault: false\ttitles in capitals",
        "  -O sep=TEXT\tdefault:  \tbetween date and title"]
    result = run("export", BUNDLED, "-f", "lines", "--tag", "visit", "-O", "upper=yes",
                 "-O", "sep=;")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("2003-02;PRESIDENT MUSHARRAF VISITS RUSSIA; MOSCOW RE-ESTABLISHES A "
                             "POLITICAL DIALOGUE WITH ISLAMABAD\n"
                             "2012;PAKISTAN'S ARMY CHIEF GEN ASHFAQ KIYANI VISITS MOSCOW\n"
                             "2013-08;RUSSIAN AIR FORCE CHIEF VISITS PAKISTAN\n")
    assert export_bytes(small_chronology(), "lines") == (
        b"2003-02 A visit, in Moscow\n2013-08-28 Dialogue opens\n")


READER = """
    from timeline import Event, Importer, ImportRow, Rejection, hookimpl, read_text_lines

    def read(stream, **options):
        for line, text in read_text_lines(stream):
            date, _, title = text.partition(" ")
            if not title:
                yield ImportRow(line, Rejection("no title", f"line {line} has no title"))
                continue
            yield ImportRow(line, Event(id=f"lines-{line}", date=date, title=title),
                            key=f"lines:{line}")

    def sniff(head):
        return head[:4].isdigit()

    @hookimpl
    def timeline_importers():
        return [Importer("lines", "EDTF date, space, title", (".lines",), read, sniff)]
"""


def test_hook_timeline_importers_from_entry_point_to_import(site: Site, tmp_path: Path) -> None:
    site.add("timeline_linesin", READER)
    log = tmp_path / "t.jsonl"
    Log.create(log)
    source = tmp_path / "events.lines"
    source.write_text("2013-08-28 Dialogue opens\n2012 Kiyani visits Moscow\n")

    result = run("importers")
    assert "lines\t.lines\tEDTF date, space, title" in result.stdout.splitlines()
    result = run("import", log, source)  # the format guessed from the suffix
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:5] == ["format: lines", "rows read: 2",
                                              "events recorded: 2", "duplicates skipped: 0",
                                              "rows rejected: 0"]
    assert run("list", log).stdout == ("2012\tlines-2\tKiyani visits Moscow\n"
                                       "2013-08-28\tlines-1\tDialogue opens\n")
    assert run("import", log, source).stdout.splitlines()[2:4] == [
        "events recorded: 0", "duplicates skipped: 2"]


# --- lazy imports (fresh interpreters) ------------------------------------------------------

HARNESS = r"""
import importlib.metadata, json, sys

# Scans of every installed distribution (entry_points() calls distributions()); a
# lookup of one distribution by name (portalocker's __version__ does one) is not a scan.
scans = set()
def spy(name):
    real = getattr(importlib.metadata, name)
    def wrapper(*args, **kwargs):
        scans.add(name)
        return real(*args, **kwargs)
    setattr(importlib.metadata, name, wrapper)
for name in ("entry_points", "distributions"):
    spy(name)

def report(path, **extra):
    with open(path, "w") as f:
        json.dump({"scans": sorted(scans), "icalendar": "icalendar" in sys.modules,
                   "plugin_modules": sorted(m for m in sys.modules
                                            if m.split(".")[0].startswith("timeline_")),
                   **extra}, f)

if sys.argv[2] == "exporters":
    from timeline import make_plugin_manager
    report(sys.argv[1], formats=list(make_plugin_manager().exporters()))
else:
    from timeline.cli import main
    try:
        main(sys.argv[2:], prog_name="timeline")
    except SystemExit as exc:
        report(sys.argv[1], code=exc.code)
"""


def run_harness(tmp_path: Path, *args: str) -> tuple[dict, str]:
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-c", HARNESS, str(out), *args],
                          capture_output=True, text=True, timeout=60)
    assert done.stderr == ""
    return json.loads(out.read_text()), done.stdout


def test_listing_formats_imports_no_writer_and_no_icalendar(tmp_path: Path) -> None:
    report, _ = run_harness(tmp_path, "exporters")

    assert report == {"scans": ["distributions", "entry_points"], "icalendar": False,
                      "plugin_modules": PLUGIN_MODULES,
                      "formats": FIRST_PARTY}


def test_formats_command_imports_no_writer_and_no_icalendar(tmp_path: Path) -> None:
    report, stdout = run_harness(tmp_path, "formats")

    assert report == {"scans": ["distributions", "entry_points"], "icalendar": False,
                      "plugin_modules": PLUGIN_MODULES,
                      "code": 0}
    assert [line.split("\t")[0] for line in stdout.splitlines()] == FIRST_PARTY


def test_version_scans_no_plugins_and_imports_no_icalendar(tmp_path: Path) -> None:
    report, stdout = run_harness(tmp_path, "--version")

    assert report == {"scans": [], "icalendar": False, "plugin_modules": [], "code": 0}
    assert stdout == f"timeline, version {timeline.__version__}\n"


def test_help_scans_no_plugins_and_imports_no_icalendar(tmp_path: Path) -> None:
    report, stdout = run_harness(tmp_path, "--help")

    assert report == {"scans": [], "icalendar": False, "plugin_modules": [], "code": 0}
    assert stdout.startswith("Usage: timeline [OPTIONS] COMMAND [ARGS]...\n")
