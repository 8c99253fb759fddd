"""The year's standings: which index leads, which trails, and whether that is this week's news.

"So far this year the Nasdaq has led" is the same sentence every week of a year the Nasdaq
leads. A desk writes it when the order changed this week (a new leader or laggard, the
rotation pair's lead flipped) or when the gap between them is the widest of the year; the
rest of the time it is a number in a table. These facts say which, so the narrative only asks.

- `standings.ytd.changed`: 1 when the year's leader or laggard at the close differs from the
  week's start (0 in the year's first week, whose year to date is the week)
- `standings.ytd.widest`: 1 when the leader-to-laggard gap is the widest close of the year
- `standings.pair.changed`, `standings.pair.widest`: the same for the rotation pair's spread
"""

from __future__ import annotations

import pandas as pd

from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable

MIN_SESSIONS = 20  # "the widest gap of the year" needs a month of the year behind it


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
    if pair and all(s in year for s in pair):
        spread = year[pair[0]] - year[pair[1]]
        flipped = in_year and (spread[as_of] > 0) != (spread[anchor] > 0)
        _add(table, "pair", "the rotation pair's year-to-date lead", flipped, spread.abs(), anchor, as_of)


def _add(table: FactTable, name: str, what: str, changed: bool, gap: pd.Series, anchor: pd.Timestamp, as_of: pd.Timestamp) -> None:
    widest = len(gap) > MIN_SESSIONS and gap.iloc[-1] >= gap.iloc[1:-1].max()
    table.add(f"standings.{name}.changed", int(changed), "count", f"1 when {what} changed this week", anchor, as_of)
    table.add(f"standings.{name}.widest", int(widest), "count", f"1 when the gap in {what} is the widest close of the year", gap.index[0], as_of)
