"""The file store's locks (``timeline.stores.files.lock``) are portalocker's, taken directly.

On POSIX the store calls ``flock(2)`` itself (portalocker's argument checks cost
~50 us an append). These tests hold one lock through our helper and try the other
through ``portalocker``, non-blocking, on a second open of the same file (``flock``
locks belong to the open file, so two opens conflict even in one process).
"""

from __future__ import annotations

import os
import shutil

import portalocker
import pytest

from timeline import Event, Log
from timeline.stores.files import lock, unlock

pytestmark = pytest.mark.skipif(os.name != "posix", reason="flock is POSIX")

NB = portalocker.LOCK_NB


@pytest.fixture
def two_opens(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"")
    with open(path, "rb") as a, open(path, "rb") as b:
        yield a, b


@pytest.mark.parametrize("ours_shared, theirs, conflict", [
    (False, portalocker.LOCK_EX, True),
    (False, portalocker.LOCK_SH, True),
    (True, portalocker.LOCK_EX, True),
    (True, portalocker.LOCK_SH, False),
])
def test_our_lock_and_portalockers_exclude_each_other(two_opens, ours_shared, theirs, conflict):
    ours, other = two_opens
    lock(ours.fileno(), shared=ours_shared)
    try:
        if conflict:
            with pytest.raises(portalocker.exceptions.LockException):
                portalocker.lock(other, theirs | NB)
        else:
            portalocker.lock(other, theirs | NB)
            portalocker.unlock(other)
    finally:
        unlock(ours.fileno())
    portalocker.lock(other, portalocker.LOCK_EX | NB)  # released: free again
    portalocker.unlock(other)


def test_portalockers_lock_holds_off_an_append(two_opens, tmp_path):
    import fcntl

    ours, other = two_opens
    portalocker.lock(other, portalocker.LOCK_EX | NB)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(ours.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        portalocker.unlock(other)


def test_an_append_after_the_file_was_replaced_goes_to_the_new_file(tmp_path):
    path, other = tmp_path / "t.jsonl", tmp_path / "other.jsonl"
    log = Log.create(path)
    log.record(Event(id="a", date="2013", title="A"))
    theirs = Log.create(other)
    theirs.record(Event(id="b", date="2014", title="B"))
    theirs.record(Event(id="c", date="2015", title="C"))
    shutil.copyfile(other, tmp_path / "copy.jsonl")
    os.replace(tmp_path / "copy.jsonl", path)  # e.g. restored from a backup
    entry = log.record(Event(id="d", date="2016", title="D"))
    assert entry.position == 3  # read the new file again: it had two entries
    assert [s.event.id for s in Log(path).chronology()] == ["b", "c", "d"]
    assert Log(path).verify().entries == 3


def test_close_then_append_again(tmp_path):
    log = Log.create(tmp_path / "t.jsonl")
    log.record(Event(id="a", date="2013", title="A"))
    log.store.close()
    assert log.record(Event(id="b", date="2014", title="B")).position == 2
    log.store.close()
    log.store.close()  # twice is harmless


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_share_the_parents_lock(tmp_path):
    """``flock`` locks belong to the open file, which a fork shares: the child must open
    its own, and wait for the parent's append to finish."""
    import signal

    log = Log.create(tmp_path / "t.jsonl")
    log.record(Event(id="a", date="2013", title="A"))
    with log.store.writing():
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports through its exit code
            signal.signal(signal.SIGALRM, lambda *_: os._exit(0))  # still waiting: right
            signal.alarm(1)
            try:
                log.record(Event(id="b", date="2014", title="B"))
            finally:
                os._exit(1)  # the append went through while the parent held the lock
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert Log(tmp_path / "t.jsonl").verify().entries == 1
