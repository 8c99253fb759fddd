"""Whipsaws: runs of large daily moves alternating in sign within the note's week, on
constructed returns and on the August 2011 week of the bundled sample."""

import numpy as np
import pandas as pd
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.whipsaws import WHIPSAW_MIN_MOVE, alternating_runs, longest_whipsaw
from test_facts import facts_for, panel

QUIET = [0.001] * 17  # 2024-01-02 plus 17 sessions is Friday 2024-01-26; then the week of Jan 29


def week_of(rets, before=QUIET):
    """Closes through Friday 2024-02-02 whose last five daily returns (Jan 29 - Feb 2) are `rets`."""
    closes = panel(A=100.0 * np.cumprod(np.r_[1.0, 1.0 + np.asarray(list(before) + list(rets))]))
    assert closes.index[-5] == pd.Timestamp("2024-01-29") and closes.index[-1] == pd.Timestamp("2024-02-02")
    return closes


def test_alternating_runs():
    rets = np.array([np.nan, 0.02, -0.02, 0.03, 0.03, -0.02, 0.01, -0.02, 0.02])
    assert alternating_runs(rets) == [(1, 3), (4, 5), (7, 8)]
    assert longest_whipsaw(rets) == (1, 3)
    assert longest_whipsaw(rets, 4) is None


def test_four_session_whipsaw():
    closes = week_of([-0.03, 0.02, -0.02, 0.018, 0.001])
    f = facts_for(closes)
    assert f.value("A.whipsaw.sessions") == 4
    assert f["A.whipsaw.sessions"].start == "2024-01-29" and f["A.whipsaw.sessions"].end == "2024-02-01"
    assert [f.value(f"A.whipsaw.d{i}") for i in range(4)] == pytest.approx([-0.03, 0.02, -0.02, 0.018])
    assert [f.value(f"A.whipsaw.day{i}") for i in range(4)] == ["2024-01-29", "2024-01-30", "2024-01-31", "2024-02-01"]
    assert f["A.whipsaw.d0"].start == "2024-01-26" and f["A.whipsaw.d0"].end == "2024-01-29"
    assert "A.whipsaw.d4" not in f


def test_two_opposite_days_are_not_a_whipsaw():
    assert "A.whipsaw.sessions" not in facts_for(week_of([-0.03, 0.03, 0.001, 0.001, 0.001]))


def test_a_small_or_same_sign_day_breaks_the_run():
    below = WHIPSAW_MIN_MOVE - 0.0005
    assert "A.whipsaw.sessions" not in facts_for(week_of([-0.03, 0.03, -below, 0.03, -0.03]))
    assert "A.whipsaw.sessions" not in facts_for(week_of([-0.03, -0.03, -0.03, 0.001, 0.001]))
    assert alternating_runs(np.array([-0.03, 0.03, -WHIPSAW_MIN_MOVE])) == [(0, 2)]  # exactly the edge counts
    f = facts_for(week_of([-0.03, 0.03, -0.018, 0.001, 0.001]))
    assert f.value("A.whipsaw.sessions") == 3


def test_only_the_weeks_sessions_count():
    # last Friday rose 3% and this week opened -3%, +3%: two sessions in the week, no whipsaw
    assert "A.whipsaw.sessions" not in facts_for(week_of([-0.03, 0.03, 0.001, 0.001, 0.001], QUIET[:-1] + [0.03]))
    # a run may open on Monday even when last Friday also alternated
    f = facts_for(week_of([-0.03, 0.03, -0.03, 0.001, 0.001], QUIET[:-1] + [0.03]))
    assert f.value("A.whipsaw.sessions") == 3 and f.value("A.whipsaw.day0") == "2024-01-29"


def test_august_2011_sp500_whipsaw_on_the_sample():
    prices = load_prices(make_source("sample", {}), ["^GSPC"], resolve_as_of("2018-12-31"))
    as_of = pd.Timestamp("2011-08-12")
    f = compute_facts(prices.closes.loc[:as_of].dropna(how="all"), as_of, FactsConfig({"^GSPC": "S&P 500"}))
    assert f.value("GSPC.whipsaw.sessions") == 4
    assert [f.value(f"GSPC.whipsaw.day{i}") for i in range(4)] == ["2011-08-08", "2011-08-09", "2011-08-10", "2011-08-11"]
    assert [f.value(f"GSPC.whipsaw.d{i}") for i in range(4)] == pytest.approx([-0.0666, 0.0474, -0.0442, 0.0463], abs=0.0001)
