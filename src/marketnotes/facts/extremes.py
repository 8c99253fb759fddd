"""The week's best and worst session, and how far back one has to go to find a day as big.

"Its best day since March 1933" is the claim a reader remembers, so every "X since" fact in
the package rests on one question answered here once: where is the last earlier observation
at least as extreme as this one?
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of

DATA_START_DAYS = 250  # "since the data starts" only after about a year of daily returns


def last_as_extreme(values: np.ndarray, value: float, end: int, direction: int) -> int | None:
    """Position of the last of `values[:end]` at least as extreme as `value`, else None.

    Direction > 0 asks for values >= `value` (as good), otherwise <= (as bad). NaNs never match,
    so a series may carry its leading NaN return.
    """
    earlier = values[:end]
    hits = np.flatnonzero(earlier >= value if direction > 0 else earlier <= value)
    return int(hits[-1]) if len(hits) else None


def daily_returns(closes: pd.Series) -> pd.Series:
    """Close-to-close returns on the series' own sessions; a missing close is not bridged."""
    return closes.pct_change(fill_method=None)


def add_day_extremes(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    """The best and worst session of the note's week (after the 1w anchor), each with its "since"."""
    start = window_start(closes, as_of, "1w")
    if start is None:
        return
    key, label = key_of(symbol), table.labels[symbol]
    rets = daily_returns(closes.loc[:as_of])
    week = rets.loc[start:].iloc[1:]
    if week.empty:
        return
    best, worst = week.idxmax(), week.idxmin()
    table.add(f"{key}.week.best.date", best, "date", f"{label} best session of the week", end=best, symbol=symbol)
    table.add(f"{key}.week.best.ret", week[best], "pct", f"{label} return on its best session of the week", end=best, symbol=symbol)
    table.add(f"{key}.week.worst.date", worst, "date", f"{label} worst session of the week", end=worst, symbol=symbol)
    table.add(f"{key}.week.worst.ret", week[worst], "pct", f"{label} return on its worst session of the week", end=worst, symbol=symbol)
    moves = closes.loc[:as_of].diff()  # the Dow is quoted in points too: "fell 684.81 points, or 7.1%"
    table.add(f"{key}.week.best.pts", float(moves.loc[best]), "points", f"{label} change in index points on its best session of the week", end=best, symbol=symbol)
    table.add(f"{key}.week.worst.pts", float(moves.loc[worst]), "points", f"{label} change in index points on its worst session of the week", end=worst, symbol=symbol)
    if week[best] > 0:
        _add_day_since(table, f"{key}.week.best", label, symbol, rets, best, 1)
    if week[worst] < 0:
        _add_day_since(table, f"{key}.week.worst", label, symbol, rets, worst, -1)
    add_levels(table, key, label, symbol, closes.loc[:as_of], week.index)


def add_levels(table: FactTable, key: str, label: str, symbol: str, history: pd.Series, window: pd.DatetimeIndex, scope: str = "week") -> None:
    """The window's lowest and highest close, and how far back one must go for a close beyond it:
    "Monday's close was its lowest since April 1997" even when Friday's was not. `scope` names
    the window in the fact ids (`<KEY>.week.low.*`, `<KEY>.month.low.*`)."""
    values = history.to_numpy(dtype=float)
    for side, direction in (("low", -1), ("high", 1)):
        day = history.loc[window].idxmin() if direction < 0 else history.loc[window].idxmax()
        pos = history.index.get_loc(day)
        prefix, word = f"{key}.{scope}.{side}", "lowest" if direction < 0 else "highest"
        table.add(f"{prefix}.date", day, "date", f"{label} {word} close of the {scope}", end=day, symbol=symbol)
        table.add(f"{prefix}.value", values[pos], "level", f"{label} {word} close of the {scope}", end=day, symbol=symbol)
        hit = last_as_extreme(values, values[pos], pos, direction)
        if hit is not None:
            since = history.index[hit]
            table.add(f"{prefix}.since", since, "date", f"{label}: the {scope}'s {word} close is its {word} since this session's", since, day, symbol)
        elif pos >= DATA_START_DAYS:
            table.add(f"{prefix}.data_start", history.index[0], "date", f"{label}: the {scope}'s {word} close is its {word} in the data", history.index[0], day, symbol)
        else:
            continue
        first = history.index.get_loc(window[0])
        table.add(f"{prefix}.run_sessions", sessions_since_year_extreme(history, first, pos, direction), "count",
                  f"{label}: sessions since its last 52-week {side} close before the {scope} (a long climb sets one every few weeks)", end=day, symbol=symbol)


YEAR = 252


def sessions_since_year_extreme(history: pd.Series, first: int, pos: int, direction: int) -> int:
    """Sessions from the last close before the week that was a 52-week high (low) to the
    week's level at `pos`: a new multi-year high is news the first time in a while, routine
    every week of a long climb."""
    window = history.iloc[max(0, first - 3 * YEAR) : first]
    extreme = window.rolling(YEAR, min_periods=1).max() if direction > 0 else window.rolling(YEAR, min_periods=1).min()
    hits = np.flatnonzero((window.to_numpy() == extreme.to_numpy())[1:]) + 1  # the window's first close is trivially one
    return int(pos - (first - len(window) + hits[-1])) if len(hits) else pos - (first - len(window))


def _add_day_since(table: FactTable, prefix: str, label: str, symbol: str, rets: pd.Series, day: pd.Timestamp, direction: int) -> None:
    values = rets.to_numpy()
    pos = rets.index.get_loc(day)
    word = "best" if direction > 0 else "worst"
    hit = last_as_extreme(values, values[pos], pos, direction)
    if hit is not None:
        since = rets.index[hit]
        table.add(f"{prefix}.since", since, "date", f"{label}: its {word} day since this session's", since, day, symbol)
        table.add(f"{prefix}.since_sessions", pos - hit, "count", f"sessions since {label} last had a day as {'good' if direction > 0 else 'bad'}", since, day, symbol)
    elif np.count_nonzero(~np.isnan(values[:pos])) >= DATA_START_DAYS:
        table.add(f"{prefix}.data_start", rets.index[0], "date", f"{label}: its {word} day since the data starts", rets.index[0], day, symbol)
