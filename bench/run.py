"""Run the benchmarks and write ``bench/RESULTS.md`` and ``bench/results.json``.

Usage (see ``bench/README.md``)::

    bench/.venv/bin/python bench/run.py [--sizes 10k,100k] [--runs 3] [--tasks fold,verify]

For each size, a log is generated once (cached in ``bench/data/``), then every
task of ``bench/measure.py`` runs in its own process, ``--runs`` times,
interleaved (run 1 of every task, then run 2...) so that a noisy moment does
not hit one task only. Each figure is the median of the runs, with the range
(min..max); each ratio is computed run by run (run k of one task against run k
of the other) and reported as the median and range of those ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

# The generator's version, read without importing it: this process stays small, because
# a child's ru_maxrss starts from the memory it shared with us between fork and exec.
GENERATOR_VERSION = int(re.search(r"^GENERATOR_VERSION = (\d+)$",
                                  (HERE / "generate.py").read_text(), re.M).group(1))

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
APPENDS = 1_000  # single durable appends measured on each log
BATCHED = 10_000  # entries appended in batches of 1,000
QUERY = ("PAK", "1990", "1999")  # one actor (a CAMEO prefix), one decade
FORMATS = ("ical", "json", "markdown")
MB = 1024 * 1024


def label(n: int) -> str:
    return next((k for k, v in SIZES.items() if v == n), str(n))


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip()
        sizes.append(SIZES[part] if part in SIZES else int(part.replace("_", "")))
    return sizes


def ensure_log(python: str, data: Path, n: int, seed: int) -> Path:
    path = data / f"log-{n}-seed{seed}-v{GENERATOR_VERSION}.jsonl"
    if not path.exists():
        subprocess.run([python, str(HERE / "generate.py"), str(path), str(n), "--seed",
                        str(seed)], check=True)
    return path


def run_child(argv: list[str], python: str) -> dict[str, Any]:
    """Run a measure.py task: its JSON result (with its own peak RSS) and wall time."""
    started = time.perf_counter()
    proc = subprocess.run([python, str(HERE / "measure.py"), *argv], capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"measure.py {' '.join(argv)} failed:\n{proc.stderr.decode()[-3000:]}")
    result = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def run_command(argv: list[str]) -> dict[str, Any]:
    """Time an external command (the CLI): wall time, and peak RSS from ``os.wait4``."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv)} failed: {err.read().decode()[-2000:]}")
    return {"seconds": wall, "items": 1, "maxrss_kb": rusage.ru_maxrss}


def tasks_for(log: Path, n: int, work: Path, with_es: bool) -> list[tuple[str, list[str]]]:
    s = str(log)
    tasks = [
        ("fold_floor", ["fold_floor", s]),
        ("fold_floor_orjson", ["fold_floor_orjson", s]),
        ("fold", ["fold", s]),
        ("fold_cold", ["fold", s, "--cold"]),
        ("fold_half", ["fold_half", s]),
        ("verify", ["verify", s]),
        ("query", ["query", s, *QUERY]),
    ]
    tasks += [(f"export_{f}", ["export", s, f, str(work / f"out.{f}")]) for f in FORMATS]
    tasks += [("export_ical_reference", ["export", s, "ical", str(work / "ref.ical"),
                                         "--reference"]),
              ("ical_writer", ["ical_writer", s]),
              ("ical_writer_reference", ["ical_writer", s, "--reference"])]
    tasks += [
        ("ical_floor", ["ical_floor", s, str(work / "floor.ics")]),
        ("append", ["append", s, str(work), str(min(APPENDS, n))]),
        ("append_floor", ["append_floor", s, str(work), str(min(APPENDS, n))]),
        # paced by this run's append: its time outside fsync, per append (see run_child)
        ("append_paced", ["append_floor", s, str(work), str(min(APPENDS, n)), "PACE"]),
        ("append_batch", ["append_batch", s, str(work), str(min(BATCHED, n))]),
    ]
    if with_es:
        db = str(work / f"es-{n}.sqlite")
        tasks += [("es_append", ["es_append", s, db]), ("es_replay", ["es_replay", db])]
    return tasks


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if not runs:
        return {"skipped": "needs the append task in the same run"}
    if any("skipped" in r for r in runs):
        return {"skipped": runs[0].get("skipped")}
    seconds = [r["seconds"] for r in runs]
    rates = [r["items"] / r["seconds"] if r["seconds"] else None for r in runs]
    rss = [r.get("peak_rss_kb", r.get("maxrss_kb", 0)) / 1024 for r in runs]
    return {"runs": runs, "seconds": _stats(seconds), "rate": _stats([x for x in rates if x]),
            "items": runs[0]["items"], "maxrss_mb": _stats(rss)}


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratio(size: dict[str, Any], a: str, b: str, *, per: str = "seconds") -> dict[str, Any] | None:
    """Median and range of run-by-run ratios of ``a`` to ``b`` (seconds or rate)."""
    if a not in size or b not in size or "runs" not in size[a] or "runs" not in size[b]:
        return None
    values = []
    for ra, rb in zip(size[a]["runs"], size[b]["runs"]):
        if per == "seconds":
            values.append(ra["seconds"] / rb["seconds"])
        else:
            values.append((ra["items"] / ra["seconds"]) / (rb["items"] / rb["seconds"]))
    return _stats(values)


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, size in results["sizes"].items():
        def add(what: str, value: dict[str, Any] | None, limit: float, op: str,
                unit: str = "x") -> None:
            if value is None:
                rows.append({"size": name, "target": what, "limit": f"{op} {limit:g}{unit}",
                             "median": None, "met": None})
                return
            met = value["median"] <= limit if op == "<=" else value["median"] >= limit
            rows.append({"size": name, "target": what, "limit": f"{op} {limit:g}{unit}",
                         "median": value["median"], "min": value["min"], "max": value["max"],
                         "unit": unit, "met": met})

        add("open+fold of a log read before (orjson parse) / orjson floor",
            ratio(size, "fold", "fold_floor_orjson"), 3, "<=")
        add("(the same / json floor)", ratio(size, "fold", "fold_floor"), 3, "<=")
        add("open+fold, first read (json parse, every entry checked) / json floor",
            ratio(size, "fold_cold", "fold_floor"), 3, "<=")
        add("single durable append rate / fsync floor rate",
            ratio(size, "append", "append_floor", per="rate"), 0.8, ">=")
        add("(single durable append rate / paced fsync floor rate)",
            ratio(size, "append", "append_paced", per="rate"), 0.8, ">=")
        add("batched append rate / eventsourcing batched append rate",
            ratio(size, "append_batch", "es_append", per="rate"), 2, ">=")
        add("fold rate / eventsourcing replay rate",
            ratio(size, "fold", "es_replay", per="rate"), 2, ">=")
        add("iCal export time / icalendar floor time", ratio(size, "export_ical", "ical_floor"),
            1.3, "<=")
        add("iCal writer rate (events/s)", size.get("ical_writer", {}).get("rate"), 50_000,
            ">=", "")
        add("(iCal writer rate / icalendar reference writer rate)",
            ratio(size, "ical_writer", "ical_writer_reference", per="rate"), 1, ">=")
        add("(iCal export rate, to a file, fsynced (events/s))",
            size.get("export_ical", {}).get("rate"), 50_000, ">=", "")
        add("(iCal export rate / the same through the icalendar reference writer)",
            ratio(size, "export_ical", "export_ical_reference", per="rate"), 1, ">=")
        for fmt in ("json", "markdown"):
            rate = size.get(f"export_{fmt}", {}).get("rate")
            add(f"{fmt} export rate (events/s)", rate, 100_000, ">=", "")
        if name == "1M":
            for task in ("fold", "export_ical", "export_json", "export_markdown"):
                add(f"peak RSS of {task} (MB)", size.get(task, {}).get("maxrss_mb"), 1536,
                    "<=", " MB")
    return rows


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    fs = None
    try:
        best = ""
        for line in Path("/proc/mounts").read_text().splitlines():
            _, point, kind, *_ = line.split()
            if str(HERE).startswith(point) and len(point) > len(best):
                best, fs = point, f"{kind} on {point}"
    except OSError:
        pass
    return {"platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gb": mem, "filesystem": fs, "python": sys.version.split()[0]}


def versions() -> dict[str, str | None]:
    found = {}
    for dist in ("diplomatic-timeline", "eventsourcing", "icalendar", "edtf", "attrs",
                 "pluggy", "click", "portalocker", "pycountry", "orjson", "platformdirs"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def cli_tasks(python: str, bundled: Path, work: Path) -> list[tuple[str, list[str]]]:
    exe = str(Path(python).with_name("timeline"))
    return [("cli_version", [exe, "--version"]), ("cli_help", [exe, "--help"]),
            ("cli_export", [exe, "export", str(bundled), "-f", "ical", "-o",
                            str(work / "bundled.ics")])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the diplomatic-timeline benchmarks.")
    parser.add_argument("--sizes", default="10k,100k",
                        help="comma-separated sizes: 10k, 100k, 1M or a number "
                        "(default: 10k,100k; see bench/README.md for the 1M run)")
    parser.add_argument("--runs", type=int, default=3, help="runs per task (default 3)")
    parser.add_argument("--runs-1m", type=int, default=1,
                        help="runs per task at 1M entries (default 1)")
    parser.add_argument("--tasks", help="only these tasks (comma-separated names)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--data", default=str(HERE / "data"), help="where generated logs are kept")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--json", default=str(HERE / "results.json"))
    parser.add_argument("--merge", nargs="*", default=[], metavar="JSON",
                        help="earlier results files rendered into --out together with this run")
    parser.add_argument("--no-eventsourcing", action="store_true",
                        help="skip the eventsourcing tasks (also skipped when not installed)")
    args = parser.parse_args(argv)

    python = sys.executable
    with_es = not args.no_eventsourcing and versions()["eventsourcing"] is not None
    only = set(args.tasks.split(",")) if args.tasks else None
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    command = "python bench/run.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    results: dict[str, Any] = {
        "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command.strip(), "machine": machine(), "versions": versions(),
        "settings": {"runs": args.runs, "runs_1m": args.runs_1m, "appends": APPENDS,
                     "batched": BATCHED, "query": QUERY, "seed": args.seed,
                     "generator_version": GENERATOR_VERSION},
        "sizes": {}, "cli": {},
    }
    with tempfile.TemporaryDirectory(prefix="timeline-bench-", dir=data) as tmp:
        work = Path(tmp)
        os.environ["TIMELINE_CACHE_DIR"] = str(work / "cache")  # children's checked prefixes
        for n in parse_sizes(args.sizes):
            log = ensure_log(python, data, n, args.seed)
            runs = args.runs_1m if n >= 1_000_000 else args.runs
            tasks = [t for t in tasks_for(log, n, work, with_es) if not only or t[0] in only]
            collected: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in tasks}
            # The first read of the log records its checked prefix, as a user's first
            # command would; "fold" then measures every later open, "fold_cold" the first.
            run_child(["prime", str(log)], python)
            for k in range(runs):
                for name, child in tasks:
                    if "PACE" in child:
                        if not collected.get("append"):
                            continue
                        ours = collected["append"][-1]
                        pace = (ours["seconds"] - ours["fsync_seconds"]) / ours["items"] * 1e6
                        child = [f"{pace:.1f}" if a == "PACE" else a for a in child]
                    print(f"[{label(n)} run {k + 1}/{runs}] {name} ...", file=sys.stderr,
                          end=" ", flush=True)
                    result = run_child(child, python)
                    collected[name].append(result)
                    print("skipped" if "skipped" in result else
                          f"{result['seconds']:.3f} s, {result['peak_rss_kb'] / 1024:.0f} MB",
                          file=sys.stderr)
            results["sizes"][label(n)] = {name: summarise(r) for name, r in collected.items()}
            results["sizes"][label(n)]["entries"] = n
            results["sizes"][label(n)]["log_bytes"] = log.stat().st_size
            write(results, args)  # after each size, so a long run leaves what it measured
        if not only or any(name.startswith("cli") for name in only):
            cli = {name: [] for name, _ in cli_tasks(python, ROOT / "events/pakistan-russia.jsonl",
                                                     work)}
            for _ in range(args.runs):
                for name, cmd in cli_tasks(python, ROOT / "events/pakistan-russia.jsonl", work):
                    cli[name].append(run_command(cmd))
            results["cli"] = {name: summarise(r) for name, r in cli.items()}
    write(results, args)
    print(f"wrote {args.out} and {args.json}", file=sys.stderr)
    return 0


def write(results: dict[str, Any], args: argparse.Namespace) -> None:
    """Write the raw JSON and render RESULTS.md (merged with ``--merge`` files)."""
    import report

    results["targets"] = targets(results)
    results["finished"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    Path(args.json).write_text(json.dumps(results, indent=1, default=str) + "\n")
    earlier = [json.loads(Path(p).read_text()) for p in args.merge]
    Path(args.out).write_text(report.render(report.merge([*earlier, results])))


if __name__ == "__main__":
    sys.exit(main())
