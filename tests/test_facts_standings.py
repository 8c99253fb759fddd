"""The year's standings (facts/standings.py): the order is news the week it changes or the gap
is the widest of the year, and only then does the note say "so far this year"."""

from __future__ import annotations

import numpy as np
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.data.records import bundled_records
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.narrative import write_note
from test_facts import facts_for, panel


def year(a, b):
    """Closes from the last session of 2023 into 2024 (the first is the year's base)."""
    return panel("2023-12-29", A=a, B=b)


def test_a_new_leader_this_week_is_news_and_an_old_one_is_not():
    a = np.r_[100, np.linspace(101, 110, 40), 110, 110, 110, 110, 110]  # A leads ...
    b = np.r_[100, np.linspace(100.5, 105, 40), 106, 107, 108, 112, 115]  # ... until B overtakes it this week
    f = facts_for(year(a, b), pair=("A", "B"))
    assert f.value("standings.ytd.changed") == 1 and f.value("standings.pair.changed") == 1
    g = facts_for(year(a[:-5], b[:-5]), pair=("A", "B"))
    assert g.value("standings.ytd.changed") == 0


def test_the_widest_gap_of_the_year():
    a = np.r_[100, np.linspace(101, 120, 45)]
    b = np.r_[100, np.linspace(100, 101, 45)]
    assert facts_for(year(a, b)).value("standings.ytd.widest") == 1
    a[-1] = 108  # the gap narrowed on the last day
    assert facts_for(year(a, b)).value("standings.ytd.widest") == 0


@pytest.fixture(scope="module")
def notes():
    symbols, labels, pair = ["^GSPC", "^IXIC", "^DJI"], {"^GSPC": "S&P 500", "^IXIC": "Nasdaq Composite", "^DJI": "Dow"}, ("^IXIC", "^DJI")
    prices = load_prices(make_source("sample", {}), symbols, resolve_as_of("2018-12-31"))
    config = FactsConfig(labels, ("1d", "1w", "1m", "3m", "ytd"), pair, complete=prices.complete, known_records=bundled_records())

    def make(day):
        as_of = resolve_as_of(day).session
        facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of])
        return facts, write_note(facts, symbols, pair)[0]

    return make


@pytest.mark.parametrize("day", ["2017-03-10", "2017-03-17", "2017-03-24", "2017-03-31"])
def test_so_far_this_year_only_when_the_standings_are_news(notes, day):
    """March 2017: the Nasdaq led all month; the year's order is said only in a week it is news."""
    facts, narrative = notes(day)
    news = facts.value("standings.ytd.changed") == 1 or facts.value("standings.ytd.widest") == 1
    assert ("So far this year" in narrative.to_text()) == news or facts.value("standings.pair.widest") == 1


def test_a_years_gain_erased_this_week():
    """Up 5% for the year at last Friday's close, down 1% at this one: flipped; a year that
    was up 1% and slipped below is no news."""
    a = np.r_[100, np.linspace(101, 105, 40), 103, 101, 100, 99.5, 99]
    b = np.r_[100, np.linspace(100, 101, 40), 100.5, 100.2, 99.8, 99.7, 99.6]
    f = facts_for(year(a, b))
    assert f.value("A.ytd.flipped") == 1 and "B.ytd.flipped" not in f


def test_brexit_friday_erased_the_years_gains(notes):
    """June 24, 2016: the S&P 500 and the Dow ended the week below their 2015 closes."""
    facts, narrative = notes("2016-06-24")
    assert facts.value("GSPC.ytd.flipped") == 1 and facts.value("DJI.ytd.flipped") == 1
    told = [s for s in narrative.all_sentences() if s.kind == "ytd_flip"]
    assert len(told) == 1 and {"GSPC.ret.ytd", "DJI.ret.ytd"} <= set(told[0].facts)
