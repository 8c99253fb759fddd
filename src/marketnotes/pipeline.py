"""One note, as a straight line: params -> as-of -> data -> spec -> (facts, notebook, render).

Each step is a call into the stage that owns it; this module only wires them in order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from marketnotes.calendar import ResolvedAsOf, resolve_as_of
from marketnotes.data import PriceData, load_prices, make_source
from marketnotes.params import NoteParams, load_params


def read_params(path: Path, overrides: list[str], as_of: str | None) -> NoteParams:
    return load_params(path, overrides, as_of)


def resolve(as_of) -> ResolvedAsOf:
    return resolve_as_of(as_of)


def load_data(source: str, options: dict, symbols: list[str], as_of, offline: bool = False) -> PriceData:
    resolved = resolve_as_of(as_of)
    return load_prices(make_source(source, options, offline), symbols, resolved)


def describe_as_of(resolved: ResolvedAsOf, session: pd.Timestamp) -> str:
    day = session.strftime("%A %Y-%m-%d")
    if resolved.requested in {"latest", "last-friday"}:
        return f"as of {day} close ({resolved.requested})"
    if resolved.requested != session.date().isoformat():
        return f"as of {day} close ({resolved.requested} is not a trading session)"
    return f"as of {day} close"
