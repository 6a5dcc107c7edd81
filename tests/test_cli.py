"""The ``timeline`` command line: every command, its exact output, errors and exit codes.

Most tests drive :data:`timeline.cli.main` through click's ``CliRunner``; a few run
the installed ``timeline`` script in a subprocess. The bundled
``events/pakistan-russia.jsonl`` is only ever read through a copy.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import timeline
from timeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "events" / "pakistan-russia.jsonl"
TIMELINE = Path(sys.executable).parent / "timeline"
HEAD = "900993f53ac220f081468859593a8b20bd2bc9b5e12b564b05a5ec8f8e2147dd"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")

PAKISTAN_RUSSIA = [
    "2003-02\t2003-02-musharraf-visits-russia\tPresident Musharraf visits Russia; Moscow "
    "re-establishes a political dialogue with Islamabad",
    "2005~\t2005-russia-helps-pakistan-sco-observer-status\tRussia helps Pakistan obtain "
    "observer status in the Shanghai Cooperation Organisation",
    "2005-06\t2005-06-pakistan-supports-russia-oic-observer-bid\tPakistan supports Russia's "
    "bid for observer status in the Organisation of Islamic Conference",
    "2012\t2012-army-chief-kiyani-visits-moscow\tPakistan's army chief Gen Ashfaq Kiyani "
    "visits Moscow",
    "2012\t2012-foreign-secretaries-agree-strategic-dialogue\tForeign-secretary-level meeting "
    "decides to hold a Pakistan–Russia Strategic Dialogue",
    "2013-08\t2013-08-bilateral-trade-reported-542-million\tPakistan–Russia two-way trade "
    "reported at almost US$542 million",
    "2013-08\t2013-08-russian-air-chief-visits-pakistan\tRussian Air Force chief visits Pakistan",
    "2013-08-28\t2013-08-28-first-strategic-dialogue-opens-moscow\tFirst Pakistan–Russia "
    "Strategic Dialogue opens in Moscow",
    "2014\t2014-nato-withdrawal-from-afghanistan\tNATO forces withdraw from Afghanistan "
    "(expected)",
]
KIYANI, SECRETARIES, TRADE, AIR_CHIEF, DIALOGUE = (PAKISTAN_RUSSIA[i] for i in (3, 4, 5, 6, 7))

#: The JSON part of the corrections test runs once plugins/timeline_json/writer.py exists.
HAS_JSON_WRITER = importlib.util.find_spec("timeline_json.writer") is not None


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")


def lines(result: Result) -> list[str]:
    return result.stdout.splitlines()


@pytest.fixture
def empty_log(tmp_path: Path) -> Path:
    """A log made by ``timeline init`` (its path; conftest's ``log`` is a Log object)."""
    path = tmp_path / "t.jsonl"
    assert run("init", path).exit_code == 0
    return path


@pytest.fixture
def pakistan(tmp_path: Path) -> Path:
    path = tmp_path / "pakistan-russia.jsonl"
    shutil.copyfile(BUNDLED, path)
    return path


# --- a test exporter installed through a fake entry point -------------------------------------

PLUGIN = """
    from timeline import Exporter, hookimpl

    @hookimpl
    def timeline_exporters():
        return [
            Exporter(name="testcsv", description="Test CSV", media_type="text/csv",
                     suffix=".csv", writer="timeline_clitest.writer:write"),
            Exporter(name="failing", description="Fails half-way", media_type="text/plain",
                     suffix=".txt", writer="timeline_clitest.writer:fail"),
        ]
"""
WRITER = """
    def write(chronology, out, **options):
        out.write(f"# {chronology.title} at {chronology.position}\\n".encode("utf-8"))
        for item in chronology:
            event = item.event
            out.write(f"{event.id},{event.date.edtf},{event.title}\\n".encode("utf-8"))

    def fail(chronology, out, **options):
        out.write(b"half a document")
        raise RuntimeError("disk on fire")
"""


@pytest.fixture
def testcsv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Install distribution ``timeline-clitest`` (formats ``testcsv`` and ``failing``)."""
    site = tmp_path / "site"
    (site / "timeline_clitest").mkdir(parents=True)
    (site / "timeline_clitest" / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    (site / "timeline_clitest" / "writer.py").write_text(textwrap.dedent(WRITER))
    info = site / "timeline_clitest-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: timeline-clitest\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[timeline]\nclitest = timeline_clitest\n")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield
    for name in ("timeline_clitest", "timeline_clitest.writer"):
        sys.modules.pop(name, None)


def csv_lines(*listed: str) -> list[str]:
    """The testcsv rows for ``timeline list`` lines (date, id, title (status))."""
    rows = []
    for line in listed:
        date, event_id, title = line.split("\t")
        rows.append(f"{event_id},{date},{title.removesuffix(' (expected)')}")
    return rows


# --- init -----------------------------------------------------------------------------------

def test_init_creates_an_empty_log(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    result = run("init", path)

    assert result.exit_code == 0
    assert result.stdout == f"created {path}\n"
    assert result.stderr == ""
    assert path.read_bytes() == b""
    assert run("list", path).stdout == ""
    assert run("verify", path).stdout == (f"ok: 0 entries, 0 events, head {'0' * 64}\n"
                                          "read model: ok: 0 events at position 0\n")


def test_init_refuses_an_existing_file(pakistan: Path) -> None:
    before = pakistan.read_bytes()
    result = run("init", pakistan)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Error: log: {str(pakistan)!r} already exists. "
                             "Choose another path, or use the existing log.\n")
    assert pakistan.read_bytes() == before


# --- record ---------------------------------------------------------------------------------

def test_record_prints_id_and_position(empty_log: Path) -> None:
    result = run("record", empty_log, "--id", "2013-08-28-dialogue", "--date", "2013-08-28",
                 "--title", "Strategic dialogue opens", "--actor", "PAKGOV:Jalil Abbas Jilani",
                 "--place", "Moscow:RU", "--tag", "dialogue", "--cameo", "040")
    assert result.exit_code == 0
    assert result.stdout == "2013-08-28-dialogue\t1\n"
    assert result.stderr == ""

    result = run("record", empty_log, "--date", "2014", "--title", "Withdrawal",
                 "--status", "expected")
    assert result.stdout == "2014-withdrawal\t2\n"
    assert lines(run("list", empty_log)) == [
        "2013-08-28\t2013-08-28-dialogue\tStrategic dialogue opens",
        "2014\t2014-withdrawal\tWithdrawal (expected)"]


def test_record_derives_an_id_that_stays_unique_even_after_a_retraction(empty_log: Path) -> None:
    args = ("--date", "2013-08-28", "--title", "First Pakistan–Russia Strategic Dialogue opens "
            "in Moscow")
    base = "2013-08-28-first-pakistan-russia-strategic-dialogue-opens-in-moscow"

    assert run("record", empty_log, *args).stdout == f"{base}\t1\n"
    assert run("record", empty_log, *args).stdout == f"{base}-2\t2\n"
    assert run("retract", empty_log, f"{base}-2", "--reason", "recorded twice").stdout == (
        f"{base}-2\t3\n")
    assert run("record", empty_log, *args).stdout == f"{base}-3\t4\n"


def test_record_with_sources_keeps_them_in_order(empty_log: Path) -> None:
    result = run("record", empty_log, "--id", "x-visit", "--date", "2013-08", "--title", "A visit",
                 "--source", "https://example.org/a", "--source-title", "Report A",
                 "--source-publisher", "Agency", "--source-date", "2013-08-28?",
                 "--source", "", "--source-title", "A printed report")
    assert result.exit_code == 0
    shown = json.loads(run("show", empty_log, "x-visit").stdout)
    assert shown["sources"] == [
        {"url": "https://example.org/a", "title": "Report A", "publisher": "Agency",
         "published": "2013-08-28?"},
        {"title": "A printed report"},
    ]


def test_record_with_a_stale_expected_position_exits_3_and_appends_nothing(
        pakistan: Path) -> None:
    before = pakistan.read_bytes()
    result = run("record", pakistan, "--date", "2015", "--title", "Later",
                 "--expected-position", "8")

    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == ("Error: expected_position: the log is at position 9, not 8; another "
                             "writer appended first. Read the log again and retry with the new "
                             "position.\n")
    assert pakistan.read_bytes() == before

    result = run("record", pakistan, "--date", "2015", "--title", "Later",
                 "--expected-position", "9")
    assert result.exit_code == 0
    assert result.stdout == "2015-later\t10\n"


def test_record_with_an_invalid_date_exits_1_and_leaves_the_log_byte_identical(
        pakistan: Path) -> None:
    before = pakistan.read_bytes()
    result = run("record", pakistan, "--date", "2013-13", "--title", "Thirteenth month")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: date: '2013-13' has month 13, which is not 01..12. Use EDTF: 2013-08-28, "
        "2013-08, 2013, 2013?, 2013-08~, 201X or 2013-08-28/2013-09-02.\n")
    assert pakistan.read_bytes() == before


def test_record_errors_name_the_field(empty_log: Path) -> None:
    result = run("record", empty_log, "--id", "Not A Slug", "--date", "2013", "--title", "x")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: id: 'Not A Slug' is not a slug of lowercase ASCII letters, digits and single "
        "hyphens (at most 120 characters). For example 2013-08-28-strategic-dialogue-opens.\n")

    assert run("record", empty_log, "--id", "a", "--date", "2013", "--title", "x").exit_code == 0
    result = run("record", empty_log, "--id", "a", "--date", "2014", "--title", "y")
    assert result.exit_code == 1
    assert result.stderr == ("Error: id: event 'a' is already recorded. Give another --id, or "
                             "use 'timeline revise' to correct it.\n")
    assert len(empty_log.read_bytes().splitlines()) == 1


def test_record_on_a_missing_log_says_how_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "none.jsonl"
    result = run("record", path, "--date", "2013", "--title", "x")

    assert result.exit_code == 1
    assert result.stderr == (f"Error: log: {str(path)!r} does not exist. "
                             f"Create it with: timeline init {path}\n")
    assert not path.exists()


def test_record_without_a_title_is_a_usage_error(empty_log: Path) -> None:
    result = run("record", empty_log, "--date", "2013")

    assert result.exit_code == 2
    assert result.stderr == ("Usage: timeline record [OPTIONS] LOG\n"
                             "Try 'timeline record --help' for help.\n\n"
                             "Error: Missing option '--title'.\n")
    assert empty_log.read_bytes() == b""


# --- revise ---------------------------------------------------------------------------------

def test_revise_replaces_only_the_given_fields(empty_log: Path) -> None:
    run("record", empty_log, "--id", "visit", "--date", "2013-08", "--title", "A visit",
        "--actor", "RUSMIL::Air Force chief", "--tag", "visit", "--tag", "defence",
        "--place", "Pakistan:PAK", "--cameo", "042")
    result = run("revise", empty_log, "visit", "--date", "2013-08-20", "--tag", "air-force",
                 "--reason", "date found in a second report")

    assert result.exit_code == 0
    assert result.stdout == "visit\t2\n"
    shown = json.loads(run("show", empty_log, "visit").stdout)
    assert {k: shown[k] for k in ("date", "title", "actors", "place", "tags", "cameo")} == {
        "date": "2013-08-20", "title": "A visit",
        "actors": [{"code": "RUSMIL", "role": "Air Force chief"}],
        "place": {"name": "Pakistan", "country": "PAK"},
        "tags": ["air-force"],  # a repeated option given at all replaces the whole list
        "cameo": "042",
    }
    assert shown["positions"] == [1, 2]


def test_revise_requires_a_reason(pakistan: Path) -> None:
    before = pakistan.read_bytes()
    result = run("revise", pakistan, "2013-08-russian-air-chief-visits-pakistan",
                 "--title", "New title")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("Usage: timeline revise [OPTIONS] LOG ID\n"
                             "Try 'timeline revise --help' for help.\n\n"
                             "Error: Missing option '--reason'.\n")
    assert pakistan.read_bytes() == before


def test_revise_without_fields_or_of_an_unknown_event_exits_1(pakistan: Path) -> None:
    before = pakistan.read_bytes()
    result = run("revise", pakistan, "2013-08-russian-air-chief-visits-pakistan",
                 "--reason", "nothing")
    assert result.exit_code == 1
    assert result.stderr == ("Error: fields: nothing to revise. Give at least one of --date, "
                             "--title, --summary, --actor, ...\n")

    result = run("revise", pakistan, "nope", "--title", "x", "--reason", "why")
    assert result.exit_code == 1
    assert result.stderr == ("Error: id: no event 'nope' in this log. "
                             "List the ids with: timeline list LOG\n")
    assert pakistan.read_bytes() == before


# --- retract --------------------------------------------------------------------------------

def test_retract_removes_the_event_from_the_chronology(pakistan: Path) -> None:
    result = run("retract", pakistan, "2012-foreign-secretaries-agree-strategic-dialogue",
                 "--reason", "not a separate event")

    assert result.exit_code == 0
    assert result.stdout == "2012-foreign-secretaries-agree-strategic-dialogue\t10\n"
    assert lines(run("list", pakistan)) == [l for l in PAKISTAN_RUSSIA if l != SECRETARIES]

    result = run("retract", pakistan, "2012-foreign-secretaries-agree-strategic-dialogue",
                 "--reason", "again")
    assert result.exit_code == 1
    assert result.stderr == ("Error: id: event '2012-foreign-secretaries-agree-strategic-dialogue'"
                             " was retracted; it cannot be retracted. "
                             "Record a new event instead.\n")

    result = run("retract", pakistan, "2014-nato-withdrawal-from-afghanistan")
    assert result.exit_code == 2
    assert result.stderr.endswith("\nError: Missing option '--reason'.\n")
    assert len(pakistan.read_bytes().splitlines()) == 10


# --- list -----------------------------------------------------------------------------------

def test_list_prints_the_chronology_in_date_order(pakistan: Path) -> None:
    result = run("list", pakistan)

    assert result.exit_code == 0
    assert lines(result) == PAKISTAN_RUSSIA
    assert result.stderr == ""


@pytest.mark.parametrize(("filters", "expected"), [
    (["--actor", "PAKMIL"], [KIYANI, AIR_CHIEF]),
    (["--tag", "visit"], [PAKISTAN_RUSSIA[0], KIYANI, AIR_CHIEF]),
    (["--from", "2013", "--to", "2013"], [TRADE, AIR_CHIEF, DIALOGUE]),
    (["--from", "2013-08-28"], [TRADE, AIR_CHIEF, DIALOGUE,
                                PAKISTAN_RUSSIA[8]]),
    (["--status", "expected"], [PAKISTAN_RUSSIA[8]]),
    (["--text", "MOSCOW"], [PAKISTAN_RUSSIA[0], KIYANI, DIALOGUE]),
    (["--cameo", "04", "--actor", "PAKGOV"], [PAKISTAN_RUSSIA[0], DIALOGUE]),
    (["--tag", "no-such-tag"], []),
])
def test_list_filters(pakistan: Path, filters: list[str], expected: list[str]) -> None:
    result = run("list", pakistan, *filters)

    assert result.exit_code == 0
    assert lines(result) == expected


def test_list_as_of_a_position_and_a_time(pakistan: Path) -> None:
    assert lines(run("list", pakistan, "--as-of", "3")) == [PAKISTAN_RUSSIA[i] for i in (0, 1, 2)]
    assert lines(run("list", pakistan, "--as-of", "0")) == []
    assert lines(run("list", pakistan, "--as-of", "99")) == PAKISTAN_RUSSIA
    # Entry 2 was recorded at 2026-11-29T18:50:06.016291Z: it counts from that instant on.
    assert lines(run("list", pakistan, "--as-of", "2026-11-29T18:50:06.016291Z")) == [
        PAKISTAN_RUSSIA[0], PAKISTAN_RUSSIA[2]]
    assert lines(run("list", pakistan, "--as-of", "2026-11-29T18:50:06.016290")) == [
        PAKISTAN_RUSSIA[0]]
    assert lines(run("list", pakistan, "--as-of", "2026-11-29T23:50:06.016291+05:00")) == [
        PAKISTAN_RUSSIA[0], PAKISTAN_RUSSIA[2]]


def test_list_rejects_a_bad_as_of_and_a_bad_status(pakistan: Path) -> None:
    result = run("list", pakistan, "--as-of", "yesterday")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Error: --as-of: 'yesterday' is neither a position nor an ISO 8601 "
                             "time. Give a position (12) or a UTC time (2026-11-29T18:00:00Z).\n")

    result = run("list", pakistan, "--status", "bogus")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--status': 'bogus' is not one of 'occurred', 'scheduled', "
        "'expected', 'cancelled'.\n")


# --- show -----------------------------------------------------------------------------------

def test_show_prints_the_event_as_json_with_bounds_and_record_times(pakistan: Path) -> None:
    result = run("show", pakistan, "2013-08-russian-air-chief-visits-pakistan")

    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "id": "2013-08-russian-air-chief-visits-pakistan",
        "date": "2013-08",
        "title": "Russian Air Force chief visits Pakistan",
        "summary": "The article says the Russian Air chief visited Pakistan \"earlier this "
                   "month\", completing the first exchange of visits by the two countries' "
                   "military chiefs.",
        "actors": [{"code": "RUSMIL", "role": "Russian Air Force chief"},
                   {"code": "PAKMIL", "name": "Pakistan armed forces"}],
        "place": {"name": "Pakistan", "country": "PAK"},
        "sources": [{"title": "Russo-Pak dialogue in Moscow may strengthen joint strategy to "
                              "deal with US post-withdrawal scenario in 2014",
                     "publisher": "Dispatch News Desk (DND)", "published": "2013-08-28?"}],
        "tags": ["visit", "defence"],
        "cameo": "042",
        "status": "occurred",
        "date_bounds": {"lower": "2013-08-01", "upper": "2013-08-31", "precision": "month"},
        "recorded_at": "2026-11-29T18:50:07.406280Z",
        "updated_at": "2026-11-29T18:50:07.406280Z",
        "positions": [6, 6],
    }
    assert result.stdout.startswith('{\n  "id": "2013-08-russian-air-chief-visits-pakistan",\n')
    assert "Pakistan–Russia" in run("show", pakistan, "2013-08-28-first-strategic-dialogue-"
                                    "opens-moscow").stdout  # not \u escapes


def test_show_unknown_or_not_yet_recorded_event_exits_1(pakistan: Path) -> None:
    result = run("show", pakistan, "nope")
    assert result.exit_code == 1
    assert result.stderr == ("Error: id: no current event 'nope' in this chronology. "
                             "List the ids with: timeline list LOG\n")

    result = run("show", pakistan, "2014-nato-withdrawal-from-afghanistan", "--as-of", "8")
    assert result.exit_code == 1
    assert result.stderr == ("Error: id: no current event '2014-nato-withdrawal-from-afghanistan'"
                             " in this chronology. List the ids with: timeline list LOG\n")


# --- history --------------------------------------------------------------------------------

def test_history_of_an_event_never_touched_again(pakistan: Path) -> None:
    result = run("history", pakistan, "2003-02-musharraf-visits-russia")

    assert result.exit_code == 0
    assert result.stdout == ("1\t2026-11-29T18:50:05.645116Z\trecorded\t2003-02\tPresident "
                             "Musharraf visits Russia; Moscow re-establishes a political "
                             "dialogue with Islamabad\t\n")

    result = run("history", pakistan, "nope")
    assert result.exit_code == 1
    assert result.stderr == ("Error: id: no event 'nope' in this log. "
                             "List the ids with: timeline list LOG\n")


# --- the bundled log, corrected: record, revise, retract ------------------------------------

def test_corrections_on_a_copy_show_in_history_list_as_of_and_export(
        pakistan: Path, tmp_path: Path) -> None:
    air_chief = "2013-08-russian-air-chief-visits-pakistan"
    secretaries = "2012-foreign-secretaries-agree-strategic-dialogue"
    assert run("record", pakistan, "--id", "2013-08-29-joint-statement", "--date",
               "2013-08-29", "--title", "Joint statement issued", "--actor", "PAKGOV",
               "--actor", "RUSGOV", "--source", "https://example.org/joint").stdout == (
        "2013-08-29-joint-statement\t10\n")
    assert run("revise", pakistan, air_chief, "--title",
               "Russian Air Force chief visits Pakistan, a first", "--reason",
               "the article calls it the first exchange").stdout == f"{air_chief}\t11\n"
    assert run("retract", pakistan, secretaries, "--reason",
               "part of the 2013 dialogue, not an event of its own").stdout == (
        f"{secretaries}\t12\n")

    history = run("history", pakistan, air_chief)
    assert history.exit_code == 0
    assert STAMP.sub("<T>", history.stdout) == (
        "6\t<T>\trecorded\t2013-08\tRussian Air Force chief visits Pakistan\t\n"
        "11\t<T>\trevised\t2013-08\tRussian Air Force chief visits Pakistan, a first\t"
        "the article calls it the first exchange\n")
    assert history.stdout.startswith("6\t2026-11-29T18:50:07.406280Z\t")
    revised_at = lines(history)[1].split("\t")[1]
    assert STAMP.sub("<T>", run("history", pakistan, secretaries).stdout) == (
        "4\t<T>\trecorded\t2012\tForeign-secretary-level meeting decides to hold a "
        "Pakistan–Russia Strategic Dialogue\t\n"
        "12\t<T>\tretracted\t-\t-\tpart of the 2013 dialogue, not an event of its own\n")

    new_line = "2013-08-29\t2013-08-29-joint-statement\tJoint statement issued"
    revised_line = AIR_CHIEF + ", a first"
    now = [l for l in PAKISTAN_RUSSIA if l != SECRETARIES]
    now = [revised_line if l == AIR_CHIEF else l for l in now]
    now.insert(now.index(DIALOGUE) + 1, new_line)
    assert lines(run("list", pakistan)) == now
    assert lines(run("list", pakistan, "--as-of", "9")) == PAKISTAN_RUSSIA
    as_of_10 = PAKISTAN_RUSSIA[:8] + [new_line] + PAKISTAN_RUSSIA[8:]
    assert lines(run("list", pakistan, "--as-of", "10")) == as_of_10
    at_revision = [revised_line if l == AIR_CHIEF else l for l in as_of_10]
    assert lines(run("list", pakistan, "--as-of", revised_at)) == at_revision
    shown = json.loads(run("show", pakistan, air_chief, "--as-of", "10").stdout)
    assert (shown["title"], shown["positions"]) == ("Russian Air Force chief visits Pakistan",
                                                    [6, 6])
    shown = json.loads(run("show", pakistan, air_chief).stdout)
    assert (shown["title"], shown["positions"], shown["updated_at"]) == (
        "Russian Air Force chief visits Pakistan, a first", [6, 11], revised_at)

    verify = run("verify", pakistan)
    last_hash = json.loads(pakistan.read_bytes().splitlines()[-1])["hash"]
    assert verify.stdout == (f"ok: 12 entries, 9 events, head {last_hash}\n"
                             "read model: ok: 9 events at position 12\n")

    if HAS_JSON_WRITER:
        out = tmp_path / "now.json"
        result = run("export", pakistan, "-f", "json", "-o", out, "--title", "Pakistan–Russia")
        assert result.exit_code == 0
        assert result.stderr == f"wrote 9 events to {out}\n"
        document = json.loads(out.read_text(encoding="utf-8"))
        assert (document["title"], document["position"]) == ("Pakistan–Russia", 12)
        assert [e["id"] for e in document["events"]] == [l.split("\t")[1] for l in now]
        by_id = {e["id"]: e for e in document["events"]}
        assert by_id[air_chief]["title"] == "Russian Air Force chief visits Pakistan, a first"
        assert by_id[air_chief]["record"] == {
            "recorded_at": "2026-11-29T18:50:07.406280Z", "updated_at": revised_at,
            "revisions": 1, "first_position": 6, "last_position": 11}
        before = json.loads(run("export", pakistan, "-f", "json", "--as-of", "9").stdout)
        assert before["position"] == 9
        assert [e["id"] for e in before["events"]] == [l.split("\t")[1] for l in PAKISTAN_RUSSIA]


# --- export ---------------------------------------------------------------------------------

def test_export_to_a_file_and_to_stdout(pakistan: Path, tmp_path: Path, testcsv: None) -> None:
    out = tmp_path / "out.csv"
    result = run("export", pakistan, "-f", "testcsv", "-o", out)

    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"wrote 9 events to {out}\n"
    expected = "\n".join(["# pakistan-russia at 9", *csv_lines(*PAKISTAN_RUSSIA)]) + "\n"
    assert out.read_text(encoding="utf-8") == expected
    assert oct(out.stat().st_mode & 0o777) == "0o644"

    result = run("export", pakistan, "--format", "testcsv")
    assert result.exit_code == 0
    assert result.stdout_bytes == expected.encode("utf-8")
    assert result.stderr == ""

    result = run("export", pakistan, "-f", "testcsv", "-o", "-", "--title", "Visits",
                 "--tag", "visit", "--as-of", "5")
    assert result.stdout == "# Visits at 5\n" + "".join(
        f"{row}\n" for row in csv_lines(PAKISTAN_RUSSIA[0], KIYANI))


def test_export_replaces_an_existing_file(pakistan: Path, tmp_path: Path, testcsv: None) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old content that is longer than the new export, and then some more " * 100)

    assert run("export", pakistan, "-f", "testcsv", "-o", out, "--as-of", "1").exit_code == 0
    assert out.read_text(encoding="utf-8") == "# pakistan-russia at 1\n" + csv_lines(
        PAKISTAN_RUSSIA[0])[0] + "\n"


def test_export_with_an_unknown_format_exits_1_and_creates_no_file(
        pakistan: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    result = run("export", pakistan, "-f", "nope", "-o", out)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Error: format: 'nope' is not an installed export format. Installed "
                             "formats: ical, json, markdown, timelinejs (see: timeline formats).\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pakistan-russia.jsonl"]

    # The format is checked before the log is read.
    result = run("export", tmp_path / "missing.jsonl", "-f", "nope")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: format: 'nope' is not an installed export format.")


def test_failing_writer_leaves_no_file_and_does_not_replace_an_existing_one(
        pakistan: Path, tmp_path: Path, testcsv: None) -> None:
    out = tmp_path / "out.txt"
    result = run("export", pakistan, "-f", "failing", "-o", out)

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: plugin 'clitest': format 'failing' failed while writing: RuntimeError: disk on "
        "fire. Report this to the plugin's author, with the log that caused it.\n")
    assert not out.exists()

    out.write_bytes(b"the previous export\n")
    result = run("export", pakistan, "-f", "failing", "-o", out)
    assert result.exit_code == 1
    assert out.read_bytes() == b"the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "pakistan-russia.jsonl",
                                                          "site"]  # no temporary file left


def test_export_into_a_missing_folder_exits_1_without_a_traceback(
        pakistan: Path, tmp_path: Path, testcsv: None) -> None:
    out = tmp_path / "no-such-folder" / "out.csv"
    result = run("export", pakistan, "-f", "testcsv", "-o", out)

    assert result.exit_code == 1
    assert result.stderr == (f"Error: output: {str(out)!r} cannot be written: No such file or "
                             "directory. Check that its folder exists and is writable.\n")
    assert not out.parent.exists()


def test_export_lists_test_formats_when_unknown(pakistan: Path, testcsv: None) -> None:
    result = run("export", pakistan, "-f", "csv")

    assert result.exit_code == 1
    assert result.stderr == ("Error: format: 'csv' is not an installed export format. Installed "
                             "formats: failing, ical, json, markdown, testcsv, timelinejs "
                             "(see: timeline formats).\n")


# --- verify ---------------------------------------------------------------------------------

def test_verify_reports_entries_events_and_head(pakistan: Path) -> None:
    result = run("verify", pakistan)

    assert result.exit_code == 0
    assert result.stdout == (f"ok: 9 entries, 9 events, head {HEAD}\n"
                             "read model: ok: 9 events at position 9\n")
    assert run("verify", pakistan, "--expect-head", HEAD).exit_code == 0


def test_verify_a_tampered_copy_exits_4_naming_the_position(pakistan: Path) -> None:
    data = pakistan.read_bytes()
    tampered = data.replace(b"Gen Ashfaq Kiyani visits Moscow", b"Gen Ashfaq Kayani visits Moscow")
    assert tampered != data
    pakistan.write_bytes(tampered)
    result = run("verify", pakistan)

    assert result.exit_code == 4
    assert result.stdout == ""
    assert result.stderr == ("Error: log entry at position 5 has a hash that does not match its "
                             "content.\n")


def test_verify_a_truncated_copy_against_the_expected_head_exits_4(pakistan: Path) -> None:
    pakistan.write_bytes(b"".join(pakistan.read_bytes().splitlines(keepends=True)[:8]))

    assert run("verify", pakistan).exit_code == 0
    result = run("verify", pakistan, "--expect-head", HEAD)
    assert result.exit_code == 4
    assert result.stderr == (f"Error: log has no entry with the expected head hash {HEAD}; it "
                             "ends at position 8: the log was truncated or replaced.\n")


# --- formats and plugins ---------------------------------------------------------------------

FORMATS = (
    "ical\t.ics\ttext/calendar\tiCalendar (RFC 5545) calendar of all-day events\n"
    "json\t.json\tapplication/json\tJSON document of every field, with EDTF dates and their "
    "bounds\n"
    "markdown\t.md\ttext/markdown\tReadable Markdown chronology grouped by year\n")
TIMELINEJS_FORMAT = ("timelinejs\t.json\tapplication/json\tTimelineJS3 JSON for Knight Lab's web "
                     "timelines\n")


def test_formats_lists_name_suffix_media_type_and_description() -> None:
    result = run("formats")

    assert result.exit_code == 0
    assert result.stdout == FORMATS + TIMELINEJS_FORMAT
    assert result.stderr == ""


def test_formats_include_a_third_party_plugin(testcsv: None) -> None:
    result = run("formats")

    assert result.exit_code == 0
    assert result.stdout == ("failing\t.txt\ttext/plain\tFails half-way\n" + FORMATS
                             + "testcsv\t.csv\ttext/csv\tTest CSV\n" + TIMELINEJS_FORMAT)


def test_plugins_lists_distribution_version_hooks_and_formats(testcsv: None) -> None:
    version = timeline.__version__
    result = run("plugins")

    assert result.exit_code == 0
    assert result.stdout == (
        "clitest\ttimeline-clitest 1.0\tok\thooks: timeline_exporters; "
        "formats: failing, testcsv\n"
        f"csv\tdiplomatic-timeline {version}\tok\thooks: timeline_importers; formats: -; "
        "importers: csv\n"
        f"gdelt\tdiplomatic-timeline {version}\tok\thooks: timeline_importers; formats: -; "
        "importers: gdelt\n"
        f"ical\tdiplomatic-timeline {version}\tok\thooks: timeline_exporters, "
        "timeline_importers; formats: ical; importers: ical\n"
        f"icews\tdiplomatic-timeline {version}\tok\thooks: timeline_importers; formats: -; "
        "importers: icews\n"
        f"json\tdiplomatic-timeline {version}\tok\thooks: timeline_exporters, "
        "timeline_importers; formats: json; importers: json\n"
        f"markdown\tdiplomatic-timeline {version}\tok\thooks: timeline_exporters; "
        "formats: markdown\n"
        f"timelinejs\tdiplomatic-timeline {version}\tok\thooks: timeline_exporters, "
        "timeline_importers; formats: timelinejs; importers: timelinejs\n")
    assert result.stderr == ""


def test_plugins_json() -> None:
    result = run("plugins", "--json")

    assert result.exit_code == 0
    hooks = {"ical": ["timeline_exporters", "timeline_importers"],
             "json": ["timeline_exporters", "timeline_importers"],
             "markdown": ["timeline_exporters"],
             "timelinejs": ["timeline_exporters", "timeline_importers"]}
    assert json.loads(result.stdout) == [
        {"name": name, "distribution": "diplomatic-timeline", "version": timeline.__version__,
         "hooks": hooks.get(name, ["timeline_importers"]),
         "formats": [name] if name in hooks else [],
         "importers": [] if name == "markdown" else [name], "status": "ok", "error": None}
        for name in ("csv", "gdelt", "ical", "icews", "json", "markdown", "timelinejs")]


# --- the installed script -------------------------------------------------------------------

def script(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TIMELINE), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_installed_script_version_and_help() -> None:
    done = script("--version")
    assert (done.returncode, done.stdout, done.stderr) == (
        0, f"timeline, version {timeline.__version__}\n", "")

    done = script("-h")
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: timeline [OPTIONS] COMMAND [ARGS]...\n")
    assert re.findall(r"^  (\w+)  ", done.stdout, re.M) == [
        "copy", "export", "formats", "history", "import", "importers", "init", "list", "plugins",
        "rebuild", "record", "retract", "revise", "show", "verify"]


def test_installed_script_records_lists_and_verifies(tmp_path: Path) -> None:
    done = script("init", "t.jsonl", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "created t.jsonl\n")
    done = script("record", "t.jsonl", "--date", "2013-08-28", "--title",
                  "Strategic Dialogue opens", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "2013-08-28-strategic-dialogue-opens\t1\n", "")
    done = script("list", "t.jsonl", cwd=tmp_path)
    assert done.stdout == ("2013-08-28\t2013-08-28-strategic-dialogue-opens\t"
                           "Strategic Dialogue opens\n")

    with open(tmp_path / "t.jsonl", "ab") as f:
        f.write(b'{"format":1')
    done = script("verify", "t.jsonl", cwd=tmp_path)
    assert done.returncode == 4
    assert done.stderr.startswith("Error: log ends with an incomplete line of 11 bytes at byte "
                                  "offset ")
    done = script("record", "t.jsonl", "--date", "2014", "--title", "x", cwd=tmp_path)
    assert done.returncode == 4
    assert done.stdout == ""


def test_revising_a_retracted_event_says_it_was_retracted(pakistan: Path) -> None:
    event_id = "2013-08-russian-air-chief-visits-pakistan"
    assert run("retract", pakistan, event_id, "--reason", "duplicate").exit_code == 0
    before = pakistan.read_bytes()
    result = run("revise", pakistan, event_id, "--title", "X", "--reason", "r")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: id: event '{event_id}' was retracted; it cannot be revised. "
                             "Record a new event instead.\n")
    assert pakistan.read_bytes() == before


def test_actor_filter_is_case_insensitive(pakistan: Path) -> None:
    upper, lower = run("list", pakistan, "--actor", "PAKMIL"), run("list", pakistan, "--actor", "pakmil")
    assert upper.stdout == lower.stdout
    assert [line.split("\t")[1] for line in lines(lower)] == [
        "2012-army-chief-kiyani-visits-moscow", "2013-08-russian-air-chief-visits-pakistan"]
