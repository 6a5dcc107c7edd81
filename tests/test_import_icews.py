"""The icews importer on a slice of the real ICEWS sample (tests/data/import/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from timeline import (Actor, Event, ImportRowError, Log, Place, Source, import_file)
from timeline_icews.reader import country_code

DATA = Path(__file__).parent / "data" / "import"
SLICE = DATA / "icews-2018-slice.tab"
INVALID = DATA / "icews-invalid.tab"


def rows_of(path: Path) -> list[list[str]]:
    """The data rows, split on tabs (the expected values are read from the file itself)."""
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    return [line.split("\t") for line in text.splitlines()[1:]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Log:
    """The slice imported once for the module's read-only tests."""
    log = Log.create(tmp_path_factory.mktemp("icews") / "t.jsonl")
    summary = import_file(log, SLICE, "icews")
    assert (summary.rows, summary.recorded, summary.duplicates, summary.rejected) == (
        405, 405, 0, {})
    return log


def test_every_row_of_the_slice_is_recorded_once_with_its_source_identity(imported: Log) -> None:
    entries = list(imported.entries())
    expected = [(f"icews-{r[0]}-{r[1]}", f"icews:{r[0]}:{r[1]}") for r in rows_of(SLICE)]
    assert [(e.event_id, e.idempotency_key) for e in entries] == expected
    assert [e.position for e in entries] == list(range(1, 406))


def test_first_row_exact_record(imported: Log) -> None:
    # 32889836  2018-06-01  Foreign Affairs (Bangladesh) -> Consult (040, 1) ->
    # High Ranking Military Personnel (Vietnam); Hanoi, Thanh Pho Ha Noi, Vietnam.
    assert imported.chronology().get("icews-32889836-2018-06-01").event == Event(
        id="icews-32889836-2018-06-01",
        date="2018-06-01",
        title=("Foreign Affairs (Bangladesh) – Consult – High Ranking Military Personnel "
               "(Vietnam)"),
        summary=(
            "ICEWS event 32889836 of 2018-06-01 (story 47400351, sentence 2; Vietnam News "
            "Agency Bulletin).\n"
            "Source: Foreign Affairs (Bangladesh), Bangladesh; sectors: Executive,Foreign "
            "Ministry,Government.\n"
            "Target: High Ranking Military Personnel (Vietnam), Vietnam; sectors: "
            "Military,Government.\n"
            "Event: Consult; CAMEO 040 Consult, not specified below (QuadClass 1, verbal "
            "cooperation); intensity 1.\n"
            "Place: Hanoi, Thanh Pho Ha Noi, Vietnam; latitude 21.0245, longitude 105.841."),
        actors=[Actor("BGD", "Foreign Affairs (Bangladesh)",
                      "Executive,Foreign Ministry,Government"),
                Actor("VNM", "High Ranking Military Personnel (Vietnam)", "Military,Government")],
        place=Place("Hanoi, Thanh Pho Ha Noi", "VNM"),
        sources=[Source(title="ICEWS story 47400351, sentence 2",
                        publisher="Vietnam News Agency Bulletin")],
        tags=["icews"],
        cameo="040",
    )


def test_country_names_pycountry_does_not_know(imported: Log) -> None:
    # Line 66: "Occupied Palestinian Territory" (not a pycountry name) is PSE.
    event = imported.chronology().get("icews-32890189-2018-06-01").event
    assert event.actors == (
        Actor("PSE", "Foreign Affairs (Palestinian Territory, Occupied)",
              "Executive,Foreign Ministry,Government"),
        Actor("RUS", "Mikhail Bogdanov", "Government,Foreign Ministry,Executive"))
    assert event.place == Place("Moscow, Moskva", "RUS")
    # Lines 1141/1142: "the former Yugoslav Republic of Macedonia" is MKD.
    event = imported.chronology().get("icews-32898337-2018-06-01").event
    assert event.actors == (Actor("GRC", "Greece"), Actor("MKD", "Macedonia"))


@pytest.mark.parametrize(("name", "code"), [
    ("Russian Federation", "RUS"), ("Pakistan", "PAK"), ("Occupied Palestinian Territory", "PSE"),
    ("Turkey", "TUR"), ("the former Yugoslav Republic of Macedonia", "MKD"),
    ("Congo, Democratic Republic of", "COD"), ("Democratic Republic of Congo", "COD"),
    ("Congo", "COG"), ("Holy See", "VAT"), ("Cote d'Ivoire", "CIV"), ("Swaziland", "SWZ"),
    ("Moldova, Republic of", "MDA"), ("North Korea", "PRK"), ("Kosovo", None),
    ("NA", None), ("Atlantis", None),
])
def test_country_code(name: str, code: str | None) -> None:
    assert country_code(name) == code


def test_actors_without_a_country_get_cameo_transnational_or_region_codes(imported: Log) -> None:
    chronology = imported.chronology()
    # Line 58: a country wins over sectors; the SCO has no country: IGO.
    assert chronology.get("icews-32891094-2018-06-01").event.actors == (
        Actor("KAZ", "Nursultan Nazarbayev",
              "International Government Organization,Nationalist,Parties,(National) Major "
              "Party,Government,Ideological,Elite,Global,Executive Office,Global "
              "Economic/Financial/Trade IGOs,Executive"),
        Actor("IGO", "Shanghai Cooperation Organization",
              "International Government Organization,Regional Defense / Security IGOs,Regional"))
    # Line 357: "Protester (Google)" is a Multinational Corporation; "Unspecified Actor" has
    # no code at all and stays in the title and summary; no place at all.
    event = chronology.get("icews-32891407-2018-06-01").event
    assert event.actors == (Actor("MNC", "Protester (Google)", "Business,Multinational "
                                  "Corporation,Social,Science / Tech / Knowledge / Innovation "
                                  "Business"),)
    assert event.title == "Protester (Google) – Demonstrate or rally – Unspecified Actor"
    assert "Target: Unspecified Actor; sectors: Unspecified." in event.summary.splitlines()
    assert event.place is None
    assert "Place:" not in event.summary
    # Line 538: the actor "Africa" (no country, no sectors) is the CAMEO region AFR.
    assert chronology.get("icews-32890703-2018-06-01").event.actors == (
        Actor("TGO", "Head of Government (Togo)", "Government,Executive Office,Executive"),
        Actor("AFR", "Africa"))


def test_actor_filter_matches_rows_involving_the_country(log: Log) -> None:
    rows = rows_of(SLICE)
    involving = [r for r in rows if "Pakistan" in (r[4], r[10])]
    summary = import_file(log, SLICE, filters={"actor": "PAK"})
    assert (summary.recorded, summary.filtered) == (len(involving), 405 - len(involving))
    assert [e.id for e in log.chronology().events] == sorted(
        f"icews-{r[0]}-{r[1]}" for r in involving)
    assert len(involving) == 5  # lines 28-31 and 60


def test_second_import_appends_nothing(imported: Log) -> None:
    before = imported.path.read_bytes()
    summary = import_file(imported, SLICE)
    assert (summary.rows, summary.recorded, summary.duplicates) == (405, 0, 405)
    assert summary.positions is None
    assert imported.path.read_bytes() == before


def test_first_invalid_row_stops_the_import_and_nothing_is_appended(log: Log) -> None:
    with pytest.raises(ImportRowError) as info:
        import_file(log, INVALID)
    assert info.value.line == 3
    assert info.value.reason == "invalid date"
    assert str(info.value) == (
        "line 3: date: '2018-06-31' names day 31, but June 2018 has 30 days. Give an existing "
        "day, or the month alone (2018-06). Nothing was imported. Correct the row, or import "
        "with --skip-invalid (skip_invalid=True) to list rejected rows in a side file.")
    assert log.path.read_bytes() == b""


def test_skip_invalid_imports_the_rest_and_lists_rejects(log: Log, tmp_path: Path) -> None:
    summary = import_file(log, INVALID, skip_invalid=True)
    assert (summary.rows, summary.recorded) == (8, 3)
    assert summary.rejected == {"invalid date": 1, "invalid cameo": 1,
                                "wrong number of fields": 1, "invalid encoding": 1,
                                "invalid Intensity": 1}
    assert summary.rejects_path == str(tmp_path / "icews-invalid.tab.rejects.tsv")
    lines = Path(summary.rejects_path).read_text("utf-8").splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["line", "reason"], ["3", "invalid date"], ["5", "invalid cameo"],
        ["6", "wrong number of fields"], ["8", "invalid encoding"], ["9", "invalid Intensity"]]
    assert lines[2].split("\t")[2] == (
        "cameo: '42' is not a CAMEO event code in the CAMEO 1.1b3 table. For example 042 (Make "
        "a visit); see timeline.cameo_codes().")
    assert lines[4].split("\t")[2] == (
        "line: byte 26 (b'\\xff') is not valid UTF-8. Save the file as UTF-8.")
    assert lines[5].split("\t")[2] == (
        "Intensity: 'high' is not a number from -10 to 10. Check the Intensity column.")
    rows = rows_of(INVALID)
    assert [e.event_id for e in log.entries()] == [f"icews-{rows[i][0]}-2018-06-01"
                                                   for i in (0, 2, 5)]


def test_a_file_without_the_icews_header_is_refused(log: Log) -> None:
    with pytest.raises(ImportRowError) as info:
        import_file(log, DATA / "gdelt1-mixed-slice.tsv", "icews")
    assert str(info.value) == (
        "line 1: file: does not start with the ICEWS header line (the 20 tab-separated columns "
        "Event ID, Event Date, ... Latitude, Longitude). Give an ICEWS Coded Event Data file, "
        "or another -f format.")
    assert log.path.read_bytes() == b""
