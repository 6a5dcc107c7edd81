"""The JSON Lines file store's read model (docs/read-model.md, "The file store"), measured as
a user runs the CLI.

On a generated log (``bench/generate.py``, 100k entries, seed 5 by default), each command
runs as its own process (interpreter start-up included), its wall time measured from the
parent, every run with new, empty cache folders:

- ``before``: the code path before the file read model (``JsonlStore.read_model`` set
  back to ``None`` in the process that runs the CLI): every read folds the file, through
  its checked prefix once one is recorded;
- ``after``: with the read model in the cache folder;
- ``first read``: the first command after the cache folder was emptied (the fold checks
  every entry; ``after`` also builds the read model); ``later read``: the next one;
  ``after an append``: ``after`` again once another process appended one entry (the read
  model catches up with it);
- ``cache off``: ``TIMELINE_CACHE_DIR=`` (no checked prefix, no read model).

Runs are interleaved, ratios computed run by run; the median is reported. Every output is
compared with the first ``before`` output. Results go to ``bench/FILE_READ_MODEL.md``.

Run from the repository root::

    .venv/bin/python bench/file_readmodel_bench.py --entries 100000 --runs 3 --out bench/FILE_READ_MODEL.md
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import GENERATOR_VERSION, generate  # noqa: E402
from readmodel_bench import FILTER, arguments, report, timed  # noqa: E402

# The CLI as it ran before the file read model: the same code, the read model left out.
BEFORE = ("import sys, timeline.stores.jsonl as j, timeline.cli as c; "
          "j.JsonlStore.read_model = None; sys.argv[0] = 'timeline'; c.main()")
# Matches no event of the filter (another actor, another decade): the output stays the same.
APPEND = ["record", "{log}", "--id", "bench-appended", "--date", "2021-03-04", "--title",
          "Appended by the bench", "--actor", "USA"]


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, "FILE_READ_MODEL.md", argv)
    args.data.mkdir(parents=True, exist_ok=True)
    source = args.data / f"log-{args.entries}-seed{args.seed}-v{GENERATOR_VERSION}.jsonl"
    if not source.exists():
        generate(source, args.entries, seed=args.seed)
    timeline = str(Path(sys.executable).with_name("timeline"))
    times: dict[str, list[float]] = {}
    expected = None
    with tempfile.TemporaryDirectory(dir=args.data) as scratch:
        log = Path(scratch) / "big.jsonl"
        shutil.copyfile(source, log)
        listing = ["list", str(log), *FILTER]
        for run in range(args.runs):
            steps = [("before|first read", "before", [sys.executable, "-c", BEFORE, *listing]),
                     ("before|later read", "before", [sys.executable, "-c", BEFORE, *listing]),
                     ("after|first read", "after", [timeline, *listing]),
                     ("after|later read", "after", [timeline, *listing]),
                     ("append", "after", [timeline, *(p.format(log=log) for p in APPEND)]),
                     ("after|after an append", "after", [timeline, *listing]),
                     ("cache off", "", [timeline, *listing])]
            caches = {kind: Path(scratch) / f"cache-{kind}-{run}" for kind in ("before", "after")}
            if run:  # the same log each run: take back the entry the last run appended
                shutil.copyfile(source, log)
            for name, kind, command in steps:
                os.environ["TIMELINE_CACHE_DIR"] = str(caches[kind]) if kind else ""
                seconds, out = timed(command)
                times.setdefault(name, []).append(seconds)
                if name == "append":
                    continue
                expected = out if expected is None else expected
                if out != expected:
                    raise SystemExit(f"{name}: the output differs from the fold's")
            print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    median = {name: statistics.median(values) for name, values in times.items()}

    def ratio(slow: str, fast: str) -> float:
        return statistics.median(x / y for x, y in zip(times[slow], times[fast]))

    events = expected.count(b"\n") if expected else 0
    shown = f"timeline list big.jsonl {' '.join(FILTER)}"
    lines = [
        "# The file store's read model: before and after",
        "",
        f"Command: `.venv/bin/python bench/file_readmodel_bench.py --entries {args.entries} "
        f"--runs {args.runs} --out {args.out.name if args.out.parent == HERE else args.out}`"
        " (see `bench/README.md`).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}. Log: `bench/generate.py` "
        f"{args.entries:,} entries, seed {args.seed} ({source.stat().st_size / 1e6:.0f} MB), a "
        f"JSON Lines file. Command: `{shown}` ({events} "
        f"events). Wall time of the whole process, median of {args.runs} interleaved runs, "
        "each with new cache folders.",
        "",
        "| read | before (fold, checked prefix) | after (read model) | before / after |",
        "| --- | --- | --- | --- |",
    ]
    for read in ("first read", "later read"):
        lines.append(f"| {read} | {median[f'before|{read}']:.2f} s | "
                     f"{median[f'after|{read}']:.2f} s | {ratio(f'before|{read}', f'after|{read}'):.2f}x |")
    lines += [
        f"| after another process appended one entry | {median['before|later read']:.2f} s "
        f"(a later read) | {median['after|after an append']:.2f} s (caught up) | "
        f"{ratio('before|later read', 'after|after an append'):.2f}x |",
        "",
        f"Cache off (`TIMELINE_CACHE_DIR=`, every entry checked, nothing kept): "
        f"{median['cache off']:.2f} s. The append itself (`timeline record`): "
        f"{median['append']:.2f} s.",
        "",
        "A first read costs more with the read model: it checks every entry, as before, and "
        "also writes the read model (the SQL projection's rows and an index of the entries' "
        "byte offsets) to SQLite. Later reads hash the file (about 1 GB/s) against the "
        "recorded blocks, run the filter in SQLite and parse only the selected entries.",
        "",
    ]
    return report(args.out, lines)


if __name__ == "__main__":
    raise SystemExit(main())
