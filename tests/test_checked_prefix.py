"""Checked prefixes (timeline/stores/checked.py): what a read trusts, and when it checks again.

The blocks are made 512 bytes here so that a log of a few dozen entries spans many;
the rules are the same at 1 MiB.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings

import timeline.entries
import timeline.stores.checked as checked
import timeline.stores.jsonl as jsonl
from strategies import EVENTS, RECORD_TIMES
from timeline import Entry, Event, Log, LogCorruptError
from timeline.entries import GENESIS_HASH
from timeline.records import _checked_event

BLOCK = 512


@settings(max_examples=300, deadline=None)
@given(event=EVENTS)
def test_checked_event_equals_from_dict(event):
    data = event.to_dict()
    fast, reference = _checked_event(json.loads(json.dumps(data))), Event.from_dict(data)
    assert fast == reference == event
    assert [type(getattr(fast, f)) for f in ("actors", "sources", "tags")] == [tuple] * 3
    assert type(fast.date) is type(reference.date)
    assert [type(s.published) for s in fast.sources] == [type(s.published)
                                                          for s in reference.sources]


@settings(max_examples=200, deadline=None)
@given(event=EVENTS, at=RECORD_TIMES)
def test_checked_line_equals_from_line(event, at):
    entry = Entry.create(position=1, recorded_at=at, type="recorded", event_id=event.id,
                         event=event, reason=None, prev=GENESIS_HASH, idempotency_key="k-1")
    line = entry.to_line()[:-1]
    assert orjson.loads(line) == json.loads(line)  # the checked path parses with orjson
    fast = Entry.from_checked_line(line)
    assert fast == Entry.from_line(line, position=1, prev=GENESIS_HASH) == entry
    assert fast.recorded_at.tzinfo is entry.recorded_at.tzinfo
    assert fast.to_line() == entry.to_line()


@pytest.fixture(autouse=True)
def _no_read_model(monkeypatch):
    """These tests count what the fold's reads from the start check: the file store's read
    model, which answers reads without them, is left out (tests/test_file_read_model.py)."""
    monkeypatch.setattr(jsonl.JsonlStore, "read_model", None)


@pytest.fixture
def small_blocks(monkeypatch, tmp_path):
    monkeypatch.setattr(checked, "BLOCK", BLOCK)
    monkeypatch.setattr(jsonl, "_READ_CHUNK", BLOCK)
    cache = tmp_path / "cache"
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(cache))
    return cache / "checked"


@pytest.fixture
def calls(monkeypatch):
    """Counts of full checks (``from_line``) and trusted rebuilds (``from_checked_line``)."""
    counts = {"full": 0, "trusted": 0}
    full, trusted = Entry.from_line.__func__, Entry.from_checked_line.__func__

    def counting_full(cls, *args, **kwargs):
        counts["full"] += 1
        return full(cls, *args, **kwargs)

    def counting_trusted(cls, *args, **kwargs):
        counts["trusted"] += 1
        return trusted(cls, *args, **kwargs)

    monkeypatch.setattr(Entry, "from_line", classmethod(counting_full))
    monkeypatch.setattr(Entry, "from_checked_line", classmethod(counting_trusted))

    def take() -> tuple[int, int]:
        result = (counts["full"], counts["trusted"])
        counts.update(full=0, trusted=0)
        return result
    return take


def _event(n: int) -> Event:
    return Event(id=f"visit-{n}", date=f"2013-08-{n % 28 + 1:02d}", title=f"Visit number {n}",
                 summary="Talks on trade and regional security. " * 3)


def _new_log(path: Path, count: int) -> Log:
    log = Log.create(path)
    for n in range(count):
        log.record(_event(n))
    return log


def _items(log_path: Path) -> list:
    return [(s.event, s.first_position, s.last_position) for s in Log(log_path).chronology()]


def test_second_read_trusts_the_checked_prefix(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 40)
    size = path.stat().st_size
    calls()
    first = _items(path)
    assert calls() == (40, 0)
    (record,) = small_blocks.iterdir()
    data = json.loads(record.read_text())
    assert record.name == hashlib.sha256(os.fsencode(os.path.realpath(path))).hexdigest() + ".json"
    assert data["size"] == size and data["block"] == BLOCK
    raw = path.read_bytes()
    assert data["blocks"] == [hashlib.sha256(raw[i:i + BLOCK]).hexdigest()
                              for i in range(0, size, BLOCK)]
    assert _items(path) == first
    assert calls() == (0, 40)


def test_entries_appended_since_are_checked_in_full(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 30)
    Log(path).chronology()
    log = Log(path)
    for n in range(30, 33):
        log.record(_event(n))
    calls()
    assert len(_items(path)) == 33
    assert calls() == (3, 30)
    Log(path).chronology()
    assert calls() == (0, 33)  # the record now covers the three


def test_verify_never_trusts(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 20)
    Log(path).chronology()
    calls()
    assert Log(path).verify().entries == 20
    assert calls() == (20, 0)


def _forge(path: Path, position: int, title: str | None = None, **event_changes) -> None:
    """Rewrite entry ``position`` (its ``title``, or keys of its event: ``None`` removes
    one) and recompute every hash from there on: a log whose chain is whole but whose
    record breaks a rule."""
    lines = path.read_bytes().splitlines()
    prev = json.loads(lines[position - 2])["hash"] if position > 1 else GENESIS_HASH
    out = lines[:position - 1]
    for line in lines[position - 1:]:
        data = json.loads(line)
        if data["position"] == position:
            if title is not None:
                data["event"]["title"] = title
            for key, value in event_changes.items():
                if value is None:
                    del data["event"][key]
                else:
                    data["event"][key] = value[0]
        data["prev"] = prev
        data.pop("hash")
        data["hash"] = prev = hashlib.sha256(json.dumps(
            data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        out.append(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    path.write_bytes(b"\n".join(out) + b"\n")


@pytest.mark.parametrize("cached", [False, True])
def test_a_forged_entry_is_caught_with_or_without_a_record(tmp_path, small_blocks, cached):
    path = tmp_path / "t.jsonl"
    _new_log(path, 30)
    if cached:
        Log(path).chronology()
        assert list(small_blocks.iterdir())
    _forge(path, 17, "Visit\u0007 number 16")
    with pytest.raises(LogCorruptError) as caught:
        Log(path).chronology()
    assert str(caught.value) == (
        "log entry at position 17 holds an invalid record: title: 'Visit\\x07 number 16' "
        "contains control character U+0007 at index 5. Remove it; this field takes a single "
        "line.")


def test_a_changed_block_is_checked_from_there_on(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 30)
    Log(path).chronology()
    before = _items(path)
    calls()
    raw = bytearray(path.read_bytes())
    index = raw.index(b"Visit number 20")
    raw[index:index + 5] = b"VISIT"  # same length: only the hash catches it
    path.write_bytes(bytes(raw))
    with pytest.raises(LogCorruptError) as caught:
        Log(path).chronology()
    assert str(caught.value) == ("log entry at position 21 has a hash that does not match "
                                 "its content.")
    full, trusted = calls()
    assert trusted < 21 and full >= 1 and full + trusted == 21
    raw[index:index + 5] = b"Visit"
    path.write_bytes(bytes(raw))
    assert _items(path) == before


def test_a_shorter_file_in_its_place_is_read_again(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 30)
    Log(path).chronology()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:12]))  # a valid, shorter log (an older copy)
    calls()
    assert len(_items(path)) == 12
    full, trusted = calls()
    assert full >= 1 and full + trusted == 12


@pytest.mark.parametrize("change", [
    {"rules": 0}, {"library": "0.0.1"}, {"format": 2}, {"block": 1024}, {"blocks": []},
    {"size": "many"},
])
def test_a_record_of_other_rules_or_shape_is_ignored(tmp_path, small_blocks, calls, change):
    path = tmp_path / "t.jsonl"
    _new_log(path, 12)
    Log(path).chronology()
    (record,) = small_blocks.iterdir()
    record.write_text(json.dumps({**json.loads(record.read_text()), **change}))
    calls()
    Log(path).chronology()
    assert calls() == (12, 0)


def test_an_unreadable_record_is_ignored(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 12)
    Log(path).chronology()
    (record,) = small_blocks.iterdir()
    record.write_bytes(b'{"kind": "diplomatic-timeline checked pre')
    calls()
    Log(path).chronology()
    assert calls() == (12, 0)
    assert json.loads(record.read_text())["size"] == path.stat().st_size  # written again


def test_turned_off_with_an_empty_cache_dir(tmp_path, small_blocks, monkeypatch, calls):
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "")
    path = tmp_path / "t.jsonl"
    _new_log(path, 12)
    Log(path).chronology()
    Log(path).chronology()
    assert calls() == (24, 0)
    assert not small_blocks.exists()
    assert checked.cache_folder() is None


def test_an_unwritable_cache_never_fails_a_read(tmp_path, small_blocks, monkeypatch, calls):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(blocker))
    path = tmp_path / "t.jsonl"
    _new_log(path, 12)
    assert len(Log(path).chronology()) == 12
    assert calls() == (12, 0)


def test_default_folder_is_the_user_cache(monkeypatch):
    import platformdirs

    monkeypatch.delenv("TIMELINE_CACHE_DIR")
    assert checked.cache_folder() == Path(
        platformdirs.user_cache_dir("diplomatic-timeline")) / "checked"


def test_small_logs_leave_no_record(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "t.jsonl"
    _new_log(path, 5)  # far below one 1 MiB block
    Log(path).chronology()
    assert not (tmp_path / "cache").exists()


def test_the_append_path_reads_through_the_prefix(tmp_path, small_blocks, calls):
    path = tmp_path / "t.jsonl"
    _new_log(path, 25)
    Log(path).chronology()
    calls()
    log = Log(path)
    entry = log.record(_event(99))
    assert entry.position == 26
    assert calls() == (0, 25)  # the catch-up before the append trusted the prefix
    assert timeline.entries.Entry.from_line(entry.to_line()[:-1], position=26,
                                            prev=entry.prev) == entry


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("changes, key", [
    ({"tags": None}, "tags"),  # left out: from_dict would default it
    ({"summary": [None]}, "summary"),  # null for ""
    ({"actors": [None]}, "actors"),
    ({"status": None}, "status"),
    ({"place": [{"name": "Moscow", "country": "RU"}]}, "place"),  # alpha-2, stored as RUS
])
def test_an_event_not_in_the_written_form_is_refused(tmp_path, small_blocks, cached, changes,
                                                     key):
    """Only the exact form to_dict writes is accepted, so a trusted rebuild (which reads
    that form directly) can never differ from the full check."""
    path = tmp_path / "t.jsonl"
    _new_log(path, 30)
    if cached:
        Log(path).chronology()
    _forge(path, 9, **changes)
    message = (f"log entry at position 9 is not in canonical form (its event's {key!r} is not "
               "written as this library writes it).")
    for read in (lambda: Log(path).chronology(), lambda: Log(path).verify(),
                 lambda: Log(path).record(_event(99))):
        with pytest.raises(LogCorruptError) as caught:
            read()
        assert str(caught.value) == message


def test_a_stale_record_is_replaced(tmp_path, small_blocks, calls):
    path, other = tmp_path / "t.jsonl", tmp_path / "other.jsonl"
    _new_log(path, 30)
    Log(path).chronology()
    log = Log.create(other)
    for n in range(100, 120):  # another log, shorter, at the same path
        log.record(_event(n))
    os.replace(other, path)
    calls()
    Log(path).chronology()
    assert calls() == (20, 0)
    Log(path).chronology()
    assert calls() == (0, 20)  # the first read recorded the new file's prefix


@pytest.mark.parametrize("kind", ["deep", "fifo", "folder"])
def test_a_strange_record_is_ignored(tmp_path, small_blocks, calls, kind):
    path = tmp_path / "t.jsonl"
    _new_log(path, 12)
    Log(path).chronology()
    (record,) = small_blocks.iterdir()
    record.unlink()
    if kind == "deep":
        record.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "fifo":
        os.mkfifo(record)  # reading it would wait forever
    else:
        record.mkdir()
    calls()
    assert len(Log(path).chronology()) == 12
    assert calls() == (12, 0)


def _mangle(line: bytes, how: str) -> bytes:
    """One line of a log broken in the way ``how`` names, for a record to claim as checked."""
    if how == "not-json":
        return b'{"event":'
    if how == "bad-utf8":
        return line.replace(b"Visit", b"V\xffsit")
    data = json.loads(line)
    if how == "no-summary":  # the KeyError: 'summary' of issue 12
        del data["event"]["summary"]
    elif how == "event-text":
        data["event"] = "an event"
    elif how == "actors-number":
        data["event"]["actors"] = 5
    elif how == "tags-numbers":
        data["event"]["tags"] = [1, 2]
    elif how == "date-number":
        data["event"]["date"] = 2013
    elif how == "position-text":
        data["position"] = str(data["position"])
    elif how == "position-true":
        data["position"] = True
    elif how == "prev-wrong":
        data["prev"] = "f" * 64
    elif how == "type-unknown":
        data["type"] = "amended"
    elif how == "time-text":
        data["recorded_at"] = "yesterday"
    elif how == "array":
        return json.dumps([data]).encode()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


_MANGLED = ["no-summary", "not-json", "bad-utf8", "event-text", "actors-number",
            "tags-numbers", "date-number", "position-text", "position-true", "prev-wrong",
            "type-unknown", "time-text", "array"]


@pytest.mark.parametrize("how", _MANGLED)
def test_a_record_over_a_malformed_line_reads_as_a_full_check(tmp_path, small_blocks,
                                                              monkeypatch, how):
    """A checked-prefix record written by hand over a line no full check accepts: every
    read through it gives the full check's error, naming the position, never a traceback."""
    from click.testing import CliRunner

    from timeline.__about__ import __version__
    from timeline.cli import main
    from timeline.entries import FORMAT_VERSION

    path = tmp_path / "t.jsonl"
    _new_log(path, 30)
    lines = path.read_bytes().split(b"\n")
    lines[16] = _mangle(lines[16], how)  # position 17, well inside the prefix
    raw = b"\n".join(lines)
    path.write_bytes(raw)
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "")  # the full check, no record
    with pytest.raises(LogCorruptError) as full:
        Log(path).chronology()
    assert full.value.position == 17
    full_cli = CliRunner().invoke(main, ["list", str(path)])
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(small_blocks.parent))
    record = checked.record_path(path)
    checked._store(record, {"kind": checked._KIND, "library": __version__,
                            "rules": checked._RULES, "format": FORMAT_VERSION, "block": BLOCK,
                            "size": len(raw), "blocks": [
                                hashlib.sha256(raw[i:i + BLOCK]).hexdigest()
                                for i in range(0, len(raw), BLOCK)]})
    assert checked.CheckedPrefix(path)._known is not None  # the forged record is taken
    for read in (lambda: Log(path).chronology(), lambda: list(Log(path).entries()),
                 lambda: Log(path).head, lambda: Log(path).history("visit-3"),
                 lambda: Log(path).record(_event(99))):
        with pytest.raises(LogCorruptError) as through:
            read()
        assert (type(through.value), str(through.value), through.value.position) == (
            type(full.value), str(full.value), 17)
    cli = CliRunner().invoke(main, ["list", str(path)])
    assert (cli.exit_code, cli.stdout, cli.stderr) == (4, "", full_cli.stderr)
    assert path.read_bytes() == raw
