"""Trend phases: since when an index has been rising or falling, and sideways ranges.

A phase is the last leg of a zigzag whose reversal threshold scales with the index's own
volatility (a 7% pullback is a turn for the Dow, noise for the Nasdaq in 2000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.moves import daily_vol
from marketnotes.facts.table import FactTable, key_of

TREND_SESSIONS = 504  # look back two years for the current leg
MIN_RANGE_SESSIONS = 20
MAX_RANGE_SESSIONS = 126
RANGE_NARROWNESS = 0.75  # width below 0.75 sigma*sqrt(n): narrower than a random walk usually stays


def reversal_threshold(vol: float | None) -> float:
    """5% floor, 15% cap, else three weekly standard deviations."""
    if vol is None:
        return 0.10
    return float(min(0.15, max(0.05, 3 * vol * np.sqrt(5))))


def zigzag(prices: np.ndarray, threshold: float) -> tuple[int, list[int], int]:
    """One walk of the zigzag over `prices`: (direction of the current leg, every leg start --
    the first extreme, then each reversal --, index of the current leg's extreme).

    Direction is 1 (rising), -1 (falling) or 0 when no move ever reached the threshold. The
    arc (`phases.py`) and the trend facts share this walk, so their turning points agree.
    """
    values = prices.tolist()  # plain floats: this loop is several times faster than on numpy scalars
    trend, ext, hi, lo, pivots = 0, 0, 0, 0, []
    for i in range(1, len(values)):
        p = values[i]
        if trend == 0:
            hi = i if p > values[hi] else hi
            lo = i if p < values[lo] else lo
            if p >= values[lo] * (1 + threshold):
                trend, ext = 1, i
                pivots.append(lo)
            elif p <= values[hi] * (1 - threshold):
                trend, ext = -1, i
                pivots.append(hi)
        elif trend == 1:
            if p > values[ext]:
                ext = i
            elif p <= values[ext] * (1 - threshold):
                pivots.append(ext)
                trend, ext = -1, i
        elif p < values[ext]:
            ext = i
        elif p >= values[ext] * (1 + threshold):
            pivots.append(ext)
            trend, ext = 1, i
    return trend, pivots, ext


def last_leg(prices: np.ndarray, threshold: float) -> tuple[int, int, int]:
    """(direction, index where the current leg began, index of its extreme); 0, 0, 0 when flat."""
    trend, pivots, ext = zigzag(prices, threshold)
    return trend, (pivots[-1] if pivots else 0), ext


def sideways_range(history: pd.Series, vol: float | None) -> tuple[int, float] | None:
    """Longest recent stretch (>= 20 sessions) whose high-low range is narrow for this index."""
    if vol is None:
        return None
    best = None
    values = history.to_numpy()
    for n in range(MIN_RANGE_SESSIONS, min(MAX_RANGE_SESSIONS, len(values)) + 1):
        window = values[-n:]
        width = window.max() / window.min() - 1
        if width <= RANGE_NARROWNESS * vol * np.sqrt(n):
            best = (n, float(width))
    return best


def add_trend_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    key, label = key_of(symbol), table.labels[symbol]
    history = closes.loc[:as_of].iloc[-TREND_SESSIONS:]
    if len(history) < 2:
        return
    vol = daily_vol(closes, as_of)
    direction, pivot, ext = last_leg(history.to_numpy(), reversal_threshold(vol))
    if direction:
        since = history.index[pivot]
        word = "rising" if direction > 0 else "falling"
        table.add(f"{key}.trend.dir", direction, "sign", f"{label} current phase: 1 rising, -1 falling", since, as_of, symbol)
        table.add(f"{key}.trend.since", since, "date", f"{label} has been {word} since this turning point", since, as_of, symbol)
        table.add(f"{key}.trend.change", history.iloc[-1] / history.iloc[pivot] - 1, "pct", f"{label} change since the turning point", since, as_of, symbol)
        table.add(f"{key}.trend.extreme", history.index[ext], "date", f"{label} extreme of the current phase", history.index[ext], as_of, symbol)
    flat = sideways_range(history, vol)
    if flat:
        n, width = flat
        start = history.index[-n]
        table.add(f"{key}.range.sessions", n, "count", f"{label} sessions spent in a narrow range", start, as_of, symbol)
        table.add(f"{key}.range.width", width, "pct", f"{label} high-to-low width of that range", start, as_of, symbol)
        table.add(f"{key}.range.start", start, "date", f"{label} start of the sideways range", start, as_of, symbol)
