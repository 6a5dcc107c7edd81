"""Plugin discovery and the format registries, with failures isolated per plugin.

:func:`make_plugin_manager` loads the entry points of the ``timeline`` group one
at a time: first the first-party plugins (distribution ``diplomatic-timeline``),
then every other one, each group by entry point name. A plugin that fails to
import, to register, or that implements a hook that does not exist (a
misspelling, found like pluggy's ``check_pending()``) is unregistered and
reported in :attr:`Plugins.failures` by name with the reason; the others keep
working. Hooks are called one implementation at a time for the same reason.

Format names: the first plugin to register a name keeps it. A later plugin
claiming it is reported (:class:`~timeline.errors.DuplicateFormatError`'s
message, naming both) and its other formats still work, so installing a plugin
can never take a working format away.

Environment (for plugin developers; ``docs/plugins.md``):

- ``TIMELINE_PLUGINS=ical,mermaid``: load only these entry point names (empty:
  none). A name not installed is reported.
- ``TIMELINE_PLUGINS_STRICT=1``: the first plugin failure raises
  :class:`~timeline.errors.PluginError` (the CLI exits 1 with it) instead of
  being reported and skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from importlib import metadata
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import DuplicateFormatError, PluginError, UnknownFormatError, ValidationError
from .hookspecs import Exporter, Importer

__all__ = ["Plugins", "PluginInfo", "make_plugin_manager", "ENTRY_POINT_GROUP",
           "FIRST_PARTY_DISTRIBUTION", "ENV_PLUGINS", "ENV_STRICT"]

#: The entry point group every plugin, first-party or not, registers under.
ENTRY_POINT_GROUP = "timeline"
#: The distribution whose plugins load first and so keep their format names.
FIRST_PARTY_DISTRIBUTION = "diplomatic-timeline"
#: Comma-separated entry point names: load only these plugins.
ENV_PLUGINS = "TIMELINE_PLUGINS"
#: ``1`` (or ``true``, ``yes``, ``on``): a plugin failure is an error, not a warning.
ENV_STRICT = "TIMELINE_PLUGINS_STRICT"

_FLAGS = {"1": True, "true": True, "yes": True, "on": True,
          "": False, "0": False, "false": False, "no": False, "off": False}


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

    ``pm`` is the :class:`pluggy.PluginManager`; ``infos`` maps each plugin's
    name to its :class:`PluginInfo`; ``failures`` lists :class:`PluginInfo`
    with an ``error``; ``skipped`` the installed plugins left out by
    ``TIMELINE_PLUGINS``. :meth:`exporters` maps format names to
    :class:`~timeline.hookspecs.Exporter`, :meth:`importers` to
    :class:`~timeline.hookspecs.Importer`. With ``strict``, the first failure
    raises :class:`~timeline.errors.PluginError` instead.
    """

    def __init__(self, pm: pluggy.PluginManager, *, strict: bool = False) -> None:
        self.pm = pm
        self.strict = strict
        self.infos: dict[str, PluginInfo] = {}
        self.failures: list[PluginInfo] = []
        self.skipped: list[PluginInfo] = []
        self._exporters: dict[str, Exporter] | None = None
        self._importers: dict[str, Importer] | None = None
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

    def _fail(self, name: str, distribution: str | None, version: str | None, why: str, *,
              replace: bool = True, error: PluginError | None = None,
              fix: str | None = None) -> PluginInfo:
        info = PluginInfo(name, distribution, version, (),
                          str(error) if error else f"plugin {name!r} {why}")
        if replace:
            self.infos[name] = info
        self.failures.append(info)
        if self.strict:
            raise error or PluginError(
                f"{info.error}.", plugin=name,
                fix=fix or f"Fix or uninstall the plugin, or unset {ENV_STRICT} to go on "
                "without it (with a warning).")
        return info

    def exporters(self) -> dict[str, Exporter]:
        """Format name -> Exporter, from every plugin's ``timeline_exporters`` hook.

        A plugin whose hook raises or returns something else is reported in
        :attr:`failures`; a name already taken stays with the plugin that took
        it first, and the later one is reported (DuplicateFormatError's message).
        """
        if self._exporters is None:
            self._exporters, self.format_owners = self._collect("timeline_exporters", Exporter)
        return self._exporters

    def exporter(self, name: str) -> Exporter:
        """The exporter called ``name``; raises UnknownFormatError."""
        return self._pick(self.exporters(), name, "export", "formats")

    def importers(self) -> dict[str, Importer]:
        """Format name -> Importer, from every plugin's ``timeline_importers`` hook.

        Failures and names taken twice are handled exactly as by :meth:`exporters`.
        """
        if self._importers is None:
            self._importers, self.importer_owners = self._collect("timeline_importers", Importer)
        return self._importers

    def importer(self, name: str) -> Importer:
        """The importer called ``name``; raises UnknownFormatError."""
        return self._pick(self.importers(), name, "import", "importers")

    def _pick(self, found: dict[str, Any], name: str, verb: str, command: str) -> Any:
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
        found: dict[str, Any] = {}
        owner: dict[str, str] = {}
        # Registration order, whatever pluggy's call order (last registered first) or
        # tryfirst/trylast marks: the plugin registered first keeps a name.
        rank = {name: i for i, (name, _) in enumerate(self.pm.list_name_plugin())}
        impls = sorted(getattr(self.pm.hook, hook).get_hookimpls(),
                       key=lambda impl: rank.get(impl.plugin_name, len(rank)))
        for impl in impls:
            name = self.pm.get_name(impl.plugin) or "?"
            info = self.infos.get(name)
            dist, version = (info.distribution, info.version) if info else (None, None)
            try:
                items = list(impl.function() or ())
                if not all(isinstance(x, kind) for x in items):
                    raise TypeError(f"{hook} must return a list of {kind.__name__}")
            except Exception as exc:
                failures.append(self._fail(name, dist, version, f"failed in hook {hook}: "
                                           f"{type(exc).__name__}: {exc}"))
                continue
            for item in items:
                if item.name in owner:  # the first keeps it; this plugin's others still count
                    failures.append(self._fail(
                        name, dist, version, "", replace=False,
                        error=DuplicateFormatError(item.name, owner[item.name], name)))
                    continue
                owner[item.name] = name
                found[item.name] = item
        return dict(sorted(found.items())), dict(sorted(owner.items()))


def make_plugin_manager(*, entry_points: bool = True, only: Iterable[str] | None = None,
                        strict: bool | None = None) -> Plugins:
    """Load the plugins: the entry points of the ``timeline`` group, one at a time.

    First-party plugins load first, then the others, each group sorted by entry
    point name. ``only``: load just these entry point names (default: the
    comma-separated ``TIMELINE_PLUGINS`` if set, else all); a name not installed
    is reported as a failure. ``strict``: raise :class:`~timeline.errors.PluginError`
    at the first failure (default: ``TIMELINE_PLUGINS_STRICT``). With
    ``entry_points=False``, an empty registry (for tests and :mod:`timeline.testing`:
    call :meth:`Plugins.register`). An unreadable ``TIMELINE_PLUGINS_STRICT``
    raises :class:`~timeline.errors.ValidationError`.
    """
    if strict is None:
        strict = _flag(os.environ.get(ENV_STRICT, ""))
    source = "only="
    if only is None and ENV_PLUGINS in os.environ:
        only, source = os.environ[ENV_PLUGINS].split(","), ENV_PLUGINS
    wanted = None if only is None else {n.strip() for n in only if n.strip()}
    pm = pluggy.PluginManager("timeline")
    pm.add_hookspecs(hookspecs)
    plugins = Plugins(pm, strict=strict)
    if not entry_points:
        return plugins
    seen: set[tuple[str, str]] = set()
    installed = _entry_points()
    for ep, dist_name, version in installed:
        if (ep.name, ep.value) in seen:  # the same distribution seen twice on sys.path
            continue
        seen.add((ep.name, ep.value))
        if wanted is not None and ep.name not in wanted:
            plugins.skipped.append(PluginInfo(ep.name, dist_name, version))
            continue
        if ep.name in plugins.infos:  # reported, without replacing the plugin that loaded
            plugins._fail(ep.name, dist_name, version,
                          f"has the same entry point name as another plugin ({ep.value})",
                          replace=False)
            continue
        try:
            obj = ep.load()
        except Exception as exc:  # anything a broken plugin can raise on import
            plugins._fail(ep.name, dist_name, version,
                          f"failed to import ({ep.value}): {type(exc).__name__}: {exc}")
            continue
        plugins.register(obj, ep.name, distribution=dist_name, version=version)
    for name in sorted((wanted or set()) - {ep.name for ep, _, _ in installed}):
        plugins._fail(name, None, None, f"is named in {source} but is not installed",
                      fix=f"Install it, or leave it out of {source}.")
    return plugins


def first_party_entry_points() -> list[str]:
    """The entry point names of the first-party plugins, sorted."""
    return [ep.name for ep, dist, _ in _entry_points() if _first_party(dist)]


def _entry_points() -> list[tuple[metadata.EntryPoint, str | None, str | None]]:
    """``(entry point, distribution name, version)``: first-party first, then by name
    (a stable sort: two of one name keep their order on ``sys.path``)."""
    found = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        found.append((ep, dist.metadata["Name"] if dist is not None else None,
                      dist.version if dist is not None else None))
    return sorted(found, key=lambda item: (not _first_party(item[1]), item[0].name))


def _first_party(distribution: str | None) -> bool:
    # Distribution names compare normalized (PEP 503): Diplomatic_Timeline is ours too.
    return (distribution is not None
            and re.sub(r"[-_.]+", "-", distribution).lower() == FIRST_PARTY_DISTRIBUTION)


def _flag(text: str) -> bool:
    if text.strip().lower() not in _FLAGS:
        raise ValidationError(ENV_STRICT, text, "is not 1 or 0",
                              f"Set {ENV_STRICT}=1 to make plugin failures errors, or unset it.")
    return _FLAGS[text.strip().lower()]

