"""Where an open+fold spends its time, per entry, against the JSON parse floor.

``bench/.venv/bin/python bench/profile_fold.py LOG.jsonl`` times, on the same lines
and in one process (CPU time, best of 5, in microseconds per entry), each step that
``Entry.from_line`` and the fold take, then the whole of ``Log.entries()`` and
``Log.chronology()``. With ``orjson`` importable it also times the two
re-serialisations with it (``bench/NOTES.md`` explains why). Prints one table.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable

from timeline import Log
from timeline import entries as E
from timeline.entries import GENESIS_HASH, Entry
from timeline.records import Event


def per_entry(func: Callable[[], object], count: int, repeat: int = 5) -> float:
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

    def from_lines() -> None:
        prev = GENESIS_HASH
        for position, line in enumerate(lines, 1):
            prev = Entry.from_line(line, position=position, prev=prev).hash

    rows = [
        ("json.loads of each line, nothing kept (the floor)", per_entry(lambda: _each(json.loads, lines), n)),
        ("UTF-8 decode of each line", per_entry(lambda: [x.decode() for x in lines], n)),
        ("canonical check: json.dumps(entry)", per_entry(lambda: [E._dumps(d) for d in dicts], n)),
        ("hash: json.dumps(body, sort_keys) + sha256",
         per_entry(lambda: [E.body_hash(b) for b in bodies], n)),
        ("Event.from_dict (validation)", per_entry(lambda: [Event.from_dict(e) for e in events], n)),
        ("parse_time(recorded_at)", per_entry(lambda: [E.parse_time(d["recorded_at"]) for d in dicts], n)),
        ("Entry.from_line, all of the above", per_entry(from_lines, n)),
        ("Log.entries() (adds reading, chain state)", per_entry(lambda: list(Log(path).entries()), n, 3)),
        ("Log.chronology() (adds the fold and sort)", per_entry(lambda: Log(path).chronology(), n, 3)),
    ]
    try:
        import orjson
    except ImportError:
        pass
    else:
        rows += [
            ("orjson.loads of each line, nothing kept", per_entry(lambda: _each(orjson.loads, lines), n)),
            ("canonical check with orjson.dumps", per_entry(lambda: [orjson.dumps(d) for d in dicts], n)),
            ("hash with orjson.dumps(OPT_SORT_KEYS) + sha256", per_entry(
                lambda: [hashlib.sha256(orjson.dumps(b, option=orjson.OPT_SORT_KEYS)).hexdigest()
                         for b in bodies], n)),
        ]
        same = all(orjson.dumps(d) == x for d, x in zip(dicts, lines)) and all(
            orjson.dumps(b, option=orjson.OPT_SORT_KEYS).decode() == json.dumps(
                b, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for b in bodies)
        rows.append((f"orjson bytes identical to json.dumps on every line: {same}", 0.0))
    floor = rows[0][1]
    print(f"{n} entries of {path}; CPU microseconds per entry (best of 5)")
    print("| step | us/entry | x floor |\n| --- | --- | --- |")
    for what, us in rows:
        print(f"| {what} | {us:.1f} | {us / floor:.2f} |" if us else f"| {what} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
