"""The ``eventsourcing`` side of the comparison: one aggregate per diplomatic event.

Module-level classes, because the library stores each domain event's class as a
``module:qualname`` topic and resolves it again on replay. Imported only by the
``es_*`` tasks of ``bench/measure.py`` (the library is installed only in the
bench environment, from ``bench/requirements.txt``).
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


def aggregate_id(event_id: str) -> UUID:
    """The aggregate id of a diplomatic event id (so ``repository.get`` can find it)."""
    return uuid5(NAMESPACE_URL, event_id)


class TimelineEvent(Aggregate):
    """A diplomatic event: recorded, then revised or retracted; each carries the full record."""

    @staticmethod
    def create_id(event_id: str, data: dict[str, Any]) -> UUID:
        return aggregate_id(event_id)

    @event("Recorded")
    def __init__(self, event_id: str, data: dict[str, Any]) -> None:
        self.event_id = event_id
        self.live = True

    @event("Revised")
    def revise(self, data: dict[str, Any], reason: str) -> None:
        pass

    @event("Retracted")
    def retract(self, reason: str) -> None:
        self.live = False


class Timeline(Application):
    """The application; notification log sections of 1,000 for the replay."""

    log_section_size = 1000


def open_app(db: str) -> Timeline:
    """The application on a SQLite file store at ``db``."""
    return Timeline(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db})
