"""The benchmark harness (``bench/``) at its smallest size, and start-up imports.

Speed targets live in ``bench/RESULTS.md``, never here: these tests check that
the generator writes the log it promises and that ``bench/run.py`` measures
every task and writes both reports. The eventsourcing tasks are skipped (the
library is installed only in the bench environment).
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from timeline import Log

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


def _entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate.generate(tmp_path_factory.mktemp("gen") / "g.jsonl", 3000, seed=7)


def test_the_generated_log_verifies_with_the_promised_size(generated: Path) -> None:
    report = Log(generated).verify()
    lines = _entries(generated)
    assert report.entries == len(lines) == 3000
    kinds = collections.Counter(e["type"] for e in lines)
    assert report.events == kinds["recorded"] - kinds["retracted"]


def test_the_mix_of_entries_dates_actors_and_scripts(generated: Path) -> None:
    lines = _entries(generated)
    kinds = collections.Counter(e["type"] for e in lines)
    assert 0.17 <= kinds["revised"] / 3000 <= 0.23  # about 20%
    assert 0.01 <= kinds["retracted"] / 3000 <= 0.03  # about 2%
    events = [e["event"] for e in lines if e["event"]]
    dates = [e["date"] for e in events]
    shapes = collections.Counter(
        "interval" if "/" in d else "qualified" if d[-1] in "?~%" else
        "decade" if d.endswith("X") else "season" if len(d) == 7 and d[5] == "2" else
        {4: "year", 7: "month", 10: "day"}[len(d)] for d in dates)
    assert set(shapes) == {"day", "month", "year", "qualified", "interval", "season", "decade"}
    assert shapes["day"] > shapes["month"] > shapes["year"] > shapes["interval"]
    assert {len(e["actors"]) for e in events} == {1, 2, 3, 4}
    assert {len(e["sources"]) for e in events} == {1, 2, 3}
    assert any(not s.get("url") for e in events for s in e["sources"])  # print sources
    assert any(e["tags"] for e in events) and any(not e["tags"] for e in events)
    scripts = {unicodedata.name(c).split()[0] for e in events for c in e["title"]
               if c.isalpha()}
    assert {"LATIN", "CYRILLIC", "ARABIC", "DEVANAGARI", "CJK", "GREEK"} <= scripts


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    a = generate.generate(tmp_path / "a.jsonl", 200, seed=3).read_bytes()
    b = generate.generate(tmp_path / "b.jsonl", 200, seed=3).read_bytes()
    c = generate.generate(tmp_path / "c.jsonl", 200, seed=4).read_bytes()
    assert a == b != c


def test_a_smoke_run_measures_every_task_and_writes_both_reports(tmp_path: Path) -> None:
    out, raw = tmp_path / "RESULTS.md", tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--sizes", "120", "--runs", "1",
         "--no-eventsourcing", "--data", str(tmp_path / "data"), "--out", str(out),
         "--json", str(raw)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(raw.read_text())
    size = results["sizes"]["120"]
    log = next((tmp_path / "data").glob("log-120-*.jsonl"))
    lines = _entries(log)
    kinds = collections.Counter(e["type"] for e in lines)
    events = kinds["recorded"] - kinds["retracted"]
    assert size["entries"] == len(lines) == 120
    assert size["fold_floor"]["items"] == size["fold"]["items"] == size["verify"]["items"] == 120
    assert size["fold_half"]["items"] == 60
    assert size["fold"]["runs"][0]["events"] == events
    for fmt in ("ical", "json", "markdown"):
        assert size[f"export_{fmt}"]["items"] == events
        assert size[f"export_{fmt}"]["runs"][0]["bytes"] > 0
    assert size["ical_floor"]["items"] == events
    assert size["append"]["items"] == size["append_floor"]["items"] == 120
    assert size["append_paced"]["items"] == 120
    assert size["append_paced"]["runs"][0]["pace_us"] > 0  # paced by this run's append
    assert 0 < size["append"]["runs"][0]["fsync_seconds"] < size["append"]["seconds"]["median"]
    assert size["fold_cold"]["items"] == size["fold_floor_orjson"]["items"] == 120
    assert size["append_batch"]["items"] == 120
    assert "es_append" not in size
    for task in ("fold", "append", "export_json"):
        assert size[task]["maxrss_mb"]["median"] > 5  # a Python process, measured
    assert set(results["cli"]) == {"cli_version", "cli_help", "cli_export"}
    text = out.read_text()
    assert "## Targets" in text and "## 120 entries (120 entries" in text
    assert ("| open + fold the whole log (`Log.chronology()`), read before: checked prefix |"
            in text)
    assert "| open + fold, first read of the log: every entry checked |" in text
    assert f"- command: `{results['command']}`" in text


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_neither_icalendar_nor_entry_points(flag: str) -> None:
    probe = (
        "import sys, importlib.metadata as md\n"
        "calls = []\n"
        "real = md.entry_points\n"
        "md.entry_points = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
        f"sys.argv = ['timeline', '{flag}']\n"
        "from timeline.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('icalendar', 'timeline_ical', 'edtf', 'pyparsing'))\n"
        "print('RESULT', heavy, len(calls))\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "RESULT [] 0"


def test_the_read_model_bench_compares_outputs_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "READ_MODEL.md"
    done = subprocess.run([sys.executable, str(BENCH / "readmodel_bench.py"), "--entries", "2000",
                           "--runs", "1", "--data", str(tmp_path / "data"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = [line for line in out.read_text("utf-8").splitlines() if line.startswith("| `")]
    assert [line.split(" | ")[0] for line in table] == [
        "| `timeline list big.sqlite --actor PAK --from 1990 --to 1999`",
        "| `timeline export big.sqlite -f json --title T --actor PAK --from 1990 --to 1999`",
        "| `timeline list big.sqlite --as-of 1000 --actor PAK --from 1990 --to 1999`"]
    counts = [int(line.split(" | ")[1]) for line in table]
    assert counts[0] == counts[1] > 0  # the same filter listed and exported


def test_the_file_read_model_bench_compares_outputs_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "FILE_READ_MODEL.md"
    done = subprocess.run([sys.executable, str(BENCH / "file_readmodel_bench.py"), "--entries",
                           "2000", "--runs", "1", "--data", str(tmp_path / "data"), "--out",
                           str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = [line for line in out.read_text("utf-8").splitlines() if line.startswith("| ")]
    assert [line.split(" | ")[0] for line in table[2:]] == [
        "| first read", "| later read", "| after another process appended one entry"]
    assert "Command: `timeline list big.jsonl --actor PAK --from 1990 --to 1999` (8 events)" in (
        out.read_text("utf-8"))
