"""Plugin discovery and the format registry, with failures isolated per plugin.

:func:`make_plugin_manager` loads every entry point in the ``timeline`` group
(first-party plugins included) one at a time: a plugin that fails to import,
to register, or that implements a hook that does not exist (a misspelling,
found by ``check_pending()``) is unregistered and reported in
:attr:`Plugins.failures` by name with the reason; the others keep working.
Hooks are called one implementation at a time for the same reason.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import DuplicateFormatError, PluginError, UnknownFormatError
from .hookspecs import Exporter

__all__ = ["Plugins", "PluginInfo", "make_plugin_manager", "ENTRY_POINT_GROUP"]

#: The entry point group every plugin, first-party or not, registers under.
ENTRY_POINT_GROUP = "timeline"


@attrs.frozen(slots=True)
class PluginInfo:
    """One plugin as loaded: entry point ``name``, ``distribution``, ``version``,
    ``hooks`` it implements, and ``error`` (``None`` when it loaded)."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...] = ()
    error: str | None = None


class Plugins:
    """The loaded plugins: a pluggy manager plus what failed and why.

    ``pm`` is the :class:`pluggy.PluginManager`; ``failures`` lists
    :class:`PluginInfo` with an ``error``; :meth:`exporters` maps format names
    to :class:`~timeline.hookspecs.Exporter`.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.infos: dict[str, PluginInfo] = {}
        self.failures: list[PluginInfo] = []
        self._exporters: dict[str, Exporter] | None = None
        self._ambiguous: dict[str, tuple[str, str]] = {}
        self._hook_failures: list[PluginInfo] = []  # found by exporters(), redone on recompute
        #: format name -> the plugin that provides it (filled by :meth:`exporters`).
        self.format_owners: dict[str, str] = {}

    def register(self, plugin: Any, name: str, *, distribution: str | None = None,
                 version: str | None = None) -> None:
        """Register a plugin object (module or instance) under ``name``, checking its hooks.

        A plugin with an unknown (misspelled) hook is unregistered and reported.
        """
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy raises ValueError / PluginValidationError
            self._fail(name, distribution, version, f"could not be registered: {exc}")
            return
        unknown = [impl.function.__name__ for hook in self._unverified(plugin) for impl in hook]
        if unknown:
            self.pm.unregister(plugin)
            self._fail(name, distribution, version,
                       f"implements unknown hook {unknown[0]!r} (misspelled?); known hooks: "
                       + ", ".join(sorted(self._known_hooks())))
            return
        hooks = tuple(sorted(h.name for h in self.pm.get_hookcallers(plugin) or ()))
        self.infos[name] = PluginInfo(name, distribution, version, hooks)
        self._exporters = None

    def _unverified(self, plugin: Any) -> list[Any]:
        found = []
        for hook in self.pm.get_hookcallers(plugin) or ():
            if not hook.has_spec():
                found.append([i for i in hook.get_hookimpls() if i.plugin is plugin
                              and not i.optionalhook])
        return [f for f in found if f]

    def _known_hooks(self) -> list[str]:
        return [n for n in vars(hookspecs) if n.startswith("timeline_")]

    def _fail(self, name: str, distribution: str | None, version: str | None, why: str) -> None:
        info = PluginInfo(name, distribution, version, (), f"plugin {name!r} {why}")
        self.infos[name] = info
        self.failures.append(info)

    def exporters(self) -> dict[str, Exporter]:
        """Format name -> Exporter, from every plugin's ``timeline_exporters`` hook.

        A plugin whose hook raises or returns something else is reported in
        :attr:`failures`; a name claimed twice is left out and exporting it
        raises :class:`~timeline.errors.DuplicateFormatError` naming both.
        """
        if self._exporters is not None:
            return self._exporters
        # A recompute (after register()) reports hook problems afresh, not twice.
        self.failures = [f for f in self.failures
                         if not any(f is h for h in self._hook_failures)]
        self._hook_failures = []
        self._ambiguous = {}
        found: dict[str, Exporter] = {}
        owner: dict[str, str] = {}
        # Registration order, whatever pluggy's call order (last registered first) or
        # tryfirst/trylast marks: "first" in a DuplicateFormatError is registered first.
        rank = {name: i for i, (name, _) in enumerate(self.pm.list_name_plugin())}
        impls = sorted(self.pm.hook.timeline_exporters.get_hookimpls(),
                       key=lambda impl: rank.get(impl.plugin_name, len(rank)))
        for impl in impls:
            name = self.pm.get_name(impl.plugin) or "?"
            try:
                result = impl.function()
                items = list(result or ())
                if not all(isinstance(x, Exporter) for x in items):
                    raise TypeError("timeline_exporters must return a list of Exporter")
            except Exception as exc:
                info = self.infos.get(name)
                self._fail(name, info.distribution if info else None,
                           info.version if info else None,
                           f"failed in hook timeline_exporters: {type(exc).__name__}: {exc}")
                self._hook_failures.append(self.failures[-1])
                continue
            for exporter in items:
                if exporter.name in owner or exporter.name in self._ambiguous:
                    first = owner.pop(exporter.name, None) or self._ambiguous[exporter.name][0]
                    found.pop(exporter.name, None)
                    self._ambiguous[exporter.name] = (first, name)
                    err = DuplicateFormatError(exporter.name, first, name)
                    self.failures.append(PluginInfo(name, None, None, (), str(err)))
                    self._hook_failures.append(self.failures[-1])
                    continue
                owner[exporter.name] = name
                found[exporter.name] = exporter
        self._exporters = dict(sorted(found.items()))
        self.format_owners = dict(sorted(owner.items()))
        return self._exporters

    def exporter(self, name: str) -> Exporter:
        """The exporter called ``name``; raises UnknownFormatError or DuplicateFormatError."""
        exporters = self.exporters()
        if name in self._ambiguous:
            raise DuplicateFormatError(name, *self._ambiguous[name])
        if name not in exporters:
            raise UnknownFormatError(
                f"format: {name!r} is not an installed export format.", plugin=None,
                fix=f"Installed formats: {', '.join(exporters) or 'none'} "
                "(see: timeline formats).")
        return exporters[name]


def make_plugin_manager(*, entry_points: bool = True) -> Plugins:
    """Load the plugins: every entry point of the ``timeline`` group, one at a time.

    With ``entry_points=False``, an empty registry (for tests and for
    :mod:`timeline.testing`-style use: call :meth:`Plugins.register`).
    """
    pm = pluggy.PluginManager("timeline")
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm)
    if not entry_points:
        return plugins
    seen: set[tuple[str, str]] = set()
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = getattr(ep, "dist", None)
        dist_name = dist.metadata["Name"] if dist is not None else None
        version = dist.version if dist is not None else None
        if (ep.name, ep.value) in seen:  # the same distribution seen twice on sys.path
            continue
        seen.add((ep.name, ep.value))
        if ep.name in plugins.infos:  # reported, without replacing the plugin that loaded
            plugins.failures.append(PluginInfo(
                ep.name, dist_name, version, (),
                f"plugin {ep.name!r} has the same entry point name as another plugin "
                f"({ep.value})"))
            continue
        try:
            obj = ep.load()
        except Exception as exc:  # anything a broken plugin can raise on import
            plugins._fail(ep.name, dist_name, version,
                          f"failed to import ({ep.value}): {type(exc).__name__}: {exc}")
            continue
        plugins.register(obj, ep.name, distribution=dist_name, version=version)
    return plugins


def plugin_error(info: PluginInfo) -> PluginError:
    """The failure of ``info`` as an exception (for strict mode)."""
    return PluginError(info.error or "", plugin=info.name)
