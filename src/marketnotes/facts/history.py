"""What the data knows of an index's history: whether "record" is honest, and from when.

A file that starts in 2010 cannot say whether a close is a record: the S&P 500's record of
Oct. 9, 2007 is not in it. It can, when it is told that record: a known record close before
the data's first session, still standing then (first beaten on `until`, that session or later), is the floor
every later close must beat to be a record. A known record close *inside* the data works the
other way: it proves the data's running high is the all-time high from that session on (the
S&P 500's 1,527.46 of March 24, 2000 for a file that starts in January 1999).

Known records come from a bundled, sourced table (data/records.csv) and from params
(`indices: [{symbol, label, record: {date, close, until}}]`); this module only judges them
against the closes, so it stays pure. Superlatives over moves ("its worst day since ...")
still need the whole history (`history.complete`): a record close says nothing of old crashes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from marketnotes.facts.table import FactTable, key_of

MATCH = 0.002  # a known record inside the data must agree with the file's close within 0.2%


@dataclass(frozen=True)
class KnownRecord:
    """A record close the data may not hold: `until` is the first close above it (None: unknown)."""

    date: pd.Timestamp
    close: float
    until: pd.Timestamp | None = None
    source: str = ""


@dataclass(frozen=True)
class RecordBasis:
    """How record closes are judged for one index: from `honest_from` on (None: never), a
    close is a record when it beats every earlier close in the data and `floor`."""

    honest_from: pd.Timestamp | None
    floor: float = -math.inf
    floor_date: pd.Timestamp | None = None

    def honest(self, day: pd.Timestamp) -> bool:
        return self.honest_from is not None and day >= self.honest_from


def record_basis(series: pd.Series, complete: bool, known: tuple[KnownRecord, ...] = ()) -> RecordBasis:
    """The basis for `series` (closes, oldest first): the whole history, a standing record
    before the data, a record inside it, or nothing known."""
    start = series.index[0]
    if complete:
        return RecordBasis(start)
    standing = [r for r in known if r.date < start and r.until is not None and r.until >= start]
    if standing:
        latest = max(standing, key=lambda r: r.date)
        return RecordBasis(start, latest.close, latest.date)
    inside = [r for r in known if r.date in series.index and abs(series.loc[r.date] / r.close - 1) <= MATCH]
    if inside:
        return RecordBasis(min(r.date for r in inside))
    return RecordBasis(None)


def record_flags(history: pd.Series, basis: RecordBasis | None = None) -> pd.Series:
    """True on each session that closed above every earlier close (the first session excluded)
    and above a known record before the data. These are records *in the data*; whether the
    prose may call them records is `history.records` (the basis's `honest`)."""
    running = history.cummax().shift(1)
    flags = (history > running).fillna(False).astype(bool)
    return flags if basis is None else flags & (history > basis.floor)


def add_history_facts(table: FactTable, symbol: str, series: pd.Series, as_of: pd.Timestamp, basis: RecordBasis, complete: bool) -> None:
    key, label = key_of(symbol), table.labels[symbol]
    table.add(f"{key}.history.start", series.index[0], "date", f"first close of {label} in the data", end=series.index[0], symbol=symbol)
    table.add(f"{key}.history.complete", int(complete), "count", f"1 when the data covers {label}'s whole history (so 'its worst day since' is honest)", symbol=symbol)
    table.add(f"{key}.history.records", int(basis.honest(as_of)), "count", f"1 when {label}'s record closes are known at this close: whole history, or a known record (so 'record' is honest)", symbol=symbol)
    if basis.floor_date is not None:
        table.add(f"{key}.history.prior_record.value", basis.floor, "level", f"{label} record close before the data starts (a known record)", end=basis.floor_date, symbol=symbol)
        table.add(f"{key}.history.prior_record.date", basis.floor_date, "date", f"date of {label}'s record close before the data starts", end=basis.floor_date, symbol=symbol)


def add_first_ever(table: FactTable, symbol: str, basis: RecordBasis) -> None:
    """`{k}.milestone.first_ever`: a first close above a round level in data that starts late is
    the first ever when the level is above the record that stood when the data starts (the
    Nasdaq's first close above 3,000 in November 1999, on data from January 1999)."""
    key = key_of(symbol)
    p = f"{key}.milestone"
    if f"{p}.data_start" not in table or basis.floor_date is None or table.value(f"{p}.margin", 0) <= 0:
        return
    if table.value(f"{p}.level") > basis.floor:
        table.add(f"{p}.first_ever", 1, "count", f"{table.labels[symbol]}: its first close ever above the level (above the record close before the data)", basis.floor_date, table.value(f"{p}.date"), symbol)
