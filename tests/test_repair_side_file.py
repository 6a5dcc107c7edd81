"""``verify --repair``'s side file ``LOG.torn-OFFSET`` when something already has that name:
only a regular file holding exactly the torn bytes is reused; anything else (a dangling
link, a link elsewhere, a folder, a FIFO, other bytes) is left alone and the next name is
taken. It was a traceback (a dangling link, a folder) or a hang (a FIFO)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from timeline.cli import main

BASE = Path(__file__).parent / "data" / "hostile" / "logs" / "base.jsonl"
TORN = b'{"format":1,"pos'


@pytest.mark.parametrize("kind", ["dangling link", "link", "folder", "fifo", "other bytes",
                                  "same bytes"])
def test_an_existing_side_file_name_is_never_opened_unless_it_is_ours(
        tmp_path: Path, kind: str) -> None:
    log = tmp_path / "a.jsonl"
    shutil.copyfile(BASE, log)
    offset = log.stat().st_size
    with open(log, "ab") as f:
        f.write(TORN)
    side = tmp_path / f"a.jsonl.torn-{offset}"
    (tmp_path / "victim").write_bytes(b"kept\n")
    if kind == "dangling link":
        side.symlink_to("nowhere")
    elif kind == "link":
        side.symlink_to("victim")
    elif kind == "folder":
        side.mkdir()
    elif kind == "fifo":
        os.mkfifo(side)
    else:
        side.write_bytes(TORN if kind == "same bytes" else b"older")
    result = CliRunner().invoke(main, ["verify", str(log), "--repair"])
    name = side.name if kind == "same bytes" else f"{side.name}-2"
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        0, f"repair: moved the incomplete final line ({len(TORN)} bytes at byte offset "
        f"{offset}) to {tmp_path / name}; the 4 complete entries before it are unchanged.")
    assert (tmp_path / name).read_bytes() == TORN and log.read_bytes() == BASE.read_bytes()
    assert (tmp_path / "victim").read_bytes() == b"kept\n"
