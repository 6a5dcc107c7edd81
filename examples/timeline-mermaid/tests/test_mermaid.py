"""The mermaid exporter, tested with diplomatic-timeline's pytest fixtures."""

from pathlib import Path

import pytest
from timeline import Event, ValidationError, export_bytes
from timeline.testing import chronology_of

EXPECTED = Path(__file__).with_name("pakistan-russia.mmd")


def test_the_bundled_chronology(timeline_plugins, bundled_chronology):
    text = export_bytes(bundled_chronology, "mermaid", plugins=timeline_plugins)
    assert text == EXPECTED.read_bytes()


def test_one_period_per_date_and_no_sections(timeline_plugins):
    chronology = chronology_of(Event(id="a", date="2013-08", title="Talks"),
                               Event(id="b", date="2013-08", title="Trade"),
                               Event(id="c", date="2014~", title="Withdrawal", status="expected"),
                               title="Three")
    text = export_bytes(chronology, "mermaid", plugins=timeline_plugins, sections="none")
    assert text.decode() == ("timeline\n"
                             "    title Three\n"
                             "        August 2013 : Talks\n"
                             "                    : Trade\n"
                             "        around 2014 (expected) : Withdrawal\n")


def test_text_that_mermaid_would_misread_shows_as_written(timeline_plugins):
    chronology = chronology_of(Event(id="a", date="2013", title="Talks: round #2; at 10:30"))
    text = export_bytes(chronology, "mermaid", plugins=timeline_plugins, sections="none")
    assert text.decode().splitlines()[-1] == "        2013 : Talks:\u200b round #\u200b2; at 10:30"


def test_an_unknown_sections_value_is_refused(timeline_plugins, bundled_chronology):
    with pytest.raises(ValidationError) as error:
        export_bytes(bundled_chronology, "mermaid", plugins=timeline_plugins, sections="month")
    assert str(error.value) == ("sections: 'month' is not one of the mermaid exporter's "
                                "sections values. Use one of: year, none.")
