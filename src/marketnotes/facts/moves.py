"""Returns over windows and the volatility that says whether a move was big for that index."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.table import FactTable, key_of

VOL_SESSIONS = 63  # about three months of daily returns
WINDOW_NAMES = {"1d": "the last session", "1w": "the week", "1m": "the month", "3m": "three months", "ytd": "the year to date", "1y": "the past year"}


def window_start(closes: pd.Series, as_of: pd.Timestamp, window: str) -> pd.Timestamp | None:
    """The session whose close a window's return is measured from; None if history is too short.

    1d is the previous session; 1w the last session before the Monday of as_of's calendar
    week, so a Friday note runs Friday to Friday (Thursday to Friday after a Good Friday)
    and a Tuesday note says "since last Friday"; 1m/3m/1y the last session on or before the
    same calendar day a month/quarter/year earlier; ytd the last session of the previous year.
    """
    history = closes.loc[:as_of].index
    if window == "1d":
        return history[-2] if len(history) > 1 else None
    if window == "1w":
        monday = as_of.normalize() - pd.Timedelta(days=as_of.day_of_week)
        before = history[history < monday]
        return before[-1] if len(before) else None
    if window == "ytd":
        anchor = pd.Timestamp(year=as_of.year - 1, month=12, day=31)
    else:
        offset = {"1m": pd.DateOffset(months=1), "3m": pd.DateOffset(months=3), "1y": pd.DateOffset(years=1)}[window]
        anchor = as_of - offset
    before = history[history <= anchor]
    return before[-1] if len(before) else None


def change(closes: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> float:
    return float(closes.loc[end] / closes.loc[start] - 1.0)


def daily_vol(closes: pd.Series, as_of: pd.Timestamp) -> float | None:
    """Standard deviation of daily returns over the last ~3 months (a fraction, not annualised)."""
    rets = closes.loc[:as_of].pct_change().dropna().iloc[-VOL_SESSIONS:]
    if len(rets) < 10:
        return None
    return float(rets.std(ddof=1))


def add_move_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, windows: tuple[str, ...]) -> None:
    key, label = key_of(symbol), table.labels[symbol]
    table.add(f"{key}.close", closes.loc[as_of], "level", f"{label} close", end=as_of, symbol=symbol)
    vol = daily_vol(closes, as_of)
    if vol is not None:
        table.add(f"{key}.vol.1d", vol, "pct", f"{label} daily volatility (3-month std of daily returns)", end=as_of, symbol=symbol)
    history = closes.loc[:as_of].index
    for window in dict.fromkeys(("1d", *windows)):  # 1d always: the lead sentence needs it
        start = window_start(closes, as_of, window)
        if start is None:
            continue
        ret = change(closes, start, as_of)
        table.add(f"{key}.ret.{window}", ret, "pct", f"{label} return over {WINDOW_NAMES[window]}", start, as_of, symbol)
        table.add(f"{key}.pts.{window}", float(closes.loc[as_of] - closes.loc[start]), "points", f"{label} change over {WINDOW_NAMES[window]}, in index points", start, as_of, symbol)
        if vol:
            n = int(((history > start) & (history <= as_of)).sum())
            table.add(f"{key}.z.{window}", ret / (vol * np.sqrt(max(n, 1))), "sigma", f"{label} {window} move in standard deviations", start, as_of, symbol)
