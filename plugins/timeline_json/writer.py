"""The ``json`` exporter: every field of every event, with EDTF dates and their bounds.

Document shape (format ``"diplomatic-timeline/1"``; the JSON Schema (Draft 2020-12)
shipped as ``timeline_json/schema.json`` is the normative description)::

    {
      "format": "diplomatic-timeline/1",
      "title": "Pakistan–Russia",          # Chronology.title
      "position": 12,                      # last log position folded in (0: none)
      "events": [                          # chronology order (date sort key, then id)
        {
          "id": "2013-08-28-strategic-dialogue-opens",
          "date": DATE,
          "title": "...", "summary": "",   # summary "" when there is none
          "actors": [{"code": "PAKGOV", "name": null, "role": null}],
          "place": {"name": "Moscow", "country": "RUS"} or null,
          "sources": [{"url": "https://..." or null, "title": null, "publisher": null,
                       "published": DATE or null}],   # url or title, at least
          "tags": ["visit"],
          "cameo": "042" or null,
          "status": "occurred",            # occurred | scheduled | expected | cancelled
          "record": {                      # record time, never mixed with event time
            "recorded_at": "2026-11-29T18:50:01.123456Z",
            "updated_at": "2026-11-30T09:12:44.000001Z",
            "revisions": 0, "first_position": 1, "last_position": 1
          }
        }
      ]
    }

``DATE`` keeps the exact EDTF string and adds what :mod:`timeline.dates` derives::

    {"edtf": "2013-08", "lower": "2013-08-01", "upper": "2013-08-31",
     "precision": "month", "uncertain": false, "approximate": false}

Rules:

- Dates are never simplified: ``edtf`` is the string as recorded; ``lower`` /
  ``upper`` are the first and last day it can mean (inclusive, ISO 8601), ``null``
  for an open (``..``) or unknown interval end; ``precision`` is the coarser end's
  for an interval; ``%`` sets both ``uncertain`` and ``approximate``.
- Every key is always present (``null`` or ``[]`` when unset), so consumers need no
  defaults. Keys appear in the order above. Converting an exported event back to
  :meth:`timeline.Event.to_dict` form means: ``date`` -> ``date.edtf``,
  ``published`` -> ``published.edtf``, drop ``null`` members of actors, place and
  sources, drop ``record``. :func:`timeline_json.document.read_export` does it,
  and reads a whole export back into the chronology it was written from.
- Record times are UTC with microseconds and a ``Z``, as in the log.
- Bytes are deterministic: UTF-8, non-ASCII kept as is (``ensure_ascii=False``),
  one trailing newline. The document is streamed event by event; the bytes equal
  ``json.dumps(document, ensure_ascii=False, indent=indent)`` (with ``(",", ":")``
  separators when ``indent`` is ``None``).

Options: ``indent`` (int >= 0, default 2; ``None`` for one compact line). Any other
option raises :class:`timeline.ValidationError` naming it.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from timeline import Chronology, ValidationError

from .document import FORMAT, event_document

__all__ = ["FORMAT", "write", "event_document"]


def write(chronology: Chronology, out: BinaryIO, **options: Any) -> None:
    """Write ``chronology`` as a JSON document (shape in the module docstring) to ``out``.

    Raises :class:`timeline.ValidationError` for an unknown option or an ``indent``
    that is not an int >= 0 or ``None``.
    """
    indent = _indent(options)
    dumps = _dumper(indent)
    head = {"format": FORMAT, "title": chronology.title, "position": chronology.position,
            "events": []}
    # "events" is the last key, so its "[]" is the last one in the text.
    opening, closing = dumps(head).rsplit("[]", 1)
    out.write((opening + "[").encode("utf-8"))
    # json.dumps' layout: each item on a new line at nesting level 2, "]" at level 1.
    pad = "" if indent is None else "\n" + " " * (2 * indent)
    for n, state in enumerate(chronology):
        item = pad + dumps(event_document(state)).replace("\n", pad)
        out.write(("," if n else "").encode("utf-8") + item.encode("utf-8"))
    if pad and len(chronology):
        out.write(("\n" + " " * indent).encode("utf-8"))  # type: ignore[operator]
    out.write(("]" + closing + "\n").encode("utf-8"))


def _indent(options: dict[str, Any]) -> int | None:
    unknown = sorted(set(options) - {"indent"})
    if unknown:
        raise ValidationError("option", unknown[0], "is not an option of the json exporter",
                              "Its only option is indent.")
    indent = options.get("indent", 2)
    if indent is not None and (type(indent) is not int or indent < 0):
        raise ValidationError("indent", indent, "is not a whole number >= 0 or None",
                              "Give for example indent=2, or indent=None for one line.")
    return indent


def _dumper(indent: int | None):  # noqa: ANN202
    separators = (",", ":") if indent is None else (",", ": ")

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return dumps
