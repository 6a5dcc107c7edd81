"""Streaming exports: peak RSS and events/s of the JSON and Markdown exports, before/after.

``python bench/stream_export.py [--sizes 10k,100k] [--data DIR] [--json OUT]`` generates
(or reuses) a log of each size (``bench/generate.py``, seed 5), then runs every task
below in its own process, so that each peak RSS (``VmHWM``: interpreter and imports
included) is its own, and prints one Markdown table with the ratios of the run.

Tasks, for each format (``json``, ``markdown``):

- ``fold``: ``Log(path).chronology()`` alone: what the file store's fold holds today
  (materialising it is the file read model's job, later), for the writer's share.
- ``log_chronology``: fold, then the writer called as before streams existed, with
  the whole ``Chronology`` (``writer(chronology, out)``): the full export, before.
- ``log_stream``: fold, then ``timeline.export`` of an ``EventStream`` of it, as
  ``timeline export`` now does: the full export, after.
- ``cursor_chronology``: the current events read from a SQLite table in order (a
  stand-in for the read model: one pickled ``EventState`` a row, written by the
  untimed ``prepare`` step), read into a ``Chronology``, then written: what a
  writer that does not stream costs from a cursor.
- ``cursor_stream``: the same rows as an ``EventStream`` straight from the cursor:
  what a streaming writer costs, the writer's own share plus the row decoding.

``seconds`` is the export alone (for the cursor tasks, reading the rows included),
and ``events/s`` is events over those seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FORMATS = ("json", "markdown")
TASKS = ("fold", "log_chronology", "log_stream", "cursor_chronology", "cursor_stream")


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def _rows(db: str) -> Any:
    """An EventStream's arguments from the stand-in read model: its events in order."""
    connection = sqlite3.connect(db)
    title, position = connection.execute("SELECT title, position FROM meta").fetchone()
    count = connection.execute("SELECT count(*) FROM current").fetchone()[0]
    cursor = connection.execute("SELECT state FROM current ORDER BY seq")
    return (pickle.loads(blob) for (blob,) in cursor), {"count": count, "title": title,
                                                        "position": position}


def task(name: str, source: str, format: str, out: str) -> dict[str, Any]:
    from timeline import EventStream, Log, Output, export, make_plugin_manager

    plugins = make_plugin_manager()
    writer = plugins.exporter(format).load()
    if name.startswith("log_") or name == "fold":
        chronology = Log(source).chronology()
        count = len(chronology)
    else:
        states, meta = _rows(source)
        count = meta["count"]
    started = time.perf_counter()
    # Every export is written as timeline.export writes a path (atomically, fsynced).
    if name == "log_chronology":
        with Output(out).writing() as stream:
            writer(chronology, stream)
    elif name == "log_stream":
        export(EventStream.from_chronology(chronology), format, out, plugins=plugins)
    elif name == "cursor_chronology":
        materialised = EventStream(states, **meta).chronology()
        with Output(out).writing() as stream:
            writer(materialised, stream)
    elif name == "cursor_stream":
        export(EventStream(states, **meta), format, out, plugins=plugins)
    seconds = time.perf_counter() - started
    size = os.path.getsize(out) if os.path.exists(out) else 0
    return {"task": name, "format": format, "events": count, "seconds": seconds,
            "bytes": size, "peak_rss_kb": _rss_kb()}


def prepare(log: str, db: str) -> None:
    """Write the log's current events, in order, one pickled EventState a row."""
    from timeline import Log

    chronology = Log(log).chronology()
    connection = sqlite3.connect(db)
    connection.execute("CREATE TABLE meta (title TEXT, position INTEGER)")
    connection.execute("INSERT INTO meta VALUES (?, ?)", (chronology.title, chronology.position))
    connection.execute("CREATE TABLE current (seq INTEGER PRIMARY KEY, state BLOB)")
    connection.executemany("INSERT INTO current (state) VALUES (?)",
                           ((pickle.dumps(state),) for state in chronology))
    connection.commit()
    connection.close()


def _size(text: str) -> int:
    text = text.lower()
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(
        float(text[:-1]) * 1_000_000) if text.endswith("m") else int(text)


def _run(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--task", *args], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--data", default=str(HERE / "data"))
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--task", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        if args.task[0] == "prepare":
            prepare(*args.task[1:])
            print("{}")
        else:
            print(json.dumps(task(*args.task)))
        return 0
    sys.path.insert(0, str(HERE))
    import generate

    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "export.out")
        for text in args.sizes.split(","):
            n = _size(text)
            log = data / f"stream-{n}-s5-v{generate.GENERATOR_VERSION}.jsonl"
            if not log.exists():
                generate.generate(log, n, seed=5)
            db = os.path.join(scratch, f"current-{n}.sqlite")
            _run("prepare", str(log), db)
            for format in FORMATS:
                for name in TASKS:
                    source = db if name.startswith("cursor_") else str(log)
                    results.append({"entries": n, **_run(name, source, format, out)})
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


def report(results: list[dict[str, Any]]) -> str:
    by = {(r["entries"], r["format"], r["task"]): r for r in results}
    lines = ["| entries | format | task | events | seconds | events/s | peak RSS (MB) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        rate = f"{r['events'] / r['seconds']:,.0f}" if r["task"] != "fold" else "–"
        seconds = f"{r['seconds']:.3f}" if r["task"] != "fold" else "–"
        lines.append(f"| {r['entries']:,} | {r['format']} | {r['task']} | {r['events']:,} | "
                     f"{seconds} | {rate} | {r['peak_rss_kb'] / 1024:.1f} |")
    sizes = sorted({r["entries"] for r in results})
    lines += ["", "Ratios (this run):", ""]
    mb = {key: r["peak_rss_kb"] / 1024 for key, r in by.items()}
    for format in FORMATS:
        for n in sizes:
            lines.append(
                f"- {format}, {n:,} entries: writer's share of a full export (RSS above the "
                f"fold's) before {mb[n, format, 'log_chronology'] - mb[n, format, 'fold']:.1f} "
                f"MB, after {mb[n, format, 'log_stream'] - mb[n, format, 'fold']:.1f} MB; "
                f"from a cursor, materialised / streamed peak RSS "
                f"{mb[n, format, 'cursor_chronology'] / mb[n, format, 'cursor_stream']:.2f}x")
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            lines.append(
                f"- {format}: streamed from a cursor, peak RSS {large:,} / {small:,} entries "
                f"{mb[large, format, 'cursor_stream'] / mb[small, format, 'cursor_stream']:.2f}x"
                f"; materialised {mb[large, format, 'cursor_chronology'] / mb[small, format, 'cursor_chronology']:.2f}x")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
