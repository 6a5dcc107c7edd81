"""Streaming exports: the EventStream contract, and writers that stream give today's bytes.

- Exporters that declare ``streams=True`` (``json``, ``markdown``, ``timelinejs``)
  get a :class:`timeline.EventStream`; every other writer still gets a
  :class:`timeline.Chronology`, whatever the export's source (the hook-evolution
  policy in ``docs/plugins.md``: add, do not break).
- Their bytes from a one-shot stream (a generator: no Chronology behind it) equal
  today's: the sha256 of each format and option over a generated 3000-entry log,
  recorded from the writers before they streamed (``REFERENCE``), and a property
  over random chronologies comparing the writer called as it always was (a
  materialised Chronology) with the stream.
- The stream checks its source: order, count, read once; a source's own failure
  is the source's, not the plugin's; no file is left behind.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from timeline_ical import writer as ical_writer
from timeline_json import writer as json_writer
from timeline_markdown import writer as md_writer
from timeline_timelinejs import writer as tljs_writer

from timeline import (Chronology, Event, EventState, EventStream, Exporter, Log, PluginError,
                      ValidationError, export, export_bytes, hookimpl)
from timeline.cli import main
from timeline.testing import bundled_chronology, bundled_log_path, chronology_of, make_test_plugins

from test_export_speed_paths import chronologies, json_reference, tljs_reference

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402

WRITERS = {"json": json_writer.write, "markdown": md_writer.write,
           "timelinejs": tljs_writer.write}
OPTIONS = {"json": [{}, {"indent": 0}, {"indent": 4}, {"indent": None}],
           "markdown": [{"layout": "list"}, {"layout": "table"}],
           "timelinejs": [{"group": "actor"}, {"group": "tag"}, {"group": "none"}]}
CASES = [(name, options) for name, all_options in OPTIONS.items() for options in all_options]

#: sha256 of each export of the generated log below, written by the writers before
#: they streamed (commit 182bf13). A deliberate change of a format's bytes updates it.
REFERENCE = {
    ("json", ()): "ae1ba24807f9e830f8bfc5036ab9467c23748427ad1dad4e7085e54333a7a546",
    ("json", (("indent", 0),)): "a526f62a8391eb2e85c1d0c6984c70a579a053cbcfa7e459cafe0bb59c87ce50",
    ("json", (("indent", 4),)): "2a8b462257756329b7d53b42a220a8f9fcc1dfe62f7f766ff558e6fa1df57358",
    ("json", (("indent", None),)):
        "549de614a971156937f8e692e85bca429375c93ebf3a85440667585f17856053",
    ("markdown", (("layout", "list"),)):
        "52d90ea2acc8457e682e33fd599ef95ef4ad64727cd99de77ceb3896406c8de9",
    ("markdown", (("layout", "table"),)):
        "3de189f5bb43ba71708d7a67b76c8d271830b9b574f1fdfebf553fcab588f803",
    ("timelinejs", (("group", "actor"),)):
        "34443857b4927fb85c2df0bc3a9bea6e80341a0af6a05e5650d65dea84451eeb",
    ("timelinejs", (("group", "tag"),)):
        "585b9a5f71af894c38e51cb55a3f4c02856074f9721422249efd3eb6e0b5cd0c",
    ("timelinejs", (("group", "none"),)):
        "2ccdc6865cecf07a5106713e8c879f343c249497f4e90e7bfee3122c43205255",
}


def stream_of(chronology: Chronology, **changes: Any) -> EventStream:
    """``chronology``'s events as a one-shot generator, as a cursor would give them."""
    def events() -> Iterator[EventState]:
        yield from chronology.items
    return EventStream(events(), count=changes.get("count", len(chronology.items)),
                       title=chronology.title, position=chronology.position)


def written(write: Any, source: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    write(source, out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def generated() -> Chronology:
    log = generate.generate(Path(__import__("tempfile").mkdtemp()) / "g.jsonl", 3000, seed=11)
    return Log(log).chronology(title="golden: 3000 entries")


@pytest.mark.parametrize(("name", "options"), CASES, ids=lambda v: str(v))
def test_a_streamed_export_has_the_bytes_of_the_writers_before_they_streamed(
        generated: Chronology, name: str, options: dict[str, Any]) -> None:
    assert (len(generated), generated.position) == (2313, 3000)
    data = export_bytes(stream_of(generated), name, **options)
    assert hashlib.sha256(data).hexdigest() == REFERENCE[name, tuple(options.items())]


def test_the_first_party_text_exporters_declare_that_they_stream() -> None:
    exporters = make_test_plugins().exporters()
    assert {name: exporter.streams for name, exporter in exporters.items()} == {
        "ical": True, "json": True, "markdown": True, "timelinejs": True}


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (json_writer, md_writer, tljs_writer):
        monkeypatch.setattr(module, "_CHUNK", 2)


def markdown_whole(chronology: Chronology, layout: str = "list") -> bytes:
    """The Markdown document built the obvious way: every event in a list, grouped by
    year with ``itertools.groupby``, each rendered by the writer's own item or row
    (proved against the character rules in ``test_export_speed_paths.py``)."""
    table = layout == "table"
    title = md_writer._one_line(str(chronology.title), "title")
    states = list(chronology)
    intro = (f"{len(states)} event{'' if len(states) == 1 else 's'}" if states else "No events")
    parts = [f"# {md_writer._heading(title)}\n\n{intro}, as of log position "
             f"{chronology.position}.\n"]
    render = md_writer._row if table else md_writer._item
    for year, group in itertools.groupby(states, key=lambda s: s.event.date.lower and
                                         s.event.date.lower.year):
        parts.append(f"\n## {year or 'Without a start date'}\n\n"
                     f"{md_writer._TABLE_HEAD if table else ''}")
        parts += [render(state.event) for state in group]
    return "".join(parts).encode("utf-8")


def reference(chronology: Chronology, name: str, options: dict[str, Any],
              monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Today's bytes of ``name`` for ``chronology``, from a whole, materialised document."""
    if name == "json":
        return json_reference(chronology, options.get("indent", 2))
    if name == "markdown":
        return markdown_whole(chronology, **options)
    if not len(chronology):  # TimelineJS refuses an empty timeline: the writer's own error
        return written(tljs_writer.write, chronology, **options)
    return tljs_reference(chronology, options["group"], monkeypatch)


def outcome(function: Any, *args: Any) -> bytes | str:
    try:
        return function(*args)
    except ValidationError as error:  # a text a format refuses: the same error either way
        return f"{type(error).__name__}: {error}"


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(chronology=chronologies(), case=st.sampled_from(CASES))
def test_streamed_bytes_equal_the_whole_document_for_any_chronology(
        small_chunks: None, monkeypatch: pytest.MonkeyPatch, chronology: Chronology,
        case: tuple[str, dict[str, Any]]) -> None:
    name, options = case
    expected = outcome(reference, chronology, name, options, monkeypatch)
    got = outcome(lambda: export_bytes(stream_of(chronology), name, **options))
    assert got == expected
    # and the writer called as it always was, with the Chronology itself
    assert outcome(lambda: written(WRITERS[name], chronology, **options)) == expected


def test_ical_which_does_not_stream_gets_a_chronology_read_from_the_stream() -> None:
    chronology = bundled_chronology()
    assert export_bytes(stream_of(chronology), "ical") == export_bytes(chronology, "ical")


def test_the_ical_writer_iterates_once_so_a_stream_serves_it_too() -> None:
    # It declares streams; what it reads works on either source, with the same bytes.
    chronology = bundled_chronology()
    assert written(ical_writer.write, stream_of(chronology)) == written(ical_writer.write,
                                                                         chronology)


# --- the contract, through a plugin with one writer of each kind -----------------------------

class Both:
    """A plugin with a writer written before streams (``legacy``) and one that streams."""

    @hookimpl
    def timeline_exporters(self) -> list[Exporter]:
        return [Exporter("legacy", "ids, twice", "text/plain", ".txt", self.legacy),
                Exporter("streamed", "ids", "text/plain", ".txt", self.streamed, streams=True)]

    @staticmethod
    def legacy(chronology: Any, out: Any) -> None:
        # What a writer may do with a Chronology: every item, twice, by index, filtered.
        ids = " ".join(item.event.id for item in chronology)
        again = " ".join(event.id for event in chronology.events)
        occurred = len(chronology.filter(status="occurred"))
        out.write(f"{type(chronology).__name__} {len(chronology)} {chronology.items[0].event.id}"
                  f" | {ids} | {again} | {occurred}\n".encode())

    @staticmethod
    def streamed(events: Any, out: Any) -> None:
        out.write(f"{type(events).__name__} {events.title} {events.position}\n".encode())
        for item in events:
            out.write(f"{item.event.id}\n".encode())


A = Event(id="a", date="2013-08", title="Talks")
B = Event(id="b", date="2013-08-28", title="Dialogue opens", status="expected")
C = Event(id="c", date="2014", title="Withdrawal")
THREE = chronology_of(A, B, C, title="Three")


@pytest.fixture
def both() -> Any:
    return make_test_plugins(Both())


def test_hook_timeline_exporters_gives_a_legacy_writer_a_chronology_from_either_source(
        both: Any) -> None:
    expected = b"Chronology 3 a | a b c | a b c | 2\n"
    assert export_bytes(THREE, "legacy", plugins=both) == expected
    assert export_bytes(stream_of(THREE), "legacy", plugins=both) == expected


def test_a_legacy_writer_gets_the_very_chronology_it_was_given(both: Any) -> None:
    seen = []
    plugins = make_test_plugins(type("Keep", (), {"timeline_exporters": hookimpl(
        lambda self: [Exporter("keep", "-", "text/plain", ".txt",
                               lambda c, out: seen.append(c))])})())
    export_bytes(THREE, "keep", plugins=plugins)
    assert seen == [THREE] and seen[0] is THREE


def test_a_streaming_writer_gets_a_stream_from_either_source(both: Any) -> None:
    expected = b"EventStream Three 3\na\nb\nc\n"
    assert export_bytes(THREE, "streamed", plugins=both) == expected
    assert export_bytes(stream_of(THREE), "streamed", plugins=both) == expected


def test_a_stream_is_read_once() -> None:
    stream = stream_of(THREE)
    assert [item.event.id for item in stream] == ["a", "b", "c"]
    assert stream.yielded == 3
    with pytest.raises(ValidationError) as error:
        iter(stream)
    assert str(error.value) == ("events: 'Three' were already read: a stream is iterated once. "
                                "Read it once, or export a Chronology.")


def out_of_order() -> EventStream:
    states = THREE.items
    return EventStream(iter((states[1], states[0], states[2])), count=3, title="Three")


@pytest.mark.parametrize("name", ["streamed", "legacy", "json", "markdown", "ical"])
def test_a_source_out_of_order_is_refused_and_leaves_no_file(
        both: Any, tmp_path: Path, name: str) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"earlier export\n")
    with pytest.raises(ValidationError) as error:
        export(out_of_order(), name, target, plugins=both)
    assert str(error.value) == ("events: 'a' comes after 'b', out of chronological order. Yield "
                                "the events sorted by (event.date.sort_key, event.id), each id "
                                "once.")
    assert target.read_bytes() == b"earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_an_event_twice_in_a_row_is_refused() -> None:
    state = THREE.items[0]
    with pytest.raises(ValidationError) as error:
        list(EventStream([state, state], count=2))
    assert str(error.value) == ("events: 'a' comes twice. Yield the events sorted by "
                                "(event.date.sort_key, event.id), each id once.")


@pytest.mark.parametrize(("count", "yielded"), [(2, 3), (4, 3)])
def test_a_count_other_than_the_events_yielded_is_refused(
        both: Any, tmp_path: Path, count: int, yielded: int) -> None:
    target = tmp_path / "out.md"
    with pytest.raises(ValidationError) as error:
        export(stream_of(THREE, count=count), "markdown", target)
    assert str(error.value) == (f"events: {yielded} were yielded, where the stream's count is "
                                f"{count}. Give the number of events the source yields as count.")
    assert not target.exists()


def test_the_count_is_asked_of_the_source_only_when_a_writer_needs_it() -> None:
    calls = []

    def count() -> int:
        calls.append(1)
        return 3

    def events() -> Iterator[EventState]:
        yield from THREE.items

    json_bytes = export_bytes(EventStream(events(), count=count, title="Three"), "json")
    assert calls == []  # the JSON writer never asks: the source is not made to count
    assert json_bytes == export_bytes(attr_evolve(THREE, position=0), "json")
    calls.clear()
    stream = EventStream(events(), count=count, title="Three")
    assert (len(stream), stream.count) == (3, 3)
    md = export_bytes(stream, "markdown")
    assert calls == [1]
    assert md.splitlines()[2] == b"3 events, as of log position 0."


def attr_evolve(chronology: Chronology, **changes: Any) -> Chronology:
    import attrs
    return attrs.evolve(chronology, **changes)


def test_a_count_that_is_not_a_whole_number_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        len(EventStream([], count=lambda: -1))
    assert str(error.value) == ("count: -1 is not a whole number >= 0. Return the number of "
                                "events the stream yields.")


def test_a_stream_title_is_checked_as_a_chronologys() -> None:
    with pytest.raises(ValidationError) as error:
        EventStream([], count=0, title="two\nlines")
    assert str(error.value) == ("title: 'two\\nlines' contains control character U+000A at "
                                "index 3. Remove it; this field takes a single line.")


@pytest.mark.parametrize("name", ["streamed", "legacy", "catching"])
def test_a_failing_source_is_the_sources_failure_not_the_plugins(
        both: Any, tmp_path: Path, name: str) -> None:
    failure = sqlite3.OperationalError("database is locked")

    def events() -> Iterator[EventState]:
        yield THREE.items[0]
        raise failure

    def catching(events: Any, out: Any) -> None:
        try:
            list(events)
        except Exception:
            raise RuntimeError("the writer's own mistake") from None

    both.register(type("Catch", (), {"timeline_exporters": hookimpl(lambda self: [
        Exporter("catching", "-", "text/plain", ".txt", catching, streams=True)])})(), "catch")
    target = tmp_path / "out.txt"
    with pytest.raises(sqlite3.OperationalError) as error:
        export(EventStream(events(), count=3), name, target, plugins=both)
    assert error.value is failure
    assert not target.exists()


def test_a_writers_own_failure_is_still_the_plugins(both: Any) -> None:
    def broken(events: Any, out: Any) -> None:
        next(iter(events))
        raise KeyError("x")

    both.register(type("Broken", (), {"timeline_exporters": hookimpl(lambda self: [
        Exporter("broken", "-", "text/plain", ".txt", broken, streams=True)])})(), "broken")
    with pytest.raises(PluginError) as error:
        export_bytes(stream_of(THREE), "broken", plugins=both)
    assert str(error.value) == ("plugin 'broken': format 'broken' failed while writing: "
                                "KeyError: 'x'. Report this to the plugin's author, with the "
                                "log that caused it.")


def test_cli_export_streams_and_says_how_many_events_it_wrote(tmp_path: Path) -> None:
    log = tmp_path / "pakistan-russia.jsonl"
    log.write_bytes(bundled_log_path().read_bytes())
    result = CliRunner().invoke(main, ["export", str(log), "-f", "markdown", "-o",
                                       str(tmp_path / "out.md"), "--actor", "RUS"])
    assert (result.exit_code, result.output) == (0, "wrote 8 events to " +
                                                 str(tmp_path / "out.md") + "\n")
    chronology = Log(log).chronology().filter(actor="RUS")
    assert (tmp_path / "out.md").read_bytes() == export_bytes(chronology, "markdown")


def test_the_streaming_bench_measures_every_task(tmp_path: Path) -> None:
    import json
    import subprocess

    figures = tmp_path / "stream.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "stream_export.py"),
                           "--sizes", "300", "--data", str(tmp_path), "--json", str(figures)],
                          capture_output=True, text=True, check=True)
    results = json.loads(figures.read_text())
    assert [(r["format"], r["task"]) for r in results] == [
        (format, task) for format in ("json", "markdown")
        for task in ("fold", "log_chronology", "log_stream", "cursor_chronology",
                     "cursor_stream")]
    assert {r["events"] for r in results} == {len(Log(tmp_path / "stream-300-s5-v1.jsonl")
                                                  .chronology())}
    sizes = {(r["format"], r["task"]): r["bytes"] for r in results if r["task"] != "fold"}
    for format in ("json", "markdown"):  # the same document every way
        assert len({size for (f, _), size in sizes.items() if f == format}) == 1
    assert "streamed from a cursor" not in done.stdout  # one size: no size ratio
    assert done.stdout.count("writer's share of a full export") == 2
