"""Exporting a chronology through an exporter plugin, to an output (:mod:`timeline.outputs`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, BinaryIO

from .chronology import Chronology
from .errors import PluginError, TimelineError, ValidationError
from .outputs import Output
from .plugins import Plugins, make_plugin_manager
from .streams import EventStream

__all__ = ["export", "export_bytes"]


def export(chronology: Chronology | EventStream, format: str,
           output: str | os.PathLike[str] | BinaryIO | Output, *,
           plugins: Plugins | None = None, protect: Iterable[Any] = (),
           **options: Any) -> None:
    """Write ``chronology`` in ``format`` to a path, a binary stream or an :class:`Output`.

    ``chronology`` is a :class:`~timeline.chronology.Chronology` or an
    :class:`~timeline.streams.EventStream` (events in chronological order from
    any source, read once). A format whose exporter declares ``streams=True``
    gets a stream (a chronology's events are streamed from it), so its memory
    does not grow with the number of events; any other format gets a
    ``Chronology`` (a stream is read into one first), as writers always have. An
    exception the stream's source raises is re-raised as it is, never blamed on
    the writer; a stream out of order, or yielding another number of events than
    its ``count``, raises :class:`~timeline.errors.ValidationError` (field
    ``events``). Either way a file being written is discarded.

    ``options`` are the format's options (its ``Exporter.options``; ``timeline
    formats --verbose`` lists them), e.g. ``export(c, "markdown", path,
    layout="table")``. The writer gets every declared option, the missing ones
    at their default; a name not declared, or a value of the wrong type or not
    among the option's choices, raises :class:`~timeline.errors.ValidationError`
    before anything is written. ``plugins`` and ``protect`` are this function's own.

    ``protect``: what the path must never be, e.g. ``protect=[log]`` for the
    :class:`~timeline.Log` the chronology came from (every file of it), or paths
    (see :class:`~timeline.outputs.Output`); it applies to a path only (an
    ``Output`` was checked when it was made, which lets a caller check before
    reading the log, as ``timeline export`` does).

    A path is written as :mod:`timeline.outputs` says: a regular file atomically
    (a temporary file in the same folder, fsynced, renamed over the target), so a
    failed export leaves no file and an earlier file untouched; a FIFO or a
    character device in place. A stream is written and flushed, not closed.
    Raises UnknownFormatError for the format, PluginError if its writer cannot be
    imported or fails (a bug of the plugin), :class:`~timeline.errors.OutputError`
    for a path that may not be written or an ``OSError`` writing the output
    (``ENOSPC``, ``EFBIG``...: the output's fault, whoever wrote), and whatever
    ``TimelineError`` the writer raises.
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
    if isinstance(output, Output) and protect:
        raise ValidationError("protect", protect, "is given with an Output, which was checked "
                              "when it was made", "Give protect to Output(...) instead.")
    if not isinstance(output, Output):
        output = Output(output, protect=protect, example=f"chronology{exporter.suffix}")
    with output.writing() as stream:
        _run(writer, chronology, exporter.streams, stream, options, format, plugins, output)


def _run(writer: Any, source: Chronology | EventStream, streams: bool, out: BinaryIO,
         options: dict[str, Any], format: str, plugins: Plugins, output: Output) -> None:
    events = source if isinstance(source, EventStream) else None
    if streams and events is None:
        events = EventStream.from_chronology(source)  # type: ignore[arg-type]
    try:
        # A writer that does not stream gets a Chronology: the one given, or the stream read.
        writer(events if streams else source if events is None else events.chronology(), out,
               **options)
    except Exception as exc:
        if output.failure is not None:  # the output failed under the writer: not its bug
            raise output.error(output.failure) from None
        if events is not None and events.failure is not None:  # the source failed, not it
            raise events.failure from None
        if isinstance(exc, TimelineError):
            raise
        owner = plugins.format_owners.get(format)  # a bug in a plugin is named, no traceback
        raise PluginError(
            f"plugin {owner!r}: format {format!r} failed while writing: "
            f"{type(exc).__name__}: {exc}.", plugin=owner,
            fix="Report this to the plugin's author, with the log that caused it.") from exc


def export_bytes(chronology: Chronology | EventStream, format: str, *,
                 plugins: Plugins | None = None, **options: Any) -> bytes:
    """The export as bytes (convenient for tests and small chronologies)."""
    import io

    buffer = io.BytesIO()
    export(chronology, format, buffer, plugins=plugins, **options)
    return buffer.getvalue()
