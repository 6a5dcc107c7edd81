"""Hook specifications: the public API for plugins (pluggy project name ``"timeline"``).

A plugin is a module (or object) whose functions are marked with
:data:`hookimpl` and whose names match a hook below. It is found through the
``timeline`` entry point group, exactly like the first-party plugins::

    [project.entry-points.timeline]
    mermaid = "timeline_mermaid"

Each hook's docstring says when it is called, its arguments and what it
returns; ``docs/hooks.md`` is the reference, and ``tests/test_docs.py`` keeps
the two equal. Hooks only ever gain arguments (pluggy lets an implementation
accept fewer than the spec offers); a hook or argument to be removed first
warns for a whole release (pluggy's ``warn_on_impl``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

import attrs
import pluggy

from .errors import ValidationError
from .records import Event

__all__ = ["hookspec", "hookimpl", "Option", "Exporter", "timeline_exporters", "Importer",
           "ImportRow", "Rejection", "timeline_importers"]

#: Marks a hook specification (used by this module only).
hookspec = pluggy.HookspecMarker("timeline")
#: Marks a plugin's hook implementation: ``@hookimpl def timeline_exporters(): ...``.
hookimpl = pluggy.HookimplMarker("timeline")

_FORMAT_NAME = r"[a-z0-9][a-z0-9_-]{0,39}"
# What an option's value is called in messages, and how the CLI shows its type.
_TYPES: dict[type, tuple[str, str]] = {
    str: ("a string", "TEXT"), int: ("a whole number", "INT"), float: ("a number", "NUMBER"),
    bool: ("true or false", "true|false")}
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_BOOLS = {"true": True, "yes": True, "on": True, "1": True,
          "false": False, "no": False, "off": False, "0": False}


@attrs.frozen(slots=True)
class Option:
    """One option an exporter takes: ``timeline export -O name=value``, or
    ``timeline.export(..., name=value)``.

    - ``name``: a Python identifier in lowercase (``layout``), so it can be a
      keyword argument.
    - ``type``: ``str``, ``int``, ``float`` or ``bool``; the command line's
      text is converted to it (``bool`` takes ``true``/``false``, ``yes``/``no``,
      ``on``/``off``, ``1``/``0``).
    - ``default``: the value the writer gets when the option is not given.
    - ``help``: one line for ``timeline formats --verbose``.
    - ``choices``: the only values allowed (empty: any value of the type).
    - ``nullable``: ``None`` is allowed too (``-O name=none`` on the command line).

    A default that its own option would refuse raises
    :class:`~timeline.errors.ValidationError` (the plugin's hook is then
    reported as failed).
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z][a-z0-9_]{0,39}"))
    type: type = attrs.field(validator=attrs.validators.in_(tuple(_TYPES)))
    default: Any
    help: str
    choices: tuple[Any, ...] = attrs.field(default=(), converter=tuple)
    nullable: bool = False

    def __attrs_post_init__(self) -> None:
        for choice in self.choices:
            self.check(choice, field="choices")
        self.check(self.default, field="default")

    @property
    def metavar(self) -> str:
        """How the command line shows the value: ``list|table``, ``INT|none``."""
        shown = "|".join(_text(c) for c in self.choices) or _TYPES[self.type][1]
        return f"{shown}|none" if self.nullable else shown

    @property
    def default_text(self) -> str:
        """The default as the command line writes it: ``2``, ``none``, ``true``, ``list``."""
        return _text(self.default)

    def check(self, value: Any, *, exporter: str | None = None, field: str | None = None) -> Any:
        """``value`` if it is of this option's type (an int given for a float becomes a
        float) and among its choices; else raises :class:`~timeline.errors.ValidationError`
        naming the option (or ``field``) and, when given, the ``exporter``."""
        if value is None and self.nullable:
            return value
        if self.type is float and type(value) is int:
            value = float(value)
        if type(value) is not self.type:  # exact: True is not a whole number here
            raise ValidationError(field or self.name, value, f"is not {_TYPES[self.type][0]}",
                                  f"Give {self._expected()}.")
        if self.choices and value not in self.choices:
            whose = f"the {exporter} exporter's" if exporter else "the"
            raise ValidationError(field or self.name, value,
                                  f"is not one of {whose} {self.name} values",
                                  f"Use one of: {', '.join(_text(c) for c in self.choices)}.")
        return value

    def parse(self, text: str, *, exporter: str | None = None) -> Any:
        """The value the command line's ``text`` stands for, checked like :meth:`check`."""
        stripped = text.strip()
        if self.nullable and stripped.lower() == "none":
            return None
        value: Any
        if self.type is str:
            value = text
        elif self.type is int and _INT.fullmatch(stripped):
            value = int(stripped)
        elif self.type is float and _FLOAT.fullmatch(stripped):
            value = float(stripped)
        elif self.type is bool and stripped.lower() in _BOOLS:
            value = _BOOLS[stripped.lower()]
        else:
            raise ValidationError(self.name, text, f"is not {_TYPES[self.type][0]}",
                                  f"Give {self._expected()}, e.g. -O {self.name}="
                                  f"{_text(self.default)}.")
        return self.check(value, exporter=exporter)

    def _expected(self) -> str:
        what = _TYPES[self.type][0]
        return f"{what} or none" if self.nullable else what


def _text(value: Any) -> str:
    """A value as the command line writes it: ``none``, ``true``, ``2``, ``list``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _options(value: Any) -> tuple[Option, ...]:
    items = tuple(value)
    names = set()
    for item in items:
        if not isinstance(item, Option):
            raise ValidationError("options", item, "is not a timeline.Option",
                                  "Declare each option as Option(name, type, default, help).")
        if item.name in names:
            raise ValidationError("options", item.name, "is declared twice",
                                  "Give each option its own name.")
        names.add(item.name)
    return items


@attrs.frozen(slots=True)
class Exporter:
    """An export format a plugin provides.

    - ``name``: the format name users type (``timeline export -f NAME``);
      lowercase letters, digits, ``-`` and ``_``.
    - ``description``: one line for ``timeline formats``.
    - ``media_type``: the IANA media type of the output (``text/calendar``).
    - ``suffix``: the usual file suffix, with its dot (``.ics``).
    - ``writer``: ``"module:function"``, imported only when this format is
      exported (so heavy libraries load only when needed), or the callable
      itself. It is called as ``writer(chronology, out, **options)`` with a
      :class:`~timeline.chronology.Chronology` and a binary stream, and writes
      the whole document to ``out``.
    - ``options``: the :class:`Option` records it takes (default: none). The
      writer gets every declared option, given or default, already checked;
      an option not declared is refused before the writer runs.
    - ``streams``: ``True`` when the writer reads its events once, in order, and
      needs nothing but ``title``, ``position`` and ``len()`` besides: it is then
      called as ``writer(events, out, **options)`` with a
      :class:`~timeline.streams.EventStream`, so that memory does not grow with
      the number of events. ``False`` (the default, every writer written before
      streams existed): it gets a :class:`~timeline.chronology.Chronology`, read
      from the stream first when the export's source is one.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(_FORMAT_NAME))
    description: str
    media_type: str
    suffix: str
    writer: str | Callable[..., Any]
    options: tuple[Option, ...] = attrs.field(default=(), converter=_options)
    streams: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))

    def load(self) -> Callable[..., Any]:
        """The writer callable (imports its module on first use)."""
        return _resolve(self.writer)

    def resolve_options(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every declared option's value: ``given`` ones checked (:meth:`Option.check`),
        the others their default. Raises :class:`~timeline.errors.ValidationError`
        (field ``option``) for a name not declared, listing the declared ones."""
        declared = {option.name: option for option in self.options}
        self._refuse_unknown(given)
        return {name: option.check(given[name], exporter=self.name) if name in given
                else option.default for name, option in declared.items()}

    def parse_options(self, texts: Mapping[str, str]) -> dict[str, Any]:
        """The command line's ``-O name=text`` pairs as values (:meth:`Option.parse`),
        unknown names refused as by :meth:`resolve_options`."""
        self._refuse_unknown(texts)
        declared = {option.name: option for option in self.options}
        return {name: declared[name].parse(text, exporter=self.name)
                for name, text in texts.items()}

    def _refuse_unknown(self, given: Mapping[str, Any]) -> None:
        names = [option.name for option in self.options]
        for name in given:
            if name not in names:
                fix = ("It takes no options." if not names else
                       f"Its only option is {names[0]}." if len(names) == 1 else
                       f"Its options are: {', '.join(names)}.")
                raise ValidationError("option", name, f"is not an option of the {self.name} "
                                      "exporter", fix)


@hookspec
def timeline_exporters() -> list[Exporter]:  # type: ignore[empty-body]
    """Return the export formats this plugin provides.

    Called once per plugin, with no arguments, when the CLI or
    :func:`timeline.export` first needs the list of formats (``timeline
    formats``, ``timeline export``, ``timeline plugins``). Must be cheap:
    return :class:`Exporter` records whose ``writer`` is an import string, and
    import heavy libraries inside the writer only. A plugin whose hook raises,
    or returns anything but a list of :class:`Exporter`, is reported by name and
    the other formats keep working. A format name already registered (first-party
    plugins register first, then the others by entry point name) stays with the
    plugin that registered it first; the later plugin is reported, naming both,
    and its other formats keep working.

    :return: a list of :class:`Exporter` (may be empty).
    """


@attrs.frozen(slots=True)
class Rejection:
    """Why a row of an import file gives no event.

    - ``reason``: a short, fixed phrase that the import summary counts rows by
      (``"invalid date"``, ``"wrong number of fields"``).
    - ``detail``: the full sentence for this row: the field, the value and the
      fix, as a :class:`~timeline.errors.ValidationError` message reads.
    """

    reason: str
    detail: str

    @classmethod
    def from_error(cls, error: ValidationError) -> Rejection:
        """The rejection for a record that failed validation: reason ``invalid <field>``."""
        field = (error.field or "row").split(".")[0]
        return cls(f"invalid {field}", str(error))


@attrs.frozen(slots=True)
class ImportRow:
    """One row (or record) read from an import file.

    - ``line``: the 1-based line of the file where the row starts (for a JSON or
      iCalendar file, the line where its object or VEVENT begins).
    - ``record``: the :class:`~timeline.records.Event` it gives, or a
      :class:`Rejection` saying why it gives none.
    - ``key``: the row's source identity, ``"<dataset>:<id>"`` (``"icews:32889836:2018-06-01"``),
      stored as the log entry's idempotency key so that importing the same row again
      appends nothing; ``None`` for a rejection. At most 200 characters.
    """

    line: int
    record: Event | Rejection
    key: str | None = None


def _suffixes(value: Any) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        if not isinstance(item, str) or not item.startswith(".") or item != item.lower():
            raise ValidationError("suffixes", item, "is not a lowercase file suffix with its dot",
                                  "For example (\".tab\", \".tsv\").")
    return items


@attrs.frozen(slots=True)
class Importer:
    """An import format a plugin provides.

    - ``name``: the format name users type (``timeline import LOG FILE -f NAME``);
      lowercase letters, digits, ``-`` and ``_``. It may equal an export format's
      name (``json``): the two registries are separate.
    - ``description``: one line for ``timeline importers``.
    - ``suffixes``: the file suffixes it usually reads, with their dots and in
      lowercase (``(".tab", ".tsv")``); used to guess the format of a file.
    - ``reader``: ``"module:function"``, imported only when this format is read,
      or the callable itself. It is called as ``reader(stream, **options)`` with
      a binary stream positioned at the start of the file, and returns an
      iterator of :class:`ImportRow` in file order. A row it cannot turn into an
      event is yielded as a :class:`Rejection`, not raised; a problem with the
      whole file (no header, not JSON) raises
      :class:`~timeline.errors.ImportRowError` naming the line.
    - ``sniffer``: optional ``"module:function"`` (or callable) called as
      ``sniffer(head)`` with up to the first 64 KiB of the file (bytes); returns
      ``True`` when the content looks like this format. Used, with the suffix, to
      guess the format when none is given.
    """

    name: str = attrs.field(validator=attrs.validators.matches_re(_FORMAT_NAME))
    description: str
    suffixes: tuple[str, ...] = attrs.field(converter=_suffixes)
    reader: str | Callable[..., Any]
    sniffer: str | Callable[[bytes], bool] | None = None

    def load(self) -> Callable[..., Any]:
        """The reader callable (imports its module on first use)."""
        return _resolve(self.reader)

    def load_sniffer(self) -> Callable[[bytes], bool] | None:
        """The sniffer callable, or ``None`` when the importer has none."""
        return None if self.sniffer is None else _resolve(self.sniffer)


@hookspec
def timeline_importers() -> list[Importer]:  # type: ignore[empty-body]
    """Return the import formats this plugin provides.

    Called once per plugin when the CLI or :func:`timeline.import_file` first
    needs the list of import formats (``timeline importers``, ``timeline
    import``). Must be cheap: return :class:`Importer` records whose ``reader``
    and ``sniffer`` are import strings, and import heavy libraries inside the
    reader only. A plugin whose hook raises, or returns anything but a list of
    :class:`Importer`, is reported by name and the other importers keep working.
    An import format name already registered stays with the plugin that registered
    it first, exactly as for :func:`timeline_exporters`.

    :return: a list of :class:`Importer` (may be empty).
    """


def _resolve(spec: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(spec):
        return spec
    module, _, attr = spec.partition(":")
    return getattr(import_module(module), attr)
