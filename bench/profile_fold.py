"""Where an open+fold spends its time, per entry, against the JSON parse floor.

``bench/.venv/bin/python bench/profile_fold.py LOG.jsonl`` times, on the same lines
and in one process (CPU time, best of 5, in microseconds per entry), each step of a
full check (``Entry.from_line``: the stdlib references and the orjson forms used
now, the validators, the written-form check), the checked-prefix rebuild
(``Entry.from_checked_line``), then ``Log.chronology()`` on a first read (every
entry checked) and on a log read before (checked prefix). Prints one table.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable

from timeline import Log
from timeline import entries as E
from timeline.entries import GENESIS_HASH, Entry
from timeline.records import Event, _checked_event


def per_entry(func: Callable[[], object], count: int, repeat: int = 5) -> float:
    gc.collect()
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        func()
        best = min(best, time.process_time() - started)
    return best / count * 1e6


def _each(func: Callable[[bytes], object], items: list[bytes]) -> None:
    for item in items:
        func(item)


def main(path: str) -> int:
    lines = open(path, "rb").read().splitlines()
    n = len(lines)
    dicts = [json.loads(line) for line in lines]
    bodies = [{k: v for k, v in d.items() if k != "hash"} for d in dicts]
    events = [d["event"] for d in dicts if d["event"]]
    built = [Event.from_dict(e) for e in events]

    def from_lines() -> None:
        prev = GENESIS_HASH
        for position, line in enumerate(lines, 1):
            prev = Entry.from_line(line, position=position, prev=prev).hash

    def cold() -> None:  # every entry checked: no checked-prefix records
        os.environ["TIMELINE_CACHE_DIR"] = ""
        Log(path).chronology()

    def warm() -> None:  # the prefix recorded by an earlier read (the line below primes it)
        os.environ["TIMELINE_CACHE_DIR"] = cache
        Log(path).chronology()

    cache = tempfile.mkdtemp(prefix="profile-fold-")
    os.environ["TIMELINE_CACHE_DIR"] = cache
    Log(path).head  # noqa: B018 - records the checked prefix
    import orjson

    rows = [
        ("json.loads of each line, nothing kept (the floor)",
         per_entry(lambda: _each(json.loads, lines), n)),
        ("UTF-8 decode of each line", per_entry(lambda: [x.decode() for x in lines], n)),
        ("canonical bytes, stdlib: json.dumps(entry) (the reference)", per_entry(
            lambda: [json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in dicts], n)),
        ("canonical bytes, as read now: orjson.dumps(entry)",
         per_entry(lambda: [orjson.dumps(d) for d in dicts], n)),
        ("hash, stdlib: json.dumps(body, sort_keys) + SHA-256 (the reference)", per_entry(
            lambda: [hashlib.sha256(json.dumps(b, ensure_ascii=False, sort_keys=True,
                                               separators=(",", ":")).encode()).hexdigest()
                     for b in bodies], n)),
        ("hash, as read now: `body_hash` (orjson, OPT_SORT_KEYS)",
         per_entry(lambda: [E.body_hash(b) for b in bodies], n)),
        ("Event.from_dict (every validator)", per_entry(lambda: [Event.from_dict(e) for e in events], n)),
        ("Event.to_dict (the written-form check)",
         per_entry(lambda: [e.to_dict() for e in built], n)),
        ("_checked_event (checked prefix: no validators)",
         per_entry(lambda: [_checked_event(e) for e in events], n)),
        ("parse_time(recorded_at)", per_entry(lambda: [E.parse_time(d["recorded_at"]) for d in dicts], n)),
        ("Entry.from_line: every check (first read, verify)", per_entry(from_lines, n)),
        ("Entry.from_checked_line (checked prefix)",
         per_entry(lambda: [Entry.from_checked_line(x) for x in lines], n)),
        ("Log.chronology(), first read: every entry checked", per_entry(cold, n, 3)),
        ("Log.chronology(), read before: checked prefix", per_entry(warm, n, 3)),
        ("orjson.loads of each line, nothing kept (for comparison)",
         per_entry(lambda: _each(orjson.loads, lines), n)),
    ]
    same = all(orjson.dumps(d) == x for d, x in zip(dicts, lines)) and all(
        E.body_hash(b) == hashlib.sha256(json.dumps(
            b, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        for b in bodies)
    rows.append((f"orjson bytes identical to json.dumps on every line: {same}", 0.0))
    shutil.rmtree(cache)
    floor = rows[0][1]
    print(f"{n} entries of {path}; CPU microseconds per entry (best of 5)")
    print("| step | us/entry | x floor |\n| --- | --- | --- |")
    for what, us in rows:
        print(f"| {what} | {us:.1f} | {us / floor:.2f} |" if us else f"| {what} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
