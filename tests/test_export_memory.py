"""Streaming exports hold memory that does not grow with the number of events.

A generator makes N distinct events in chronological order, one at a time (as a
database cursor would), and :func:`timeline.export` writes them through the
``json`` and ``markdown`` writers into a sink that only counts bytes.
``tracemalloc`` gives the peak of memory allocated during the export; nothing is
timed. The peak for 100,000 events must be within 10% of the peak for 10,000
(the writers' caches and chunks are bounded), while the same measure sees the
growth of holding the events (the contrast at the end), so the bound can fail.
"""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
from collections.abc import Iterator

import pytest

from timeline import Actor, Event, EventState, EventStream, Place, Source, export

DATES = [f"{1950 + k // 12}-{k % 12 + 1:02d}" for k in range(100)]  # in order, 100 months
ACTORS = (Actor("PAKGOV", "Jilani", "foreign minister"), Actor("RUSGOV"), Actor("IGOUNO", "UN"),
          Actor("CHNMIL", role="navy"))
PLACES = (Place("Moscow", "RUS"), Place("Doha", "QAT"), None)
RECORDED = dt.datetime(2026, 11, 29, 18, 50, 1, 123456, tzinfo=dt.timezone.utc)


def states(n: int) -> Iterator[EventState]:
    """``n`` distinct events (own id, title, summary and source URL), in chronology order."""
    per_date = -(-n // len(DATES))
    for i in range(n):
        event = Event(id=f"e{i:07d}", date=DATES[i // per_date], title=f"Talks, round {i}",
                      summary=f"Round {i} of the talks.\nA second line.",
                      actors=ACTORS[i % 3:i % 3 + 2], place=PLACES[i % 3],
                      sources=(Source(url=f"https://example.org/report/{i}", title="Report"),),
                      tags=("visit",), cameo="042")
        yield EventState(event, RECORDED, RECORDED, i + 1, i + 1)


class Sink(io.RawIOBase):
    """A binary stream that keeps nothing but the number of bytes written."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


def export_peak(format: str, n: int) -> tuple[int, int]:
    """(peak bytes allocated while exporting ``n`` streamed events, bytes written)."""
    sink = Sink()
    tracemalloc.start()
    try:
        export(EventStream(states(n), count=n, title="Memory", position=n), format, sink)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, sink.size


@pytest.mark.parametrize("format", ["json", "markdown"])
def test_peak_memory_of_a_streamed_export_does_not_grow_with_the_events(format: str) -> None:
    export_peak(format, 2_000)  # imports and first cache fills are not the export's growth
    small, small_size = export_peak(format, 10_000)
    large, large_size = export_peak(format, 100_000)
    assert large_size > 9.9 * small_size  # ten times the events were written
    assert large <= 1.1 * small, (small, large)
    assert large < 5_000_000, large  # a few chunks and bounded caches, not the events


def test_the_measure_sees_memory_that_grows_with_the_events() -> None:
    def held(n: int) -> int:
        tracemalloc.start()
        try:
            stream = EventStream(states(n), count=n, title="Memory")
            chronology = stream.chronology()  # what a writer that does not stream gets
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(chronology) == n
        return peak

    assert held(30_000) > 2.5 * held(10_000)
