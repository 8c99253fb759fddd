"""Winning and losing streaks, in sessions and in calendar weeks, and the last one as long.

"Its fifth straight weekly gain, the longest run since 2017" needs the streak length and the
end of the last earlier streak at least as long in the same direction. A streak is only
remarkable from three steps on, so the "since" facts start there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.extremes import daily_returns, last_as_extreme
from marketnotes.facts.table import FactTable, key_of
from marketnotes.facts.weeks import completed_weekly_closes

NOTABLE_STREAK = 3


def signed_streaks(rets: np.ndarray) -> np.ndarray:
    """At each step: +n when it ends n straight gains, -n after n straight losses, 0 when flat or unknown."""
    sign = np.sign(np.nan_to_num(np.asarray(rets, dtype=float), nan=0.0)).astype(np.int64)
    if len(sign) == 0:
        return sign
    new_run = np.r_[True, sign[1:] != sign[:-1]]
    run_start = np.flatnonzero(new_run)[np.cumsum(new_run) - 1]
    return sign * (np.arange(len(sign)) - run_start + 1)


def last_streak_as_long(streaks: np.ndarray) -> int | None:
    """Position where the last earlier streak at least as long as the current one, same direction, ended."""
    n = int(streaks[-1])
    if n == 0:
        return None
    # a run's values climb to its length at its last step, so the last hit is where that run ended
    return last_as_extreme(np.sign(n) * streaks, abs(n), len(streaks) - abs(n), 1)


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
