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

__all__ = ["hookspec", "hookimpl", "Exporter", "timeline_exporters"]

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
        if callable(self.writer):
            return self.writer
        module, _, attr = self.writer.partition(":")
        return getattr(import_module(module), attr)


@hookspec
def timeline_exporters() -> list[Exporter]:  # type: ignore[empty-body]
    """Return the export formats this plugin provides.

    Called once per plugin when the CLI or :func:`timeline.export` first needs
    the list of formats (``timeline formats``, ``timeline export``). Must be
    cheap: return :class:`Exporter` records whose ``writer`` is an import
    string, and import heavy libraries inside the writer only.

    :return: a list of :class:`Exporter` (may be empty).
    """
