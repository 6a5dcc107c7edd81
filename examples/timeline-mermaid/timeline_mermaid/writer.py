"""The ``mermaid`` writer: a chronology as a Mermaid ``timeline`` diagram.

::

    timeline
        title pakistan-russia
        section 2013
            August 2013 : Pakistan–Russia two-way trade reported at almost US$542 million
                        : Russian Air Force chief visits Pakistan
            28 August 2013 : First Pakistan–Russia Strategic Dialogue opens in Moscow

- Events come in chronological order, once (a stream); consecutive events with
  the same date share one time period.
- A period is the date in words at its own precision, never finer
  (``timeline.date_in_words``): "28 August 2013", "August 2013", "2012",
  "around 2005", "possibly 2014", "12–15 November 2012", "from August 2013";
  then the status unless it is "occurred": "2014 (expected)".
- Option ``sections``: ``year`` (the default) opens a section for each year of
  the dates' first day (``Without a start date`` for an open start); ``none``
  opens none.
- Text (the title, each event's title) is one line, spaces collapsed. Mermaid
  would end an event at a colon followed by a space (or at a final colon) and
  would read ``#name;`` as an entity code, so a zero-width space (U+200B) is put
  after such a colon and after such a ``#``: the diagram shows the text as
  written. (Checked with Mermaid 11.)
"""

import re

from timeline import date_in_words

_BREAKS = re.compile(r":(?=\s|$)|#(?=[0-9A-Za-z_]+;)")  # what Mermaid would misread


def write(events, out, *, sections="year"):
    """Write ``events`` to the binary stream ``out`` as a Mermaid timeline.

    ``events`` is a ``timeline.EventStream`` (the exporter declares
    ``streams=True``): read once, in order, each event written as it comes, so
    memory does not grow with the number of events.
    """
    out.write(f"timeline\n    title {_text(events.title)}\n".encode("utf-8"))
    section = period = None
    for item in events:
        event, lines = item.event, []
        if sections == "year":
            first_day = event.date.lower
            year = "Without a start date" if first_day is None else str(first_day.year)
            if year != section:
                section, period = year, None
                lines.append(f"    section {year}\n")
        status = "" if event.status == "occurred" else f" ({event.status})"
        when = _text(date_in_words(event.date) + status)
        if when == period:
            lines.append(f"        {' ' * len(when)} : {_text(event.title)}\n")
        else:
            lines.append(f"        {when} : {_text(event.title)}\n")
        period = when
        out.write("".join(lines).encode("utf-8"))


def _text(text):
    one_line = re.sub(r"\s+", " ", text).strip()
    return _BREAKS.sub(lambda found: found.group() + "\u200b", one_line)
