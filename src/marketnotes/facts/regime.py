"""Market regimes on closes: bull and bear markets, corrections.

The conventions a market reporter uses: a bear market begins when an index closes 20% or
more below its bull-market high and lasts until it closes 20% above its bear-market low,
when a new bull market begins; a correction is a close 10% or more below the bull-market
high that stops short of a bear market. Measured this way, not from the all-time record,
2008 is a bear market for the Nasdaq even though its 2000 record was out of reach.
State "bull" is kept for a new bull market that has not yet made a record close; after
that the state is "none". `drawdown_episodes` lists every record-to-record episode, so
"the first correction since 2018" is a lookup rather than a second pass over the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketnotes.facts.moves import window_start
from marketnotes.facts.table import FactTable, key_of

CORRECTION = 0.10  # close at least 10% below the bull-market high
BEAR = 0.20  # close at least 20% below the bull-market high
BULL = 0.20  # close at least 20% above the bear market's low


@dataclass(frozen=True)
class Regime:
    """Positions in the closes the regime was judged on; `entered` is None when state is "none"."""

    state: str
    peak: int
    trough: int
    entered: int | None
    bears: tuple[int, ...] = ()  # confirmation positions of every bear market, oldest first


def turns(values: np.ndarray) -> list[tuple[str, int, int]]:
    """Every bull/bear switch: (new state, its pivot -- the high or low it is measured from --,
    the close that confirmed it). The data is taken to begin in a bull market."""
    out: list[tuple[str, int, int]] = []
    state, pivot, confirmed = "bull", 0, 0
    while True:
        seg = values[pivot:]
        extreme = np.maximum.accumulate(seg) if state == "bull" else np.minimum.accumulate(seg)
        hit = seg <= (1 - BEAR) * extreme if state == "bull" else seg >= (1 + BULL) * extreme
        hit[: confirmed - pivot + 1] = False  # a switch needs a confirmed state to switch from
        found = np.flatnonzero(hit)
        if not len(found):
            return out
        j = int(found[0])
        pick = np.argmax if state == "bull" else np.argmin
        state = "bear" if state == "bull" else "bull"
        pivot, confirmed = pivot + int(pick(seg[: j + 1])), pivot + j
        out.append((state, pivot, confirmed))


RALLY_SESSIONS = 252  # a "bull market" shorter than a year that ends below its own start was a rally


def without_failed_rallies(values: np.ndarray, switches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop bear-market rallies: a bull leg of under a year, short of the bear's peak, whose
    following bear undercuts the low it rose from (Nov. 2008 to Jan. 2009 for the S&P 500: +24%, then a lower low in March).
    The bear market then runs on from its original peak, as desks date 2007-2009."""
    out = list(switches)
    i = 0
    while i + 1 < len(out):
        state, low, _ = out[i]
        if state == "bull" and i > 0 and out[i + 1][0] == "bear" and out[i + 1][1] - low < RALLY_SESSIONS:
            peak = out[i + 1][1]
            if values[peak] >= values[out[i - 1][1]]:
                i += 1
                continue  # a rally to a new high was a bull market, however short
            trough = values[out[i + 2][1]] if i + 2 < len(out) else values[peak:].min()
            if trough < values[low]:
                del out[i : i + 2]
                i = max(i - 1, 0)
                continue
        i += 1
    return out


def regime_at(values: np.ndarray) -> Regime:
    """The regime at the last of `values` (closes, oldest first, no NaNs)."""
    switches = without_failed_rallies(values, turns(values))
    bears = tuple(c for s, _, c in switches if s == "bear")
    now = values[-1]
    if switches and switches[-1][0] == "bear":
        _, peak, confirmed = switches[-1]
        since = values[peak:]
        trough = peak + int(np.flatnonzero(since == since.min())[-1])
        return Regime("bear", peak, trough, confirmed, bears)
    low = switches[-1][1] if switches else 0
    peak = low + int(np.argmax(values[low:]))
    since = values[peak:]
    trough = peak + int(np.flatnonzero(since == since.min())[-1])
    if now <= (1 - CORRECTION) * values[peak]:
        above = np.flatnonzero(since > (1 - CORRECTION) * values[peak])  # the peak itself is, so never empty
        return Regime("correction", peak, trough, peak + int(above[-1]) + 1, bears)
    record = int(np.argmax(values[: low + 1]))
    if switches and values[peak] <= values[record]:
        return Regime("bull", record, low, switches[-1][2], bears)  # a new bull market, short of its record
    return Regime("none", peak, trough, None, bears)


def drawdown_episodes(closes: pd.Series) -> pd.DataFrame:
    """One row per record close that was followed by a fall, through the next record (or as-of).

    Columns: peak_date, peak, trough_date, trough, depth (trough/peak - 1), correction_date and
    bear_date (first close 10% / 20% below that peak, NaT if never), recovered_date (the next
    record close, NaT while the episode lasts).
    """
    values = closes.to_numpy(dtype=float)
    dates = closes.index
    if len(values) == 0:
        return pd.DataFrame(columns=["peak_date", "peak", "trough_date", "trough", "depth", "correction_date", "bear_date", "recovered_date"])
    running = np.maximum.accumulate(values)
    new_peak = np.r_[True, values[1:] > running[:-1]]
    starts = np.flatnonzero(new_peak)
    group = np.cumsum(new_peak) - 1
    peaks = values[starts]
    troughs = np.minimum.reduceat(values, starts)
    peak_of = peaks[group]  # each close's own record, compared the way regime_at compares
    episodes = pd.DataFrame(
        {
            "peak_date": dates[starts],
            "peak": peaks,
            "trough_date": dates[_last_in_group(np.flatnonzero(values == troughs[group]), group)],
            "trough": troughs,
            "depth": troughs / peaks - 1,
            "correction_date": _first_date_in_group(values <= (1 - CORRECTION) * peak_of, group, dates, len(starts)),
            "bear_date": _first_date_in_group(values <= (1 - BEAR) * peak_of, group, dates, len(starts)),
            "recovered_date": np.r_[dates.values[starts[1:]], np.datetime64("NaT")].astype(dates.values.dtype),
        }
    )
    return episodes[episodes["depth"] < 0].reset_index(drop=True)


def _last_in_group(positions: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Of sorted positions covering every group, the last one in each group."""
    owner = group[positions]
    return positions[np.r_[owner[1:] != owner[:-1], True]]


def _first_date_in_group(mask: np.ndarray, group: np.ndarray, dates: pd.DatetimeIndex, groups: int) -> np.ndarray:
    """Per group, the date of its first position where `mask` holds (NaT where it never does)."""
    hits = np.flatnonzero(mask)
    owner = group[hits]
    first = np.r_[True, owner[1:] != owner[:-1]] if len(hits) else np.zeros(0, dtype=bool)
    out = np.full(groups, np.datetime64("NaT"), dtype=dates.values.dtype)
    out[owner[first]] = dates.values[hits[first]]
    return out


def add_regime_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp) -> None:
    history = closes.loc[:as_of]
    if history.empty:
        return
    key, label = key_of(symbol), table.labels[symbol]
    values, dates = history.to_numpy(dtype=float), history.index
    regime = regime_at(values)
    peak, trough = dates[regime.peak], dates[regime.trough]
    top, low = values[regime.peak], values[regime.trough]
    table.add(f"{key}.regime.state", regime.state, "text", f"{label} regime: bear, bull (a new bull market short of its record), correction or none", peak, as_of, symbol)
    table.add(f"{key}.regime.drawdown", values[-1] / top - 1, "pct", f"{label} close relative to its bull-market high", peak, as_of, symbol)
    table.add(f"{key}.regime.peak.date", peak, "date", f"{label} bull-market high the regime is measured from", end=peak, symbol=symbol)
    table.add(f"{key}.regime.peak.value", top, "level", f"{label} bull-market high", end=peak, symbol=symbol)
    table.add(f"{key}.regime.peak.record", int(top >= values[: regime.peak + 1].max()), "count", f"1 when that high was a record close in the data", end=peak, symbol=symbol)
    table.add(f"{key}.regime.trough.date", trough, "date", f"{label} low the regime is measured from (bear-market low for a bull market)", end=trough, symbol=symbol)
    table.add(f"{key}.regime.trough.value", low, "level", f"{label} that low", end=trough, symbol=symbol)
    table.add(f"{key}.regime.trough.drawdown", low / top - 1, "pct", f"{label} that low relative to the high", peak, trough, symbol)
    table.add(f"{key}.regime.rebound", values[-1] / low - 1, "pct", f"{label} close relative to that low", trough, as_of, symbol)
    if regime.entered is not None:
        entered = dates[regime.entered]
        table.add(f"{key}.regime.entered", entered, "date", f"{label} session the {regime.state} state began", entered, as_of, symbol)
        table.add(f"{key}.regime.sessions", len(values) - 1 - regime.entered, "count", f"sessions {label} has been in this {regime.state} state", entered, as_of, symbol)
    if regime.state == "correction":
        first = dates[regime.peak + int(np.argmax(values[regime.peak:] <= (1 - CORRECTION) * top))]
        table.add(f"{key}.regime.first_entered", first, "date", f"{label} first close 10% below the high (a later date in `entered` means a re-entry)", first, as_of, symbol)
    if regime.state == "bear" and len(regime.bears) > 1:
        previous = dates[regime.bears[-2]]
        table.add(f"{key}.regime.previous.date", previous, "date", f"{label} previous bear market began on this date", previous, previous, symbol)
    elif regime.state == "correction":
        _add_previous(table, key, label, symbol, history, peak, regime.state)
    anchor = window_start(history, as_of, "1w")
    if anchor is not None:
        before = regime_at(values[: dates.get_loc(anchor) + 1])
        table.add(f"{key}.regime.prev_state", before.state, "text", f"{label} regime at the start of the week", anchor, anchor, symbol)


def _add_previous(table: FactTable, key: str, label: str, symbol: str, history: pd.Series, peak: pd.Timestamp, state: str) -> None:
    """The last earlier episode that reached the same depth: "the first bear market since 2008"."""
    episodes = drawdown_episodes(history)
    column = f"{state}_date"
    earlier = episodes[(episodes["peak_date"] < peak) & episodes[column].notna()]
    if earlier.empty:
        return
    last = earlier.iloc[-1]
    table.add(f"{key}.regime.previous.date", last[column], "date", f"{label} previous {state} began on this date", last[column], last["trough_date"], symbol)
    table.add(f"{key}.regime.previous.depth", last["depth"], "pct", f"{label} depth of that previous {state} (trough below its record)", last["peak_date"], last["trough_date"], symbol)
