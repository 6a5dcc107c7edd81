"""The exception hierarchy: one root, :class:`TimelineError`.

Every error carries structured fields (``field``, ``value``, ``fix`` and, where
it applies, a log ``position`` or byte ``offset``) so that callers can act on
it without parsing the message, and an ``exit_code`` that the CLI returns.

Exit codes (also in ``docs/cli.md``):

====  ==========================================================
0     success
1     a domain error: invalid input, unknown event, plugin error
2     usage error (click: unknown option, missing argument)
3     concurrency conflict: the log moved past the expected position
4     the log failed verification (corrupt, tampered, torn)
5     the log stayed locked by another process for the lock timeout
====  ==========================================================
"""

from __future__ import annotations

from typing import Any

EXIT_DOMAIN = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_CORRUPT = 4
EXIT_LOCKED = 5


class TimelineError(Exception):
    """Root of every error this library raises on purpose.

    ``str(error)`` is a full sentence meant for a person; the attributes are
    meant for programs.
    """

    exit_code: int = EXIT_DOMAIN
    #: For an error raised by :meth:`timeline.Log.append_batch`: the 0-based index of the
    #: item that was refused (the whole batch was refused with it); otherwise ``None``.
    batch_index: int | None = None

    def __init__(self, message: str, *, field: str | None = None, value: Any = None,
                 fix: str | None = None) -> None:
        self.message = message
        self.field = field
        self.value = value
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message
        if self.fix:
            text = f"{text} {self.fix}"
        return text


class ValidationError(TimelineError, ValueError):
    """A field of a record has a value that breaks a rule.

    The message has the form ``<field>: <value!r> <what is wrong>. <fix>``.
    """

    def __init__(self, field: str, value: Any, problem: str, fix: str | None = None, *,
                 show_value: bool = True) -> None:
        # show_value=False for problems about absence, where the value says nothing.
        shown = f"{_shorten(value)} " if show_value else ""
        super().__init__(f"{field}: {shown}{problem}.", field=field, value=value, fix=fix)


class InvalidDateError(ValidationError):
    """A date string is not a valid EDTF (ISO 8601-2) level 0/1 date."""


class UnsupportedDateError(InvalidDateError):
    """A valid EDTF string that uses a feature this library refuses (level 2, times)."""


class EventError(TimelineError):
    """An operation names an event in a way the log's current state refuses."""

    def __init__(self, message: str, *, event_id: str, fix: str | None = None) -> None:
        self.event_id = event_id
        super().__init__(message, field="id", value=event_id, fix=fix)


class UnknownEventError(EventError):
    """No event with this id has been recorded in the log."""


class DuplicateEventError(EventError):
    """An event with this id is already recorded."""


class RetractedEventError(EventError):
    """The event was retracted; it can no longer be revised or retracted."""


class LogError(TimelineError):
    """A problem with the log file itself."""


class LogNotFoundError(LogError):
    """The log file does not exist (run ``timeline init LOG``)."""


class LogExistsError(LogError):
    """``init`` was asked to create a log that already exists."""


class ConcurrencyError(LogError):
    """The log's head moved past the position the caller expected.

    Attributes: ``expected`` (the caller's expected position) and ``actual``
    (the head position found under the lock).
    """

    exit_code = EXIT_CONFLICT

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        why = ("another writer appended first" if expected < actual
               else f"position {expected} does not exist yet")
        super().__init__(
            f"expected_position: the log is at position {actual}, not {expected}; {why}.",
            field="expected_position", value=expected,
            fix="Read the log again and retry with the new position.")


class LockTimeoutError(LogError):
    """Another process held the log's lock for longer than the lock timeout
    (``timeline.stores.locks``); nothing was read or written. Retrying later is safe.

    Attributes: ``location`` (the log, as messages name it) and ``timeout`` (seconds
    waited; 0: the lock was tried once).
    """

    exit_code = EXIT_LOCKED

    def __init__(self, location: str, timeout: float) -> None:
        self.location = location
        self.timeout = timeout
        waited = ("at once (lock timeout 0)" if timeout == 0
                  else f"after waiting {_seconds(timeout)} s for it")
        super().__init__(
            f"log: {location!r} is locked by another process; gave up {waited}.",
            field="lock_timeout", value=timeout,
            fix="Try again when that process is done, or wait longer with "
                "'timeline --lock-timeout SECONDS' or TIMELINE_LOCK_TIMEOUT.")


class IdempotencyKeyError(TimelineError):
    """An idempotency key was given again for a different entry.

    Attributes: ``key`` and ``position`` (where the key's original entry is).
    """

    def __init__(self, key: str, position: int, original: str) -> None:
        self.key = key
        self.position = position
        super().__init__(
            f"idempotency_key: {_shorten(key)} was used at position {position} for a different "
            f"entry ({original}).", field="idempotency_key", value=key,
            fix="Retry with exactly the same entry, or give a new key for a new entry.")


class LogCorruptError(LogError):
    """The log failed verification at ``position`` (1-based) or byte ``offset``."""

    exit_code = EXIT_CORRUPT

    def __init__(self, message: str, *, position: int | None = None,
                 offset: int | None = None, fix: str | None = None) -> None:
        self.position = position
        self.offset = offset
        super().__init__(message, field="position", value=position, fix=fix)


class TornTailError(LogCorruptError):
    """The log ends with an incomplete line (a crash during an append)."""


class FormatVersionError(LogCorruptError):
    """An entry was written by a newer log format version than this library reads."""


class SchemaVersionError(LogError):
    """A database log was set up by a newer version of diplomatic-timeline than this one.

    Attributes: ``found`` (the database's schema version) and ``supported`` (the
    newest this version reads). Nothing was read or written.
    """

    exit_code = EXIT_CORRUPT

    def __init__(self, location: str, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"log: {location!r} has schema version {found}, newer than version {supported} "
            "which this version of diplomatic-timeline reads.", field="schema_version",
            value=found, fix="Upgrade diplomatic-timeline.")


class OutputError(TimelineError):
    """An output (``export``'s ``output``, ``import``'s ``rejects``) that may not be
    written, or could not be: a file of the log or the import's input, a folder, a
    device other than a FIFO or character device, a full disk (:mod:`timeline.outputs`).

    Attributes: ``field`` (``"output"`` or ``"rejects"``), ``value`` (the path as
    given) and ``errno`` (the OS error number, or ``None`` for a path refused before
    anything was written). No partial file is left there; an earlier file is as it was.
    """

    def __init__(self, message: str, *, field: str, value: str, fix: str,
                 errno: int | None = None) -> None:
        self.errno = errno
        super().__init__(message, field=field, value=value, fix=fix)


class PluginError(TimelineError):
    """A plugin failed to load, register or run; ``plugin`` names it."""

    def __init__(self, message: str, *, plugin: str | None = None, fix: str | None = None) -> None:
        self.plugin = plugin
        super().__init__(message, field="plugin", value=plugin, fix=fix)


class DuplicateFormatError(PluginError):
    """A plugin registered a format name another plugin registered first.

    The first keeps the name; ``plugins`` is ``(first, second)`` and ``plugin``
    the second, which is reported as failed (its other formats still work).
    """

    def __init__(self, name: str, first: str, second: str) -> None:
        self.plugins = (first, second)
        super().__init__(
            f"format {name!r} is registered by two plugins: {first!r} and {second!r}.",
            plugin=second, fix=f"{first!r} keeps it; uninstall {second!r}, or ask its author "
            "to rename the format.")


class UnknownFormatError(PluginError):
    """No installed exporter (or importer) has this format name, or the format of
    an import file cannot be guessed."""


class ImportRowError(TimelineError):
    """A row of an import file is invalid (and ``--skip-invalid`` was not given), or
    the file as a whole cannot be read (no header, not JSON).

    Attributes: ``line`` (1-based line of the file), ``reason`` (the short
    phrase the import summary counts by, e.g. ``"invalid date"``) and
    ``detail`` (the full sentence naming the field, the value and the fix).
    Nothing was appended when it is raised.
    """

    def __init__(self, line: int, reason: str, detail: str, *, fix: str | None = None) -> None:
        self.line = line
        self.reason = reason
        self.detail = detail
        super().__init__(f"line {line}: {detail}", field="line", value=line, fix=fix)


def _seconds(value: float) -> str:
    """``60``, ``0.5``: seconds as a person writes them (no exponent, no trailing zeros)."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _shorten(value: Any, limit: int = 80) -> str:
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 12] + f"...' ({len(value) if hasattr(value, '__len__') else '?'} chars)"
    return text
