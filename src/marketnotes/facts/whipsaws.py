"""Whipsaws: big daily moves that reverse day after day within the note's week.

"The S&P 500 fell 6.7%, rose 4.7%, fell 4.4% and rose 4.6% on four straight days" is one
story, not four: a note that tells only the largest day misses the week. A whipsaw is the
longest run of consecutive sessions of the week, at least three, whose moves are each large
and alternate in sign. Only the week's sessions count, so a run may open on its first session
even when the previous week's last session also fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.extremes import daily_returns
from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of

# The narrative's "large" day edge (marketnotes.narrative.words.EDGES['day'][2]), restated here
# because facts never import the narrative: a day the prose would size as large.
WHIPSAW_MIN_MOVE = 0.0175
WHIPSAW_MIN_SESSIONS = 3  # two opposite big days are a reversal; three make a whipsaw


def alternating_runs(rets: np.ndarray, min_move: float = WHIPSAW_MIN_MOVE) -> list[tuple[int, int]]:
    """Maximal runs [i, j] (inclusive) of moves each >= `min_move` in size, alternating in sign."""
    runs, start = [], None
    for i, r in enumerate(rets):
        big = np.isfinite(r) and abs(r) >= min_move
        if big and start is not None and np.sign(r) != np.sign(rets[i - 1]):
            continue  # the run goes on
        if start is not None:
            runs.append((start, i - 1))
        start = i if big else None
    if start is not None:
        runs.append((start, len(rets) - 1))
    return runs


def longest_whipsaw(rets: np.ndarray, min_sessions: int = WHIPSAW_MIN_SESSIONS) -> tuple[int, int] | None:
    """The longest alternating run of at least `min_sessions` (the latest of equals), else None."""
    runs = [r for r in alternating_runs(rets) if r[1] - r[0] + 1 >= min_sessions]
    return max(runs, key=lambda r: (r[1] - r[0], r[1])) if runs else None


def add_whipsaw_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    """`{k}.whipsaw.sessions` and, per session i of the run, `{k}.whipsaw.d{i}` and `.day{i}`."""
    start = window_start(closes, as_of, "1w")
    if start is None:
        return
    rets = daily_returns(closes.loc[:as_of])
    week = rets.loc[start:].iloc[1:]
    run = longest_whipsaw(week.to_numpy(dtype=float))
    if run is None:
        return
    key, label = key_of(symbol), table.labels[symbol]
    days = week.index[run[0] : run[1] + 1]
    table.add(f"{key}.whipsaw.sessions", len(days), "count", f"{label}: straight sessions of large moves alternating in sign this week", days[0], days[-1], symbol)
    for i, day in enumerate(days):
        previous = rets.index[rets.index.get_loc(day) - 1]
        table.add(f"{key}.whipsaw.d{i}", week[day], "pct", f"{label}: move on session {i + 1} of the whipsaw", previous, day, symbol)
        table.add(f"{key}.whipsaw.day{i}", day, "date", f"{label}: session {i + 1} of the whipsaw", end=day, symbol=symbol)
