"""Benchmarks of the three stores: JSON Lines file, SQLite, PostgreSQL.

For each size (the generated logs of ``bench/generate.py``, cached in ``bench/data/``) and
each store, measures:

- ``history``: open the log (a new ``Log``) and read one event's history (an event from
  the middle of the log): the file store reads and checks the whole file, the database
  stores use their index on event ids;
- ``head``: open the log and read its head (what an append needs first);
- ``fold``: ``Log(...).chronology()``, the whole log read, checked and folded;
- ``fold_10k``: ``chronology(as_of=10_000)``, an as-of fold of the first 10,000 entries;
- ``append``: 1,000 ``Log.record`` calls, each acknowledged (fsync / commit), on the log of
  that size (the open before it is not counted);
- ``copy``: ``Log.copy_to`` from the JSON Lines file into the store (every entry checked).

The database logs are loaded for the other tasks by a bench-only bulk insert of the file's
lines (not timed; ``copy`` times the library's own way). PostgreSQL is a throwaway server
started with ``tests/pg.py`` with its default durability (fsync on, synchronous commit), or
the server given by ``--postgres URL``. Results go to ``bench/STORES.md`` (and ``--json``).

Run from the repository root::

    .venv/bin/python bench/stores_bench.py --sizes 100k --out bench/STORES.md
    .venv/bin/python bench/stores_bench.py --sizes 1M --tasks history,head,fold_10k,append \\
        --out bench/STORES.md --merge bench/stores.json
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # tests/pg.py starts the throwaway server

from generate import GENERATOR_VERSION, generate, make_event  # noqa: E402

from timeline import Log  # noqa: E402

STORES = ("jsonl", "sqlite", "postgres")
TASKS = ("history", "head", "fold", "fold_10k", "append", "copy")
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
APPENDS = 1_000
_RATED = ("fold", "fold_10k", "append", "copy")  # history and head: a time, not a rate
SEED = 5


def log_file(n: int, data: Path) -> Path:
    path = data / f"log-{n}-seed{SEED}-v{GENERATOR_VERSION}.jsonl"
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} ...", file=sys.stderr)
        generate(path, n, seed=SEED)
    return path


def _rows(source: Path):  # noqa: ANN202
    with open(source, "rb") as f:
        for raw in f:
            line = raw[:-1].decode("utf-8")
            d = json.loads(line)
            yield (d["position"], d["recorded_at"], d["type"], d["event_id"],
                   d.get("idempotency_key"), d["hash"], line)


def load(kind: str, source: Path, place: Callable[[str], str]) -> str:
    """A log of ``kind`` holding exactly the file's lines (bench setup, unchecked, untimed)."""
    if kind == "jsonl":
        target = place("jsonl")
        shutil.copyfile(source, target)
        return target
    location = place(kind)
    Log.create(location)
    insert = ("INSERT INTO timeline_entries (position, recorded_at, type, event_id, "
              "idempotency_key, hash, line) VALUES (?, ?, ?, ?, ?, ?, ?)")
    if kind == "sqlite":
        connection = sqlite3.connect(location, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(insert, _rows(source))
        connection.execute("COMMIT")
        connection.close()
    else:
        import psycopg

        with psycopg.connect(location) as connection, connection.cursor() as cur:
            with cur.copy("COPY timeline_entries (position, recorded_at, type, event_id, "
                          "idempotency_key, hash, line) FROM STDIN") as copy:
                for row in _rows(source):
                    copy.write_row(row)
        with psycopg.connect(location, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE timeline_entries")
    return location


def _middle_event(source: Path, n: int) -> str:
    with open(source, "rb") as f:
        for i, raw in enumerate(f, start=1):
            if i >= n // 2 and b'"type":"recorded"' in raw:
                return json.loads(raw)["event_id"]
    raise SystemExit("no recorded entry in the second half")


def _drop_schemas(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        names = [r[0] for r in connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench_%'")]
        for name in names:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def measure(kind: str, n: int, source: Path, tasks: list[str],
            place: Callable[[str], str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(task: str, seconds: float, items: int, unit: str, note: str = "") -> None:
        rows.append({"store": kind, "entries": n, "task": task, "seconds": round(seconds, 4),
                     "items": items, "unit": unit, "note": note})
        rate = f"{items / seconds:,.0f} {unit}/s" if seconds and items else ""
        print(f"{kind:8} {n:>9,} {task:9} {seconds:10.3f} s  {rate} {note}", file=sys.stderr)

    if "copy" in tasks:
        target = place("copy")
        seconds, _ = timed(lambda: Log(source).copy_to(target))
        add("copy", seconds, n, "entries")
    needs_log = [t for t in tasks if t != "copy"]
    if not needs_log:
        return rows
    location = load(kind, source, place)
    event_id = _middle_event(source, n)
    if "history" in tasks:
        seconds, found = timed(lambda: Log(location).history(event_id))
        add("history", seconds, len(found), "entries", f"event {event_id}")
    if "head" in tasks:
        seconds, _ = timed(lambda: Log(location).head)
        add("head", seconds, 1, "open")
    if "fold_10k" in tasks:
        seconds, chronology = timed(lambda: Log(location).chronology(as_of=10_000))
        add("fold_10k", seconds, min(n, 10_000), "entries", f"{len(chronology)} events")
    if "fold" in tasks:
        seconds, chronology = timed(lambda: Log(location).chronology())
        add("fold", seconds, n, "entries", f"{len(chronology)} events")
    if "append" in tasks:
        import random

        rng = random.Random(11)
        events = [make_event(rng, i, f"bench-store-append-{i}") for i in range(APPENDS)]
        log = Log(location)
        log.head  # noqa: B018 - the open, not counted

        def appends() -> None:
            for event in events:
                log.record(event)
        seconds, _ = timed(appends)
        add("append", seconds, APPENDS, "appends", f"{seconds / APPENDS * 1000:.2f} ms each")
    return rows


def machine() -> str:
    from run import machine as facts  # bench/run.py: the same description as RESULTS.md

    m = facts()
    return (f"{m['platform']}, {m['cores']} cores {m['cpu']}, {m['memory_gb']} GB, "
            f"{m['filesystem']}, Python {m['python']}, SQLite {sqlite3.sqlite_version}")


def report(rows: list[dict[str, Any]], command: str, extra: str) -> str:
    by = {(r["entries"], r["task"], r["store"]): r for r in rows}
    sizes = sorted({r["entries"] for r in rows})
    out = ["# Store benchmarks", "",
           "Generated by `bench/stores_bench.py` (see its docstring for what each task is).", "",
           f"- machine: {machine()}", f"- {extra}",
           *([f"- command: `{command}`"] if command else []), "",
           "Seconds for one run (lower is better); the rate in brackets.", ""]
    for n in sizes:
        out += [f"## {n:,} entries", "", "| task | " + " | ".join(STORES) + " |",
                "| --- |" + " ---: |" * len(STORES)]
        for task in TASKS:
            cells = []
            for kind in STORES:
                r = by.get((n, task, kind))
                if r is None:
                    cells.append("-")
                    continue
                rate = (f" ({r['items'] / r['seconds']:,.0f} {r['unit']}/s)"
                        if r["seconds"] and task in _RATED else "")
                cells.append(f"{r['seconds']:.3f}{rate}")
            if any(c != "-" for c in cells):
                out.append(f"| {task} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k", help="comma-separated: 10k,100k,1M or numbers")
    parser.add_argument("--stores", default=",".join(STORES))
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--postgres", help="a postgresql:// URL of a server to use")
    parser.add_argument("--out", type=Path, default=HERE / "STORES.md")
    parser.add_argument("--json", type=Path, default=HERE / "stores.json")
    parser.add_argument("--merge", type=Path, help="earlier --json results to keep")
    parser.add_argument("--note", action="append", default=[],
                        help="a line for the report, e.g. what else ran on the machine")
    parser.add_argument("--render", action="store_true",
                        help="measure nothing: write the report of the --merge results")
    args = parser.parse_args(argv)
    command = "python bench/stores_bench.py " + " ".join(argv if argv is not None else
                                                          sys.argv[1:])
    if args.render:
        rows = json.loads(args.merge.read_text())
        args.out.write_text(report(rows, "", "\n- ".join(args.note)) + "\n")
        return 0
    sizes = [SIZES.get(s) or int(s) for s in args.sizes.split(",")]
    stores = args.stores.split(",")
    tasks = args.tasks.split(",")
    workdir = Path(tempfile.mkdtemp(prefix="timeline-stores-", dir=args.data))
    server = None
    counter = iter(range(1 << 30))
    try:
        if "postgres" in stores and not args.postgres:
            import pg

            server = pg.start(durable=True)
        base = args.postgres or (server.url if server else "")

        def place(label: str) -> str:
            """A new location for a log of the store being measured (``current``)."""
            if current == "postgres":
                schema = f"bench_{next(counter)}"
                return (server.database_url("bench", schema) if server else
                        f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}")
            suffix = ".sqlite" if current == "sqlite" else ".jsonl"
            return str(workdir / f"{label}-{next(counter)}{suffix}")

        rows: list[dict[str, Any]] = json.loads(args.merge.read_text()) if args.merge else []
        for n in sizes:
            source = log_file(n, args.data)
            for kind in stores:
                current = kind
                rows = [r for r in rows if (r["entries"], r["store"], r["task"]) not in
                        {(n, kind, t) for t in tasks}]
                rows += measure(kind, n, source, tasks, place)
                for leftover in workdir.iterdir():
                    leftover.unlink()
                if server is not None:  # free the disk: drop the schemas measured
                    _drop_schemas(server.database_url("bench"))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    args.json.write_text(json.dumps(rows, indent=1) + "\n")
    pg_note = (f"PostgreSQL: {args.postgres}" if args.postgres else
               "PostgreSQL: throwaway local server (tests/pg.py), fsync on, synchronous commit")
    args.out.write_text(report(rows, command, "\n- ".join([pg_note, *args.note])) + "\n")
    print(f"wrote {args.out} and {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
