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

The second kind of trial (:func:`copy_trials`, :func:`import_trials`, used by
``tests/test_crash_commands.py``) SIGKILLs one CLI command, ``timeline copy`` or ``timeline
import``, at a random moment, checks what it left, and runs it again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
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


# --- one command killed and run again: `timeline copy` and `timeline import` ----------------
#
# A trial of this kind runs one CLI command in a forked child (``timeline.cli.main``, exactly
# what the installed script runs), SIGKILLs it at a random moment, checks what the kill left
# behind, and runs the command again. The child reports its progress on a pipe (a wrapper
# around the library call the command makes, installed in the child only), so that half the
# kills can wait for a random point in the middle of the work and the other half land at a
# random time; each kill is classified by what the child had reported when it died.

@dataclass
class CommandTrials:
    """Figures of the copy or import trials; ``problems`` lists every broken promise."""

    kills: int = 0
    mid_way: int = 0  # kills after the first write and before the last was acknowledged
    outcomes: Counter = field(default_factory=Counter)  # what a kill left: absent, empty...
    retries: int = 0  # runs after a kill that finished the work
    acknowledged: int = 0  # import: entries acknowledged before a kill
    torn_repaired: int = 0
    in_batch: int = 0  # import: kills between a batch's start and its acknowledgement
    cut_batches: int = 0  # import, file store: a batch cut mid-write (left a torn tail)
    problems: list[str] = field(default_factory=list)

    def add(self, other: CommandTrials, name: str) -> None:
        for attr in ("kills", "mid_way", "retries", "acknowledged", "torn_repaired",
                     "in_batch", "cut_batches"):
            setattr(self, attr, getattr(self, attr) + getattr(other, attr))
        self.outcomes.update(other.outcomes)
        self.problems += [f"{name}: {p}" for p in other.problems]


def _run_cli(args: list[str], workdir: Path, report: Callable[[int], None] | None,
             kill_at: Callable[[Callable[[], list[str]]], None] | None) -> tuple[int | None,
                                                                                  list[str]]:
    """Run ``timeline ARGS`` in a forked child; ``report(fd)`` installs the child's progress
    reports. ``kill_at(read)`` (None: let it finish) waits, reading reports with ``read()``,
    and returns when the child is to be killed. Returns the exit code (``None``: killed)
    and every report line."""
    read_end, write_end = os.pipe()
    out = workdir / "child.out"
    pid = os.fork()
    if pid == 0:  # the child: never return into the parent's code (pytest)
        code = 70
        try:
            os.close(read_end)
            sink = open(out, "w")  # noqa: SIM115 - the child's stdout and stderr to its end
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            sys.stdout = sys.stderr = sink
            if report is not None:
                report(write_end)
            from timeline.cli import main

            main(args=args, prog_name="timeline")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - report anything, then exit
            (workdir / "child.error").write_text(traceback.format_exc())
        finally:
            os._exit(code)
    os.close(write_end)
    lines: list[str] = []
    pending, ended = b"", False

    def read(timeout: float = 0.0) -> list[str]:
        """The report lines so far, waiting up to ``timeout`` for more; raises EOFError once
        the child has ended."""
        nonlocal pending, ended
        import select

        while not ended and select.select([read_end], [], [], timeout)[0]:
            chunk = os.read(read_end, 65536)
            ended = not chunk
            pending += chunk
            *done, pending = pending.split(b"\n")
            lines.extend(d.decode() for d in done)
            timeout = 0.0
        if ended:
            raise EOFError
        return lines

    try:
        if kill_at is not None:
            try:
                kill_at(read)
            except EOFError:
                pass  # it ended before its kill moment: the caller sees its exit code
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        with contextlib.suppress(EOFError):
            read()
    finally:
        os.close(read_end)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        return None, lines
    return os.WEXITSTATUS(status), lines


def _killer(rng: random.Random, n: int, duration: float, steps: int,
            step_lines: Callable[[list[str]], int], *,
            after_start: bool = False) -> Callable[[Callable[..., list[str]]], None]:
    """Kill ``n`` of a trial: an odd one after a random time in ``[0, duration)`` (from the
    first report, with ``after_start``); an even one once a random step in ``1..steps-1``
    is reported (``step_lines`` counts them in the reports) and up to 3 ms more."""
    if n % 2 or steps < 2:
        moment = rng.uniform(0, duration)

        def sleep(read: Callable[..., list[str]]) -> None:
            deadline = time.monotonic() + 30
            while after_start and not read(0.05) and time.monotonic() < deadline:
                pass
            time.sleep(moment)
        return sleep
    step, extra = rng.randrange(1, steps), rng.uniform(0, 0.003)

    def wait(read: Callable[..., list[str]]) -> None:
        deadline = time.monotonic() + 30
        while step_lines(read(0.05)) < step and time.monotonic() < deadline:
            pass
        time.sleep(extra)
    return wait


def _was_killed(code: int | None, result: CommandTrials, what: str) -> bool:
    """Count a kill; a run that ended before its kill moment is none (and, if it failed,
    a problem)."""
    if code is None:
        result.kills += 1
        return True
    if code != 0:
        result.problems.append(f"{what} failed on its own with exit code {code}")
    return False


# copy ---------------------------------------------------------------------------------------

def _copy_reports(chunk: int) -> Callable[[int], None]:
    """In the child: copy ``chunk`` entries a write, and report ``w POSITION`` after each
    write and ``done`` once the destination is in place."""
    def install(fd: int) -> None:
        import timeline.log

        real = timeline.log.fill_store
        timeline.log._COPY_CHUNK = chunk

        @contextlib.contextmanager
        def fill(location):  # noqa: ANN001, ANN202
            with real(location) as filler:
                write = filler.write

                def reported(entries: list[Entry]) -> None:
                    write(entries)
                    if entries:
                        os.write(fd, f"w {entries[-1].position}\n".encode())
                filler.write = reported  # type: ignore[method-assign]
                yield filler
            os.write(fd, b"done\n")
        timeline.log.fill_store = fill
    return install


def copy_trials(source: str, destination: Callable[[bool], str], workdir: Path, seed: int, *,
                kills: int, chunk: int = 250) -> CommandTrials:
    """``kills`` times: ``timeline copy SOURCE DST`` killed at a random moment, where DST is
    ``destination(empty)``: a place with no log (``empty=False``) or an empty log made by
    ``timeline init`` (``True``); the two alternate. After each kill DST must be as it was
    (absent, or empty) or complete (every entry, verifying with SOURCE's head hash), no
    other file may have appeared but the copy's hidden temporaries; then the copy is run
    again and must leave DST complete and no temporary behind."""
    from timeline.stores import store_path
    from timeline.stores.staged import temporaries

    rng = random.Random(seed)
    result = CommandTrials()
    want = Log(source).verify()
    entries, head = want.entries, want.head_hash
    steps = -(-entries // chunk)
    expected = f"copied {entries} entries to {{}}; ok: {want.events} events, head {head}\n"
    started = time.monotonic()
    _run_cli(["copy", source, destination(False)], workdir, None, None)  # how long it takes
    duration = time.monotonic() - started
    for n in range(kills * 3):  # a run that ends before its kill moment is run again
        if result.kills == kills:
            break
        empty = n % 4 in (2, 3)
        dst = destination(empty)
        path = store_path(dst)
        before = set(os.listdir(path.parent)) if path is not None else set()
        code, lines = _run_cli(["copy", source, dst], workdir, _copy_reports(chunk),
                               _killer(rng, n, duration, steps,
                                       lambda seen: sum(s.startswith("w ") for s in seen)))
        if not _was_killed(code, result, f"copy {n}"):
            continue
        written = [s for s in lines if s.startswith("w ")]
        result.mid_way += bool(written) and "done" not in lines
        state = _copy_state(dst, entries, head)
        result.outcomes[state] += 1
        if state not in ("complete", "empty" if empty else "absent"):
            result.problems.append(f"kill {n} ({len(written)} writes reported) left {state}")
        if "done" in lines and state != "complete":
            result.problems.append(f"kill {n}: in place, yet {state}")
        if path is not None:
            extra = set(os.listdir(path.parent)) - before - {path.name} - {
                t.name for t in temporaries(path)} - {
                f"{t.name}{s}" for t in temporaries(path) for s in ("-wal", "-shm", "-journal")}
            if extra:
                result.problems.append(f"kill {n} left {sorted(extra)} beside the log")
        again = _cli_output(["copy", source, dst])
        shown = dst if path is not None else Log(dst).location
        if state == "complete":
            if again[0] != 1 or "already holds" not in again[2]:
                result.problems.append(f"kill {n}: copying onto the complete copy gave {again}")
        elif again != (0, expected.format(shown), ""):
            result.problems.append(f"retry {n} gave {again}")
        else:
            result.retries += 1
        if _copy_state(dst, entries, head) != "complete":
            result.problems.append(f"retry {n} did not leave a complete copy")
        if path is not None and temporaries(path):
            result.problems.append(f"retry {n} left {[t.name for t in temporaries(path)]}")
    return result


def _copy_state(location: str, entries: int, head: str) -> str:
    """``absent``, ``empty``, ``complete`` or what is wrong with the log at ``location``."""
    from timeline import LogNotFoundError

    try:
        log = Log(location)
    except LogNotFoundError:
        return "absent"
    try:
        report = log.verify()
    except TimelineError as exc:
        return f"a log that does not verify ({exc})"
    finally:
        log.store.close()
    if report.entries == 0:
        return "empty"
    if (report.entries, report.head_hash) == (entries, head):
        return "complete"
    return f"a partial log of {report.entries} entries"


def _cli_output(args: list[str]) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from timeline.cli import main

    done = CliRunner().invoke(main, args, prog_name="timeline")
    return done.exit_code, done.stdout, done.stderr


# import ------------------------------------------------------------------------------------

def import_rows(path: Path, rows: int) -> None:
    """A CSV of ``rows`` events with ids (so that a key names one row: ``csv:<id>``)."""
    lines = ["id,date,title"] + [f"r{i:05d},{2000 + i % 20}-{1 + i % 12:02d},Row {i}"
                                 for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _import_reports(fd: int) -> None:
    """In the child: report each batch's keys before ``Log.append_batch`` (``t KEYS``) and
    its entries after it returned (``a POSITION KEY HASH`` each, then ``a.``)."""
    real = Log.append_batch

    def reported(self, items, **kwargs):  # noqa: ANN001, ANN003, ANN202
        items = list(items)
        os.write(fd, ("t " + " ".join(i.idempotency_key or "-" for i in items) + "\n").encode())
        done = real(self, items, **kwargs)
        os.write(fd, "".join(f"a {e.position} {e.idempotency_key} {e.hash}\n"
                             for e in done).encode() + b"a.\n")
        return done
    Log.append_batch = reported  # type: ignore[method-assign]


def import_trials(location: str, probe: str, csv_path: Path, rows: int, workdir: Path,
                  seed: int, *, kills: int, batch_size: int) -> CommandTrials:
    """``kills`` times: ``timeline import LOG CSV --batch-size N`` killed at a random moment,
    then checked: the log verifies (after the documented repair of a torn tail), every
    acknowledged entry is there with its hash at its position, no key twice, and the batch
    the kill cut is in whole or not at all (on the file store, a kill inside its one write
    may leave its first lines and a torn tail: docs/log-format.md, "Batches"). Then the
    import is run to its end: one entry per row, nothing twice. ``probe``: another empty
    log in the same store, to time a whole import on."""
    rng = random.Random(seed)
    result = CommandTrials()
    args = ["import", location, str(csv_path), "--batch-size", str(batch_size)]
    acked: dict[str, tuple[int, str]] = {}
    moments: list[float] = []

    def time_it(read: Callable[..., list[str]]) -> None:
        while True:  # until EOFError: the whole import
            if read(0.05) and not moments:
                moments.append(time.monotonic())
    _run_cli(["import", probe, str(csv_path), "--batch-size", str(batch_size)], workdir,
             _import_reports, time_it)
    duration = time.monotonic() - moments[0]  # from the first batch to the end
    for n in range(kills):
        # Each kill within the next 1/(kills left) of what is left to do, so that every
        # kill lands before the import ends.
        left = (rows - len(acked)) / rows / (kills - n)
        code, lines = _run_cli(args, workdir, _import_reports, _killer(
            rng, n, duration * left, int(left * rows) // batch_size + 1,
            lambda seen: seen.count("a."), after_start=True))
        if not _was_killed(code, result, f"import {n}"):
            break
        tries = [s for s in lines if s.startswith("t ")]
        ends = lines.count("a.")
        result.mid_way += 0 < ends < rows // batch_size
        for s in lines:
            if s.startswith("a ") and s != "a.":
                _, position, key, hash_ = s.split(" ")
                acked[key] = (int(position), hash_)
        result.acknowledged = len(acked)
        torn = _repair_if_torn(location)
        result.torn_repaired += torn
        keys = _import_check(location, acked, result, f"kill {n}")
        if len(tries) > ends:  # the batch the kill cut
            result.in_batch += 1
            cut = tries[-1].split(" ")[1:]
            present = sum(k in keys for k in cut)
            if 0 < present < len(cut):
                if torn and store_kind_of(location) == "jsonl":
                    result.cut_batches += 1
                else:
                    result.problems.append(f"kill {n} left {present} of {len(cut)} entries "
                                           "of a batch")
    final = _cli_output(args)
    if final[0] != 0:
        result.problems.append(f"the last run gave {final}")
    else:
        result.retries += 1
    keys = _import_check(location, acked, result, "at the end")
    if keys != {f"csv:r{i:05d}" for i in range(rows)}:
        result.problems.append(f"the log holds {len(keys)} rows, not {rows}")
    again = _cli_output(args)
    if again[0] != 0 or f"events recorded: 0\nduplicates skipped: {rows}\n" not in again[1]:
        result.problems.append(f"importing again gave {again}")
    return result


def store_kind_of(location: str) -> str:
    from timeline.stores import store_kind

    return store_kind(location)


def _repair_if_torn(location: str) -> bool:
    log = Log(location)
    try:
        log.verify()
    except TornTailError:
        log.repair()
        return True
    finally:
        log.store.close()
    return False


def _import_check(location: str, acked: dict[str, tuple[int, str]], result: CommandTrials,
                  when: str) -> set[str]:
    """Check the log after a kill (or at the end); return the keys in it."""
    log = Log(location)
    try:
        log.verify()
        found = {e.idempotency_key: (e.position, e.hash) for e in log.entries()}
        count = log.head[0]
    except TimelineError as exc:
        result.problems.append(f"{when}: the log does not verify: {exc}")
        return set()
    finally:
        log.store.close()
    if len(found) != count:
        result.problems.append(f"{when}: {count - len(found)} keys twice")
    lost = [k for k, v in acked.items() if found.get(k) != v]
    if lost:
        result.problems.append(f"{when}: {len(lost)} acknowledged entries missing or changed")
    return set(found)
