"""diplomatic-timeline: an event-sourced, honest record of diplomatic events.

The public API; everything else is private. See README.md and ``docs/``.
"""

from .__about__ import __version__
from .chronology import Chronology, EventFilter, EventState, fold
from .dates import PRECISIONS, EDTFDate, parse_date
from .wording import date_in_words
from .entries import ENTRY_TYPES, FORMAT_VERSION, Append, Entry, format_time, parse_time
from .errors import (ConcurrencyError, DuplicateEventError, DuplicateFormatError,
                     EventError, FormatVersionError, IdempotencyKeyError, InvalidDateError,
                     LockTimeoutError, LogCorruptError, LogError, LogExistsError, LogNotFoundError, PluginError,
                     RetractedEventError, TimelineError, TornTailError, UnknownEventError,
                     UnknownFormatError, UnsupportedDateError, ValidationError, ImportRowError,
                     SchemaVersionError, OutputError)
from .exporting import export, export_bytes
from .streams import EventStream
from .outputs import Output
from .hookspecs import Exporter, Importer, ImportRow, Option, Rejection, hookimpl
from .cameo import QUAD_CLASSES, CameoCode, cameo_code, cameo_codes, describe_cameo
from .log import Log, ReadModelReport, RepairReport, VerifyReport
from .stores import Store, open_store
from .importing import ImportSummary, guess_format, import_file
from .readers import (check_number, clip_text, country_from_name, json_members, read_tab_rows,
                      read_text_lines)
from .plugins import ENTRY_POINT_GROUP, PluginInfo, Plugins, make_plugin_manager
from .records import (STATUSES, Actor, Event, Place, Source, TakenIds, make_event_id, parse_actor,
                      parse_place)

__all__ = [
    "__version__",
    # records and dates
    "Event", "Actor", "Place", "Source", "STATUSES", "make_event_id", "TakenIds", "parse_actor",
    "parse_place", "EDTFDate", "parse_date", "PRECISIONS", "date_in_words",
    # the log and its projection
    "Log", "Entry", "Append", "ENTRY_TYPES", "FORMAT_VERSION", "VerifyReport", "RepairReport",
    "Chronology", "EventState", "fold", "format_time", "parse_time", "Store", "open_store",
    "EventFilter", "ReadModelReport",
    # plugins and export
    "Exporter", "Option", "hookimpl", "Plugins", "PluginInfo", "make_plugin_manager",
    "ENTRY_POINT_GROUP", "export", "export_bytes", "Output", "EventStream",
    # import
    "Importer", "ImportRow", "Rejection", "import_file", "guess_format", "ImportSummary",
    "read_text_lines", "read_tab_rows", "json_members", "clip_text", "check_number",
    "country_from_name",
    # CAMEO event codes
    "CameoCode", "cameo_codes", "cameo_code", "describe_cameo", "QUAD_CLASSES",
    # errors
    "TimelineError", "ValidationError", "InvalidDateError", "UnsupportedDateError",
    "EventError", "UnknownEventError", "DuplicateEventError", "RetractedEventError",
    "LogError", "LogNotFoundError", "LogExistsError", "ConcurrencyError", "LockTimeoutError",
    "LogCorruptError",
    "TornTailError", "FormatVersionError", "IdempotencyKeyError", "PluginError",
    "DuplicateFormatError", "UnknownFormatError", "ImportRowError", "SchemaVersionError",
    "OutputError",
]
