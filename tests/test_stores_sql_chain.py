"""Reads of a SQL log by event id or idempotency key check the rows they read, and the rows
around them, against the hash chain (issue 12, item 5): a deleted, edited, rehashed, moved or
swapped row is exit 4 naming its position in ``show`` and ``history`` as in ``list`` and
``record``. SQLite and PostgreSQL (``tests/pg.py``), through the CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import sql_tamper
from test_stores_sql import db_place, execute, run  # noqa: F401 - db_place is a fixture
from timeline import Append, Event, Log, LogCorruptError

REMOVED_2 = "log has no entry at position 2; an entry was removed."
REMOVED_1 = "log has no entry at position 1; an entry was removed."


def tamper(location: str, how: str) -> None:
    sql_tamper.tamper(lambda statement, params=(): execute(location, statement, params), how)


def rows(location: str) -> list[tuple]:
    return execute(location, "SELECT * FROM timeline_entries ORDER BY position")


@pytest.fixture
def withdrawn(db_place: Callable[[str], str]) -> str:  # noqa: F811 - the imported fixture
    """ev-a recorded (1, key k-a), ev-a retracted (2), ev-b recorded (3)."""
    log = Log.create(db_place("t"))
    log.record(Event(id="ev-a", date="2013", title="A"), idempotency_key="k-a")
    log.retract("ev-a", reason="withdrawn")
    log.record(Event(id="ev-b", date="2014", title="B"))
    log.store.close()
    return log.location


# (show ev-a, history ev-a) / list / record: the message each prints on stderr, exit 4.
CASES = {
    "row-deleted": (REMOVED_2, "log entry at position 2 says position 3, expected 2.", REMOVED_2),
    "first-row-deleted": (REMOVED_1, "log entry at position 1 says position 2, expected 1.",
                      REMOVED_1),
    "row-edited": ("log entry at position 2 has a hash that does not match its content.",) * 3,
    "row-rehashed": ("log entry at position 3 does not chain to the entry before it (prev hash "
                 "differs).",) * 3,
    "type-column-edited": ("log entry at position 2 has a row whose type column differs from its "
                    "line; the row was changed outside timeline.",) * 3,
    # rows 1, 3, 7: an append checks the head, 7, with 6 and 5 before it
    "row-moved": (REMOVED_2, "log entry at position 2 says position 3, expected 2.",
              "log has no entry at position 5; an entry was removed."),
    "rows-swapped": ("log entry at position 1 says position 2, expected 1.",) * 2
    + ("log entry at position 2 says position 1, expected 2.",),
}


@pytest.mark.parametrize("how", CASES)
def test_show_and_history_catch_a_changed_row(withdrawn: str, how: str) -> None:
    tamper(withdrawn, how)
    by_id, full, append = CASES[how]
    before = rows(withdrawn)
    for args, message in [(("show", withdrawn, "ev-a"), by_id),
                          (("show", withdrawn, "ev-a", "--as-of", "1"), by_id),
                          (("history", withdrawn, "ev-a"), by_id),
                          (("list", withdrawn), full),
                          (("record", withdrawn, "--id", "ev-c", "--date", "2015", "--title",
                            "C"), append)]:
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (4, "", f"Error: {message}\n")
    assert rows(withdrawn) == before  # nothing appended to a log that failed its check


def test_the_issue_reproduction(withdrawn: str) -> None:
    """Issue 12, item 5: show exited 0 with the withdrawn event."""
    assert run("show", withdrawn, "ev-a").exit_code == 1  # retracted: not in the chronology
    execute(withdrawn, "DELETE FROM timeline_entries WHERE position = 2")
    for command in ("show", "history"):
        result = run(command, withdrawn, "ev-a")
        assert (result.exit_code, result.stdout, result.stderr) == (4, "", f"Error: {REMOVED_2}\n")
    with pytest.raises(LogCorruptError) as info:
        Log(withdrawn).state("ev-b")  # ev-b's row, 3, chains to the missing one
    assert (str(info.value), info.value.position) == (REMOVED_2, 2)


@pytest.fixture
def longer(db_place: Callable[[str], str]) -> str:  # noqa: F811 - the imported fixture
    """As ``withdrawn``, then ev-c (4), ev-d (5), ev-e (6): the head is far from rows 1-2."""
    log = Log.create(db_place("t"))
    log.record(Event(id="ev-a", date="2013", title="A"), idempotency_key="k-a")
    log.retract("ev-a", reason="withdrawn")
    for name in "bcde":
        log.record(Event(id=f"ev-{name}", date="2014", title=name.upper()))
    log.store.close()
    return log.location


def test_a_retry_by_idempotency_key_checks_the_rows_around_its_entry(longer: str) -> None:
    execute(longer, "DELETE FROM timeline_entries WHERE position = 3")
    # The head (6, with 5 and 4) is whole: only the key's entry, 1, sees that 3 is gone.
    result = run("record", longer, "--id", "ev-a", "--date", "2013", "--title", "A",
                 "--idempotency-key", "k-a")
    assert (result.exit_code, result.stdout, result.stderr) == (
        4, "", "Error: log has no entry at position 3; an entry was removed.\n")
    with pytest.raises(LogCorruptError, match="no entry at position 3"):
        Log(longer).entry_for_key("k-a")


def test_retract_and_revise_check_the_state_they_read(longer: str) -> None:
    """An append reads the event's last row for its state: an edited type column must not
    let a retracted event be retracted again or revised."""
    tamper(longer, "type-column-edited")
    message = ("log entry at position 2 has a row whose type column differs from its line; "
               "the row was changed outside timeline.")
    before = rows(longer)
    result = run("retract", longer, "ev-a", "--reason", "again")
    assert (result.exit_code, result.stdout, result.stderr) == (4, "", f"Error: {message}\n")
    with pytest.raises(LogCorruptError) as info:
        Log(longer).revise(Event(id="ev-a", date="2013", title="A2"), reason="again")
    assert (str(info.value), info.value.position) == (message, 2)
    assert rows(longer) == before


@pytest.mark.parametrize("position", [1, 3, 5])
def test_event_ids_see_any_missing_position(longer: str, position: int) -> None:
    """Deriving an id reads every id (one pass over the index), and with it every position."""
    execute(longer, "DELETE FROM timeline_entries WHERE position = ?", (position,))
    message = f"log has no entry at position {position}; an entry was removed."
    with pytest.raises(LogCorruptError) as info:
        Log(longer).event_ids()
    assert (str(info.value), info.value.position) == (message, position)
    result = run("record", longer, "--date", "2015", "--title", "Derived id")
    assert (result.exit_code, result.stdout, result.stderr) == (4, "", f"Error: {message}\n")


def test_rows_removed_from_the_end_need_the_expected_position(withdrawn: str) -> None:
    """Truncation leaves a shorter, valid chain: no read can see it, --expect-position does."""
    execute(withdrawn, "DELETE FROM timeline_entries WHERE position >= 2")
    assert run("history", withdrawn, "ev-a").stdout.count("\n") == 1  # its retraction is gone
    result = run("verify", withdrawn, "--expect-position", "3")
    assert (result.exit_code, result.stderr) == (
        4, "Error: log ends at position 1, but position 3 was expected: entries were removed "
           "from the end.\n")


@pytest.fixture
def far(db_place: Callable[[str], str]) -> str:  # noqa: F811 - the imported fixture
    """ev-a recorded (1), ev-b .. ev-f (2-6), ev-a retracted (7), ev-g .. ev-k (8-12): no row
    of ev-a stands within two positions of its retraction."""
    log = Log.create(db_place("t"))
    log.append_batch([Append.record(Event(id="ev-a", date="2013", title="A")),
                      *(Append.record(Event(id=f"ev-{n}", date="2014", title=n)) for n in "bcdef"),
                      Append.retract("ev-a", reason="withdrawn"),
                      *(Append.record(Event(id=f"ev-{n}", date="2015", title=n)) for n in "ghijk")])
    log.store.close()
    return log.location


def test_a_retraction_deleted_far_from_the_rows_read_is_caught(far: str) -> None:
    """The rows around ev-a's record (1-3) and the head (10-12) are whole; only the count
    of rows sees that 7 is gone, so show, history, revise and a key lookup refuse."""
    execute(far, "DELETE FROM timeline_entries WHERE position = 7")
    message = "log has no entry at position 7; an entry was removed."
    before = rows(far)
    for args in (("show", far, "ev-a"), ("history", far, "ev-a"), ("show", far, "ev-b"),
                 ("revise", far, "ev-a", "--title", "A again", "--reason", "undo"),
                 ("retract", far, "ev-a", "--reason", "again")):
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (4, "", f"Error: {message}\n")
    with pytest.raises(LogCorruptError) as info:
        Log(far).entry_for_key("k-none")
    assert (str(info.value), info.value.position) == (message, 7)
    assert rows(far) == before
