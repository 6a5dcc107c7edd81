"""diplomatic-timeline: an event-sourced, honest record of diplomatic events.

The public API; everything else is private. See README.md and ``docs/``.
"""

from .__about__ import __version__
from .chronology import Chronology, EventState, fold
from .dates import PRECISIONS, EDTFDate, parse_date
from .wording import date_in_words
from .entries import ENTRY_TYPES, FORMAT_VERSION, Entry, format_time, parse_time
from .errors import (ConcurrencyError, DuplicateEventError, DuplicateFormatError,
                     EventError, FormatVersionError, InvalidDateError, LogCorruptError,
                     LogError, LogExistsError, LogNotFoundError, PluginError,
                     RetractedEventError, TimelineError, TornTailError, UnknownEventError,
                     UnknownFormatError, UnsupportedDateError, ValidationError)
from .exporting import export, export_bytes
from .hookspecs import Exporter, hookimpl
from .log import Log, VerifyReport
from .plugins import ENTRY_POINT_GROUP, PluginInfo, Plugins, make_plugin_manager
from .records import STATUSES, Actor, Event, Place, Source, make_event_id, parse_actor, parse_place

__all__ = [
    "__version__",
    # records and dates
    "Event", "Actor", "Place", "Source", "STATUSES", "make_event_id", "parse_actor",
    "parse_place", "EDTFDate", "parse_date", "PRECISIONS", "date_in_words",
    # the log and its projection
    "Log", "Entry", "ENTRY_TYPES", "FORMAT_VERSION", "VerifyReport", "Chronology",
    "EventState", "fold", "format_time", "parse_time",
    # plugins and export
    "Exporter", "hookimpl", "Plugins", "PluginInfo", "make_plugin_manager",
    "ENTRY_POINT_GROUP", "export", "export_bytes",
    # errors
    "TimelineError", "ValidationError", "InvalidDateError", "UnsupportedDateError",
    "EventError", "UnknownEventError", "DuplicateEventError", "RetractedEventError",
    "LogError", "LogNotFoundError", "LogExistsError", "ConcurrencyError", "LogCorruptError",
    "TornTailError", "FormatVersionError", "PluginError", "DuplicateFormatError",
    "UnknownFormatError",
]
