"""The ``gdelt`` reader: GDELT 1.0 and 2.0 event files into events.

Input: GDELT event files as published (``20160728.export.CSV``,
``20150218230000.export.CSV``, the 1979-2005 backfiles): tab-separated, UTF-8,
**no header**. The layout of each row is told by its number of fields (GDELT
Event Codebook V2.0, 2015), so one file may mix them:

- 57 fields: GDELT 1.0 backfile (before April 2013): no SOURCEURL;
- 58 fields: GDELT 1.0 daily files: SOURCEURL last;
- 61 fields: GDELT 2.0: each of the three geographies has an ADM2Code after its
  ADM1Code; DATEADDED is ``YYYYMMDDHHMMSS``.

Blank lines are skipped. C1 control characters (U+0080-U+009F) in any field are
read as the Windows-1252 characters of the same byte, which is what they stand
for in GDELT's text (the 1.0 sample spells Sana'a ``San\x91a'``, read as
``San‘a'``); the five bytes Windows-1252 leaves undefined are not changed, and
a row holding one is rejected. One event per row:

- ``id``: ``gdelt1-<GLOBALEVENTID>`` or ``gdelt2-<GLOBALEVENTID>``; the source
  identity (idempotency key) is ``gdelt1:<id>`` / ``gdelt2:<id>`` (an id is
  unique within its dataset).
- ``date``: SQLDATE (``YYYYMMDD``), a day.
- ``title``: ``Actor1 – <CAMEO description> – Actor2``, each actor by its name
  (its code when it has no name), missing actors left out.
- ``actors``: Actor1 and Actor2 with their CAMEO codes (``USA``, ``RUSGOV``,
  ``IGOUNO``) and names. A code that is not a country- or region-rooted CAMEO
  code (GDELT writes role-only codes such as ``GOV`` or ``CVL`` when it knows
  no country) is not an actor of the record; it stays in the summary.
- ``cameo``: EventCode, which must be in the CAMEO table (:mod:`timeline.cameo`).
- ``place``: ActionGeo_FullName with its country. GDELT geographies use
  **FIPS 10-4** country codes (``RS`` is Russia, ``PK`` Pakistan), which are not
  ISO codes: they are mapped with the shipped table ``fips_countries.tsv`` (the
  CIA World Factbook's cross-reference of FIPS 10-4 and ISO 3166, 271 codes;
  territories with no ISO code of their own, such as Kosovo ``KV``, the
  Spratly Islands or Akrotiri, map to no country). No place when
  ActionGeo_Type is 0 (GDELT found none).
- ``sources``: SOURCEURL: the address when it is an http(s) URL, otherwise a
  print source titled with its text (GDELT writes citations such as "BBC
  Monitoring"); none in the backfile.
- ``summary``: the rest in words: dataset and id, DATEADDED, IsRootEvent, the
  actors with their country, group, ethnic, religion and type codes, the CAMEO
  code with description and root, QuadClass, GoldsteinScale, NumMentions,
  NumSources, NumArticles, AvgTone, and the place with its FIPS code, ADM1 code
  and coordinates (an event record has no coordinates field).
- ``tags``: ``gdelt``.

A row is rejected (reason in brackets) for a line that is not UTF-8 [invalid
encoding], a field count other than 57, 58 or 61 [wrong number of fields], or
a value breaking a rule [invalid <field>]: GLOBALEVENTID not digits, SQLDATE not
an existing day, an EventCode not in the CAMEO table, QuadClass not 1-4,
GoldsteinScale not from -10 to 10, coordinates out of range, text too long.

Options: none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib.resources import files
from typing import Any, BinaryIO

from timeline import (Actor, Event, ImportRow, Place, Rejection, Source, ValidationError,
                      cameo_code, cameo_codes, check_number, clip_text, parse_date,
                      read_tab_rows)
from timeline.cameo import QUAD_CLASSES

__all__ = ["read", "sniff", "LAYOUTS", "fips_to_iso"]


def _actor(prefix: str) -> list[str]:
    return [f"{prefix}{n}" for n in ("Code", "Name", "CountryCode", "KnownGroupCode",
                                     "EthnicCode", "Religion1Code", "Religion2Code",
                                     "Type1Code", "Type2Code", "Type3Code")]


def _geo(prefix: str, adm2: bool) -> list[str]:
    return [f"{prefix}_{n}" for n in ("Type", "FullName", "CountryCode", "ADM1Code",
                                      *(["ADM2Code"] if adm2 else []), "Lat", "Long",
                                      "FeatureID")]


_EVENT = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", *_actor("Actor1"),
          *_actor("Actor2"), "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode",
          "QuadClass", "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]
_V1 = [*_EVENT, *(f for p in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _geo(p, False)),
       "DATEADDED", "SOURCEURL"]
_V2 = [*_EVENT, *(f for p in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _geo(p, True)),
       "DATEADDED", "SOURCEURL"]

#: Field count -> (dataset, column names), GDELT Event Codebook V2.0.
LAYOUTS: dict[int, tuple[str, list[str]]] = {57: ("gdelt1", _V1[:-1]), 58: ("gdelt1", _V1),
                                             61: ("gdelt2", _V2)}
_DATASET_NAMES = {"gdelt1": "GDELT 1.0", "gdelt2": "GDELT 2.0"}
_DIGITS = re.compile(r"[0-9]+")
# C1 controls that stand for the Windows-1252 character of the same byte (mojibake in
# GDELT's place names: "San\x91a'" is "San‘a'"); the five bytes cp1252 leaves undefined
# stay, and the record's validator refuses them.
_C1 = {c: bytes([c]).decode("cp1252") for c in range(0x80, 0xA0)
       if c not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_DAY = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def sniff(head: bytes) -> bool:
    """True when the first line has 57, 58 or 61 tab-separated fields, an id and a day."""
    first = head.split(b"\n", 1)[0].rstrip(b"\r").split(b"\t")
    return len(first) in LAYOUTS and first[0].isdigit() and bool(
        _DAY.fullmatch(first[1].decode("ascii", "replace")))


def read(stream: BinaryIO, **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per row of a GDELT event file (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the gdelt "
                              "importer", "The gdelt importer takes no options; remove it.")
    for number, fields in read_tab_rows(stream):
        if isinstance(fields, Rejection):
            yield ImportRow(number, fields)
            continue
        layout = LAYOUTS.get(len(fields))
        if layout is None:
            yield ImportRow(number, Rejection(
                "wrong number of fields", f"row: has {len(fields)} tab-separated fields; GDELT "
                "rows have 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0). Check that the file is a "
                "GDELT event file and the line is whole."))
            continue
        dataset, names = layout
        row = {name: (value.translate(_C1) or None) for name, value in zip(names, fields)}
        try:
            event, key = _event(dataset, row)
        except ValidationError as exc:
            yield ImportRow(number, Rejection.from_error(exc))
            continue
        yield ImportRow(number, event, key)


def _event(dataset: str, row: dict[str, str | None]) -> tuple[Event, str]:
    gid, day = row["GLOBALEVENTID"], row["SQLDATE"] or ""
    if gid is None or not _DIGITS.fullmatch(gid):
        raise ValidationError("GLOBALEVENTID", gid, "is not a GDELT event id (digits)",
                              "Check that the file is a GDELT event file.")
    parts = _DAY.fullmatch(day)
    if parts is None:
        raise ValidationError("date", day, "is not a SQLDATE (YYYYMMDD)",
                              "Check the SQLDATE column (the second).")
    date = parse_date("-".join(parts.groups()))
    code = cameo_code(row["EventCode"] or "")
    quad = row["QuadClass"]
    if quad not in ("1", "2", "3", "4"):
        raise ValidationError("QuadClass", quad, "is not 1, 2, 3 or 4",
                              "Check the QuadClass column.")
    check_number("GoldsteinScale", row["GoldsteinScale"], -10, 10)
    check_number("ActionGeo_Lat", row["ActionGeo_Lat"], -90, 90)
    check_number("ActionGeo_Long", row["ActionGeo_Long"], -180, 180)
    actors = [_actor_of(row, "Actor1"), _actor_of(row, "Actor2")]
    title = [row["Actor1Name"] or row["Actor1Code"], code.description,
             row["Actor2Name"] or row["Actor2Code"]]
    event = Event(
        id=f"{dataset}-{gid}", date=date, title=clip_text(" – ".join(t for t in title if t), 300),
        summary=clip_text("\n".join(_summary(dataset, row, code.code, quad)), 10_000),
        actors=[a for a in actors if a is not None], place=_place(row),
        sources=_sources(row["SOURCEURL"]) if "SOURCEURL" in row else [], tags=["gdelt"],
        cameo=code.code)
    return event, f"{dataset}:{gid}"


def _actor_of(row: dict[str, str | None], prefix: str) -> Actor | None:
    code, name = row[f"{prefix}Code"], row[f"{prefix}Name"]
    if code is None:
        return None
    try:
        return Actor(code, name=clip_text(name, 200) if name else None)
    except ValidationError:  # a role-only code (GOV) or lowercase code: kept in the summary
        return None


def _place(row: dict[str, str | None]) -> Place | None:
    name = row["ActionGeo_FullName"]
    if row["ActionGeo_Type"] in (None, "0") or not name:
        return None
    return Place(clip_text(name, 200), country=fips_to_iso(row["ActionGeo_CountryCode"] or ""))


def _sources(url: str | None) -> list[Source]:
    if url is None:
        return []
    try:
        return [Source(url=url)] if url.lower().startswith(("http://", "https://")) else [
            Source(title=clip_text(url, 300))]
    except ValidationError:  # not a usable address: keep its text as a citation
        return [Source(title=clip_text(url, 300))]


def _summary(dataset: str, row: dict[str, str | None], code: str, quad: str) -> Iterator[str]:
    added = row["DATEADDED"] or "unknown"
    root = row["IsRootEvent"]
    yield (f"{_DATASET_NAMES[dataset]} event {row['GLOBALEVENTID']} (added {added}; "
           f"root event: {'yes' if root == '1' else 'no' if root == '0' else 'unknown'}).")
    for prefix in ("Actor1", "Actor2"):
        if row[f"{prefix}Code"] or row[f"{prefix}Name"]:
            extra = [f"{label} {row[prefix + field]}" for label, field in (
                ("country", "CountryCode"), ("group", "KnownGroupCode"),
                ("ethnic", "EthnicCode"), ("religion", "Religion1Code"),
                ("religion", "Religion2Code"), ("type", "Type1Code"), ("type", "Type2Code"),
                ("type", "Type3Code")) if row[prefix + field]]
            yield (f"{prefix}: {row[prefix + 'Name'] or 'unnamed'} "
                   f"({row[prefix + 'Code'] or 'no code'})" + (f"; {', '.join(extra)}" if extra
                                                              else "") + ".")
    entry = cameo_codes()[code]
    root_code = cameo_codes()[entry.root]
    yield (f"Event: CAMEO {entry} (root {root_code}); QuadClass {quad} "
           f"({QUAD_CLASSES[int(quad)]}); Goldstein {row['GoldsteinScale'] or 'unknown'}; "
           f"{row['NumMentions'] or '?'} mentions, {row['NumSources'] or '?'} sources, "
           f"{row['NumArticles'] or '?'} articles; average tone {row['AvgTone'] or 'unknown'}.")
    if row["ActionGeo_FullName"]:
        yield (f"Place: {row['ActionGeo_FullName']} (FIPS {row['ActionGeo_CountryCode'] or '-'}, "
               f"ADM1 {row['ActionGeo_ADM1Code'] or '-'}); latitude "
               f"{row['ActionGeo_Lat'] or 'unknown'}, longitude "
               f"{row['ActionGeo_Long'] or 'unknown'}.")


@lru_cache(maxsize=1)
def _fips_table() -> dict[str, str | None]:
    text = files("timeline_gdelt").joinpath("fips_countries.tsv").read_text(encoding="utf-8")
    table: dict[str, str | None] = {}
    for line in text.splitlines()[1:]:
        fips, iso, _name = line.split("\t")
        table[fips] = iso or None
    return table


def fips_to_iso(code: str) -> str | None:
    """ISO 3166-1 alpha-3 for a FIPS 10-4 country code (``RS`` -> ``RUS``), or ``None``
    for a code with no ISO country (``KV`` Kosovo) or not in the table."""
    return _fips_table().get(code)
