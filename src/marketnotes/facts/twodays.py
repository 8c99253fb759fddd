"""Two-session runs: "the S&P 500 jumped 8.5% on Thursday and Friday, its biggest two-day gain
since at least 1999" (Sept. 18-19, 2008), a story neither day tells alone.

Of the week's pairs of consecutive sessions that moved the same way, the one that moved most,
and how far back one must go for a two-session move as big in that direction (two-session
windows that end before this pair starts, so it is never compared with itself).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.extremes import DATA_START_DAYS, last_as_extreme
from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of


def add_two_day_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    start = window_start(closes, as_of, "1w")
    if start is None:
        return
    history = closes.loc[:as_of]
    values = history.to_numpy(dtype=float)
    first = history.index.get_loc(start) + 2  # the pair's second session; its first is in the week too
    if first >= len(values):
        return
    two = np.full(len(values), np.nan)
    two[2:] = values[2:] / values[:-2] - 1
    day = np.full(len(values), np.nan)
    day[1:] = values[1:] / values[:-1] - 1
    same = np.sign(day[first - 1 : len(values) - 1]) == np.sign(day[first:])
    candidates = np.flatnonzero(same) + first
    if not len(candidates):
        return
    end = int(candidates[np.argmax(np.abs(two[candidates]))])
    move, direction = two[end], 1 if two[end] > 0 else -1
    key, label = key_of(symbol), table.labels[symbol]
    dates = history.index
    p = f"{key}.two_day"
    table.add(f"{p}.ret", move, "pct", f"{label} change over two sessions running the same way", dates[end - 2], dates[end], symbol)
    table.add(f"{p}.first", dates[end - 1], "date", f"{label}: the first of those two sessions", end=dates[end - 1], symbol=symbol)
    table.add(f"{p}.last", dates[end], "date", f"{label}: the second of those two sessions", end=dates[end], symbol=symbol)
    hit = last_as_extreme(two, move, end - 1, direction)  # windows ending before this pair's first session
    if hit is not None:
        table.add(f"{p}.since", dates[hit], "date", f"{label}: its biggest two-day {'gain' if direction > 0 else 'drop'} since the two sessions ending on this date", dates[hit], dates[end], symbol)
    elif end >= DATA_START_DAYS:
        table.add(f"{p}.data_start", dates[0], "date", f"{label}: its biggest two-day {'gain' if direction > 0 else 'drop'} since the data starts", dates[0], dates[end], symbol)
