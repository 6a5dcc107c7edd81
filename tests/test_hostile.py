"""The hostile-input corpus, ``tests/data/hostile/``: every case gets its exact error and exit
code, and leaves the log (and its folder) byte-identical.

``cases.json`` lists the cases; each has an ``id``, a ``what``, a ``via`` and its expected
result:

- ``"via": "cli"``: ``args`` run through click's ``CliRunner``; ``"via": "process"``: through
  the installed ``timeline`` script (for bytes no in-process call can carry). Expected:
  ``exit`` and ``stderr``; stdout must be empty.
- ``"via": "library"``: ``call`` (``record``, ``revise``, ``retract``, ``append_batch``,
  ``verify``, ``entries``, ``open``) with ``input``, events given as dicts to
  ``Event.from_dict`` as an importer would. Expected: ``error`` (the exact class name),
  ``exit`` (its ``exit_code``), ``message`` (``str(error)``) and, for a batch, the
  ``batch_index`` of the refused item.

``log`` names the starting log in ``logs/`` (``null``: no file; ``"folder"``: a folder),
placed as ``log.jsonl`` (a ``.sqlite`` log as ``log.sqlite``). In arguments and expected text,
``{log}`` stands for its path and ``{dir}`` for the case's folder.
A value ``{"$repeat": S, "times": N}`` stands for S repeated N times, ``{"$hex": H}`` for raw
bytes.

Optional keys: ``files`` (name to content, placed in the case's folder beside the log before
the snapshot: a string is written as UTF-8, ``{"$hex": H}`` as bytes, ``{"$symlink": T}`` makes
a symbolic link to T, ``{"$hardlink": T}`` a hard link to T, ``{"$fifo": true}`` a FIFO; a
name with ``/`` is placed in a subfolder, made as needed), ``cwd``
(``true``: run with the case's folder as the working directory, for relative paths), ``env``
(variables set for the call), ``lock`` (``"shared"`` or ``"exclusive"``: another open of the
log holds that ``flock`` during the call), ``fsize_limit`` (bytes: ``RLIMIT_FSIZE`` of a
``process`` call, SIGXFSZ ignored, as after ``ulimit -f``) and, for a call that succeeds,
``stdout`` in ``expect``. The folder is snapshotted after the files are placed, so every
case also proves that nothing in the folder was written, the log included.

The cases live in ``cases.json`` and in any ``cases-*.json`` beside it (one file a topic), each
of the same form. Every file is ASCII: control characters, NULs and lone surrogates are JSON
escapes, never invisible bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from timeline import Append, Event, Log, TimelineError
from timeline.cli import main

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
CASES: list[dict[str, Any]] = [
    case for file in [HOSTILE / "cases.json", *sorted(HOSTILE.glob("cases-*.json"))]
    for case in json.loads(file.read_text("ascii"))["cases"]]
TIMELINE = Path(sys.executable).parent / "timeline"


def expand(value: Any, log: Path) -> Any:
    """Apply the corpus's macros and put the log's path in place of ``{log}`` (and its
    folder in place of ``{dir}``)."""
    if isinstance(value, dict) and "$repeat" in value:
        return value["$repeat"] * value["times"]
    if isinstance(value, dict) and "$hex" in value:
        return bytes.fromhex(value["$hex"])
    if isinstance(value, dict):
        return {k: expand(v, log) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, log) for v in value]
    if isinstance(value, str):
        return value.replace("{log}", str(log)).replace("{dir}", str(log.parent))
    return value


def place_log(case: dict[str, Any], folder: Path) -> Path:
    sqlite = str(case["log"]).endswith(".sqlite")
    path = folder / ("log.sqlite" if sqlite else "log.jsonl")
    if case["log"] == "folder":
        path.mkdir()
    elif case["log"] is not None:
        shutil.copyfile(HOSTILE / "logs" / case["log"], path)
    for name, content in case.get("files", {}).items():
        place_file(folder / name, content)
    return path


def place_file(path: Path, content: Any) -> None:
    """One of a case's ``files`` (see the module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, "utf-8")
    elif "$hex" in content:
        path.write_bytes(bytes.fromhex(content["$hex"]))
    elif "$symlink" in content:
        path.symlink_to(content["$symlink"])
    elif "$hardlink" in content:
        path.hardlink_to(path.parent / content["$hardlink"])
    elif content.get("$fifo"):
        os.mkfifo(path)
    else:
        raise AssertionError(f"unknown file content {content!r} in the hostile corpus")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by name with its SHA-256 (folders as ``"folder"``, links
    as their target, FIFOs as ``"fifo"``), and each file's inode, so a file replaced by
    another of the same bytes is caught too."""
    def state(p: Path) -> str:
        if p.is_symlink():
            return f"link to {os.readlink(p)}"
        if p.is_fifo():
            return "fifo"
        if p.is_dir():
            return "folder"
        return f"{hashlib.sha256(p.read_bytes()).hexdigest()} inode {p.stat().st_ino}"
    return {str(p.relative_to(folder)): state(p) for p in sorted(folder.rglob("*"))}


def _event(data: Any) -> Event:
    return Event.from_dict(data)


def _item(data: dict[str, Any]) -> Append:
    if data["type"] == "recorded":
        return Append.record(_event(data["event"]))
    if data["type"] == "revised":
        return Append.revise(_event(data["event"]), reason=data["reason"])
    return Append.retract(data["event_id"], reason=data["reason"])


def call(name: str, given: dict[str, Any], path: Path) -> Any:
    """Run one library call of the corpus."""
    if name == "open":
        return Log(path)
    log = Log(path)
    if name == "record":
        return log.record(_event(given["event"]),
                          idempotency_key=given.get("idempotency_key"))
    if name == "revise":
        return log.revise(_event(given["event"]), reason=given["reason"])
    if name == "retract":
        return log.retract(given["event_id"], reason=given["reason"])
    if name == "append_batch":
        return log.append_batch([_item(i) for i in given["items"]])
    if name == "verify":
        return log.verify(**given)
    if name == "entries":
        return list(log.entries())
    raise AssertionError(f"unknown call {name!r} in cases.json")


def outcome(case: dict[str, Any], path: Path) -> dict[str, Any]:
    """What the case did, in the shape of its expected result."""
    env = {k: expand(v, path) for k, v in case.get("env", {}).items()}
    if case["via"] == "library":
        try:
            call(case["call"], expand(case["input"], path), path)
        except TimelineError as exc:
            got = {"error": type(exc).__name__, "exit": exc.exit_code, "message": str(exc)}
            if exc.batch_index is not None:
                got["batch_index"] = exc.batch_index
            return got
        return {"error": None}
    args = expand(case["args"], path)
    if case["via"] == "process":
        done = subprocess.run([str(TIMELINE), *args], capture_output=True, timeout=60,
                              env={**os.environ, "PYTHONUTF8": "1", **env},
                              cwd=path.parent if case.get("cwd") else None,
                              preexec_fn=_limit(case.get("fsize_limit")))
        return {"exit": done.returncode, "stdout": done.stdout.decode(),
                "stderr": done.stderr.decode()}
    result = CliRunner(env=env).invoke(main, args, prog_name="timeline")
    return {"exit": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}


def expected(case: dict[str, Any], path: Path) -> dict[str, Any]:
    want = expand(case["expect"], path)
    return want if case["via"] == "library" else {"stdout": "", **want}


def _limit(fsize: int | None) -> Any:
    """For ``fsize_limit``: what the child runs first (``ulimit -f``), or ``None``."""
    if fsize is None:
        return None

    def apply() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return apply


def _hold(path: Path, how: str | None) -> Any:
    """For ``lock``: another open of the log holding a ``flock`` (closed by the caller)."""
    if how is None:
        return None
    import fcntl

    held = open(path, "rb")  # noqa: SIM115
    fcntl.flock(held.fileno(), fcntl.LOCK_SH if how == "shared" else fcntl.LOCK_EX)
    return held


def test_the_corpus_covers_what_issue_3_lists() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 50
    assert {c["via"] for c in CASES} == {"cli", "library", "process"}
    for needed in ("date-feb-30", "date-month-13", "date-year-0000", "date-empty",
                   "date-level2-", "title-1mb", "title-nul", "summary-nul", "invalid-utf8",
                   "bad-utf8", "not-json", "unknown-type", "format-2", "missing-field",
                   "revise-unknown", "retract-retracted", "actor-", "url-javascript",
                   "url-data"):
        assert any(needed in i for i in ids), needed
    assert sorted(p.name for p in (HOSTILE / "logs").iterdir()) == sorted(
        {c["log"] for c in CASES if c["log"] not in (None, "folder")} | {"base.jsonl"})


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_input(case: dict[str, Any], tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = place_log(case, tmp_path)
    if case.get("cwd"):
        monkeypatch.chdir(tmp_path)
    for name, value in case.get("env", {}).items():
        monkeypatch.setenv(name, expand(value, path))
    before = snapshot(tmp_path)
    held = _hold(path, case.get("lock"))
    try:
        assert outcome(case, path) == expected(case, path)
    finally:
        if held is not None:
            held.close()
    assert snapshot(tmp_path) == before  # the log byte-identical, nothing written beside it
