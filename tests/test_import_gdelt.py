"""The gdelt importer on a slice of the real GDELT 1.0 sample (57 and 58 columns mixed)
and on one constructed GDELT 2.0 row (tests/data/import/README.md)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from timeline import Actor, Event, Log, Place, Source, import_file
from timeline_gdelt.reader import fips_to_iso, read

DATA = Path(__file__).parent / "data" / "import"
SLICE = DATA / "gdelt1-mixed-slice.tsv"


def rows() -> list[list[str]]:
    return [line.split("\t") for line in SLICE.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Log:
    log = Log.create(tmp_path_factory.mktemp("gdelt") / "t.jsonl")
    summary = import_file(log, SLICE, "gdelt")
    assert (summary.rows, summary.recorded, summary.duplicates, summary.rejected) == (
        191, 191, 0, {})
    return log


def test_both_widths_are_read_and_keyed_by_dataset_and_id(imported: Log) -> None:
    data = rows()
    assert sorted({len(r) for r in data[:100]}) == [58] and {len(r) for r in data[100:]} == {57}
    assert [(e.event_id, e.idempotency_key) for e in imported.entries()] == [
        (f"gdelt1-{r[0]}", f"gdelt1:{r[0]}") for r in data]


def test_daily_row_exact_record(imported: Log) -> None:
    # Line 1: 564111644, 20060731, USA "UNITED STATES", EventCode 010, QuadClass 1,
    # Goldstein 0.0, ActionGeo US "National Postal Museum, ...", SOURCEURL wtop.com.
    assert imported.chronology().get("gdelt1-564111644").event == Event(
        id="gdelt1-564111644",
        date="2006-07-31",
        title="UNITED STATES – Make statement, not specified below",
        summary=(
            "GDELT 1.0 event 564111644 (added 20160728; root event: yes).\n"
            "Actor1: UNITED STATES (USA); country USA.\n"
            "Event: CAMEO 010 Make statement, not specified below (root 01 MAKE PUBLIC "
            "STATEMENT); QuadClass 1 (verbal cooperation); Goldstein 0.0; 2 mentions, 1 "
            "sources, 2 articles; average tone -0.34188034188034.\n"
            "Place: National Postal Museum, District of Columbia, United States (FIPS US, "
            "ADM1 USDC); latitude 38.8973, longitude -77.0083."),
        actors=[Actor("USA", "UNITED STATES")],
        place=Place("National Postal Museum, District of Columbia, United States", "USA"),
        sources=[Source("http://wtop.com/lifestyle/2016/07/deepest-darkest-secrets-now-display-"
                        "national-postal-museum/")],
        tags=["gdelt"],
        cameo="010",
    )


def test_backfile_row_exact_record(imported: Log) -> None:
    # Line 101: 1552829, 19820102, BUSCVL/BUS "BUSINESS" (role-only codes: no actor), 030,
    # 57 fields: no SOURCEURL.
    assert imported.chronology().get("gdelt1-1552829").event == Event(
        id="gdelt1-1552829",
        date="1982-01-02",
        title="BUSINESS – Express intent to cooperate, not specified below – BUSINESS",
        summary=(
            "GDELT 1.0 event 1552829 (added 20130203; root event: no).\n"
            "Actor1: BUSINESS (BUSCVL); type BUS, type CVL.\n"
            "Actor2: BUSINESS (BUS); type BUS.\n"
            "Event: CAMEO 030 Express intent to cooperate, not specified below (root 03 EXPRESS "
            "INTENT TO COOPERATE); QuadClass 1 (verbal cooperation); Goldstein 4; 5 mentions, 1 "
            "sources, 5 articles; average tone 4.7976011994003.\n"
            "Place: Accra, Greater Accra, Ghana (FIPS GH, ADM1 GH01); latitude 5.55, longitude "
            "-0.216667."),
        place=Place("Accra, Greater Accra, Ghana", "GHA"),
        tags=["gdelt"],
        cameo="030",
    )


def test_c1_mojibake_in_a_place_name_is_read_as_windows_1252(imported: Log) -> None:
    # Line 131: "Sanaa, San\x91a', Yemen" (U+0091, a Windows-1252 left quote read as Latin-1).
    assert "San\x91a'" in rows()[130][50]
    event = imported.chronology().get("gdelt1-1553129").event
    assert event.place == Place("Sanaa, San‘a', Yemen", "YEM")
    assert event.actors == (Actor("SAU", "SAUDI"),)  # GOVMIL has no country: not an actor


@pytest.mark.parametrize(("fips", "iso"), [
    ("RS", "RUS"), ("PK", "PAK"), ("UK", "GBR"), ("GM", "DEU"), ("WE", "PSE"), ("GZ", "PSE"),
    ("OD", "SSD"), ("RI", "SRB"), ("KV", None), ("PG", None), ("US", "USA"), ("XX", None),
])
def test_fips_codes_are_not_iso_codes(fips: str, iso: str | None) -> None:
    assert fips_to_iso(fips) == iso


def test_every_place_country_is_the_fips_code_mapped(imported: Log) -> None:
    chronology = imported.chronology()
    for r in rows():
        place = chronology.get(f"gdelt1-{r[0]}").event.place
        if r[49] in ("", "0"):  # ActionGeo_Type 0 or empty: GDELT found no place
            assert place is None
        else:
            assert place is not None and place.country == fips_to_iso(r[51])


def test_cameo_root_filter_counts_rows_of_that_root(imported: Log) -> None:
    for root in ("04", "19"):
        expected = sum(1 for r in rows() if r[28] == root)
        assert len(imported.chronology().filter(cameo=root)) == expected
    assert len(imported.chronology().filter(cameo="04")) == 38


def test_gdelt_2_row(log: Log) -> None:
    summary = import_file(log, DATA / "gdelt2-constructed.tsv")
    assert (summary.format, summary.recorded) == ("gdelt", 1)
    entry = next(log.entries())
    assert (entry.event_id, entry.idempotency_key) == ("gdelt2-999000001", "gdelt2:999000001")
    event = entry.event
    assert event.summary.splitlines()[0] == (
        "GDELT 2.0 event 999000001 (added 20160728093000; root event: yes).")
    assert event.place == Place("National Postal Museum, District of Columbia, United States",
                                "USA")
    assert event.sources == (Source("http://wtop.com/lifestyle/2016/07/deepest-darkest-secrets-"
                                    "now-display-national-postal-museum/"),)


def test_a_row_of_another_width_is_rejected() -> None:
    line = SLICE.read_bytes().split(b"\n")[0]
    short = b"\t".join(line.split(b"\t")[:40])
    [good, bad] = list(read(io.BytesIO(line + b"\n" + short + b"\n\n")))
    assert good.key == "gdelt1:564111644"
    assert (bad.line, bad.record.reason) == (2, "wrong number of fields")
    assert bad.record.detail == (
        "row: has 40 tab-separated fields; GDELT rows have 57 or 58 (GDELT 1.0) or 61 (GDELT "
        "2.0). Check that the file is a GDELT event file and the line is whole.")


def test_second_import_appends_nothing(imported: Log) -> None:
    before = imported.path.read_bytes()
    summary = import_file(imported, SLICE)
    assert (summary.recorded, summary.duplicates) == (0, 191)
    assert imported.path.read_bytes() == before
