"""First-party plugin: the ``gdelt`` importer (GDELT 1.0 and 2.0 event files).

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The reader lives in :mod:`timeline_gdelt.reader`
and is imported only when a file is read.
"""

from timeline import Importer, hookimpl


@hookimpl
def timeline_importers() -> list[Importer]:
    return [
        Importer(
            name="gdelt",
            description="GDELT 1.0 (57/58 columns) and 2.0 (61 columns) event files, no header",
            suffixes=(".csv", ".tsv", ".txt"),
            reader="timeline_gdelt.reader:read",
            sniffer="timeline_gdelt.reader:sniff",
        )
    ]
