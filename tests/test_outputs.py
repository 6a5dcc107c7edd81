"""Output paths (issue 12 items 1-3 and the full disk of item 11): what ``export -o`` and
``import --rejects`` write, and what they never write.

The hostile corpus (``tests/data/hostile/cases-outputs.json``) holds the refusals that
leave a folder byte-identical; here are the cases that need a reader, a device, a socket,
a limit on the file size or a look at what was written.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import timeline
from timeline import (Event, Exporter, Log, Output, OutputError, ValidationError, export,
                      export_bytes, hookimpl, import_file, make_plugin_manager)
from timeline.cli import main
from timeline.stores.checked import record_path
from timeline.testing import chronology_of

BUNDLED = Path(__file__).resolve().parent.parent / "events" / "pakistan-russia.jsonl"
TIMELINE = Path(sys.executable).parent / "timeline"
CSV = "date,title\n2014,good\n2013-02-30,bad\n"
FULL = ("could not be written: No space left on device. Make room (disk space, quota, file "
        "size limit) or give another path.")


def run(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


def run_process(*args: Any, **kwargs: Any) -> subprocess.CompletedProcess:
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run([str(TIMELINE), *map(str, args)], timeout=120, **streams)


@pytest.fixture
def pakistan(tmp_path: Path) -> Path:
    path = tmp_path / "pakistan-russia.jsonl"
    shutil.copyfile(BUNDLED, path)
    return path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def json_export(log: Path) -> bytes:
    return export_bytes(Log(log).chronology(), "json")


# --- FIFOs, character devices, descriptors: written in place ----------------------------------

def test_a_fifo_is_written_in_place_and_stays_a_fifo(pakistan: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("export", pakistan, "-f", "json", "-o", fifo)
    reader.join(timeout=30)

    assert (result.exit_code, result.stderr) == (0, f"wrote 9 events to {fifo}\n")
    assert received == [json_export(pakistan)]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert listing(tmp_path) == ["pakistan-russia.jsonl", "pipe"]  # no temporary file


def _null_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a character device needs root (CAP_MKNOD); without it no path "
                    "a test can write is a device that a rename could replace")


def test_a_character_device_is_written_in_place_and_stays_one(pakistan: Path,
                                                             tmp_path: Path) -> None:
    device = tmp_path / "null"
    _null_device(device)  # a /dev/null of our own: the same device, in a folder we own
    before = device.lstat()
    result = run("export", pakistan, "-f", "markdown", "-o", device)

    assert (result.exit_code, result.stderr) == (0, f"wrote 9 events to {device}\n")
    after = device.lstat()
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert listing(tmp_path) == ["null", "pakistan-russia.jsonl"]


@pytest.fixture
def dev_null() -> Any:
    """The system's /dev/null, put back if a broken export replaced it."""
    before = os.lstat("/dev/null")
    yield before
    if not stat.S_ISCHR(os.lstat("/dev/null").st_mode):  # pragma: no cover - only on a bug
        os.unlink("/dev/null")
        os.mknod("/dev/null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.chmod("/dev/null", 0o666)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can replace /dev/null, so only as "
                    "root does writing it in place (not replacing it) show")
def test_dev_null_as_root_stays_the_system_device(pakistan: Path, dev_null: Any) -> None:
    result = run("export", pakistan, "-f", "json", "-o", "/dev/null")
    assert (result.exit_code, result.stderr) == (0, "wrote 9 events to /dev/null\n")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        dev_null.st_ino, dev_null.st_rdev, dev_null.st_mode)


def test_dev_full_is_the_outputs_fault_with_exit_1(pakistan: Path) -> None:
    result = run("export", pakistan, "-f", "json", "-o", "/dev/full")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: output: '/dev/full' {FULL}\n"
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_a_full_standard_output_is_the_outputs_fault(pakistan: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = run_process("export", pakistan, "-f", "json", stdout=full)
    assert done.returncode == 1
    assert done.stderr.decode() == f"Error: output: '-' (standard output) {FULL}\n"


def test_dev_stdout_on_a_file_writes_through_the_descriptor(pakistan: Path,
                                                           tmp_path: Path) -> None:
    # A shell's `> out.json`: the bytes go where the descriptor points, after what is there
    # already; the file is not replaced (its inode stays), as with a redirection.
    out = tmp_path / "out.json"
    out.write_bytes(b"before\n")
    inode = out.stat().st_ino
    with open(out, "ab") as stdout:
        done = run_process("export", pakistan, "-f", "json", "-o", "/dev/stdout",
                           stdout=stdout)
    assert (done.returncode, done.stderr) == (0, b"wrote 9 events to /dev/stdout\n")
    assert out.read_bytes() == b"before\n" + json_export(pakistan)
    assert out.stat().st_ino == inode


def test_standard_output_or_dev_stdout_on_the_log_is_refused(pakistan: Path) -> None:
    # `timeline export LOG >> LOG` would append a document to the log; `list`, `show`,
    # `history` and `verify` would append their lines.
    before = pakistan.read_bytes()
    message = (f"Error: output: standard output is the log {str(pakistan)!r}; writing there "
               "would destroy it. Redirect the output to another file (> out.txt).\n")
    for args in (("export", pakistan, "-f", "json"),
                 ("export", pakistan, "-f", "json", "-o", "/dev/stdout"),
                 ("export", pakistan, "-f", "json", "-o", "/proc/self/fd/1"),
                 ("list", pakistan), ("verify", pakistan), ("history", pakistan, "x"),
                 ("copy", pakistan, pakistan.with_name("copy.jsonl"))):
        with open(pakistan, "ab") as stdout:
            done = run_process(*args, stdout=stdout)
        assert (done.returncode, done.stderr.decode()) == (1, message), args
        assert pakistan.read_bytes() == before
    assert not pakistan.with_name("copy.jsonl").exists()


def test_standard_error_on_the_log_exits_1_printing_nothing(pakistan: Path) -> None:
    # Any message would land in the log: none is written, not even the error.
    before = pakistan.read_bytes()
    for args in (("list", pakistan), ("record", pakistan, "--date", "2014", "--title", "T"),
                 ("export", pakistan, "-f", "json", "-o", pakistan.with_name("out.json"))):
        with open(pakistan, "ab") as stderr:
            done = subprocess.run([str(TIMELINE), *map(str, args)], stdout=subprocess.PIPE,
                                  stderr=stderr, timeout=60)
        assert (done.returncode, done.stdout) == (1, b""), args
        assert pakistan.read_bytes() == before
    assert not pakistan.with_name("out.json").exists()


def test_standard_output_on_a_sqlite_logs_wal_is_refused(pakistan: Path) -> None:
    database = pakistan.with_name("a.sqlite")
    assert run("copy", pakistan, database).exit_code == 0
    wal = Path(f"{database}-wal")
    wal.touch()
    before = database.read_bytes()
    with open(wal, "ab") as stdout:
        done = run_process("list", database, stdout=stdout)
    assert (done.returncode, done.stderr.decode()) == (1, (
        f"Error: output: standard output is SQLite's -wal file of the log {str(database)!r}; "
        "writing there would destroy it. Redirect the output to another file (> out.txt).\n"))
    assert database.read_bytes() == before


def test_a_socket_is_refused(pakistan: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = run("export", pakistan, "-f", "json", "-o", path)
    finally:
        server.close()
    assert result.exit_code == 1
    assert result.stderr == (f"Error: output: {str(path)!r} is a socket; only a regular file, "
                             "a FIFO or a character device is written. Give a file name, e.g. "
                             "chronology.json.\n")
    assert stat.S_ISSOCK(path.lstat().st_mode)


# --- a full disk, a file size limit: the output's fault, no file left -------------------------

def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead


def test_a_file_size_limit_fails_the_export_and_leaves_the_old_file(pakistan: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_bytes(b"the previous export\n")
    done = run_process("export", pakistan, "-f", "json", "-o", out, preexec_fn=_limit_file_size,
                       env={**os.environ, "TIMELINE_CACHE_DIR": ""})
    assert done.returncode == 1
    assert done.stderr.decode() == (
        f"Error: output: {str(out)!r} could not be written: File too large. Make room (disk "
        "space, quota, file size limit) or give another path. Nothing was written there (an "
        "earlier file is as it was).\n")
    assert out.read_bytes() == b"the previous export\n"
    assert listing(tmp_path) == ["out.json", "pakistan-russia.jsonl"]  # no temporary file
    assert len(json_export(pakistan)) > 4096  # so the limit was met


def test_a_full_rejects_file_says_what_was_appended(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    Log.create(log)
    (tmp_path / "in.csv").write_text(CSV)
    result = run("import", log, tmp_path / "in.csv", "--skip-invalid", "--rejects", "/dev/full")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: rejects: '/dev/full' {FULL} Batches appended before it stay in the log; the "
        "same import run again skips them and writes the side file.\n")
    # The rejects are written at the end: the batch before them is in, and acknowledged by
    # nothing but this message; a second run appends nothing and writes the side file.
    assert [e.event.title for e in Log(log).entries()] == ["good"]
    result = run("import", log, tmp_path / "in.csv", "--skip-invalid", "--rejects",
                 tmp_path / "r.tsv")
    assert result.exit_code == 0
    assert "events recorded: 0\nduplicates skipped: 1\n" in result.stdout
    assert (tmp_path / "r.tsv").read_text().splitlines()[0] == "line\treason\tdetail"


def _failing_plugins(fail: Any) -> Any:
    class Plugin:
        @hookimpl
        def timeline_exporters(self) -> list[Exporter]:
            return [Exporter(name="fails", description="fails", media_type="text/plain",
                             suffix=".txt", writer=fail)]
    plugins = make_plugin_manager(entry_points=False)
    plugins.register(Plugin(), "failer")
    return plugins


def test_a_writer_that_hides_a_write_error_does_not_take_the_blame(tmp_path: Path) -> None:
    def hides(chronology: Any, out: Any) -> None:
        try:
            out.write(b"x" * (1 << 20))
            out.flush()
        except OSError:
            raise ValueError("something went wrong") from None
    with pytest.raises(OutputError) as info:
        export(chronology_of(), "fails", "/dev/full", plugins=_failing_plugins(hides))
    assert str(info.value) == f"output: '/dev/full' {FULL}"
    assert (info.value.field, info.value.value, info.value.errno) == ("output", "/dev/full", 28)


def test_a_bug_in_a_writer_is_still_the_plugins(tmp_path: Path) -> None:
    def buggy(chronology: Any, out: Any) -> None:
        out.write(b"half a document")
        out.write("text, not bytes")
    out = tmp_path / "out.txt"
    with pytest.raises(timeline.PluginError) as info:
        export(chronology_of(), "fails", out, plugins=_failing_plugins(buggy))
    assert str(info.value) == (
        "plugin 'failer': format 'fails' failed while writing: TypeError: a bytes-like object "
        "is required, not 'str'. Report this to the plugin's author, with the log that caused "
        "it.")
    assert listing(tmp_path) == []  # no temporary file, no partial file


def test_an_os_error_of_the_writers_own_is_the_plugins(tmp_path: Path) -> None:
    def reads_a_missing_template(chronology: Any, out: Any) -> None:
        out.write((tmp_path / "template.txt").read_bytes())
    with pytest.raises(timeline.PluginError) as info:
        export(chronology_of(), "fails", tmp_path / "out.txt",
               plugins=_failing_plugins(reads_a_missing_template))
    assert str(info.value).startswith("plugin 'failer': format 'fails' failed while writing: "
                                      "FileNotFoundError: [Errno 2] No such file or directory")
    assert listing(tmp_path) == []


# --- regular files and symbolic links ---------------------------------------------------------

def test_a_symlinked_output_keeps_the_link_and_replaces_its_target(pakistan: Path,
                                                                  tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "latest.json"
    target.write_bytes(b"old\n")
    target.chmod(0o600)
    link = tmp_path / "latest.json"
    link.symlink_to("exports/latest.json")
    result = run("export", pakistan, "-f", "json", "-o", link)

    assert (result.exit_code, result.stderr) == (0, f"wrote 9 events to {link}\n")
    assert os.readlink(link) == "exports/latest.json"
    assert target.read_bytes() == json_export(pakistan)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # a replaced file keeps its mode
    assert listing(tmp_path / "exports") == ["latest.json"]  # the temporary file was beside it


def test_a_dangling_symlink_gets_its_target_created(pakistan: Path, tmp_path: Path) -> None:
    link = tmp_path / "latest.md"
    link.symlink_to("new.md")
    assert run("export", pakistan, "-f", "markdown", "-o", link).exit_code == 0
    assert link.is_symlink() and (tmp_path / "new.md").read_text("utf-8").startswith("# ")
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


def test_the_checked_prefix_record_of_the_log_is_refused(pakistan: Path) -> None:
    record = record_path(pakistan)
    assert record is not None  # conftest points TIMELINE_CACHE_DIR at a test folder
    result = run("export", pakistan, "-f", "json", "-o", record)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: output: {str(record)!r} is the checked-prefix record of the log "
        f"{str(pakistan)!r}; writing there would destroy it. Give another path, e.g. "
        "chronology.json.\n")


# --- the library: protect ---------------------------------------------------------------------

def test_export_protects_what_it_is_given(pakistan: Path, tmp_path: Path) -> None:
    log = Log(pakistan)
    before = pakistan.read_bytes()
    with pytest.raises(OutputError) as info:
        export(log.chronology(), "json", tmp_path / "sub" / ".." / pakistan.name, protect=[log])
    assert str(info.value) == (
        f"output: {str(tmp_path / 'sub' / '..' / pakistan.name)!r} is the log "
        f"{str(pakistan)!r}; writing there would destroy it. Give another path, e.g. "
        "chronology.json.")
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    with pytest.raises(OutputError) as info:
        export(log.chronology(), "json", notes, protect=[notes])
    assert str(info.value).startswith(f"output: {str(notes)!r} is the input file ")
    assert (pakistan.read_bytes(), notes.read_text()) == (before, "mine")
    # Without protect there is nothing to protect: the library writes where it is told.
    export(log.chronology(), "json", notes)
    assert notes.read_bytes() == json_export(pakistan)


def test_an_output_checked_in_advance_takes_no_second_protect(pakistan: Path,
                                                              tmp_path: Path) -> None:
    log = Log(pakistan)
    out = Output(tmp_path / "out.json", protect=[log], example="chronology.json")
    with pytest.raises(ValidationError) as info:
        export(log.chronology(), "json", out, protect=[log])
    assert str(info.value).startswith("protect: ")
    export(log.chronology(), "json", out)
    assert (tmp_path / "out.json").read_bytes() == json_export(pakistan)


def test_the_default_rejects_path_is_checked_too(tmp_path: Path) -> None:
    # A log that happens to have the default side file's name: FILE-NAME.rejects.tsv.
    log = Log.create(tmp_path / "in.csv.rejects.tsv")
    log.record(Event(id="kept", date="2001", title="Kept"))
    before = log.path.read_bytes()
    (tmp_path / "in.csv").write_text(CSV)
    with pytest.raises(OutputError) as info:
        import_file(log, tmp_path / "in.csv", format="csv", skip_invalid=True)
    assert str(info.value) == (
        f"rejects: {str(log.path)!r} is the log {str(log.path)!r}; writing there would "
        "destroy it. Give another path, e.g. rejects.tsv.")
    assert log.path.read_bytes() == before


def test_rejects_cannot_be_the_input_read_from_standard_input(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    Log.create(log)
    (tmp_path / "in.csv").write_text(CSV)
    with open(tmp_path / "in.csv", "rb") as stdin:
        done = run_process("import", log, "-", "-f", "csv", "--skip-invalid", "--rejects",
                           "/dev/stdin", stdin=stdin)
    assert (done.returncode, done.stdout) == (1, b"")
    assert done.stderr.decode() == (
        "Error: rejects: '/dev/stdin' is a symbolic link to the input (standard input); writing "
        "there would destroy it. Give another path, e.g. rejects.tsv.\n")
    assert (tmp_path / "in.csv").read_text() == CSV
    assert log.read_bytes() == b""


def test_a_path_ending_in_a_slash_is_not_made_a_file(pakistan: Path, tmp_path: Path) -> None:
    result = run("export", pakistan, "-f", "json", "-o", f"{tmp_path}/new/")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: output: '{tmp_path}/new/' names a folder. Give a file "
                             "name, e.g. chronology.json.\n")
    assert listing(tmp_path) == ["pakistan-russia.jsonl"]


@pytest.mark.parametrize("command", ["export", "export-dev-stdout", "list"])
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path,
                                                           command: str) -> None:
    """`timeline export LOG | head`: exit 141 (128 + SIGPIPE, as for any program its reader
    left), nothing on stderr, as git and grep do; the log untouched."""
    log = Log.create(tmp_path / "many.jsonl")
    log.append_batch([timeline.Append.record(Event(id=f"e{n}", date="2001", title=f"Event {n}"))
                      for n in range(3000)])
    before = log.path.read_bytes()
    args = [command.split("-")[0], str(log.path)] + (
        ["-f", "json"] if command.startswith("export") else []) + (
        ["-o", "/dev/stdout"] if command == "export-dev-stdout" else [])
    process = subprocess.Popen([str(TIMELINE), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert len(process.stdout.read(10)) == 10  # then stop reading, like `| head`
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read().decode() == ""
    process.stderr.close()
    assert log.path.read_bytes() == before


def test_a_dry_run_with_full_rejects_says_nothing_of_batches(tmp_path: Path) -> None:
    log = Log.create(tmp_path / "a.jsonl")
    (tmp_path / "in.csv").write_text(CSV)
    with pytest.raises(OutputError) as info:
        import_file(log, tmp_path / "in.csv", skip_invalid=True, dry_run=True,
                    rejects="/dev/full")
    assert str(info.value) == f"rejects: '/dev/full' {FULL}"
    assert log.path.read_bytes() == b""
