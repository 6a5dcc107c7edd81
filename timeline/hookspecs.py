"""Hook specifications: the public API for plugins (pluggy project name ``"timeline"``).

A plugin is a module (or object) whose functions are marked with
:data:`hookimpl` and whose names match a hook below. It is found through the
``timeline`` entry point group, exactly like the first-party plugins::

    [project.entry-points.timeline]
    csv = "timeline_csv"

Each hook's docstring says when it is called, its arguments and what it
returns; ``docs/hooks.md`` is the reference. Hooks only ever gain arguments
(pluggy lets an implementation accept fewer than the spec offers).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

import attrs
import pluggy

from .errors import ValidationError
from .records import Event

__all__ = ["hookspec", "hookimpl", "Exporter", "timeline_exporters", "Importer", "ImportRow",
           "Rejection", "timeline_importers"]

#: Marks a hook specification (used by this module only).
hookspec = pluggy.HookspecMarker("timeline")
#: Marks a plugin's hook implementation: ``@hookimpl def timeline_exporters(): ...``.
hookimpl = pluggy.HookimplMarker("timeline")


@attrs.frozen(slots=True)
class Exporter:
    """An export format a plugin provides.

    - ``name``: the format name users type (``timeline export -f NAME``);
      lowercase letters, digits, ``-`` and ``_``.
    - ``description``: one line for ``timeline formats``.
    - ``media_type``: the IANA media type of the output (``text/calendar``).
    - ``suffix``: the usual file suffix, with its dot (``.ics``).
    - ``writer``: ``"module:function"``, imported only when this format is
      exported (so heavy libraries load only when needed), or the callable
      itself. It is called as ``writer(chronology, out, **options)`` with a
      :class:`~timeline.chronology.Chronology` and a binary stream, and writes
      the whole document to ``out``.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z0-9][a-z0-9_-]{0,39}"))
    description: str
    media_type: str
    suffix: str
    writer: str | Callable[..., Any]

    def load(self) -> Callable[..., Any]:
        """The writer callable (imports its module on first use)."""
        return _resolve(self.writer)


@hookspec
def timeline_exporters() -> list[Exporter]:  # type: ignore[empty-body]
    """Return the export formats this plugin provides.

    Called once per plugin when the CLI or :func:`timeline.export` first needs
    the list of formats (``timeline formats``, ``timeline export``). Must be
    cheap: return :class:`Exporter` records whose ``writer`` is an import
    string, and import heavy libraries inside the writer only.

    :return: a list of :class:`Exporter` (may be empty).
    """


@attrs.frozen(slots=True)
class Rejection:
    """Why a row of an import file gives no event.

    - ``reason``: a short, fixed phrase that the import summary counts rows by
      (``"invalid date"``, ``"wrong number of fields"``).
    - ``detail``: the full sentence for this row: the field, the value and the
      fix, as a :class:`~timeline.errors.ValidationError` message reads.
    """

    reason: str
    detail: str

    @classmethod
    def from_error(cls, error: ValidationError) -> Rejection:
        """The rejection for a record that failed validation: reason ``invalid <field>``."""
        field = (error.field or "row").split(".")[0]
        return cls(f"invalid {field}", str(error))


@attrs.frozen(slots=True)
class ImportRow:
    """One row (or record) read from an import file.

    - ``line``: the 1-based line of the file where the row starts (for a JSON or
      iCalendar file, the line where its object or VEVENT begins).
    - ``record``: the :class:`~timeline.records.Event` it gives, or a
      :class:`Rejection` saying why it gives none.
    - ``key``: the row's source identity, ``"<dataset>:<id>"`` (``"icews:32889836:2018-06-01"``),
      stored as the log entry's idempotency key so that importing the same row again
      appends nothing; ``None`` for a rejection. At most 200 characters.
    """

    line: int
    record: Event | Rejection
    key: str | None = None


def _suffixes(value: Any) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        if not isinstance(item, str) or not item.startswith(".") or item != item.lower():
            raise ValidationError("suffixes", item, "is not a lowercase file suffix with its dot",
                                  "For example (\".tab\", \".tsv\").")
    return items


@attrs.frozen(slots=True)
class Importer:
    """An import format a plugin provides.

    - ``name``: the format name users type (``timeline import LOG FILE -f NAME``);
      lowercase letters, digits, ``-`` and ``_``. It may equal an export format's
      name (``json``): the two registries are separate.
    - ``description``: one line for ``timeline importers``.
    - ``suffixes``: the file suffixes it usually reads, with their dots and in
      lowercase (``(".tab", ".tsv")``); used to guess the format of a file.
    - ``reader``: ``"module:function"``, imported only when this format is read,
      or the callable itself. It is called as ``reader(stream, **options)`` with
      a binary stream positioned at the start of the file, and returns an
      iterator of :class:`ImportRow` in file order. A row it cannot turn into an
      event is yielded as a :class:`Rejection`, not raised; a problem with the
      whole file (no header, not JSON) raises
      :class:`~timeline.errors.ImportRowError` naming the line.
    - ``sniffer``: optional ``"module:function"`` (or callable) called as
      ``sniffer(head)`` with up to the first 64 KiB of the file (bytes); returns
      ``True`` when the content looks like this format. Used, with the suffix, to
      guess the format when none is given.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z0-9][a-z0-9_-]{0,39}"))
    description: str
    suffixes: tuple[str, ...] = attrs.field(converter=_suffixes)
    reader: str | Callable[..., Any]
    sniffer: str | Callable[[bytes], bool] | None = None

    def load(self) -> Callable[..., Any]:
        """The reader callable (imports its module on first use)."""
        return _resolve(self.reader)

    def load_sniffer(self) -> Callable[[bytes], bool] | None:
        """The sniffer callable, or ``None`` when the importer has none."""
        return None if self.sniffer is None else _resolve(self.sniffer)


@hookspec
def timeline_importers() -> list[Importer]:  # type: ignore[empty-body]
    """Return the import formats this plugin provides.

    Called once per plugin when the CLI or :func:`timeline.import_file` first
    needs the list of import formats (``timeline importers``, ``timeline
    import``). Must be cheap: return :class:`Importer` records whose ``reader``
    and ``sniffer`` are import strings, and import heavy libraries inside the
    reader only. A plugin whose hook raises, or returns anything but a list of
    :class:`Importer`, is reported by name and the other importers keep working;
    a format name two plugins claim is an error naming both.

    :return: a list of :class:`Importer` (may be empty).
    """


def _resolve(spec: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(spec):
        return spec
    module, _, attr = spec.partition(":")
    return getattr(import_module(module), attr)
