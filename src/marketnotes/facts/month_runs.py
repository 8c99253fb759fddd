"""Months in a row up or down, and the run a month ended, for the monthly review.

"All three fell for a fourth straight month" (August 2011) and "February ended the Dow's
10-month winning streak, its longest since 1959" (2018) are month stories the return alone
hides. Per index, `<KEY>.months.`:
- `run` (count): months in a row moving the way this one did, this one included (from 2),
  with `run_since` (date), the end of the last earlier run the same way at least as long, or
  `run_data_start` when none in the data;
- `ended` (count): the length of the run the other way that this month ended (from 2), with
  `ended_since` / `ended_data_start` the same way.
A run that reaches the data's first month may be longer than the data shows: not counted.

Frames in, facts out, no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.table import FactTable

DATA_START_MONTHS = 60  # "its longest since at least 1999" after five years of months


def runs(signs: np.ndarray) -> list[tuple[int, int, int]]:
    """(first, last, sign) of each run of equal signs, in order."""
    out: list[tuple[int, int, int]] = []
    for i, s in enumerate(signs):
        if out and out[-1][2] == s:
            out[-1] = (out[-1][0], i, s)
        else:
            out.append((i, i, int(s)))
    return out


def add_month_runs(table: FactTable, key: str, label: str, symbol: str, months: pd.DataFrame) -> None:
    """`months`: facts/periods.period_returns of the index by month, the note's month last."""
    signs = np.sign(months["ret"].to_numpy())
    found = runs(signs)
    now = found[-1]
    p = f"{key}.months"
    _add(table, f"{p}.run", label, symbol, months, found, len(found) - 1, "in a row this way, this month included")
    if now[0] == now[1] and len(found) >= 2:  # one month in: it ended a run the other way
        _add(table, f"{p}.ended", label, symbol, months, found, len(found) - 2, "in the run the other way this month ended")


def _add(table, fid, label, symbol, months, found, at, what) -> None:
    first, last, sign = found[at]
    length = last - first + 1
    if length < 2 or first == 0:
        return  # a run from the data's first month may be longer than the data shows
    table.add(fid, length, "count", f"{label}: months {what} ({'up' if sign > 0 else 'down'})", months["start"].iloc[first], months["end"].iloc[last], symbol)
    earlier = [r for r in found[:at] if r[2] == sign and r[1] - r[0] + 1 >= length]
    if earlier:
        end = months["end"].iloc[earlier[-1][1]]
        table.add(f"{fid}_since", end, "date", f"{label}: the last earlier run of months that long ended here", end, months["end"].iloc[last], symbol)
    elif first >= DATA_START_MONTHS:
        table.add(f"{fid}_data_start", months["start"].iloc[0], "date", f"{label}: its longest such run in the data, which starts here", months["start"].iloc[0], months["end"].iloc[last], symbol)
