"""orjson writes an entry's canonical bytes and hash input; the stdlib ``json`` is the reference.

``timeline.entries._canonical`` and ``body_hash`` serialise with orjson (about 6x
faster, bench/NOTES.md). These tests prove the bytes are those of
``json.dumps(..., ensure_ascii=False, separators=(",", ":"))`` (``sort_keys=True``
for the hash) for everything a valid entry can hold, and that what orjson refuses
(only hostile lines hold it) falls back to the reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import EVENTS, LINE_300, RECORD_TIMES
from timeline import Entry, Log, LogCorruptError
from timeline.entries import GENESIS_HASH, _canonical, body_hash

# Reasons and idempotency keys: one line, any character but controls and surrogates.
_TEXT = LINE_300
_KEYS = st.none() | _TEXT.map(str.strip).filter(bool)
_POSITIONS = st.integers(1, 2**63 - 1)


def _reference(data: dict, *, sort_keys: bool = False) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=sort_keys,
                      separators=(",", ":")).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(event=EVENTS, position=_POSITIONS, at=RECORD_TIMES, reason=_TEXT, key=_KEYS,
       kind=st.sampled_from(["recorded", "revised", "retracted"]))
def test_entry_bytes_and_hash_equal_the_stdlib_reference(event, position, at, reason, key, kind):
    entry = Entry.create(position=position, recorded_at=at, type=kind, event_id=event.id,
                         event=None if kind == "retracted" else event,
                         reason=None if kind == "recorded" else reason, prev=GENESIS_HASH,
                         idempotency_key=key)
    data = json.loads(entry.to_line())
    body = {k: v for k, v in data.items() if k != "hash"}
    assert entry.to_line() == _reference(data) + b"\n"
    assert _canonical(data) == _reference(data)
    assert entry.hash == body_hash(body) == hashlib.sha256(
        _reference(body, sort_keys=True)).hexdigest()
    # Read back: the line is accepted, and the entry is the one written.
    again = Entry.from_line(entry.to_line()[:-1], position=position, prev=GENESIS_HASH)
    assert again == entry
    assert again.to_line() == entry.to_line()


@pytest.mark.parametrize("value", [
    2**64,  # beyond orjson's 64-bit integers
    -(2**63) - 1,
    "\ud800 lone surrogate",
])
def test_what_orjson_refuses_falls_back_to_the_reference(value):
    data = {"format": 1, "x": value}
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass")
    assert _canonical(data) == expected
    sorted_form = json.dumps(data, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode("utf-8", "surrogatepass")
    assert body_hash(data) == hashlib.sha256(sorted_form).hexdigest()


def test_deep_nesting_falls_back_to_the_reference():
    data: object = 1
    for _ in range(300):  # orjson refuses more than 254 levels
        data = [data]
    assert _canonical({"x": data}) == _reference({"x": data})


def _line_with(tmp_path, **changes) -> bytes:
    """The bundled-style first entry of a new log, with ``changes`` and a recomputed hash."""
    from timeline import Event

    log = Log.create(tmp_path / "t.jsonl")
    log.record(Event(id="a-visit", date="2013-08", title="A visit"))
    data = json.loads((tmp_path / "t.jsonl").read_bytes())
    data.update(changes)
    data.pop("hash")
    data["hash"] = hashlib.sha256(_reference(data, sort_keys=True)).hexdigest()
    return _reference(data)


@pytest.mark.parametrize("field, value, message", [
    ("position", 1.0, "log entry at position 1 says position 1.0, expected 1."),
    ("format", 1.0, "log entry at position 1 has format 1.0, not 1."),
    ("position", True, "log entry at position 1 says position True, expected 1."),
    ("format", True, "log entry at position 1 has format True, not 1."),
])
def test_a_number_of_the_wrong_type_is_refused(tmp_path, field, value, message):
    line = _line_with(tmp_path, **{field: value})
    with pytest.raises(LogCorruptError) as caught:
        Entry.from_line(line, position=1, prev=GENESIS_HASH)
    assert str(caught.value).startswith(message)


def test_a_lone_surrogate_escape_is_reported_not_crashed(tmp_path):
    line = _line_with(tmp_path).replace(b'"A visit"', b'"A visit \\ud800"')
    with pytest.raises(LogCorruptError) as caught:
        Entry.from_line(line, position=1, prev=GENESIS_HASH)
    assert str(caught.value).startswith(
        "log entry at position 1 has a hash that does not match its content.")


def test_created_entry_writes_the_bytes_it_hashed():
    at = dt.datetime(2026, 11, 29, 18, 50, 1, 123456, tzinfo=dt.timezone.utc)
    entry = Entry.create(position=7, recorded_at=at, type="retracted", event_id="a-visit",
                         event=None, reason="duplicate", prev="ab" * 32)
    assert entry.to_line() == (
        b'{"format":1,"position":7,"recorded_at":"2026-11-29T18:50:01.123456Z",'
        b'"type":"retracted","event_id":"a-visit","reason":"duplicate","event":null,'
        b'"prev":"' + b"ab" * 32 + b'","hash":"' + entry.hash.encode() + b'"}\n')
    assert entry.hash == hashlib.sha256(
        b'{"event":null,"event_id":"a-visit","format":1,"position":7,"prev":"' + b"ab" * 32
        + b'","reason":"duplicate","recorded_at":"2026-11-29T18:50:01.123456Z",'
        b'"type":"retracted"}').hexdigest()
