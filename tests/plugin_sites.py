"""Plugin distributions "installed" into a temporary folder on ``sys.path``.

Each :meth:`Site.add` writes a package and its ``*.dist-info`` folder (METADATA and
entry_points.txt), exactly what ``pip install`` leaves behind, so discovery goes
through ``importlib.metadata`` as it does for users. :func:`open_site` is the body
of a ``site`` fixture: it yields a :class:`Site` and forgets its modules after.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest


class Site:
    """A folder on sys.path into which tests "install" plugin distributions."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: list[str] = []

    def add(self, module: str, code: str, *, dist: str | None = None,
            entry_point: str | None = None, version: str = "1.0",
            files: dict[str, str] | None = None) -> None:
        """Write package ``module`` (``__init__.py`` = ``code``, plus ``files``) and the
        ``dist-info`` of distribution ``dist`` with entry point ``entry_point = module``."""
        package = self.root / module
        package.mkdir()
        (package / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
        for name, text in (files or {}).items():
            (package / name).write_text(textwrap.dedent(text), encoding="utf-8")
        self.add_metadata(module, dist=dist, entry_point=entry_point, version=version)

    def add_copy(self, source: Path, **metadata: str) -> None:
        """Install the package folder ``source`` (copied) as :meth:`add` would."""
        shutil.copytree(source, self.root / source.name,
                        ignore=shutil.ignore_patterns("__pycache__"))
        self.add_metadata(source.name, **metadata)

    def add_metadata(self, module: str, *, dist: str | None = None,
                     entry_point: str | None = None, version: str = "1.0") -> None:
        dist = dist or module.replace("_", "-")
        entry_point = entry_point or module.removeprefix("timeline_")
        info = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[timeline]\n{entry_point} = {module}\n",
                                               encoding="utf-8")
        self.modules.append(module)
        importlib.invalidate_caches()  # importlib.metadata caches directory listings


def open_site(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A :class:`Site` at ``root``, first on sys.path; its modules are forgotten after."""
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    site = Site(root)
    yield site
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in site.modules):
            del sys.modules[name]
