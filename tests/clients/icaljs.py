"""Mozilla's ical.js (Thunderbird's parser) under node: :func:`read` an iCalendar document."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from . import HERE, executable, node_package


def read(data: bytes) -> dict[str, Any]:
    """What ical.js reads from ``data``: ``{"calendar": {...}, "events": [...]}``.

    Shapes are those printed by ``read_ics.mjs``. Raises AssertionError with
    ical.js's message when it refuses the document.
    """
    node = executable("node")
    node_package("ical.js")
    run = subprocess.run([node, str(HERE / "read_ics.mjs")], input=data, capture_output=True,
                         timeout=60, check=False)
    assert run.returncode == 0, f"ical.js refused the calendar: {run.stderr.decode()[-2000:]}"
    return json.loads(run.stdout)
