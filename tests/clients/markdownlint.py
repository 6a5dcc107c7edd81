"""markdownlint-cli2 with the committed ``export.markdownlint-cli2.jsonc``: :func:`lint`."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from . import HERE, executable, node_package

CONFIG = HERE / "export.markdownlint-cli2.jsonc"


def lint(text: bytes, name: str = "export.md") -> list[str]:
    """The rule violations markdownlint-cli2 reports for ``text`` (empty: it passes).

    The document is linted as ``name`` from a scratch folder, so that no other
    configuration than :data:`CONFIG` applies. Each violation is one line,
    ``export.md:LINE[:COLUMN] error MDxxx/name Description``. Raises
    AssertionError if markdownlint-cli2 itself fails.
    """
    node = executable("node")
    cli = node_package("markdownlint-cli2") / "markdownlint-cli2-bin.mjs"
    with tempfile.TemporaryDirectory(prefix="mdlint-") as folder:
        (Path(folder) / name).write_bytes(text)
        run = subprocess.run([node, str(cli), "--config", str(CONFIG), ":" + name], cwd=folder,
                             capture_output=True, text=True, timeout=120, check=False)
    found = [line for line in (run.stdout + run.stderr).splitlines()
             if line.startswith(name + ":")]
    assert run.returncode in (0, 1) and (run.returncode == 0) == (not found), (
        f"markdownlint-cli2 exited {run.returncode}: {run.stdout}{run.stderr}")
    return found
