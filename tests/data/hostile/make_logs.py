"""Build the logs of the hostile-input corpus, ``tests/data/hostile/logs/``.

Run from the repository root: ``.venv/bin/python tests/data/hostile/make_logs.py``. Kept for
provenance: the committed files are the corpus (record times are fixed, so running it again
gives the same bytes). ``base.jsonl`` is a good log made with the public ``Entry`` API, and
``base.sqlite`` the same entries in a SQLite log; every other log is ``base.jsonl`` plus one
hostile line. Lines that must get past the hash check to reach a later rule are hashed here with the algorithm of ``docs/log-format.md`` (SHA-256 of the
entry without ``hash``, keys sorted, no whitespace, UTF-8), not with the library's code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from timeline import Actor, Entry, Event, Log, Place, Source

LOGS = Path(__file__).resolve().parent / "logs"
T0 = dt.datetime(2026, 11, 29, 18, 0, 0, 123456, tzinfo=dt.timezone.utc)

DIALOGUE = Event(id="2013-08-28-strategic-dialogue", date="2013-08-28",
                 title="First Pakistan–Russia Strategic Dialogue opens in Moscow",
                 actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                         Actor("RUSGOV")], place=Place("Moscow", "RUS"),
                 sources=[Source("https://example.org/dialogue", title="Dialogue opens")],
                 tags=["strategic-dialogue"], cameo="040")
AIR_CHIEF = Event(id="air-chief-visit", date="2013-08", title="Russian Air Force chief visits "
                  "Pakistan", actors=[Actor("RUSMIL")], cameo="042")
TRADE = Event(id="trade-figure", date="2013", title="Two-way trade reported at US$542 million")


def base() -> list[bytes]:
    """Four entries: two events recorded (one with idempotency key ``icews:1``), a third
    recorded and then retracted."""
    entries, prev = [], "0" * 64
    for n, (kind, event_id, event, reason, key) in enumerate([
            ("recorded", DIALOGUE.id, DIALOGUE, None, None),
            ("recorded", AIR_CHIEF.id, AIR_CHIEF, None, "icews:1"),
            ("recorded", TRADE.id, TRADE, None, None),
            ("retracted", TRADE.id, None, "figure not confirmed", None)], start=1):
        entry = Entry.create(position=n, recorded_at=T0 + dt.timedelta(seconds=n), type=kind,
                             event_id=event_id, event=event, reason=reason, prev=prev,
                             idempotency_key=key)
        entries.append(entry.to_line())
        prev = entry.hash
    return entries


def hashed(body: dict) -> bytes:
    """``body`` (without ``hash``) as a line with the documented hash appended."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    line = {**body, "hash": hashlib.sha256(canonical.encode()).hexdigest()}
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def fifth(lines: list[bytes], **changes: object) -> dict:
    """The body of a plausible entry at position 5 (recording ``new-event``), changed."""
    head = json.loads(lines[-1])["hash"]
    event = {"id": "new-event", "date": "2014", "title": "A new event", "summary": "",
             "actors": [], "place": None, "sources": [], "tags": [], "cameo": None,
             "status": "occurred"}
    body = {"format": 1, "position": 5, "recorded_at": "2026-11-29T18:00:05.123456Z",
            "type": "recorded", "event_id": "new-event", "reason": None, "event": event,
            "prev": head}
    for key, value in changes.items():
        if key.startswith("event."):
            event[key[6:]] = value
        elif value is _DROP:
            body.pop(key)
        else:
            body[key] = value
    return body


_DROP = object()


def keyed(body: dict, key: str) -> dict:
    """``body`` with an idempotency key in its documented place, after ``event_id``."""
    items = list(body.items())
    return dict([*items[:5], ("idempotency_key", key), *items[5:]])


def hostile(lines: list[bytes]) -> dict[str, bytes]:
    good = b"".join(lines)
    line = lines[1]
    at = line.index(b"Russian")
    return {
        "bad-utf8.jsonl": lines[0] + line[:at] + b"\xff\xfe" + line[at + 2:] + b"".join(lines[2:]),
        "not-json.jsonl": good + b"this is not JSON\n",
        "json-array.jsonl": good + b'["format",1]\n',
        "blank-line.jsonl": b"".join(lines[:2]) + b"\n" + b"".join(lines[2:]),
        "nul-bytes.jsonl": good + b"\x00\x00\x00\x00\n",
        "bom.jsonl": b"\xef\xbb\xbf" + good,
        "crlf.jsonl": good.replace(b"\n", b"\r\n"),
        "torn-tail.jsonl": good + lines[0][:40],
        "torn-megabyte.jsonl": good + b"x" * (1 << 20),
        "unknown-type.jsonl": good + hashed(fifth(lines, type="deleted")),
        "format-2.jsonl": good + hashed({**fifth(lines, format=2), "signature": "ed25519:..."}),
        "format-0.jsonl": good + hashed(fifth(lines, format=0)),
        "missing-field.jsonl": good + hashed(fifth(lines, reason=_DROP)),
        "unknown-field.jsonl": good + hashed({**fifth(lines), "signature": "ed25519:..."}),
        "position-as-text.jsonl": good + hashed(fifth(lines, position="5")),
        "control-char-title.jsonl": good + hashed(fifth(lines, **{"event.title": "Bell\u0007"})),
        "impossible-date.jsonl": good + hashed(fifth(lines, **{"event.date": "2013-02-30"})),
        "javascript-url.jsonl": good + hashed(fifth(lines, **{
            "event.sources": [{"url": "javascript:alert(document.cookie)", "title": "x"}]})),
        "revise-unknown.jsonl": good + hashed(fifth(lines, type="revised", reason="fix")),
        "revive-retracted.jsonl": good + hashed(fifth(lines, **{
            "type": "revised", "reason": "back", "event_id": "trade-figure",
            "event.id": "trade-figure"})),
        "reason-on-record.jsonl": good + hashed(fifth(lines, reason="why")),
        "key-reused.jsonl": good + hashed(keyed(fifth(lines), "icews:1")),
        "time-with-offset.jsonl": good + hashed(fifth(lines,
                                                      recorded_at="2026-11-29T18:00:05+00:00")),
        "time-backwards.jsonl": good + hashed(fifth(lines,
                                                    recorded_at="2020-01-01T00:00:00.000000Z")),
    }


def main() -> None:
    LOGS.mkdir(exist_ok=True)
    lines = base()
    (LOGS / "base.jsonl").write_bytes(b"".join(lines))
    for name, data in hostile(lines).items():
        (LOGS / name).write_bytes(data)
    # The same four entries in a SQLite log, for the cases about SQLite's own files.
    (LOGS / "base.sqlite").unlink(missing_ok=True)
    Log(LOGS / "base.jsonl").copy_to(LOGS / "base.sqlite").store.close()


if __name__ == "__main__":
    main()
