"""Event streams: the current events, read once and in chronological order, with metadata.

An :class:`EventStream` is what an exporter that declares ``Exporter(...,
streams=True)`` receives, and what :func:`timeline.export` takes besides a
:class:`~timeline.chronology.Chronology`. It is the export path's source type:
any iterable of :class:`~timeline.chronology.EventState` in chronological order
(a folded chronology, a database cursor, a generator) plus what a writer needs
before the first event (``title``, ``position``, ``count``), so that memory does
not grow with the number of events exported (``../shared/DESIGN.md``,
"Streaming").

The order is the chronology's (:mod:`timeline.chronology`): by the date's
``sort_key``, then by id. The stream checks, as it yields, that each event comes
strictly after the one before and that it yields exactly ``count`` events, and
raises :class:`~timeline.errors.ValidationError` (field ``events``) when the
source breaks either promise; :func:`timeline.export` to a file then leaves no
file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from .chronology import Chronology, EventState
from .errors import ValidationError

__all__ = ["EventStream"]

_TITLE = attrs.fields(Chronology).title  # checked by Chronology's own validator
_FIX = "Yield the events sorted by (event.date.sort_key, event.id), each id once."


class EventStream:
    """Current events in chronological order, to be iterated once, with the chronology's metadata.

    ``EventStream(events, count=N, title="Chronology", position=0)``:

    - ``events``: an iterable of :class:`~timeline.chronology.EventState` in
      chronological order, iterated once (a generator, a database cursor mapped
      to states, a tuple).
    - ``count``: how many events it yields: an ``int``, or a callable taking no
      argument that returns it, called at most once, the first time ``count`` (or
      ``len()``) is asked, so that a source pays for counting (``SELECT count(*)``)
      only when a writer needs the number before the first event; once the events
      are all read, an unasked count is the number read.
    - ``title``: a name for exports, checked like ``Chronology.title`` (1 to 300
      characters, one line: :class:`~timeline.errors.ValidationError` naming
      ``title``).
    - ``position``: the last log position the events reflect (0 for none), as
      ``Chronology.position``.

    Iterating it yields the states; a second iteration raises
    :class:`~timeline.errors.ValidationError` (a stream is read once). An
    event out of order, or a number of events other than ``count``, raises
    :class:`~timeline.errors.ValidationError` naming ``events``. An exception
    the source itself raises while iterating is re-raised as it is and kept in
    :attr:`failure`, so that :func:`timeline.export` reports it as the source's,
    not the writer's. ``len(stream)`` is ``count``: a writer that reads only
    ``len()``, ``title``, ``position`` and one pass of the events works on a
    :class:`~timeline.chronology.Chronology` and on a stream alike.
    """

    __slots__ = ("_events", "_count", "title", "position", "yielded", "failure", "_started",
                 "_checks")

    def __init__(self, events: Iterable[EventState], *, count: int | Callable[[], int],
                 title: str = "Chronology", position: int = 0) -> None:
        _TITLE.validator(self, _TITLE, title)  # type: ignore[misc]
        self._events = events
        self._count = count
        self.title = title
        self.position = position
        #: How many events have been yielded so far.
        self.yielded = 0
        #: The exception the source raised while iterating, if any.
        self.failure: BaseException | None = None
        self._started = False
        self._checks = True

    @classmethod
    def from_chronology(cls, chronology: Chronology) -> EventStream:
        """A stream of ``chronology``'s events, with its title, position and count.

        Its order is the chronology's own, yielded as it is, unchecked (a
        :class:`~timeline.chronology.Chronology` made by hand is exported in the
        order it holds, as it always was).
        """
        stream = cls(chronology.items, count=len(chronology.items), title=chronology.title,
                     position=chronology.position)
        stream._checks = False
        return stream

    @property
    def count(self) -> int:
        """How many events the stream yields (asks the source's callable once)."""
        if callable(self._count):
            counted = self._count()
            if type(counted) is not int or counted < 0:
                raise ValidationError("count", counted, "is not a whole number >= 0",
                                      "Return the number of events the stream yields.")
            self._count = counted
        return self._count

    def __len__(self) -> int:
        return self.count

    def chronology(self) -> Chronology:
        """Read the stream (once) into a :class:`~timeline.chronology.Chronology`.

        For a writer that needs every event at once (one that does not declare
        ``streams=True``); memory then grows with the number of events.
        """
        return Chronology(tuple(self), title=self.title, position=self.position)

    def __iter__(self) -> Iterator[EventState]:
        if self._started:
            raise ValidationError("events", self.title, "were already read: a stream is "
                                  "iterated once", "Read it once, or export a Chronology.")
        self._started = True
        return self._checked()

    def _checked(self) -> Iterator[EventState]:
        if not self._checks:
            for state in self._events:
                self.yielded += 1
                yield state
            return
        previous: tuple[Any, str] | None = None
        found: ValidationError | None = None
        try:
            for state in self._events:
                event = state.event
                key = (event.date.sort_key, event.id)
                if previous is not None and key <= previous:
                    found = _disorder(previous, key)
                    raise found
                previous = key
                self.yielded += 1
                yield state
        except GeneratorExit:
            raise
        except Exception as exc:
            if exc is not found:
                self.failure = exc
            raise
        if callable(self._count):  # nobody asked: the number read is the count, unasked
            self._count = self.yielded
        elif self.yielded != self._count:
            raise ValidationError("events", self.yielded, f"were yielded, where the stream's "
                                  f"count is {self.count}",
                                  "Give the number of events the source yields as count.")


def _disorder(previous: tuple[Any, str], key: tuple[Any, str]) -> ValidationError:
    if key[1] == previous[1]:
        return ValidationError("events", key[1], "comes twice", _FIX)
    return ValidationError("events", key[1], f"comes after {previous[1]!r}, out of "
                           "chronological order", _FIX)

