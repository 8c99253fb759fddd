"""Price data for a note: pick a source from the registry, load every symbol, check the set.

`load_prices` returns a `PriceData`: per-symbol frames, the close panel (sessions x symbols,
gaps left as NaN and reported, never forward-filled), the as-of session actually used and a
SHA-256 of the exact numbers, which the manifest records so a note can be traced to its data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from marketnotes.calendar import ResolvedAsOf, missing_sessions
from marketnotes.data import files, fred, yahoo  # noqa: F401  (built-in sources, prices and series, register themselves)
from marketnotes.data.frame import to_panel
from marketnotes.data.registry import PriceSource, known_sources, make_source, register_source
from marketnotes.errors import AsOfError, EmptyData

__all__ = ["PriceData", "PriceSource", "known_sources", "load_prices", "make_source", "register_source"]

GAP_WINDOW_DAYS = 400  # report calendar gaps over roughly the last year before the as-of


@dataclass(frozen=True)
class PriceData:
    frames: dict[str, pd.DataFrame]
    as_of: pd.Timestamp
    source: str
    gaps: dict[str, list[str]] = field(default_factory=dict)
    complete: frozenset[str] = frozenset()  # symbols whose data covers the index's whole history

    @property
    def closes(self) -> pd.DataFrame:
        return to_panel(self.frames, "close")

    @property
    def highs(self) -> pd.DataFrame:
        return to_panel(self.frames, "high")

    def ranges(self) -> dict[str, tuple[str, str]]:
        return {s: (f.index.min().date().isoformat(), f.index.max().date().isoformat()) for s, f in self.frames.items()}

    def to_parquet(self, path) -> None:
        """A snapshot the notebook kernel reads instead of loading the data again.

        Uncompressed: it lives for one notebook run in a temporary folder on the same disk,
        and Snappy would cost the cold note's critical path ~0.02 s to write it (a little to
        read it back) for a file no one keeps; the values are the same either way."""
        long = pd.concat({s: f for s, f in self.frames.items()}, names=["symbol", "date"]).reset_index()
        table = long.assign(_as_of=self.as_of, _source=self.source, _complete=long["symbol"].isin(self.complete))
        table.to_parquet(path, index=False, compression=None)

    @classmethod
    def from_parquet(cls, path) -> PriceData:
        """Gaps were reported by the host that wrote the snapshot; they are not recomputed."""
        long = pd.read_parquet(path)
        frames = {
            str(symbol): group.drop(columns=["symbol", "_as_of", "_source", "_complete"]).set_index("date")
            for symbol, group in long.groupby("symbol", sort=False)
        }
        as_of, source = pd.Timestamp(long["_as_of"].iloc[0]), str(long["_source"].iloc[0])
        complete = frozenset(str(s) for s in long.loc[long["_complete"], "symbol"].unique())
        return cls(frames=frames, as_of=as_of, source=source, complete=complete)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for symbol in sorted(self.frames):
            digest.update(symbol.encode())
            digest.update(pd.util.hash_pandas_object(self.frames[symbol], index=True).to_numpy().tobytes())
        return digest.hexdigest()


def load_prices(
    source: PriceSource,
    symbols: list[str],
    resolved: ResolvedAsOf,
) -> PriceData:
    """Load each symbol through `as_of`, then settle the as-of session against the data."""
    frames = {symbol: source.load(symbol, resolved.session) for symbol in symbols}
    for symbol, frame in frames.items():
        if frame.empty:
            raise EmptyData(symbol, "the start of its history", resolved.session.date())
    as_of = _settle_as_of(frames, resolved)
    frames = {s: f.loc[:as_of] for s, f in frames.items()}
    complete = frozenset(s for s in symbols if source.history_complete(s))
    return PriceData(frames=frames, as_of=as_of, source=source.describe(), gaps=_recent_gaps(frames, as_of), complete=complete)


def _settle_as_of(frames: dict[str, pd.DataFrame], resolved: ResolvedAsOf) -> pd.Timestamp:
    session = resolved.session
    last = {s: f.index.max() for s, f in frames.items()}
    first = {s: f.index.min() for s, f in frames.items()}
    common_last = min(last.values())
    if resolved.requested == "latest" and common_last < session:
        # "latest" means the latest close every index has: a folder of exports ends where it ends.
        return common_last
    for symbol, frame in frames.items():
        if session > last[symbol]:
            raise AsOfError(
                resolved.requested,
                f"{session.date()} is after {symbol}'s data ends "
                f"(available {first[symbol].date()} .. {last[symbol].date()})",
            )
        if session < first[symbol]:
            raise AsOfError(resolved.requested, f"is before {symbol}'s data starts ({first[symbol].date()})")
        if session not in frame.index:
            raise AsOfError(resolved.requested, f"{symbol} has no close on the session {session.date()} (a gap in the data)")
    return session


def _recent_gaps(frames: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> dict[str, list[str]]:
    since = as_of - pd.Timedelta(days=GAP_WINDOW_DAYS)
    gaps = {}
    for symbol, frame in frames.items():
        missing = missing_sessions(pd.DatetimeIndex(frame.loc[since:].index))
        if len(missing):
            gaps[symbol] = [d.date().isoformat() for d in missing]
    return gaps
