"""How long a store waits for its lock, what it says while waiting, and how it gives up.

Every store waits at most the *lock timeout* for its lock: the file store for
``flock`` (an append's exclusive lock and a reader's shared one), SQLite for its
write lock (``BEGIN IMMEDIATE``), PostgreSQL for ``LOCK TABLE``. Then it raises
:class:`~timeline.errors.LockTimeoutError` (exit 5), having read and written
nothing. The timeout, in seconds, is the first of:

1. the ``lock_timeout`` argument of :class:`timeline.Log`, :func:`timeline.open_store`
   or a store's constructor;
2. ``timeline --lock-timeout SECONDS`` (the CLI sets it for one command:
   :func:`use_lock_timeout`);
3. the environment variable ``TIMELINE_LOCK_TIMEOUT`` (unset or empty: not given);
4. :data:`DEFAULT_LOCK_TIMEOUT`, 60 s.

0 fails at once if the lock is taken. The most is :data:`MAX_LOCK_TIMEOUT`
(2147483 s, about 24 days: the databases take the timeout in milliseconds as a
32-bit integer). A bad value raises :class:`~timeline.errors.ValidationError`
naming where it came from.

A store that finds its lock taken writes one line to stderr, only when stderr is a
terminal: ``waiting for the lock on 'LOG' (held by another process)...`` (PostgreSQL,
which cannot try a lock without ending the transaction, when ``LOCK TABLE`` has not
returned after a tenth of a second).
"""

from __future__ import annotations

import math
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from ..errors import ValidationError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "MAX_LOCK_TIMEOUT", "ENV_LOCK_TIMEOUT", "lock_timeout",
           "parse_lock_timeout", "use_lock_timeout", "reset_lock_timeout", "waiting",
           "waiting_if_slow"]

#: Seconds a store waits for its lock unless told otherwise.
DEFAULT_LOCK_TIMEOUT = 60.0
#: The longest lock timeout, in seconds (2**31 - 1 milliseconds, rounded down).
MAX_LOCK_TIMEOUT = 2_147_483.0
#: The environment variable that sets the lock timeout, in seconds.
ENV_LOCK_TIMEOUT = "TIMELINE_LOCK_TIMEOUT"

_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")  # ASCII digits: no ², no exponent
_FIX = (f"Give a number of seconds from 0 to {MAX_LOCK_TIMEOUT:.0f}, such as 60 or 0.5 "
        "(0: fail at once if the log is locked).")
_GIVEN: ContextVar[float | None] = ContextVar("timeline_lock_timeout", default=None)


def lock_timeout(value: float | None = None) -> float:
    """The lock timeout in seconds: ``value`` if given (checked), else as the module
    docstring says. Raises ValidationError for a bad value or environment variable."""
    if value is not None:
        return _checked("lock_timeout", value)
    given = _GIVEN.get()
    if given is not None:
        return given
    text = os.environ.get(ENV_LOCK_TIMEOUT)
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    return parse_lock_timeout(text, field=ENV_LOCK_TIMEOUT)


def parse_lock_timeout(text: str, *, field: str = "--lock-timeout") -> float:
    """Seconds from ``text`` (``60``, ``0.5``, ``0``: ASCII digits only); ValidationError
    naming ``field`` otherwise."""
    if not _SECONDS.fullmatch(text):
        raise ValidationError(field, text, "is not a number of seconds", _FIX)
    return _checked(field, float(text), text)


def use_lock_timeout(seconds: float | None) -> Token[float | None]:
    """Make ``seconds`` the lock timeout of stores opened from now on without a
    ``lock_timeout`` argument, in this context (the CLI's ``--lock-timeout``); give the
    returned token to ``reset_lock_timeout`` to undo it."""
    return _GIVEN.set(seconds)


def reset_lock_timeout(token: Token[float | None]) -> None:
    """Undo :func:`use_lock_timeout`."""
    _GIVEN.reset(token)


def waiting(location: str) -> None:
    """Say on stderr, if it is a terminal, that a lock is being waited for."""
    if not _on_terminal():
        return
    try:
        sys.stderr.write(f"waiting for the lock on {location!r} (held by another process)...\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stderr: the wait goes on unsaid
        pass


@contextmanager
def waiting_if_slow(location: str, after: float = 0.1) -> Iterator[None]:
    """Around a statement that blocks on a lock and cannot be tried first: :func:`waiting`
    if it has not returned after ``after`` seconds. Costs nothing when stderr is no
    terminal."""
    if not _on_terminal():
        yield
        return
    timer = threading.Timer(after, waiting, (location,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _on_terminal() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (OSError, ValueError):
        return False


def _checked(field: str, value: object, shown: object = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ValidationError(field, value, "is not a number of seconds", _FIX)
    if value < 0:
        raise ValidationError(field, value if shown is None else shown, "is negative", _FIX)
    if value > MAX_LOCK_TIMEOUT:
        raise ValidationError(field, value if shown is None else shown,
                              f"is more than {MAX_LOCK_TIMEOUT:.0f} seconds", _FIX)
    return float(value)
