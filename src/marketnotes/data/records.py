"""Known record closes: the bundled, sourced table (records.csv) and what a params file adds.

A file that starts in 2010 cannot know the S&P 500's record close of Oct. 9, 2007; this table
can. Each row is a record close, the first close that beat it (`until`) and where both come
from; rows inside the bundled sample are checked against it by the tests. A params file adds
its own per index (`indices: [{symbol: ^RUT, label: ..., record: {date: 2021-11-08, close:
2442.74, until: 2025-09-18}}]`), which wins over the table for the same date. The facts layer
(facts/history.py) decides what the rows prove for the closes at hand.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd

from marketnotes.facts.history import KnownRecord


@cache
def bundled_records() -> dict[str, tuple[KnownRecord, ...]]:
    """The table as shipped with this install, read once per process: a batch worker's every
    note asks. Shared, so callers copy before they add (`known_records` does)."""
    table = pd.read_csv(files("marketnotes.data").joinpath("records.csv"), parse_dates=["date", "until"])
    return {
        str(symbol): tuple(_row(r) for r in rows.itertuples())
        for symbol, rows in table.groupby("symbol")
    }


def known_records(params) -> dict[str, tuple[KnownRecord, ...]]:
    """The bundled rows for the note's indices, with each index's params `record` added."""
    table = bundled_records()
    out: dict[str, tuple[KnownRecord, ...]] = {}
    for index in params.indices:
        rows = {r.date: r for r in table.get(index.symbol, ())}
        if index.record is not None:
            mine = KnownRecord(pd.Timestamp(index.record.date), index.record.close, pd.Timestamp(index.record.until) if index.record.until else None, "params")
            rows[mine.date] = mine
        if rows:
            out[index.symbol] = tuple(sorted(rows.values(), key=lambda r: r.date))
    return out


def _row(r) -> KnownRecord:
    return KnownRecord(pd.Timestamp(r.date), float(r.close), None if pd.isna(r.until) else pd.Timestamp(r.until), str(r.source))
