"""The SQL read model is never trusted without a check against the log (docs/read-model.md):
a database of release 1 (no read model) reads and verifies as before and gets one on its next
append or ``timeline rebuild``; a read model changed by hand is found by ``timeline verify``
(exit 4, naming the row), reads that meet it fold the log, and ``rebuild`` (or, for a stale
tracking record, the next append) puts it right."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from test_stores import TIMES
from test_stores_sql import db_place, execute, filled, run  # noqa: F401 - fixtures
from timeline import Actor, Event, Log, fold
from timeline.chronology import EventFilter

DATA = Path(__file__).parent / "data"
#: ``events/pakistan-russia.jsonl`` copied into SQLite by release 1 (schema version 1, no
#: read model): ``timeline copy events/pakistan-russia.jsonl release1.sqlite`` run with
#: the code of the commit before the read model.
RELEASE_1 = DATA / "release1" / "pakistan-russia.sqlite"
BUNDLED = Path(__file__).parents[1] / "events" / "pakistan-russia.jsonl"


def tables(location: str) -> list[str]:
    if location.startswith("postgresql://"):
        rows = execute(location, "SELECT tablename FROM pg_tables WHERE schemaname = "
                                 "current_schema() ORDER BY tablename")
    else:
        rows = execute(location, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                 "ORDER BY name")
    return [r[0] for r in rows]


def schema_version(location: str) -> str:
    return execute(location, "SELECT value FROM timeline_meta WHERE key = 'schema_version'")[0][0]


# --- a database of release 1 ----------------------------------------------------------------

@pytest.fixture
def release1(tmp_path: Path) -> str:
    path = tmp_path / "pr.sqlite"
    shutil.copyfile(RELEASE_1, path)
    return str(path)


def test_a_release_1_database_reads_and_verifies_as_before(release1: str) -> None:
    assert tables(release1) == ["timeline_entries", "timeline_meta"]
    assert schema_version(release1) == "1"
    head = Log(BUNDLED).head[1]
    result = run("verify", release1)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (f"ok: 9 entries, 9 events, head {head}\nread model: not built yet; "
                             "reads fold the log until the next append or 'timeline rebuild "
                             "LOG'\n")
    for args in (["list"], ["list", "--actor", "PAK", "--to", "2014"], ["list", "--as-of", "4"],
                 ["export", "-f", "json", "--title", "T"]):
        assert run(*args[:1], release1, *args[1:]).stdout == run(*args[:1], BUNDLED,
                                                                 *args[1:]).stdout
    assert Log(release1).store.read_model.chronology(None, EventFilter(), "T") is None  # folds
    assert tables(release1) == ["timeline_entries", "timeline_meta"]  # reading changed nothing


def test_rebuild_gives_a_release_1_database_its_read_model(release1: str) -> None:
    head = Log(release1).head[1]
    result = run("rebuild", release1)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"rebuilt the read model: 9 events at position 9, head {head}\n", "")
    assert schema_version(release1) == "2"
    assert "timeline_read_events" in tables(release1)
    assert run("verify", release1).stdout == (f"ok: 9 entries, 9 events, head {head}\n"
                                              "read model: ok: 9 events at position 9\n")
    model = Log(release1).store.read_model
    assert model.chronology(None, EventFilter(), "T") == fold(Log(BUNDLED).entries(), title="T")


def test_the_first_append_builds_the_read_model_in_its_transaction(release1: str) -> None:
    before = [e.to_line() for e in Log(release1).entries()]
    log = Log(release1)
    log.record(Event(id="new", date="2015", title="New"))
    assert [e.to_line() for e in log.entries()][:9] == before  # the same entries and hashes
    assert schema_version(release1) == "2"
    report = log.verify_read_model()
    assert (report.built, report.position, report.events) == (True, 10, 10)
    assert log.store.read_model.chronology(None, EventFilter(), "T") == fold(log.entries(),
                                                                             title="T")


def test_a_file_log_without_a_cache_folder_has_no_read_model(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", "")  # turned off: tests/test_file_read_model.py
    path = tmp_path / "pr.jsonl"
    shutil.copyfile(BUNDLED, path)
    result = run("rebuild", path)
    assert (result.exit_code, result.stdout) == (
        0, "nothing to rebuild: the cache folder is turned off (TIMELINE_CACHE_DIR is empty), "
           "so this JSON Lines log keeps no read model; every read folds the log.\n")
    assert path.read_bytes() == BUNDLED.read_bytes()
    assert run("verify", path).stdout.count("\n") == 1  # the ok line alone, as before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pr.jsonl"]


# --- a read model changed by hand -----------------------------------------------------------

def refused(location: str, message: str, position: int) -> None:
    result = run("verify", location)
    assert result.exit_code == 4
    assert result.stdout.startswith("ok: 8 entries, 4 events, head ")  # the log itself is fine
    assert result.stderr == (f"Error: read model of {location!r} {message}: it was changed "
                             f"outside timeline, or by another version. Rebuild it with: "
                             f"timeline rebuild {location}\n")
    from timeline import LogCorruptError

    with pytest.raises(LogCorruptError) as info:
        Log(location).verify_read_model()
    assert info.value.position == position


def answers_from_the_model(location: str) -> bool:
    return Log(location).store.read_model.chronology(None, EventFilter(), "T") is not None


LISTS = (["list"], ["list", "--actor", "RUS"], ["list", "--as-of", "5", "--from", "2005"],
         ["export", "-f", "json", "--title", "T"])


def outputs(location: str) -> list[str]:
    return [run(args[0], location, *args[1:]).stdout for args in LISTS]


@pytest.mark.parametrize("edit, message, position", [
    ("UPDATE timeline_read_events SET sort_lower = '0001-01-01' WHERE position = 8",
     "has a row for the entry at position 8 (event 'withdrawal') that differs from the log in "
     "sort_lower", 8),
    ("UPDATE timeline_read_events SET is_current = 0 WHERE position = 6; "
     "UPDATE timeline_read_events SET is_current = 1 WHERE position = 2",
     "marks the entry at position 2 as the current state of event 'air-chief', which it is "
     "not", 2),
    ("INSERT INTO timeline_read_events VALUES (7, 'trade', '2013-01-01', '2013-12-31', 3, "
     "'occurred', NULL, 'trade', 1)", "has rows for position 7, where the log holds no event "
     "(a retraction, or no entry)", 7),
])
def test_a_read_that_meets_an_edited_row_folds_the_log(filled: str, edit: str, message: str,
                                                       position: int) -> None:
    expected = outputs(filled)
    for statement in edit.split("; "):
        execute(filled, statement)
    assert not answers_from_the_model(filled)  # the row does not match its entry: fold
    assert outputs(filled) == expected
    refused(filled, message, position)
    assert run("rebuild", filled).exit_code == 0
    assert answers_from_the_model(filled) and outputs(filled) == expected
    assert run("verify", filled).stdout.endswith("read model: ok: 4 events at position 8\n")


def test_an_edit_that_hides_an_event_is_found_by_verify(filled: str) -> None:
    expected = outputs(filled)
    execute(filled, "UPDATE timeline_read_actors SET code = 'USAGOV' WHERE position = 1 "
                    "AND code = 'RUSGOV'")
    # A read cannot see a row that is no longer selected (docs/read-model.md): verify does.
    assert run("list", filled, "--actor", "RUS").stdout == (
        "2013-08~\tair-chief\tAir chief visits\n")
    refused(filled, "has a row for the entry at position 1 (event 'dialogue') that differs "
                    "from the log in actors", 1)
    assert run("rebuild", filled).stdout.startswith("rebuilt the read model: 4 events at "
                                                    "position 8, head ")
    assert outputs(filled) == expected


def test_a_stale_tracking_record_folds_and_the_next_append_rebuilds(
        filled: str, clock: Callable[..., None]) -> None:
    expected = outputs(filled)
    head = Log(filled).head[1]
    execute(filled, "UPDATE timeline_read_tracking SET position = 7")
    assert not answers_from_the_model(filled)
    assert outputs(filled) == expected
    refused(filled, f"reflects position 7 (head {head}, version 1), but the log's head is "
                    f"position 8 (head {head}, version 1)", 8)
    clock(TIMES[6])
    Log(filled).record(Event(id="late", date="2016", title="Late", actors=[Actor("RUSGOV")]))
    assert answers_from_the_model(filled)
    assert Log(filled).verify_read_model().position == 9
    assert run("list", filled, "--actor", "RUS").stdout == (
        "2013-08~\tair-chief\tAir chief visits\n"
        "2013-08-28\tdialogue\tСтратегический диалог — Moscow\n"
        "2016\tlate\tLate\n")


def test_a_missing_read_model_table_is_rebuilt(filled: str) -> None:
    expected = outputs(filled)
    execute(filled, "DROP TABLE timeline_read_tracking")
    assert not answers_from_the_model(filled)
    assert outputs(filled) == expected
    assert run("verify", filled).stdout.endswith("read model: not built yet; reads fold the log "
                                                 "until the next append or 'timeline rebuild "
                                                 "LOG'\n")
    assert run("rebuild", filled).exit_code == 0
    assert answers_from_the_model(filled) and outputs(filled) == expected


def test_the_crash_harness_check_catches_a_read_model_that_disagrees(filled: str) -> None:
    import crash_harness

    result = crash_harness.TrialResult()
    crash_harness.check_read_model(filled, result)
    assert result.problems == []
    execute(filled, "UPDATE timeline_read_events SET status = 'expected' WHERE position = 5")
    crash_harness.check_read_model(filled, result)
    assert result.problems == [
        f"the read model disagrees with the log: read model of {filled!r} has a row for the "
        "entry at position 5 (event 'sco') that differs from the log in status: it was changed "
        f"outside timeline, or by another version. Rebuild it with: timeline rebuild {filled}"]


READ_TABLES = ("timeline_read_events", "timeline_read_actors", "timeline_read_tags",
               "timeline_read_tracking")


def test_rebuild_refuses_a_corrupt_log_and_changes_nothing(filled: str) -> None:
    def state() -> list[list[tuple]]:
        return [execute(filled, f"SELECT * FROM {table} ORDER BY 1, 2") for table in READ_TABLES]

    before = state()
    execute(filled, "UPDATE timeline_entries SET line = replace(line, '542', '543') "
                    "WHERE position = 3")
    result = run("rebuild", filled)
    assert (result.exit_code, result.stdout, result.stderr) == (
        4, "", "Error: log entry at position 3 has a hash that does not match its content.\n")
    assert state() == before  # the tables made again in the transaction were rolled back
    assert schema_version(filled) == "2"


def test_checking_the_read_model_names_an_entry_it_cannot_read(filled: str) -> None:
    from timeline import LogCorruptError

    execute(filled, "UPDATE timeline_entries SET line = 'not json' WHERE position = 3")
    with pytest.raises(LogCorruptError) as info:
        Log(filled).verify_read_model()  # verify() names what is wrong with the entry itself
    assert (str(info.value), info.value.position) == (
        "log entry at position 3 cannot be read to check the read model. Run: timeline verify "
        f"{filled}", 3)
