"""A diplomatic-timeline plugin: the ``mermaid`` export format."""

from timeline import Exporter, Option, hookimpl


@hookimpl
def timeline_exporters():
    return [
        Exporter(
            name="mermaid",
            description="Mermaid timeline diagram, one section per year",
            media_type="text/vnd.mermaid",
            suffix=".mmd",
            writer="timeline_mermaid.writer:write",
            options=(Option("sections", str, "year", "year: one section per year; none: "
                            "no sections", choices=("year", "none")),),
            streams=True,
        )
    ]
