"""The example third-party plugin in ``examples/timeline-mermaid``, as its users get it.

Fast tests load it from the repository (registered directly, then through a fake
installed distribution and the CLI, then its own test suite with this project's
pytest fixtures). The ``venv`` test installs it, and this project, into a fresh
virtual environment with pip, exactly as ``docs/plugins.md`` tells a plugin
author to, and runs the installed ``timeline`` script and the plugin's tests there
(30-60 s, mostly pip; it runs in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from plugin_sites import open_site

import timeline
from timeline import export_bytes
from timeline.cli import main
from timeline.testing import bundled_chronology, make_test_plugins

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "timeline-mermaid"
EXPECTED = EXAMPLE / "tests" / "pakistan-russia.mmd"
BUNDLED = ROOT / "events" / "pakistan-russia.jsonl"
FORMATS = ["ical", "json", "markdown", "mermaid", "timelinejs"]


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "TIMELINE_PLUGINS", "TIMELINE_PLUGINS_STRICT")}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """The example "installed" (its package and dist-info) into a folder on sys.path."""
    for site in open_site(tmp_path / "site", monkeypatch):
        site.add_copy(EXAMPLE / "timeline_mermaid", dist="timeline-mermaid", version="0.1.0",
                      entry_point="mermaid")
        yield site


def test_the_expected_diagram_is_the_bundled_chronology_line_by_line() -> None:
    # The expected file was written by hand from the bundled log; check it against the
    # chronology itself, so that it cannot drift from the log it stands for.
    lines = EXPECTED.read_text("utf-8").splitlines()
    titles = [line.split(" : ", 1)[1] for line in lines if " : " in line]
    assert titles == [item.event.title for item in bundled_chronology()]
    assert lines[:2] == ["timeline", "    title pakistan-russia"]
    assert [line for line in lines if line.startswith("    section ")] == [
        "    section 2003", "    section 2005", "    section 2012", "    section 2013",
        "    section 2014"]


def test_registered_directly_it_exports_the_bundled_chronology(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    try:
        import timeline_mermaid

        plugins = make_test_plugins(timeline_mermaid)
        assert list(plugins.exporters()) == FORMATS
        assert export_bytes(bundled_chronology(), "mermaid", plugins=plugins) == (
            EXPECTED.read_bytes())
    finally:
        for name in ("timeline_mermaid", "timeline_mermaid.writer"):
            sys.modules.pop(name, None)


def test_installed_it_is_listed_and_exported_by_the_cli(installed: object, tmp_path: Path) -> None:
    result = run("formats", "--verbose")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[6:8] == [
        "mermaid\t.mmd\ttext/vnd.mermaid\tMermaid timeline diagram, one section per year",
        "  -O sections=year|none\tdefault: year\tyear: one section per year; none: no sections"]

    result = run("export", BUNDLED, "-f", "mermaid")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout_bytes == EXPECTED.read_bytes()

    out = tmp_path / "chronology.mmd"
    result = run("export", BUNDLED, "-f", "mermaid", "-O", "sections=none", "-o", out,
                 "--from", "2013")
    assert result.stderr == f"wrote 4 events to {out}\n"
    assert out.read_text("utf-8") == (
        "timeline\n"
        "    title pakistan-russia\n"
        "        August 2013 : Pakistan–Russia two-way trade reported at almost US$542 million\n"
        "                    : Russian Air Force chief visits Pakistan\n"
        "        28 August 2013 : First Pakistan–Russia Strategic Dialogue opens in Moscow\n"
        "        2014 (expected) : NATO forces withdraw from Afghanistan\n")

    rows = {row["name"]: row for row in json.loads(run("plugins", "--json").stdout)}
    assert rows["mermaid"] == {"name": "mermaid", "distribution": "timeline-mermaid",
                               "version": "0.1.0", "hooks": ["timeline_exporters"],
                               "formats": ["mermaid"], "importers": [], "status": "ok",
                               "error": None}


def test_its_own_tests_pass_with_this_projects_pytest_fixtures(installed: object,
                                                               tmp_path: Path) -> None:
    copy = tmp_path / "timeline-mermaid"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=copy, capture_output=True, text=True, timeout=120,
                          env=clean_env(PYTHONPATH=str(site)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("4 passed")


def test_the_example_needs_no_more_than_it_declares() -> None:
    # What docs/plugins.md tells authors: depend on diplomatic-timeline, register under
    # the "timeline" group; the writer module is imported only when exporting.
    pyproject = (EXAMPLE / "pyproject.toml").read_text("utf-8")
    assert 'dependencies = ["diplomatic-timeline>=0.1"]' in pyproject
    assert '[project.entry-points.timeline]\nmermaid = "timeline_mermaid"' in pyproject
    code = ("import sys, timeline_mermaid; timeline_mermaid.timeline_exporters(); "
            "assert 'timeline_mermaid.writer' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60,
                   env=clean_env(PYTHONPATH=str(EXAMPLE)))


@pytest.mark.venv
def test_the_example_installs_into_a_fresh_virtual_environment(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    bin_ = venv / ("Scripts" if os.name == "nt" else "bin")
    env = clean_env()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    example = tmp_path / "timeline-mermaid"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([str(bin_ / "python"), "-m", "pip", "install", "--quiet", str(ROOT),
                           f"{example}[test]"], capture_output=True, text=True, timeout=600,
                          env=env)
    assert done.returncode == 0, done.stderr

    def timeline_(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(bin_ / "timeline"), *map(str, args)], capture_output=True,
                              text=True, timeout=120, env=env, cwd=tmp_path)

    done = timeline_("formats")
    assert (done.returncode, done.stderr) == (0, "")
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == FORMATS
    done = timeline_("export", BUNDLED, "-f", "mermaid")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == EXPECTED.read_text("utf-8")
    rows = {row["name"]: row for row in json.loads(timeline_("plugins", "--json").stdout)}
    assert (rows["mermaid"]["distribution"], rows["mermaid"]["version"],
            rows["mermaid"]["status"]) == ("timeline-mermaid", "0.1.0", "ok")
    assert {row["distribution"] for name, row in rows.items() if name != "mermaid"} == {
        "diplomatic-timeline"}
    assert {row["version"] for name, row in rows.items() if name != "mermaid"} == {
        timeline.__version__}

    # The bundled chronology comes from the installed wheel's package data, and the
    # fixtures from the pytest11 entry point: the plugin's own tests pass.
    where = subprocess.run([str(bin_ / "python"), "-c", "from timeline.testing import "
                            "bundled_log_path; print(bundled_log_path())"],
                           capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert Path(where.stdout.strip()).parent.parts[-2:] == ("timeline", "data")
    assert Path(where.stdout.strip()).read_bytes() == BUNDLED.read_bytes()
    done = subprocess.run([str(bin_ / "pytest"), "-q", "-p", "no:cacheprovider"], cwd=example,
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("4 passed")
