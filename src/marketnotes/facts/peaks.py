"""Peaks and drawdowns: all-time and 52-week highs, "highest close since", runs of record closes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.history import RecordBasis, record_flags
from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of

YEAR_SESSIONS = 252
RUN_BREAK = 0.05  # a close 5% below the record ends a run of records
RUN_RECENT = 63  # report the run while its latest record is within about three months
RECORD_GAP = 20  # "its first record close since ..." only after a month without one
NOTABLE_SINCE = 20  # "highest close since ..." only when it beats at least a month of closes


def add_peak_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, highs: pd.Series | None = None, basis: RecordBasis | None = None) -> None:
    """`basis` (facts/history.py) says whether a known record before the data is the high to
    beat; without one the data's own high is taken as the all-time high."""
    key, label = key_of(symbol), table.labels[symbol]
    history = closes.loc[:as_of]
    today = history.iloc[-1]
    basis = basis or RecordBasis(history.index[0])

    ath_date, ath = history.idxmax(), history.max()
    if basis.floor_date is not None and basis.floor >= ath:
        ath_date, ath = basis.floor_date, basis.floor
    table.add(f"{key}.ath.value", ath, "level", f"{label} all-time closing high", end=ath_date, symbol=symbol)
    table.add(f"{key}.ath.date", ath_date, "date", f"date of {label}'s all-time closing high", end=ath_date, symbol=symbol)
    table.add(f"{key}.ath.below", today / ath - 1.0, "pct", f"{label} distance from its all-time closing high", ath_date, as_of, symbol)
    table.add(f"{key}.ath.today", int(ath_date == as_of), "count", f"{label} closed at a record on the as-of session", end=as_of, symbol=symbol)

    if highs is not None:
        intraday = highs.loc[:as_of].dropna()
        if len(intraday):
            table.add(f"{key}.ath_intraday.value", intraday.max(), "level", f"{label} all-time intraday high", end=intraday.idxmax(), symbol=symbol)
            table.add(f"{key}.ath_intraday.date", intraday.idxmax(), "date", f"date of {label}'s all-time intraday high", end=intraday.idxmax(), symbol=symbol)

    year = history.iloc[-YEAR_SESSIONS:]
    hi_date = year.idxmax()
    table.add(f"{key}.hi52.value", year.max(), "level", f"{label} 52-week closing high", end=hi_date, symbol=symbol)
    table.add(f"{key}.hi52.date", hi_date, "date", f"date of {label}'s 52-week high (its latest peak)", end=hi_date, symbol=symbol)
    table.add(f"{key}.hi52.below", today / year.max() - 1.0, "pct", f"{label} drawdown from its 52-week high", hi_date, as_of, symbol)
    lo_date = year.idxmin()
    table.add(f"{key}.lo52.date", lo_date, "date", f"date of {label}'s 52-week low", end=lo_date, symbol=symbol)
    table.add(f"{key}.lo52.above", today / year.min() - 1.0, "pct", f"{label} gain from its 52-week low", lo_date, as_of, symbol)

    add_since(table, key, label, symbol, history, as_of, "high")
    add_since(table, key, label, symbol, history, as_of, "low")
    flags = record_flags(history, basis)  # once: the runs and the week's records read the same flags
    _add_records(table, key, label, symbol, history, flags, basis)
    _add_week_records(table, key, label, symbol, history, as_of, flags)


def add_since(table: FactTable, key: str, label: str, symbol: str | None, history: pd.Series, as_of: pd.Timestamp, side: str) -> None:
    """The as-of close is the highest (lowest) since the last session that closed above (below) it."""
    today, earlier = history.iloc[-1], history.iloc[:-1]
    beyond = earlier[earlier > today] if side == "high" else earlier[earlier < today]
    if len(beyond) == 0:
        return  # a record (or the first session): no "since"
    last_beyond = beyond.index[-1]
    sessions = int((history.index > last_beyond).sum())
    if sessions < NOTABLE_SINCE:
        return
    word = "highest" if side == "high" else "lowest"
    table.add(f"{key}.{side}_since.date", last_beyond, "date", f"{label} close is its {word} since this date's close", last_beyond, as_of, symbol)
    table.add(f"{key}.{side}_since.sessions", sessions, "count", f"sessions since {label} last closed {'above' if side == 'high' else 'below'} this level", last_beyond, as_of, symbol)


def _add_week_records(table: FactTable, key: str, label: str, symbol: str, closes: pd.Series, as_of: pd.Timestamp, flags: pd.Series) -> None:
    """`{k}.week.records`: record closes among the note's week's sessions, and the latest one.

    A record set on Tuesday is the week's story even when Friday closed below it; the as-of
    facts (`ath.today`) see only Friday.
    """
    start = window_start(closes, as_of, "1w")
    if start is None:
        return
    week = flags.loc[start:].iloc[1:]
    days = week.index[week.to_numpy()]
    table.add(f"{key}.week.records", len(days), "count", f"{label}: record closes this week (closes above every earlier close in the data)", week.index[0], as_of, symbol)
    if len(days):
        table.add(f"{key}.week.record.date", days[-1], "date", f"{label}: its latest record close this week", end=days[-1], symbol=symbol)
        table.add(f"{key}.week.record.value", closes.loc[days[-1]], "level", f"{label}: its latest record close this week", end=days[-1], symbol=symbol)


def _add_records(table: FactTable, key: str, label: str, symbol: str, history: pd.Series, flags: pd.Series, basis: RecordBasis) -> None:
    """Runs of records ("its 12th record close since March") and the first record after a long wait.

    A run is the records since the index last closed 5% or more below its running record, the
    way a rally that never paused for a pullback is told as one story. Of an index now 5% off,
    the run is the one its latest record belonged to.
    """
    values, dates = history.to_numpy(dtype=float), history.index
    as_of = history.index[-1]
    records = np.flatnonzero(flags.to_numpy())
    if not len(records):
        return
    last, now = int(records[-1]), len(values) - 1
    if last >= len(values) - RUN_RECENT:
        running = np.maximum.accumulate(values[:last])
        dips = np.flatnonzero(values[:last] <= (1 - RUN_BREAK) * running)
        run = records[records > dips[-1]] if len(dips) else records
        first = dates[run[0]]
        table.add(f"{key}.records.run_count", len(run), "count", f"{label} record closes in the current run (no 5% pullback between)", first, dates[last], symbol)
        table.add(f"{key}.records.run_first", first, "date", f"{label} first record close of the current run", first, dates[last], symbol)
        table.add(f"{key}.records.run_last", dates[last], "date", f"{label} most recent record close", end=dates[last], symbol=symbol)
    if last == now and len(records) > 1 and now - records[-2] >= RECORD_GAP:
        previous = dates[records[-2]]
        table.add(f"{key}.records.prev_date", previous, "date", f"{label}: its first record close since this one", previous, as_of, symbol)
        table.add(f"{key}.records.gap_sessions", now - int(records[-2]), "count", f"sessions between {label}'s previous record close and this one", previous, as_of, symbol)
    elif last == now and len(records) == 1 and basis.floor_date is not None:
        # the first record in the data beats the known record before it: "its first record close since October 2007"
        gap = int(np.busday_count(basis.floor_date.date(), as_of.date()))
        table.add(f"{key}.records.prev_date", basis.floor_date, "date", f"{label}: its first record close since this one (a known record before the data)", basis.floor_date, as_of, symbol)
        table.add(f"{key}.records.gap_sessions", gap, "count", f"weekdays between {label}'s previous record close (before the data) and this one", basis.floor_date, as_of, symbol)
