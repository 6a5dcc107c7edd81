"""The SQL read model (docs/read-model.md), measured as a user runs the CLI.

On a generated log (``bench/generate.py``, 100k entries, seed 5 by default) copied into
SQLite, each command runs as its own process (interpreter start-up included), its wall
time measured from the parent:

- ``before``: the same database without its read model, as release 1 made it (the read
  model tables dropped, ``schema_version`` 1): every command folds the whole log, as
  release 1 did (the fold path is release 1's code, unchanged);
- ``after``: with the read model: filters and as-of run in SQLite;
- ``floor``: a bare SQLite query of the same filter on a plain table of current events
  (one row an event: its bounds, its event JSON; a side table of actor codes), the rows
  decoded with ``orjson`` and printed, in ``python -c`` (interpreter start-up included).

Runs are interleaved (run 1 of every command, then run 2...), ratios computed run by
run; the median is reported. Every ``after`` output is compared with ``before``'s, and
the floor's line count with theirs. Results go to ``bench/READ_MODEL.md``.

Run from the repository root::

    .venv/bin/python bench/readmodel_bench.py --entries 100000 --runs 7 --out bench/READ_MODEL.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import GENERATOR_VERSION, generate  # noqa: E402

from timeline import Log, fold  # noqa: E402

FILTER = ["--actor", "PAK", "--from", "1990", "--to", "1999"]
COMMANDS = {
    "list": ["list", "{log}", *FILTER],
    "export json": ["export", "{log}", "-f", "json", "--title", "T", *FILTER],
    "list --as-of N/2": ["list", "{log}", "--as-of", "{half}", *FILTER],
}
FLOOR = """
import sqlite3, sys, orjson
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT e.json FROM events e WHERE e.upper >= '1990-01-01' AND e.lower <= '1999-12-31' "
    "AND e.id IN (SELECT a.id FROM actors a WHERE a.code >= 'PAK' AND a.code < 'PAL') "
    "ORDER BY e.lower, e.upper, e.rank, e.id").fetchall()
out = sys.stdout.write
for (text,) in rows:
    event = orjson.loads(text)
    out(f"{event['date']}\\t{event['id']}\\t{event['title']}\\n")
"""


def prepare(n: int, seed: int, data: Path) -> tuple[Path, Path, Path]:
    """``(after, before, floor)`` databases for the log of ``n`` entries (cached)."""
    data.mkdir(parents=True, exist_ok=True)
    stem = data / f"log-{n}-seed{seed}-v{GENERATOR_VERSION}"
    source = stem.with_suffix(".jsonl")
    if not source.exists():
        generate(source, n, seed=seed)
    after = Path(f"{stem}-readmodel.sqlite")
    if not after.exists():
        Log(source).copy_to(after).store.close()
    before = Path(f"{stem}-release1.sqlite")
    if not before.exists():
        shutil.copyfile(after, before)
        db = sqlite3.connect(before, isolation_level=None)
        for table in ("timeline_read_actors", "timeline_read_tags", "timeline_read_events",
                      "timeline_read_tracking"):
            db.execute(f"DROP TABLE {table}")
        db.execute("UPDATE timeline_meta SET value = '1' WHERE key = 'schema_version'")
        db.execute("VACUUM")
        db.close()
    floor = Path(f"{stem}-floor.sqlite")
    if not floor.exists():
        import orjson

        db = sqlite3.connect(floor, isolation_level=None)
        db.execute("CREATE TABLE events (id TEXT PRIMARY KEY, lower TEXT, upper TEXT, "
                    "rank INTEGER, json TEXT)")
        db.execute("CREATE INDEX events_order ON events (lower, upper, rank, id)")
        db.execute("CREATE TABLE actors (id TEXT, code TEXT, PRIMARY KEY (code, id))")
        db.execute("BEGIN")
        for state in fold(Log(source).entries()):
            event = state.event
            lower, upper, rank = event.date.sort_key
            db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                       (event.id, lower.isoformat(), upper.isoformat(), rank,
                        orjson.dumps(event.to_dict()).decode()))
            db.executemany("INSERT OR IGNORE INTO actors VALUES (?, ?)",
                           [(event.id, a.code) for a in event.actors])
        db.execute("COMMIT")
        db.close()
    return after, before, floor


def timed(argv: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=True)
    return time.perf_counter() - start, done.stdout


def arguments(doc: str, out: str, argv: list[str] | None) -> argparse.Namespace:
    """The options both read model benches take (``out``: the report's default name)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--out", type=Path, default=HERE / out)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, "READ_MODEL.md", argv)
    after, before, floor = prepare(args.entries, args.seed, args.data)
    timeline = str(Path(sys.executable).with_name("timeline"))
    half = str(args.entries // 2)
    times: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for run in range(args.runs):
        for name, command in COMMANDS.items():
            outputs = {}
            for kind, log in (("before", before), ("after", after)):
                seconds, out = timed([timeline, *(part.format(log=log, half=half)
                                                 for part in command)])
                times.setdefault(f"{name}|{kind}", []).append(seconds)
                outputs[kind] = out
            if outputs["after"] != outputs["before"]:
                raise SystemExit(f"{name}: the read model's output differs from the fold's")
            # events: lines of a list; an export's are counted in its JSON
            counts[name] = (outputs["after"].count(b"\n") if name.startswith("list") else
                            len(json.loads(outputs["after"])["events"]))
        seconds, out = timed([sys.executable, "-c", FLOOR, str(floor)])
        times.setdefault("floor", []).append(seconds)
        if out.count(b"\n") != counts["list"]:
            raise SystemExit("the floor query found another number of events")
        seconds, _ = timed([sys.executable, "-c", "pass"])
        times.setdefault("python -c pass", []).append(seconds)
        seconds, _ = timed([sys.executable, "-c", "import timeline.cli"])
        times.setdefault("import timeline.cli", []).append(seconds)
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    lines = [
        "# The SQL read model: before and after, against a bare SQLite query",
        "",
        f"Command: `.venv/bin/python bench/readmodel_bench.py --entries {args.entries} "
        f"--runs {args.runs} --out {args.out.name if args.out.parent == HERE else args.out}`"
        f" (see `bench/README.md`).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}. Log: `bench/generate.py` {args.entries:,} entries, seed "
        f"{args.seed}, copied into SQLite. Filter: `{' '.join(FILTER)}`. Wall time of the "
        f"whole process, median of {args.runs} interleaved runs.",
        "",
        "| command | events | before (fold) | after (read model) | before / after | "
        "after / floor |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    floor_times = times["floor"]
    for name, command in COMMANDS.items():
        b, a = times[f"{name}|before"], times[f"{name}|after"]
        speedup = statistics.median(x / y for x, y in zip(b, a))
        vs_floor = statistics.median(y / f for y, f in zip(a, floor_times))
        shown = " ".join(part.format(log="big.sqlite", half=half) for part in command)
        lines.append(f"| `timeline {shown}` | {counts[name]} | {statistics.median(b):.2f} s "
                     f"| {statistics.median(a):.3f} s | {speedup:.0f}x | {vs_floor:.2f}x |")
    lines += [
        "",
        f"Floor (a plain table of current events, the same filter, rows decoded with orjson, "
        f"in `python -c`): {statistics.median(floor_times):.3f} s; `python -c pass` alone: "
        f"{statistics.median(times['python -c pass']):.3f} s; `python -c 'import "
        f"timeline.cli'` (start-up and the imports every command pays): "
        f"{statistics.median(times['import timeline.cli']):.3f} s. The issue's target for the "
        "`list` line is after / floor <= 3x.",
        "",
        "Where the `list` time goes: start-up and imports (`import timeline.cli`; the package "
        "imports every public module) "
        f"{statistics.median(times['import timeline.cli']):.3f} s; the rest (open, check the "
        "head, the query, read and check each selected entry's line, print) "
        f"{statistics.median(times['list|after']) - statistics.median(times['import timeline.cli']):.3f}"
        " s, against the floor's "
        f"{statistics.median(floor_times) - statistics.median(times['python -c pass']):.3f} s "
        "after its own start-up.",
        "",
    ]
    return report(args.out, lines)


def report(out: Path, lines: list[str]) -> int:
    """Write the report's ``lines`` to ``out`` and print them; the exit status."""
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
