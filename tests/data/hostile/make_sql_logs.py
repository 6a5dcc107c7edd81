"""Build the SQLite logs of the hostile corpus, ``tests/data/hostile/logs/sql-*.sqlite``
(``cases-sql-rows.json``; issue 12, item 5).

Run from the repository root: ``.venv/bin/python tests/data/hostile/make_sql_logs.py``. Kept
for provenance: the committed files are the corpus. Each is the log of the issue, ev-a
recorded (position 1, key ``k-a``), ev-a retracted (2), ev-b recorded (3), at fixed record
times, with its rows then changed by hand as the file's name says (``tests/sql_tamper.py``).
The files are in rollback journal mode (not WAL) with 512-byte pages: small, and a read
writes nothing beside them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

from timeline import Entry, Event
from timeline.stores.sqlite import SQLiteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for sql_tamper
from sql_tamper import CHANGES, tamper  # noqa: E402

LOGS = Path(__file__).resolve().parent / "logs"
T0 = dt.datetime(2026, 11, 29, 18, 0, 0, 123456, tzinfo=dt.timezone.utc)


def entries() -> list[Entry]:
    a = Entry.create(position=1, recorded_at=T0, type="recorded", event_id="ev-a",
                     event=Event(id="ev-a", date="2013", title="A"), reason=None,
                     prev="0" * 64, idempotency_key="k-a")
    b = Entry.create(position=2, recorded_at=T0 + dt.timedelta(seconds=5), type="retracted",
                     event_id="ev-a", event=None, reason="withdrawn", prev=a.hash)
    c = Entry.create(position=3, recorded_at=T0 + dt.timedelta(seconds=10), type="recorded",
                     event_id="ev-b", event=Event(id="ev-b", date="2014", title="B"),
                     reason=None, prev=b.hash)
    return [a, b, c]


def build(how: str) -> None:
    path = LOGS / f"sql-{how}.sqlite"
    path.unlink(missing_ok=True)
    store = SQLiteStore.create(path)
    with store.writing() as writer:
        writer.write(entries())
    store.close()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        tamper(lambda statement, params=(): connection.execute(statement, params).fetchall(),
               how)
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("PRAGMA page_size=512")
        connection.execute("VACUUM")
    finally:
        connection.close()


if __name__ == "__main__":
    for how in CHANGES:
        build(how)
