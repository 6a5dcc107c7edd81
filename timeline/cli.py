"""The ``timeline`` command line (click).

Errors are printed to stderr as ``Error: ...`` and exit with the codes in
:mod:`timeline.errors` (documented in ``docs/cli.md``): 1 domain error,
2 usage error, 3 concurrency conflict, 4 the log failed verification,
5 the log stayed locked, 141 standard output closed by its reader.
Heavy imports (plugins, icalendar) happen inside the commands that need them.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from .__about__ import __version__
from .errors import RetractedEventError, TimelineError, ValidationError

_STATUSES = ("occurred", "scheduled", "expected", "cancelled")
_EMPTY: dict[str, Any] = {"summary": "", "actors": (), "place": None, "sources": (), "tags": (),
                          "cameo": None}
_CLEARABLE = tuple(_EMPTY)


EXIT_PIPE = 141  # 128 + SIGPIPE, what a shell shows for a program its reader left


def _errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn TimelineError into ``Error: ...`` on stderr and its exit code.

    Before the command runs, standard output and error must not be a file of the log it
    names (``timeline list LOG >> LOG``): exit 1, with the error on stderr only when
    stderr is not the log itself (then nothing at all is printed). A reader that closes
    standard output early (``| head``) ends the command quietly with exit 141.
    """
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            _check_streams(kwargs)
            return func(*args, **kwargs)
        except TimelineError as exc:
            if _closed_stdout(exc):
                _quiet_exit()
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            _quiet_exit()
    return wrapper


def _check_streams(kwargs: dict[str, Any]) -> None:
    locations = [kwargs[k] for k in ("log", "source", "destination") if kwargs.get(k)]
    if not locations:
        return
    from .outputs import standard_stream_on

    found = standard_stream_on(locations)
    if found is None:
        return
    fd, what = found
    if fd == 2:
        sys.exit(1)  # any message would land in the log
    from .errors import OutputError

    raise OutputError(f"output: standard output is {what}; writing there would destroy it.",
                      field="output", value="-",
                      fix="Redirect the output to another file (> out.txt).")


def _closed_stdout(exc: TimelineError) -> bool:
    import errno

    # export's output (stdout, /dev/stdout, a FIFO) whose reader left; not --rejects,
    # whose error must say that batches were appended before it
    return getattr(exc, "errno", None) == errno.EPIPE and exc.field == "output"


def _quiet_exit() -> None:
    import os

    try:  # Python flushes stdout at exit: let that flush go nowhere, not to a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(EXIT_PIPE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="timeline")
@click.option("--lock-timeout", metavar="SECONDS",
              help="Wait at most this long for the log's lock, then fail (exit 5); 0 fails "
              "at once. Default: TIMELINE_LOCK_TIMEOUT, else 60.")
@_errors
def main(lock_timeout: str | None) -> None:
    """Keep an honest, sourced, correctable record of diplomatic events.

    LOG is an event log: a JSON Lines file (my.jsonl), a SQLite file
    (my.sqlite or sqlite:///my.sqlite) or a PostgreSQL database
    (postgresql://user@host/db). Create one with 'timeline init LOG'.
    Exit codes: 0 ok, 1 error, 2 usage, 3 concurrency conflict, 4 log failed
    verification, 5 the log stayed locked (see --lock-timeout).
    """
    if lock_timeout is not None:  # for this command only: undone when it ends
        from .stores import locks

        token = locks.use_lock_timeout(locks.parse_lock_timeout(lock_timeout))
        click.get_current_context().call_on_close(lambda: locks.reset_lock_timeout(token))


# --- shared options -------------------------------------------------------------------------

def _filter_options(func: Callable[..., Any] | None = None, *,
                    as_of: bool = True) -> Any:
    if func is None:  # @_filter_options(as_of=False)
        return functools.partial(_filter_options, as_of=as_of)
    options = [
        click.option("--from", "date_from", metavar="EDTF",
                     help="Only events whose dates overlap this date or later."),
        click.option("--to", "date_to", metavar="EDTF",
                     help="Only events whose dates overlap this date or earlier."),
        click.option("--actor", metavar="CODE", help="CAMEO actor code prefix (PAK matches PAKGOV)."),
        click.option("--tag", help="Only events with this tag."),
        click.option("--cameo", metavar="CODE", help="CAMEO event code prefix (04 matches 042)."),
        click.option("--status", type=click.Choice(_STATUSES)),
        click.option("--text", help="Case-insensitive text in title, summary, actors or place."),
        click.option("--as-of", "as_of", metavar="POSITION|TIME",
                     help="The chronology as it stood at a log position or UTC record time."),
    ][: None if as_of else -1]
    for option in reversed(options):
        func = option(func)
    return func


def _as_of(value: str | None) -> int | _dt.datetime | None:
    if value is None:
        return None
    if value.isascii() and value.isdigit():  # isdigit alone takes "²", which int() refuses
        return int(value)
    try:
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError("--as-of", value, "is neither a position nor an ISO 8601 time",
                              "Give a position (12) or a UTC time (2026-11-29T18:00:00Z).") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _chronology(log_path: Any, as_of: str | None, filters: dict[str, Any],
                title: str | None = None):  # noqa: ANN202
    from .log import Log

    log = log_path if isinstance(log_path, Log) else Log(log_path)
    # A database log answers from its read model when it is current (docs/read-model.md).
    return log.chronology(as_of=_as_of(as_of), title=title, **filters)


_KEY_OPTION = click.option(
    "--idempotency-key", metavar="KEY",
    help="Name this append; running the same command again with the same key prints the "
    "original id and position and appends nothing.")


def _event_options(required: bool) -> Callable[..., Any]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option("--date", required=required, metavar="EDTF",
                         help="Event time as EDTF: 2013-08-28, 2013-08, 2013, 2013?, 2012/2014."),
            click.option("--title", required=required, help="One line saying what happened."),
            click.option("--summary", help="Longer text."),
            click.option("--actor", "actors", multiple=True, metavar="CODE[:NAME[:ROLE]]",
                         help="CAMEO actor, e.g. PAKGOV:Jalil Abbas Jilani:Foreign Secretary."),
            click.option("--place", metavar="NAME[:COUNTRY]", help="e.g. Moscow:RUS (ISO 3166)."),
            click.option("--source", "sources", multiple=True, metavar="URL",
                         help="Source address (http/https); repeat for several. The Nth --source-title, "
                         "--source-publisher and --source-date describe the Nth source; a "
                         "print source may have a title and no address."),
            click.option("--source-title", "source_titles", multiple=True,
                         help="Title of the Nth --source (repeat in the same order)."),
            click.option("--source-publisher", "source_publishers", multiple=True,
                         help="Publisher of the Nth --source."),
            click.option("--source-date", "source_dates", multiple=True, metavar="EDTF",
                         help="Publication date of the Nth --source."),
            click.option("--tag", "tags", multiple=True, help="A tag; repeat for several."),
            click.option("--cameo", metavar="CODE", help="CAMEO event code, e.g. 042."),
            click.option("--status", type=click.Choice(_STATUSES)),
            click.option("--expected-position", type=int, metavar="N",
                         help="Refuse (exit 3) unless the log is at position N."),
            _KEY_OPTION,
        ]
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


def _sources(urls: tuple[str, ...], titles: tuple[str, ...], publishers: tuple[str, ...],
             dates: tuple[str, ...]) -> list[Any]:
    from .records import Source

    def nth(values: tuple[str, ...], i: int) -> str | None:
        return values[i] if i < len(values) and values[i] else None

    # The Nth --source-* option describes the Nth source; a print source has no URL.
    count = max(len(urls), len(titles), len(publishers), len(dates))
    return [Source(nth(urls, i), title=nth(titles, i), publisher=nth(publishers, i),
                   published=nth(dates, i)) for i in range(count)]


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The Event fields given on the command line (only those given)."""
    from .records import parse_actor, parse_place

    fields: dict[str, Any] = {}
    for key in ("date", "title", "summary", "cameo", "status"):
        if values.get(key) is not None:
            fields[key] = values[key]
    if values.get("actors"):
        fields["actors"] = [parse_actor(a) for a in values["actors"]]
    if values.get("place") is not None:
        fields["place"] = parse_place(values["place"]) if values["place"] else None
    if any(values.get(k) for k in ("sources", "source_titles", "source_publishers",
                                   "source_dates")):
        fields["sources"] = _sources(values["sources"], values["source_titles"],
                                     values["source_publishers"], values["source_dates"])
    if values.get("tags"):
        fields["tags"] = list(values["tags"])
    return fields


# --- commands -------------------------------------------------------------------------------

@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@_errors
def init(log: str) -> None:
    """Create a new, empty LOG (a file, or the tables of a database log)."""
    from .log import Log

    target = Log.create(log)
    click.echo(f"created {log if target.path is not None else target.location}")


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("--id", "event_id", metavar="SLUG", help="Event id (default: from date and title).")
@_event_options(required=True)
@_errors
def record(log: str, event_id: str | None, expected_position: int | None,
           idempotency_key: str | None, **values: Any) -> None:
    """Record a new event in LOG; prints its id and position."""
    from .log import Log
    from .records import Event, make_event_id

    target = Log(log)
    fields = _fields(values)
    earlier = target.entry_for_key(idempotency_key) if idempotency_key is not None else None
    if event_id is None and earlier is not None:
        event_id = earlier.event_id  # a retry: the id derived the first time
    if event_id is None:
        taken = target.event_ids()  # retracted ids stay taken
        event_id = make_event_id(fields["date"], fields["title"], taken)
    entry = target.record(Event(id=event_id, **fields), expected_position=expected_position,
                          idempotency_key=idempotency_key)
    click.echo(f"{entry.event_id}\t{entry.position}")


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.argument("event_id", metavar="ID")
@_event_options(required=False)
@click.option("--clear", "clear", multiple=True, type=click.Choice(_CLEARABLE),
              help="Empty a field (repeat for several).")
@click.option("--reason", required=True, help="Why the record is corrected.")
@_errors
def revise(log: str, event_id: str, reason: str, expected_position: int | None,
           idempotency_key: str | None, clear: tuple[str, ...], **values: Any) -> None:
    """Correct an event: the given fields replace the current ones.

    A repeated option (--actor, --source, --tag) given at all replaces the
    whole list; --clear empties a field.
    """
    import attrs

    from .log import Log

    target = Log(log)
    fields = _fields(values)
    for name in clear:
        if name in fields:
            raise ValidationError("--clear", name, "clears a field that is also given",
                                  f"Either give --{name.rstrip('s')} or --clear {name}.")
        fields[name] = _EMPTY[name]
    from .chronology import fold

    chronology = fold(target.history(event_id))  # UnknownEventError if never recorded
    if not any(item.event.id == event_id for item in chronology):
        raise RetractedEventError(f"id: event {event_id!r} was retracted; it cannot be revised.",
                                  event_id=event_id, fix="Record a new event instead.")
    current = chronology.get(event_id).event
    if not fields:
        raise TimelineError("fields: nothing to revise.", field="fields",
                            fix="Give at least one of --date, --title, --summary, --actor, ...")
    entry = target.revise(attrs.evolve(current, **fields), reason=reason,
                          expected_position=expected_position, idempotency_key=idempotency_key)
    click.echo(f"{entry.event_id}\t{entry.position}")


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.argument("event_id", metavar="ID")
@click.option("--reason", required=True, help="Why the event is withdrawn from the record.")
@click.option("--expected-position", type=int, metavar="N",
              help="Refuse (exit 3) unless the log is at position N.")
@_KEY_OPTION
@_errors
def retract(log: str, event_id: str, reason: str, expected_position: int | None,
            idempotency_key: str | None) -> None:
    """Retract an event: it leaves the chronology; its history stays in the log."""
    from .log import Log

    entry = Log(log).retract(event_id, reason=reason, expected_position=expected_position,
                             idempotency_key=idempotency_key)
    click.echo(f"{entry.event_id}\t{entry.position}")


@main.command("list")
@click.argument("log", type=click.Path(dir_okay=False))
@_filter_options
@_errors
def list_(log: str, as_of: str | None, **filters: Any) -> None:
    """List the chronology: date, id and title, one event a line (tab-separated)."""
    for item in _chronology(log, as_of, filters):
        event = item.event
        status = "" if event.status == "occurred" else f" ({event.status})"
        click.echo(f"{event.date.edtf}\t{event.id}\t{event.title}{status}")


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.argument("event_id", metavar="ID")
@click.option("--as-of", "as_of", metavar="POSITION|TIME")
@_errors
def show(log: str, event_id: str, as_of: str | None) -> None:
    """Show one event as JSON, with its dates' bounds and record times."""
    from .entries import format_time
    from .log import Log

    item = Log(log).state(event_id, as_of=_as_of(as_of))
    date = item.event.date
    data = item.event.to_dict()
    data["date_bounds"] = {"lower": date.lower and date.lower.isoformat(),
                           "upper": date.upper and date.upper.isoformat(),
                           "precision": date.precision}
    data["recorded_at"] = format_time(item.recorded_at)
    data["updated_at"] = format_time(item.updated_at)
    data["positions"] = [item.first_position, item.last_position]
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.argument("event_id", metavar="ID")
@_errors
def history(log: str, event_id: str) -> None:
    """Every entry that touched an event: position, record time, type, date, title, reason."""
    from .entries import format_time
    from .log import Log

    for entry in Log(log).history(event_id):
        what = f"{entry.event.date.edtf}\t{entry.event.title}" if entry.event else "-\t-"
        click.echo(f"{entry.position}\t{format_time(entry.recorded_at)}\t{entry.type}\t{what}"
                   f"\t{entry.reason or ''}")


def _events(log: Any, as_of: str | None, filters: dict[str, Any],
            title: str | None = None):  # noqa: ANN202
    """What ``export`` reads: :meth:`Log.events`, streamed from a current SQL read model,
    else the folded chronology's (docs/read-model.md)."""
    from .log import Log

    source = log if isinstance(log, Log) else Log(log)
    return source.events(as_of=_as_of(as_of), title=title, **filters)


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "format_", required=True, metavar="NAME",
              help="Export format (see: timeline formats).")
@click.option("-o", "--output", default="-", metavar="PATH|-",
              help="Output file, written atomically (a FIFO or device: in place); never a "
              "file of LOG; - for stdout (the default).")
@click.option("--title", help="Calendar / document title (default: the log's file name).")
@click.option("-O", "--option", "format_options", multiple=True, metavar="NAME=VALUE",
              help="An option of the format, e.g. -O layout=table for markdown (repeat; "
              "see: timeline formats --verbose).")
@_filter_options
@_errors
def export(log: str, format_: str, output: str, title: str | None, as_of: str | None,
           format_options: tuple[str, ...], **filters: Any) -> None:
    """Export the chronology (or part of it) through an exporter plugin."""
    from .exporting import export as run_export
    from .log import Log
    from .outputs import Output
    from .plugins import make_plugin_manager

    plugins = make_plugin_manager()
    exporter = plugins.exporter(format_)
    # An unknown format or a bad option fails before the log is read; so does an
    # output that is a file of the log (or a folder, a socket...).
    options = exporter.parse_options(_name_values(format_options))
    source = Log(log)
    target = Output(sys.stdout.buffer if output == "-" else output, protect=[source],
                    example=f"chronology{exporter.suffix}")
    events = _events(source, as_of, filters, title)
    run_export(events, format_, target, plugins=plugins, **options)
    if output != "-":
        count = events.yielded
        click.echo(f"wrote {count} event{'' if count == 1 else 's'} to {output}", err=True)


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("--expect-head", metavar="HASH",
              help="Also fail unless the log still contains this head hash (detects truncation).")
@click.option("--expect-position", type=int, metavar="N",
              help="Also fail unless the log still reaches position N (detects truncation).")
@click.option("--repair", is_flag=True,
              help="First move an incomplete final line (left by a crash) to LOG.torn-OFFSET.")
@_errors
def verify(log: str, expect_head: str | None, expect_position: int | None, repair: bool) -> None:
    """Check every entry's hash, position and record; exit 4 at the first bad position.

    With --repair, an incomplete final line is first moved to a side file
    (only that line: a log with any bad complete entry is refused unchanged).
    """
    from .log import Log

    target = Log(log)
    if repair:
        click.echo(f"repair: {target.repair()}")
    report = target.verify(expect_head=expect_head, expect_position=expect_position)
    click.echo(f"ok: {report.entries} entries, {report.events} events, head {report.head_hash}")
    model = target.verify_read_model()  # none kept (the cache off): nothing more
    if model is not None:
        click.echo(f"read model: {model}")


@main.command()
@click.argument("log", type=click.Path(dir_okay=False))
@_errors
def rebuild(log: str) -> None:
    """Rebuild LOG's read model from every entry, in one transaction (a JSON Lines log's
    is in the cache folder: docs/read-model.md).

    The read model is what list and export read instead of folding the log;
    it is derived, checked against the log on every read, and rebuilt here.
    """
    from .log import Log

    target = Log(log)
    report = target.rebuild()
    if report is None:
        click.echo("nothing to rebuild: the cache folder is turned off (TIMELINE_CACHE_DIR "
                   "is empty), so this JSON Lines log keeps no read model; every read folds "
                   "the log.")
    else:
        click.echo(f"rebuilt the read model: {report.events} events at position "
                   f"{report.position}, head {report.head}")


@main.command()
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DST")
@_errors
def copy(source: str, destination: str) -> None:
    """Copy the log SRC into DST, a new or empty log in any store (file, SQLite,
    PostgreSQL): every entry exactly, record times and hashes included, each
    checked on the way. All or nothing; then DST is verified.
    """
    from .log import Log

    target = Log(source).copy_to(destination)
    report = target.verify()
    shown = destination if target.path is not None else target.location
    click.echo(f"copied {report.entries} entries to {shown}; ok: {report.events} events, "
               f"head {report.head_hash}")


def _name_values(items: tuple[str, ...]) -> dict[str, str]:
    """``-O name=value`` pairs as a dict; raises ValidationError for a malformed or
    repeated one."""
    values: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise ValidationError("-O", item, "is not NAME=VALUE",
                                  "For example -O layout=table (see: timeline formats --verbose).")
        if name.strip() in values:
            raise ValidationError("-O", name.strip(), "is given twice", "Give each option once.")
        values[name.strip()] = value
    return values


@main.command()
@click.option("-v", "--verbose", is_flag=True,
              help="Also list each format's options: -O NAME=VALUES, default, help.")
@_errors
def formats(verbose: bool) -> None:
    """List the installed export formats (name, suffix, media type, description)."""
    from .plugins import make_plugin_manager

    plugins = make_plugin_manager()
    for name, exporter in plugins.exporters().items():
        click.echo(f"{name}\t{exporter.suffix}\t{exporter.media_type}\t{exporter.description}")
        if verbose:
            for option in exporter.options:
                click.echo(f"  -O {option.name}={option.metavar}\tdefault: "
                           f"{option.default_text}\t{option.help}")
            if not exporter.options:
                click.echo("  (no options)")
    for failure in plugins.failures:
        click.echo(f"warning: {failure.error}", err=True)


@main.command("import")
@click.argument("log", type=click.Path(dir_okay=False))
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "format_", metavar="NAME",
              help="Import format (see: timeline importers); default: guessed from the "
              "file's suffix and content.")
@click.option("--dry-run", is_flag=True, help="Read and check everything; append nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and list the others (line, reason) in a side file; "
              "without it, one invalid row stops the import and nothing is appended.")
@click.option("--rejects", metavar="PATH",
              help="The side file of rejected rows (default: FILE's name + .rejects.tsv, "
              "in LOG's folder).")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Events per append; each batch is all-or-nothing.")
@click.option("--option", "reader_options", multiple=True, metavar="NAME=VALUE",
              help="An option of the format's reader, e.g. delimiter=; for csv (repeat).")
@_filter_options(as_of=False)
@_errors
def import_(log: str, file: str, format_: str | None, dry_run: bool, skip_invalid: bool,
            rejects: str | None, batch_size: int, reader_options: tuple[str, ...],
            **filters: Any) -> None:
    """Import the events of FILE (ICEWS, GDELT, TimelineJS, CSV, iCal, JSON...) into LOG.

    Safe to repeat: rows already imported (same source identity or event id)
    are skipped, so an interrupted import is finished by running it again.
    Prints a summary: rows read, events recorded, duplicates skipped, rows
    rejected by reason.
    """
    from .importing import import_file

    options = {}
    for item in reader_options:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise ValidationError("--option", item, "is not NAME=VALUE",
                                  "For example --option delimiter=;")
        options[name] = value
    source: Any = sys.stdin.buffer if file == "-" else file
    summary = import_file(log, source, format_, dry_run=dry_run, skip_invalid=skip_invalid,
                          rejects=rejects, batch_size=batch_size, filters=filters,
                          progress=True, options=options)
    for line in summary.lines():
        click.echo(line)


@main.command()
@_errors
def importers() -> None:
    """List the installed import formats (name, suffixes, description)."""
    from .plugins import make_plugin_manager

    plugins = make_plugin_manager()
    for name, importer in plugins.importers().items():
        click.echo(f"{name}\t{' '.join(importer.suffixes) or '-'}\t{importer.description}")
    for failure in plugins.failures:
        click.echo(f"warning: {failure.error}", err=True)


@main.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def plugins_(as_json: bool) -> None:
    """List the installed plugins: name, distribution and version, status (ok,
    error or skipped), then the hooks and formats, or the error.

    TIMELINE_PLUGINS=a,b loads only the plugins named; TIMELINE_PLUGINS_STRICT=1
    makes any plugin failure an error (exit 1).
    """
    from .plugins import make_plugin_manager

    plugins = make_plugin_manager()
    plugins.exporters()  # runs the hooks, so hook failures are reported too
    plugins.importers()
    provides: dict[tuple[str, str], list[str]] = {}
    for key, owners in (("formats", plugins.format_owners),
                        ("importers", plugins.importer_owners)):
        for name, owner in owners.items():
            provides.setdefault((owner, key), []).append(name)

    def row(info: Any, status: str, error: str | None) -> dict[str, Any]:
        return {"name": info.name, "distribution": info.distribution, "version": info.version,
                "hooks": list(info.hooks), "formats": provides.get((info.name, "formats"), []),
                "importers": provides.get((info.name, "importers"), []), "status": status,
                "error": error}

    rows = []
    for info in plugins.infos.values():
        errors = [f.error for f in plugins.failures
                  if f.name == info.name and f.distribution == info.distribution]
        rows.append(row(info, "error" if errors else "ok", errors[0] if errors else None))
    loaded = {(info.name, info.distribution) for info in plugins.infos.values()}
    # A failure of a plugin that never loaded under its name: a second distribution
    # with a taken entry point name.
    rows += [row(f, "error", f.error) for f in plugins.failures
             if (f.name, f.distribution) not in loaded]
    rows += [row(info, "skipped", None) for info in plugins.skipped]
    rows.sort(key=lambda r: r["name"])
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        detail = r["error"] or ("not loaded (TIMELINE_PLUGINS)" if r["status"] == "skipped"
                                else f"hooks: {', '.join(r['hooks'])}; formats: "
                                + (", ".join(r["formats"]) or "-")
                                + (f"; importers: {', '.join(r['importers'])}"
                                   if r["importers"] else ""))
        origin = " ".join(part for part in (r["distribution"], r["version"]) if part)
        click.echo(f"{r['name']}\t{origin or '-'}\t{r['status']}\t{detail}")


if __name__ == "__main__":  # pragma: no cover
    main()
