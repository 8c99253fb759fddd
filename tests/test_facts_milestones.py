"""Round-number milestones: constructed series whose crossings are worked out by hand, and the
two the issue names on the bundled sample (Nasdaq 5,000 in March 2000, Dow 10,000 in 2003)."""

import numpy as np
import pandas as pd
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.milestones import Crossing, rarest_crossing, round_levels, trailing_zeros
from test_facts import facts_for, panel

SYMBOLS = ["^GSPC", "^IXIC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "NASDAQ Composite", "^DJI": "Dow"}


def day(closes, pos):
    return closes.index[pos].date().isoformat()


def test_round_levels_step_with_the_number_of_digits():
    assert round_levels(9796.03, 10170.5) == [9800, 9900, 10000]  # 4 digits in 100s, 5 in 1,000s: no 10,100
    assert round_levels(24900, 25100) == [25000]
    assert round_levels(1499, 1501) == [1500]
    assert round_levels(985, 1005) == [990, 1000]
    assert round_levels(1500, 1599) == []  # a level equal to the lower close is not crossed
    assert round_levels(1499, 1500) == [1500]  # one reaching it exactly is
    assert [trailing_zeros(x) for x in (10000, 25000, 1500, 950, 9999)] == [4, 3, 2, 1, 0]


def test_rarest_wins_then_roundest_then_latest():
    old = Crossing(1100, 50, 1, 5)
    recent_round = Crossing(1000, 50, 1, 30)
    assert rarest_crossing([recent_round, old]) is old
    tie = Crossing(1000, 50, 1, 5)
    assert rarest_crossing([old, tie]) is tie  # equal waits: the rounder level
    first = Crossing(1200, 52, 1, None)
    assert rarest_crossing([old, tie, first]) is first  # a first in the data is the rarest of all
    later = Crossing(1000, 51, 1, 6)
    assert rarest_crossing([tie, later]) is later  # same wait, same roundness: the later session
    assert rarest_crossing([Crossing(1000, 50, 1, 31)]) is None  # 19 sessions: noise around the level


def test_first_crossing_in_the_data_gets_data_start():
    # 30 sessions at 950, then a jump to 1,005: 960 .. 990 and 1,000 are all firsts; 1,000 is the roundest
    closes = panel(A=[950.0] * 30 + [1005.0])
    f = facts_for(closes)
    assert f.value("A.milestone.level") == 1000
    assert f.value("A.milestone.date") == day(closes, -1)
    assert f.value("A.milestone.margin") == pytest.approx(0.005)
    assert f.value("A.milestone.data_start") == day(closes, 0) and "A.milestone.since" not in f
    assert f.value("A.milestone.held") == 1
    assert f["A.milestone.margin"].start == f["A.milestone.margin"].end == day(closes, -1)


def test_a_level_crossed_back_and_forth_within_twenty_sessions_is_skipped():
    # 30 at 990, 5 above 1,000, 5 back below, then above again on the last session:
    # the last close at or above 1,000 was 6 sessions earlier, so no milestone
    values = [990.0] * 30 + [1010.0] * 5 + [990.0] * 5 + [1010.0]
    assert "A.milestone.level" not in facts_for(panel(A=values))
    # the same crossing after 25 sessions below is one, "since" the last close above
    values = [990.0] * 30 + [1010.0] * 5 + [990.0] * 25 + [1010.0]
    closes = panel(A=values)
    f = facts_for(closes)
    assert f.value("A.milestone.level") == 1000 and f.value("A.milestone.date") == day(closes, -1)
    assert f.value("A.milestone.since") == day(closes, 34) and "A.milestone.data_start" not in f


def test_down_crossing_that_did_not_hold():
    # 2024-01-02 + 27 sessions is Friday 2024-02-09; its week starts Monday 2024-02-05 (position 23)
    week = [995.0, 1002.0, 1003.0, 1003.0, 1003.0]
    closes = panel(A=[1050.0] * 23 + week)
    assert closes.index[23] == pd.Timestamp("2024-02-05")
    f = facts_for(closes)
    assert f.value("A.milestone.level") == 1000 and f.value("A.milestone.date") == "2024-02-05"
    assert f.value("A.milestone.margin") == pytest.approx(-0.005)  # closed below: negative
    assert f.value("A.milestone.data_start") == "2024-01-02"
    assert f.value("A.milestone.held") == 0  # Friday closed back above 1,000
    # a "first in the data" after fewer than 20 sessions of data is no milestone either
    assert "A.milestone.level" not in facts_for(panel(A=[1050.0] * 18 + week))


def test_crossings_before_the_week_are_not_this_weeks():
    values = [950.0] * 17 + [1005.0] + [1010.0] * 5  # crossed on Friday 2024-01-26, the week before
    assert "A.milestone.level" not in facts_for(panel(A=values))


# --- the bundled sample ------------------------------------------------------------------

@pytest.fixture(scope="module")
def prices():
    return load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))


def facts_at(prices, when):
    as_of = pd.Timestamp(when)
    return compute_facts(prices.closes.loc[:as_of].dropna(how="all"), as_of, FactsConfig(LABELS), prices.highs.loc[:as_of])


def test_nasdaq_first_close_above_5000_in_march_2000(prices):
    f = facts_at(prices, "2000-03-10")
    assert f.value("IXIC.milestone.level") == 5000 and f.value("IXIC.milestone.date") == "2000-03-09"
    assert f.value("IXIC.milestone.data_start") == "1999-01-04" and "IXIC.milestone.since" not in f
    assert f.value("IXIC.milestone.margin") == pytest.approx(0.0094, abs=0.0001)
    assert f.value("IXIC.milestone.held") == 1
    # the Dow's Tuesday close below 10,000 came 7 sessions after one on 2000-02-25: noise around the
    # level; the week's rarest crossing is 9,800 on the same Tuesday, the first since March 1999
    assert f.value("DJI.milestone.level") == 9800 and f.value("DJI.milestone.date") == "2000-03-07"
    assert f.value("DJI.milestone.since") == "1999-03-31" and f.value("DJI.milestone.held") == 0


def test_dow_first_close_above_10000_since_may_2002(prices):
    f = facts_at(prices, "2003-12-12")
    assert f.value("DJI.milestone.level") == 10000 and f.value("DJI.milestone.date") == "2003-12-11"
    assert f.value("DJI.milestone.since") == "2002-05-24"
    assert f.value("DJI.milestone.margin") == pytest.approx(0.0008, abs=0.0001)
    assert f.value("DJI.milestone.held") == 1
    assert np.isclose(f.value("DJI.close"), 10042.16, atol=0.01)


def test_a_watched_level_within_reach_and_since_when():
    """4,950 closes 1.0% below 5,000 (a level worth watching: five times its step), which it
    last closed above 30 sessions back; 4,999.9 is at the level, and 4,900 is no level to watch."""
    values = [5100.0] * 5 + [4800.0] * 30 + [4950.0]
    facts = facts_for(panel(A=values))
    assert facts.value("A.level_in_reach.level") == 5000 and facts.value("A.level_in_reach.gap") == pytest.approx(-0.01)
    assert facts.value("A.level_in_reach.since") == panel(A=values).index[4].date().isoformat()
    assert "A.level_in_reach.level" not in facts_for(panel(A=[4800.0] * 35 + [4999.9]))
    assert "A.level_in_reach.level" not in facts_for(panel(A=[4700.0] * 35 + [4880.0]))  # 4,900 is not watched


def test_a_level_the_index_was_at_last_month_is_not_one_to_reach():
    assert "A.level_in_reach.level" not in facts_for(panel(A=[4800.0] * 20 + [5020.0] + [4800.0] * 10 + [4950.0]))
