"""The csv importer: the documented column layout (docs/importers.md)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from timeline import (Actor, Event, ImportRowError, Log, Place, Rejection, Source, import_file)
from timeline_csv.reader import read

DATA = Path(__file__).parent / "data" / "import"
EVENTS = DATA / "events.csv"


def rows(text: str, **options: str) -> list:
    return list(read(io.BytesIO(text.encode("utf-8")), **options))


def test_fixture_rows_exact_records_and_rejections(log: Log) -> None:
    summary = import_file(log, EVENTS, skip_invalid=True)
    assert (summary.format, summary.rows, summary.recorded) == ("csv", 8, 6)
    assert summary.rejected == {"invalid date": 1, "invalid cameo": 1}
    assert [line.split("\t")[:2] for line in
            Path(summary.rejects_path).read_text("utf-8").splitlines()] == [
        ["line", "reason"], ["9", "invalid date"], ["10", "invalid cameo"]]
    events = [e.event for e in log.entries()]
    assert events[0] == Event(
        id="2013-08-28-first-pakistan-russia-strategic-dialogue-opens-in-moscow",
        date="2013-08-28", title="First Pakistan–Russia Strategic Dialogue opens in Moscow",
        actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"), Actor("RUSGOV")],
        place=Place("Moscow", "RUS"),
        sources=[Source("https://example.org/article", title="Russo-Pak dialogue in Moscow")],
        tags=["strategic-dialogue"], cameo="040")
    assert events[1] == Event(
        id="air-chief-visit", date="2013-08", title="Russian Air Force chief visits Pakistan",
        summary="Day not reported.\nMonth from the press.", actors=[Actor("RUSMIL")],
        place=Place("Pakistan", "PAK"), tags=["visit", "defence"], cameo="042")
    assert events[2].sources == (Source(title="Dawn (print edition)"),)
    assert events[2].date.edtf == "2005~"
    assert (events[3].date.edtf, events[3].title, events[3].status) == (
        "2012-11-12/2012-11-15", "Summit talks, Islamabad", "scheduled")
    assert (events[4].actors, events[4].status) == ((Actor("IGOWSTNAT"),), "expected")
    assert events[5].id == "2013-08-russian-air-force-chief-visits-pakistan"
    assert [e.idempotency_key for e in log.entries()][:2] == [
        "csv:2013-08-28-first-pakistan-russia-strategic-dialogue-opens-in-moscow",
        "csv:air-chief-visit"]


def test_without_skip_invalid_nothing_is_appended(log: Log) -> None:
    with pytest.raises(ImportRowError) as info:
        import_file(log, EVENTS)
    assert info.value.line == 9
    assert str(info.value).startswith("line 9: date: '28/08/2013' ")
    assert log.path.read_bytes() == b""


def test_repeated_date_and_title_get_numbered_ids_and_a_second_import_adds_nothing(
        log: Log, tmp_path: Path) -> None:
    source = tmp_path / "twice.csv"
    source.write_text("Title,Date\nTalks,2014\nTalks,2014\n", "utf-8")
    assert import_file(log, source).recorded == 2
    assert [e.event_id for e in log.entries()] == ["2014-talks", "2014-talks-2"]
    before = log.path.read_bytes()
    summary = import_file(log, source)
    assert (summary.recorded, summary.duplicates) == (0, 2)
    assert log.path.read_bytes() == before


def test_semicolon_delimiter_and_byte_order_mark() -> None:
    [row] = list(read(io.BytesIO("\ufeffdate;title;tags\n2013;A;x,y\n".encode()),
                      delimiter=";"))
    assert (row.record.title, row.record.tags) == ("A", ("x", "y"))


@pytest.mark.parametrize(("header", "message"), [
    ("date,title,when\n", "line 1: header: column 'when' is not a column of the csv layout. "
     "Columns are: date, title, id, summary, actors, place, sources, tags, cameo, status "
     "(see docs/importers.md)."),
    ("date,summary\n", "line 1: header: has no 'title' column. The first row names the columns; "
     "date and title are needed."),
    ("date,title,Date\n", "line 1: header: names the column 'date' twice. Keep one of them."),
])
def test_header_errors(header: str, message: str) -> None:
    with pytest.raises(ImportRowError) as info:
        rows(header + "2013,x\n")
    assert str(info.value) == message


def test_too_many_cells_and_blank_rows() -> None:
    [bad] = rows("date,title\n,,\n2013,a,b\n")
    assert (bad.line, bad.record) == (3, Rejection(
        "wrong number of fields", "row: has 3 cells, more than the 2 columns of the header. "
        "Quote cells that hold a ','."))


def bad_byte_on_line_701() -> bytes:
    """A header, 100 rows whose quoted summaries span 4 lines each (lines 2-401), 299 rows
    of 10,000 characters each (402-700), then a row with a byte that is not UTF-8."""
    quoted = "\n".join(f"paragraph {k} " + "x" * 300 for k in range(4))
    lines = ["date,title,summary"]
    lines += [f'2014-01-01,Row {n},"{quoted}"' for n in range(100)]
    lines += [f"2014-01-02,Long row {n},{'y' * 10_000}" for n in range(299)]
    data = ("\n".join(lines) + "\n").encode() + b"2014-01-03,Bad \xff byte,z\n2014-01-04,After,q\n"
    assert data[:data.index(b"\xff")].count(b"\n") == 700
    return data


def test_a_byte_that_is_not_utf8_is_reported_on_its_own_line(log: Log) -> None:
    # The text layer decodes 8 KiB ahead of the csv reader: its line count is not the line.
    data = bad_byte_on_line_701()
    for skip_invalid in (False, True):
        with pytest.raises(ImportRowError) as info:
            import_file(log, io.BytesIO(data), "csv", skip_invalid=skip_invalid)
        assert str(info.value) == ("line 701: file: byte 16 of this line (b'\\xff') is not "
                                   "valid UTF-8. Save the file as CSV UTF-8.")
        assert (info.value.line, info.value.reason) == (701, "invalid encoding")
    assert list(log.entries()) == []


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 4096])
def test_the_bad_byte_is_found_across_chunks_and_cut_characters(chunk: int) -> None:
    from timeline_csv.reader import _first_bad_byte

    data = "a,b\nÉté,ç€\n".encode() + "x€".encode()[:-1] + b"\nzz\xc3(\n"
    # the cut "€" at the end of line 3 is the first bad byte: byte 2 of line 3
    assert _first_bad_byte(io.BytesIO(data), chunk) == (3, 2, b"\xe2")
    assert _first_bad_byte(io.BytesIO("héllo\n".encode() * 3 + b"ab\xc3(x"), chunk) == (
        4, 3, b"\xc3")
