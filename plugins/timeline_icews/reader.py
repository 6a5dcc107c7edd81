"""The ``icews`` reader: ICEWS Coded Event Data files into events.

Input: the tab-separated files of the ICEWS Coded Event Data (Harvard
Dataverse, doi:10.7910/DVN/28075), UTF-8, one header line naming the 20
columns of the ICEWS codebook (any order)::

    Event ID, Event Date, Source Name, Source Sectors, Source Country, Event Text,
    CAMEO Code, Intensity, Target Name, Target Sectors, Target Country, Story ID,
    Sentence Number, Publisher, City, District, Province, Country, Latitude, Longitude

``NA`` means missing in every column. Blank lines are skipped.

One event per row:

- ``id``: ``icews-<event id>-<event date>`` (``icews-32889836-2018-06-01``); the
  source identity (the idempotency key) is ``icews:<event id>:<event date>``,
  since an ICEWS Event ID is unique only together with its date.
- ``date``: Event Date, a day (``YYYY-MM-DD``).
- ``title``: ``Source Name – Event Text – Target Name`` (missing parts left out).
- ``actors``: source then target. The code is the ISO 3166-1 alpha-3 code of
  the actor's country, the first group of a CAMEO actor code (``BGD``), found
  with pycountry, plus the names pycountry does not know (:data:`COUNTRY_NAMES`:
  "Occupied Palestinian Territory" is ``PSE``, "Turkey" ``TUR``; Kosovo has no
  ISO code). An actor without a country gets CAMEO's transnational code from its
  sectors (``IGO`` for an International Government Organization, ``NGO``,
  ``MNC``) or a CAMEO region code from its name (``Africa`` and ``Citizen
  (Africa)`` are ``AFR``; ``Unidentified State Actor`` is ``UIS``); an
  actor that has none of these is not coded and stays in the title and
  summary. ``name`` is the Source/Target Name; ``role`` the sectors, as
  written (``Executive,Foreign Ministry,Government``; cut at a sector boundary
  to 200 characters, the full list is in the summary).
- ``cameo``: CAMEO Code, which must be in the CAMEO table
  (:mod:`timeline.cameo`).
- ``place``: City, District and Province joined by ``, `` (the Country's name
  when all three are missing), with the Country's ISO code; none when every
  part is missing. An event record has no coordinates, so Latitude and
  Longitude go to the summary.
- ``sources``: one print source: ``ICEWS story <Story ID>, sentence <n>``, with
  the Publisher.
- ``summary``: every other column in words: the ids, actors with countries and
  sectors, Event Text, the CAMEO description, QuadClass and Intensity (ICEWS's
  Goldstein-scale value, -10 to +10), the place and its coordinates.
- ``tags``: ``icews``.

A row is rejected (reason in brackets) for a line that is not UTF-8
[invalid encoding], a field count other than the header's [wrong number of
fields], or a value breaking a rule [invalid <field>]: Event ID not letters
and digits, an impossible date, a CAMEO code not in the table, Intensity not a
number from -10 to 10, a coordinate out of range, text too long. A file
whose first line is not the ICEWS header raises
:class:`timeline.ImportRowError` (line 1).

Options: none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from timeline import (Actor, Event, ImportRow, ImportRowError, Place, Rejection, Source,
                      ValidationError, cameo_code, check_number, clip_text, country_from_name,
                      parse_date, read_tab_rows)
from timeline.cameo import QUAD_CLASSES

__all__ = ["read", "sniff", "COLUMNS", "COUNTRY_NAMES", "country_code"]

#: The ICEWS columns, in the order of the Dataverse files.
COLUMNS = ("Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country",
           "Event Text", "CAMEO Code", "Intensity", "Target Name", "Target Sectors",
           "Target Country", "Story ID", "Sentence Number", "Publisher", "City", "District",
           "Province", "Country", "Latitude", "Longitude")

#: ICEWS country names pycountry does not know (``None``: no ISO 3166-1 code).
COUNTRY_NAMES: dict[str, str | None] = {
    "Occupied Palestinian Territory": "PSE",
    "Turkey": "TUR",  # pycountry knows it as Türkiye
    "the former Yugoslav Republic of Macedonia": "MKD",
    "Macedonia": "MKD",
    "Holy See": "VAT",
    "Cote d'Ivoire": "CIV",
    "Ivory Coast": "CIV",
    "Democratic Republic of Congo": "COD",
    "Congo, Democratic Republic of": "COD",
    "Republic of Congo": "COG",
    "Swaziland": "SWZ",
    "Cape Verde": "CPV",
    "Burma": "MMR",
    "East Timor": "TLS",
    "Brunei": "BRN",
    "Micronesia": "FSM",
    "Kosovo": None,  # not in ISO 3166-1 (XK/XKX are user-assigned codes)
    "Serbia and Montenegro": None,  # CS/SCG withdrawn from ISO 3166-1 in 2006
}

# Actors without a country: CAMEO transnational codes by ICEWS sector, region codes by name
# (CAMEO actor codebook 1.1b3).
_SECTOR_CODES = (("International Government Organization", "IGO"),
                 ("Nongovernmental Organization", "NGO"),
                 ("Multinational Corporation", "MNC"))
_REGIONS = {"Africa": "AFR", "Asia": "ASA", "Europe": "EUR", "Middle East": "MEA",
            "Caribbean": "CRB", "Southeast Asia": "SEA", "South Asia": "SAS",
            "Central Asia": "CAS", "Latin America": "LAM", "North Africa": "NAF",
            "West Africa": "WAF", "East Africa": "EAF", "Southern Africa": "SAF",
            "South America": "SAM", "Western Europe": "WEU", "Eastern Europe": "EEU",
            "Unidentified State Actor": "UIS"}
_IN_REGION = re.compile(r".*\((.+)\)")  # "Citizen (Africa)": a group of the region
_ID = re.compile(r"[0-9A-Za-z]+")
_NA = "NA"


def sniff(head: bytes) -> bool:
    """True when the file starts with the ICEWS header."""
    return head.removeprefix(b"\xef\xbb\xbf").startswith(b"Event ID\tEvent Date\t")


def read(stream: BinaryIO, **options: Any) -> Iterator[ImportRow]:
    """Yield one :class:`timeline.ImportRow` per data row of an ICEWS file (rules above)."""
    if options:
        raise ValidationError("option", sorted(options)[0], "is not an option of the icews "
                              "importer", "The icews importer takes no options; remove it.")
    lines = read_tab_rows(stream)
    first = next(lines, None)
    names = first[1] if first and first[0] == 1 and isinstance(first[1], list) else []
    if sorted(names) != sorted(COLUMNS):
        raise ImportRowError(1, "not ICEWS", "file: does not start with the ICEWS header line "
                             f"(the {len(COLUMNS)} tab-separated columns Event ID, Event Date, "
                             "... Latitude, Longitude).",
                             fix="Give an ICEWS Coded Event Data file, or another -f format.")
    order = [names.index(c) for c in COLUMNS]
    for number, fields in lines:
        if isinstance(fields, Rejection):
            yield ImportRow(number, fields)
            continue
        if len(fields) != len(COLUMNS):
            yield ImportRow(number, Rejection(
                "wrong number of fields", f"row: has {len(fields)} tab-separated fields, not "
                f"{len(COLUMNS)} as in the header. Check for a tab inside a value."))
            continue
        row = {c: (None if fields[i] == _NA else fields[i]) for c, i in zip(COLUMNS, order)}
        try:
            event, key = _event(row)
        except ValidationError as exc:
            yield ImportRow(number, Rejection.from_error(exc))
            continue
        yield ImportRow(number, event, key)


def _event(row: dict[str, str | None]) -> tuple[Event, str]:
    event_id, day = row["Event ID"], row["Event Date"]
    if event_id is None or not _ID.fullmatch(event_id):
        raise ValidationError("Event ID", event_id, "is not an ICEWS event id (letters and "
                              "digits)", "Check the Event ID column.")
    date = parse_date(day or "")
    if date.precision != "day" or date.is_interval or date.qualifier:
        raise ValidationError("date", day, "is not a day (YYYY-MM-DD)",
                              "ICEWS Event Date is a day; check the column.")
    code = cameo_code(row["CAMEO Code"] or "")
    check_number("Intensity", row["Intensity"], -10, 10)
    check_number("Latitude", row["Latitude"], -90, 90)
    check_number("Longitude", row["Longitude"], -180, 180)
    source = _actor(row["Source Name"], row["Source Sectors"], row["Source Country"])
    target = _actor(row["Target Name"], row["Target Sectors"], row["Target Country"])
    place = _place(row)
    parts = [row["Source Name"], row["Event Text"] or code.description, row["Target Name"]]
    summary = [
        f"ICEWS event {event_id} of {day} (story {row['Story ID'] or 'unknown'}, sentence "
        f"{row['Sentence Number'] or 'unknown'}; {row['Publisher'] or 'publisher unknown'}).",
        _who("Source", row["Source Name"], row["Source Country"], row["Source Sectors"]),
        _who("Target", row["Target Name"], row["Target Country"], row["Target Sectors"]),
        f"Event: {row['Event Text'] or 'not given'}; CAMEO {code} (QuadClass {code.quad_class}, "
        f"{QUAD_CLASSES[code.quad_class]}); intensity {row['Intensity'] or 'unknown'}.",
    ]
    if place is not None or row["Latitude"] is not None:
        where = ", ".join(p for p in (row["City"], row["District"], row["Province"],
                                      row["Country"]) if p) or "unknown"
        summary.append(f"Place: {where}; latitude {row['Latitude'] or 'unknown'}, longitude "
                       f"{row['Longitude'] or 'unknown'}.")
    story = "ICEWS story " + (row["Story ID"] or "unknown") + (
        f", sentence {row['Sentence Number']}" if row["Sentence Number"] else "")
    event = Event(
        id=f"icews-{event_id.lower()}-{date.edtf}", date=date, title=clip_text(
            " – ".join(p for p in parts if p), 300),
        summary="\n".join(s for s in summary if s),
        actors=[a for a in (source, target) if a is not None], place=place,
        sources=[Source(title=story, publisher=row["Publisher"])], tags=["icews"],
        cameo=code.code)
    return event, f"icews:{event_id}:{date.edtf}"


def _actor(name: str | None, sectors: str | None, country: str | None) -> Actor | None:
    code = country_code(country) if country else None
    if code is None and country is None:
        listed = (sectors or "").split(",")
        region = _IN_REGION.fullmatch(name or "")
        code = next((c for label, c in _SECTOR_CODES if any(s.startswith(label) for s in listed)),
                    None) or _REGIONS.get(name or "") or _REGIONS.get(
                        region.group(1) if region else "")
    if code is None:
        return None
    return Actor(code, name=clip_text(name, 200) if name else None,
                 role=clip_text(sectors, 200, at=",") if sectors else None)


def _who(label: str, name: str | None, country: str | None, sectors: str | None) -> str | None:
    if name is None and country is None:
        return None
    text = f"{label}: {name or 'unnamed'}"
    text += f", {country}" if country else ""
    return text + (f"; sectors: {sectors}." if sectors else ".")


def _place(row: dict[str, str | None]) -> Place | None:
    parts = [p for p in (row["City"], row["District"], row["Province"]) if p]
    country = row["Country"]
    if not parts and country is None:
        return None
    return Place(clip_text(", ".join(parts) or country or "", 200),
                 country=country_code(country) if country else None)


def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-3 for an ICEWS country name, or ``None`` when it has none.

    :data:`COUNTRY_NAMES` first, then pycountry's names
    (:func:`timeline.country_from_name`, which never reads ``NA``, ICEWS's
    "missing", as Namibia).
    """
    return COUNTRY_NAMES[name] if name in COUNTRY_NAMES else country_from_name(name)
