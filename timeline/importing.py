"""Importing a file into a log through an importer plugin: safe to repeat, safe to stop.

:func:`import_file` reads a file with an importer (see
:class:`~timeline.hookspecs.Importer`), and appends one *recorded* entry per new
event. The rules:

- **Format.** Given by name, or guessed: the importers whose suffixes match the
  file's suffix and whose sniffer accepts its first 64 KiB; failing that, any
  importer whose sniffer accepts the content. No single answer is an
  :class:`~timeline.errors.UnknownFormatError` asking for ``format``.
- **All or nothing.** Without ``skip_invalid`` the whole file is read and checked
  first; the first row that gives no event raises
  :class:`~timeline.errors.ImportRowError` with its line number, and nothing is
  appended. With ``skip_invalid`` such rows are counted by reason and listed,
  with line number, reason and detail, in a tab-separated side file
  (``<log folder>/<file name>.rejects.tsv`` unless ``rejects`` names one),
  written at the end as :mod:`timeline.outputs` says (a regular file atomically);
  it is checked before anything is read: never a file of the log or the input.
- **Idempotent.** Each row carries its source identity (``"icews:32889836:2018-06-01"``),
  stored as the entry's idempotency key. A row whose key, or whose event id, is
  already in the log (or earlier in the same file) is a duplicate and is
  skipped, so importing a file twice appends nothing the second time. Retracted
  events count: an analyst's retraction is not undone by a re-import.
- **Batches.** New events are appended ``batch_size`` at a time, each batch
  all-or-nothing (:meth:`timeline.Log.append_batch`); an import that is killed
  leaves whole batches, and running it again appends only what is missing.
- **Filters.** ``filters`` are the keyword arguments of
  :meth:`timeline.Chronology.filter` (``actor="PAK"``, ``date_from="2018-06"``,
  ``cameo="04"``...); rows whose event does not match are counted as filtered out.

The closing :class:`ImportSummary` gives rows read, events recorded, duplicates
skipped, rows filtered out and rows rejected by reason.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import shutil
import stat
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from .chronology import Chronology, EventState
from .entries import Append
from .errors import (DuplicateEventError, ImportRowError, OutputError, PluginError,
                     TimelineError, UnknownFormatError, ValidationError)
from .hookspecs import Importer, ImportRow, Rejection
from .log import Log
from .outputs import Output
from .plugins import Plugins, make_plugin_manager
from .records import Event

__all__ = ["import_file", "guess_format", "ImportSummary", "SNIFF_BYTES"]

#: How much of a file a sniffer sees.
SNIFF_BYTES = 64 * 1024
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


@attrs.frozen(slots=True)
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do).

    - ``format``: the importer's name; ``source``: the file's name.
    - ``rows``: rows read; ``recorded``: events appended (would be appended,
      in a dry run); ``duplicates``: rows skipped because the log (or the file
      before them) already has their key or event id; ``filtered``: rows that
      gave an event the filters left out.
    - ``rejected``: reason -> number of rows, most frequent first.
    - ``rejects_path``: the side file listing rejected rows, or ``None``.
    - ``positions``: ``(first, last)`` log positions appended, or ``None``.
    - ``seconds``: wall time taken.
    """

    format: str
    source: str
    rows: int
    recorded: int
    duplicates: int
    filtered: int
    rejected: dict[str, int]
    rejects_path: str | None
    dry_run: bool
    positions: tuple[int, int] | None
    seconds: float

    @property
    def rejected_rows(self) -> int:
        """All rejected rows, whatever the reason."""
        return sum(self.rejected.values())

    def lines(self) -> list[str]:
        """The summary as lines of text, as ``timeline import`` prints it."""
        verb = "would be recorded" if self.dry_run else "recorded"
        out = [f"format: {self.format}", f"rows read: {self.rows}",
               f"events {verb}: {self.recorded}", f"duplicates skipped: {self.duplicates}"]
        if self.filtered:
            out.append(f"rows filtered out: {self.filtered}")
        out.append(f"rows rejected: {self.rejected_rows}")
        out += [f"  {reason}: {count}" for reason, count in self.rejected.items()]
        if self.rejects_path:
            out.append(f"rejected rows listed in: {self.rejects_path}")
        if self.positions:
            out.append(f"log positions: {self.positions[0]}-{self.positions[1]}")
        out.append(f"time: {self.seconds:.2f} s")
        return out


def import_file(log: Log | str | os.PathLike[str], source: str | os.PathLike[str] | BinaryIO,
                format: str | None = None, *, dry_run: bool = False,
                skip_invalid: bool = False, rejects: str | os.PathLike[str] | None = None,
                batch_size: int = 500, filters: dict[str, Any] | None = None,
                plugins: Plugins | None = None, progress: bool = False,
                options: dict[str, Any] | None = None) -> ImportSummary:
    """Import ``source`` (a path or a binary stream) into ``log``; see the module docstring.

    ``options`` go to the reader. ``progress`` shows a progress bar (tqdm) on
    stderr. Raises :class:`~timeline.errors.LogNotFoundError` for a missing log,
    :class:`~timeline.errors.TimelineError` (field ``file``) for an unreadable
    file, :class:`~timeline.errors.UnknownFormatError` for the format,
    :class:`~timeline.errors.ImportRowError` for an invalid row (without
    ``skip_invalid``) or an unreadable file, :class:`~timeline.errors.PluginError`
    for a reader that cannot be loaded or fails,
    :class:`~timeline.errors.ValidationError` for bad ``filters`` or ``batch_size``, and
    :class:`~timeline.errors.OutputError` for a ``rejects`` path that is a file of the
    log or the input, a folder..., or that could not be written (see :mod:`timeline.outputs`).
    On any error nothing of the current batch is appended; whole batches before
    it stay (run the import again to finish it).
    """
    started = time.monotonic()
    target = log if isinstance(log, Log) else Log(log)
    if type(batch_size) is not int or batch_size < 1:
        raise ValidationError("batch_size", batch_size, "is not a whole number >= 1",
                              "Give for example 500.")
    matcher = _Matcher(filters or {})
    plugins = plugins or make_plugin_manager()
    name = _source_name(source)
    # The side file is checked before anything is read or appended: never the log, any
    # file of it, or the input (however spelled), never a folder.
    output = None
    if rejects is not None or (skip_invalid and not dry_run):
        output = Output(rejects if rejects is not None else _default_rejects(target, name),
                        field="rejects", protect=[target, source], example="rejects.tsv",
                        option="--rejects PATH")
    with _open(source) as stream:
        importer = plugins.importer(format) if format else guess_format(
            name, _head(stream), plugins)
        reader = _load(importer, plugins)
        if not skip_invalid:  # read everything first: one bad row and nothing is appended
            for row in _progress(_run(reader, stream, options, importer, plugins), stream,
                                 progress, "checking"):
                if isinstance(row.record, Rejection):
                    raise ImportRowError(
                        row.line, row.record.reason, row.record.detail,
                        fix="Nothing was imported. Correct the row, or import with "
                            "--skip-invalid (skip_invalid=True) to list rejected rows "
                            "in a side file.")
            stream.seek(0)
        side = None
        try:
            if skip_invalid and output is not None:
                side = _RejectsFile(output, dry_run)
            job = _Job(target, matcher, batch_size, dry_run)
            for row in _progress(_run(reader, stream, options, importer, plugins), stream,
                                 progress, "importing"):
                if isinstance(row.record, Rejection):
                    if not skip_invalid:  # the first reading had no such row
                        raise ImportRowError(
                            row.line, row.record.reason, row.record.detail,
                            fix="The file changed while it was imported: "
                                f"{_done(job.positions)} Let the file be, then run the same "
                                "import again.")
                    job.rows += 1
                    job.rejected[row.record.reason] += 1
                    if side is not None:
                        side.add(row.line, row.record)
                    continue
                job.add(row)
            job.flush()
            rejects_path = side.commit() if side is not None else None
        finally:
            if side is not None:
                side.discard()
    return ImportSummary(importer.name, name, job.rows, job.recorded, job.duplicates,
                         job.filtered, dict(job.rejected.most_common()), rejects_path, dry_run,
                         job.positions, round(time.monotonic() - started, 3))


def guess_format(name: str | None, head: bytes, plugins: Plugins | None = None) -> Importer:
    """The importer for a file called ``name`` whose first bytes are ``head``.

    Suffix first (an importer listing it, whose sniffer accepts the content or
    that has no sniffer), then content alone. Raises
    :class:`~timeline.errors.UnknownFormatError` when no importer, or more than
    one, fits.
    """
    plugins = plugins or make_plugin_manager()
    importers = list(plugins.importers().values())
    suffix = Path(name).suffix.lower() if name else ""
    by_suffix = [i for i in importers if suffix and suffix in i.suffixes]
    verdicts = {i.name: _sniff(i, head) for i in importers}
    for candidates in ([i for i in by_suffix if verdicts[i.name] is not False],
                       [i for i in importers if verdicts[i.name]]):
        sure = [i for i in candidates if verdicts[i.name]]
        if len(sure) == 1 or (not sure and len(candidates) == 1):
            return (sure or candidates)[0]
        if len(sure) > 1:
            raise UnknownFormatError(
                f"format: {name or 'the input'!r} could be any of "
                f"{', '.join(i.name for i in sure)}.", plugin=None,
                fix="Say which with -f NAME (format=NAME).")
    raise UnknownFormatError(
        f"format: cannot tell the import format of {name or 'the input'!r} from its suffix "
        f"({suffix or 'none'}) or its content.", plugin=None,
        fix=f"Give -f NAME (format=NAME); installed importers: "
            f"{', '.join(i.name for i in importers) or 'none'} (see: timeline importers).")


# --- the import itself --------------------------------------------------------------------------

class _Job:
    """Counts, de-duplication and batched appends for one import.

    A row is a duplicate when its key or event id is in the log (read once,
    before the first row) or came earlier in the file.
    """

    def __init__(self, log: Log, matcher: _Matcher, batch_size: int, dry_run: bool) -> None:
        self.log, self.matcher, self.batch_size, self.dry_run = log, matcher, batch_size, dry_run
        self.rows = self.recorded = self.duplicates = self.filtered = 0
        self.rejected: Counter[str] = Counter()
        self.positions: tuple[int, int] | None = None
        self.pending: list[tuple[Event, str]] = []
        self.ids, self.keys = _known(log)

    def add(self, row: ImportRow) -> None:
        self.rows += 1
        event = row.record
        assert isinstance(event, Event) and row.key
        if row.key in self.keys or event.id in self.ids:
            self.duplicates += 1
            return
        self.keys.add(row.key)
        self.ids.add(event.id)
        self.pending.append((event, row.key))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        batch = self.matcher.keep(self.pending)
        self.filtered += len(self.pending) - len(batch)
        self.pending = []
        if batch and self.dry_run:
            self.recorded += len(batch)
        elif batch:
            self._append(batch)

    def _append(self, batch: list[tuple[Event, str]]) -> None:
        before = self.log.head[0]
        try:
            entries = self.log.append_batch(
                [Append.record(e, idempotency_key=k) for e, k in batch])
        except DuplicateEventError:
            # Another writer recorded one of these ids meanwhile: drop what is taken now.
            ids, keys = _known(self.log)
            fresh = [(e, k) for e, k in batch if e.id not in ids and k not in keys]
            self.duplicates += len(batch) - len(fresh)
            self.ids |= ids
            self.keys |= keys
            entries = self.log.append_batch(
                [Append.record(e, idempotency_key=k) for e, k in fresh]) if fresh else []
        new = [e for e in entries if e.position > before]  # others: retries of the same keys
        self.duplicates += len(entries) - len(new)
        self.recorded += len(new)
        if new:
            first = self.positions[0] if self.positions else new[0].position
            self.positions = (first, new[-1].position)


def _done(positions: tuple[int, int] | None) -> str:
    if positions is None:
        return "nothing was imported."
    return (f"the rows before it are imported (log positions {positions[0]}-{positions[1]}), "
            "in whole batches.")


def _known(log: Log) -> tuple[set[str], set[str]]:
    ids: set[str] = set()
    keys: set[str] = set()
    for entry in log.entries():
        ids.add(entry.event_id)
        key = getattr(entry, "idempotency_key", None)
        if key:
            keys.add(key)
    return ids, keys


class _Matcher:
    """The import filters, applied through :meth:`Chronology.filter` (one rule for all)."""

    def __init__(self, filters: dict[str, Any]) -> None:
        self.filters = {k: v for k, v in filters.items() if v is not None}
        if self.filters:
            Chronology(()).filter(**self.filters)  # bad filters fail before anything is read

    def keep(self, batch: list[tuple[Event, str]]) -> list[tuple[Event, str]]:
        if not self.filters or not batch:
            return batch
        states = tuple(EventState(e, _EPOCH, _EPOCH, 0, 0) for e, _ in batch)
        kept = {s.event.id for s in Chronology(states).filter(**self.filters)}
        return [(e, k) for e, k in batch if e.id in kept]


def _run(reader: Any, stream: BinaryIO, options: dict[str, Any] | None, importer: Importer,
         plugins: Plugins) -> Iterator[ImportRow]:
    """The reader's rows; a bug in a plugin is named, not shown as a traceback."""
    owner = plugins.importer_owners.get(importer.name)
    try:
        for row in reader(stream, **(options or {})):
            if not isinstance(row, ImportRow):
                raise TypeError(f"the reader yielded {type(row).__name__}, not ImportRow")
            yield row
    except TimelineError:
        raise
    except RecursionError as exc:  # most likely the input's depth, so it says so first
        raise TimelineError(
            f"file: nests deeper than the {importer.name} reader can follow "
            f"({type(exc).__name__}: {exc}).", field="file",
            fix=f"Check the file; if it does not nest deeply, report this to the author of "
                f"plugin {owner!r}.") from exc
    except MemoryError:  # most likely the input's size (/dev/zero, a line without end)
        raise TimelineError(
            f"file: is too large for the {importer.name} reader to hold in memory.",
            field="file", fix=f"Split the file, or give a file of {importer.name} format; if "
            f"it is small, report this to the author of plugin {owner!r}.") from None
    except Exception as exc:
        raise PluginError(
            f"plugin {owner!r}: import format {importer.name!r} failed while reading: "
            f"{type(exc).__name__}: {exc}.", plugin=owner,
            fix="Report this to the plugin's author, with the file that caused it.") from exc


def _load(importer: Importer, plugins: Plugins) -> Any:
    try:
        return importer.load()
    except Exception as exc:  # a broken plugin is reported by name, not as a traceback
        owner = plugins.importer_owners.get(importer.name)
        raise PluginError(
            f"plugin {owner!r}: the reader {importer.reader!r} of import format "
            f"{importer.name!r} could not be loaded: {type(exc).__name__}: {exc}.",
            plugin=owner, fix="Reinstall the plugin, or report this to its author.") from exc


def _sniff(importer: Importer, head: bytes) -> bool | None:
    """True / False from the importer's sniffer; None when it has none (or it breaks)."""
    try:
        sniffer = importer.load_sniffer()
        return None if sniffer is None else bool(sniffer(head))
    except Exception:  # a broken sniffer only means "no opinion"
        return None


def _source_name(source: Any) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).name
    name = getattr(source, "name", None)
    # A stream of a real file has its path; stdin says "<stdin>", a BytesIO nothing.
    return Path(name).name if isinstance(name, str) and not name.startswith("<") else "input"


def _open(source: Any) -> Any:
    """The input as a seekable binary stream (it is read twice). A pipe or a FIFO (``-``,
    ``<(zcat f.gz)``) is first copied to a temporary file; a device other than a terminal
    (``/dev/zero`` never ends) is refused."""
    if not isinstance(source, (str, os.PathLike)):
        _refuse_device(source, "standard input" if getattr(source, "name", None) == "<stdin>"
                       else "the input")
        return _Borrowed(source) if source.seekable() else _spooled(source, "the input")
    try:
        stream = open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise TimelineError(f"file: {str(source)!r} cannot be read: {exc.strerror or exc}.",
                            field="file", value=str(source),
                            fix="Check the path and that the file is readable.") from None
    with stream:
        _refuse_device(stream, repr(str(source)))
        if not stream.seekable():
            return _spooled(stream, repr(str(source)))
    return open(source, "rb")  # noqa: SIM115


def _refuse_device(stream: Any, shown: str) -> None:
    try:
        st = os.fstat(stream.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return  # an in-memory stream
    if (stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)) and not os.isatty(stream.fileno()):
        what = "a character device" if stat.S_ISCHR(st.st_mode) else "a block device"
        raise TimelineError(f"file: {shown} is {what}, not a file of events (it may never "
                            "end).", field="file", value=shown,
                            fix="Give a file of events, or pipe one into standard input.")


def _spooled(stream: Any, shown: str) -> Any:
    spool = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
    try:
        shutil.copyfileobj(stream, spool)
    except OSError as exc:  # a full temporary folder, a read error
        spool.close()
        raise TimelineError(f"file: {shown} could not be read into a temporary file: "
                            f"{exc.strerror or exc}.", field="file", value=shown,
                            fix="Make room in the temporary folder (TMPDIR), or give a "
                                "regular file.") from None
    spool.seek(0)
    return spool


class _Borrowed:
    """A caller's stream: used from its start, not closed."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def __enter__(self) -> BinaryIO:
        self.stream.seek(0)
        return self.stream

    def __exit__(self, *exc: object) -> None:
        return None


def _head(stream: BinaryIO) -> bytes:
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return head


def _progress(rows: Iterator[ImportRow], stream: BinaryIO, enabled: bool,
              label: str) -> Iterator[ImportRow]:
    """``rows``, with a tqdm bar of the stream's byte position on stderr (only on a terminal,
    and only once the import has run half a second: small files show none)."""
    import sys

    if not enabled or sys.stderr is None or not sys.stderr.isatty():  # 2>&-: None
        yield from rows
        return
    from tqdm import tqdm

    with tqdm(total=_size(stream), unit="B", unit_scale=True, desc=label, file=sys.stderr,
              delay=0.5, leave=False) as bar:
        for n, row in enumerate(rows):
            if n % 256 == 0:
                bar.update(stream.tell() - bar.n)
            yield row
        bar.update(stream.tell() - bar.n)


def _size(stream: BinaryIO) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        return None


def _default_rejects(log: Log, name: str) -> Path:
    # A database log (SQLite URL, PostgreSQL) has no folder: use the current one.
    folder = log.path.parent if log.path is not None else Path.cwd()
    return folder / f"{name}.rejects.tsv"


class _RejectsFile:
    """The side file of rejected rows, an :class:`~timeline.outputs.Output` opened before
    anything is appended (so an unwritable place fails first): a temporary file in the
    target's folder, renamed into place at the end if any row was rejected, removed
    otherwise (a FIFO or device: written in place, the header with the first row)."""

    def __init__(self, output: Output, dry_run: bool) -> None:
        self.output, self.dry_run = output, dry_run
        self.file = io.TextIOWrapper(output.open(), encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, delimiter="\t", lineterminator="\n")
        self.count = 0

    def add(self, line: int, rejection: Rejection) -> None:
        try:
            if not self.count:
                self.writer.writerow(["line", "reason", "detail"])
            self.writer.writerow([line, _one_line(rejection.reason),
                                  _one_line(rejection.detail)])
        except OSError as exc:
            raise self._failed(exc) from None
        self.count += 1

    def commit(self) -> str | None:
        """Put the file in place and return its path; ``None`` (and no file) when no row
        was rejected."""
        if not self.count:
            return None
        try:
            self.file.flush()
        except OSError as exc:
            raise self._failed(exc) from None
        try:
            self.output.commit()
        except OutputError as exc:
            raise self._failed(exc) from None
        return self.output.value

    def discard(self) -> None:
        """Remove the temporary file, if it is still there."""
        self.output.discard()

    def _failed(self, exc: OSError | OutputError) -> OutputError:
        error = exc if isinstance(exc, OutputError) else self.output.error(exc)
        if self.dry_run:
            return error
        return OutputError(error.message, field=error.field, value=error.value,  # type: ignore[arg-type]
                           errno=error.errno, fix=f"{error.fix} Batches appended before it "
                           "stay in the log; the same import run again skips them and "
                           "writes the side file.")


def _one_line(text: str) -> str:
    return " ".join(text.split())
