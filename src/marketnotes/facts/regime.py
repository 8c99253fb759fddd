"""Market regimes on closes: bull and bear markets, corrections.

The conventions a market reporter uses: a bear market begins when an index closes 20% or
more below its bull-market high and lasts until it closes 20% above its bear-market low,
when a new bull market begins; a correction is a close 10% or more below the bull-market
high that stops short of a bear market. Measured this way, not from the all-time record,
2008 is a bear market for the Nasdaq even though its 2000 record was out of reach.
State "bull" is kept for a new bull market that has not yet made a record close; after
that the state is "none". `correction_entries` lists where every correction began, so
"the first correction since 2018" is a lookup rather than a second pass over the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from marketnotes.facts.history import RecordBasis
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
    lows: tuple[int, ...] = ()  # every bull market's starting low, oldest first




def turns(values: np.ndarray) -> list[tuple[str, int, int]]:
    """Every bull/bear switch: (new state, its pivot -- the high or low it is measured from --,
    the close that confirmed it). The data is taken to begin in a bull market. A bull market
    that closes below the low it rose from before it beat the bear's peak was a bear-market
    rally, however long it ran (the Russell 2000 from June 2022, undercut in October 2023):
    it is taken back, the bear market runs on, and the next bull is measured from the new low."""
    out: list[tuple[str, int, int]] = []
    state, pivot, confirmed = "bull", 0, 0
    while True:
        seg = values[pivot:]
        extreme = np.maximum.accumulate(seg) if state == "bull" else np.minimum.accumulate(seg)
        hit = seg <= (1 - BEAR) * extreme if state == "bull" else seg >= (1 + BULL) * extreme
        hit[: confirmed - pivot + 1] = False  # a switch needs a confirmed state to switch from
        found = np.flatnonzero(hit)
        void = _failed_rally(values, out, seg, extreme, pivot, confirmed) if state == "bull" else None
        if void is not None and (not len(found) or void < found[0]):
            out.pop()
            state, (_, pivot, _), confirmed = "bear", out[-1], pivot + void
            continue
        if not len(found):
            return out
        j = int(found[0])
        pick = np.argmax if state == "bull" else np.argmin
        state = "bear" if state == "bull" else "bull"
        pivot, confirmed = pivot + int(pick(seg[: j + 1])), pivot + j
        out.append((state, pivot, confirmed))


def _failed_rally(values, out, seg, highs, pivot, confirmed) -> int | None:
    """Position in `seg` where a bull market short of the bear's peak undercuts the low it rose from, if it does."""
    if not out or out[-1][0] != "bull":
        return None
    bear_peak = values[out[-2][1]]
    under = (seg < seg[0]) & (highs < bear_peak)
    under[: confirmed - pivot + 1] = False
    hits = np.flatnonzero(under)
    return int(hits[0]) if len(hits) else None


def without_failed_rallies(values: np.ndarray, switches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Drop bear-market rallies: a bull leg short of the bear's peak whose following bear
    undercuts the low it rose from (Nov. 2008 to Jan. 2009 for the S&P 500: +24%, then a lower low in March).
    The bear market then runs on from its original peak, as desks date 2007-2009."""
    out = list(switches)
    i = 0
    while i + 1 < len(out):
        state, low, _ = out[i]
        if state == "bull" and i > 0 and out[i + 1][0] == "bear":
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
    lows = tuple(p for s, p, _ in switches if s == "bull")
    now = values[-1]
    if switches and switches[-1][0] == "bear":
        _, peak, confirmed = switches[-1]
        since = values[peak:]
        trough = peak + int(np.flatnonzero(since == since.min())[-1])
        return Regime("bear", peak, trough, confirmed, bears, lows)
    low = switches[-1][1] if switches else 0
    peak = low + int(np.argmax(values[low:]))
    since = values[peak:]
    trough = peak + int(np.flatnonzero(since == since.min())[-1])
    if now <= (1 - CORRECTION) * values[peak]:
        above = np.flatnonzero(since > (1 - CORRECTION) * values[peak])  # the peak itself is, so never empty
        return Regime("correction", peak, trough, peak + int(above[-1]) + 1, bears, lows)
    record = int(np.argmax(values[: low + 1]))
    if switches and values[peak] <= values[record]:
        return Regime("bull", record, low, switches[-1][2], bears, lows)  # a new bull market, short of its record
    return Regime("none", peak, trough, None, bears, lows)


def bull_highs(values: np.ndarray, lows: tuple[int, ...]) -> np.ndarray:
    """At each close, the high a correction is measured from: the highest close since the
    current bull market's low (since the data's start before the first bear market)."""
    segment = np.zeros(len(values), dtype=int)
    segment[list(lows)] = 1
    return pd.Series(values).groupby(np.cumsum(segment)).cummax().to_numpy()


def last_correction_close(values: np.ndarray, highs: np.ndarray, before: int) -> int | None:
    """The last close before position `before` that was 10% or more below its high: "its first
    close in correction territory since July 7" dates from that day, not from when it began."""
    down = np.flatnonzero(values[:before] <= (1 - CORRECTION) * highs[:before])
    return int(down[-1]) if len(down) else None


def add_regime_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, basis: RecordBasis | None = None) -> None:
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
    basis = basis or RecordBasis(dates[0])
    record = top >= values[: regime.peak + 1].max() and top > basis.floor and basis.honest(peak)
    table.add(f"{key}.regime.peak.record", int(record), "count", "1 when that high was a record close (the records known: facts/history.py)", end=peak, symbol=symbol)
    table.add(f"{key}.regime.trough.date", trough, "date", f"{label} low the regime is measured from (bear-market low for a bull market)", end=trough, symbol=symbol)
    table.add(f"{key}.regime.trough.value", low, "level", f"{label} that low", end=trough, symbol=symbol)
    table.add(f"{key}.regime.trough.drawdown", low / top - 1, "pct", f"{label} that low relative to the high", peak, trough, symbol)
    table.add(f"{key}.regime.rebound", values[-1] / low - 1, "pct", f"{label} close relative to that low", trough, as_of, symbol)
    if regime.entered is not None:
        entered = dates[regime.entered]
        table.add(f"{key}.regime.entered", entered, "date", f"{label} session the {regime.state} state began", entered, as_of, symbol)
        table.add(f"{key}.regime.sessions", len(values) - 1 - regime.entered, "count", f"sessions {label} has been in this {regime.state} state", entered, as_of, symbol)
    highs = bull_highs(values, regime.lows)
    if regime.state == "bear" and len(regime.bears) > 1:
        previous = dates[regime.bears[-2]]
        table.add(f"{key}.regime.previous.date", previous, "date", f"{label} previous bear market began on this date", previous, previous, symbol)
    elif regime.state == "correction":
        last = last_correction_close(values, highs, regime.entered)
        if last is not None:
            table.add(f"{key}.regime.previous.date", dates[last], "date", f"{label} last close in correction territory before this one began", dates[last], dates[last], symbol)
            table.add(f"{key}.regime.reentry", int(highs[last] == top), "count", f"1 when {label} fell back into a correction from the same high", dates[last], as_of, symbol)
    anchor = window_start(history, as_of, "1w")
    if anchor is not None:
        before = regime_at(values[: dates.get_loc(anchor) + 1])
        table.add(f"{key}.regime.prev_state", before.state, "text", f"{label} regime at the start of the week", anchor, anchor, symbol)
        if regime.state in ("none", "bull") and before.state in ("none", "bull"):
            _add_touch(table, key, label, symbol, values, dates, highs, dates.get_loc(anchor) + 1)
        if regime.state == "correction":
            _add_brink(table, key, label, symbol, values, dates, regime.peak, dates.get_loc(anchor) + 1)


BRINK = 0.19  # a close within a point of the bear-market line is "on the brink"


def _add_brink(table, key, label, symbol, values, dates, peak: int, first: int) -> None:
    """The week's deepest close of an index in a correction, when it came within a point of a
    bear market without entering one: "19.8% below its peak, on the brink of a bear market" is
    the week's story even when Friday's close is further off."""
    if first >= len(values):
        return
    deepest = first + int(np.argmin(values[first:]))
    drawdown = values[deepest] / values[peak] - 1
    if -BEAR < drawdown <= -BRINK:
        table.add(f"{key}.regime.brink.date", dates[deepest], "date", f"{label} session of its deepest close of the week, within a point of a bear market", dates[deepest], dates[deepest], symbol)
        table.add(f"{key}.regime.brink.drawdown", drawdown, "pct", f"{label} that close relative to its bull-market high", dates[peak], dates[deepest], symbol)


def _add_touch(table, key, label, symbol, values, dates, highs: np.ndarray, first: int) -> None:
    """A correction entered and left within the week: "slipped into a correction on Monday but
    recovered" is news that Friday's state alone would hide. Its distance is quoted from the
    same high the 10% test used."""
    down = np.flatnonzero(values[first:] <= (1 - CORRECTION) * highs[first:])
    if not len(down):
        return
    touched = first + int(down[0])
    high = int(np.flatnonzero(values[:touched] == highs[touched])[-1])
    table.add(f"{key}.regime.touched", "correction", "text", f"{label} closed in a correction during the week and left it", dates[touched], dates[-1], symbol)
    table.add(f"{key}.regime.touched_date", dates[touched], "date", f"{label} session it closed 10% below its bull-market high", dates[touched], dates[touched], symbol)
    table.add(f"{key}.regime.touched_high", dates[high], "date", f"{label} the high that close was measured from", dates[high], dates[high], symbol)
    table.add(f"{key}.regime.touched_drawdown", values[-1] / values[high] - 1, "pct", f"{label} close relative to that high", dates[high], dates[-1], symbol)
    last = last_correction_close(values, highs, touched)
    if last is not None:
        table.add(f"{key}.regime.touched_previous", dates[last], "date", f"{label} last close in correction territory before this week", dates[last], dates[last], symbol)
