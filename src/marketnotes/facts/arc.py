"""The story arc: the last months of one index told as phases - it fell, went sideways, rallied.

A markets desk does not describe six months of a chart as one trend: "the Russell 2000 had
been sliding since the April CPI release, traded sideways through June and rallied hard
after the July CPI release; meanwhile the Nasdaq-100 set record after record". These facts
let that sentence be written for any index without knowing the story in advance:

* the phases come from `phases.pieces`: `trend.py`'s volatility-scaled zigzag, run over twice
  the lookback so the first turning point inside the window was confirmed by a full move into
  it (the arc never starts at the window's edge or at the first row of data), with sideways
  ranges cut in;
* a phase whose first session was a calendar event's is tied to it ("since the May CPI
  release"): the turning close was the close before the release, so the release day made the
  first move of the new leg. A release days away from a turn, or on the turning day itself
  (the old leg's last move), did not make it and is not named; CPI first where two coincide;
* the other index of the pair is measured over the same span, for the "meanwhile".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from marketnotes.facts.moves import daily_vol
from marketnotes.facts.phases import pieces
from marketnotes.facts.table import FactTable, key_of

LOOKBACK_SESSIONS = 130  # about six months: the span a weekly note's "story so far" covers
MAX_PHASES = 4
MIN_OPENING_SESSIONS = 5
EVENT_OFFSET = 1  # the event's session is the first after the turning close: it made the new leg's first move
PREFERRED_EVENT = "cpi"


@dataclass(frozen=True)
class Phase:
    kind: Literal["rise", "fall", "range"]
    start: pd.Timestamp
    end: pd.Timestamp
    change: float
    width: float | None  # ranges: max/min - 1 of the closes inside
    sessions: int  # sessions after `start` up to `end`, so consecutive phases add up
    start_event: str | None = None
    start_event_date: pd.Timestamp | None = None
    start_event_offset: int | None = None  # sessions from the turning close to the event's session
    start_is_extreme: bool = True  # the start close is the phase's low (rise) or high (fall)
    extreme: pd.Timestamp | None = None  # the phase's own low (fall) or high (rise)


def arc_phases(
    closes: pd.Series,
    as_of,
    events: pd.DataFrame | None = None,
    lookback_sessions: int = LOOKBACK_SESSIONS,
    max_phases: int = MAX_PHASES,
) -> list[Phase]:
    """The phases that start inside the last `lookback_sessions` sessions, oldest first, at most
    `max_phases` (the latest), the last ending at `as_of`. Empty when nothing turned in the window.

    The zigzag threshold comes from `daily_vol` as `trend.py`'s does, so the current phase
    starts where `K.trend.since` says unless a range has begun since.
    """
    as_of = pd.Timestamp(as_of)
    history = closes.loc[:as_of].dropna().iloc[-(2 * lookback_sessions + 1) :]
    vol = daily_vol(history, as_of)
    if not vol:
        return []
    prices = history.to_numpy(dtype=float)
    window = max(1, len(prices) - lookback_sessions)
    found = pieces(prices, vol, window)
    first = next((k for k, p in enumerate(found) if p.real and p.start >= window), None)
    if first is None:
        return []
    # a start is the leg's "peak" or "low" only if no close in the piece before it or in the leg
    # itself goes beyond it (a range's edge is often not the top of the range)
    from_ = [found[k - 1].start if k else found[k].start for k in range(len(found))]
    cut = max(first, len(found) - max_phases)
    found, from_ = found[cut:], from_[cut:]
    index = history.index
    phases = []
    for p, (label, day), before in zip(found, _event_ties(index, [p.start for p in found], events), from_, strict=True):
        inside = prices[p.start : p.end + 1]
        width = float(inside.max() / inside.min() - 1) if p.kind == "range" else None
        change = float(prices[p.end] / prices[p.start] - 1)
        offset = None if day is None else int(index.get_loc(day)) - p.start
        around = prices[before : p.end + 1]
        is_extreme = p.kind == "range" or prices[p.start] == (around.min() if p.kind == "rise" else around.max())
        turn = p.start + int(np.argmax(inside) if p.kind == "rise" else np.argmin(inside)) if p.kind != "range" else p.end
        phases.append(Phase(p.kind, index[p.start], index[p.end], change, width, p.end - p.start, label, day, offset, bool(is_extreme), index[turn]))
    while len(phases) > 1 and phases[0].sessions < MIN_OPENING_SESSIONS:
        phases.pop(0)  # a few sessions' move is no way to open the story of months
    return phases


def _event_ties(index: pd.DatetimeIndex, starts: list[int], events: pd.DataFrame | None) -> list[tuple[str, pd.Timestamp] | tuple[None, None]]:
    """For each start, the event on the session after it (the new leg's first move), CPI before
    other kinds on the same session."""
    none = [(None, None)] * len(starts)
    if events is None or not len(events) or not starts:
        return none
    dates = events["date"].to_numpy("datetime64[ns]")
    mine = (dates >= index[0].to_datetime64()) & (dates <= index[-1].to_datetime64())
    if not mine.any():
        return none
    pos = index.searchsorted(dates[mine])  # first session on or after, as `events.event_sessions`
    labels = events["label"].to_numpy()[mine]
    cpi = (events["kind"].to_numpy()[mine] == PREFERRED_EVENT) if "kind" in events else np.zeros(len(pos), bool)
    ties = []
    for s in starts:
        gap = pos - s
        near = np.flatnonzero(gap == EVENT_OFFSET)
        if not len(near):
            ties.append((None, None))
            continue
        best = near[np.argsort(~cpi[near], kind="stable")[0]]
        ties.append((str(labels[best]), index[pos[best]]))
    return ties


def add_arc_facts(table: FactTable, closes: pd.DataFrame, as_of, pair: tuple[str, str] | None, events: pd.DataFrame | None) -> None:
    """`K.arc.*` for each index of the pair: its phases oldest first, and what the other index did
    over the same span ("...meanwhile the Nasdaq-100 set record after record")."""
    if not pair:
        return
    as_of = pd.Timestamp(as_of)
    for symbol, other in (pair, pair[::-1]):
        if symbol not in closes:
            continue
        key, label = key_of(symbol), table.labels.get(symbol, symbol)
        phases = arc_phases(closes[symbol], as_of, events)
        span_start = phases[0].start if phases else None
        table.add(f"{key}.arc.count", len(phases), "count", f"{label} phases of its recent story arc", span_start, as_of, symbol)
        for i, ph in enumerate(phases):
            add = _phase_adder(table, f"{key}.arc.{i}", ph, symbol)
            add("kind", ph.kind, "text", f"{label} phase {i}: rise, fall or range")
            add("start", ph.start, "date", f"{label} phase {i} start (a turning point or a range edge)")
            add("end", ph.end, "date", f"{label} phase {i} end")
            add("change", ph.change, "pct", f"{label} change over phase {i}")
            add("sessions", ph.sessions, "count", f"{label} sessions in phase {i}")
            if ph.width is not None:
                add("width", ph.width, "pct", f"{label} high-to-low width of the range in phase {i}")
            add("start_extreme", int(ph.start_is_extreme), "count", f"1 when {label}'s phase {i} starts at its own low (rise) or high (fall)")
            if ph.start_event is not None:
                add("start_event", ph.start_event, "text", f"event on the first session of {label}'s phase {i}")
                add("start_event_date", ph.start_event_date, "date", f"session of the {ph.start_event} that began {label}'s phase {i}")
                add("start_event_offset", ph.start_event_offset, "count", f"sessions from the turning close of {label}'s phase {i} to that event (always 1: the event's session made the leg's first move)")
        last = phases[-1] if phases else None
        if last is not None and last.kind != "range" and last.extreme != as_of:
            # the current leg has not reversed by the zigzag's measure, but the week may have moved hard against it
            series = closes[symbol].loc[:as_of]
            retrace = float(series.iloc[-1] / series.loc[last.extreme] - 1)
            table.add(f"{key}.arc.last.extreme", last.extreme, "date", f"{label}'s {'low' if last.kind == 'fall' else 'high'} in its current phase", last.extreme, last.extreme, symbol)
            table.add(f"{key}.arc.last.retrace", retrace, "pct", f"{label} change since that {'low' if last.kind == 'fall' else 'high'}", last.extreme, as_of, symbol)
        if phases and other in closes:
            _add_other(table, key, label, other, closes[other], span_start, as_of)


def _phase_adder(table: FactTable, prefix: str, phase: Phase, symbol: str):
    def add(detail: str, value, unit: str, description: str) -> None:
        table.add(f"{prefix}.{detail}", value, unit, description, phase.start, phase.end, symbol)

    return add


def _add_other(table: FactTable, key: str, label: str, other: str, closes: pd.Series, start: pd.Timestamp, as_of: pd.Timestamp) -> None:
    """The other index from this one's arc start to the as-of: change, record closes, highest since."""
    history = closes.loc[:as_of].dropna()
    before = history.loc[:start]
    if before.empty:
        return
    other_label = table.labels.get(other, other)
    values = history.to_numpy(dtype=float)
    today = values[-1]
    table.add(f"{key}.arc.other.change", today / before.iloc[-1] - 1, "pct", f"{other_label} change over {label}'s arc", start, as_of, other)
    record = np.concatenate(([False], values[1:] > np.maximum.accumulate(values)[:-1]))
    span = history.index > start
    table.add(f"{key}.arc.other.records", int(record[span].sum()), "count", f"{other_label} record closes over {label}'s arc", start, as_of, other)
    higher = np.flatnonzero(values[:-1] > today)
    if len(higher) and history.index[higher[-1]] < start:
        since = history.index[higher[-1]]
        table.add(f"{key}.arc.other.high_since", since, "date", f"{other_label} closes at its highest since this date's close, before {label}'s arc began", since, as_of, other)
