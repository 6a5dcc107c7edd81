"""Where the JSON and Markdown exports spend their time, against their floors.

Usage: ``python bench/profile_export.py LOG [--runs N] [--out DIR]``. Folds LOG
once, then prints CPU time per exported event (best of N runs, ``process_time``):

- ``touch``: reading every field the exports read, nothing else: the floor of
  any exporter written in Python over these records;
- ``orjson, prebuilt documents``: ``orjson.dumps(OPT_INDENT_2)`` of the JSON
  event documents, built beforehand (not timed), 500 at a time;
- ``disk``: writing the export's bytes to a file in DIR and fsyncing it (wall time);
- each writer's ``write`` into ``/dev/null``;
- then the writers' cProfile, top functions by own time, in us per call.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "plugins"))

import orjson  # noqa: E402
from timeline_json import writer as json_writer  # noqa: E402
from timeline_json.document import event_document  # noqa: E402
from timeline_markdown import writer as markdown_writer  # noqa: E402

from timeline import Chronology, Log  # noqa: E402


def best(runs: int, job: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        job()
        times.append(time.process_time() - started)
    return min(times)


def touch(chronology: Chronology) -> None:
    for state in chronology:
        event = state.event
        (event.id, event.title, event.summary, event.date.edtf, event.date.lower, event.place,
         event.cameo, event.status, event.tags)
        for actor in event.actors:
            (actor.code, actor.name, actor.role)
        for source in event.sources:
            (source.url, source.title, source.publisher, source.published)
        (state.recorded_at, state.updated_at, state.revisions, state.first_position,
         state.last_position)


def disk(data: bytes, folder: Path) -> float:
    path = folder / "profile-export.tmp"
    started = time.perf_counter()
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    done = time.perf_counter() - started
    path.unlink()
    return done


def profile(write: Callable[..., None], chronology: Chronology, n: int) -> None:
    profiler = cProfile.Profile()
    with open(os.devnull, "wb") as null:
        profiler.runcall(write, chronology, null)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = sorted(stats.items(), key=lambda item: -item[1][2])[:10]
    print(f"  {'calls/event':>11} {'own us/call':>11} {'own us/event':>12}  function")
    for (file, line, name), (_, calls, own, _cum, _) in rows:
        print(f"  {calls / n:11.2f} {own / calls * 1e6:11.2f} {own / n * 1e6:12.2f}  "
              f"{name} ({Path(file).name}:{line})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "data",
                        help="folder for the disk floor's file (default bench/data)")
    args = parser.parse_args()
    chronology = Log(args.log).chronology()
    n = len(chronology)
    documents = [event_document(state) for state in chronology]
    indented = b"".join(orjson.dumps(documents[i:i + 500], option=orjson.OPT_INDENT_2)
                        for i in range(0, n, 500))

    def into(write: Callable[..., None]) -> Callable[[], None]:
        def job() -> None:
            with open(os.devnull, "wb") as null:
                write(chronology, null)
        return job

    def written(write: Callable[..., None]) -> bytes:
        path = args.out / "profile-export.out"
        with open(path, "wb") as out:
            write(chronology, out)
        data = path.read_bytes()
        path.unlink()
        return data

    def line(label: str, seconds: float, extra: str = "") -> None:
        print(f"  {label:<36} {seconds * 1e6 / n:7.2f}{extra}")

    print(f"{args.log}: {n:,} events; us per event, best of {args.runs}")
    line("touch every field read", best(args.runs, lambda: touch(chronology)))
    line("orjson, prebuilt JSON documents", best(args.runs, lambda: [
        orjson.dumps(documents[i:i + 500], option=orjson.OPT_INDENT_2)
        for i in range(0, n, 500)]))
    line("disk: write + fsync those bytes", disk(indented, args.out),
         f"  ({len(indented) / n:,.0f} bytes an event)")
    for name, module in (("json", json_writer), ("markdown", markdown_writer)):
        data = written(module.write)
        line(f"{name} write() to /dev/null", best(args.runs, into(module.write)))
        line(f"{name} bytes: write + fsync", disk(data, args.out),
             f"  ({len(data) / n:,.0f} bytes an event)")
    for name, module in (("json", json_writer), ("markdown", markdown_writer)):
        print(f"cProfile of the {name} writer (warm caches):")
        profile(module.write, chronology, n)


if __name__ == "__main__":
    main()
