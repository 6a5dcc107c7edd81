"""The ``json`` reader: this project's own JSON export back into events, losslessly.

Input: a ``diplomatic-timeline/1`` document as the ``json`` exporter writes it
(shape in :mod:`timeline_json.writer`). Each member of ``events`` is checked
exactly as :func:`timeline_json.document.read_export` checks a whole export
(every key present, no unknown key, derived date fields matching the EDTF
string, record times of the log's form, the record rules) and gives back the
event it was written from: the same id, EDTF strings, text (newlines and tabs
included), actors, place, sources, tags, CAMEO code and status. So exporting a
log to JSON and importing that file into an empty log gives a log whose
chronology holds equal events.

The ``record`` facts (record times, positions, revisions) describe the log the
export came from; the new log records its own, so they are checked and left
behind. The source identity (idempotency key) is ``json:<event id>``; the event
id itself is kept, so an event already in the log is a duplicate.

A member is rejected [invalid <field>] naming its place in the document
(``events[3].date.upper``), or [invalid event] when it nests too deeply to be
written and read again. A file that is not UTF-8 JSON with an ``events``
array, or whose ``format`` is not ``diplomatic-timeline/1``, raises
:class:`timeline.ImportRowError`.

Options: none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from timeline import ImportRow, ImportRowError, Rejection, ValidationError, json_members

from .document import FORMAT, read_export

__all__ = ["read", "sniff"]

_FIRST = re.compile(r"events\[0\]")


def sniff(head: bytes) -> bool:
    """True when the document names its format ``diplomatic-timeline/1`` near the top."""
    return f'"format": "{FORMAT}"'.encode() in head[:200] or (
        f'"format":"{FORMAT}"'.encode() in head[:200])


def read(stream: BinaryIO, **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per member of ``events`` (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the json "
                              "importer", "The json importer takes no options; remove it.")
    top, members = json_members(stream.read(), "events")
    if top.get("format") != FORMAT:
        raise ImportRowError(1, "wrong format", f"format: {top.get('format')!r} is not "
                             f"{FORMAT!r}.", fix="Give a file written by 'timeline export "
                             "-f json', or another -f format.")
    head = {**top, "events": []}
    for n, (line, member) in enumerate(members):
        try:
            # One member at a time through the public read-back function: the same checks.
            chronology = read_export(json.dumps({**head, "events": [member]}))
        except ValidationError as exc:
            yield ImportRow(line, _rejection(exc, n))
            continue
        except RecursionError:  # nests deeper than json can write and read it again
            yield ImportRow(line, Rejection("invalid event", f"events[{n}]: nests deeper "
                                            "than the JSON reader can follow. Check the "
                                            "file; an event nests a few levels."))
            continue
        event = chronology.items[0].event
        yield ImportRow(line, event, f"json:{event.id}")


def _rejection(error: ValidationError, n: int) -> Rejection:
    """The error of the one-member document, naming the member's real index."""
    field = _FIRST.sub("", error.field or "", count=1).lstrip(".") or "event"
    return Rejection(f"invalid {field.split('.')[0].split('[')[0]}",
                     _FIRST.sub(f"events[{n}]", str(error), count=1))
