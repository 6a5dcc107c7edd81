"""First-party plugin: the ``ical`` exporter.

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The writer lives in :mod:`timeline_ical.writer`
and is imported only when this format is exported.
"""

from timeline import Exporter, hookimpl


@hookimpl
def timeline_exporters() -> list[Exporter]:
    return [
        Exporter(
            name="ical",
            description="iCalendar (RFC 5545) calendar of all-day events",
            media_type="text/calendar",
            suffix=".ics",
            writer="timeline_ical.writer:write",
        )
    ]
