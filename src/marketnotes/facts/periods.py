"""Quarters and years for the monthly review at quarter- and year-end.

A desk's review of December is also its review of the fourth quarter and of the year: "the
S&P 500 ended 2018 down 6.2%, its worst year since 2008". These facts exist only on the last
session of a quarter (and of a year), so a note in mid-month or in May never carries them.
Per index, `<KEY>.quarter.` and `<KEY>.year.`:
- `ret` (pct): the period's return, from the previous period's last close;
- `since` (date): the last session of the last earlier period at least as good (bad), or
  `data_start` when none in the data (after `DATA_START` periods of it);
- `run` (count): periods in a row moving the same way, this one included, from 2 up, when
  the data shows where the run began;
- `sign_since` (date): after a period the other way, the end of the last earlier period that
  moved this way ("its first annual loss since 2008"), when there was one.

Frames in, facts out, no I/O.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.month_runs import runs
from marketnotes.facts.table import FactTable, key_of

FREQ = {"quarter": "Q", "year": "Y"}
DATA_START = {"quarter": 12, "year": 5}  # "its worst quarter since at least 1999" after three years of quarters


def period_returns(closes: pd.Series, as_of: pd.Timestamp, freq: str) -> pd.DataFrame:
    """One row per calendar period (pandas frequency `freq`: "M", "Q", "Y") up to as-of's, the
    last running to as-of: its return from the previous period's last close, and the sessions
    it starts from and ends on. The data's first period has no base close and no row."""
    history = closes.loc[:as_of].dropna()
    periods = history.index.to_period(freq)
    last = np.append(np.flatnonzero(periods[1:] != periods[:-1]), len(history) - 1) if len(history) else np.array([], dtype=int)
    ends, values = history.index[last], history.to_numpy(dtype=float)[last]
    return pd.DataFrame({"start": ends[:-1], "end": ends[1:], "ret": values[1:] / values[:-1] - 1}, index=periods[last][1:])


def ends(as_of: pd.Timestamp, month_complete: bool) -> list[str]:
    """The periods that end with the note's session: a quarter at the end of March, June,
    September and December, and the year at the end of December."""
    if not month_complete:
        return []
    return [name for name, months in (("quarter", (3, 6, 9, 12)), ("year", (12,))) if as_of.month in months]


def add_period_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, month_complete: bool) -> None:
    key, label = key_of(symbol), table.labels[symbol]
    for name in ends(as_of, month_complete):
        rows = period_returns(closes, as_of, FREQ[name])
        if rows.empty or rows.index[-1] != as_of.to_period(FREQ[name]):
            continue
        p, now = f"{key}.{name}", rows.iloc[-1]
        ret = float(now["ret"])
        table.add(f"{p}.ret", ret, "pct", f"{label} return over the calendar {name}", now["start"], as_of, symbol)
        earlier = rows["ret"].to_numpy()[:-1]
        word = "good" if ret > 0 else "bad"
        hits = np.flatnonzero(earlier >= ret if ret > 0 else earlier <= ret)
        if len(hits):
            at = rows["end"].iloc[int(hits[-1])]
            table.add(f"{p}.since", at, "date", f"{label}: the last {name} as {word} as this one ended here", at, as_of, symbol)
        elif len(earlier) >= DATA_START[name]:
            table.add(f"{p}.data_start", rows["start"].iloc[0], "date", f"{label}: its {'best' if ret > 0 else 'worst'} {name} in the data, which starts here", rows["start"].iloc[0], as_of, symbol)
        up = np.sign(rows["ret"].to_numpy())
        first, last, _ = runs(up)[-1]
        run = last - first + 1
        if run >= 2 and first > 0:  # a run that reaches the data's first period may be longer: not told (the Nasdaq's gains of 1998)
            table.add(f"{p}.run", run, "count", f"{label}: {name}s in a row {'up' if ret > 0 else 'down'}, this one included", rows["start"].iloc[first], as_of, symbol)
        elif len(up) > 1:
            same = np.flatnonzero(up[:-1] == up[-1])
            if len(same):
                at = rows["end"].iloc[int(same[-1])]
                table.add(f"{p}.sign_since", at, "date", f"{label}: the last earlier {name} that {'rose' if ret > 0 else 'fell'} ended here", at, as_of, symbol)


def add_periods_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp, month_complete: bool) -> None:
    for symbol in closes.columns:
        add_period_facts(table, symbol, closes[symbol], as_of, month_complete)
