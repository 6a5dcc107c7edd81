"""A real CalDAV server (Radicale) on 127.0.0.1, and the ``caldav`` client that reads it back."""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import python_module

USER = "tester"


@contextmanager
def server(folder: Path) -> Iterator[str]:
    """Run Radicale with its storage in ``folder`` on a free 127.0.0.1 port; yield its URL.

    No authentication (any password logs in), rights ``owner_only``: user
    ``tester`` owns ``/tester/``. The server is stopped on exit.
    """
    python_module("radicale")
    with socket.socket() as probe:  # a free port; the tiny race with other binds is harmless
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (folder / "storage").mkdir()
    config = folder / "config"
    config.write_text(f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = none\n"
                      f"[rights]\ntype = owner_only\n[web]\ntype = none\n"
                      f"[storage]\nfilesystem_folder = {folder / 'storage'}\n"
                      "[logging]\nlevel = warning\n", encoding="utf-8")
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, folder / "server.log")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"Radicale exited at start-up: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/.web/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers, so it is up
        except OSError:
            time.sleep(0.05)
    raise AssertionError("Radicale did not answer within 30 s")


def put_calendar(url: str, name: str, data: bytes) -> str:
    """PUT the whole calendar ``data`` as collection ``/tester/<name>/``; return its URL.

    Raises AssertionError with the server's answer when it refuses the calendar.
    """
    collection = f"{url}/{USER}/{name}/"
    request = urllib.request.Request(collection, data=data, method="PUT", headers={
        "Content-Type": "text/calendar; charset=utf-8", "Authorization": _basic_auth()})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status in (200, 201, 204), answer.status
    except urllib.error.HTTPError as error:
        raise AssertionError(f"Radicale refused the calendar: HTTP {error.code} "
                             f"{error.read().decode(errors='replace')[:500]}") from None
    return collection


def read_calendar(url: str, collection: str) -> dict[str, Any]:
    """Read a collection back with the ``caldav`` client.

    Returns ``{"name": <displayname>, "events": [{"uid", "summary", "start",
    "end"}]}``: one dict per VEVENT the server returns, with ``start``/``end``
    as ``datetime.date`` (decoded by caldav's icalendar objects), in UID order
    (a CalDAV server does not keep document order).
    """
    caldav = python_module("caldav")
    with caldav.DAVClient(url=f"{url}/{USER}/", username=USER, password="x") as client:
        calendar = client.calendar(url=collection)
        events = []
        for resource in calendar.events():
            for vevent in resource.icalendar_instance.walk("VEVENT"):
                events.append({"uid": str(vevent["UID"]), "summary": str(vevent["SUMMARY"]),
                               "start": vevent.decoded("DTSTART"),
                               "end": vevent.decoded("DTEND")})
        return {"name": calendar.get_display_name(),
                "events": sorted(events, key=lambda e: e["uid"])}


def _basic_auth() -> str:
    return "Basic " + base64.b64encode(f"{USER}:x".encode()).decode()
