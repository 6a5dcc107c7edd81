"""Plugin discovery and the format registries, with failures isolated per plugin.

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
from .hookspecs import Exporter, Importer

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
    to :class:`~timeline.hookspecs.Exporter`, :meth:`importers` to
    :class:`~timeline.hookspecs.Importer`.
    """

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self.infos: dict[str, PluginInfo] = {}
        self.failures: list[PluginInfo] = []
        self._exporters: dict[str, Exporter] | None = None
        self._importers: dict[str, Importer] | None = None
        self._ambiguous: dict[str, dict[str, tuple[str, str]]] = {}  # hook -> name -> owners
        self._hook_failures: dict[str, list[PluginInfo]] = {}  # hook -> found, redone on recompute
        #: export format name -> the plugin that provides it (filled by :meth:`exporters`).
        self.format_owners: dict[str, str] = {}
        #: import format name -> the plugin that provides it (filled by :meth:`importers`).
        self.importer_owners: dict[str, str] = {}

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
        self._exporters = self._importers = None

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
        if self._exporters is None:
            self._exporters, self.format_owners = self._collect("timeline_exporters", Exporter)
        return self._exporters

    def exporter(self, name: str) -> Exporter:
        """The exporter called ``name``; raises UnknownFormatError or DuplicateFormatError."""
        return self._pick(self.exporters(), "timeline_exporters", name, "export", "formats")

    def importers(self) -> dict[str, Importer]:
        """Format name -> Importer, from every plugin's ``timeline_importers`` hook.

        Failures are isolated exactly as for :meth:`exporters`.
        """
        if self._importers is None:
            self._importers, self.importer_owners = self._collect("timeline_importers", Importer)
        return self._importers

    def importer(self, name: str) -> Importer:
        """The importer called ``name``; raises UnknownFormatError or DuplicateFormatError."""
        return self._pick(self.importers(), "timeline_importers", name, "import", "importers")

    def _pick(self, found: dict[str, Any], hook: str, name: str, verb: str, command: str) -> Any:
        ambiguous = self._ambiguous.get(hook, {})
        if name in ambiguous:
            raise DuplicateFormatError(name, *ambiguous[name])
        if name not in found:
            raise UnknownFormatError(
                f"format: {name!r} is not an installed {verb} format.", plugin=None,
                fix=f"Installed formats: {', '.join(found) or 'none'} (see: timeline {command}).")
        return found[name]

    def _collect(self, hook: str, kind: type) -> tuple[dict[str, Any], dict[str, str]]:
        # A recompute (after register()) reports this hook's problems afresh, not twice.
        stale = self._hook_failures.pop(hook, [])
        self.failures = [f for f in self.failures if not any(f is h for h in stale)]
        failures: list[PluginInfo] = []
        self._hook_failures[hook] = failures
        ambiguous: dict[str, tuple[str, str]] = {}
        self._ambiguous[hook] = ambiguous
        found: dict[str, Any] = {}
        owner: dict[str, str] = {}
        # Registration order, whatever pluggy's call order (last registered first) or
        # tryfirst/trylast marks: "first" in a DuplicateFormatError is registered first.
        rank = {name: i for i, (name, _) in enumerate(self.pm.list_name_plugin())}
        impls = sorted(getattr(self.pm.hook, hook).get_hookimpls(),
                       key=lambda impl: rank.get(impl.plugin_name, len(rank)))
        for impl in impls:
            name = self.pm.get_name(impl.plugin) or "?"
            try:
                result = impl.function()
                items = list(result or ())
                if not all(isinstance(x, kind) for x in items):
                    raise TypeError(f"{hook} must return a list of {kind.__name__}")
            except Exception as exc:
                info = self.infos.get(name)
                self._fail(name, info.distribution if info else None,
                           info.version if info else None,
                           f"failed in hook {hook}: {type(exc).__name__}: {exc}")
                failures.append(self.failures[-1])
                continue
            for item in items:
                if item.name in owner or item.name in ambiguous:
                    first = owner.pop(item.name, None) or ambiguous[item.name][0]
                    found.pop(item.name, None)
                    ambiguous[item.name] = (first, name)
                    err = DuplicateFormatError(item.name, first, name)
                    self.failures.append(PluginInfo(name, None, None, (), str(err)))
                    failures.append(self.failures[-1])
                    continue
                owner[item.name] = name
                found[item.name] = item
        return dict(sorted(found.items())), dict(sorted(owner.items()))


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
