"""Round-number milestones: the week's rarest close across a round level, and since when.

"The Nasdaq closed above 5,000 for the first time" and "the Dow's first close above 10,000
since May 2002" are the headlines a desk writes when an index crosses a round level it has
not crossed in a long while; "highest close since May 2002" says the same thing less well.
Every session of the note's week is scanned for the round levels its close crossed, and one
crossing is kept: the one whose side of the level had gone unvisited the longest.

A round level is a multiple of 10**(digits-2), digits being its integer digits: 3-digit
levels in 10s, 4-digit in 100s (S&P 500 1,500, Nasdaq 5,000), 5-digit in 1,000s (Dow 10,000).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of

MIN_SINCE_SESSIONS = 20  # a level revisited within a month is noise around it, not a milestone


@dataclass(frozen=True)
class Crossing:
    """One close across one round level: `direction` +1 up through it, -1 down through it."""

    level: float
    pos: int  # the crossing session's position in the history
    direction: int
    since: int | None  # position of the last earlier close on the crossing side; None: first in the data

    def rank(self) -> tuple[float, int, int]:
        """Larger is rarer: longest wait (a first in the data beats any), roundest level, latest."""
        wait = math.inf if self.since is None else self.pos - self.since
        return (wait, trailing_zeros(self.level), self.pos)


def round_levels(lo: float, hi: float) -> list[float]:
    """The round levels L with lo < L <= hi, ascending (any order of magnitude)."""
    if not (hi > lo > 0):
        return []
    out = []
    for digits in range(max(1, _digits(lo)), _digits(hi) + 1):
        step = 10.0 ** (digits - 2)
        band_lo, band_hi = 10.0 ** (digits - 1), 10.0**digits
        for k in range(math.floor(lo / step) + 1, math.floor(hi / step) + 1):
            level = round(k * step, 6)
            if band_lo <= level < band_hi and lo < level <= hi:
                out.append(level)
    return out


def _digits(value: float) -> int:
    """Integer digits of a positive value (0 for a value below 1)."""
    return len(str(int(value))) if value >= 1 else 0


def trailing_zeros(level: float) -> int:
    """How round a level is: 10,000 -> 4, 25,000 -> 3, 1,500 -> 2, 950 -> 1 (0 below 1)."""
    n = int(round(level))
    if n == 0 or n != level:
        return 0
    return len(str(n)) - len(str(n).rstrip("0"))


def week_crossings(values: np.ndarray, first: int) -> list[Crossing]:
    """Every round level crossed by a close at positions `first`.. versus the close before it.

    Up: close[t-1] < L <= close[t]; down: close[t-1] >= L > close[t]. Its "since" is the last
    earlier close on the crossing side (>= L after an up-crossing, < L after a down one).
    """
    found = []
    for t in range(max(first, 1), len(values)):
        before, now = values[t - 1], values[t]
        if not (np.isfinite(before) and np.isfinite(now)) or before == now:
            continue
        direction = 1 if now > before else -1
        for level in round_levels(min(before, now), max(before, now)):
            earlier = values[: t - 1]
            hits = np.flatnonzero(earlier >= level if direction > 0 else earlier < level)
            found.append(Crossing(level, t, direction, int(hits[-1]) if len(hits) else None))
    return found


def rarest_crossing(crossings: list[Crossing], min_since: int = MIN_SINCE_SESSIONS) -> Crossing | None:
    """The week's one milestone: the rarest crossing that is not noise around its level."""
    kept = [c for c in crossings if c.pos - (0 if c.since is None else c.since) >= min_since]
    return max(kept, key=Crossing.rank) if kept else None


IN_REACH = 0.015  # a round level within 1.5% of the close is one to watch
AT_LEVEL = 0.001


def roundness(level: float) -> int:
    """10 for a level ten times its step ("5,000", "10,000"), 5 for five times ("2,500",
    "25,000"), else 1: how much a desk watches it."""
    step = 10.0 ** max(0, _digits(level) - 2)
    return 10 if level % (10 * step) == 0 else 5 if level % (5 * step) == 0 else 1


def watched_level(value: float) -> bool:
    """A level worth watching: five or ten times its step (25,000, 2,500, 5,000), not 24,000."""
    return _digits(value) >= 2 and roundness(value) >= 5


def add_level_in_reach(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    """`{k}.level_in_reach.*`: the nearest watched round level within 1.5% of the close on the
    side it has not been for a month or more, for "What to watch" ("0.8% below 25,000, a level
    it has never closed above")."""
    history = closes.loc[:as_of].dropna()
    values = history.to_numpy(dtype=float)
    if len(values) < MIN_SINCE_SESSIONS:
        return
    close = values[-1]
    # a close within 0.1% is at the level, not short of it ("0.0% below 3,500" says nothing)
    near = [lv for lv in round_levels(close * (1 - IN_REACH), close * (1 + IN_REACH)) if watched_level(lv) and abs(close / lv - 1) >= AT_LEVEL]
    for level in sorted(near, key=lambda lv: abs(lv / close - 1)):
        far = np.flatnonzero(values >= level) if level > close else np.flatnonzero(values < level)
        if len(far) and len(values) - 1 - far[-1] < MIN_SINCE_SESSIONS:
            continue  # it was there within the month: noise around the level, not a level to reach
        key, label = key_of(symbol), table.labels[symbol]
        p = f"{key}.level_in_reach"
        table.add(f"{p}.level", level, "level", f"{label}: a round level within 1.5% of its close", end=as_of, symbol=symbol)
        table.add(f"{p}.gap", close / level - 1, "pct", f"{label}: its close relative to that level", as_of, as_of, symbol)
        if len(far):
            table.add(f"{p}.since", history.index[far[-1]], "date", f"{label}: its last close on the other side of that level", history.index[far[-1]], as_of, symbol)
        return


def add_milestone_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    """`{k}.milestone.*`: the week's rarest round-level crossing, its margin, since when, and
    whether the as-of close still holds that side; and the round level within reach."""
    add_level_in_reach(table, symbol, closes, as_of)
    start = window_start(closes, as_of, "1w")
    if start is None:
        return
    history = closes.loc[:as_of]
    values, dates = history.to_numpy(dtype=float), history.index
    crossing = rarest_crossing(week_crossings(values, dates.get_loc(start) + 1))
    if crossing is None:
        return
    key, label = key_of(symbol), table.labels[symbol]
    day, level = dates[crossing.pos], crossing.level
    word, side = ("above", "up through") if crossing.direction > 0 else ("below", "down through")
    p = f"{key}.milestone"
    table.add(f"{p}.level", level, "level", f"{label}: the round level its close crossed {side} this week (the rarest crossing)", end=day, symbol=symbol)
    table.add(f"{p}.date", day, "date", f"{label}: the session it closed {word} the round level", end=day, symbol=symbol)
    table.add(f"{p}.margin", values[crossing.pos] / level - 1, "pct", f"{label}: how far its close was {word} the round level on the crossing session", day, day, symbol)
    if crossing.since is not None:
        since = dates[crossing.since]
        table.add(f"{p}.since", since, "date", f"{label}: its first close {word} the round level since this session's", since, day, symbol)
    else:
        table.add(f"{p}.data_start", dates[0], "date", f"{label}: its first close {word} the round level in data starting here", dates[0], day, symbol)
    held = values[-1] >= level if crossing.direction > 0 else values[-1] < level
    table.add(f"{p}.held", int(held), "count", f"1 when {label}'s as-of close is still {word} the round level", day, as_of, symbol)
