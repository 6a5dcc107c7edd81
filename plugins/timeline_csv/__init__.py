"""First-party plugin: the ``csv`` importer (a spreadsheet's events, one row each).

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The reader lives in :mod:`timeline_csv.reader`
and is imported only when a file is read.
"""

from timeline import Importer, hookimpl


@hookimpl
def timeline_importers() -> list[Importer]:
    return [
        Importer(
            name="csv",
            description="CSV with a header: date (EDTF), title, actors, place, sources, tags, "
                        "cameo...",
            suffixes=(".csv",),
            reader="timeline_csv.reader:read",
            sniffer="timeline_csv.reader:sniff",
        )
    ]
