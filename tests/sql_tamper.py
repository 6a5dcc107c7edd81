"""Rows of a SQL log changed by hand, as someone with access to the database could change
them: for ``tests/test_stores_sql_chain.py`` and the corpus's SQLite logs
(``tests/data/hostile/make_sql_logs.py``). Each change is made to the log of issue 12,
item 5: ev-a recorded (position 1), ev-a retracted (2), ev-b recorded (3)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

#: What each change does, in SQL ("?" placeholders); "row-rehashed" is :func:`rehashed`.
CHANGES: dict[str, list[str]] = {
    "row-deleted": ["DELETE FROM timeline_entries WHERE position = 2"],
    "first-row-deleted": ["DELETE FROM timeline_entries WHERE position = 1"],
    "row-edited": ["UPDATE timeline_entries SET event_id = 'ev-z', "
                   "line = replace(line, '\"ev-a\"', '\"ev-z\"') WHERE position = 2"],
    "row-rehashed": [],
    "type-column-edited": ["UPDATE timeline_entries SET type = 'revised' WHERE position = 2"],
    "row-moved": ["UPDATE timeline_entries SET position = 7 WHERE position = 2"],
    "rows-swapped": ["UPDATE timeline_entries SET position = 100 WHERE position = 2",
                     "UPDATE timeline_entries SET position = 2 WHERE position = 1",
                     "UPDATE timeline_entries SET position = 1 WHERE position = 100"],
}


def rehashed(line: str) -> tuple[str, str]:
    """``line`` with another reason and a hash recomputed to match it (a careful forger),
    with the algorithm of ``docs/log-format.md``, not the library's code."""
    body = json.loads(line)
    body["reason"] = "edited by hand"
    del body["hash"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    body["hash"] = hashlib.sha256(canonical.encode()).hexdigest()
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False), body["hash"]


def tamper(execute: Callable[..., list[tuple[Any, ...]]], how: str) -> None:
    """Make the change ``how`` with ``execute(statement, params=())``, which runs SQL on
    the log's database and returns the rows."""
    if how == "row-rehashed":
        line = execute("SELECT line FROM timeline_entries WHERE position = 2")[0][0]
        execute("UPDATE timeline_entries SET line = ?, hash = ? WHERE position = 2",
                rehashed(line))
    for statement in CHANGES[how]:
        execute(statement)
