"""Fast paths in :mod:`timeline.records` give exactly what the full checks give.

- ``_PLAIN_URL``: a URL of the plain form skips ``urlsplit``; for any string, the
  outcome (accepted, or the exact error) is the one without the shortcut.
- ``_Text``: the common case returns early; errors are unchanged.
- ``Event.from_dict`` builds each distinct actor and place once (``lru_cache`` of
  the frozen records); invalid ones raise the same errors as the constructors.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import timeline.records as records
from timeline import Actor, Event, Place, Source, ValidationError

SETTINGS = settings(max_examples=200, deadline=None)

url_chars = st.sampled_from(list("aZ09.-:/?#@[]%&=+ _~!$'()*,;\"<>{}|\\^`\t\n\u00e9\u0430\u200b"))
hosts = st.text(st.sampled_from(list("abcXYZ019.-")), min_size=0, max_size=12)
urls = st.builds(lambda scheme, host, rest: f"{scheme}://{host}{rest}",
                 st.sampled_from(["http", "https", "HTTP", "Https", "ftp", "javascript", "htp"]),
                 hosts, st.text(url_chars, max_size=20)) | st.text(url_chars, max_size=30)


def _outcome(url: str) -> str:
    try:
        Source(url)
    except (ValidationError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


@SETTINGS
@given(urls)
@example("https://news.example.org/1/0?ref=bench")
@example("http://example.org:8080/a#b")
@example("https://./x")
@example("https://-")
@example("https://exa mple.org")
@example("https://example.org/a b")
@example("https://user@example.org/")
@example("https://[::1]/")
@example("http://")
@example("https://example.org\u00e9/")
@example("https://example.org/\u200b")
def test_plain_url_shortcut_agrees_with_the_full_check(url: str) -> None:
    fast = _outcome(url)
    shortcut = records._PLAIN_URL
    records._PLAIN_URL = re.compile(r"(?!)")  # never matches: every URL takes the full check
    try:
        full = _outcome(url)
    finally:
        records._PLAIN_URL = shortcut
    assert fast == full


texts = st.text(st.sampled_from(list("ab \t\n\r\x00\x1f\x7f\x85\u2028 \u00e9")), max_size=8)


@SETTINGS
@given(texts, st.sampled_from(["title", "summary", "name"]))
@example("", "title")
@example(" ", "title")
@example("a\n", "title")
@example("a\n", "summary")
@example("x" * 301, "title")
@example("", "name")
def test_text_fast_return_keeps_every_error(value: str, field: str) -> None:
    def build() -> object:
        if field == "name":
            return Actor("PAKGOV", name=value)
        return Event(id="e", date="2013", title=value if field == "title" else "t",
                     summary=value if field == "summary" else "")

    try:
        build()
        fast = "ok"
    except ValidationError as exc:
        fast = str(exc)
    # The same rules, checked the long way: the shortcut's conditions, negated one by one.
    rule = records._Text(300 if field == "title" else 10_000 if field == "summary" else 200,
                         required=field == "title", multiline=field == "summary")
    bad = (records._CONTROL if rule.multiline else records._CONTROL_LINE).search(value)
    expected_ok = (not rule.required or value.strip()) and len(value) <= rule.max_length \
        and not bad
    assert (fast == "ok") == bool(expected_ok)
    if not expected_ok:
        prefix = "actor.name" if field == "name" else field
        assert fast.startswith(f"{prefix}: ")


def _event(actors: list, place: object = None) -> dict:  # noqa: ANN401
    return {"id": "e", "date": "2013", "title": "t", "actors": actors, "place": place}


def test_equal_actors_and_places_are_built_once() -> None:
    first = Event.from_dict(_event([{"code": "PAKGOV", "name": "Envoy"}],
                                   {"name": "Moscow", "country": "RUS"}))
    second = Event.from_dict(_event([{"code": "PAKGOV", "name": "Envoy"}],
                                    {"name": "Moscow", "country": "RU"}))
    assert first.actors[0] is second.actors[0]
    assert first.actors == (Actor("PAKGOV", "Envoy"),)
    assert first.place == second.place == Place("Moscow", "RUS")


@pytest.mark.parametrize(("actor", "message"), [
    ({"code": "pak"}, "actor.code: 'pak' is not a CAMEO actor code"),
    ({"code": "XXXGOV"}, "actor.code: 'XXXGOV' starts with 'XXX'"),
    ({"code": "PAK", "name": 5}, "actor.name: 5 is not text"),
    ({"code": "PAK", "name": ["a"]}, "actor.name: ['a'] is not text"),
    ({"code": "PAK", "nick": "x"}, "actor: 'nick' is not a field of actor"),
    ("PAK", "actor: 'PAK' is not an object"),
])
def test_invalid_actors_raise_what_the_constructor_raises(actor: object, message: str) -> None:
    for _ in range(2):  # the second time too: errors are not cached
        with pytest.raises(ValidationError) as caught:
            Event.from_dict(_event([actor]))
        assert str(caught.value).startswith(message)


def test_an_actor_without_code_fails_as_before() -> None:
    with pytest.raises(TypeError, match="code"):
        Event.from_dict(_event([{"name": "Envoy"}]))


@pytest.mark.parametrize(("place", "message"), [
    ({"name": "Moscow", "country": "XX"}, "place.country: 'XX' is not an ISO 3166-1"),
    ({"name": "", "country": "RUS"}, "place.name: '' is empty"),
    ({"name": "Moscow", "country": 7}, "place.country: 7 is not an ISO 3166-1"),
])
def test_invalid_places_raise_what_the_constructor_raises(place: dict, message: str) -> None:
    for _ in range(2):
        with pytest.raises(ValidationError) as caught:
            Event.from_dict(_event([], place))
        assert str(caught.value).startswith(message)
