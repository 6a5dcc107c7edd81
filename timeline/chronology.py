"""The chronology: a projection of the log, folded entry by entry.

:func:`fold` applies entries in position order: *recorded* adds an event,
*revised* replaces it, *retracted* removes it. The result, a
:class:`Chronology`, lists the current events sorted by their date's sort key
(``lower``, ``upper``, precision rank; see :mod:`timeline.dates`) and then by
id, so the order is total and stable. Folding only a prefix of the log (by
position or by record time) rebuilds the chronology as it stood then.
"""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from .dates import EDTFDate, _refield, parse_date
from .errors import InvalidDateError, UnknownEventError, ValidationError
from .records import STATUSES, Event, _Text

if TYPE_CHECKING:
    from .entries import Entry

__all__ = ["Chronology", "EventState", "EventFilter", "fold", "check_as_of", "sort_key"]


@attrs.frozen(slots=True)
class EventState:
    """An event as the chronology holds it, with its record-time facts.

    - ``event``: the current :class:`~timeline.records.Event`.
    - ``recorded_at``: record time of the entry that first recorded it.
    - ``updated_at``: record time of the latest entry that changed it
      (exporters use it as the iCal DTSTAMP / LAST-MODIFIED).
    - ``first_position`` / ``last_position``: those entries' positions.
    - ``revisions``: how many *revised* entries it has had.
    """

    event: Event
    recorded_at: _dt.datetime
    updated_at: _dt.datetime
    first_position: int
    last_position: int
    revisions: int = 0


@attrs.frozen(slots=True)
class Chronology:
    """Current events in chronological order; iterate it for :class:`EventState` items.

    - ``title``: a name for exports (X-WR-CALNAME, the Markdown heading): one
      line of 1 to 300 characters, checked like an event title
      (ValidationError naming ``title``).
    - ``position``: the last log position folded in (0 for none).
    """

    items: tuple[EventState, ...]
    title: str = attrs.field(default="Chronology", validator=_Text(300))
    position: int = 0

    def __iter__(self) -> Iterator[EventState]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def events(self) -> list[Event]:
        """The events alone, in order."""
        return [item.event for item in self.items]

    def get(self, event_id: str) -> EventState:
        """The state of one event; raises UnknownEventError."""
        for item in self.items:
            if item.event.id == event_id:
                return item
        raise UnknownEventError(f"id: no current event {event_id!r} in this chronology.",
                                event_id=event_id, fix="List the ids with: timeline list LOG")

    def filter(self, *, date_from: str | None = None, date_to: str | None = None,
               actor: str | None = None, tag: str | None = None, cameo: str | None = None,
               status: str | None = None, text: str | None = None) -> Chronology:
        """A chronology of the events that match every given filter (see
        :class:`EventFilter` for each filter's rule).

        Raises ValidationError for an invalid date or status.
        """
        return self.matching(EventFilter.of(date_from=date_from, date_to=date_to, actor=actor,
                                            tag=tag, cameo=cameo, status=status, text=text))

    def matching(self, wanted: EventFilter) -> Chronology:
        """A chronology of the events ``wanted`` keeps (order, title and position kept)."""
        return attrs.evolve(self, items=tuple(i for i in self.items if wanted.keep(i.event)))


@attrs.frozen(slots=True)
class EventFilter:
    """The filters of ``list`` and ``export``, checked and ready to apply; build it with
    :meth:`of`. The one definition of what each filter matches, for the fold
    (:meth:`Chronology.filter`) and for a store that runs filters itself (which
    finishes with :meth:`keep`, so that both give the same answer).

    - ``lower`` / ``upper``: from ``date_from`` / ``date_to`` (EDTF strings): an event
      matches when its bounds overlap ``[lower(date_from), upper(date_to)]``.
    - ``actor``: a CAMEO actor code prefix, upper-cased: ``PAK`` matches ``PAKGOV``
      and ``PAKMIL`` (CAMEO codes are hierarchical).
    - ``tag``: exact tag. ``cameo``: CAMEO event code prefix (``04`` matches ``042``).
      ``status``: exact status.
    - ``needle``: ``text`` casefolded; matches a casefolded substring of the title,
      the summary, an actor's name or the place's name.

    An empty string is no filter, as ``None`` is.
    """

    lower: _dt.date | None = None
    upper: _dt.date | None = None
    actor: str | None = None
    tag: str | None = None
    cameo: str | None = None
    status: str | None = None
    needle: str | None = None

    @classmethod
    def of(cls, *, date_from: str | None = None, date_to: str | None = None,
           actor: str | None = None, tag: str | None = None, cameo: str | None = None,
           status: str | None = None, text: str | None = None) -> EventFilter:
        """Check the filters as given on the command line; raises ValidationError for an
        invalid date (naming ``date_from`` / ``date_to``) or status."""
        lower = _bound(date_from, "date_from").lower if date_from else None
        upper = _bound(date_to, "date_to").upper if date_to else None
        if status is not None and status not in STATUSES:
            raise ValidationError("status", status, "is not a status",
                                  f"Use one of: {', '.join(STATUSES)}.")
        return cls(lower, upper, actor.upper() if actor else None, tag or None, cameo or None,
                   status or None, text.casefold() if text else None)

    def keep(self, event: Event) -> bool:
        """Whether ``event`` matches every filter."""
        lower, upper = self.lower, self.upper
        if (lower or upper) and not event.date.overlaps(lower, upper):
            return False
        if self.actor and not any(a.code.startswith(self.actor) for a in event.actors):
            return False
        if self.tag and self.tag not in event.tags:
            return False
        if self.cameo and not (event.cameo or "").startswith(self.cameo):
            return False
        if self.status and event.status != self.status:
            return False
        needle = self.needle
        if needle:
            hay = [event.title, event.summary, *(a.name or "" for a in event.actors),
                   event.place.name if event.place else ""]
            if not any(needle in h.casefold() for h in hay):
                return False
        return True


def _bound(text: str, field: str) -> EDTFDate:
    try:
        return parse_date(text)
    except InvalidDateError as exc:  # name the filter, not the event field "date"
        raise _refield(exc, field) from None


def check_as_of(as_of: int | _dt.datetime | None) -> None:
    """Refuse a naive ``datetime`` as ``as_of`` (ValidationError naming ``as_of``)."""
    if isinstance(as_of, _dt.datetime) and as_of.tzinfo is None:
        raise ValidationError("as_of", as_of.isoformat(), "has no time zone",
                              "Give an aware datetime, e.g. 2026-11-29T18:00:00+00:00.")


def sort_key(state: EventState) -> tuple[tuple[_dt.date, _dt.date, int], str]:
    """The chronological order: the date's sort key (see :mod:`timeline.dates`), then the id."""
    return state.event.date.sort_key, state.event.id


def fold(entries: Iterable[Entry], *, as_of: int | _dt.datetime | None = None,
         title: str = "Chronology") -> Chronology:
    """Fold ``entries`` (in position order) into a :class:`Chronology`.

    ``as_of``: stop after this 1-based position, or before the first entry
    recorded after this aware ``datetime``. Entries are trusted to be in a
    valid order (the log checks that as it reads).

    The cyclic garbage collector is paused while folding (and restored after):
    records hold no reference cycles, and its full passes over the growing
    projection cost 10-15% of a 100k-entry fold (``bench/RESULTS.md``).
    """
    check_as_of(as_of)
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _fold(entries, as_of, title)
    finally:
        if paused:
            gc.enable()


def _fold(entries: Iterable[Entry], as_of: int | _dt.datetime | None, title: str) -> Chronology:
    state: dict[str, EventState] = {}
    position = 0
    upto = as_of if isinstance(as_of, int) else None
    until = as_of if isinstance(as_of, _dt.datetime) else None
    for entry in entries:
        if upto is not None and entry.position > upto:
            break
        if until is not None and entry.recorded_at > until:
            break
        position, kind = entry.position, entry.type
        if kind == "recorded":
            state[entry.event_id] = EventState(entry.event, entry.recorded_at, entry.recorded_at,
                                               position, position)
        elif kind == "retracted":
            state.pop(entry.event_id, None)
        else:
            old = state[entry.event_id]
            state[entry.event_id] = EventState(entry.event, old.recorded_at, entry.recorded_at,
                                               old.first_position, position, old.revisions + 1)
    items = sorted(state.values(), key=sort_key)
    return Chronology(tuple(items), title=title, position=position)
