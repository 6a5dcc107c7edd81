"""Plugin discovery, failure isolation, duplicate formats and lazy imports.

Third-party plugins are real distributions here: each test writes a package and
its ``*.dist-info`` folder (METADATA and entry_points.txt) into a temporary
folder put on ``sys.path``, exactly what ``pip install`` leaves behind, so
discovery goes through ``importlib.metadata`` like it does for users.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import timeline
from timeline import (DuplicateFormatError, Event, Exporter, Log, PluginError, PluginInfo,
                      UnknownFormatError, export, export_bytes, hookimpl, make_plugin_manager)
from timeline.chronology import Chronology, EventState
from timeline.cli import main

FIRST_PARTY = ["ical", "json", "markdown", "timelinejs"]
# First-party plugins with an importer (issue 7): import only, or export and import.
IMPORT_ONLY = ["csv", "gdelt", "icews"]
EXPORT_AND_IMPORT = {"ical", "json", "timelinejs"}
PLUGIN_MODULES = sorted(f"timeline_{name}" for name in [*FIRST_PARTY, *IMPORT_ONLY])
VENV_BIN = Path(sys.executable).parent


# --- fake installed distributions -----------------------------------------------------------

class Site:
    """A folder on sys.path into which tests "install" plugin distributions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: list[str] = []

    def add(self, module: str, code: str, *, dist: str | None = None,
            entry_point: str | None = None, version: str = "1.0",
            files: dict[str, str] | None = None) -> None:
        """Write package ``module`` (``__init__.py`` = ``code``, plus ``files``) and the
        ``dist-info`` of distribution ``dist`` with entry point ``entry_point = module``."""
        dist = dist or module.replace("_", "-")
        entry_point = entry_point or module.removeprefix("timeline_")
        package = self.root / module
        package.mkdir()
        (package / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
        for name, text in (files or {}).items():
            (package / name).write_text(textwrap.dedent(text), encoding="utf-8")
        info = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[timeline]\n{entry_point} = {module}\n",
                                               encoding="utf-8")
        self.modules.append(module)
        importlib.invalidate_caches()  # importlib.metadata caches directory listings


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    s = Site(root)
    yield s
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in s.modules):
            del sys.modules[name]


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


# --- two plugins, one format name -----------------------------------------------------------

DUPLICATE = ("format 'shared' is registered by two plugins: 'dupa' and 'dupb'. "
             "Uninstall one of them, or ask its author to rename the format.")


def test_two_plugins_registering_one_format_name_is_an_error_naming_both(
        site: Site) -> None:
    site.add("timeline_dupa", exporter_plugin("shared", "only-a"))
    site.add("timeline_dupb", exporter_plugin("shared"))
    plugins = make_plugin_manager()

    assert list(plugins.exporters()) == sorted([*FIRST_PARTY, "only-a"])
    with pytest.raises(DuplicateFormatError) as info:
        plugins.exporter("shared")
    assert str(info.value) == DUPLICATE
    assert info.value.plugins == ("dupa", "dupb")
    assert info.value.plugin == "dupb"
    assert info.value.exit_code == 1
    assert [f.error for f in plugins.failures] == [DUPLICATE]

    chronology = small_chronology()
    with pytest.raises(DuplicateFormatError, match="^format 'shared' is registered by two"):
        export_bytes(chronology, "shared", plugins=plugins)
    assert export_bytes(chronology, "only-a", plugins=plugins) == b"written by timeline_dupa\n"
    # Neither plugin silently wins: not even one reported as the owner.
    assert "shared" not in plugins.format_owners


def test_duplicate_format_from_the_cli_exits_1_and_writes_nothing(
        site: Site, tmp_path: Path) -> None:
    site.add("timeline_dupa", exporter_plugin("shared"))
    site.add("timeline_dupb", exporter_plugin("shared"))
    log = tmp_path / "t.jsonl"
    Log.create(log)
    out = tmp_path / "out.txt"

    result = CliRunner().invoke(main, ["export", str(log), "-f", "shared", "-o", str(out)],
                                prog_name="timeline")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {DUPLICATE}\n"
    assert result.stdout == ""
    assert not out.exists()


def test_duplicate_format_names_the_plugins_in_registration_order() -> None:
    class Provides:
        def __init__(self, name: str) -> None:
            self.name = name

        @hookimpl
        def timeline_exporters(self):  # noqa: ANN202
            return [Exporter("same", self.name, "text/plain", ".txt", lambda c, o: None)]

    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Provides("zeta"), "zeta")
    plugins.register(Provides("alpha"), "alpha")

    assert plugins.exporters() == {}
    with pytest.raises(DuplicateFormatError) as info:
        plugins.exporter("same")
    assert info.value.plugins == ("zeta", "alpha")
    assert str(info.value) == ("format 'same' is registered by two plugins: 'zeta' and 'alpha'. "
                               "Uninstall one of them, or ask its author to rename the format.")


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
    finally:
        sys.modules.pop("timeline_samea", None)


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
