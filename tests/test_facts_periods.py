"""Quarters and years at their ends (facts/periods.py), on constructed series whose answers
are known by hand: a note on Dec. 31 tells the fourth quarter and the year, one on Nov. 30
tells neither."""

import numpy as np
import pandas as pd

from marketnotes.facts.periods import add_periods_facts, period_returns
from marketnotes.facts.table import FactTable


def facts_on(values, index, as_of, complete=True):
    closes = pd.DataFrame({"X": values}, index=index)
    table = FactTable(as_of=str(pd.Timestamp(as_of).date()), labels={"X": "Index X"})
    add_periods_facts(table, closes.loc[:as_of], pd.Timestamp(as_of), complete)
    return table


def yearly(returns: dict[int, float]):
    """Closes that hold one level a year, moving by `returns[year]` on its first session."""
    index = pd.bdate_range("2010-01-01", "2018-12-31")
    level, levels = 100.0, {}
    for year in range(2010, 2019):
        level *= 1 + returns.get(year, 0.0)
        levels[year] = level
    return index, np.array([levels[day.year] for day in index])


def test_the_worst_year_since_and_the_first_loss_since():
    # 2011 fell 8%, 2015 2%, every other year rose 10%; 2018 falls 6%
    index, values = yearly({2011: -0.08, 2012: 0.1, 2013: 0.1, 2014: 0.1, 2015: -0.02, 2016: 0.1, 2017: 0.1, 2018: -0.06})
    facts = facts_on(values, index, "2018-12-31")
    assert round(facts.value("X.year.ret"), 4) == -0.06
    assert facts.value("X.year.since") == "2011-12-30"  # the last year at least as bad: "its worst year since 2011"
    assert facts.value("X.year.sign_since") == "2015-12-31"  # "its first annual loss since 2015"
    assert "X.year.run" not in facts
    # the fall came on the year's first session: the fourth quarter was flat
    assert facts.value("X.quarter.ret") == 0.0


def test_runs_count_periods_in_a_row_and_mid_quarter_notes_have_none():
    index = pd.bdate_range("2016-01-01", "2018-12-31")
    values = 100.0 * 1.001 ** np.arange(len(index))  # up every day: every quarter up
    facts = facts_on(values, index, "2018-12-31")
    # up since the data starts: how long the run is, the data cannot say
    assert "X.quarter.run" not in facts and "X.year.run" not in facts
    index = pd.bdate_range("2016-01-01", "2018-12-31")
    values = np.where(index < pd.Timestamp("2017-01-01"), 100.0 - 0.01 * np.arange(len(index)), 100.0 * 1.001 ** np.arange(len(index)))
    facts = facts_on(values, index, "2018-12-31")
    assert facts.value("X.quarter.run") == 8  # every quarter of 2017 and 2018 up, after a 2016 that fell
    assert "X.year.run" not in facts  # 2016, the data's first year, has no base close: 2017 and 2018 may not be the run's start
    assert not list(facts_on(values, index, "2018-11-30"))
    assert not list(facts_on(values, index, "2018-12-28", complete=False))  # the month is not over


def test_period_returns_run_from_the_previous_periods_last_close():
    index = pd.bdate_range("2018-01-01", "2018-06-29")
    values = np.where(index <= pd.Timestamp("2018-03-30"), 100.0, 110.0)
    rows = period_returns(pd.Series(values, index=index), pd.Timestamp("2018-06-29"), "Q")
    assert len(rows) == 1 and round(rows["ret"].iloc[0], 4) == 0.10 and rows["start"].iloc[0] == pd.Timestamp("2018-03-30")
