"""First-party plugin: the ``json`` exporter and importer.

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The writer lives in :mod:`timeline_json.writer`
and is imported only when this format is exported; the reader, in
:mod:`timeline_json.reader`, only when a file is imported.
"""

from timeline import Exporter, Importer, Option, hookimpl


@hookimpl
def timeline_exporters() -> list[Exporter]:
    return [
        Exporter(
            name="json",
            description="JSON document of every field, with EDTF dates and their bounds",
            media_type="application/json",
            suffix=".json",
            writer="timeline_json.writer:write",
            options=(Option("indent", int, 2, "spaces per nesting level (0 or more); none "
                            "writes one compact line", nullable=True),),
            streams=True,
        )
    ]


@hookimpl
def timeline_importers() -> list[Importer]:
    return [
        Importer(
            name="json",
            description="this project's JSON export, back into events without loss",
            suffixes=(".json",),
            reader="timeline_json.reader:read",
            sniffer="timeline_json.reader:sniff",
        )
    ]
