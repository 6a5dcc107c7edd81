"""First-party plugin: the ``ical`` exporter and importer.

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The writer lives in :mod:`timeline_ical.writer`
and is imported only when this format is exported; the reader, in
:mod:`timeline_ical.reader`, only when a file is imported.
"""

from timeline import Exporter, Importer, Option, hookimpl

#: The format; its writer checks its options against it too.
EXPORTER = Exporter(
    name="ical",
    description="iCalendar (RFC 5545) calendar of all-day events",
    media_type="text/calendar",
    suffix=".ics",
    writer="timeline_ical.writer:write",
    streams=True,
    options=(Option("imprecise", str, "span", "a date known only to the month, season, year "
                    "or coarser: span (every day it can mean) or first-day (its first "
                    "possible day, and DESCRIPTION says so)", choices=("span", "first-day")),),
)


@hookimpl
def timeline_exporters() -> list[Exporter]:
    return [EXPORTER]


@hookimpl
def timeline_importers() -> list[Importer]:
    return [
        Importer(
            name="ical",
            description="iCalendar (RFC 5545) files: each VEVENT becomes an event",
            suffixes=(".ics", ".ical", ".ifb"),
            reader="timeline_ical.reader:read",
            sniffer="timeline_ical.reader:sniff",
        )
    ]
