"""First-party plugin: the ``icews`` importer (ICEWS Coded Event Data).

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The reader lives in :mod:`timeline_icews.reader`
and is imported only when a file is read.
"""

from timeline import Importer, hookimpl


@hookimpl
def timeline_importers() -> list[Importer]:
    return [
        Importer(
            name="icews",
            description="ICEWS Coded Event Data: the 20-column tab-separated files",
            suffixes=(".tab", ".tsv", ".txt"),
            reader="timeline_icews.reader:read",
            sniffer="timeline_icews.reader:sniff",
        )
    ]
