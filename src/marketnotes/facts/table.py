"""The facts table: every number a note may state, each with a stable id and its provenance.

Ids read `<KEY>.<family>.<detail>` where KEY is the symbol without its caret (`RUT.ret.1d`,
`NDX.ath.date`); pair and event facts use `rot.` and `<kind>.` prefixes. Values are floats
(fractions for percentages: 0.036 is 3.6%), ints, ISO date strings or plain strings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

UNITS = {"pct", "pts", "points", "level", "date", "count", "sigma", "text", "sign"}  # pts: percentage points; points: index points


def key_of(symbol: str) -> str:
    """`^RUT` -> `RUT`; anything not alphanumeric becomes `_` so ids stay dotted paths."""
    return re.sub(r"[^A-Za-z0-9]+", "_", symbol.lstrip("^")).strip("_") or "X"


def iso(day: pd.Timestamp | dt.date | None) -> str | None:
    return None if day is None else pd.Timestamp(day).date().isoformat()


@dataclass(frozen=True)
class Fact:
    id: str
    value: float | int | str | None
    unit: str
    description: str
    start: str | None = None
    end: str | None = None
    symbol: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"fact {self.id}: unknown unit {self.unit!r}")


@dataclass
class FactTable:
    """An ordered, id-unique collection of facts plus the context needed to phrase them."""

    as_of: str
    labels: dict[str, str]
    facts: dict[str, Fact] = field(default_factory=dict)

    def add(self, fid: str, value: Any, unit: str, description: str, start=None, end=None, symbol=None) -> None:
        if fid in self.facts:
            raise ValueError(f"duplicate fact id {fid}")
        if isinstance(value, pd.Timestamp | dt.date):
            value = iso(value)
        elif hasattr(value, "item"):  # numpy scalar -> python
            value = value.item()
        if isinstance(value, float) and value != value:
            return  # NaN: the fact does not exist, rather than a fact that says nothing
        self.facts[fid] = Fact(fid, value, unit, description, iso(start), iso(end), symbol)

    def __contains__(self, fid: str) -> bool:
        return fid in self.facts

    def __getitem__(self, fid: str) -> Fact:
        return self.facts[fid]

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts.values())

    def __len__(self) -> int:
        return len(self.facts)

    def value(self, fid: str, default: Any = None) -> Any:
        fact = self.facts.get(fid)
        return default if fact is None else fact.value

    def key(self, symbol: str) -> str:
        return key_of(symbol)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(f) for f in self.facts.values()]).set_index("id")

    def to_json(self) -> str:
        payload = {"as_of": self.as_of, "labels": self.labels, "facts": [asdict(f) for f in self.facts.values()]}
        return json.dumps(payload, indent=1, sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> FactTable:
        payload = json.loads(text)
        table = cls(payload["as_of"], payload["labels"])
        for item in payload["facts"]:
            table.facts[item["id"]] = Fact(**item)
        return table
