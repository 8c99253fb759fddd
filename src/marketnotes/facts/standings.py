"""The year's standings: which index leads, which trails, and whether that is this week's news.

"So far this year the Nasdaq has led" is the same sentence every week of a year the Nasdaq
leads. A desk writes it when the order changed this week (a new leader or laggard, the
rotation pair's lead flipped) or when the gap between them is the widest of the year; the
rest of the time it is a number in a table. These facts say which, so the narrative only asks.

- `standings.ytd.changed`: 1 when the year's leader or laggard at the close differs from the
  week's start (0 in the year's first week, whose year to date is the week)
- `standings.ytd.widest`: 1 when the leader-to-laggard gap is the widest close of the year
- `standings.pair.changed`, `standings.pair.widest`: the same for the rotation pair's spread
- `{k}.ytd.flipped`: 1 when an index's year-to-date change turned from a gain to a loss (or
  back) this week: "the S&P 500 erased its gain for the year" is news the week it happens
"""

from __future__ import annotations

import pandas as pd

from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of

MIN_SESSIONS = 20  # "the widest gap of the year" needs a month of the year behind it
FLIP_MIN = 0.01  # a year's gain of under a point, lost, is not "erased" news


def add_standings_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp, pair: tuple[str, str] | None) -> None:
    frame = closes.loc[:as_of].dropna()
    if frame.empty or frame.index[-1] != as_of:
        return
    base, anchor = window_start(frame.iloc[:, 0], as_of, "ytd"), window_start(frame.iloc[:, 0], as_of, "1w")
    if base is None or anchor is None:
        return
    year = frame.loc[base:] / frame.loc[base] - 1
    in_year = anchor > base
    lead, lag = year.idxmax(axis=1), year.idxmin(axis=1)
    changed = in_year and (lead[as_of], lag[as_of]) != (lead[anchor], lag[anchor])
    _add(table, "ytd", "the year's leader or laggard", changed, year.max(axis=1) - year.min(axis=1), anchor, as_of)
    for symbol in year.columns if in_year else ():
        before, now = year.loc[anchor, symbol], year.loc[as_of, symbol]
        if before * now < 0 and abs(before) >= FLIP_MIN and abs(now) >= 0.001:  # "0.0% lower" says nothing
            label = table.labels.get(symbol, symbol)
            table.add(f"{key_of(symbol)}.ytd.flipped", 1, "count", f"{label}'s change for the year turned from {'a gain to a loss' if now < 0 else 'a loss to a gain'} this week", anchor, as_of, symbol)
    if pair and all(s in year for s in pair):
        spread = year[pair[0]] - year[pair[1]]
        flipped = in_year and (spread[as_of] > 0) != (spread[anchor] > 0)
        _add(table, "pair", "the rotation pair's year-to-date lead", flipped, spread.abs(), anchor, as_of)


def _add(table: FactTable, name: str, what: str, changed: bool, gap: pd.Series, anchor: pd.Timestamp, as_of: pd.Timestamp) -> None:
    widest = len(gap) > MIN_SESSIONS and gap.iloc[-1] >= gap.iloc[1:-1].max()
    table.add(f"standings.{name}.changed", int(changed), "count", f"1 when {what} changed this week", anchor, as_of)
    table.add(f"standings.{name}.widest", int(widest), "count", f"1 when the gap in {what} is the widest close of the year", gap.index[0], as_of)
