"""A throwaway PostgreSQL server for the tests (and ``bench/stores_bench.py``).

:func:`start` runs the distribution's own binaries (Debian:
``/usr/lib/postgresql/*/bin``; ``apt-get install -y postgresql``): ``initdb``
into a temporary data directory, then ``pg_ctl start`` listening on 127.0.0.1
at a free port, with trust authentication for that address only. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user
(``runuser``). :meth:`Server.stop` stops it and deletes the directory.

Set ``TIMELINE_TEST_POSTGRES`` to a ``postgresql://`` URL to use a server of
your own instead (the tests create and drop one schema per log in it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HOW_TO_GET_ONE = ("install PostgreSQL (Debian/Ubuntu: apt-get install -y postgresql; the tests "
                  "run its initdb and pg_ctl themselves), or set TIMELINE_TEST_POSTGRES to the "
                  "URL of a server you run, e.g. postgresql://postgres@127.0.0.1:5432/postgres")


class Unavailable(Exception):
    """No server could be started; the message says why and how to get one."""


@dataclass
class Server:
    """A running server: ``url`` reaches its ``postgres`` database as a superuser."""

    url: str
    data: Path | None = None  # None: a server we did not start
    runner: tuple[str, ...] = ()
    bin: Path | None = None

    def stop(self) -> None:
        if self.data is None:
            return
        subprocess.run([*self.runner, str(self.bin / "pg_ctl"), "-D", str(self.data / "db"),
                        "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.data, ignore_errors=True)

    def database_url(self, name: str, schema: str | None = None) -> str:
        """A URL for database ``name`` (created if missing), optionally with a search path."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                      (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        base = self.url.rsplit("/", 1)[0] + f"/{name}"
        return base + (f"?options=-csearch_path%3D{schema}" if schema else "")


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise Unavailable("no initdb found (looked in /usr/lib/postgresql/*/bin and on PATH)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*, durable: bool = False) -> Server:
    """Start a throwaway server; ``durable=False`` turns fsync off (tests: speed, not
    crash safety, which is PostgreSQL's own). Raises :class:`Unavailable`."""
    given = os.environ.get("TIMELINE_TEST_POSTGRES")
    if given:
        return Server(given)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed: pip install -e '.[test]'") from None
    bin_dir = _binaries()
    runner: tuple[str, ...] = ()
    data = Path(tempfile.mkdtemp(prefix="timeline-pg-"))
    if os.geteuid() == 0:  # postgres refuses root: run it as the postgres user
        if shutil.which("runuser") is None:
            raise Unavailable("running as root, and runuser is missing")
        runner = ("runuser", "-u", "postgres", "--")
        try:
            shutil.chown(data, "postgres")
        except (LookupError, OSError) as exc:
            shutil.rmtree(data, ignore_errors=True)
            raise Unavailable(f"running as root and there is no postgres user ({exc})") from None
        os.chmod(data, 0o700)
    port = _free_port()
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories="
               f"{data} -c max_connections=60" + ("" if durable else
                                                  " -c fsync=off -c synchronous_commit=off"
                                                  " -c full_page_writes=off"))
    steps = [
        [*runner, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres",
         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        [*runner, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options,
         "-l", str(data / "server.log"), "-w", "-t", "60", "start"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = data / "server.log"
            detail = (done.stderr or done.stdout).strip()[-600:]
            if log.exists():
                detail += "\n" + log.read_text(errors="replace")[-600:]
            shutil.rmtree(data, ignore_errors=True)
            raise Unavailable(f"{Path(step[len(runner)]).name} failed: {detail}")
    server = Server(f"postgresql://postgres@127.0.0.1:{port}/postgres", data, runner, bin_dir)
    _wait(server)
    return server


def _wait(server: Server) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(server.url).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise Unavailable("the server started but does not accept connections") from None
            time.sleep(0.1)


# --- pytest fixtures (import them into a test module) ---------------------------------------

_SHARED: list[Server | Unavailable] = []


def shared_server() -> Server:
    """The one server of this test process, started on first use and stopped at exit."""
    if not _SHARED:
        import atexit

        try:
            server = start()
        except Unavailable as exc:
            _SHARED.append(exc)
        else:
            _SHARED.append(server)
            atexit.register(server.stop)
    found = _SHARED[0]
    if isinstance(found, Unavailable):
        raise found
    return found


_COUNTER = iter(range(1, 1 << 30))


def new_postgres_log_url(name: str = "log") -> str:
    """A URL where no log is yet: a new schema in the ``timeline_test`` database, or a skip
    (locally) or a failure (in CI, where ``CI=true``) saying how to get a server."""
    import pytest

    try:
        server = shared_server()
    except Unavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and could not be started: {exc}")
        pytest.skip(f"no PostgreSQL server could be started ({exc}); to run these tests, "
                    f"{HOW_TO_GET_ONE}")
    return server.database_url("timeline_test", f"{name}_{os.getpid()}_{next(_COUNTER)}")
