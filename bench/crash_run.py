"""The long crash run: the fault-injection harness of ``tests/crash_harness.py``, many trials.

Usage (from the repository root; POSIX only)::

    .venv/bin/python bench/crash_run.py --trials 200

Each trial starts 4 writer processes on a new log, SIGKILLs a random one at random moments for
``--duration`` seconds (restarting it each time), kills them all, then repairs a torn tail and
checks the log: every acknowledged entry present exactly once, positions 1..N, the chain
intact (see ``docs/log-format.md``, "How this is tested"). Prints the totals; exits 1 if any
entry was lost or duplicated or any check failed. The CI suite runs 20 short trials
(``tests/test_durability.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import crash_harness  # noqa: E402 - lives with the tests, which run it too


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="number of trials (200)")
    parser.add_argument("--duration", type=float, default=1.0,
                        help="seconds of random kills per trial (1.0)")
    parser.add_argument("--writers", type=int, default=4, help="writer processes (4)")
    parser.add_argument("--seed", type=int, default=3, help="random seed (3)")
    parser.add_argument("--keep", metavar="DIR", help="keep the trials' logs in DIR")
    args = parser.parse_args(argv)
    started = time.monotonic()

    def progress(trial: int, summary: crash_harness.RunSummary) -> None:
        if (trial + 1) % 20 == 0:
            print(f"  {trial + 1} trials, {summary.kills} kills, {summary.acknowledged} "
                  f"acknowledged, {summary.lost} lost, {summary.duplicates} duplicates",
                  file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="crash-run-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        summary = crash_harness.run(folder, trials=args.trials, seed=args.seed,
                                    duration=args.duration, writers=args.writers,
                                    progress=progress)
    print(f"crash run: {args.writers} writers, {args.duration} s of kills per trial, "
          f"seed {args.seed}, {time.monotonic() - started:.0f} s in all")
    print("\n".join(summary.lines()))
    for problem in summary.problems[:20]:
        print(f"  {problem}")
    return 1 if summary.problems or summary.lost or summary.duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
