"""The command line on every store (LOG a path, a .sqlite path, a sqlite:/// URL or a
postgresql:// URL) and ``timeline copy`` between stores: the same output, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pg
from test_stores import TIMES, kind, place, scenario  # noqa: F401 - fixtures
from timeline import Log
from timeline.cli import main

CONFLICT = ("Error: expected_position: the log is at position 3, not 0; another writer "
            "appended first. Read the log again and retry with the new position.\n")


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


def session(log: str) -> list[tuple[int, str, str]]:
    """The same commands against ``log``: ``(exit code, stdout, stderr)`` of each."""
    dialogue, visit = "2013-08-28-strategic-dialogue-opens", "2013-08-air-chief-visits"
    commands = [
        ("init", log),
        ("record", log, "--date", "2013-08-28", "--title", "Strategic Dialogue opens",
         "--actor", "PAKGOV:Jalil Abbas Jilani:Foreign Secretary", "--place", "Moscow:RUS",
         "--cameo", "040", "--source", "https://example.org/a", "--source-title", "Опens"),
        ("record", log, "--date", "2013-08", "--title", "Air chief visits",
         "--idempotency-key", "icews:1"),
        ("record", log, "--date", "2013-08", "--title", "Air chief visits",
         "--idempotency-key", "icews:1"),  # a retry: the same id and position
        ("record", log, "--date", "2013-08", "--title", "Air chief visits"),  # id -2
        ("record", log, "--date", "2014", "--title", "Late", "--expected-position", "0"),
        ("revise", log, visit, "--date", "2013-08~", "--reason", "month approximate"),
        ("retract", log, f"{visit}-2", "--reason", "a duplicate"),
        ("list", log),
        ("list", log, "--as-of", "2"),
        ("show", log, visit),
        ("show", log, visit, "--as-of", "3"),
        ("history", log, visit),
        ("export", log, "-f", "json", "--title", "T"),
        ("export", log, "-f", "ical", "--title", "T", "--as-of", "3"),
        ("export", log, "-f", "markdown", "--title", "T", "--actor", "PAK"),
        ("verify", log),
        ("verify", log, "--repair", "--expect-position", "5"),
        ("history", log, "nope"),
        ("show", log, dialogue, "--as-of", "2026-11-29T18:00:00.123455Z"),
    ]
    results = []
    for command in commands:
        result = run(*command)
        results.append((result.exit_code, result.stdout, result.stderr))
    return results


def test_every_command_says_the_same_whichever_store(
        place: Callable[[str], str], tmp_path: Path, clock: Callable[..., None]) -> None:
    clock(*TIMES[:7])
    reference = session(str(tmp_path / "reference.jsonl"))
    location = place("cli")
    clock(*TIMES[:7])
    mine = session(location)
    assert mine[0] == (0, f"created {location}\n", "")
    model = "read model: ok: 2 events at position 5\n"
    for n in (16, 17):  # verify: every log also says its read model matches the log
        assert mine[n][1].endswith(model)
    assert [m for m in mine[1:]] == [r for r in reference[1:]]
    assert [m[:2] for m in mine[1:6]] == [
        (0, "2013-08-28-strategic-dialogue-opens\t1\n"), (0, "2013-08-air-chief-visits\t2\n"),
        (0, "2013-08-air-chief-visits\t2\n"), (0, "2013-08-air-chief-visits-2\t3\n"), (3, "")]
    assert mine[5][2] == CONFLICT
    assert mine[8][1] == ("2013-08~\t2013-08-air-chief-visits\tAir chief visits\n"
                          "2013-08-28\t2013-08-28-strategic-dialogue-opens\tStrategic Dialogue "
                          "opens\n")
    assert json.loads(mine[11][1])["date"] == "2013-08"
    head = Log(location).head[1]
    assert mine[16] == (0, f"ok: 5 entries, 2 events, head {head}\n{model}", "")
    assert mine[17][1] == ("repair: nothing to repair: the log has no incomplete final line (5 "
                           f"complete entries).\nok: 5 entries, 2 events, head {head}\n{model}")
    assert mine[18] == (1, "", "Error: id: no event 'nope' in this log. List the ids with: "
                               "timeline list LOG\n")
    assert mine[19][0] == 1  # a microsecond before the first entry: not recorded yet


def test_a_sqlite_url_names_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init", "sqlite:///rel.sqlite").stdout == "created sqlite:///rel.sqlite\n"
    assert run("record", "sqlite:///rel.sqlite", "--date", "2013", "--title", "A").exit_code == 0
    assert [e.event_id for e in Log(tmp_path / "rel.sqlite").entries()] == ["2013-a"]
    absolute = tmp_path / "abs.db"  # a URL needs no .sqlite suffix
    assert run("init", f"sqlite:///{absolute}").exit_code == 0
    assert run("record", f"sqlite:///{absolute}", "--date", "2013", "--title", "B").exit_code == 0
    assert Log(f"sqlite:///{absolute}").head[0] == 1
    assert absolute.read_bytes().startswith(b"SQLite format 3\x00")


# --- copy --------------------------------------------------------------------------------------

@pytest.fixture
def reference(tmp_path: Path, clock: Callable[..., None]) -> Path:
    """A JSON Lines log of the conformance scenario (8 entries)."""
    log = Log.create(tmp_path / "reference.jsonl")
    clock(*TIMES[:6])
    scenario(log)
    return log.path


def test_copy_there_and_back_is_byte_identical(reference: Path, place: Callable[[str], str],
                                               tmp_path: Path) -> None:
    there, back = place("copy"), tmp_path / "back.jsonl"
    head = Log(reference).head[1]
    result = run("copy", reference, there)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"copied 8 entries to {there}; ok: 4 events, head {head}\n", "")
    assert run("copy", there, back).stdout == (f"copied 8 entries to {back}; ok: 4 events, "
                                               f"head {head}\n")
    assert back.read_bytes() == reference.read_bytes()
    for args in (["-f", "ical"], ["-f", "json", "--as-of", "5"]):
        assert run("export", there, *args, "--title", "T").stdout_bytes == run(
            "export", reference, *args, "--title", "T").stdout_bytes


def test_copy_file_to_sqlite_to_postgres_and_back(reference: Path, tmp_path: Path) -> None:
    url = pg.new_postgres_log_url("chain")
    steps = [reference, tmp_path / "a.sqlite", url, tmp_path / "b.sqlite",
             tmp_path / "back.jsonl"]
    for source, destination in zip(steps, steps[1:]):
        assert run("copy", source, destination).exit_code == 0
    assert (tmp_path / "back.jsonl").read_bytes() == reference.read_bytes()
    assert run("verify", url).stdout == run("verify", reference).stdout  # read model line too
    assert run("verify", url).stdout.endswith("\nread model: ok: 4 events at position 8\n")


def test_copy_refuses_a_destination_with_entries(reference: Path, place: Callable[[str], str],
                                                 clock: Callable[..., None]) -> None:
    there = place("full")
    run("init", there)
    clock(TIMES[0])
    run("record", there, "--date", "2013", "--title", "Already here")
    before = [e.to_line() for e in Log(there).entries()]
    result = run("copy", reference, there)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "", f"Error: log: {there!r} already holds 1 entry. Copy into a new or empty log.\n")
    assert [e.to_line() for e in Log(there).entries()] == before
    empty = place("empty")
    run("init", empty)  # an empty log, made by init, is a fine destination
    assert run("copy", reference, empty).exit_code == 0


def test_copy_of_a_bad_log_leaves_no_destination(reference: Path,
                                                 place: Callable[[str], str]) -> None:
    data = reference.read_bytes()
    reference.write_bytes(data.replace(b'"title":"Withdrawal"', b'"title":"Withdrawn!"'))
    there = place("bad")
    result = run("copy", reference, there)
    assert (result.exit_code, result.stderr) == (
        4, "Error: log entry at position 8 has a hash that does not match its content.\n")
    missing = run("verify", there)
    assert missing.exit_code == 1
    assert "does not exist" in missing.stderr or "holds no timeline log" in missing.stderr
    reference.write_bytes(data[:-10])  # a torn tail
    result = run("copy", reference, place("torn"))
    assert result.exit_code == 4 and "incomplete line" in result.stderr


def test_copy_onto_itself_is_refused(reference: Path) -> None:
    result = run("copy", reference, reference.parent / "." / reference.name)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: destination: {str(reference.parent / reference.name)!r} is the log being "
           "copied. Copy to another file or database.\n")


def test_as_of_a_time_between_entries(reference: Path, place: Callable[[str], str]) -> None:
    there = place("asof")
    run("copy", reference, there)
    moment = (TIMES[2] + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run("list", there, "--as-of", moment).stdout == run(
        "list", reference, "--as-of", moment).stdout


def test_import_into_postgres_with_skip_invalid_puts_rejects_in_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A database log has no folder of its own; the rejects side file goes to the
    # current folder (it used to crash on log.path being None).
    url = pg.new_postgres_log_url("rejects")
    assert run("init", url).exit_code == 0
    monkeypatch.chdir(tmp_path)
    data = Path(__file__).parent / "data" / "import" / "icews-invalid.tab"
    result = run("import", url, data, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "icews-invalid.tab.rejects.tsv").is_file()
