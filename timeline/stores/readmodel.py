"""The read model interface: a persisted projection of the chronology that a store keeps.

The chronology is a projection of the log (:mod:`timeline.chronology`); a store that keeps
it persisted, and caught up with every append, answers ``list`` and ``export`` by reading
what they need instead of folding the whole log. A store offers one as
:attr:`timeline.stores.Store.read_model` (``None``: the store keeps none, and every read
folds the log). The log stays the only truth: a read model records the position and
head hash it reflects (its tracking record, as the ``eventsourcing`` library's
projections do), every read compares that record with the log's head, and an answer it
cannot give exactly is left to the fold (``None``). ``docs/read-model.md`` says where
each store keeps it and how it is checked.
"""

from __future__ import annotations

import abc
import datetime as _dt

import attrs

from ..chronology import Chronology, EventFilter
from ..streams import EventStream

__all__ = ["ReadModel", "ReadModelReport"]


@attrs.frozen(slots=True)
class ReadModelReport:
    """What a read model reflects, after a check or a rebuild.

    - ``built``: whether the store holds a read model (a database written by an
      earlier release has none until its next append or ``timeline rebuild``).
    - ``position`` / ``head``: the log position and head hash it reflects (its
      tracking record); ``0`` and ``None`` when not built.
    - ``events``: how many current events it holds.
    - ``reason``: why it is not built, when the store says more than the default.
    """

    built: bool
    position: int = 0
    head: str | None = None
    events: int = 0
    reason: str | None = None

    def __str__(self) -> str:
        if not self.built and self.reason:
            return self.reason
        if not self.built:
            return ("not built yet; reads fold the log until the next append or "
                    "'timeline rebuild LOG'")
        return (f"ok: {self.events} event{'' if self.events == 1 else 's'} at position "
                f"{self.position}")


class ReadModel(abc.ABC):
    """A store's persisted chronology (see the module docstring)."""

    @abc.abstractmethod
    def chronology(self, as_of: int | _dt.datetime | None, wanted: EventFilter,
                   title: str) -> Chronology | None:
        """The chronology as :func:`timeline.fold` and :meth:`Chronology.filter` give it,
        exactly, in the same order, or ``None`` if this read model cannot answer it (not
        built, behind or ahead of the log, from another version, or a row that does not
        match the log's entries): the caller then folds the log.

        ``as_of``: ``None``, a position (``int`` >= 0) or an aware ``datetime``.
        """

    def events(self, as_of: int | _dt.datetime | None, wanted: EventFilter,
               title: str) -> EventStream | None:
        """The events :meth:`chronology` gives, as an :class:`~timeline.streams.EventStream`
        read once, or ``None`` when this read model cannot answer (the caller folds).

        Whether it can answer is settled before this returns, so a stream, once
        returned, yields the fold's answer or raises: a row found not to match the
        log's entries part way raises :class:`~timeline.errors.LogCorruptError`
        (``timeline rebuild LOG`` fixes it). This default reads the whole
        :meth:`chronology`; a read model that can yield events in batches overrides it.
        """
        found = self.chronology(as_of, wanted, title)
        return None if found is None else EventStream.from_chronology(found)

    @abc.abstractmethod
    def rebuild(self) -> ReadModelReport:
        """Build the read model again from every entry of the log, under the write lock,
        in one transaction; returns what it now reflects."""

    @abc.abstractmethod
    def check(self) -> ReadModelReport:
        """Compare the read model with a fresh fold of every entry; raises
        :class:`~timeline.errors.LogCorruptError` naming the first row that differs."""
