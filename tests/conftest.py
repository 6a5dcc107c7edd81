"""Shared fixtures, kept generic: each test module builds its own events."""

from __future__ import annotations

import datetime as dt
import os
import types
from collections.abc import Callable
from pathlib import Path

import pytest

import timeline.log
from timeline import Log


@pytest.fixture(autouse=True, scope="session")
def _checked_prefix_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Checked-prefix records (timeline/stores/checked.py) go to a folder of the test
    run, never the user's cache; subprocesses inherit it."""
    os.environ["TIMELINE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def log(tmp_path: Path) -> Log:
    """A new, empty log at ``tmp_path / "t.jsonl"``."""
    return Log.create(tmp_path / "t.jsonl")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Control record time: ``clock(t1, t2, ...)`` makes the next appends read these
    times from the log's clock, one each (aware UTC datetimes)."""
    times: list[dt.datetime] = []

    class FakeDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            assert times, "the clock fixture ran out of times"
            return times.pop(0)

    monkeypatch.setattr(timeline.log, "_dt",
                        types.SimpleNamespace(datetime=FakeDatetime, timezone=dt.timezone))

    def set_times(*values: dt.datetime) -> None:
        times[:] = values
    return set_times
