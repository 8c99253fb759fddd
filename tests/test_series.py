"""A series of weekly notes never leads with last week's headline (narrative/series.py)."""

from __future__ import annotations

import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.data.records import bundled_records
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.moves import window_start
from marketnotes.narrative import series, write_note
from marketnotes.narrative.angles import Angle

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "Nasdaq Composite", "^DJI": "Dow"}
PAIR = ("^IXIC", "^DJI")


def test_last_weeks_lead_gives_way_and_the_weekly_move_is_never_a_repeat():
    record, mover = Angle("record", 3.0, ("^GSPC",), "^GSPC"), Angle("mover", 1.0, ("^IXIC", "1w"), "^IXIC")
    assert series.avoiding([record, mover], ("record", "^GSPC"))[0] is mover
    assert series.avoiding([record, mover], ("record", "^DJI"))[0] is record
    assert series.avoiding([mover, record], None)[0] is mover


@pytest.fixture(scope="module")
def weekly():
    prices = load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), PAIR, complete=prices.complete, known_records=bundled_records())
    events = load_events(["cpi"])

    def facts_at(day):
        return compute_facts(prices.closes.loc[:day], day, config, prices.highs.loc[:day], events)

    def note(day):
        as_of = resolve_as_of(day).session
        before = window_start(prices.closes["^GSPC"].dropna(), as_of, "1w")
        previous = series.last_week_lead(facts_at(before), SYMBOLS, PAIR)
        return previous, write_note(facts_at(as_of), SYMBOLS, PAIR, previous=previous)

    return note


def test_a_run_of_records_does_not_headline_two_weeks_running(weekly):
    """May 2014: the S&P 500's run of records led the note of May 23 ("its 10th record close
    since late February"); on May 30 its 13th gives way, and is still told."""
    previous, (narrative, check) = weekly("2014-05-30")
    assert previous == ("record", "^GSPC") and check.ok and not check.style
    assert narrative.headline.kind != "headline_record"
    assert "record" in " ".join(s.text for s in narrative.lead)  # given way, still told
