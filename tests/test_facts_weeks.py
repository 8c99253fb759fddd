"""Calendar weeks, the week's extreme days, streaks and the rotation pair's daily gap, on
constructed series whose answers are worked out by hand in the comments."""

import numpy as np
import pandas as pd
import pytest

from marketnotes.calendar import nyse
from marketnotes.facts import is_week_complete
from marketnotes.facts.moves import window_start
from marketnotes.facts.streaks import signed_streaks
from marketnotes.facts.weeks import weekly_closes
from test_facts import facts_for


def between(start, end):
    return nyse().sessions_in_range(start, end)


def from_returns(rets, start=100.0):
    """Closes whose daily returns are exactly `rets` (the first close has none)."""
    return start * np.cumprod(np.r_[1.0, 1.0 + np.asarray(rets, dtype=float)])


def by_week(levels, start="2024-04-01"):
    """One close level per calendar week from Monday `start`: the whole move lands on Mondays."""
    days = nyse().sessions_in_range(start, pd.Timestamp(start) + pd.Timedelta(weeks=len(levels), days=-1))
    week = (days - pd.Timestamp(start)).days // 7
    return pd.DataFrame({"A": np.asarray(levels, dtype=float)[week]}, index=days)


def day(ts):
    return pd.Timestamp(ts).date().isoformat()


# --- calendar weeks -----------------------------------------------------------------------

def test_week_window_runs_from_the_last_session_before_monday():
    closes = pd.Series(1.0, index=between("2024-03-18", "2024-04-09"))
    # Tuesday: "since last Friday"
    assert window_start(closes, pd.Timestamp("2024-04-09"), "1w") == pd.Timestamp("2024-04-05")
    # the week after Good Friday (2024-03-29) is measured from Thursday
    assert window_start(closes, pd.Timestamp("2024-04-05"), "1w") == pd.Timestamp("2024-03-28")
    # Monday: one session long
    assert window_start(closes, pd.Timestamp("2024-04-08"), "1w") == pd.Timestamp("2024-04-05")
    assert window_start(closes, pd.Timestamp("2024-03-22"), "1w") is None  # nothing before the first week


def test_week_complete_on_fridays_and_before_holidays():
    assert is_week_complete(pd.Timestamp("2024-04-05"))  # Friday
    assert is_week_complete(pd.Timestamp("2024-03-28"))  # Thursday before Good Friday
    assert not is_week_complete(pd.Timestamp("2024-04-09"))  # Tuesday
    assert not is_week_complete(pd.Timestamp("2024-11-27"))  # Thanksgiving Wednesday: Friday trades
    assert is_week_complete(pd.Timestamp("2030-01-04")) and not is_week_complete(pd.Timestamp("2030-01-02"))  # past the calendar


def test_session_week_complete_fact():
    closes = pd.DataFrame({"A": 100.0}, index=between("2024-03-18", "2024-04-09"))
    assert facts_for(closes).value("session.week_complete") == 0
    assert facts_for(closes, as_of="2024-03-28").value("session.week_complete") == 1


def test_weekly_closes_take_each_weeks_last_session():
    closes = by_week([100, 101, 102], start="2024-03-18")  # Good Friday in the second week
    weekly = weekly_closes(closes["A"])
    assert [day(d) for d in weekly.index] == ["2024-03-22", "2024-03-28", "2024-04-05"]
    assert list(weekly) == [100, 101, 102]


# --- worst (best) week since ------------------------------------------------------------

def test_worst_week_since_an_earlier_calendar_week():
    # weeks ending Apr 5 .. May 24; returns +1%, -1.98%, +5.05%, -1.92%, -4.90%, +3.09%, -4%
    closes = by_week([100, 101, 99, 104, 102, 97, 100, 96])
    f = facts_for(closes)
    assert f.value("A.ret.1w") == pytest.approx(-0.04)
    assert f.value("A.week_extreme.since") == "2024-05-10"  # the -4.90% week
    assert f.value("A.week_extreme.weeks") == 2
    assert f.value("A.week_extreme.sessions") == 10
    assert "A.week_extreme.data_start" not in f  # seven weeks of history: no "since the data starts"


def test_best_week_and_no_claim_midweek():
    closes = by_week([100, 103, 101, 102, 104])  # last week +1.96%; the +3% week to Apr 12 beats it
    assert facts_for(closes).value("A.week_extreme.since") == "2024-04-12"
    tuesday = closes.loc[:"2024-04-30"]  # as of Tuesday of the last week
    f = facts_for(tuesday)
    assert f["A.ret.1w"].start == "2024-04-26"
    assert not [fact for fact in f if ".week_extreme." in fact.id]


def test_worst_week_in_the_data():
    levels = list(100 + np.arange(60) % 2) + [80]  # 60 weeks of +-1% churn, then -19%
    f = facts_for(by_week(levels, start="2023-01-02"))
    assert f.value("A.week_extreme.data_start") == "2023-01-03"  # first session (Jan 2 is a holiday)
    assert "A.week_extreme.since" not in f


# --- best and worst day of the week, and since when ---------------------------------------

def test_best_day_since_and_worst_day_in_the_data():
    days = between("2023-01-03", "2024-05-24")  # 351 sessions, the last week Mon 20 - Fri 24 May
    rets = np.where(np.arange(len(days) - 1) % 2, 0.005, -0.005)
    rets[99] = 0.03  # the session at position 100
    rets[-5:] = [0.02, -0.01, 0.001, 0.001, 0.001]
    f = facts_for(pd.DataFrame({"A": from_returns(rets)}, index=days))
    assert f.value("A.week.best.date") == "2024-05-20" and f.value("A.week.best.ret") == pytest.approx(0.02)
    assert f.value("A.week.best.since") == day(days[100])
    assert f.value("A.week.best.since_sessions") == len(days) - 5 - 100
    assert f.value("A.week.worst.date") == "2024-05-21"
    assert f.value("A.week.worst.data_start") == "2023-01-03"  # no earlier day as bad as -1%
    assert "A.week.worst.since" not in f


def test_day_since_needs_a_move_in_its_direction_and_history():
    # Fri 5th -2%; the week (8th-12th) -1%, -1.5%, -0.5%, -0.1%, -0.3%: every day down
    closes = pd.DataFrame({"A": from_returns([-0.02, -0.01, -0.015, -0.005, -0.001, -0.003])}, index=between("2024-04-04", "2024-04-12"))
    f = facts_for(closes)
    assert f.value("A.week.best.date") == "2024-04-11" and f.value("A.week.best.ret") == pytest.approx(-0.001)
    assert "A.week.best.since" not in f and "A.week.best.data_start" not in f  # a down day is nobody's best
    assert f.value("A.week.worst.date") == "2024-04-09"
    assert f.value("A.week.worst.since") == "2024-04-05" and f.value("A.week.worst.since_sessions") == 2
    assert "A.week.worst.data_start" not in f  # too little history for "since the data starts"


# --- streaks ------------------------------------------------------------------------------

def test_signed_streaks():
    got = signed_streaks(np.array([np.nan, 0.01, 0.02, -0.01, 0.0, -0.01, -0.02, -0.03]))
    assert list(got) == [0, 1, 2, -1, 0, -1, -2, -3]


def test_daily_losing_streak_since_an_earlier_one():
    # downs on sessions 1-4 (a 4-session streak), up, then 3 downs
    closes = pd.DataFrame({"A": [100, 99, 98, 97, 96, 97, 96, 95, 94]}, index=between("2024-04-01", "2024-04-11"))
    f = facts_for(closes)
    assert f.value("A.streak.days") == -3
    assert f.value("A.streak.days_since") == "2024-04-05"  # where the four-session slide ended
    assert f.value("A.streak.days_change") == pytest.approx(94 / 97 - 1)
    g = facts_for(closes.iloc[:5])
    assert g.value("A.streak.days") == -4 and g.value("A.streak.days_data_start") == "2024-04-01"
    h = facts_for(closes.iloc[:6])
    assert h.value("A.streak.days") == 1 and "A.streak.days_since" not in h and "A.streak.days_data_start" not in h


def test_flat_day_breaks_a_streak():
    closes = pd.DataFrame({"A": [100, 101, 102, 103, 103]}, index=between("2024-04-01", "2024-04-05"))
    f = facts_for(closes)
    assert f.value("A.streak.days") == 0 and "A.streak.days_change" not in f


def test_weekly_streak_counts_completed_weeks():
    # up, up, up, down, up, up, up: three straight weekly gains, as long as the first run
    closes = by_week([100, 101, 102, 103, 102, 103, 104, 105])
    f = facts_for(closes)
    assert f.value("A.streak.weeks") == 3
    assert f.value("A.streak.weeks_since") == "2024-04-26"  # the first three-week run
    assert f.value("A.streak.weeks_change") == pytest.approx(105 / 102 - 1)
    assert "A.streak.weeks_end" not in f


def test_weekly_streak_midweek_ends_with_the_last_complete_week():
    # as of Wednesday of a ninth week that is down so far: still three weeks up, through Friday
    closes = by_week([100, 101, 102, 103, 102, 103, 104, 105, 90]).loc[:"2024-05-29"]
    f = facts_for(closes)
    assert f.value("session.week_complete") == 0
    assert f.value("A.streak.weeks") == 3 and f.value("A.streak.weeks_end") == "2024-05-24"
    assert f.value("A.streak.weeks_since") == "2024-04-26"


def test_weekly_losing_streak_in_the_data():
    f = facts_for(by_week([100, 99, 98, 97]))
    assert f.value("A.streak.weeks") == -3 and f.value("A.streak.weeks_data_start") == "2024-04-01"


# --- the rotation pair's widest daily gap -------------------------------------------------

def test_widest_gap_of_the_week_and_the_last_one_as_wide():
    days = between("2024-04-05", "2024-04-19")  # anchor Friday 12th; the week is 15th-19th
    lead, lag = np.zeros(10), np.zeros(10)
    lead[1] = 0.03  # Tuesday 9th: +3.0 pts
    lead[6], lag[6] = 0.02, -0.005  # Tuesday 16th: +2.5 pts, the week's widest
    lead[8], lag[8] = -0.01, 0.01  # Thursday 18th: -2.0 pts
    closes = pd.DataFrame({"A": from_returns(lead), "B": from_returns(lag)}, index=days)
    f = facts_for(closes, pair=("A", "B"))
    assert f.value("rot.gap.week.date") == "2024-04-16"
    assert f.value("rot.gap.week.value") == pytest.approx(2.5)
    assert f["rot.gap.week.value"].unit == "pts"
    assert f.value("rot.gap.week.lead_ret") == pytest.approx(0.02) and f.value("rot.gap.week.lag_ret") == pytest.approx(-0.005)
    assert f.value("rot.gap.week.since") == "2024-04-09" and f.value("rot.gap.week.since_sessions") == 5
    assert "rot.gap.week.date" not in facts_for(closes)  # no pair configured


def test_widest_gap_in_the_data():
    days = between("2023-01-03", "2024-05-24")
    lead, lag = np.zeros(len(days) - 1), np.zeros(len(days) - 1)
    lead[50], lag[50] = 0.01, -0.01  # +2 pts long ago: the other direction does not count
    lead[-2], lag[-2] = -0.01, 0.005  # Thursday: -1.5 pts
    closes = pd.DataFrame({"A": from_returns(lead), "B": from_returns(lag)}, index=days)
    f = facts_for(closes, pair=("A", "B"))
    assert f.value("rot.gap.week.date") == "2024-05-23" and f.value("rot.gap.week.value") == pytest.approx(-1.5)
    assert f.value("rot.gap.week.data_start") == "2023-01-03" and "rot.gap.week.since" not in f


# --- a daily streak that ended this week ------------------------------------------------

def test_streak_that_ended_this_week():
    # Mar 21 down to 99, then ten straight gains Mar 22 .. Apr 5, broken on Monday Apr 8
    closes = pd.DataFrame({"A": [100, 99, *range(100, 110), 108, 109, 110, 111, 112]}, index=between("2024-03-20", "2024-04-12"))
    f = facts_for(closes)
    assert f.value("A.streak.ended") == 10
    assert f["A.streak.ended"].start == "2024-03-22" and f["A.streak.ended"].end == "2024-04-05"
    assert f.value("A.streak.ended_date") == "2024-04-08"
    assert f.value("A.streak.ended_change") == pytest.approx(109 / 99 - 1)
    assert f["A.streak.ended_change"].start == "2024-03-21"
    assert f.value("A.streak.ended_data_start") == "2024-03-20" and "A.streak.ended_since" not in f
    # on Friday Apr 5 it is still running: told by streak.days, not "ended"
    g = facts_for(closes, as_of="2024-04-05")
    assert g.value("A.streak.days") == 10 and "A.streak.ended" not in g


def test_streak_ended_since_the_last_one_as_long():
    # 7 gains, a loss, 3 gains, a loss, 6 gains, then a loss on the as-of session
    rets = [0.01] * 7 + [-0.01] + [0.01] * 3 + [-0.01] + [0.01] * 6 + [-0.01]
    idx = between("2024-03-01", "2024-04-30")[: len(rets) + 1]
    f = facts_for(pd.DataFrame({"A": from_returns(rets)}, index=idx))
    assert f.value("A.streak.ended") == 6 and f.value("A.streak.ended_date") == day(idx[-1])
    assert f["A.streak.ended"].start == day(idx[13]) and f["A.streak.ended"].end == day(idx[18])
    assert f.value("A.streak.ended_since") == day(idx[7])  # the 7-session run, not the 3
    losing = facts_for(pd.DataFrame({"A": from_returns(-np.asarray(rets))}, index=idx))
    assert losing.value("A.streak.ended") == -6 and losing.value("A.streak.ended_since") == day(idx[7])
    assert losing.value("A.streak.ended_change") == pytest.approx(0.99**6 - 1)


def test_short_streaks_and_flat_breaks():
    idx = between("2024-04-01", "2024-04-12")
    five = from_returns([0.01] * 5 + [-0.01] + [0.001] * 3)  # a 5-session run is not news
    assert "A.streak.ended" not in facts_for(pd.DataFrame({"A": five}, index=idx))
    flat = from_returns([0.01] * 6 + [0.0] + [0.001] * 2)  # a flat close ends a streak too
    f = facts_for(pd.DataFrame({"A": flat}, index=idx))
    assert f.value("A.streak.ended") == 6 and f.value("A.streak.ended_date") == "2024-04-10"


def test_a_streak_broken_the_week_before_is_not_this_weeks():
    # six gains Apr 2-9, broken Wednesday Apr 10; the next week's note does not tell it
    closes = pd.DataFrame({"A": from_returns([0.01] * 6 + [-0.01] + [0.001] * 5)}, index=between("2024-04-01", "2024-04-17"))
    assert facts_for(closes, as_of="2024-04-12").value("A.streak.ended") == 6
    assert "A.streak.ended" not in facts_for(closes)
