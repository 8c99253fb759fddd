"""Pure analytics: frames in, a `FactTable` out. No I/O, no globals, no clock.

`compute_facts` is the single entry point the narrative, the charts and the templates use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from marketnotes.facts.arc import add_arc_facts
from marketnotes.facts.closures import add_closure_facts
from marketnotes.facts.events import add_event_facts, event_study
from marketnotes.facts.extremes import add_day_extremes
from marketnotes.facts.history import KnownRecord, add_first_ever, add_history_facts, record_basis
from marketnotes.facts.milestones import add_milestone_facts
from marketnotes.facts.months import add_months_facts
from marketnotes.facts.moves import add_move_facts, window_start
from marketnotes.facts.peaks import add_peak_facts
from marketnotes.facts.policy import add_policy_facts, cpi_note_decision, month_decision
from marketnotes.facts.readings import add_reading_facts
from marketnotes.facts.regime import add_regime_facts
from marketnotes.facts.releases import add_release_facts
from marketnotes.facts.rotation import add_pair_facts, add_rotation_day_facts, rotation_days
from marketnotes.facts.standings import add_standings_facts
from marketnotes.facts.streaks import add_streak_end_facts, add_streak_facts
from marketnotes.facts.table import Fact, FactTable, key_of
from marketnotes.facts.trend import add_trend_facts
from marketnotes.facts.twodays import add_two_day_facts
from marketnotes.facts.weeks import add_week_extreme, is_week_complete
from marketnotes.facts.whipsaws import add_whipsaw_facts

__all__ = ["Fact", "FactTable", "FactsConfig", "KnownRecord", "compute_facts", "event_study", "is_week_complete", "key_of", "rotation_days"]


@dataclass(frozen=True)
class FactsConfig:
    labels: dict[str, str]
    windows: tuple[str, ...] = ("1d", "1w", "1m", "ytd")
    pair: tuple[str, str] | None = None
    rotation_threshold_pct: float = 1.0
    complete: frozenset[str] = frozenset()  # symbols whose data covers the index's history: "record" is honest
    kind: str = "weekly"  # params note_kind: the stock notes' extra facts are computed only for their kind
    known_records: dict[str, tuple[KnownRecord, ...]] = field(default_factory=dict)  # record closes the data may not hold (data/records.py)

    @classmethod
    def from_params(cls, params, complete: frozenset[str] = frozenset(), known_records: dict | None = None) -> FactsConfig:
        return cls(dict(params.labels), tuple(params.lookback), params.rotation_pair, params.rotation_threshold, frozenset(complete), params.note_kind, dict(known_records or {}))


def compute_facts(
    closes: pd.DataFrame,
    as_of: pd.Timestamp,
    config: FactsConfig,
    highs: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    macro=None,
) -> FactTable:
    """Every fact family for every index in `closes` (sessions x symbols) at the `as_of` close.
    `macro` (data/macro.py's MacroData: the economic series a CPI note reads) is used only by
    the kinds of note that state readings."""
    as_of = pd.Timestamp(as_of)
    table = FactTable(as_of=as_of.date().isoformat(), labels=dict(config.labels))
    table.add("session.date", as_of, "date", "the as-of session", end=as_of)
    complete = is_week_complete(as_of)  # decided once: every weekly fact below agrees on it
    table.add("session.week_complete", int(complete), "count", "1 when the as-of session is the last of its calendar week", end=as_of)
    for symbol in closes.columns:
        series = closes[symbol].dropna().loc[:as_of]
        if series.empty or series.index[-1] != as_of:
            raise ValueError(f"{symbol} has no close on {as_of.date()}")
        basis = record_basis(series, symbol in config.complete, config.known_records.get(symbol, ()))
        add_history_facts(table, symbol, series, as_of, basis, symbol in config.complete)
        add_move_facts(table, symbol, series, as_of, config.windows)
        add_day_extremes(table, symbol, series, as_of)
        add_week_extreme(table, symbol, series, as_of, complete)
        add_streak_facts(table, symbol, series, as_of, complete)
        add_streak_end_facts(table, symbol, series, as_of)
        high = highs[symbol] if highs is not None and symbol in highs else None
        add_peak_facts(table, symbol, series, as_of, high, basis)
        add_milestone_facts(table, symbol, series, as_of)
        add_first_ever(table, symbol, basis)
        add_whipsaw_facts(table, symbol, series, as_of)
        add_two_day_facts(table, symbol, series, as_of)
        add_regime_facts(table, symbol, series, as_of, basis)
        add_trend_facts(table, symbol, series, as_of)
    if config.pair:
        add_pair_facts(table, closes, as_of, config.pair, config.windows)
        add_arc_facts(table, closes, as_of, config.pair, events)
    if closes.shape[1] > 1:
        add_rotation_day_facts(table, closes, as_of, config.rotation_threshold_pct)
        add_standings_facts(table, closes, as_of, config.pair)
    if events is not None and len(events):
        add_event_facts(table, closes, events, as_of)
    anchor = window_start(closes.iloc[:, 0].dropna(), as_of, "1w")
    if config.kind == "weekly" and anchor is not None:  # the stock notes add their own window's
        add_closure_facts(table, closes.loc[:as_of].dropna(how="all").index, anchor, as_of)  # the week after Sept. 11, 2001
        add_reading_facts(table, macro, events, as_of, "cpi")  # what a release in the week showed (analysis.week_reading)
    add_kind_facts(table, closes, as_of, config, events, macro)
    return table


def add_kind_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp, config: FactsConfig, events: pd.DataFrame | None, macro=None) -> None:
    """What only one kind of note states, computed only for it: a weekly note's facts (and
    cost) are those it always had. `note.kind` tells the narrative which note to write."""
    if config.kind == "weekly":
        return
    table.add("note.kind", config.kind, "text", "the kind of note: its prose follows it (params note_kind)", end=as_of)
    if config.kind == "cpi-reaction" and events is not None and len(events):
        add_release_facts(table, closes, events, as_of, "cpi", config.pair)
        add_reading_facts(table, macro, events, as_of, "cpi")  # what the release said
        add_policy_facts(table, macro, events, cpi_note_decision(events, as_of))  # and the Fed, where it decided that week
    elif config.kind == "monthly-review":
        add_months_facts(table, closes, as_of)
        add_policy_facts(table, macro, events, month_decision(events, as_of))  # the Fed's move in the month
