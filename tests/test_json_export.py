"""The ``json`` exporter (plugins/timeline_json): shape, schema, exact bytes, options."""

from __future__ import annotations

import datetime as dt
import io
import json
from importlib.resources import files

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from timeline_json.document import read_export

from timeline import (PRECISIONS, STATUSES, Actor, Chronology, Event, Log, Place, Source,
                      ValidationError, export_bytes, make_plugin_manager, parse_date)

from known_logs import LOGS
from strategies import CHRONOLOGIES

T0 = dt.datetime(2026, 11, 29, 18, 50, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(files("timeline_json").joinpath("schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def chronology_of(tmp_path, *events: Event, title: str | None = None) -> Chronology:
    log = Log.create(tmp_path / "x.jsonl")
    for event in events:
        log.record(event)
    return log.chronology(title=title)


def pinned(ch: Chronology) -> Chronology:
    """Record time comes from the clock; pin it (position n -> T0 + n s + n us)."""
    def at(n: int) -> dt.datetime:
        return T0 + dt.timedelta(seconds=n, microseconds=n)
    return attrs.evolve(ch, items=tuple(
        attrs.evolve(s, recorded_at=at(s.first_position), updated_at=at(s.last_position))
        for s in ch))


def export(ch: Chronology, **options) -> dict:
    return json.loads(export_bytes(ch, "json", **options))


def full_event() -> Event:
    return Event(
        id="2013-08-28-strategic-dialogue-opens", date="2013-08-28/2013-09-02",
        title="Pakistan–Russia strategic dialogue opens", summary="Line one.\n\tLine «two».",
        actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"), Actor("RUS")],
        place=Place("Moscow", "RU"),
        sources=[Source("https://example.org/a?b=1&c=2", title="Report", publisher="Dawn",
                        published="2013-08~"), Source("http://example.com/"),
                 Source(title="Memoirs (print)", publisher="OUP", published="2015")],
        tags=["visit", "strategic dialogue"], cameo="042", status="scheduled")


def to_event_dict(doc: dict) -> dict:
    """An exported event back in Event.to_dict() form (rule in the writer's docstring)."""
    def drop_none(d: dict) -> dict:
        return {k: v for k, v in d.items() if v is not None}
    return {
        **{k: v for k, v in doc.items() if k != "record"},
        "date": doc["date"]["edtf"],
        "actors": [drop_none(a) for a in doc["actors"]],
        "place": None if doc["place"] is None else drop_none(doc["place"]),
        "sources": [drop_none({**s, "published": s["published"] and s["published"]["edtf"]})
                    for s in doc["sources"]],
    }


# --- the schema ------------------------------------------------------------------------------

def test_schema_is_valid_draft_2020_12(schema):
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_enums_match_the_core(schema):
    assert schema["$defs"]["event"]["properties"]["status"]["enum"] == list(STATUSES)
    assert schema["$defs"]["date"]["properties"]["precision"]["enum"] == list(PRECISIONS)


def test_schema_keys_are_the_exported_keys_in_order(schema, tmp_path):
    doc = export(chronology_of(tmp_path, full_event()))
    event = doc["events"][0]
    defs = schema["$defs"]
    assert list(doc) == list(schema["properties"]) == schema["required"]
    assert list(event) == list(defs["event"]["properties"]) == defs["event"]["required"]
    for key, name in [("date", "date"), ("record", "record"), ("place", "place")]:
        assert list(event[key]) == list(defs[name]["properties"]) == defs[name]["required"]
    assert list(event["actors"][0]) == defs["actor"]["required"]
    assert list(event["sources"][0]) == defs["source"]["required"]


def test_export_validates_against_schema(validator, tmp_path):
    ch = chronology_of(tmp_path, full_event(), Event(id="b", date="../2013", title="Open start"),
                    Event(id="c", date="2014-24", title="Winter", summary="x" * 10_000))
    validator.validate(export(ch))
    validator.validate(export(ch, indent=None))


def test_empty_chronology_validates_and_is_exact(validator, tmp_path):
    data = export_bytes(chronology_of(tmp_path, title="Empty"), "json")
    assert data == (b'{\n  "format": "diplomatic-timeline/1",\n  "title": "Empty",\n'
                    b'  "position": 0,\n  "events": []\n}\n')
    validator.validate(json.loads(data))


@pytest.mark.parametrize("bad", [
    {"format": "diplomatic-timeline/2"},
    {"events": [{"date": {"precision": "week"}}]},
    {"events": [{"date": {"lower": "2013-02-30"}}]},
    {"events": [{"status": "rumoured"}]},
    {"events": [{"cameo": "21"}]},
    {"events": [{"record": {"recorded_at": "2026-11-29T18:50:00+00:00"}}]},
    {"events": [{"extra": 1}]},
    {"events": [{"sources": [{"url": None, "title": None, "publisher": "P", "published": None}]}]},
    {"events": [{"sources": [{"url": "ftp://x.org/", "title": None, "publisher": None,
                              "published": None}]}]},
], ids=lambda b: json.dumps(b))
def test_schema_rejects_broken_documents(validator, tmp_path, bad):
    doc = export(chronology_of(tmp_path, full_event()))
    for key, value in bad.items():
        if key != "events":
            doc[key] = value
            continue
        event = doc["events"][0]
        for field, change in value[0].items():
            if isinstance(change, dict):
                event[field].update(change)
            else:
                event[field] = change
    assert not validator.is_valid(doc)


# --- exact bytes -----------------------------------------------------------------------------

def test_exact_json_of_a_small_chronology_of(tmp_path):
    log = Log.create(tmp_path / "small.jsonl")
    log.record(Event(id="visit", date="2013-08", title="Visit to Moscow",
                     actors=[Actor("PAKGOV", name="Jilani")], place=Place("Moscow", "RUS")))
    log.record(Event(id="talks", date="2012-11-12/2012-11-15", title="Talks ~ «Ω»"))
    log.revise(Event(id="visit", date="2013-08-28?", title="Visit to Moscow", tags=["visit"],
                     sources=[Source("https://example.org/v")]), reason="day found")
    data = export_bytes(pinned(log.chronology()), "json")
    assert data.decode("utf-8") == """\
{
  "format": "diplomatic-timeline/1",
  "title": "small",
  "position": 3,
  "events": [
    {
      "id": "talks",
      "date": {
        "edtf": "2012-11-12/2012-11-15",
        "lower": "2012-11-12",
        "upper": "2012-11-15",
        "precision": "day",
        "uncertain": false,
        "approximate": false
      },
      "title": "Talks ~ «Ω»",
      "summary": "",
      "actors": [],
      "place": null,
      "sources": [],
      "tags": [],
      "cameo": null,
      "status": "occurred",
      "record": {
        "recorded_at": "2026-11-29T18:50:02.000002Z",
        "updated_at": "2026-11-29T18:50:02.000002Z",
        "revisions": 0,
        "first_position": 2,
        "last_position": 2
      }
    },
    {
      "id": "visit",
      "date": {
        "edtf": "2013-08-28?",
        "lower": "2013-08-28",
        "upper": "2013-08-28",
        "precision": "day",
        "uncertain": true,
        "approximate": false
      },
      "title": "Visit to Moscow",
      "summary": "",
      "actors": [],
      "place": null,
      "sources": [
        {
          "url": "https://example.org/v",
          "title": null,
          "publisher": null,
          "published": null
        }
      ],
      "tags": [
        "visit"
      ],
      "cameo": null,
      "status": "occurred",
      "record": {
        "recorded_at": "2026-11-29T18:50:01.000001Z",
        "updated_at": "2026-11-29T18:50:03.000003Z",
        "revisions": 1,
        "first_position": 1,
        "last_position": 3
      }
    }
  ]
}
"""


def test_compact_and_other_indents_match_json_dumps(tmp_path):
    ch = chronology_of(tmp_path, full_event(), Event(id="b", date="2014", title="B"))
    for indent in (None, 0, 1, 4):
        data = export_bytes(ch, "json", indent=indent).decode("utf-8")
        separators = (",", ":") if indent is None else (",", ": ")
        again = json.dumps(json.loads(data), ensure_ascii=False, indent=indent,
                           separators=separators) + "\n"
        assert data == again
    assert export_bytes(ch, "json", indent=None).count(b"\n") == 1


def test_deterministic_utf8_bytes(tmp_path):
    ch = chronology_of(tmp_path, full_event(), title="Пакистан–Россия")
    first = export_bytes(ch, "json")
    assert first == export_bytes(ch, "json")
    assert first.endswith(b"}\n") and not first.endswith(b"\n\n")
    assert "Пакистан–Россия".encode("utf-8") in first and b"\\u" not in first


def test_record_times_are_utc_with_z(tmp_path):
    ch = pinned(chronology_of(tmp_path, Event(id="a", date="2013", title="A")))
    plus_five = dt.timezone(dt.timedelta(hours=5))
    state = attrs.evolve(ch.items[0], recorded_at=T0.astimezone(plus_five))
    doc = export(attrs.evolve(ch, items=(state,)))
    assert doc["events"][0]["record"]["recorded_at"] == "2026-11-29T18:50:00.000000Z"


# --- every field survives --------------------------------------------------------------------

def test_event_with_every_field_survives(tmp_path):
    event = full_event()
    doc = export(chronology_of(tmp_path, event))["events"][0]
    assert to_event_dict(doc) == event.to_dict()
    assert Event.from_dict(to_event_dict(doc)) == event
    assert doc["sources"][2]["url"] is None
    assert doc["sources"][0]["published"] == {
        "edtf": "2013-08~", "lower": "2013-08-01", "upper": "2013-08-31",
        "precision": "month", "uncertain": False, "approximate": True}


@pytest.mark.parametrize("edtf", [
    "2013-08-28", "2013-08", "2013", "2014-21", "2014-24", "201X", "19XX", "2013-XX",
    "2013?", "2013-08~", "2013-08-28%", "2012-11-12/2012-11-15", "2013-08/..", "../2013",
    "2013-08/", "/2013", "2013?/2014~",
])
def test_dates_carry_their_bounds_and_precision(validator, tmp_path, edtf):
    doc = export(chronology_of(tmp_path, Event(id="a", date=edtf, title="A")))
    validator.validate(doc)
    date, parsed = doc["events"][0]["date"], parse_date(edtf)
    assert date == {
        "edtf": edtf,
        "lower": parsed.lower and parsed.lower.isoformat(),
        "upper": parsed.upper and parsed.upper.isoformat(),
        "precision": parsed.precision,
        "uncertain": parsed.uncertain,
        "approximate": parsed.approximate,
    }


def test_open_interval_bounds_are_null(tmp_path):
    doc = export(chronology_of(tmp_path, Event(id="a", date="2013-08/..", title="A"),
                            Event(id="b", date="/2013", title="B")))
    dates = {e["id"]: e["date"] for e in doc["events"]}
    assert (dates["a"]["lower"], dates["a"]["upper"]) == ("2013-08-01", None)
    assert (dates["b"]["lower"], dates["b"]["upper"]) == (None, "2013-12-31")


def test_retracted_event_is_absent_and_position_counts_every_entry(tmp_path):
    log = Log.create(tmp_path / "x.jsonl")
    log.record(Event(id="a", date="2013", title="A"))
    log.record(Event(id="b", date="2014", title="B"))
    log.retract("a", reason="duplicate")
    doc = export(log.chronology())
    assert [e["id"] for e in doc["events"]] == ["b"] and doc["position"] == 3


# --- options ---------------------------------------------------------------------------------

def test_unknown_option_is_named(tmp_path):
    with pytest.raises(ValidationError, match="'pretty'") as info:
        export_bytes(chronology_of(tmp_path), "json", pretty=True)
    assert info.value.field == "option" and info.value.value == "pretty"


@pytest.mark.parametrize("indent", [-1, True, "2", 1.5])
def test_invalid_indent(tmp_path, indent):
    with pytest.raises(ValidationError) as info:
        export_bytes(chronology_of(tmp_path), "json", indent=indent)
    assert info.value.field == "indent"


# --- the fixture and the bundled log ---------------------------------------------------------

@pytest.mark.parametrize("name", list(LOGS))
def test_known_logs_validate_and_read_back_equal(validator, name):
    chronology = Log(LOGS[name][0]).chronology()
    for indent in (2, None):
        data = export_bytes(chronology, "json", indent=indent)
        validator.validate(json.loads(data))
        assert read_export(data) == chronology
    doc = export(chronology)
    assert [e["id"] for e in doc["events"]] == [s.event.id for s in chronology]
    assert {e["id"]: e["date"]["edtf"] for e in doc["events"]} == {
        event_id: row[0] for event_id, row in LOGS[name][1].items()}


def test_fixture_keeps_revisions_and_drops_the_retracted_event(validator):
    doc = export(Log(LOGS["fixture"][0]).chronology())
    by_id = {e["id"]: e for e in doc["events"]}
    assert "retracted-duplicate" not in by_id and len(by_id) == 28 and doc["position"] == 32
    revised = by_id["revised-twice"]
    assert (revised["title"], revised["date"]["edtf"]) == (
        "Visa agreement talks, round one", "2013-09-10")
    assert revised["record"]["revisions"] == 2
    assert revised["record"]["updated_at"] > revised["record"]["recorded_at"]
    assert len(by_id["five-sources"]["sources"]) == 5
    assert by_id["text-separators"]["summary"] == (
        "First line, with a comma; and a semicolon \\ and a backslash.\r\nSecond line after "
        "CRLF.\nThird line after LF.\rFourth after CR.\n\nAfter a blank line.")


# --- read_export: lossless, strict -----------------------------------------------------------

@pytest.fixture(scope="module")
def plugins():
    return make_plugin_manager()  # once: finding the plugins reads package metadata


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chronology=CHRONOLOGIES)
def test_any_chronology_round_trips_losslessly_and_validates(validator, plugins, chronology):
    for indent in (2, None):
        data = export_bytes(chronology, "json", indent=indent, plugins=plugins)
        if indent is None:  # the same document as with indent 2
            validator.validate(json.loads(data))
        back = read_export(data)
        assert back == chronology
        assert back.events == chronology.events  # the records themselves, field by field


def test_read_export_takes_bytes_text_and_streams(tmp_path):
    chronology = pinned(chronology_of(tmp_path, full_event()))
    data = export_bytes(chronology, "json")
    for source in (data, data.decode("utf-8"), io.BytesIO(data),
                   io.StringIO(data.decode("utf-8"))):
        assert read_export(source) == chronology


def _edit(doc: dict, path: tuple, value) -> dict:
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize("path, value, field, message", [
    (("format",), "diplomatic-timeline/2", "format",
     "format: 'diplomatic-timeline/2' is not 'diplomatic-timeline/1'."),
    (("events", 0, "tags"), _DELETE, "events[0]", "events[0]: 'tags' is missing."),
    (("events", 0, "extra"), 1, "events[0].extra",
     "events[0].extra: 1 is not a key of this format. Remove it; the keys are: id, date, "),
    (("events", 0, "date", "lower"), "2013-08-01", "events[0].date.lower",
     "events[0].date.lower: '2013-08-01' does not match the EDTF date "
     "'2013-08-28/2013-09-02', which means '2013-08-28'."),
    (("events", 0, "date", "precision"), "month", "events[0].date.precision",
     "events[0].date.precision: 'month' does not match the EDTF date "
     "'2013-08-28/2013-09-02', which means 'day'."),
    (("events", 0, "sources", 0, "published", "uncertain"), 1,
     "events[0].sources[0].published.uncertain",
     "events[0].sources[0].published.uncertain: 1 does not match the EDTF date '2013-08~', "
     "which means False."),
    (("events", 0, "date", "edtf"), "2013-13", "events[0].date.edtf",
     "events[0].date.edtf: '2013-13' is not a supported EDTF date: "),
    (("events", 0, "record", "recorded_at"), "2026-11-29T18:50:00+00:00",
     "events[0].record.recorded_at",
     "events[0].record.recorded_at: '2026-11-29T18:50:00+00:00' is not a record time of the "
     "form 2026-11-29T18:50:01.123456Z."),
    (("events", 0, "record", "revisions"), True, "events[0].record.revisions",
     "events[0].record.revisions: True is not a whole number >= 0."),
    (("events", 0, "title"), " ", "events[0]",
     "events[0]: '2013-08-28-strategic-dialogue-opens' is not a valid event: title: ' ' is "
     "empty."),
    (("position",), -1, "position", "position: -1 is not a whole number >= 0."),
])
def test_read_export_names_what_is_wrong(tmp_path, path, value, field, message):
    doc = _edit(export(chronology_of(tmp_path, full_event())), path, value)
    with pytest.raises(ValidationError) as info:
        read_export(json.dumps(doc))
    assert info.value.field == field
    assert str(info.value).startswith(message)


def test_read_export_refuses_a_repeated_id(tmp_path):
    doc = export(chronology_of(tmp_path, full_event()))
    doc["events"].append(doc["events"][0])
    with pytest.raises(ValidationError) as info:
        read_export(json.dumps(doc))
    assert str(info.value).startswith(
        "events[1].id: '2013-08-28-strategic-dialogue-opens' repeats the id of events[0].")


@pytest.mark.parametrize("data, message", [
    (b"\xff{}", "document: b'\\xff{}' is not UTF-8 (byte 0)."),
    (b"{", "document: b'{' is not JSON (Expecting property name enclosed in double quotes: "
           "line 1 column 2 (char 1))."),
    (b"[]", "document: 'list' is not a JSON object."),
])
def test_read_export_refuses_what_is_not_an_export(data, message):
    with pytest.raises(ValidationError) as info:
        read_export(data)
    assert str(info.value).startswith(message) and info.value.field == "document"
