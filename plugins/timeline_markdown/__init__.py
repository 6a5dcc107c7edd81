"""First-party plugin: the ``markdown`` exporter.

Registered through the ``timeline`` entry point group, exactly as a
third-party plugin would be. The writer lives in :mod:`timeline_markdown.writer`
and is imported only when this format is exported.
"""

from timeline import Exporter, Option, hookimpl

#: The format; its writer checks its options against it too.
EXPORTER = Exporter(
    name="markdown",
    description="Readable Markdown chronology grouped by year",
    media_type="text/markdown",
    suffix=".md",
    writer="timeline_markdown.writer:write",
    options=(Option("layout", str, "list", "list: one item per event; table: one table row "
                    "per event (GitHub Flavored Markdown)", choices=("list", "table")),),
    streams=True,
)


@hookimpl
def timeline_exporters() -> list[Exporter]:
    return [EXPORTER]
