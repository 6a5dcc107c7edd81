"""Tamper evidence: ``verify`` names the first bad position for a changed byte, a deleted,
swapped, duplicated or hand-appended line, and (given the last known position or head hash) a
log cut at a line boundary or rewritten with fresh hashes. A property test mutates random
bytes of a real log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import (Actor, Event, FormatVersionError, Log, LogCorruptError, Place, Source,
                      TornTailError, ValidationError)
from timeline.cli import main


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


@pytest.fixture(scope="module")
def real_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[str]]:
    """A real log of 8 entries (records, revisions, a retraction, idempotency keys, non-ASCII
    text) made through the library: its bytes and its entry hashes."""
    log = Log.create(tmp_path_factory.mktemp("real") / "real.jsonl")
    dialogue = Event(id="dialogue", date="2013-08-28",
                     title="Стратегический диалог — Moscow",
                     actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"),
                             Actor("RUSGOV")], place=Place("Moscow", "RUS"),
                     sources=[Source("https://example.org/a", title="Dialogue opens")],
                     tags=["dialogue"], cameo="040")
    visit = Event(id="air-chief", date="2013-08", title="Air chief visits", cameo="042")
    entries = [
        log.record(dialogue),
        log.record(visit, idempotency_key="icews:1"),
        log.record(Event(id="trade", date="2013", title="Trade at US$542 million")),
        log.revise(Event(id="air-chief", date="2013-08~", title="Air chief visits"),
                   reason="month approximate", idempotency_key="icews:2"),
        log.record(Event(id="withdrawal", date="2014", title="Withdrawal", status="expected")),
        log.retract("trade", reason="figure unconfirmed"),
        log.record(Event(id="sco", date="2005~", title="SCO observer status")),
        log.revise(Event(id="sco", date="2005", title="SCO observer status"), reason="year sure"),
    ]
    return log.path.read_bytes(), [e.hash for e in entries]


def check(path: Path, data: bytes, **expect: object) -> LogCorruptError:
    """Write ``data`` to ``path`` and return the error ``verify`` raises."""
    path.write_bytes(data)
    with pytest.raises(LogCorruptError) as info:
        Log(path).verify(**expect)  # type: ignore[arg-type]
    return info.value


def split(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


# --- each kind of tampering, at each position -----------------------------------------------

@pytest.mark.parametrize("k", range(1, 9))
def test_a_changed_byte_in_any_entry(real_log: tuple[bytes, list[str]], tmp_path: Path,
                                     k: int) -> None:
    lines = split(real_log[0])
    line = lines[k - 1]
    i = line.index(b'"event_id":"') + len(b'"event_id":"')
    lines[k - 1] = line[:i] + bytes([line[i] ^ 0x01]) + line[i + 1:]  # one bit of the id
    error = check(tmp_path / "t.jsonl", b"".join(lines))
    assert (type(error), str(error), error.position) == (
        LogCorruptError, f"log entry at position {k} has a hash that does not match its content.",
        k)


@pytest.mark.parametrize("k", range(1, 8))
def test_a_deleted_line(real_log: tuple[bytes, list[str]], tmp_path: Path, k: int) -> None:
    lines = split(real_log[0])
    del lines[k - 1]
    error = check(tmp_path / "t.jsonl", b"".join(lines))
    assert (str(error), error.position) == (
        f"log entry at position {k} says position {k + 1}, expected {k}.", k)


@pytest.mark.parametrize("k", range(1, 8))
def test_two_swapped_lines(real_log: tuple[bytes, list[str]], tmp_path: Path, k: int) -> None:
    lines = split(real_log[0])
    lines[k - 1], lines[k] = lines[k], lines[k - 1]
    error = check(tmp_path / "t.jsonl", b"".join(lines))
    assert (str(error), error.position) == (
        f"log entry at position {k} says position {k + 1}, expected {k}.", k)


@pytest.mark.parametrize("k", range(1, 9))
def test_a_duplicated_line(real_log: tuple[bytes, list[str]], tmp_path: Path, k: int) -> None:
    lines = split(real_log[0])
    lines.insert(k, lines[k - 1])
    error = check(tmp_path / "t.jsonl", b"".join(lines))
    assert (str(error), error.position) == (
        f"log entry at position {k + 1} says position {k}, expected {k + 1}.", k + 1)


def _hand_line(data: bytes, **changes: object) -> bytes:
    last = json.loads(split(data)[-1])
    line = {**last, "position": 9, "type": "retracted", "reason": "by hand", "event": None,
            "prev": last["hash"], **changes}
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _rehash(line: bytes) -> bytes:
    """What a forger who read docs/log-format.md would do: recompute the hash."""
    body = json.loads(line)
    del body["hash"]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    body["hash"] = hashlib.sha256(text.encode()).hexdigest()
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def test_a_line_appended_by_hand(real_log: tuple[bytes, list[str]], tmp_path: Path) -> None:
    data = real_log[0]
    wrong_hash = _hand_line(data, hash="0" * 64)
    error = check(tmp_path / "t.jsonl", data + wrong_hash)
    assert (str(error), error.position) == (
        "log entry at position 9 has a hash that does not match its content.", 9)
    # a right hash but a made-up prev
    forged = _rehash(_hand_line(data, prev="ab" * 32))
    error = check(tmp_path / "t.jsonl", data + forged)
    assert (str(error), error.position) == (
        "log entry at position 9 does not chain to the entry before it (prev hash differs).", 9)


@pytest.mark.parametrize("k", range(0, 8))
def test_truncation_at_a_line_boundary_needs_the_last_known_position_or_head(
        real_log: tuple[bytes, list[str]], tmp_path: Path, k: int) -> None:
    data, hashes = real_log
    short = b"".join(split(data)[:k])
    path = tmp_path / "t.jsonl"
    path.write_bytes(short)
    assert Log(path).verify().entries == k  # a clean prefix is a valid log on its own
    error = check(path, short, expect_position=8)
    assert (str(error), error.position) == (
        f"log ends at position {k}, but position 8 was expected: entries were removed from the "
        "end.", k + 1)
    error = check(path, short, expect_head=hashes[7])
    assert (str(error), error.position) == (
        f"log has no entry with the expected head hash {hashes[7]}; it ends at position {k}: "
        "the log was truncated or replaced.", k + 1)
    result = run("verify", path, "--expect-position", 8)
    assert (result.exit_code, result.stdout, result.stderr) == (
        4, "", f"Error: log ends at position {k}, but position 8 was expected: entries were "
        "removed from the end.\n")
    assert path.read_bytes() == short


def test_a_log_rewritten_with_fresh_hashes_fails_against_the_known_head(
        real_log: tuple[bytes, list[str]], tmp_path: Path) -> None:
    data, hashes = real_log
    lines = split(data)
    prev = json.loads(lines[1])["prev"]
    forged = []
    for line in lines[1:]:  # change entry 2's title, then re-chain everything after it
        body = json.loads(line.replace(b"Air chief visits", b"Air chief cancels", 1))
        body["prev"] = prev
        new = _rehash(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
        prev = json.loads(new)["hash"]
        forged.append(new)
    path = tmp_path / "t.jsonl"
    path.write_bytes(lines[0] + b"".join(forged))
    assert Log(path).verify().entries == 8  # the chain alone cannot tell
    error = check(path, path.read_bytes(), expect_head=hashes[7], expect_position=8)
    assert (str(error), error.position) == (
        f"log has no entry with the expected head hash {hashes[7]}; it ends at position 8: the "
        "log was truncated or replaced.", 9)
    assert Log(path).verify(expect_head=hashes[0], expect_position=1).entries == 8


def test_head_and_position_must_agree(real_log: tuple[bytes, list[str]], tmp_path: Path) -> None:
    data, hashes = real_log
    error = check(tmp_path / "t.jsonl", data, expect_head=hashes[3], expect_position=6)
    assert (str(error), error.position) == (
        "log has the expected head hash at position 4, not at the expected position 6: the log "
        "was rewritten.", 4)
    assert Log(tmp_path / "t.jsonl").verify(expect_head=hashes[5], expect_position=6).entries == 8


@pytest.mark.parametrize(("args", "message"), [
    (["--expect-head", "abc"], "Error: expect_head: 'abc' is not a SHA-256 hash (64 lowercase "
     "hex digits). Give the head hash printed by 'timeline verify'.\n"),
    (["--expect-position", "-1"], "Error: expect_position: -1 is not a log position (a whole "
     "number, 0 or more). Give the position of the last entry you read; 0 for an empty log.\n"),
])
def test_a_malformed_expectation_is_an_input_error(real_log: tuple[bytes, list[str]],
                                                   tmp_path: Path, args: list[str],
                                                   message: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(real_log[0])
    result = run("verify", path, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    with pytest.raises(ValidationError):
        Log(path).verify(expect_head=args[1]) if args[0] == "--expect-head" else Log(
            path).verify(expect_position=int(args[1]))


TAMPERING: dict[str, tuple[Callable[[list[bytes]], list[bytes]], str]] = {
    "changed byte": (lambda ls: [ls[0], ls[1].replace(b"Air chief", b"Air chieF"), *ls[2:]],
                     "log entry at position 2 has a hash that does not match its content."),
    "deleted line": (lambda ls: [*ls[:4], *ls[5:]],
                     "log entry at position 5 says position 6, expected 5."),
    "swapped lines": (lambda ls: [ls[0], ls[2], ls[1], *ls[3:]],
                      "log entry at position 2 says position 3, expected 2."),
    "duplicated line": (lambda ls: [*ls, ls[-1]],
                        "log entry at position 9 says position 8, expected 9."),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_cli_verify_exits_4_naming_the_first_bad_position(
        real_log: tuple[bytes, list[str]], tmp_path: Path, name: str) -> None:
    tamper, message = TAMPERING[name]
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(tamper(split(real_log[0]))))
    before = path.read_bytes()
    result = run("verify", path)
    assert (result.exit_code, result.stdout, result.stderr) == (4, "", f"Error: {message}\n")
    result = run("record", path, "--date", "2020", "--title", "After the tampering")
    assert (result.exit_code, result.stderr) == (4, f"Error: {message}\n")
    assert path.read_bytes() == before


# --- the property: any one-byte mutation is detected, at the right place --------------------

def _expected(data: bytes, mutated: bytes, index: int) -> tuple[type, int]:
    """(error type, position or offset) verify must report for a mutation at ``index``."""
    if not mutated.endswith(b"\n"):  # the final newline is gone: a torn tail
        return TornTailError, mutated.rfind(b"\n") + 1
    return LogCorruptError, data[:index].count(b"\n") + 1


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_one_byte_mutation_is_detected(real_log: tuple[bytes, list[str]],
                                           tmp_path: Path, data: st.DataObject) -> None:
    original = real_log[0]
    kind = data.draw(st.sampled_from(["replace", "delete", "insert"]), label="kind")
    end = len(original) + (kind == "insert")
    index = data.draw(st.integers(0, end - 1), label="index")
    if kind == "delete":
        mutated = original[:index] + original[index + 1:]
    else:
        byte = data.draw(st.integers(0, 255).filter(
            lambda b: kind == "insert" or b != original[index]), label="byte")
        mutated = original[:index] + bytes([byte]) + original[index + (kind == "replace"):]
    path = tmp_path / "mutated.jsonl"
    path.write_bytes(mutated)
    kind_expected, where = _expected(original, mutated, index)
    with pytest.raises(LogCorruptError) as info:
        Log(path).verify()
    error = info.value
    if kind_expected is TornTailError:
        assert type(error) is TornTailError and error.offset == where
    else:
        assert type(error) in (LogCorruptError, FormatVersionError)
        assert error.position == where
