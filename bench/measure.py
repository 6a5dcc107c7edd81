"""One benchmark task, run in its own process so that its peak RSS is its own.

``python bench/measure.py TASK ARGS...`` does the task's set-up (untimed), then
the timed part, and prints one JSON object on stdout::

    {"task": "fold", "seconds": 1.93, "items": 10000, ...}

``seconds`` is the timed part only (``time.perf_counter``) and ``items`` what
it processed (entries, events or appends), so ``items / seconds`` is the rate.
The peak RSS of the whole process (set-up included) is added as
``peak_rss_kb`` (``VmHWM``; ``ru_maxrss`` where there is none) and ``maxrss_kb``
(``ru_maxrss``). Tasks:

==============  ==========================================================================
fold_floor      read the log's lines and ``json.loads`` each: nothing else (the floor of
                a first read, which parses with the standard library)
fold_floor_orjson  the same with ``orjson.loads`` (the floor of a read through a
                checked prefix, which parses with orjson)
fold            ``Log(path).chronology()``: open, read, check and fold the whole log, which
                an earlier read checked (``prime``): its checked prefix is trusted
                (``timeline/stores/checked.py``); ``fold LOG --cold``: no checked
                prefix, every entry checked as on the first read of a file
prime           ``Log(path).head``: the first read of the log, recording its checked prefix
fold_half       ``Log(path).chronology(as_of=N // 2)``
verify          ``Log(path).verify()``
query           open + fold + ``filter(actor=..., date_from=..., date_to=...)``
export          fold, then ``timeline.export`` to a file (timed: the export alone);
                ``export LOG ical OUT --reference``: through the iCal exporter's
                icalendar reference writer (``timeline_ical.reference``) instead
ical_writer     fold, then the iCal writer alone (``timeline_ical.writer.write``) into a
                stream that only counts bytes: no file, no fsync, and a
                ``gc.collect()`` first, so that the full collection the fold leaves
                due is not timed; ``ical_writer LOG --reference``: the icalendar
                reference writer (``timeline_ical.reference``) the same way
ical_floor      fold, compute each VEVENT's values (untimed), then build and serialise
                the same VEVENTs with ``icalendar`` directly, streamed to a file
append          copy the log, open it (untimed), then COUNT ``Log.record`` calls, each fsynced
append_batch    the same through ``Log.append_batch`` in batches of 1,000, if it exists
append_floor    copy the log, then COUNT times: write one line of the same size and fsync;
                with PACE_US, spin the CPU that long before each write (``append_paced``)
es_append       the ``eventsourcing`` library: the same entries through its
                Application/Aggregate API, saved in batches of 100 to a SQLite file
es_replay       read that SQLite file back through its notification log into a projection
==============  ==========================================================================
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import shutil
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

TASKS: dict[str, Callable[..., dict[str, Any]]] = {}


def task(func: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    TASKS[func.__name__] = func
    return func


def _count_lines(path: str) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


# --- reading ------------------------------------------------------------------------------

def _parse_each_line(log: str, loads: Callable[[bytes], Any]) -> dict[str, Any]:
    started = time.perf_counter()
    n = 0
    with open(log, "rb") as f:
        for line in f:
            loads(line)
            n += 1
    return {"seconds": time.perf_counter() - started, "items": n}


@task
def fold_floor(log: str) -> dict[str, Any]:
    return _parse_each_line(log, json.loads)


@task
def fold_floor_orjson(log: str) -> dict[str, Any]:
    import orjson

    return _parse_each_line(log, orjson.loads)


@task
def fold(log: str, cold: str = "") -> dict[str, Any]:
    if cold == "--cold":  # no checked prefix: every entry checked, as on a first read
        os.environ["TIMELINE_CACHE_DIR"] = ""
    from timeline import Log

    started = time.perf_counter()
    chronology = Log(log).chronology()
    return {"seconds": time.perf_counter() - started, "items": chronology.position,
            "events": len(chronology)}


@task
def prime(log: str) -> dict[str, Any]:
    from timeline import Log

    started = time.perf_counter()
    position, _ = Log(log).head  # a first read: checks every entry, records the prefix
    return {"seconds": time.perf_counter() - started, "items": position}


@task
def fold_half(log: str) -> dict[str, Any]:
    from timeline import Log

    half = _count_lines(log) // 2
    started = time.perf_counter()
    chronology = Log(log).chronology(as_of=half)
    # Every line up to the as-of position is read and checked; the rest is not folded.
    return {"seconds": time.perf_counter() - started, "items": chronology.position,
            "events": len(chronology)}


@task
def verify(log: str) -> dict[str, Any]:
    from timeline import Log

    started = time.perf_counter()
    report = Log(log).verify()
    return {"seconds": time.perf_counter() - started, "items": report.entries,
            "events": report.events}


@task
def query(log: str, actor: str, date_from: str, date_to: str) -> dict[str, Any]:
    from timeline import Log

    started = time.perf_counter()
    chronology = Log(log).chronology()
    folded = time.perf_counter()
    found = chronology.filter(actor=actor, date_from=date_from, date_to=date_to)
    done = time.perf_counter()
    return {"seconds": done - started, "items": chronology.position, "events": len(found),
            "filter_seconds": done - folded, "filter_items": len(chronology)}


# --- exporting ----------------------------------------------------------------------------

@task
def export(log: str, format: str, out: str, writer: str = "") -> dict[str, Any]:
    from timeline import Log, export as run_export, make_plugin_manager

    if writer == "--reference":  # the iCal exporter with its icalendar reference writer
        import timeline_ical.reference
        import timeline_ical.writer

        timeline_ical.writer.write = timeline_ical.reference.write
    started = time.perf_counter()
    chronology = Log(log).chronology()
    plugins = make_plugin_manager()
    folded = time.perf_counter()
    run_export(chronology, format, out, plugins=plugins)
    done = time.perf_counter()
    size = os.path.getsize(out)
    os.unlink(out)
    return {"seconds": done - folded, "items": len(chronology), "fold_seconds": folded - started,
            "bytes": size}


class _Sink:
    """A binary stream that keeps only the number of bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)


@task
def ical_writer(log: str, writer: str = "") -> dict[str, Any]:
    from timeline import Log

    if writer == "--reference":
        from timeline_ical.reference import write
    else:
        from timeline_ical.writer import write
    chronology = Log(log).chronology()
    sink = _Sink()
    gc.collect()  # the full collection the fold's allocations leave due: not the writer's
    started = time.perf_counter()
    write(chronology, sink)
    done = time.perf_counter()
    return {"seconds": done - started, "items": len(chronology), "bytes": sink.size}


def _ical_values(chronology: Any) -> Iterator[list[tuple[str, Any]]]:
    """Each event's VEVENT properties, as the ical exporter documents them."""
    import datetime as dt

    import pycountry

    from timeline import date_in_words

    status = {"occurred": "CONFIRMED", "scheduled": "CONFIRMED", "expected": "TENTATIVE",
              "cancelled": "CANCELLED"}
    countries: dict[str, str] = {}
    for state in chronology:
        e = state.event
        first = e.date.lower or e.date.upper
        last = e.date.upper or e.date.lower
        stamp = state.updated_at.replace(microsecond=0)
        lines = [f"Date: {date_in_words(e.date)} ({e.date.precision} precision)",
                 f"EDTF: {e.date.edtf}", f"Status: {e.status}"]
        if e.actors:
            lines.append("Actors:")
            lines += [f"- {a.name or a.code}{', ' + a.role if a.role else ''}"
                      f"{' (' + a.code + ')' if a.name else ''}" for a in e.actors]
        if e.summary:
            lines += ["", e.summary]
        if e.sources:
            lines += ["", "Sources:"]
            lines += [f"{n}. " + " - ".join(p for p in (s.title, s.publisher, s.published and
                                                        f"published {s.published.edtf}", s.url)
                                            if p) for n, s in enumerate(e.sources, 1)]
        props = [("UID", f"{e.id}@diplomatic-timeline"), ("DTSTAMP", stamp),
                 ("CREATED", state.recorded_at.replace(microsecond=0)),
                 ("LAST-MODIFIED", stamp), ("SEQUENCE", state.revisions),
                 ("DTSTART", first), ("DTEND", last + dt.timedelta(days=1)),
                 ("SUMMARY", e.title if e.status == "occurred" else f"{e.title} ({e.status})"),
                 ("STATUS", status[e.status]), ("DESCRIPTION", "\n".join(lines))]
        if e.place is not None:
            name = e.place.name
            if e.place.country:
                if e.place.country not in countries:
                    c = pycountry.countries.get(alpha_3=e.place.country)
                    countries[e.place.country] = getattr(c, "common_name", None) or c.name
                name = f"{name}, {countries[e.place.country]}"
            props.append(("LOCATION", name))
        categories = [*e.tags, *([f"CAMEO {e.cameo}"] if e.cameo else [])]
        if categories:
            props.append(("CATEGORIES", categories))
        url = next((s.url for s in e.sources if s.url), None)
        if url:
            props.append(("URL", url))
        yield props


@task
def ical_floor(log: str, out: str) -> dict[str, Any]:
    from icalendar import Calendar, Event, vText

    from timeline import Log

    chronology = Log(log).chronology()
    values = list(_ical_values(chronology))
    started = time.perf_counter()
    calendar = Calendar()
    for key, value in (("VERSION", "2.0"), ("PRODID", "-//bench//floor//EN"),
                       ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH"),
                       ("NAME", vText(chronology.title)),
                       ("X-WR-CALNAME", vText(chronology.title))):
        calendar.add(key, value)
    end = b"END:VCALENDAR\r\n"
    with open(out, "wb") as f:
        f.write(calendar.to_ical()[: -len(end)])
        for props in values:
            vevent = Event()
            for key, value in props:
                vevent.add(key, value)
            f.write(vevent.to_ical())
        f.write(end)
        f.flush()
        os.fsync(f.fileno())
    done = time.perf_counter()
    size = os.path.getsize(out)
    os.unlink(out)
    return {"seconds": done - started, "items": len(values), "bytes": size}


# --- appending ----------------------------------------------------------------------------

def _copy(log: str, workdir: str) -> str:
    target = os.path.join(workdir, "append-" + os.path.basename(log))
    shutil.copyfile(log, target)
    return target


def _new_events(count: int, seed: int) -> list[Any]:
    from generate import make_event

    rng = random.Random(seed)
    return [make_event(rng, n, f"bench-append-{seed}-{n}") for n in range(count)]


@task
def append(log: str, workdir: str, count: str) -> dict[str, Any]:
    from timeline import Log

    target = _copy(log, workdir)
    try:
        events = _new_events(int(count), 11)
        opened = time.perf_counter()
        store = Log(target)
        store.head  # noqa: B018 (reads and checks the existing entries: the open cost)
        synced = _time_fsync()
        started = time.perf_counter()
        for event in events:
            store.record(event)
        done = time.perf_counter()
    finally:
        os.unlink(target)
    return {"seconds": done - started, "items": len(events), "open_seconds": started - opened,
            "fsync_seconds": synced[0]}


def _time_fsync() -> list[float]:
    """Wrap the file store's fsync to add up the time spent in it."""
    import timeline.stores.jsonl as jsonl

    spent, sync = [0.0], jsonl._sync

    def timed(fd: int) -> None:
        begun = time.perf_counter()
        sync(fd)
        spent[0] += time.perf_counter() - begun
    jsonl._sync = timed
    return spent


@task
def append_batch(log: str, workdir: str, count: str) -> dict[str, Any]:
    from timeline import Log

    if not hasattr(Log, "append_batch"):
        return {"skipped": "Log.append_batch does not exist yet (issue 3)"}
    from timeline.entries import Append
    target = _copy(log, workdir)
    try:
        events = _new_events(int(count), 12)
        store = Log(target)
        store.head  # noqa: B018
        started = time.perf_counter()
        items = [Append.record(event) for event in events]
        for i in range(0, len(items), 1000):
            store.append_batch(items[i:i + 1000])
        done = time.perf_counter()
    finally:
        os.unlink(target)
    return {"seconds": done - started, "items": len(events)}


@task
def append_floor(log: str, workdir: str, count: str, pace_us: str = "0") -> dict[str, Any]:
    """The bare write + fsync loop; with ``pace_us``, each iteration first spins the CPU
    that long (the time an append spends outside fsync), to show what fsync costs when
    the calls are not back to back."""
    target = _copy(log, workdir)
    pace = float(pace_us) / 1e6
    clock = time.perf_counter
    try:
        with open(log, "rb") as f:  # lines of the log's own sizes, cycled
            lines = [line for _, line in zip(range(int(count)), f)]
        synced = 0.0
        started = clock()
        fd = os.open(target, os.O_WRONLY | os.O_APPEND)
        try:
            for line in lines:
                if pace:
                    spin = clock()
                    while clock() - spin < pace:
                        pass
                os.write(fd, line)
                begun = clock()
                os.fsync(fd)
                synced += clock() - begun
        finally:
            os.close(fd)
        done = clock()
    finally:
        os.unlink(target)
    return {"seconds": done - started, "items": len(lines), "fsync_seconds": synced,
            "pace_us": float(pace_us)}


# --- the eventsourcing library ------------------------------------------------------------

@task
def es_append(log: str, db: str) -> dict[str, Any]:
    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    from es_model import TimelineEvent, aggregate_id, open_app

    app = open_app(db)
    # Recently used aggregates stay in memory, as an application's would; the rest are
    # loaded from the store (revisions pick recent events, so that is rare).
    recent: OrderedDict[str, Any] = OrderedDict()
    seconds, n = 0.0, 0
    with open(log, "rb") as f:
        while True:
            batch = [json.loads(line) for _, line in zip(range(100), f)]  # untimed parse
            if not batch:
                break
            started = time.perf_counter()
            touched = {}
            for entry in batch:
                key = entry["event_id"]
                if entry["type"] == "recorded":
                    aggregate = TimelineEvent(key, entry["event"])
                else:
                    aggregate = recent.get(key) or app.repository.get(aggregate_id(key))
                    if entry["type"] == "revised":
                        aggregate.revise(entry["event"], entry["reason"])
                    else:
                        aggregate.retract(entry["reason"])
                touched[aggregate.id] = aggregate
                recent[key] = aggregate
                recent.move_to_end(key)
                if len(recent) > 10_000:
                    recent.popitem(last=False)
            app.save(*touched.values())
            seconds += time.perf_counter() - started
            n += len(batch)
    return {"seconds": seconds, "items": n}


@task
def es_replay(db: str) -> dict[str, Any]:
    from es_model import open_app

    app = open_app(db)
    started = time.perf_counter()
    state: dict[Any, Any] = {}
    start, n = 1, 0
    to_domain_event = app.mapper.to_domain_event
    while True:
        notifications = app.notification_log.select(start, 1000)
        if not notifications:
            break
        for notification in notifications:
            domain_event = to_domain_event(notification)
            kind = type(domain_event).__name__
            if kind == "Retracted":
                state.pop(domain_event.originator_id, None)
            else:
                state[domain_event.originator_id] = domain_event
        n += len(notifications)
        start = notifications[-1].id + 1
    return {"seconds": time.perf_counter() - started, "items": n, "events": len(state)}


def _vm_hwm_kb() -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print(f"usage: measure.py TASK ARGS...; tasks: {', '.join(TASKS)}", file=sys.stderr)
        return 2
    result = TASKS[argv[0]](*argv[1:])
    # Peak resident set of this whole process, set-up included, in kilobytes. VmHWM
    # (Linux) belongs to this program alone; ru_maxrss also counts the parent's memory
    # that the child shared between fork and exec, so it is a fallback only.
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["peak_rss_kb"] = _vm_hwm_kb() or result["maxrss_kb"]
    print(json.dumps({"task": argv[0], **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
