"""Winning and losing streaks, in sessions and in calendar weeks, and the last one as long.

"Its fifth straight weekly gain, the longest run since 2017" needs the streak length and the
end of the last earlier streak at least as long in the same direction. A streak is only
remarkable from three steps on, so the "since" facts start there; one that ended during the
note's week is told from six sessions ("its 10-session winning streak, the longest since
February 2015, ended on Friday").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.extremes import daily_returns, last_as_extreme
from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of
from marketnotes.facts.weeks import completed_weekly_closes

NOTABLE_STREAK = 3
NOTABLE_ENDED = 6  # a daily streak whose end is news: "its 10-session winning streak ended"


def signed_streaks(rets: np.ndarray) -> np.ndarray:
    """At each step: +n when it ends n straight gains, -n after n straight losses, 0 when flat or unknown."""
    sign = np.sign(np.nan_to_num(np.asarray(rets, dtype=float), nan=0.0)).astype(np.int64)
    if len(sign) == 0:
        return sign
    new_run = np.r_[True, sign[1:] != sign[:-1]]
    run_start = np.flatnonzero(new_run)[np.cumsum(new_run) - 1]
    return sign * (np.arange(len(sign)) - run_start + 1)


def last_streak_as_long(streaks: np.ndarray, end: int = -1) -> int | None:
    """Position where the last earlier streak at least as long as the one ending at `end` (the
    current one by default), same direction, ended."""
    end = end % len(streaks)
    n = int(streaks[end])
    if n == 0:
        return None
    # a run's values climb to its length at its last step, so the last hit is where that run ended
    return last_as_extreme(np.sign(n) * streaks, abs(n), end + 1 - abs(n), 1)


def add_streak_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, complete: bool) -> None:
    history = closes.loc[:as_of]
    if len(history) < 2:
        return
    key, label = key_of(symbol), table.labels[symbol]
    _add_streak(table, symbol, f"{key}.streak.days", f"{label} sessions", history, history.index[0], as_of)
    weekly = completed_weekly_closes(closes, as_of, complete)
    if len(weekly) < 2:
        return
    _add_streak(table, symbol, f"{key}.streak.weeks", f"{label} calendar weeks", weekly, history.index[0], as_of)
    if not complete:
        end = weekly.index[-1]
        table.add(f"{key}.streak.weeks_end", end, "date", f"{label} weekly streak counted through the week ending here (the as-of week is not over)", end=end, symbol=symbol)


def add_streak_end_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    """`{k}.streak.ended*`: the longest daily streak of six or more broken in the note's week.

    A streak that is still running is told by `streak.days`; one that ended this week ("the
    Nasdaq's 10-session winning streak ended on Thursday") is news only here. The breaking
    session (the first close that did not continue it, a flat close included) lies in the
    week; the streak itself may have ended the week before.
    """
    start = window_start(closes, as_of, "1w")
    if start is None:
        return
    history = closes.loc[:as_of]
    streaks = signed_streaks(daily_returns(history).to_numpy())
    first = history.index.get_loc(start) + 1
    # a break at t: the streak ending at t-1 does not go on at t
    ends = [t - 1 for t in range(max(first, 1), len(streaks)) if abs(streaks[t - 1]) >= NOTABLE_ENDED and abs(streaks[t]) != abs(streaks[t - 1]) + 1]
    if not ends:
        return
    end = max(ends, key=lambda e: (abs(int(streaks[e])), e))
    n, dates = int(streaks[end]), history.index
    key, label = key_of(symbol), table.labels[symbol]
    word = "winning" if n > 0 else "losing"
    base, broke = dates[end - abs(n)], dates[end + 1]
    table.add(f"{key}.streak.ended", n, "count", f"{label}: a {word} streak of sessions (+ up, - down) that ended this week", dates[end + 1 - abs(n)], dates[end], symbol)
    table.add(f"{key}.streak.ended_date", broke, "date", f"{label}: the session that ended its {word} streak", end=broke, symbol=symbol)
    table.add(f"{key}.streak.ended_change", history.iloc[end] / history.iloc[end - abs(n)] - 1, "pct", f"{label}: change over the {word} streak that ended this week", base, dates[end], symbol)
    hit = last_streak_as_long(streaks, end)
    if hit is not None:
        table.add(f"{key}.streak.ended_since", dates[hit], "date", f"{label}: the longest {word} streak since one that ended on this date", dates[hit], dates[end], symbol)
    else:
        table.add(f"{key}.streak.ended_data_start", dates[0], "date", f"{label}: the longest {word} streak since the data starts", dates[0], dates[end], symbol)


def _add_streak(table: FactTable, symbol: str, fid: str, what: str, closes: pd.Series, data_start: pd.Timestamp, as_of: pd.Timestamp) -> None:
    """`fid` signed length, its total change, and (from three on) `fid_since` or `fid_data_start`."""
    streaks = signed_streaks(daily_returns(closes).to_numpy())
    n = int(streaks[-1])
    end = closes.index[-1]
    table.add(fid, n, "count", f"{what} in a row closing up (+) or down (-)", closes.index[-1 - abs(n)], end, symbol)
    if n == 0:
        return
    start = closes.index[-1 - abs(n)]
    table.add(f"{fid}_change", closes.iloc[-1] / closes.iloc[-1 - abs(n)] - 1, "pct", f"{what}: change over the streak", start, end, symbol)
    if abs(n) < NOTABLE_STREAK:
        return
    word = "winning" if n > 0 else "losing"
    hit = last_streak_as_long(streaks)
    if hit is not None:
        since = closes.index[hit]
        table.add(f"{fid}_since", since, "date", f"{what}: the longest {word} streak since one that ended on this date", since, as_of, symbol)
    else:
        table.add(f"{fid}_data_start", data_start, "date", f"{what}: the longest {word} streak since the data starts", data_start, as_of, symbol)
