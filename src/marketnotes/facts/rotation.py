"""Relative performance: the rotation pair's ratio, spreads and daily gaps, and rotation days.

A rotation day is a session on which one index rose by at least the threshold while every
other index in the set fell ("small caps rallied while big tech fell"). The daily gap is the
lead's return minus the lag's, in points: "the widest gap between the two since 2000".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.extremes import DATA_START_DAYS, last_as_extreme
from marketnotes.facts.moves import WINDOW_NAMES, window_start
from marketnotes.facts.extremes import sessions_since_year_extreme

LITTLE_CHANGED = 0.0005  # the others must really fall: -0.01% is "little changed", not "fell"
from marketnotes.facts.peaks import add_since
from marketnotes.facts.table import FactTable, key_of


def add_pair_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp, pair: tuple[str, str], windows: tuple[str, ...]) -> None:
    lead, lag = pair
    names = f"{table.labels[lead]} / {table.labels[lag]}"
    ratio = (closes[lead] / closes[lag]).dropna().loc[:as_of]
    if len(ratio) < 2:
        return
    table.add("rot.ratio.value", ratio.iloc[-1], "level", f"ratio {names}", end=as_of)
    for window in windows:
        start = window_start(ratio, as_of, window)
        lead_ret, lag_ret = table.value(f"{key_of(lead)}.ret.{window}"), table.value(f"{key_of(lag)}.ret.{window}")
        if start is None or lead_ret is None or lag_ret is None:
            continue
        table.add(f"rot.ratio.{window}", ratio.loc[as_of] / ratio.loc[start] - 1, "pct", f"change in {names} over {WINDOW_NAMES[window]}", start, as_of)
        table.add(f"rot.spread.{window}", (lead_ret - lag_ret) * 100, "pts", f"{table.labels[lead]} return minus {table.labels[lag]} return over {WINDOW_NAMES[window]}, in points", start, as_of)
    add_since(table, "rot.ratio", f"the {names} ratio", None, ratio, as_of, "high")
    add_since(table, "rot.ratio", f"the {names} ratio", None, ratio, as_of, "low")
    last = len(ratio) - 1
    for side, direction in (("high", 1), ("low", -1)):
        if f"rot.ratio.{side}_since.date" in table:
            run = sessions_since_year_extreme(ratio, last, last, direction)
            table.add(f"rot.ratio.{side}_since.run_sessions", run, "count", f"sessions since the {names} ratio last made a 52-week {side} before today", end=as_of)
    add_gap_facts(table, closes, as_of, pair)


def add_gap_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp, pair: tuple[str, str]) -> None:
    """The week's session with the widest lead-minus-lag gap, and the last earlier one as wide."""
    lead, lag = pair
    both = closes[[lead, lag]].loc[:as_of].dropna()
    anchor = window_start(both[lead], as_of, "1w")
    if anchor is None:
        return
    # returns on the panel as given: a session after a missing close is not a one-day move
    rets = closes[[lead, lag]].loc[:as_of].pct_change(fill_method=None).dropna()
    gaps = rets[lead] - rets[lag]
    week = gaps[gaps.index > anchor]
    if week.empty:
        return
    day = week.abs().idxmax()
    gap, pos = float(gaps[day]), gaps.index.get_loc(day)
    names = f"{table.labels[lead]} minus {table.labels[lag]}"
    table.add("rot.gap.week.date", day, "date", f"session of the week with the widest daily gap, {names}", end=day)
    table.add("rot.gap.week.value", gap * 100, "pts", f"daily return gap {names} that session, in points", end=day)
    table.add("rot.gap.week.lead_ret", rets.loc[day, lead], "pct", f"{table.labels[lead]} return that session", end=day, symbol=lead)
    table.add("rot.gap.week.lag_ret", rets.loc[day, lag], "pct", f"{table.labels[lag]} return that session", end=day, symbol=lag)
    if gap == 0:
        return
    hit = last_as_extreme(gaps.to_numpy(), gap, pos, int(np.sign(gap)))
    if hit is not None:
        since = gaps.index[hit]
        sessions = both.index.get_loc(day) - both.index.get_loc(since)
        table.add("rot.gap.week.since", since, "date", f"last earlier session with a gap as wide in the same direction, {names}", since, day)
        table.add("rot.gap.week.since_sessions", sessions, "count", "sessions since a gap as wide in the same direction", since, day)
    elif pos >= DATA_START_DAYS:
        table.add("rot.gap.week.data_start", both.index[0], "date", f"no gap as wide in this direction, {names}, since the data starts", both.index[0], day)


def rotation_days(closes: pd.DataFrame, threshold_pct: float) -> pd.DataFrame:
    """Every rotation day in the panel: date, leader, leader's gain (sessions all indices share)."""
    # returns on the full panel first: a session after a gap is not a one-day move
    rets = closes.pct_change(fill_method=None).dropna()
    if rets.shape[1] < 2:
        return pd.DataFrame(columns=["leader", "gain"])
    rows = []
    for symbol in rets.columns:
        others = rets.drop(columns=symbol)
        hit = (rets[symbol] >= threshold_pct / 100) & (others <= -LITTLE_CHANGED).all(axis=1)
        rows.append(pd.DataFrame({"leader": symbol, "gain": rets[symbol][hit]}))
    return pd.concat(rows).sort_index()


def add_rotation_day_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp, threshold_pct: float) -> None:
    panel = closes.loc[:as_of]
    days = rotation_days(panel, threshold_pct)
    common = panel.dropna()
    if len(common) < 2:
        return
    for window in ("1m", "ytd"):
        start = window_start(common.iloc[:, 0], as_of, window)
        if start is not None:
            count = int(((days.index > start) & (days.index <= as_of)).sum())
            table.add(f"rotday.count.{window}", count, "count", f"rotation days (one index up {threshold_pct}%+, all others down) over {WINDOW_NAMES[window]}", start, as_of)
    week_start = window_start(common.iloc[:, 0], as_of, "1w")
    week = days[(days.index > week_start) & (days.index <= as_of)] if week_start is not None else days.iloc[0:0]
    if week.empty:
        return
    daily = panel.pct_change(fill_method=None)
    vols = daily.iloc[-63:].std()
    scores = week.apply(lambda r: r["gain"] / vols[r["leader"]], axis=1)
    day = scores.idxmax()
    leader, gain = week.loc[day, "leader"], float(week.loc[day, "gain"])
    if isinstance(leader, pd.Series):  # two leaders cannot share a day, but stay safe
        leader, gain = leader.iloc[0], float(week.loc[day, "gain"].iloc[0])
    table.add("rotday.week.date", day, "date", "the week's most notable rotation day", end=day)
    table.add("rotday.week.leader", leader, "text", "index that rallied while the others fell", end=day, symbol=leader)
    table.add(f"rotday.week.{key_of(leader)}.ret", gain, "pct", f"{table.labels[leader]} return on the rotation day", end=day, symbol=leader)
    table.add("rotday.week.z", float(scores.max()), "sigma", "leader's rotation-day gain in standard deviations", end=day)
    rets = daily.loc[day]
    for symbol in common.columns.drop(leader):
        table.add(f"rotday.week.{key_of(symbol)}.ret", float(rets[symbol]), "pct", f"{table.labels[symbol]} return on the rotation day", end=day, symbol=symbol)
    earlier = days[(days.index < day) & (days["leader"] == leader) & (days["gain"] >= gain)]
    if len(earlier):
        table.add("rotday.week.largest_since", earlier.index[-1], "date", "last rotation day led by the same index with a bigger gain", earlier.index[-1], day)
    else:
        table.add("rotday.week.record_since", common.index[0], "date", "no bigger rotation day led by this index since the data starts", common.index[0], day)
