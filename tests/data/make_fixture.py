"""Build ``tests/data/fixture.jsonl``, the chronology every exporter's client tests read.

Run from the repository root: ``.venv/bin/python tests/data/make_fixture.py [PATH]``.
It uses only the public API (``timeline.Log``, ``Event``...), exactly as a user
would. Kept for provenance: the committed log is the fixture, and running this
again writes a new log with new record times (it refuses to overwrite one).

What the fixture exercises, event by event (ids in brackets):

- precisions: day [day-strategic-dialogue], month [month-air-chief-visit], year
  [year-army-chief-visit], season [season-spring-exercise], a month that ends a
  year [month-december-talks], a leap day [day-leap-day-memorandum];
- intervals: a multi-day summit, 12-15 November [interval-summit], an open end
  [open-energy-working-group], an open start [open-start-arms-embargo], an
  unknown end [unknown-end-observer-mission];
- qualifiers ``?`` [uncertain-signing], ``~`` [approximate-pipeline], ``%``
  [both-qualified-consultations]; unspecified digits ``201X``, ``2013-XX``,
  ``2013-08-XX``, ``19XX`` [unspecified-*];
- statuses cancelled, scheduled and expected [status-*];
- titles and places in Cyrillic, Urdu and Chinese, each over 75 UTF-8 octets
  [script-*];
- text with ``, ; \\`` and LF, CRLF and CR newlines [text-separators];
- a title that starts with ``#`` and holds ``*``, ``_``, ``|`` and ``<script>``
  [text-markup]; a ``javascript:`` URL in title and summary (records refuse one
  as a source URL) [text-javascript-url];
- five sources [five-sources]; revised twice [revised-twice]; one recorded and
  retracted [retracted-duplicate], absent from every export.
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs

from timeline import Actor, Event, Log, Place, Source

HERE = Path(__file__).resolve().parent
ARTICLE = Source(title="Russo-Pak dialogue in Moscow may strengthen joint strategy",
                 publisher="Dispatch News Desk (DND)", published="2013-08-28?")
PAK, RUS = Actor("PAKGOV", "Government of Pakistan"), Actor("RUSGOV", "Government of Russia")

EVENTS = [
    Event(id="day-strategic-dialogue", date="2013-08-28",
          title="First Pakistan–Russia Strategic Dialogue opens in Moscow",
          actors=[Actor("PAKGOV", "Jalil Abbas Jilani", "Foreign Secretary"), RUS],
          place=Place("Moscow", "RUS"), cameo="040", tags=["strategic-dialogue"],
          sources=[ARTICLE]),
    Event(id="month-air-chief-visit", date="2013-08",
          title="Russian Air Force chief visits Pakistan", actors=[Actor("RUSMIL")],
          place=Place("Pakistan", "PAK"), cameo="042", tags=["visit"], sources=[ARTICLE]),
    Event(id="year-army-chief-visit", date="2012",
          title="Army chief Gen Ashfaq Kiyani visits Moscow",
          actors=[Actor("PAKMIL", "Ashfaq Parvez Kayani", "Chief of Army Staff")],
          place=Place("Moscow", "RUS"), cameo="042", tags=["visit"]),
    Event(id="season-spring-exercise", date="2014-21", title="Joint counter-terrorism exercise",
          actors=[Actor("PAKMIL"), Actor("RUSMIL")], cameo="062"),
    Event(id="month-december-talks", date="2013-12", title="Energy talks close the year",
          actors=[PAK, RUS], cameo="046"),
    Event(id="day-leap-day-memorandum", date="2012-02-29",
          title="Memorandum on customs co-operation signed", actors=[PAK, RUS], cameo="057"),
    Event(id="interval-summit", date="2012-11-12/2012-11-15",
          title="Summit in Moscow, 12–15 November", actors=[PAK, RUS],
          place=Place("Moscow", "RUS"), cameo="043", tags=["summit"]),
    Event(id="open-energy-working-group", date="2013-09/..",
          title="Joint working group on energy meets (ongoing)", actors=[PAK, RUS],
          cameo="050", tags=["energy"]),
    Event(id="open-start-arms-embargo", date="../2003-02",
          title="Informal limits on arms sales, lifted by February 2003", actors=[RUS],
          cameo="085"),
    Event(id="unknown-end-observer-mission", date="2014-03/",
          title="Observer mission begins; its end is not recorded", actors=[Actor("IGO", "SCO")],
          cameo="050"),
    Event(id="uncertain-signing", date="2013-08-28?",
          title="Protocol possibly signed on the dialogue's first day", actors=[PAK, RUS],
          cameo="057"),
    Event(id="approximate-pipeline", date="2014~",
          title="Gas pipeline agreement discussed", actors=[PAK, RUS], cameo="036"),
    Event(id="both-qualified-consultations", date="2011-05%",
          title="Consultations on Afghanistan", actors=[PAK, RUS], cameo="040"),
    Event(id="unspecified-decade", date="201X", title="Trade grows through the decade",
          actors=[Actor("PAK"), Actor("RUS")]),
    Event(id="unspecified-year", date="2013-XX", title="Cultural exchange year",
          actors=[PAK, RUS]),
    Event(id="unspecified-month", date="2013-08-XX", title="Naval delegation visits Karachi",
          actors=[Actor("RUSMIL")], place=Place("Karachi", "PAK"), cameo="042"),
    Event(id="unspecified-century", date="19XX", title="Relations of the twentieth century",
          actors=[Actor("PAK"), Actor("RUS")]),
    Event(id="status-cancelled", date="2014-10-15", title="Defence minister's visit",
          actors=[Actor("RUSGOV", "Sergei Shoigu", "Defence Minister")],
          place=Place("Islamabad", "PAK"), cameo="042", status="cancelled"),
    Event(id="status-scheduled", date="2015-07-09/2015-07-10",
          title="SCO summit in Ufa", actors=[Actor("IGO", "Shanghai Cooperation Organisation")],
          place=Place("Ufa", "RUS"), cameo="043", status="scheduled"),
    Event(id="status-expected", date="2014", title="NATO forces withdraw from Afghanistan",
          actors=[Actor("IGOWSTNAT", "NATO")], place=Place("Afghanistan", "AFG"),
          cameo="0874", status="expected"),
    Event(id="script-cyrillic", date="2013-08-29",
          title="Министры иностранных дел России и Пакистана провели переговоры в Москве",
          summary="Стороны обсудили торговлю, энергетику и Афганистан.",
          actors=[PAK, RUS], place=Place("Москва, Дом приёмов Министерства иностранных дел",
                                         "RUS"), cameo="040"),
    Event(id="script-urdu", date="2013-08-30",
          title="پاکستان اور روس کے درمیان اسٹریٹجک مذاکرات کا پہلا دور ماسکو میں مکمل ہوگیا",
          actors=[PAK, RUS], cameo="040",
          place=Place("اسلام آباد، وزارت خارجہ کا مرکزی دفتر، کانفرنس ہال نمبر دو", "PAK")),
    Event(id="script-chinese", date="2013-09-13",
          title="上海合作组织比什凯克峰会期间巴基斯坦与俄罗斯代表团举行双边会谈并发表联合声明",
          actors=[PAK, RUS, Actor("IGO", "上海合作组织")],
          place=Place("比什凯克，吉尔吉斯斯坦共和国国家元首官邸第一会议大厅", "KGZ"), cameo="040"),
    Event(id="text-separators", date="2013-10-01",
          title="Talks, round 2; notes \\ annex, and more; \\n stays literal",
          summary="First line, with a comma; and a semicolon \\ and a backslash.\r\n"
                  "Second line after CRLF.\nThird line after LF.\rFourth after CR.\n\n"
                  "After a blank line.",
          place=Place("Kremlin, hall 2; east wing \\ annex", "RUS"),
          tags=["a;b", "back\\slash"], actors=[PAK, RUS], cameo="040"),
    Event(id="text-markup", date="2013-10-02",
          title="# Heading? *bold* _under_ | pipe | <script>alert('x')</script> done",
          summary="<img src=x onerror=alert(1)> **not bold** | not | a table\n# not a heading",
          actors=[Actor("PAKGOV", "<b>Name</b>", "*role*")], place=Place("<i>Place</i>"),
          tags=["<tag>"], cameo="040"),
    Event(id="text-javascript-url", date="2013-10-03",
          title="Link javascript:alert(document.cookie) must stay text",
          summary="[click me](javascript:alert(1)) and <a href=\"javascript:alert(2)\">x</a>",
          sources=[Source(title="javascript:alert(3)", publisher="<script>p</script>")],
          cameo="040"),
    Event(id="five-sources", date="2013-08-28",
          title="Joint statement on the Strategic Dialogue", actors=[PAK, RUS], cameo="057",
          sources=[
              Source("https://mofa.gov.pk/press-releases/2013-08-28", title="Press release",
                     publisher="Ministry of Foreign Affairs of Pakistan", published="2013-08-28"),
              Source("https://www.mid.ru/en/press_service/2013/08/28", publisher="MID Russia",
                     published="2013-08"),
              Source("https://example.org/a?b=1&c=2;d", title="Query, with; separators"),
              Source(title="Dawn, 29 August 2013, p. 1 (print)", publisher="Dawn",
                     published="2013-08-29"),
              ARTICLE,
          ]),
]

REVISED = Event(id="revised-twice", date="2013", title="Visa agreement talks (first draft)",
                actors=[PAK, RUS], cameo="036")
RETRACTED = Event(id="retracted-duplicate", date="2013-08-28",
                  title="Strategic dialogue opens (duplicate entry)", actors=[PAK, RUS])


def build(path: Path) -> Log:
    """Record every event into a new log at ``path``; revise one twice, retract one."""
    log = Log.create(path)
    for event in EVENTS:
        log.record(event)
    log.record(REVISED)
    log.record(RETRACTED)
    log.revise(attrs.evolve(REVISED, date="2013-09", title="Visa agreement talks"),
               reason="month found in a second source")
    log.revise(attrs.evolve(REVISED, date="2013-09-10",
                            title="Visa agreement talks, round one"),
               reason="day and round confirmed by the ministry")
    log.retract(RETRACTED.id, reason="duplicate of day-strategic-dialogue")
    return log


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "fixture.jsonl")
