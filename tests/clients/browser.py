"""Knight Lab's TimelineJS3 in headless Chromium: :func:`render` a TimelineJS document.

The ``@knight-lab/timelinejs`` build in ``tests/clients/node_modules`` is served
from 127.0.0.1 together with ``timelinejs_page.html``; Debian's ``chromium``
loads the page with ``--dump-dom`` (no browser download, no network: every
background service is switched off), and the page writes what rendered into
the DOM as JSON.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import subprocess
import tempfile
import threading
from typing import Any

from . import HERE, executable, node_package

PAGE = HERE / "timelinejs_page.html"


class _Site(http.server.SimpleHTTPRequestHandler):
    """Serves the TimelineJS ``dist`` folder, and the page at ``/index.html``."""

    page = b""

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        if self.path == "/index.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.page)))
            self.end_headers()
            self.wfile.write(self.page)
            return
        super().do_GET()

    def log_message(self, *args: Any) -> None:
        pass


def render(document: dict[str, Any]) -> dict[str, Any]:
    """Render ``document`` and return what the page saw.

    Keys: ``constructed``, ``ready`` (TimelineJS's ``ready`` event fired),
    ``slides`` (one dict per rendered slide, title slide first: ``id``,
    ``title``, ``headline``, ``date``, ``text``, ``elements``, ``attributes``,
    ``links``), ``markers``, ``groups`` (row labels, as text), ``group_elements``
    (tag names of elements inside the row labels), ``message`` (an error
    TimelineJS shows instead of the timeline), ``config_errors`` and
    ``errors`` (uncaught errors, rejections, console errors and warnings, and
    calls of ``alert``, ``confirm`` or ``prompt``, which only a script smuggled
    in by event text would make).
    """
    chromium = executable("chromium")
    dist = node_package("@knight-lab/timelinejs") / "dist"
    payload = json.dumps(document, ensure_ascii=False).replace("</", "<\\/")
    page = PAGE.read_text("utf-8").replace("__DATA__", payload).encode("utf-8")
    handler = type("Site", (_Site,), {"page": page})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(dist)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tempfile.TemporaryDirectory(prefix="chromium-profile-",
                                         ignore_cleanup_errors=True) as profile:
            run = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1200,900", f"--user-data-dir={profile}",
                 "--virtual-time-budget=8000", "--dump-dom",
                 f"http://127.0.0.1:{server.server_address[1]}/index.html"],
                capture_output=True, text=True, timeout=90, check=False)
    finally:
        server.shutdown()
        server.server_close()
    found = re.search(r"RESULT:(\{.*\})</pre>", run.stdout, re.S)
    assert found, f"the page wrote no result; chromium said: {run.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))
