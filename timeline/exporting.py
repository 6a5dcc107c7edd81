"""Exporting a chronology through an exporter plugin, with atomic file output."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from .chronology import Chronology
from .errors import PluginError, TimelineError
from .plugins import Plugins, make_plugin_manager

__all__ = ["export", "export_bytes"]


def export(chronology: Chronology, format: str, output: str | os.PathLike[str] | BinaryIO, *,
           plugins: Plugins | None = None, **options: Any) -> None:
    """Write ``chronology`` in ``format`` to a path or a binary stream.

    ``options`` are the format's options (its ``Exporter.options``; ``timeline
    formats --verbose`` lists them), e.g. ``export(c, "markdown", path,
    layout="table")``. The writer gets every declared option, the missing ones
    at their default; a name not declared, or a value of the wrong type or not
    among the option's choices, raises :class:`~timeline.errors.ValidationError`
    before anything is written.

    A path is written atomically: to a temporary file in the same folder,
    fsynced, then renamed over the target, so a failed export leaves no file
    (and an earlier file untouched). Raises UnknownFormatError for the format,
    PluginError if its writer cannot be imported, and whatever the writer raises.
    """
    plugins = plugins or make_plugin_manager()
    exporter = plugins.exporter(format)
    options = exporter.resolve_options(options)  # before any import or write
    try:
        writer = exporter.load()
    except Exception as exc:  # a broken plugin is reported by name, not as a traceback
        owner = plugins.format_owners.get(format)
        raise PluginError(
            f"plugin {owner!r}: the writer {exporter.writer!r} of format {format!r} could not "
            f"be loaded: {type(exc).__name__}: {exc}.", plugin=owner,
            fix="Reinstall the plugin, or report this to its author.") from exc
    if hasattr(output, "write"):
        _run(writer, chronology, output, options, format, plugins)
        return
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent if str(target.parent) else ".")
    except OSError as exc:  # a missing folder, no permission: nothing was written
        raise TimelineError(f"output: {str(target)!r} cannot be written: "
                            f"{exc.strerror or exc}.", field="output", value=str(target),
                            fix="Check that its folder exists and is writable.") from exc
    if target.is_dir():
        Path(tmp).unlink()
        raise TimelineError(f"output: {str(target)!r} is a folder.", field="output",
                            value=str(target), fix="Give a file name, e.g. out/chronology.ics.")
    try:
        with os.fdopen(fd, "wb") as stream:
            _run(writer, chronology, stream, options, format, plugins)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _run(writer: Any, chronology: Chronology, out: BinaryIO, options: dict[str, Any],
         format: str, plugins: Plugins) -> None:
    try:
        writer(chronology, out, **options)
    except TimelineError:
        raise
    except Exception as exc:  # a bug in a plugin is named, not shown as a traceback
        owner = plugins.format_owners.get(format)
        raise PluginError(
            f"plugin {owner!r}: format {format!r} failed while writing: "
            f"{type(exc).__name__}: {exc}.", plugin=owner,
            fix="Report this to the plugin's author, with the log that caused it.") from exc


def export_bytes(chronology: Chronology, format: str, *, plugins: Plugins | None = None,
                 **options: Any) -> bytes:
    """The export as bytes (convenient for tests and small chronologies)."""
    import io

    buffer = io.BytesIO()
    export(chronology, format, buffer, plugins=plugins, **options)
    return buffer.getvalue()
