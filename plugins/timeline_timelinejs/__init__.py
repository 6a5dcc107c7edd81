"""First-party plugin: the ``timelinejs`` exporter and importer (Knight Lab's TimelineJS3 JSON).

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The writer lives in :mod:`timeline_timelinejs.writer`
and is imported only when this format is exported; the reader, in
:mod:`timeline_timelinejs.reader`, only when a file is imported.
"""

from timeline import Exporter, Importer, Option, hookimpl

#: Values of the ``group`` option.
GROUPS = ("actor", "tag", "none")


#: The format; its writer checks its options against it too.
EXPORTER = Exporter(
    name="timelinejs",
    description="TimelineJS3 JSON for Knight Lab's web timelines",
    media_type="application/json",
    suffix=".json",
    writer="timeline_timelinejs.writer:write",
    options=(Option("group", str, "actor", "the row a slide goes in: its first actor's CAMEO "
                    "code, its first tag, or none", choices=GROUPS),),
    streams=True,
)


@hookimpl
def timeline_exporters() -> list[Exporter]:
    return [EXPORTER]


@hookimpl
def timeline_importers() -> list[Importer]:
    return [
        Importer(
            name="timelinejs",
            description="TimelineJS3 JSON timelines (slides become events)",
            suffixes=(".json",),
            reader="timeline_timelinejs.reader:read",
            sniffer="timeline_timelinejs.reader:sniff",
        )
    ]
