"""Generate realistic diplomatic-timeline logs for the benchmarks.

``generate(path, n, seed=...)`` writes a valid, hash-chained log of exactly
``n`` entries, built line by line with the public :class:`timeline.Entry` API
(``Entry.create`` + ``to_line``) and written with one buffered write stream
and a single fsync at the end: the chain and every record are exactly what
``Log.record`` would write, without paying one fsync per entry.

The mix, drawn from a seeded ``random.Random`` (the same ``n`` and ``seed``
give the same bytes):

- about 78% *recorded*, 20% *revised* and 2% *retracted* entries; revisions and
  retractions pick a live event, most often a recent one;
- dates (event time) from 1946 to 2025: about 52% day, 22% month, 10% year
  precision, 8% with a ``?``/``~``/``%`` qualifier, 6% intervals (day, month
  and year ends, a few open-ended) and 2% seasons and decades;
- 1 to 4 actors with CAMEO actor codes (country plus an optional role group,
  some IGOs), names and roles on some; 1 to 3 sources, some print-only,
  with publication dates; 0 to 3 tags; a CAMEO event code on 95%;
- titles and summaries in Latin, Cyrillic, Arabic, Devanagari, Han and Greek
  scripts;
- record times starting 2020-01-01T00:00:00Z, 1 to 90 seconds apart, so the
  log spans months of record time.

Run ``python bench/generate.py OUT.jsonl N [--seed S]`` to write one log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

from timeline import Actor, Entry, Event, Place, Source

__all__ = ["generate", "entry_lines", "make_event", "GENERATOR_VERSION"]

#: Bump when the mix changes, so that cached logs are regenerated.
GENERATOR_VERSION = 1
GENESIS = "0" * 64

# CAMEO actor codebook (1.1b3): ISO 3166-1 alpha-3 country codes and role groups.
COUNTRIES = ("PAK", "RUS", "USA", "CHN", "IND", "IRN", "AFG", "GBR", "FRA", "DEU", "TUR", "SAU",
             "UKR", "JPN", "KOR", "PRK", "ISR", "PSE", "EGY", "SYR", "IRQ", "QAT", "ARE", "BRA",
             "ZAF", "NGA", "ETH", "KAZ", "UZB", "BGD", "LKA", "NPL", "IDN", "VNM", "MEX", "CUB")
ROLES = ("", "", "GOV", "GOV", "MIL", "BUS", "MED", "OPP", "JUD", "LEG", "ELI", "CVL")
IGOS = ("IGOUNO", "IGOWSTNAT", "IGOEUREEC", "IGOSEAASN", "IGOAFRAFU", "IGOMEAARL")
PLACES = {"PAK": ("Islamabad", "Lahore", "Karachi"), "RUS": ("Moscow", "Sochi", "Kazan"),
          "USA": ("Washington", "New York"), "CHN": ("Beijing", "Shanghai"),
          "IND": ("New Delhi", "Mumbai"), "IRN": ("Tehran",), "AFG": ("Kabul",),
          "GBR": ("London",), "FRA": ("Paris",), "DEU": ("Berlin",), "TUR": ("Ankara",),
          "SAU": ("Riyadh",), "UKR": ("Kyiv",), "JPN": ("Tokyo",), "EGY": ("Cairo",),
          "KAZ": ("Astana",), "UZB": ("Tashkent",), "QAT": ("Doha",), "CHE": ("Geneva",)}
# CAMEO event codes (codebook 1.1b3): consult, cooperate, aid, demand, threaten...
CAMEO = ("010", "012", "020", "030", "031", "036", "040", "042", "043", "044", "046", "050",
         "051", "057", "061", "0831", "0874", "100", "111", "130", "1382", "160", "172", "190")
TAGS = ("visit", "summit", "defence", "trade", "energy", "strategic-dialogue", "sanctions",
        "treaty", "nuclear", "observer-status", "border", "aid", "protest", "elections")
PUBLISHERS = ("Dawn", "TASS", "Reuters", "Xinhua", "Al Jazeera", "The Hindu", "Kommersant",
              "Agence France-Presse", "Dispatch News Desk (DND)", "IRNA")
# Title templates per script: {a} and {b} are actor display names.
TITLES = (
    "{a} and {b} hold talks on {topic}",
    "{a} delegation visits {b} to discuss {topic}",
    "Rencontre entre {a} et {b} sur {topic}",
    "Переговоры {a} и {b}: {topic}",
    "محادثات بين {a} و {b} حول {topic}",
    "پاکستان اور روس کے درمیان {topic} پر مذاکرات",
    "{a} और {b} के बीच {topic} पर वार्ता",
    "{a}与{b}就{topic}举行会谈",
    "Συνάντηση {a} και {b} για {topic}",
    "{a} signs agreement with {b} on {topic}",
)
TOPICS = ("energy cooperation", "regional security", "trade", "counter-terrorism",
          "энергетика", "الأمن الإقليمي", "व्यापार", "能源合作", "the 2014 withdrawal",
          "visa regime", "gas pipeline", "arms control")
SUMMARIES = (
    "",
    "",
    "Both sides agreed to meet again next year.",
    "The ministers discussed a framework agreement.\nA joint statement followed.",
    "Стороны обсудили вопросы двустороннего сотрудничества.",
    "ناقش الجانبان التعاون الثنائي.",
    "双方讨论了双边合作问题。",
)
REASONS = ("date confirmed by the ministry", "title corrected", "second source added",
           "day unknown; month approximate", "actor role corrected")
RETRACT_REASONS = ("duplicate of another event", "report withdrawn by its publisher")


def _date(rng: random.Random) -> str:
    year = rng.randint(1946, 2025)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    r = rng.random()
    if r < 0.52:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if r < 0.74:
        return f"{year:04d}-{month:02d}"
    if r < 0.84:
        return f"{year:04d}"
    if r < 0.92:
        base = rng.choice((f"{year:04d}", f"{year:04d}-{month:02d}",
                           f"{year:04d}-{month:02d}-{day:02d}"))
        return base + rng.choice("?~%")
    if r < 0.98:
        kind = rng.random()
        if kind < 0.5:
            return f"{year:04d}-{month:02d}-{day:02d}/{year:04d}-{month:02d}-{min(28, day + rng.randint(0, 3)):02d}"
        if kind < 0.8:
            return f"{year:04d}-{month:02d}/{year + rng.randint(0, 1):04d}-{rng.randint(1, 12):02d}" \
                if month == 1 else f"{year:04d}-{month - 1:02d}/{year:04d}-{month:02d}"
        if kind < 0.9:
            return f"{year:04d}/{year + rng.randint(1, 4):04d}"
        return rng.choice((f"{year:04d}-{month:02d}/..", f"../{year:04d}", f"{year:04d}~/.."))
    if rng.random() < 0.7:
        return f"{year:04d}-{rng.randint(21, 24)}"  # season (EDTF level 1)
    return f"{year // 10:03d}X"  # decade


def _actor(rng: random.Random) -> Actor:
    if rng.random() < 0.06:
        return Actor(rng.choice(IGOS))
    code = rng.choice(COUNTRIES) + rng.choice(ROLES)
    if rng.random() < 0.4:
        return Actor(code, rng.choice(("Foreign Minister", "Министр иностранных дел",
                                       "وزير الخارجية", "Prime Minister", "外交部长")),
                     rng.choice((None, "Head of delegation", "Envoy")))
    return Actor(code)


def _sources(rng: random.Random, n: int) -> list[Source]:
    sources = []
    for k in range(rng.randint(1, 3)):
        published = rng.choice((None, f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-"
                                f"{rng.randint(1, 28):02d}", f"{rng.randint(1990, 2025)}?"))
        if rng.random() < 0.8:
            sources.append(Source(f"https://news.example.org/{n}/{k}?ref=bench",
                                  title=rng.choice((None, "Talks held", "Переговоры",
                                                    "محادثات")),
                                  publisher=rng.choice(PUBLISHERS), published=published))
        else:  # a print source: a title and no address
            sources.append(Source(None, title=f"Archive bulletin no. {n % 997}",
                                  publisher=rng.choice(PUBLISHERS), published=published))
    return sources


def make_event(rng: random.Random, n: int, event_id: str | None = None) -> Event:
    """A random event; its id is derived from the date, first actor and ``n``."""
    actors = [_actor(rng) for _ in range(rng.choice((1, 2, 2, 2, 3, 4)))]
    # Tolerate a repeated actor code: real data has them (two officials of one state).
    a, b = actors[0].code, actors[-1].code
    title = rng.choice(TITLES).format(a=a, b=b, topic=rng.choice(TOPICS))
    date = _date(rng)
    if event_id is None:
        event_id = f"{date.replace('/', '-').replace('.', '').replace('~', '')}".lower()
        event_id = "-".join(p for p in event_id.replace("?", "").replace("%", "").split("-")
                            if p) + f"-{a.lower()}-{n}"
    country = rng.choice(tuple(PLACES))
    place = Place(rng.choice(PLACES[country]), country) if rng.random() < 0.7 else None
    tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 3)))
    return Event(id=event_id, date=date, title=title, summary=rng.choice(SUMMARIES),
                 actors=actors, place=place, sources=_sources(rng, n), tags=tags,
                 cameo=rng.choice(CAMEO) if rng.random() < 0.95 else None,
                 status=rng.choice(("occurred",) * 17 + ("scheduled", "expected", "cancelled")))


def entry_lines(n: int, *, seed: int = 5, start: dt.datetime | None = None):  # noqa: ANN201
    """Yield ``n`` log lines (bytes, with their newline) of a valid log, in order."""
    rng = random.Random(seed)
    when = start or dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    prev = GENESIS
    live: list[str] = []  # event ids that can be revised or retracted
    for position in range(1, n + 1):
        when += dt.timedelta(seconds=rng.randint(1, 90), microseconds=rng.randint(0, 999_999))
        r = rng.random()
        if live and r < 0.02:
            event_id = live.pop(rng.randrange(max(0, len(live) - 500), len(live)))
            entry = Entry.create(position=position, recorded_at=when, type="retracted",
                                 event_id=event_id, event=None,
                                 reason=rng.choice(RETRACT_REASONS), prev=prev)
        elif live and r < 0.22:
            event_id = live[rng.randrange(max(0, len(live) - 2000), len(live))]
            entry = Entry.create(position=position, recorded_at=when, type="revised",
                                 event_id=event_id, event=make_event(rng, position, event_id),
                                 reason=rng.choice(REASONS), prev=prev)
        else:
            event = make_event(rng, position)
            live.append(event.id)
            entry = Entry.create(position=position, recorded_at=when, type="recorded",
                                 event_id=event.id, event=event, reason=None, prev=prev)
        prev = entry.hash
        yield entry.to_line()


def generate(path: str | os.PathLike[str], n: int, *, seed: int = 5) -> Path:
    """Write a log of ``n`` entries to ``path`` (atomically: temp file, fsync, rename)."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with open(tmp, "wb", buffering=1 << 20) as f:
            for line in entry_lines(n, seed=seed):
                f.write(line)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the log file to write")
    parser.add_argument("n", type=int, help="number of entries")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out, args.n, seed=args.seed)
    print(f"wrote {args.n} entries to {args.out} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
