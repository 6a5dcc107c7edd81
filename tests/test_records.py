"""Records: every validator's exact message, the dict round trip and event ids."""

from __future__ import annotations

import hashlib
from typing import Any

import attrs
import pytest

from timeline import (STATUSES, Actor, Event, InvalidDateError, Place, Source, ValidationError,
                      TakenIds, make_event_id, parse_actor, parse_date, parse_place)

SLUG_RULE = ("is not a slug of lowercase ASCII letters, digits and single hyphens (at most 120 "
             "characters). For example 2013-08-28-strategic-dialogue-opens.")
ACTOR_SHAPE = ("is not a CAMEO actor code (3-letter groups in capitals, e.g. PAK, PAKGOV, "
               "RUSMIL). Start with the ISO 3166-1 alpha-3 country code.")
CAMEO_RULE = ("is not a CAMEO event code (2 to 4 digits, root 01..20, leading zero kept). "
              "For example 042 (Make a visit).")
TAG_RULE = ("is not a tag (one line of text without commas or surrounding spaces, at most 200 "
            "characters). For example: visit, defence.")
URL_RULE = "is not an http(s) URL. Give an address starting with https:// or http://."
COUNTRY_RULE = ("is not an ISO 3166-1 country code. Give an alpha-3 (RUS) or alpha-2 (RU) "
                "code.")
SINGLE_LINE = "Remove it; this field takes a single line."
MULTI_LINE = "Remove it; this field takes newlines (LF, CRLF or CR) and tabs only."


def event(**fields: Any) -> Event:
    return Event(**{"id": "e", "date": "2013-08-28", "title": "Talks", **fields})


def refused(make: Any) -> ValidationError:
    """Run ``make`` and return the ValidationError it raises (exactly that class)."""
    with pytest.raises(ValidationError) as info:
        make()
    assert type(info.value) is ValidationError
    return info.value


# --- Event.id ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Bad Id", "a--b", "-a", "a-", "a_b", "été", "", "A"])
def test_id_must_be_a_slug(value: str) -> None:
    error = refused(lambda: event(id=value))
    assert str(error) == f"id: {value!r} {SLUG_RULE}"
    assert (error.field, error.value) == ("id", value)


def test_id_length_limit_is_120() -> None:
    assert event(id="a" * 120).id == "a" * 120
    error = refused(lambda: event(id="a" * 121))
    assert str(error) == f"id: '{'a' * 67}...' (121 chars) {SLUG_RULE}"
    assert error.value == "a" * 121


def test_id_must_be_text() -> None:
    assert str(refused(lambda: event(id=5))) == f"id: 5 {SLUG_RULE}"


# --- text fields ---------------------------------------------------------------------------

def test_title_empty_or_blank() -> None:
    assert str(refused(lambda: event(title=""))) == "title: '' is empty. Give some text."
    assert str(refused(lambda: event(title="  \t"))) == "title: '  \\t' is empty. Give some text."


def test_title_must_be_text() -> None:
    assert str(refused(lambda: event(title=None))) == "title: None is not text. Give a string."


def test_title_length_limit_is_300() -> None:
    assert event(title="x" * 300).title == "x" * 300
    error = refused(lambda: event(title="x" * 301))
    assert str(error) == (f"title: '{'x' * 67}...' (301 chars) is longer than 300 characters. "
                          "Shorten it; put detail in the summary.")


@pytest.mark.parametrize(("title", "code", "index"), [
    ("a\x00b", "0000", 1), ("Talks\x1b[31m", "001B", 5), ("a\nb", "000A", 1),
    ("a\tb", "0009", 1), ("a\rb", "000D", 1), ("ab\x7f", "007F", 2), ("a\u2028b", "2028", 1),
    ("\x85x", "0085", 0),
])
def test_title_refuses_control_characters(title: str, code: str, index: int) -> None:
    error = refused(lambda: event(title=title))
    assert str(error) == (f"title: {title!r} contains control character U+{code} at index "
                          f"{index}. {SINGLE_LINE}")
    assert (error.field, error.value) == ("title", title)


def test_summary_takes_lf_crlf_and_tabs() -> None:
    text = "First line.\nSecond line.\r\nThird:\tend."
    assert event(summary=text).summary == text


@pytest.mark.parametrize(("summary", "code", "index"), [
    ("ok\x00", "0000", 2), ("a\x0bb", "000B", 1), ("a\x0cb", "000C", 1),
    ("\x1b[2J", "001B", 0), ("a\u2029b", "2029", 1),
])
def test_summary_refuses_other_control_characters(summary: str, code: str, index: int) -> None:
    error = refused(lambda: event(summary=summary))
    assert str(error) == (f"summary: {summary!r} contains control character U+{code} at index "
                          f"{index}. {MULTI_LINE}")


def test_summary_length_limit_is_10000() -> None:
    assert len(event(summary="x" * 10_000).summary) == 10_000
    error = refused(lambda: event(summary="x" * 10_001))
    assert str(error) == (f"summary: '{'x' * 67}...' (10001 chars) is longer than 10000 "
                          "characters. Shorten it.")


def test_summary_none_is_the_empty_summary() -> None:
    assert event(summary=None).summary == ""
    assert event().summary == ""


# --- actors --------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["PAK", "PAKGOV", "RUSMIL", "IGO", "IGOWSTNAT", "NGO", "EUR",
                                  "PAKGOVMILXYZABC"])
def test_actor_codes_accepted(code: str) -> None:
    assert Actor(code).code == code


@pytest.mark.parametrize("code", ["pak", "PA", "PAKGO", "PAK-GOV", "PAKGOVMILXYZABCDEF", "", 42])
def test_actor_code_shape(code: Any) -> None:
    error = refused(lambda: Actor(code))
    assert str(error) == f"actor.code: {code!r} {ACTOR_SHAPE}"
    assert (error.field, error.value) == ("actor.code", code)


@pytest.mark.parametrize("code", ["XXX", "XXXGOV", "USSGOV"])
def test_actor_code_head_must_be_iso_or_cameo(code: str) -> None:
    error = refused(lambda: Actor(code))
    assert str(error) == (f"actor.code: {code!r} starts with {code[:3]!r}, which is neither an "
                          "ISO 3166-1 alpha-3 country code nor a CAMEO regional or transnational "
                          "code. For example PAK, RUS, IGO, NGO.")


def test_actor_name_is_one_line() -> None:
    error = refused(lambda: Actor("PAK", name="Jalil\nAbbas"))
    assert str(error) == ("actor.name: 'Jalil\\nAbbas' contains control character U+000A at "
                          f"index 5. {SINGLE_LINE}")


def test_actors_must_be_actor_records() -> None:
    assert str(refused(lambda: event(actors=[Actor("PAK"), "RUS"]))) == (
        "actors: 'RUS' is not Actor. Give Actor records.")


def test_parse_actor() -> None:
    assert parse_actor("PAKGOV:Jalil Abbas Jilani:Foreign Secretary") == Actor(
        "PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary")
    assert parse_actor("RUS") == Actor("RUS", None, None)
    assert parse_actor(" RUSGOV : Government of Russia ") == Actor(
        "RUSGOV", "Government of Russia", None)


# --- place ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("given_", "stored"), [
    ("RU", "RUS"), ("ru", "RUS"), ("PK", "PAK"), ("RUS", "RUS"), ("rus", "RUS"), (None, None)])
def test_place_country_is_stored_as_alpha3(given_: str | None, stored: str | None) -> None:
    assert Place("Moscow", given_).country == stored


@pytest.mark.parametrize("country", ["XX", "XXX", "RUSS", "", 5])
def test_place_country_refused(country: Any) -> None:
    error = refused(lambda: Place("Moscow", country))
    assert str(error) == f"place.country: {country!r} {COUNTRY_RULE}"
    assert (error.field, error.value) == ("place.country", country)


def test_place_name_required() -> None:
    assert str(refused(lambda: Place(""))) == "place.name: '' is empty. Give some text."


def test_place_must_be_a_place_record() -> None:
    assert str(refused(lambda: event(place="Moscow"))) == (
        "place: 'Moscow' is not a Place. Give a Place record.")


def test_parse_place() -> None:
    assert parse_place("Moscow:RU") == Place("Moscow", "RUS")
    assert parse_place("Moscow") == Place("Moscow", None)
    assert parse_place("Rawalpindi, Punjab:PAK") == Place("Rawalpindi, Punjab", "PAK")


# --- sources -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://example.org/a?b=1#c", "http://example.org",
                                 "HTTPS://EXAMPLE.ORG/"])
def test_source_url_accepted(url: str) -> None:
    assert Source(url=url).url == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>",
                                 "ftp://example.org/file", "//example.org/x",
                                 "example.org"])
def test_source_url_refused(url: str) -> None:
    error = refused(lambda: Source(url=url))
    assert str(error) == f"source.url: {url!r} {URL_RULE}"
    assert (error.field, error.value) == ("source.url", url)


def test_source_url_without_a_host_refused() -> None:
    assert str(refused(lambda: Source(url="https://"))) == (
        "source.url: 'https://' has no host name. Give a full address, e.g. "
        "https://example.org/page.")


@pytest.mark.parametrize(("url", "char", "index"), [
    ("https://example.org ", " ", 19), ("https://exa mple.org/", " ", 11),
    (" https://example.org", " ", 0),
    ('https://example.org/"x"', '"', 20), ("https://example.org/<b>", "<", 20),
    ("https://example.org/a`b", "`", 21)])
def test_source_url_with_unencoded_characters_refused(url: str, char: str, index: int) -> None:
    assert str(refused(lambda: Source(url=url))) == (
        f"source.url: {url!r} contains {char!r} at index {index}, which a URL cannot hold "
        "unencoded. Percent-encode it (a space is %20).")


def test_source_url_refuses_control_characters_and_empty() -> None:
    assert str(refused(lambda: Source(url="https://exa\nmple.org"))) == (
        "source.url: 'https://exa\\nmple.org' contains control character U+000A at index 11. "
        f"{SINGLE_LINE}")
    assert str(refused(lambda: Source(url=""))) == "source.url: '' is empty. Give some text."


@pytest.mark.parametrize("fields", [{}, {"publisher": "DND"}, {"title": ""}, {"title": "  "},
                                    {"published": "2013"}])
def test_source_needs_a_url_or_a_title(fields: dict[str, Any]) -> None:
    error = refused(lambda: Source(**fields))
    assert str(error) == ("source: has neither a url nor a title. Give the address, or the "
                          "title of a print source.")
    assert (error.field, error.value) == ("source", None)


def test_print_source_without_url() -> None:
    source = Source(title="Russo-Pak dialogue", publisher="DND", published="2013-08-28?")
    assert (source.url, source.title, source.publisher) == (None, "Russo-Pak dialogue", "DND")
    assert source.published == parse_date("2013-08-28?")


def test_source_published_errors_name_the_field() -> None:
    with pytest.raises(InvalidDateError) as info:
        Source(title="T", published="2013-02-30")
    assert type(info.value) is InvalidDateError
    assert str(info.value) == ("source.published: '2013-02-30' names day 30, but February 2013 "
                               "has 28 days. Give an existing day, or the month alone (2013-02).")
    assert (info.value.field, info.value.value) == ("source.published", "2013-02-30")
    assert str(refused(lambda: Source(title="T", published=2013))) == (
        "source.published: 2013 is not an EDTF date. Give a string like 2013-08-28.")


def test_sources_must_be_source_records() -> None:
    assert str(refused(lambda: event(sources=[{"url": "https://example.org"}]))) == (
        "sources: {'url': 'https://example.org'} is not Source. Give Source records.")


# --- date, cameo, status, tags -------------------------------------------------------------

def test_event_date_is_parsed_and_kept() -> None:
    assert event(date="2013-08~").date == parse_date("2013-08~")
    with pytest.raises(InvalidDateError) as info:
        event(date="2013-13")
    assert info.value.field == "date"
    assert str(refused(lambda: event(date=None))) == (
        "date: None is not an EDTF date. Give a string like 2013-08-28.")


@pytest.mark.parametrize("cameo", ["01", "042", "0431", "20", "190", "1724"])
def test_cameo_accepted(cameo: str) -> None:
    assert event(cameo=cameo).cameo == cameo


@pytest.mark.parametrize("cameo", ["1", "00", "21", "99", "01234", "04a", "\u0660\u0664\u0662",
                                   42, "+42", " 042"])
def test_cameo_refused(cameo: Any) -> None:
    error = refused(lambda: event(cameo=cameo))
    assert str(error) == f"cameo: {cameo!r} {CAMEO_RULE}"
    assert (error.field, error.value) == ("cameo", cameo)


def test_statuses() -> None:
    assert STATUSES == ("occurred", "scheduled", "expected", "cancelled")
    assert [event(status=s).status for s in STATUSES] == list(STATUSES)
    assert event().status == "occurred"
    error = refused(lambda: event(status="done"))
    assert str(error) == ("status: 'done' is not a status. Use one of: occurred, scheduled, "
                          "expected, cancelled.")


def test_tags_kept_in_order_as_a_tuple() -> None:
    assert event(tags=["visit", "defence", "sco"]).tags == ("visit", "defence", "sco")


def test_tags_repeated() -> None:
    error = refused(lambda: event(tags=["visit", "sco", "visit"]))
    assert str(error) == "tags: ['visit', 'sco', 'visit'] repeats a tag. Give each tag once."


@pytest.mark.parametrize("tag", ["visit,defence", "", " visit", "visit ", "a\nb", "x" * 201, 7])
def test_tag_shape(tag: Any) -> None:
    error = refused(lambda: event(tags=[tag]))
    shown = f"'{'x' * 67}...' (201 chars)" if tag == "x" * 201 else repr(tag)
    assert str(error) == f"tags: {shown} {TAG_RULE}"
    assert (error.field, error.value) == ("tags", tag)


@pytest.mark.parametrize("name", ["tags", "actors", "sources"])
def test_a_single_string_is_not_a_list(name: str) -> None:
    # a str would otherwise be split into one item per character
    error = refused(lambda: event(**{name: "visit"}))
    assert str(error) == f"{name}: 'visit' is a single string, not a list. Give a list of {name}."
    error = refused(lambda: event(**{name: 5}))
    assert str(error) == f"{name}: 5 is not a list. Give a list of {name}."


def test_records_are_frozen() -> None:
    e = event()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        e.title = "Other"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Actor("PAK").code = "RUS"  # type: ignore[misc]


# --- to_dict / from_dict -------------------------------------------------------------------

FULL = {
    "id": "2013-08-28-first-strategic-dialogue-opens-moscow",
    "date": "2013-08-28",
    "title": "First Pakistan–Russia Strategic Dialogue opens in Moscow",
    "summary": "Foreign secretaries meet.\nTalks cover Afghanistan.",
    "actors": [{"code": "PAKGOV", "name": "Jalil Abbas Jilani", "role": "Foreign Secretary"},
               {"code": "RUSGOV"}],
    "place": {"name": "Moscow", "country": "RUS"},
    "sources": [{"url": "https://example.org/a", "title": "Russo-Pak dialogue",
                 "publisher": "DND", "published": "2013-08-28?"},
                {"title": "Print edition"}],
    "tags": ["strategic-dialogue", "visit"],
    "cameo": "036",
    "status": "occurred",
}


def test_to_dict_is_the_documented_shape() -> None:
    e = Event(
        id=FULL["id"], date="2013-08-28", title=FULL["title"], summary=FULL["summary"],
        actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"), Actor("RUSGOV")],
        place=Place("Moscow", "RU"),
        sources=[Source(url="https://example.org/a", title="Russo-Pak dialogue",
                        publisher="DND", published="2013-08-28?"),
                 Source(title="Print edition")],
        tags=("strategic-dialogue", "visit"), cameo="036")
    assert e.to_dict() == FULL
    assert list(e.to_dict()) == ["id", "date", "title", "summary", "actors", "place", "sources",
                                 "tags", "cameo", "status"]


def test_from_dict_round_trip() -> None:
    e = Event.from_dict(FULL)
    assert e.to_dict() == FULL
    assert Event.from_dict(e.to_dict()) == e
    assert e.place == Place("Moscow", "RUS")
    assert e.sources[1] == Source(title="Print edition")


def test_from_dict_minimal_and_defaults() -> None:
    e = Event.from_dict({"id": "e", "date": "2013", "title": "T"})
    assert e == Event("e", "2013", "T")
    assert e.to_dict() == {"id": "e", "date": "2013", "title": "T", "summary": "", "actors": [],
                           "place": None, "sources": [], "tags": [], "cameo": None,
                           "status": "occurred"}


def test_from_dict_refuses_unknown_fields() -> None:
    error = refused(lambda: Event.from_dict({**FULL, "colour": "red", "author": "x"}))
    assert str(error) == ("event: 'author' is not a field of an event. Fields are: actors, "
                          "cameo, date, id, place, sources, status, summary, tags, title.")
    assert (error.field, error.value) == ("event", "author")


@pytest.mark.parametrize(("key", "item", "message"), [
    ("actors", {"code": "PAK", "rank": 1},
     "actor: 'rank' is not a field of actor. Fields are: code, name, role."),
    ("sources", {"title": "T", "date": "2013"},
     "source: 'date' is not a field of source. Fields are: url, title, publisher, published."),
])
def test_from_dict_refuses_unknown_nested_fields(key: str, item: dict, message: str) -> None:
    assert str(refused(lambda: Event.from_dict({**FULL, key: [item]}))) == message


def test_from_dict_refuses_unknown_place_field() -> None:
    error = refused(lambda: Event.from_dict({**FULL, "place": {"name": "M", "city": "M"}}))
    assert str(error) == "place: 'city' is not a field of place. Fields are: name, country."


@pytest.mark.parametrize(("data", "message"), [
    ([], "event: [] is not an object. Give a JSON object."),
    ({"id": "e", "date": "2013"}, "title: is missing. Give the event's title."),
    ({"date": "2013", "title": "T"}, "id: is missing. Give the event's id."),
    ({"id": "e", "date": "2013", "title": "T", "tags": "visit"},
     "tags: 'visit' is not a list. Give a JSON array."),
    ({"id": "e", "date": "2013", "title": "T", "actors": {"code": "PAK"}},
     "actors: {'code': 'PAK'} is not a list. Give a JSON array."),
    ({"id": "e", "date": "2013", "title": "T", "actors": ["PAK"]},
     "actor: 'PAK' is not an object. Give a JSON object."),
    ({"id": "e", "date": "2013", "title": "T", "place": "Moscow"},
     "place: 'Moscow' is not an object. Give a JSON object."),
])
def test_from_dict_shape_errors(data: Any, message: str) -> None:
    assert str(refused(lambda: Event.from_dict(data))) == message


# --- make_event_id -------------------------------------------------------------------------

@pytest.mark.parametrize(("date", "title", "expected"), [
    ("2013-08-28", "First Strategic Dialogue opens in Moscow",
     "2013-08-28-first-strategic-dialogue-opens-in-moscow"),
    ("2013", "Visite à Moscou du président Musharraf",
     "2013-visite-a-moscou-du-president-musharraf"),
    ("2013-08-28", "Pakistan–Russia Strategic Dialogue",       # en dash
     "2013-08-28-pakistan-russia-strategic-dialogue"),
    ("2013-08-28", "Pakistan—Russia talks", "2013-08-28-pakistan-russia-talks"),  # em dash
    ("2013-08", "Trade reaches $542 million", "2013-08-trade-reaches-542-million"),
    ("2005~", "Observer status", "2005-observer-status"),
    ("201X", "Talks", "201x-talks"),
    ("2013-08/..", "Talks continue", "2013-08-talks-continue"),
    ("../2005", "Before", "2005-before"),
    ("2012-11-12/2012-11-15", "Visit", "2012-11-12-2012-11-15-visit"),
    ("2014-24", "Winter talks", "2014-24-winter-talks"),
])
def test_make_event_id(date: str, title: str, expected: str) -> None:
    assert make_event_id(date, title) == expected
    assert make_event_id(parse_date(date), title) == expected
    event(id=expected)  # every made id is a valid id


def test_make_event_id_keeps_whole_words_within_60_characters() -> None:
    # twelve "word"s and their hyphens take 59 characters; a thirteenth would pass 60
    assert make_event_id("2013-08-28", "word " * 40) == "2013-08-28-" + "-".join(["word"] * 12)


def test_make_event_id_for_a_title_without_latin_letters() -> None:
    title = "Визит в Москву"
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    assert make_event_id("2013", title) == f"2013-{digest}"
    assert make_event_id("2013", "Визит в Пекин") != make_event_id("2013", title)


def test_make_event_id_avoids_taken_ids() -> None:
    base = "2013-08-28-first-strategic-dialogue"
    assert make_event_id("2013-08-28", "First Strategic Dialogue", taken=[base]) == f"{base}-2"
    assert make_event_id("2013-08-28", "First Strategic Dialogue",
                         taken={base, f"{base}-2"}) == f"{base}-3"
    assert make_event_id("2013-08-28", "First Strategic Dialogue",
                         taken=[f"{base}-2"]) == base


def test_taken_ids_give_the_ids_a_plain_set_gives_across_a_collision_series() -> None:
    # "Talks 2" derives "2014-talks-2", which is also the second of the "Talks" series; an
    # explicit id ("2014-talks-4", as a CSV id column gives) sits in the middle of it.
    rows = [("2014", "Talks"), ("2014", "Talks"), ("2014", "Talks 2"), ("2014", "Talks"),
            ("2014", None), ("2014", "Talks"), ("2014", "Talks 2"), ("2014", "Talks"),
            ("2014-01", "Talks"), ("2014", "Talks")]
    expected = ["2014-talks", "2014-talks-2", "2014-talks-2-2", "2014-talks-3", "2014-talks-4",
                "2014-talks-5", "2014-talks-2-3", "2014-talks-6", "2014-01-talks",
                "2014-talks-7"]
    for taken in (TakenIds(), set()):
        made = []
        for date, title in rows:
            made.append(make_event_id(date, title, taken) if title else "2014-talks-4")
            taken.add(made[-1])
        assert made == expected
    assert len(taken) == len(expected) and "2014-talks-7" in taken


class CountingSet(set):
    """A set that counts its membership tests."""

    lookups = 0

    def __contains__(self, item: object) -> bool:
        CountingSet.lookups += 1
        return super().__contains__(item)

    def __iter__(self):
        raise AssertionError("make_event_id copied the set")


@pytest.mark.parametrize("n", [500, 1000, 2000])
def test_deriving_ids_is_linear_however_many_share_a_date_and_title(n: int) -> None:
    taken = TakenIds()
    taken._ids = CountingSet()  # count the lookups behind every derivation
    CountingSet.lookups = 0
    for _ in range(n):
        taken.add(make_event_id("2014", "Talks", taken))
    # The first id costs one lookup, each repeat two (the last suffix, then the next),
    # where a search from "-2" every time would cost n * (n + 1) / 2.
    assert CountingSet.lookups == 2 * n - 1
    assert "2014-talks" in taken and f"2014-talks-{n}" in taken


def test_a_set_of_taken_ids_is_looked_up_not_copied() -> None:
    taken = CountingSet({"2014-talks", "2014-talks-2"})
    CountingSet.lookups = 0
    assert make_event_id("2014", "Talks", taken) == "2014-talks-3"
    assert CountingSet.lookups == 3
