"""The month's events (facts/month_events.py) and market closures (facts/closures.py) on
constructed series whose answers are known by hand."""

import numpy as np
import pandas as pd

from marketnotes.facts.closures import add_closure_facts, closures
from marketnotes.facts.months import add_months_facts
from marketnotes.facts.table import FactTable


def month_facts(values, index, as_of):
    closes = pd.DataFrame({"X": values}, index=index)
    table = FactTable(as_of=str(pd.Timestamp(as_of).date()), labels={"X": "Index X"})
    table.add("X.history.complete", 1, "count", "complete")
    add_months_facts(table, closes, pd.Timestamp(as_of))
    return table


def test_the_first_close_past_the_line_is_dated_even_after_a_rebound():
    index = pd.bdate_range("2018-01-01", "2018-12-31")
    values = np.full(len(index), 100.0)
    values[index >= "2018-09-20"] = 100.0
    values[index == "2018-09-20"] = 110.0  # the record
    values[(index > "2018-09-20") & (index < "2018-11-23")] = 102.0  # -7%
    values[index == "2018-11-23"] = 98.0  # -10.9%: the first close in a correction
    values[(index > "2018-11-23") & (index < "2018-12-14")] = 103.0  # back out
    values[index >= "2018-12-14"] = 95.0  # -13.6%, in December
    facts = month_facts(values, index, "2018-12-31")
    assert facts.value("X.month.first_correction") == "2018-11-23" and "X.month.first_bear" not in facts


def test_the_worst_month_of_its_name_and_the_biggest_point_gain():
    index = pd.bdate_range("1990-01-01", "2018-12-31")
    values = 100 * np.cumprod(np.full(len(index), 1.0001))
    values[index >= "1995-12-01"] *= 0.85  # a worse December long ago (a step down, never made up)
    values[index >= "2018-12-03"] *= 0.9
    values[index >= "2018-12-27"] *= 1.02  # the month's best day: at the highest level yet, the biggest gain in points
    facts = month_facts(values, index, "2018-12-31")
    assert facts.value("X.month.same_since") == "1995-12-29"
    assert facts.value("X.month.best.pts_date") == "2018-12-27" and "X.month.best.pts_data_start" in facts


def test_a_round_level_first_crossed_in_the_month():
    index = pd.bdate_range("2016-01-01", "2016-11-30")
    values = np.linspace(17000, 18900, len(index))
    values[index >= "2016-11-22"] = 19050.0
    facts = month_facts(values, index, "2016-11-30")
    assert (facts.value("X.month.milestone.level"), facts.value("X.month.milestone.date"), facts.value("X.month.milestone.first")) == (19000.0, "2016-11-22", 1)
    assert facts.value("X.month.records") >= 1


def test_closures_are_two_or_more_weekdays_without_a_session():
    days = pd.bdate_range("2001-09-01", "2001-09-30")
    sessions = days.drop(pd.bdate_range("2001-09-11", "2001-09-14")).drop(pd.Timestamp("2001-09-03"))  # Labor Day is a holiday, no closure
    assert closures(sessions, pd.Timestamp("2001-09-01"), pd.Timestamp("2001-09-30")) == [(pd.Timestamp("2001-09-11"), pd.Timestamp("2001-09-14"), 4)]
    table = FactTable(as_of="2001-09-18", labels={})
    add_closure_facts(table, sessions, pd.Timestamp("2001-09-08"), pd.Timestamp("2001-09-18"))
    assert (table.value("market.closure.sessions"), table.value("market.closure.reopened")) == (4, "2001-09-17")
    assert closures(sessions, pd.Timestamp("2001-09-18"), pd.Timestamp("2001-09-30")) == []
