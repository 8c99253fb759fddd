"""The month's events for the monthly review: what a desk scans a month for beyond its return.

Frames in, facts out, no I/O. Per index, `<KEY>.month.` prefix:
- `same_since` (date): the last earlier month of the same name at least as good (bad) --
  "the Dow's worst December since 1931" (its history goes back to 1885) -- or
  `same_data_start` when none in the data (after `SAME_MONTH_MIN` years of that month);
- `week_best.*` / `week_worst.*`: the best and worst calendar week ending in the month
  (`ret`, `date` of its last session) and `since` the last earlier week as good (bad), or
  `data_start` when none in the data;
- `first_correction` / `first_bear` (date): the first close 10% (20%) below the record
  close of the drawdown the index is in at the as-of (or the high its regime is measured
  from, when later: a correction inside a bull market that has not regained its record) -- the true date it crossed the line,
  which may be before the month (the S&P 500 first closed in a correction on Nov. 23, 2018).
  No "first correction since": over data that starts after an index's record (the Nasdaq
  in 1999) the last earlier close 10% below the data's high is no correction at all;
- `milestone.level`, `.date`, `.margin` (its close against the level), and `.since` (or `.first` = 1 when never above in the data):
  the month's rarest round level crossed upwards ("closed above 19,000 for the first time");
- `records` (count): record closes in the month, and `last_record` (date);
- `best.pts` (points), `best.pts_date`, and `best.pts_since` (date), or `best.pts_data_start`: the best day
  in index points and when a day last gained as many ("its biggest point gain on record");
  `worst.pts*` the same for the worst ("its biggest one-day point drop on record", Sept. 29, 2008);
- `low.*` / `high.*`: the month's lowest and highest close and since when none was beyond it
  (facts/extremes.add_levels, as the weekly note's: "its lowest close since April 2017").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.extremes import add_levels
from marketnotes.facts.milestones import MIN_SINCE_SESSIONS, week_crossings, watched_level
from marketnotes.facts.table import FactTable, key_of

SAME_MONTH_MIN = 20  # "its worst December in the data" after twenty Decembers
LINES = {"correction": 0.10, "bear": 0.20}
DATA_START_DAYS = 250
DATA_START_WEEKS = 156  # "its worst week since at least 1999" after three years of weeks


def add_month_events(table: FactTable, symbol: str, closes: pd.Series, months: pd.DataFrame, start: pd.Timestamp, as_of: pd.Timestamp, complete: bool) -> None:
    """`months`: facts/months.monthly_returns of the index; `start` the close the month is measured from."""
    history = closes.loc[:as_of].dropna()
    key, label = key_of(symbol), table.labels[symbol]
    p = f"{key}.month"
    if complete:
        _same_month(table, p, label, symbol, months)
    _weeks(table, p, label, symbol, history, start, as_of)
    _thresholds(table, p, label, symbol, history)
    _milestone(table, p, label, symbol, history, start)
    if table.value(f"{key}.history.complete") == 1:  # "record" only where the data covers the history
        month = history.loc[start:].iloc[1:]
        records = month[month.to_numpy() > np.maximum.accumulate(np.r_[history.loc[:start].max(), month.to_numpy()[:-1]])]
        if len(records):
            table.add(f"{p}.records", len(records), "count", f"{label}: record closes in the month", start, as_of, symbol)
            table.add(f"{p}.last_record", records.index[-1], "date", f"{label}: its last record close in the month", end=records.index[-1], symbol=symbol)
    for direction in (1, -1):
        _points(table, p, label, symbol, history, start, direction)
    month = history.loc[start:].index[1:]
    if len(month):
        add_levels(table, key, label, symbol, history, month, scope="month")


def _same_month(table, p, label, symbol, months: pd.DataFrame) -> None:
    now = float(months["ret"].iloc[-1])
    same = months[months.index.month == months.index[-1].month]
    earlier = same["ret"].to_numpy()[:-1]
    hits = np.flatnonzero(earlier >= now if now > 0 else earlier <= now)
    name = months.index[-1].strftime("%B")
    if len(hits):
        at = same["end"].iloc[int(hits[-1])]
        table.add(f"{p}.same_since", at, "date", f"{label}: the last {name} as {'good' if now > 0 else 'bad'} as this one ended here", at, same["end"].iloc[-1], symbol)
    elif len(earlier) >= SAME_MONTH_MIN:
        table.add(f"{p}.same_data_start", same["start"].iloc[0], "date", f"{label}: its {'best' if now > 0 else 'worst'} {name} in the data, which starts here", same["start"].iloc[0], same["end"].iloc[-1], symbol)


def _weeks(table, p, label, symbol, history: pd.Series, start, as_of) -> None:
    """Calendar weeks (Friday to Friday, or the last session of the week) ending in the month."""
    weeks = history.groupby(history.index.to_period("W-FRI")).tail(1)
    rets = weeks.pct_change(fill_method=None)
    mine = rets[(rets.index > start) & (rets.index <= as_of)].dropna()
    if mine.empty:
        return
    for side, day, direction in (("best", mine.idxmax(), 1), ("worst", mine.idxmin(), -1)):
        value = float(mine[day])
        if value * direction <= 0:
            continue
        q = f"{p}.week_{side}"
        begin = weeks.index[weeks.index.get_loc(day) - 1]
        table.add(f"{q}.ret", value, "pct", f"{label}: its {side} calendar week ending in the month", begin, day, symbol)
        table.add(f"{q}.date", day, "date", f"{label}: the last session of its {side} week of the month", end=day, symbol=symbol)
        earlier = rets.loc[: day].iloc[:-1].to_numpy()
        hits = np.flatnonzero(earlier >= value if direction > 0 else earlier <= value)
        if len(hits):
            table.add(f"{q}.since", rets.index[hits[-1]], "date", f"{label}: the last earlier week as {'good' if direction > 0 else 'bad'}", rets.index[hits[-1]], day, symbol)
        elif np.count_nonzero(~np.isnan(earlier)) >= DATA_START_WEEKS:
            table.add(f"{q}.data_start", weeks.index[0], "date", f"{label}: its {side} week in the data, which starts here", weeks.index[0], day, symbol)


def _thresholds(table, p, label, symbol, history: pd.Series) -> None:
    values = history.to_numpy(dtype=float)
    peaks = np.maximum.accumulate(values)
    record = int(np.flatnonzero(values == peaks)[-1])  # the drawdown the index is in began at its last record close ...
    peak = table.value(f"{p.split('.')[0]}.regime.peak.date")  # ... or at the high its regime is measured from (a bull market's)
    if peak is not None and pd.Timestamp(peak) in history.index and history.index.get_loc(pd.Timestamp(peak)) > record:
        record = int(history.index.get_loc(pd.Timestamp(peak)))
        peaks = np.maximum.accumulate(np.where(np.arange(len(values)) >= record, values, 0.0))
    down = values / np.where(peaks > 0, peaks, np.nan) - 1
    for name, line in LINES.items():
        hits = np.flatnonzero(down[record:] <= -line)
        if len(hits):
            at = history.index[record + int(hits[0])]
            table.add(f"{p}.first_{name}", at, "date", f"{label}: first close {line:.0%} or more below its {history.index[record].date()} high", history.index[record], at, symbol)


def _milestone(table, p, label, symbol, history: pd.Series, start) -> None:
    """The month's rarest upward crossing of a round level: a first in the data (the highest
    such level), else a watched level not closed above for a year."""
    values = history.to_numpy(dtype=float)
    first = int(history.index.get_loc(start)) + 1
    ups = [c for c in week_crossings(values, first) if c.direction > 0]
    firsts = [c for c in ups if c.since is None]
    rare = [c for c in ups if c.since is not None and watched_level(c.level) and c.pos - c.since >= max(MIN_SINCE_SESSIONS, 250)]
    pick = max(firsts, key=lambda c: c.level) if firsts else max(rare, key=lambda c: c.pos - c.since) if rare else None
    if pick is None or (firsts and table.value(f"{p.split('.')[0]}.history.complete") != 1 and not watched_level(pick.level)):
        return
    q = f"{p}.milestone"
    table.add(f"{q}.level", pick.level, "level", f"{label}: a round level it closed above in the month", end=history.index[pick.pos], symbol=symbol)
    table.add(f"{q}.date", history.index[pick.pos], "date", f"{label}: the session it first closed above that level in the month", end=history.index[pick.pos], symbol=symbol)
    table.add(f"{q}.margin", values[pick.pos] / pick.level - 1, "pct", f"{label}: that session's close relative to the level (+ above)", end=history.index[pick.pos], symbol=symbol)
    if pick.since is None:
        table.add(f"{q}.first", 1, "count", f"{label}: 1 when no earlier close in the data was at or above the level", history.index[0], history.index[pick.pos], symbol)
        floor = table.value(f"{p.split('.')[0]}.history.prior_record.value")
        if floor is not None and pick.level > floor:  # above the record that stood before the data: the first close ever (history.add_first_ever)
            table.add(f"{q}.first_ever", 1, "count", f"{label}: its first close ever above the level (above the record close before the data)", table.value(f"{p.split('.')[0]}.history.prior_record.date"), history.index[pick.pos], symbol)
    else:
        table.add(f"{q}.since", history.index[pick.since], "date", f"{label}: its last earlier close at or above the level", history.index[pick.since], history.index[pick.pos], symbol)


def _points(table, p, label, symbol, history: pd.Series, start, direction: int) -> None:
    """The month's biggest one-day gain (direction 1) or drop (-1) in index points, and when
    a day last moved as many points that way."""
    diffs = history.diff()
    month = diffs.loc[start:].iloc[1:] * direction
    if month.empty or month.max() <= 0:
        return
    day = month.idxmax()
    pos = diffs.index.get_loc(day)
    value = float(diffs[day])
    side, word = ("best", "gain") if direction > 0 else ("worst", "drop")
    q = f"{p}.{side}"
    table.add(f"{q}.pts", value, "points", f"{label}: its biggest one-day {word} of the month, in index points", end=day, symbol=symbol)
    table.add(f"{q}.pts_date", day, "date", f"{label}: the session of its biggest point {word} of the month", end=day, symbol=symbol)
    earlier = diffs.to_numpy()[:pos] * direction
    hits = np.flatnonzero(earlier >= value * direction)
    if len(hits):
        table.add(f"{q}.pts_since", diffs.index[hits[-1]], "date", f"{label}: the last day with a point {word} as big", diffs.index[hits[-1]], day, symbol)
    elif np.count_nonzero(~np.isnan(earlier)) >= DATA_START_DAYS:
        table.add(f"{q}.pts_data_start", history.index[0], "date", f"{label}: its biggest one-day point {word} in the data, which starts here", history.index[0], day, symbol)
