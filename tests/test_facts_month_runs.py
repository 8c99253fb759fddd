"""Months in a row (facts/month_runs.py) on constructed monthly returns, and on the sample:
February 2018 ended the Dow's 10-month winning run, its longest since 1959."""

import numpy as np
import pandas as pd

from marketnotes.facts.month_runs import add_month_runs, runs
from marketnotes.facts.table import FactTable


def months_of(rets):
    ends = pd.date_range("2000-01-31", periods=len(rets) + 1, freq="ME")
    return pd.DataFrame({"start": ends[:-1], "end": ends[1:], "ret": rets}, index=ends[1:].to_period("M"))


def facts_of(rets):
    table = FactTable(as_of="2020-01-31", labels={"X": "Index X"})
    add_month_runs(table, "X", "Index X", "X", months_of(rets))
    return table


def test_runs_split_a_sign_series():
    assert runs(np.array([1, 1, -1, -1, -1, 1])) == [(0, 1, 1), (2, 4, -1), (5, 5, 1)]


def test_a_run_its_reach_and_the_run_a_month_ended():
    # down, up x3, down, up x2, down x4: a fourth straight loss, the longest since none (a run of one before)
    facts = facts_of([-0.01, 0.02, 0.02, 0.02, -0.01, 0.01, 0.01, -0.01, -0.02, -0.01, -0.03])
    assert facts.value("X.months.run") == 4 and "X.months.run_since" not in facts and "X.months.ended" not in facts
    # the next month up: it ended that run of four
    facts = facts_of([-0.01, 0.02, 0.02, 0.02, -0.01, 0.01, 0.01, -0.01, -0.02, -0.01, -0.03, 0.02])
    assert facts.value("X.months.ended") == 4 and "X.months.run" not in facts
    # two up after a run of three up and a fall: the last run of two or more up ended at month 7
    facts = facts_of([-0.01, 0.02, 0.02, 0.02, -0.01, 0.01, 0.01, -0.01, 0.01, 0.01])
    assert facts.value("X.months.run") == 2 and facts.value("X.months.run_since") == "2000-08-31"


def test_a_run_from_the_datas_first_month_is_not_counted():
    facts = facts_of([0.01, 0.01, 0.01, 0.01, 0.01])
    assert "X.months.run" not in facts
