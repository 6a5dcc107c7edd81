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
====  ==========================================================
"""

from __future__ import annotations

from typing import Any

EXIT_DOMAIN = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_CORRUPT = 4


class TimelineError(Exception):
    """Root of every error this library raises on purpose.

    ``str(error)`` is a full sentence meant for a person; the attributes are
    meant for programs.
    """

    exit_code: int = EXIT_DOMAIN

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

    def __init__(self, field: str, value: Any, problem: str, fix: str | None = None) -> None:
        shown = _shorten(value)
        super().__init__(f"{field}: {shown} {problem}.", field=field, value=value, fix=fix)


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
        super().__init__(
            f"expected_position: the log is at position {actual}, not {expected}; "
            "another writer appended first.",
            field="expected_position", value=expected,
            fix="Read the log again and retry with the new position.")


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


class PluginError(TimelineError):
    """A plugin failed to load, register or run; ``plugin`` names it."""

    def __init__(self, message: str, *, plugin: str | None = None, fix: str | None = None) -> None:
        self.plugin = plugin
        super().__init__(message, field="plugin", value=plugin, fix=fix)


class DuplicateFormatError(PluginError):
    """Two exporters registered one format name; ``plugins`` names both."""

    def __init__(self, name: str, first: str, second: str) -> None:
        self.plugins = (first, second)
        super().__init__(
            f"format {name!r} is registered by two plugins: {first!r} and {second!r}.",
            plugin=second, fix="Uninstall one of them, or ask its author to rename the format.")


class UnknownFormatError(PluginError):
    """No installed exporter has this format name."""


def _shorten(value: Any, limit: int = 80) -> str:
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 12] + f"...' ({len(value) if hasattr(value, '__len__') else '?'} chars)"
    return text
