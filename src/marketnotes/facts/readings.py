"""What the release said: the CPI reading published on the note's release day.

Frames in, facts out, no I/O. The release is the one the CPI note is about (the latest CPI
release on or before the as-of, facts/releases.py); the events calendar gives its reference
month, and the reading is that month's, from the series as they stand through that month:
no later month is ever looked at, so a note on 2018-02-14 reads January 2018 and nothing
published after it. (Values are the series' vintage -- FRED's latest, revisions included --
which each fact's description names with its series.)

Per role (`core` from CPILFESL, `headline` from CPIAUCSL where the source has it):
- `cpi.<role>.mom`, `cpi.<role>.yoy` (pct): the change from the month before and from the
  same month a year earlier;
- `cpi.<role>.mom.hottest_since` (date): the last earlier month with a change at least as
  big as published, to a tenth of a point ("the biggest rise since January 2017"), or
  `.hottest_data_start` when none in the data;
- `cpi.<role>.mom.coolest_since` (date): the last earlier month with one at least as small
  ("the smallest rise since ..."), or `.coolest_data_start`;
- `cpi.<role>.mom.avg12` (pct): the average monthly change of the 12 months before, and
  `cpi.<role>.mom.vs_avg12` the reading minus it: with no free consensus forecast, the recent
  trend is what "hotter" or "cooler" is measured against, and the prose says so;
- `cpi.<role>.mom.trend` (count): consecutive months the change has grown (+) or shrunk
  (-) through this one: -3 is "a third straight cooler reading";
- `cpi.<role>.series`, `cpi.<role>.vintage` (text): where the numbers come from.
`cpi.reading.month` (date) is the reference month itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.table import FactTable

KIND = "cpi"
ROLES = {"core": ("CPILFESL", "core CPI"), "headline": ("CPIAUCSL", "headline CPI")}
DATA_START_MONTHS = 24  # "in data going back to ..." only after two years of readings
TREND_MONTHS = 12  # the yardstick a reading is set against: the average of the year before it
TIE = 1e-12  # changes computed from index levels: equal readings may differ in the last bit


def release_in_window(events: pd.DataFrame | None, as_of: pd.Timestamp, kind: str = KIND) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(release date, reference month) of the latest `kind` release on or before the as-of,
    or None: no release yet, or a calendar (a user's CSV) that names no reference month."""
    if events is None or not len(events) or "reference" not in events.columns:
        return None
    mine = events[(events["kind"] == kind) & (events["date"] <= pd.Timestamp(as_of))]
    if mine.empty:
        return None
    last = mine.iloc[-1]
    reference = str(last["reference"] or "").strip()
    if not reference:
        return None
    try:
        month = pd.Timestamp(f"{reference[:7]}-01")
    except ValueError:
        return None
    return pd.Timestamp(last["date"]), month


def monthly_changes(values: pd.Series, months: int) -> pd.Series:
    """Change over `months` months at every month from the first to the last, NaN where
    either month is missing (a gap in the series is never bridged)."""
    full = values.reindex(pd.date_range(values.index[0], values.index[-1], freq="MS"))
    return full / full.shift(months) - 1


def streak(changes: pd.Series) -> int:
    """Signed count of consecutive months, ending with the last, whose change was bigger
    (+) or smaller (-) than the month before's; 0 when the last equals the one before."""
    steps = changes.diff().to_numpy()[1:]
    if not len(steps) or np.isnan(steps[-1]) or abs(steps[-1]) <= TIE:
        return 0
    sign, count = np.sign(steps[-1]), 0
    for step in steps[::-1]:
        if np.isnan(step) or abs(step) <= TIE or np.sign(step) != sign:
            break
        count += 1
    return int(sign * count)


def as_published(changes: pd.Series) -> pd.Series:
    """Monthly changes at the precision BLS publishes them: a tenth of a percentage point."""
    return changes.round(3)


def last_at_least(earlier: pd.Series, value: float, direction: int) -> pd.Timestamp | None:
    """The last earlier month whose change was at least as high (direction +1) or as low (-1)."""
    earlier = earlier.dropna()
    hits = earlier[earlier >= value - TIE] if direction > 0 else earlier[earlier <= value + TIE]
    return hits.index[-1] if len(hits) else None


def add_reading_facts(table: FactTable, macro, events: pd.DataFrame | None, as_of: pd.Timestamp, kind: str = KIND) -> None:
    """The reading of the release in the note's window, for every role `macro` carries
    (`macro.get(series_id)` -> an object with `values`, `vintage`; data/macro.py's MacroData)."""
    found = release_in_window(events, as_of, kind)
    if macro is None or found is None:
        return
    released, month = found
    said_month = False
    for role, (series_id, name) in ROLES.items():
        series = macro.get(series_id)
        if series is None:
            continue
        values = series.values.loc[:month]  # the reference month and before: nothing published later
        if values.empty or values.index[-1] != month:
            continue  # the source does not have the month yet
        if not said_month:
            table.add(f"{kind}.reading.month", month, "date", f"the month the {kind} release of {released.date()} measures", end=month)
            said_month = True
        _add_role(table, f"{kind}.{role}", name, series_id, series.vintage, values, month)


def _add_role(table: FactTable, p: str, name: str, series_id: str, vintage: str, values: pd.Series, month: pd.Timestamp) -> None:
    source = f"{series_id}, {vintage}"
    mom, yoy = monthly_changes(values, 1), monthly_changes(values, 12)
    table.add(f"{p}.series", series_id, "text", f"FRED id of the {name} series the reading comes from", end=month)
    table.add(f"{p}.vintage", vintage, "text", f"which values of {series_id} the reading uses", end=month)
    now = mom.iloc[-1]
    if not np.isnan(now):
        prev = month - pd.DateOffset(months=1)
        table.add(f"{p}.mom", float(now), "pct", f"{name} change from {prev:%B %Y} to {month:%B %Y} ({source})", prev, month)
        # ranked as published: BLS rounds to a tenth of a point, and a "hottest since 2005" that
        # rests on 0.349 against 0.348 in revised data is no story (an editor's read, issue 20)
        published = as_published(mom)
        earlier = published.iloc[:-1].dropna()
        for word, direction in (("hottest", 1), ("coolest", -1)):
            hit = last_at_least(earlier, published.iloc[-1], direction)
            what = "at least as big" if direction > 0 else "at least as small"
            if hit is not None:
                table.add(f"{p}.mom.{word}_since", hit, "date", f"last month before {month:%B %Y} with a {name} change {what} ({source})", hit, month)
            elif len(earlier) >= DATA_START_MONTHS:
                table.add(f"{p}.mom.{word}_data_start", earlier.index[0], "date", f"{name}: {'biggest' if direction > 0 else 'smallest'} monthly change since the first in the data ({source})", earlier.index[0], month)
        recent = mom.iloc[-1 - TREND_MONTHS:-1]
        if len(recent) == TREND_MONTHS and not recent.isna().any():  # no consensus forecast is free: the recent trend is the yardstick
            start = month - pd.DateOffset(months=TREND_MONTHS)
            table.add(f"{p}.mom.avg12", float(recent.mean()), "pct", f"{name}: average monthly change over the {TREND_MONTHS} months before {month:%B %Y} ({source})", start, prev)
            table.add(f"{p}.mom.vs_avg12", float(now - recent.mean()), "pct", f"{name}: {month:%B %Y}'s change minus that average (+ hotter than the trend)", start, month)
        table.add(f"{p}.mom.trend", streak(published), "count", f"{name}: months in a row its monthly change has been bigger (+) or smaller (-) than the month before's, through {month:%B %Y} ({source})", end=month)
    if not np.isnan(yoy.iloc[-1]):
        ago = month - pd.DateOffset(years=1)
        table.add(f"{p}.yoy", float(yoy.iloc[-1]), "pct", f"{name} change from {ago:%B %Y} to {month:%B %Y} ({source})", ago, month)
