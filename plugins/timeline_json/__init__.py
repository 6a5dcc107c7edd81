"""First-party plugin: the ``json`` exporter.

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The writer lives in :mod:`timeline_json.writer`
and is imported only when this format is exported.
"""

from timeline import Exporter, hookimpl


@hookimpl
def timeline_exporters() -> list[Exporter]:
    return [
        Exporter(
            name="json",
            description="JSON document of every field, with EDTF dates and their bounds",
            media_type="application/json",
            suffix=".json",
            writer="timeline_json.writer:write",
        )
    ]
