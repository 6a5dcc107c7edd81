"""The records: :class:`Event`, :class:`Actor`, :class:`Place`, :class:`Source`.

All are frozen, slotted ``attrs`` classes. Validators raise
:class:`~timeline.errors.ValidationError`, whose message names the field, the
value received and the fix. Text fields refuse control characters (other than
newline and tab in a summary) so that no exporter can be handed a NUL byte or a
terminal escape.

Rules and their sources:

- ``Event.id``: a lowercase ASCII slug, ``[a-z0-9]+(-[a-z0-9]+)*``, at most 120
  characters; :func:`make_event_id` derives one from the date and title.
- ``Event.date``: an EDTF level 0/1 string, see :mod:`timeline.dates`.
- ``Event.cameo``: a CAMEO event code (CAMEO codebook 1.1b3): 2 to 4 digits
  whose first two, the root, are 01..20, kept as a string with its leading zero
  (``"042"`` Make a visit).
- ``Actor.code``: a CAMEO actor code: 3-letter groups, the first an ISO 3166-1
  alpha-3 country code (``PAK``) or one of CAMEO's regional / transnational
  codes (``IGO``, ``NGO``, ``MNC``, ``EUR``...), then role groups (``GOV``,
  ``MIL``): ``PAKGOV``, ``RUSMIL``, ``IGOWSTNAT`` (NATO).
- ``Place.country``: ISO 3166-1, alpha-3 stored; alpha-2 (``RU``) accepted and
  converted (looked up with ``pycountry``).
- ``Source.url``: optional (print sources), ``http`` or ``https`` only, so that no exporter can emit a
  ``javascript:`` or ``data:`` link.
- Text limits: title 300 characters, summary 10,000, names and tags 200.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import attrs

from .dates import EDTFDate, _refield, parse_date
from .errors import InvalidDateError, ValidationError

__all__ = ["Actor", "Place", "Source", "Event", "STATUSES", "make_event_id", "TakenIds",
           "parse_actor", "parse_place"]

#: Event statuses: what the record claims about the event.
STATUSES: tuple[str, ...] = ("occurred", "scheduled", "expected", "cancelled")

# CAMEO actor codebook (1.1b3): primary codes that are not ISO 3166 countries.
CAMEO_NON_STATE: frozenset[str] = frozenset({
    "IGO", "NGO", "NGM", "MNC", "IMG", "UIS", "INT", "SET",  # transnational
    "AFR", "ASA", "BLK", "BAL", "CAF", "CAS", "CAU", "CRB", "CEU", "EAF", "EEU", "EUR",
    "LAM", "MEA", "MDT", "NAF", "NMR", "PGS", "SAF", "SAM", "SAS", "SEA", "SCN", "WAF",
    "WEU", "WST",  # regions
})

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOT_DATE = re.compile(r"[^0-9x]+")
_NOT_WORD = re.compile(r"[^\w]+")
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_URL_UNSAFE = re.compile(r'[\s<>"{}|\\^`]')
# An http(s) URL whose host is plain ASCII (no user info, no IPv6 brackets) and that holds
# nothing _URL_UNSAFE matches: every check of _check_url passes, so urlsplit is skipped.
_PLAIN_URL = re.compile(r'[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.-]+(?::[0-9]*)?'
                        r'(?:[/?#][^\s<>"{}|\\^`]*)?')
_CAMEO_EVENT = re.compile(r"[0-9]{2,4}")  # ASCII: \d also matches other scripts' digits
_CAMEO_ACTOR = re.compile(r"(?:[A-Z]{3})(?:[A-Z0-9]{3})*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@lru_cache(maxsize=1)
def _iso_alpha3() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


@lru_cache(maxsize=1)
def _iso_alpha2_to_3() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


# --- validators: small callables whose error names field, value and rule -------------------

@attrs.frozen(slots=True)
class _Text:
    """Text: a str, stripped of nothing, within a length, without control characters."""

    max_length: int
    required: bool = True
    multiline: bool = False

    def __call__(self, inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
        if value is None and not self.required:
            return
        if type(value) is str and (not self.required or value.strip()) and len(
                value) <= self.max_length and not (
                _CONTROL if self.multiline else _CONTROL_LINE).search(value):
            return  # the common case, checked without building the field name
        name = _field_name(inst, attribute)
        if not isinstance(value, str):
            raise ValidationError(name, value, "is not text", "Give a string.")
        if self.required and not value.strip():
            raise ValidationError(name, value, "is empty", "Give some text.")
        if len(value) > self.max_length:
            raise ValidationError(name, value, f"is longer than {self.max_length} characters",
                                  "Shorten it." if self.multiline
                                  else "Shorten it; put detail in the summary.")
        bad = (_CONTROL if self.multiline else _CONTROL_LINE).search(value)
        if bad:
            allowed = "newlines (LF, CRLF or CR) and tabs only" if self.multiline else "a single line"
            raise ValidationError(name, value, f"contains control character "
                                  f"U+{ord(bad.group()):04X} at index {bad.start()}",
                                  f"Remove it; this field takes {allowed}.")


_URL_TEXT = _Text(2000)


def _field_name(inst: Any, attribute: attrs.Attribute) -> str:  # type: ignore[type-arg]
    prefix = {"Actor": "actor", "Place": "place", "Source": "source"}.get(type(inst).__name__)
    return f"{prefix}.{attribute.name}" if prefix else attribute.name


def _check_slug(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if not isinstance(value, str) or len(value) > 120 or not _SLUG.fullmatch(value):
        raise ValidationError("id", value, "is not a slug of lowercase ASCII letters, digits "
                              "and single hyphens (at most 120 characters)",
                              "For example 2013-08-28-strategic-dialogue-opens.")


def _check_actor_code(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if not isinstance(value, str) or not _CAMEO_ACTOR.fullmatch(value) or len(value) > 15:
        raise ValidationError("actor.code", value, "is not a CAMEO actor code (3-letter "
                              "groups in capitals, e.g. PAK, PAKGOV, RUSMIL)",
                              "Start with the ISO 3166-1 alpha-3 country code.")
    head = value[:3]
    if head not in _iso_alpha3() and head not in CAMEO_NON_STATE:
        raise ValidationError("actor.code", value, f"starts with {head!r}, which is neither an "
                              "ISO 3166-1 alpha-3 country code nor a CAMEO regional or "
                              "transnational code", "For example PAK, RUS, IGO, NGO.")


def _check_cameo(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if value is None:
        return
    if not isinstance(value, str) or not _CAMEO_EVENT.fullmatch(value) or not (
            1 <= int(value[:2]) <= 20):
        raise ValidationError("cameo", value, "is not a CAMEO event code (2 to 4 digits, "
                              "root 01..20, leading zero kept)", "For example 042 (Make a visit).")


def _check_status(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if value not in STATUSES:
        raise ValidationError("status", value, "is not a status",
                              f"Use one of: {', '.join(STATUSES)}.")


def _check_url(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if value is None:
        return
    _URL_TEXT(inst, attribute, value)
    if _PLAIN_URL.fullmatch(value):
        return
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError as exc:  # urllib's own verdict: "Invalid IPv6 URL"...
        raise ValidationError("source.url", value, f"is not a URL ({exc})",
                              "Give a full address, e.g. https://example.org/page.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("source.url", value, "is not an http(s) URL",
                              "Give an address starting with https:// or http://.")
    if not hostname:
        raise ValidationError("source.url", value, "has no host name",
                              "Give a full address, e.g. https://example.org/page.")
    bad = _URL_UNSAFE.search(value)
    if bad:  # RFC 3986 section 2: these never appear unencoded in a URI
        raise ValidationError("source.url", value, f"contains {bad.group()!r} at index "
                              f"{bad.start()}, which a URL cannot hold unencoded",
                              "Percent-encode it (a space is %20).")


def _to_country(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 2 and value.isalpha():
        return _iso_alpha2_to_3().get(value.upper(), value)
    return value.upper() if isinstance(value, str) and len(value) == 3 else value


def _check_country(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if value is None:
        return
    if not isinstance(value, str) or value not in _iso_alpha3():
        raise ValidationError("place.country", value, "is not an ISO 3166-1 country code",
                              "Give an alpha-3 (RUS) or alpha-2 (RU) code.")


def _to_date(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


def _to_published(value: Any) -> Any:
    try:
        return _to_date(value)
    except InvalidDateError as exc:  # name the field the caller gave, not "date"
        raise _refield(exc, "source.published") from None


def _none_to_empty(value: Any) -> Any:
    return "" if value is None else value


def _to_tuple(name: str):  # noqa: ANN202
    def convert(value: Any) -> Any:
        if isinstance(value, (str, bytes)):  # a str would become a tuple of its characters
            raise ValidationError(name, value, "is a single string, not a list",
                                  f"Give a list of {name}.")
        try:
            return tuple(value)
        except TypeError:
            raise ValidationError(name, value, "is not a list", f"Give a list of {name}.") from None
    return convert


def _check_date(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    if not isinstance(value, EDTFDate):
        name = "source.published" if isinstance(inst, Source) else "date"
        raise ValidationError(name, value, "is not an EDTF date", "Give a string like 2013-08-28.")


def _tuple_of(kind: type, name: str):  # noqa: ANN202
    def check(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
        for item in value:
            if not isinstance(item, kind):
                raise ValidationError(name, item, f"is not {kind.__name__}",
                                      f"Give {kind.__name__} records.")
    return check


def _instance_of(kind: type, name: str):  # noqa: ANN202
    def check(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
        if not isinstance(value, kind):
            raise ValidationError(name, value, f"is not a {kind.__name__}",
                                  f"Give a {kind.__name__} record.")
    return check


def _check_tags(inst: Any, attribute: attrs.Attribute, value: Any) -> None:  # type: ignore[type-arg]
    for tag in value:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > 200 or _CONTROL_LINE.search(
                tag) or "," in tag or tag != tag.strip():
            raise ValidationError("tags", tag, "is not a tag (one line of text without commas "
                                  "or surrounding spaces, at most 200 characters)",
                                  "For example: visit, defence.")
    if len(set(value)) != len(value):
        raise ValidationError("tags", list(value), "repeats a tag", "Give each tag once.")


# --- records --------------------------------------------------------------------------------

@attrs.frozen(slots=True)
class Actor:
    """A state, organisation or person acting: ``code`` (CAMEO), ``name``, ``role``."""

    code: str = attrs.field(validator=_check_actor_code)
    name: str | None = attrs.field(default=None, validator=_Text(200, required=False))
    role: str | None = attrs.field(default=None, validator=_Text(200, required=False))


@attrs.frozen(slots=True)
class Place:
    """Where an event happened: ``name`` and ISO 3166-1 alpha-3 ``country``."""

    name: str = attrs.field(validator=_Text(200))
    country: str | None = attrs.field(default=None, converter=_to_country,
                                      validator=_check_country)


@attrs.frozen(slots=True)
class Source:
    """Where a fact comes from: ``url`` (http/https), ``title``, ``publisher``, ``published``.

    A source needs a ``url`` or a ``title`` (print and archival sources have no
    address); ``published`` is an EDTF date.
    """

    url: str | None = attrs.field(default=None, validator=_check_url)
    title: str | None = attrs.field(default=None, validator=_Text(300, required=False))
    publisher: str | None = attrs.field(default=None, validator=_Text(200, required=False))
    published: EDTFDate | None = attrs.field(
        default=None, converter=_to_published,
        validator=attrs.validators.optional(_check_date))  # type: ignore[arg-type]

    def __attrs_post_init__(self) -> None:
        if self.url is None and (self.title is None or not self.title.strip()):
            raise ValidationError("source", None, "has neither a url nor a title",
                                  "Give the address, or the title of a print source.",
                                  show_value=False)


@attrs.frozen(slots=True)
class Event:
    """A diplomatic event as currently recorded.

    ``date`` accepts an EDTF string and keeps it as :class:`EDTFDate`;
    ``actors``, ``sources`` and ``tags`` accept any iterable and keep tuples.
    Raises :class:`~timeline.errors.ValidationError` on any invalid field.
    """

    id: str = attrs.field(validator=_check_slug)
    date: EDTFDate = attrs.field(converter=_to_date, validator=_check_date)
    title: str = attrs.field(validator=_Text(300))
    summary: str = attrs.field(default="", converter=_none_to_empty,
                               validator=_Text(10_000, required=False, multiline=True))
    actors: tuple[Actor, ...] = attrs.field(default=(), converter=_to_tuple("actors"),
                                            validator=_tuple_of(Actor, "actors"))
    place: Place | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(Place, "place")))
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_to_tuple("sources"),
                                              validator=_tuple_of(Source, "sources"))
    tags: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple("tags"),
                                        validator=_check_tags)
    cameo: str | None = attrs.field(default=None, validator=_check_cameo)
    status: str = attrs.field(default="occurred", validator=_check_status)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form stored in log entries (see ``docs/log-format.md``)."""
        return {
            "id": self.id,
            "date": self.date.edtf,
            "title": self.title,
            "summary": self.summary,
            "actors": [_drop_none({"code": a.code, "name": a.name, "role": a.role})
                       for a in self.actors],
            "place": None if self.place is None else _drop_none(
                {"name": self.place.name, "country": self.place.country}),
            "sources": [_drop_none({"url": s.url, "title": s.title, "publisher": s.publisher,
                                    "published": s.published.edtf if s.published else None})
                        for s in self.sources],
            "tags": list(self.tags),
            "cameo": self.cameo,
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        """Build an event from :meth:`to_dict` output; raises ValidationError."""
        if not isinstance(data, dict):
            raise ValidationError("event", data, "is not an object", "Give a JSON object.")
        unknown = set(data) - _EVENT_KEYS
        if unknown:
            raise ValidationError("event", sorted(unknown)[0], "is not a field of an event",
                                  f"Fields are: {', '.join(sorted(_EVENT_KEYS))}.")
        for key in ("id", "date", "title"):
            if key not in data:
                raise ValidationError(key, None, "is missing", f"Give the event's {key}.",
                                      show_value=False)
        place = data.get("place")
        return cls(
            id=data["id"], date=data["date"], title=data["title"],
            summary=data.get("summary", ""),
            actors=[_actor(a) for a in _list(data.get("actors"), "actors")],
            place=None if place is None else _place(place),
            sources=[Source(**_shared(_only(s, "source", ("url", "title", "publisher",
                                                          "published")), "publisher"))
                     for s in _list(data.get("sources"), "sources")],
            # Tags and publishers repeat across events: one string each (12% less memory).
            tags=[sys.intern(t) if type(t) is str else t
                  for t in _list(data.get("tags"), "tags")],
            cameo=data.get("cameo"),
            status=data.get("status", "occurred"),
        )


_EVENT_KEYS = frozenset(attrs.fields_dict(Event))
# Each slot's own setter: how attrs fills a frozen, slotted instance, minus the name lookup.
_EVENT_SLOTS = [Event.__dict__[name].__set__ for name in (
    "id", "date", "title", "summary", "actors", "place", "sources", "tags", "cameo", "status")]
_SOURCE_SLOTS = [Source.__dict__[name].__set__ for name in (
    "url", "title", "publisher", "published")]


def _checked_event(data: dict[str, Any]) -> Event:
    """The event :meth:`Event.from_dict` builds from ``data``, without running the
    validators: only for the ``to_dict`` form of an event that passed them before, in
    a log prefix a full read checked (``timeline/stores/checked.py``). Dates, actors
    and places come from the same caches; ``tests/test_checked_prefix.py`` proves the
    result equal to :meth:`Event.from_dict`'s, field types included."""
    event = object.__new__(Event)
    id_, date, title, summary, actors, place, sources, tags, cameo, status = _EVENT_SLOTS
    id_(event, data["id"])
    date(event, parse_date(data["date"]))
    title(event, data["title"])
    summary(event, data["summary"])
    actors(event, tuple([_cached_actor(a["code"], a.get("name"), a.get("role"))
                         for a in data["actors"]]))
    where = data["place"]
    place(event, None if where is None else _cached_place(where["name"], where.get("country")))
    sources(event, tuple([_checked_source(s) for s in data["sources"]]))
    tags(event, tuple([sys.intern(t) for t in data["tags"]]))
    cameo(event, data["cameo"])
    status(event, data["status"])
    return event


def _checked_source(data: dict[str, Any]) -> Source:
    source = object.__new__(Source)
    url, title, publisher, published = _SOURCE_SLOTS
    url(source, data.get("url"))
    title(source, data.get("title"))
    by, on = data.get("publisher"), data.get("published")
    publisher(source, None if by is None else sys.intern(by))
    published(source, None if on is None else parse_date(on))
    return source


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(name, value, "is not a list", "Give a JSON array.")
    return value


def _actor(data: Any) -> Actor:
    key = _plain_key(data, "code", _ACTOR_KEYS)
    if key is None:
        return Actor(**_only(data, "actor", ("code", "name", "role")))
    return _cached_actor(*key)


def _place(data: Any) -> Place:
    key = _plain_key(data, "name", _PLACE_KEYS)
    if key is None:
        return Place(**_only(data, "place", ("name", "country")))
    return _cached_place(*key)


def _plain_key(data: Any, required: str, keys: dict[str, None]) -> tuple[Any, ...] | None:
    """The values of ``keys`` when ``data`` is a dict of those keys only, with ``required``,
    holding only strings and None (hashable, and what the constructor takes as given);
    ``None`` otherwise, and the caller goes the uncached way (same errors)."""
    if type(data) is not dict or required not in data or not data.keys() <= keys.keys():
        return None
    values = tuple(map(data.get, keys))
    for value in values:
        if value is not None and type(value) is not str:
            return None
    return values


_ACTOR_KEYS = dict.fromkeys(("code", "name", "role"))  # in the constructors' order
_PLACE_KEYS = dict.fromkeys(("name", "country"))
# Frozen records shared between events: an error is raised again each time (not cached).
_cached_actor = lru_cache(maxsize=8192)(Actor)
_cached_place = lru_cache(maxsize=8192)(Place)


def _shared(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data`` with its ``key`` string interned (the same text, one object)."""
    value = data.get(key)
    if type(value) is str:
        return {**data, key: sys.intern(value)}
    return data


def _only(value: Any, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(name, value, "is not an object", "Give a JSON object.")
    unknown = set(value) - set(keys)
    if unknown:
        raise ValidationError(name, sorted(unknown)[0], f"is not a field of {name}",
                              f"Fields are: {', '.join(keys)}.")
    return value


# --- helpers for building records from command-line text --------------------------------------

def parse_actor(text: str) -> Actor:
    """``CODE[:NAME[:ROLE]]`` -> :class:`Actor`, e.g. ``PAKGOV:Jalil Abbas Jilani:Foreign Secretary``."""
    code, _, rest = text.partition(":")
    name, _, role = rest.partition(":")
    return Actor(code=code.strip(), name=name.strip() or None, role=role.strip() or None)


def parse_place(text: str) -> Place:
    """``NAME[:COUNTRY]`` -> :class:`Place`, e.g. ``Moscow:RUS`` or ``Moscow:RU``."""
    name, _, country = text.rpartition(":") if ":" in text else (text, "", "")
    return Place(name=name.strip(), country=country.strip() or None)


def make_event_id(date: str | EDTFDate, title: str,
                  taken: TakenIds | Iterable[str] = ()) -> str:
    """A readable, stable slug from the date and title: ``2013-08-28-strategic-dialogue-opens``.

    Non-Latin titles that leave no ASCII letters fall back to 8 hex digits of
    the title's SHA-256, so the id is still stable. A ``-2``, ``-3``... suffix
    avoids ids in ``taken``: the first of ``base``, ``base-2``, ``base-3``...
    that is not in it.

    ``taken`` is looked up, not copied, when it is a set (any
    :class:`collections.abc.Set`); another iterable is read into a set once.
    For many ids in a row (an importer's rows) give a :class:`TakenIds`: it
    remembers where each ``-N`` series stands, so that deriving ``k`` ids costs
    O(k) lookups in all, however many share a date and title. The result is
    the same for any kind of ``taken``.
    """
    edtf = date.edtf if isinstance(date, EDTFDate) else date
    date_part = _NOT_DATE.sub("-", edtf.lower()).strip("-") or "undated"
    spaced = _NOT_WORD.sub(" ", title)  # so that "Pakistan–Russia" keeps two words
    # ASCII is its own NFKD form: only other text needs the (slower) normalisation.
    ascii_title = spaced if spaced.isascii() else unicodedata.normalize(
        "NFKD", spaced).encode("ascii", "ignore").decode()
    words = _SLUG_WORD.findall(ascii_title.lower())
    title_part = ""
    for word in words:
        if len(title_part) + len(word) + 1 > 60:
            break
        title_part = f"{title_part}-{word}" if title_part else word
    if not title_part:
        title_part = hashlib.sha256(title.encode()).hexdigest()[:8]
    base = f"{date_part}-{title_part}"[:110].strip("-")
    if isinstance(taken, TakenIds):
        return taken._first_free(base)
    return _first_free(base, taken if isinstance(taken, AbstractSet) else set(taken), 1)[0]


class TakenIds:
    """The event ids taken so far, for deriving many ids with :func:`make_event_id`.

    A set of strings that only grows (``in``, :meth:`add`, ``len``, iteration):
    an importer adds each row's id as it goes. It also keeps, for each base
    slug :func:`make_event_id` has derived, the suffix it last handed out.
    Since ids are never removed, every earlier suffix of that base is still
    taken, so the next search starts there: ``k`` derivations cost O(k) set
    lookups in all, instead of O(k) each for a series of ``k`` equal dates
    and titles, with the same ids as a plain set gives.
    """

    __slots__ = ("_ids", "_next")

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._ids: set[str] = set(ids)
        self._next: dict[str, int] = {}

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def add(self, event_id: str) -> None:
        """Take ``event_id``."""
        self._ids.add(event_id)

    def _first_free(self, base: str) -> str:
        candidate, self._next[base] = _first_free(base, self._ids, self._next.get(base, 1))
        return candidate


def _first_free(base: str, taken: AbstractSet[str], n: int) -> tuple[str, int]:
    """The first of ``base`` (n = 1), ``base-2``, ``base-3``... from ``n`` on not in ``taken``."""
    candidate = base if n == 1 else f"{base}-{n}"
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate, n
