"""Fault injection with real processes: writers appending to one log are SIGKILLed at random.

Used by ``tests/test_durability.py`` (a short run in CI) and ``bench/crash_run.py`` (the long
run). POSIX only (``os.fork`` and ``SIGKILL``).

A trial: create a log, fork ``writers`` processes that append through the public API
(``Log.record`` / ``revise`` / ``retract`` / ``append_batch``, every append with an idempotency
key), then, until the trial's time is up, SIGKILL a random writer at a random moment and start
it again. Each writer appends a line ``seq, position, key, hash`` to its own acknowledgement
file only after the append returned, so the file holds exactly what was acknowledged (a line
cut short by the kill is ignored). A restarted writer resumes at the first operation it has no
acknowledgement for and retries it with the same keys: if the entries are in the log already
(the kill landed after the fsync, before the acknowledgement was written), the log returns the
originals. Half the writers write each append in three pieces with pauses between them, so a
kill can land in the middle of a line and leave a torn tail; a writer that meets one runs the
documented fix (``Log.repair``) and carries on. At the end every writer is killed, the log is
opened, torn-tail handling is applied, and :func:`check_log` checks the contract.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from timeline import Actor, Append, Entry, Event, Log, TimelineError, TornTailError

GENESIS = "0" * 64


# --- what each writer appends: a fixed schedule, so a retry sends the same content -------------

def operation(writer: int, seq: int) -> list[Append]:
    """The appends of operation ``seq`` of ``writer`` (one, or a batch of three)."""
    def event(n: str, title: str, year: int) -> Event:
        return Event(id=f"w{writer}-{n}", date=f"{year}-{1 + seq % 12:02d}", title=title,
                     actors=[Actor("PAKGOV"), Actor("RUSGOV")], cameo="042")

    key = f"w{writer}:{seq}"
    kind = seq % 6
    if kind in (0, 1, 2):
        return [Append.record(event(str(seq), f"Writer {writer} event {seq}", 2000 + seq % 20),
                              idempotency_key=key)]
    if kind == 3:
        return [Append.record(event(f"{seq}-{i}", f"Writer {writer} batch {seq} item {i}",
                                    2001 + i), idempotency_key=f"{key}:{i}") for i in range(3)]
    if kind == 4:  # revise the event recorded at seq - 4 (a kind-0 record)
        return [Append.revise(event(str(seq - 4), f"Writer {writer} event {seq - 4}, revised",
                                    1999), reason=f"revision {seq}", idempotency_key=key)]
    # kind 5: retract the event recorded at seq - 4 (a kind-1 record)
    return [Append.retract(f"w{writer}-{seq - 4}", reason=f"retraction {seq}",
                           idempotency_key=key)]


# --- the writer process --------------------------------------------------------------------

def _acknowledged(acks: Path) -> list[tuple[int, int, str, str, bool]]:
    """``(seq, position, key, hash, was_retry)`` per complete line of an acknowledgement file."""
    if not acks.exists():
        return []
    rows = []
    for line in acks.read_bytes().split(b"\n")[:-1]:  # the last piece has no newline: cut
        seq, position, key, hash_, retry = line.decode().split("\t")
        rows.append((int(seq), int(position), key, hash_, retry == "retry"))
    return rows


def _chunked_writes(rng: random.Random) -> None:
    """Make this process write each append in three pieces with pauses (fault injection)."""
    import timeline.log

    real = timeline.log._write_all

    def write_in_pieces(fd: int, data: bytes, offset: int) -> None:
        cuts = sorted(rng.sample(range(1, len(data)), 2)) if len(data) > 2 else []
        start = 0
        for end in [*cuts, len(data)]:
            real(fd, data[start:end], offset + start)
            time.sleep(0.0005)
            start = end

    timeline.log._write_all = write_in_pieces


def writer_main(log_path: Path, writer: int, acks: Path, seed: int, chunked: bool) -> None:
    """Append operations ``next..`` forever (until killed); acknowledge each after it returns."""
    rng = random.Random(seed)
    if chunked:
        _chunked_writes(rng)
    log = Log(log_path)
    done = _acknowledged(acks)
    seq = done[-1][0] + 1 if done else 0
    first = True  # only the first operation after a start can be a retry
    with open(acks, "ab") as out:
        kept = acks.read_bytes().rfind(b"\n") + 1
        out.truncate(kept)  # drop a line a kill cut short
        while True:
            items = operation(writer, seq)
            try:
                before = log.head[0] if first else None
                entries = log.append_batch(items) if len(items) > 1 else [
                    _single(log, items[0])]
            except TornTailError:
                log.repair()  # the documented fix for a crash mid-append; then retry
                continue
            retry = before is not None and entries[0].position <= before
            out.write(b"".join(f"{seq}\t{e.position}\t{e.idempotency_key}\t{e.hash}\t"
                               f"{'retry' if retry else 'new'}\n".encode() for e in entries))
            out.flush()
            seq, first = seq + 1, False
            time.sleep(rng.uniform(0, 0.002))


def _single(log: Log, item: Append) -> Entry:
    if item.type == "recorded":
        return log.record(item.event, idempotency_key=item.idempotency_key)
    if item.type == "revised":
        return log.revise(item.event, reason=item.reason, idempotency_key=item.idempotency_key)
    return log.retract(item.event_id, reason=item.reason, idempotency_key=item.idempotency_key)


def _spawn(log_path: str | Path, writer: int, acks: Path, seed: int, chunked: bool,
           errors: Path) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: never return into the parent's code (pytest)
        writer_main(log_path, writer, acks, seed, chunked)
    except BaseException:  # noqa: BLE001 - report anything, then exit
        errors.write_text(traceback.format_exc())
        code = 70
    finally:
        os._exit(code)


# --- the checks ----------------------------------------------------------------------------

@dataclass
class TrialResult:
    """One trial's figures; ``problems`` lists every broken promise (empty when all held)."""

    kills: int = 0
    entries: int = 0
    acknowledged: int = 0
    lost: int = 0
    duplicates: int = 0
    unacknowledged_present: int = 0
    retries_answered: int = 0
    torn_repaired: int = 0
    problems: list[str] = field(default_factory=list)


def _line_hash(line: bytes) -> str:
    """The documented hash, computed here without the library: SHA-256 of the entry without
    ``hash`` as JSON with sorted keys, no whitespace, UTF-8."""
    body = json.loads(line)
    del body["hash"]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def check_log(log_path: Path, ack_files: list[Path], result: TrialResult) -> None:
    """Open the log after the kills and check the contract, filling ``result``."""
    log = Log(log_path)
    try:
        try:
            log.verify()
        except TornTailError:
            log.repair()  # the documented torn-tail handling
        log.verify()
    except TimelineError as exc:
        result.problems.append(f"verify failed: {exc}")
    result.torn_repaired = len(list(log_path.parent.glob(f"{log_path.name}.torn-*")))
    # Count and check everything again from the bytes, without the library.
    data = log_path.read_bytes()
    lines = data[:data.rfind(b"\n") + 1].split(b"\n")[:-1]
    records = [json.loads(line) for line in lines]
    result.entries = len(records)
    if [r["position"] for r in records] != list(range(1, len(records) + 1)):
        result.problems.append("positions are not 1..N")
    prev = GENESIS
    for line, record in zip(lines, records):
        if record["prev"] != prev or record["hash"] != _line_hash(line):
            result.problems.append(f"the chain breaks at position {record['position']}")
            break
        prev = record["hash"]
    keys = Counter(r.get("idempotency_key") for r in records)
    result.duplicates = sum(n - 1 for k, n in keys.items() if k is not None)
    if keys.get(None):
        result.problems.append(f"{keys[None]} entries have no idempotency key")
    acked_keys = set()
    for acks in ack_files:
        for _seq, position, key, hash_, retry in _acknowledged(acks):
            result.acknowledged += 1
            result.retries_answered += retry
            acked_keys.add(key)
            there = records[position - 1] if 0 < position <= len(records) else None
            if there is None or there["hash"] != hash_ or there.get("idempotency_key") != key:
                result.lost += 1
                result.problems.append(f"acknowledged entry {key} at position {position} is "
                                       "missing or changed")
    result.unacknowledged_present = sum(1 for k in keys if k not in acked_keys)
    if result.duplicates:
        result.problems.append(f"{result.duplicates} duplicated entries")


def check_read_model(location: str, result: TrialResult) -> None:
    """A database log's read model after the kills (docs/read-model.md): built in the same
    transactions as the entries, it reflects the log's head, every row equals a fresh fold
    (``verify_read_model``) and it answers the chronology itself, as the fold does."""
    from timeline import fold
    from timeline.chronology import EventFilter

    log = Log(location)
    try:
        report = log.verify_read_model()
    except TimelineError as exc:
        result.problems.append(f"the read model disagrees with the log: {exc}")
        return
    if report is None or (report.built, report.position) != (True, log.head[0]):
        result.problems.append(f"the read model does not reflect the log's head: {report}")
        return
    answer = log.store.read_model.chronology(None, EventFilter(), "T")
    if answer is None or answer != fold(log.entries(), title="T"):
        result.problems.append("the read model's chronology differs from the fold")


# --- a trial and a run ---------------------------------------------------------------------

def run_trial(workdir: Path, seed: int, *, duration: float, writers: int = 4) -> TrialResult:
    """One trial in an empty ``workdir``: writers, random kills for ``duration`` seconds, checks."""
    log_path = workdir / "log.jsonl"
    Log.create(log_path)
    acks, result = run_writers(str(log_path), workdir, seed, duration=duration, writers=writers,
                               torn=True)
    check_log(log_path, acks, result)
    return result


def run_writers(location: str, workdir: Path, seed: int, *, duration: float, writers: int,
                torn: bool) -> tuple[list[Path], TrialResult]:
    """Run ``writers`` processes on the log at ``location`` (a path or a store URL),
    SIGKILL and restart them at random for ``duration`` seconds, then kill them all.

    Returns each writer's acknowledgement file and the result so far (kills and
    problems; the caller checks the log). ``torn``: even writers write each line
    in pieces, so that kills can land mid-line (file logs only).
    """
    rng = random.Random(seed)
    acks = [workdir / f"writer-{w}.acks" for w in range(writers)]
    errors = [workdir / f"writer-{w}.error" for w in range(writers)]
    result = TrialResult()

    def start(w: int) -> int:
        return _spawn(location, w, acks[w], rng.randrange(1 << 30), torn and w % 2 == 0,
                      errors[w])

    def kill(pid: int, w: int) -> None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        result.kills += 1
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            detail = errors[w].read_text() if errors[w].exists() else f"status {status}"
            result.problems.append(f"writer {w} died on its own before the kill: {detail}")

    pids = [start(w) for w in range(writers)]
    try:
        end = time.monotonic() + duration
        while time.monotonic() < end:
            time.sleep(rng.uniform(0.002, 0.06))
            w = rng.randrange(writers)
            kill(pids[w], w)
            pids[w] = start(w)
    finally:
        for w, pid in enumerate(pids):
            kill(pid, w)
    return acks, result


@dataclass
class RunSummary(TrialResult):
    """Totals over trials."""

    trials: int = 0

    def add(self, trial: int, result: TrialResult) -> None:
        self.trials += 1
        for name in ("kills", "entries", "acknowledged", "lost", "duplicates",
                     "unacknowledged_present", "retries_answered", "torn_repaired"):
            setattr(self, name, getattr(self, name) + getattr(result, name))
        self.problems += [f"trial {trial}: {p}" for p in result.problems]

    def lines(self) -> list[str]:
        return [f"trials: {self.trials}", f"kills (SIGKILL): {self.kills}",
                f"entries in the logs: {self.entries}",
                f"entries acknowledged: {self.acknowledged}",
                f"entries lost: {self.lost}", f"duplicates: {self.duplicates}",
                f"unacknowledged entries present (killed after fsync, before the ack): "
                f"{self.unacknowledged_present}",
                f"retries answered with the original entry: {self.retries_answered}",
                f"torn tails repaired: {self.torn_repaired}",
                f"problems: {len(self.problems)}"]


def run(workdir: Path, *, trials: int, seed: int, duration: float, writers: int = 4,
        progress=None) -> RunSummary:  # noqa: ANN001
    """``trials`` trials, each in its own folder under ``workdir``."""
    summary = RunSummary()
    rng = random.Random(seed)
    for trial in range(trials):
        folder = workdir / f"trial-{trial:04d}"
        folder.mkdir(parents=True)
        summary.add(trial, run_trial(folder, rng.randrange(1 << 30), duration=duration,
                                     writers=writers))
        if progress:
            progress(trial, summary)
    return summary
