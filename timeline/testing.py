"""Helpers for testing a plugin (and the pytest fixtures built on them).

::

    from timeline import export_bytes
    from timeline.testing import bundled_chronology, make_test_plugins
    import timeline_mermaid

    def test_mermaid_export():
        plugins = make_test_plugins(timeline_mermaid)
        text = export_bytes(bundled_chronology(), "mermaid", plugins=plugins)
        assert text.startswith(b"timeline\n")

With pytest, the same come as fixtures (``timeline_plugins``,
``bundled_chronology``) from :mod:`timeline.pytest_plugin`, which
diplomatic-timeline registers through pytest's ``pytest11`` entry point; see
``docs/plugins.md``. This module does not import pytest.
"""

from __future__ import annotations

import datetime as _dt
import types
from importlib import resources
from pathlib import Path
from typing import Any

from .chronology import Chronology, fold
from .errors import LogNotFoundError, ValidationError
from .plugins import Plugins, first_party_entry_points, make_plugin_manager
from .records import Event

__all__ = ["make_test_plugins", "bundled_chronology", "bundled_log_path", "chronology_of",
           "BUNDLED_LOG"]

#: File name of the bundled Pakistan–Russia chronology (``events/`` in the source,
#: ``timeline/data/`` in an installed wheel).
BUNDLED_LOG = "pakistan-russia.jsonl"
_EPOCH = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)


def make_test_plugins(*plugins: Any, installed: bool = False, first_party: bool = True,
                      strict: bool = True) -> Plugins:
    """A fresh plugin registry with ``plugins`` (modules or objects) registered, in order.

    Each is registered under its module's last name without ``timeline_``
    (``timeline_mermaid`` -> ``mermaid``), or its class's name in lowercase.
    ``first_party``: register the first-party plugins (``ical``, ``json``...)
    first, as ``timeline`` does, so that a clash with their format names shows.
    ``installed``: register every installed plugin instead, through its entry
    point, exactly as ``timeline`` loads them (``TIMELINE_PLUGINS`` applies).
    ``strict`` (the default): the first plugin failure (a misspelled hook, a hook
    that raises, a format name already taken) raises
    :class:`~timeline.errors.PluginError`; both hooks are called before this
    returns, so it raises here. With ``strict=False`` failures go to
    ``.failures``, as for users.
    """
    if installed:
        registry = make_plugin_manager(strict=strict)
    elif first_party:
        registry = make_plugin_manager(only=first_party_entry_points(), strict=strict)
    else:
        registry = make_plugin_manager(entry_points=False, strict=strict)
    for plugin in plugins:
        if isinstance(plugin, types.ModuleType):
            name = plugin.__name__.rsplit(".", 1)[-1].removeprefix("timeline_")
        else:
            name = type(plugin).__name__.lower()
        registry.register(plugin, name)
    registry.exporters()
    registry.importers()
    return registry


def bundled_log_path() -> Path:
    """The bundled Pakistan–Russia log (9 events, 9 entries), read-only: package data
    in an installed wheel, ``events/`` in a source checkout or editable install.
    Raises :class:`~timeline.errors.LogNotFoundError` if neither is there."""
    shipped = resources.files("timeline").joinpath("data", BUNDLED_LOG)
    if shipped.is_file():
        return Path(str(shipped))
    source = Path(__file__).resolve().parents[1] / "events" / BUNDLED_LOG
    if source.is_file():
        return source
    raise LogNotFoundError(f"log: the bundled {BUNDLED_LOG} is neither package data nor in "
                           f"{source.parent}.", field="log", value=BUNDLED_LOG,
                           fix="Reinstall diplomatic-timeline.")


def bundled_chronology(*, title: str | None = None) -> Chronology:
    """The bundled log's chronology (title ``pakistan-russia`` unless given), exactly
    what ``timeline export events/pakistan-russia.jsonl`` exports."""
    from .log import Log

    return Log(bundled_log_path()).chronology(title=title)


def chronology_of(*events: Event, title: str = "Chronology",
                  recorded_at: _dt.datetime = _EPOCH) -> Chronology:
    """A chronology of ``events`` as if each were recorded once, in the order given,
    at ``recorded_at`` (aware; default 2026-01-01 UTC): positions 1, 2, 3...,
    sorted as :func:`timeline.fold` sorts. For testing a writer on dates or text
    that the bundled log does not have. Raises :class:`~timeline.errors.ValidationError`
    for an id given twice."""
    ids = [event.id for event in events]
    for event_id in ids:
        if ids.count(event_id) > 1:
            raise ValidationError("id", event_id, "is given twice", "Give each event its own id.")
    entries = [types.SimpleNamespace(position=n, recorded_at=recorded_at, type="recorded",
                                     event_id=event.id, event=event)
               for n, event in enumerate(events, 1)]
    return fold(entries, title=title)  # type: ignore[arg-type]  # fold reads these fields only
