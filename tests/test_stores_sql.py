"""What the database stores add: rows edited behind timeline's back are named like edited
lines, the schema version, clear errors for a database that is not a log or cannot be reached,
and reads that use the indexes instead of replaying the log (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import pg
import timeline.entries
from test_stores import TIMES, scenario
from timeline import Event, Log, LogCorruptError, LogError, LogNotFoundError, SchemaVersionError
from timeline.cli import main


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


@pytest.fixture(params=["sqlite", "postgres"])
def db_place(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    if request.param == "postgres":
        return pg.new_postgres_log_url
    return lambda name: str(tmp_path / f"{name}.sqlite")


def execute(location: str, statement: str, params: tuple = ()) -> list[tuple]:
    """Run SQL on a log's database directly, as someone editing it by hand would."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            cursor = connection.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    connection = sqlite3.connect(location, isolation_level=None)
    try:
        return connection.execute(statement, params).fetchall()
    finally:
        connection.close()


@pytest.fixture
def filled(db_place: Callable[[str], str], clock: Callable[..., None]) -> str:
    log = Log.create(db_place("t"))
    clock(*TIMES[:6])
    scenario(log)
    return log.location


# --- tampering -------------------------------------------------------------------------------

def verify_error(location: str) -> LogCorruptError:
    with pytest.raises(LogCorruptError) as info:
        Log(location).verify()
    return info.value


@pytest.mark.parametrize("k", range(1, 9))
def test_a_changed_byte_in_any_row_is_named(filled: str, k: int) -> None:
    line = execute(filled, "SELECT line FROM timeline_entries WHERE position = ?", (k,))[0][0]
    i = line.index('"event_id":"') + len('"event_id":"')
    edited = line[:i] + chr(ord(line[i]) ^ 0x01) + line[i + 1:]
    execute(filled, "UPDATE timeline_entries SET line = ? WHERE position = ?", (edited, k))
    error = verify_error(filled)
    assert (str(error), error.position) == (
        f"log entry at position {k} has a hash that does not match its content.", k)


def test_a_deleted_row_is_named(filled: str) -> None:
    execute(filled, "DELETE FROM timeline_entries WHERE position = 4")
    error = verify_error(filled)
    assert (str(error), error.position) == ("log entry at position 4 says position 5, "
                                            "expected 4.", 4)
    with pytest.raises(LogCorruptError, match="no entry at position 4; an entry was removed"):
        Log(filled).history("sco")  # position 5 cannot be checked against position 4


def test_an_edited_column_is_named(filled: str) -> None:
    execute(filled, "UPDATE timeline_entries SET event_id = 'dialogue' WHERE position = 6")
    error = verify_error(filled)
    assert (str(error), error.position) == (
        "log entry at position 6 has a row whose event_id column differs from its line; the row "
        "was changed outside timeline.", 6)
    with pytest.raises(LogCorruptError, match="position 6 has a row whose event_id column"):
        Log(filled).history("dialogue")


def test_a_rewritten_chain_needs_the_expected_head(filled: str) -> None:
    head = Log(filled).head[1]
    execute(filled, "DELETE FROM timeline_entries WHERE position > 6")
    assert Log(filled).verify().entries == 6  # a valid, shorter chain
    with pytest.raises(LogCorruptError) as info:
        Log(filled).verify(expect_head=head)
    assert str(info.value) == (f"log has no entry with the expected head hash {head}; it ends "
                               "at position 6: the log was truncated or replaced.")


def test_an_append_checks_the_head_row(filled: str, clock: Callable[..., None]) -> None:
    execute(filled, "UPDATE timeline_entries SET line = replace(line, 'Withdrawal', 'Withdrawn') "
                    "WHERE position = 8")
    clock(TIMES[6])
    with pytest.raises(LogCorruptError, match="position 8 has a hash that does not match"):
        Log(filled).record(Event(id="new", date="2015", title="New"))
    assert execute(filled, "SELECT COUNT(*) FROM timeline_entries") == [(8,)]


# --- schema, not a log, unreachable -------------------------------------------------------

def test_a_newer_schema_is_refused(filled: str) -> None:
    execute(filled, "UPDATE timeline_meta SET value = '3' WHERE key = 'schema_version'")
    with pytest.raises(SchemaVersionError) as info:
        Log(filled)
    assert (info.value.found, info.value.supported) == (3, 2)
    result = run("list", filled)
    assert (result.exit_code, result.stderr) == (
        4, f"Error: log: {filled!r} has schema version 3, newer than version 2 which this "
           "version of diplomatic-timeline reads. Upgrade diplomatic-timeline.\n")


def test_a_database_without_a_log(db_place: Callable[[str], str]) -> None:
    location = db_place("nolog")
    if location.startswith("postgresql://"):
        execute(location.split("?")[0], "SELECT 1")  # the database exists, the schema does not
    else:
        sqlite3.connect(location).close()  # an empty SQLite file
    result = run("list", location)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {location!r} holds no timeline log (no timeline_meta table). Create "
           f"one with: timeline init {location}\n")
    assert run("init", location).exit_code == 0 if location.startswith("postgresql") else True


def test_init_refuses_an_existing_log(filled: str) -> None:
    result = run("init", filled)
    assert result.exit_code == 1
    assert result.stderr in (
        f"Error: log: {filled!r} already exists. Choose another path, or use the existing log.\n",
        f"Error: log: {filled!r} already holds a timeline log. Choose another database or "
        "schema, or use the existing log.\n")
    assert Log(filled).verify().entries == 8


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    path.write_bytes(b"not a database, just bytes" * 100)
    result = run("list", path)
    assert (result.exit_code, result.stderr) == (
        4, f"Error: log: {str(path)!r} is not a readable SQLite database (file is not a "
           "database). Give the path of a timeline SQLite log, or restore it from a backup.\n")


def test_a_missing_sqlite_log(tmp_path: Path) -> None:
    path = tmp_path / "missing.sqlite"
    with pytest.raises(LogNotFoundError) as info:
        Log(path)
    assert str(info.value) == (f"log: {str(path)!r} does not exist. Create it with: timeline "
                               f"init {path}")
    assert not path.exists()


def test_an_unreachable_server_hides_the_password() -> None:
    pytest.importorskip("psycopg")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://team:s3cret@127.0.0.1:{port}/chronology?connect_timeout=5"
    result = run("list", url)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: log: 'postgresql://team:***@127.0.0.1:{port}/chronology?connect_timeout=5' "
        "cannot be reached: ")
    assert result.stderr.endswith(
        "Check that the server runs and that the URL's host, port, database and user are right. "
        "An append cut off here may or may not have been committed: retry it with the same "
        "idempotency key.\n")
    assert "s3cret" not in result.stderr


def test_without_psycopg_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    with pytest.raises(LogError) as info:
        Log("postgresql://127.0.0.1/db")
    assert str(info.value) == ("log: a postgresql:// log needs the psycopg package, which is not "
                               "installed. Install it with: pip install "
                               "'diplomatic-timeline[postgres]'")


# --- reads use the indexes -------------------------------------------------------------------

@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The positions of the lines parsed (``Entry.from_line``) while the test runs."""
    seen: list[int] = []
    real = timeline.entries.Entry.from_line.__func__  # type: ignore[attr-defined]

    def counting(cls: Any, line: bytes, *, position: int, prev: str) -> Any:
        seen.append(position)
        return real(cls, line, position=position, prev=prev)

    monkeypatch.setattr(timeline.entries.Entry, "from_line", classmethod(counting))
    yield seen


def test_reads_touch_only_the_entries_they_need(db_place: Callable[[str], str],
                                                parsed: list[int]) -> None:
    log = Log.create(db_place("big"))
    log.append_batch([timeline.Append.record(Event(id=f"e{n}", date="2013", title=f"E{n}"))
                      for n in range(1, 61)])
    log.revise(Event(id="e7", date="2014", title="E7"), reason="date corrected")
    reader = Log(log.location)
    parsed.clear()
    assert [e.position for e in reader.history("e7")] == [7, 61]
    assert parsed == [6, 7, 8, 9, 60, 61]  # each checked with its neighbours, nothing else
    parsed.clear()
    assert len(reader.chronology(as_of=10)) == 10
    # the 10 events' entries, and the head with the rows its check reads: nothing else
    assert set(range(1, 11)) <= set(parsed) and set(parsed) - set(range(1, 11)) <= {60, 61}
    parsed.clear()
    assert [i.last_position for i in reader.chronology(date_from="2014")] == [61]
    assert 61 in parsed and set(parsed) <= {60, 61}  # the head, the one event that matches
    parsed.clear()
    assert [e.position for e in reader.entries(after=58)] == [59, 60, 61]
    assert parsed == [59, 60, 61]
    parsed.clear()
    assert reader.head[0] == 61 and parsed == [60, 61]


def test_the_event_and_time_queries_use_their_indexes(tmp_path: Path) -> None:
    log = Log.create(tmp_path / "t.sqlite")
    queries = log.store._sql  # type: ignore[attr-defined]
    plans = {name: [row[3] for row in execute(str(log.path), "EXPLAIN QUERY PLAN "
                                              + queries(name), params)]
             for name, params in [("history", ("x",)), ("state", ("x",)), ("key", ("k",)),
                                  ("span", (1, 2)), ("top", ()), ("ids", ())]}
    assert plans == {  # by id or key: positions from an index, rows by primary key
        "history": ["SEARCH timeline_entries USING COVERING INDEX timeline_entries_event "
                    "(event_id=?)"],
        "state": ["SEARCH timeline_entries USING COVERING INDEX timeline_entries_event "
                  "(event_id=?)"],
        "key": ["SEARCH timeline_entries USING COVERING INDEX "
                "sqlite_autoindex_timeline_entries_1 (idempotency_key=?)"],
        "span": ["SEARCH timeline_entries USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"],
        "top": ["SEARCH timeline_entries"],  # MAX of the primary key: one b-tree descent
        "ids": ["SCAN timeline_entries USING COVERING INDEX timeline_entries_event"]}
    plan = execute(str(log.path), "EXPLAIN QUERY PLAN " + queries("until"), ("x",))
    assert [row[3] for row in plan] == [
        "SEARCH timeline_entries USING COVERING INDEX timeline_entries_time (recorded_at<?)"]
    plan = execute(str(log.path), "EXPLAIN QUERY PLAN " + queries("page"), (1, 2))
    assert [row[3] for row in plan] == [
        "SEARCH timeline_entries USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"]


def test_the_sqlite_file_is_in_wal_mode(tmp_path: Path) -> None:
    log = Log.create(tmp_path / "t.sqlite")
    assert execute(str(log.path), "PRAGMA journal_mode") == [("wal",)]
    assert execute(str(log.path), "SELECT key, value FROM timeline_meta ORDER BY key") == [
        ("format", "1"), ("schema_version", "2")]


def test_without_a_server_the_tests_skip_locally_and_fail_in_ci(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "_SHARED", [pg.Unavailable("no initdb found")])
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception) as skipped:
        pg.new_postgres_log_url()
    assert str(skipped.value) == (
        "no PostgreSQL server could be started (no initdb found); to run these tests, install "
        "PostgreSQL (Debian/Ubuntu: apt-get install -y postgresql; the tests run its initdb and "
        "pg_ctl themselves), or set TIMELINE_TEST_POSTGRES to the URL of a server you run, e.g. "
        "postgresql://postgres@127.0.0.1:5432/postgres")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        pg.new_postgres_log_url()
    assert str(failed.value) == ("PostgreSQL is required in CI and could not be started: no "
                                 "initdb found")
