"""The timelinejs importer on Knight Lab's real example timeline and on slides made to
exercise each rule; and the round trip through this project's own timelinejs export."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from timeline import Event, ImportRow, Log, Rejection, Source, export, import_file
from timeline_timelinejs.reader import html_to_text, read

DATA = Path(__file__).parent / "data" / "import"
REPUBLICAN = DATA / "timelinejs3-republican-runup-2012.json"
BUNDLED = Path(__file__).parent.parent / "events" / "pakistan-russia.jsonl"


def slides(*events: dict[str, Any]) -> list[ImportRow]:
    return list(read(io.BytesIO(json.dumps({"events": list(events)}, indent=1).encode())))


def test_real_timeline_counts_ids_and_dates(log: Log) -> None:
    summary = import_file(log, REPUBLICAN)
    assert (summary.format, summary.rows, summary.recorded, summary.rejected) == (
        "timelinejs", 13, 13, {})
    document = json.loads(REPUBLICAN.read_text("utf-8"))
    expected = []
    for slide in document["events"]:  # file order, which is not date order
        d = slide["start_date"]
        expected.append(f"{int(d['year']):04d}-{int(d['month']):02d}-{int(d['day']):02d}")
    assert [e.event.date.edtf for e in log.entries()] == expected
    assert [e.event.title for e in log.entries()] == [s["text"]["headline"]
                                                     for s in document["events"]]
    assert [e.idempotency_key for e in log.entries()][:3] == [
        "timelinejs:2012-01-03-iowa", "timelinejs:2012-01-10-new-hampshire",
        "timelinejs:2012-01-21-south-carolina"]


def test_real_slide_exact_record(log: Log) -> None:
    import_file(log, REPUBLICAN)
    assert log.chronology().get("2012-01-03-iowa").event == Event(
        id="2012-01-03-iowa",
        date="2012-01-03",
        title="Iowa",
        summary=(
            "At the first caucus of the season, former Penn. senator Rick Santorum gained an "
            "early lead, beating out Mass. Gov. Mitt Romney in Iowa after much debate about the "
            "results. Santorum, Romney and Texas Rep. Ron Paul emerged as pack leaders moving "
            "forward into the New Hampshire primaries.\n"
            "Media: https://farm7.staticflickr.com/6200/6057989217_3bd755477b.jpg (Rick Santorum "
            "at the Iowa State Fair before the Ages Straw Poll.; credit: Gage Skidmore/Flickr)"),
        sources=[Source("http://www.foxnews.com/politics/2012/01/21/iowa-republican-party-"
                        "reaffirms-santorum-as-winner-caucuses/", title="much debate")],
    )
    # Two links, a <p> inside the text, a protocol-relative media URL and no caption.
    florida = log.chronology().get("2012-01-31-florida").event
    assert florida.summary.splitlines() == [
        "Romney makes a strong comeback, snatching Florida from Gingrich. But the former House "
        "speaker wasn't giving up, vowing to keep nipping at Romney's heels with his \"46 States "
        "To Go\" campaign.",
        "The GOP race, particularly Romney's campaign, begins to emerge as the most negative yet.",
        "Media: https://farm8.staticflickr.com/7001/6812048183_316d424f2f.jpg (credit: Mitt "
        "Romney/Flickr)"]
    assert [s.title for s in florida.sources] == ["strong comeback", "most negative"]


def test_precision_interval_display_date_and_time() -> None:
    rows = slides(
        {"start_date": {"year": 1991}, "text": {"headline": "Year only"}},
        {"start_date": {"year": "1991", "month": "12", "day": ""}, "text": {"headline": "Month"}},
        {"start_date": {"year": 2012, "month": 11, "day": 12},
         "end_date": {"year": "2012", "month": 11, "day": 15}, "text": {"headline": "Summit"},
         "display_date": "12-15 Nov.", "group": "summits", "unique_id": "Summit 2012!"},
        {"start_date": {"year": 2013, "month": 8}, "end_date": {"year": 2013, "month": 8},
         "text": {"headline": "Same end"}},
        {"start_date": {"year": 2013, "month": 8, "day": 28, "hour": "10", "minute": 5},
         "text": {"headline": "Timed"}},
    )
    events = [row.record for row in rows]
    assert [(e.id, e.date.edtf, e.date.precision) for e in events] == [
        ("1991-year-only", "1991", "year"), ("1991-12-month", "1991-12", "month"),
        ("summit-2012", "2012-11-12/2012-11-15", "day"), ("2013-08-same-end", "2013-08", "month"),
        ("2013-08-28-timed", "2013-08-28", "day")]
    assert events[2].summary == "Shown as: 12-15 Nov."
    assert events[2].tags == ("summits",)
    assert rows[2].key == "timelinejs:Summit 2012!"
    assert events[4].summary == "Time: 10:05"
    assert [row.line for row in rows] == [3, 11, 21, 39, 52]  # the lines of their "{"


@pytest.mark.parametrize(("slide", "reason", "detail"), [
    ({"text": {"headline": "No date"}}, "invalid start_date",
     "start_date: None is not a date object. Give for example {\"year\": 2012, \"month\": 1, "
     "\"day\": 3}."),
    ({"start_date": {"year": -448}, "text": {"headline": "BCE"}}, "invalid start_date",
     "start_date.year: -448 is outside 1..9999, which EDTF dates here support. Such timelines "
     "cannot be imported."),
    ({"start_date": {"year": 2012, "day": 3}, "text": {"headline": "Day, no month"}},
     "invalid start_date",
     "start_date.day: 3 is given without a month. Give the month too, or leave out the day."),
    ({"start_date": {"year": 2012, "month": 2, "day": 30}, "text": {"headline": "30 Feb"}},
     "invalid start_date",
     "start_date: {'year': 2012, 'month': 2, 'day': 30} is not a real date (date: "
     "'2012-02-30' names day 30, but February 2012 has 29 days.). Correct the month or day."),
    ({"start_date": {"year": "2012.5"}, "text": {"headline": "Half"}}, "invalid start_date",
     "start_date.year: '2012.5' is not a whole number. Write it as a number (3) or a string of "
     "digits (\"3\")."),
    ({"start_date": {"year": 2013}, "end_date": {"year": 2012}, "text": {"headline": "Back"}},
     "invalid date", "date: '2013/2012' ends (2012) before it starts (2013). Swap the two ends."),
    ({"start_date": {"year": 2013}, "text": {"headline": "<p> </p>"}}, "invalid title",
     "title: '' is empty (text.headline). Give each slide a headline."),
])
def test_rejected_slides(slide: dict[str, Any], reason: str, detail: str) -> None:
    [row] = slides(slide)
    assert row.record == Rejection(reason, detail)
    assert row.key is None


def test_html_is_reduced_to_text_and_links() -> None:
    text, links = html_to_text(
        'A <b>bold</b> &amp; <a href="https://x.org/a">linked</a> word.<br>Next<script>alert(1)'
        '</script><p>Para <a href="javascript:alert(1)">bad</a></p><li>item</li>')
    assert text == "A bold & linked word.\nNext\nPara bad\nitem"
    assert links == [("https://x.org/a", "linked"), ("javascript:alert(1)", "bad")]
    [row] = slides({"start_date": {"year": 2013}, "text": {
        "headline": "<i>Links</i>", "text": text.join(["", ""]) +
        '<a href="javascript:alert(1)">bad</a> <a href="//x.org/b">b</a> <a href="https://x.org/b">'
        'again</a>'}})
    assert row.record.title == "Links"
    assert row.record.sources == (Source("https://x.org/b", title="b"),)


def test_round_trip_of_our_own_export_keeps_ids_dates_and_titles(log: Log, tmp_path: Path) -> None:
    chronology = Log(BUNDLED).chronology()
    target = tmp_path / "bundled.json"
    export(chronology, "timelinejs", target)
    summary = import_file(log, target)
    assert (summary.format, summary.recorded, summary.rejected) == ("timelinejs", 9, {})
    back = log.chronology()
    assert [(e.id, e.date.edtf, e.title) for e in back.events] == [
        (e.id, e.date.edtf, e.title) for e in chronology.events]
