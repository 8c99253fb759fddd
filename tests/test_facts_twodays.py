"""Two-session runs (facts/twodays.py): the week's biggest pair of same-way sessions and how
far back one must go for one as big."""

from __future__ import annotations

import numpy as np

from test_facts import facts_for, panel


def test_the_weeks_biggest_same_way_pair_and_its_since():
    """Jan. 3-4: +3% and +3% (6.09%); then flat; this week Thursday +3% and Friday +2.5%
    (5.58%): its biggest two-day gain since the two sessions ending Jan. 4."""
    daily = np.r_[0.0, 0.0, 0.03, 0.03, np.full(29, 0.0005) * np.resize([1, -1], 29), 0.03, 0.025]
    closes = panel("2024-01-01", A=100 * np.cumprod(1 + daily))  # 35 sessions: the last a Friday
    f = facts_for(closes)
    assert round(f.value("A.two_day.ret"), 4) == round(1.03 * 1.025 - 1, 4)
    assert f.value("A.two_day.first") == closes.index[-2].date().isoformat()
    assert f.value("A.two_day.since") == closes.index[3].date().isoformat()


def test_a_pair_that_went_two_ways_is_no_run():
    values = np.r_[np.linspace(100, 101, 30), 104, 101]
    f = facts_for(panel("2024-01-01", A=values))
    assert "A.two_day.ret" not in f or f.value("A.two_day.last") != f.as_of
