"""Real third-party clients that judge the exports, driven from the test suite.

Each client is set up by ``tests/clients/install.sh`` (node packages into
``tests/clients/node_modules`` from the committed ``package-lock.json``, and
Debian's ``chromium``) and by ``pip install -e '.[test]'`` (Radicale, caldav,
ical, vobject, markdown-it-py). ``.ci/run`` runs both.

A test that needs a missing client calls :func:`missing`: it fails when the
environment variable ``CI`` is ``true`` (CI must run every client) and skips
elsewhere, saying what to install.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
INSTALL_HINT = "run tests/clients/install.sh (npm ci into tests/clients, apt-get install chromium)"


def missing(what: str, fix: str = INSTALL_HINT) -> NoReturn:
    """Fail in CI, skip elsewhere: ``what`` is not installed."""
    message = f"{what} is not installed; {fix}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run every client, but {message}", pytrace=False)
    pytest.skip(message)


def executable(name: str, fix: str = INSTALL_HINT) -> str:
    """The path of program ``name`` on PATH, or :func:`missing`."""
    path = shutil.which(name)
    if path is None:
        missing(f"the program {name!r}", fix)
    return path


def node_package(name: str) -> Path:
    """The folder of node package ``name`` in ``tests/clients/node_modules``, or :func:`missing`."""
    folder = NODE_MODULES / name
    if not (folder / "package.json").is_file():
        missing(f"the node package {name!r}")
    return folder


def python_module(name: str) -> ModuleType:
    """Import ``name`` (a test extra such as ``radicale``), or :func:`missing`."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"the Python package {name!r}", "pip install -e '.[test]'")
