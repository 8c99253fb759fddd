"""Event study: how each index moved on event days and since the latest event; what comes next.

When a refreshable calendar (CPI, FOMC) knows no event after the as-of session, the note
must not fall silent about it: `<kind>.calendar.end` and `.calendar.end_label` name the
last one known, so "What to watch" can say where the calendar ends instead of inventing a
date, and the CLI can tell the user to run `marketnotes events update`.
"""

from __future__ import annotations

import pandas as pd

from marketnotes.events import UPDATABLE
from marketnotes.facts.table import FactTable, key_of

STUDY_EVENTS = 12  # the last year of monthly releases


def event_sessions(index: pd.DatetimeIndex, dates: pd.Series) -> pd.Series:
    """Map each event date to the first session on or after it (an 08:30 release moves that session)."""
    pos = index.searchsorted(pd.DatetimeIndex(dates))
    valid = pos < len(index)
    return pd.Series(index[pos[valid]], index=dates.index[valid])


def event_study(closes: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp, kind: str, last_n: int = STUDY_EVENTS) -> pd.DataFrame:
    """Per event (rows) and index: return on the event session and from it to the next event (or as-of)."""
    panel = closes.loc[:as_of].dropna(how="all")
    mine = events[(events["kind"] == kind) & (events["date"] <= as_of)].tail(last_n)
    if mine.empty or len(panel) < 2:
        return pd.DataFrame()
    sessions = event_sessions(panel.index, mine["date"])
    rows = []
    ends = list(sessions.iloc[1:]) + [as_of]
    for (idx, session), end in zip(sessions.items(), ends, strict=True):
        pos = panel.index.get_loc(session)
        if pos == 0:
            continue
        before = panel.iloc[pos - 1]
        row = {"date": session, "label": mine.loc[idx, "label"]}
        for symbol in panel.columns:
            row[f"{symbol} day"] = panel[symbol].loc[session] / before[symbol] - 1
            row[f"{symbol} to next"] = panel[symbol].loc[end] / before[symbol] - 1
        rows.append(row)
    return pd.DataFrame(rows).set_index("date") if rows else pd.DataFrame()


def add_event_facts(table: FactTable, closes: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp) -> None:
    for kind in events["kind"].unique() if len(events) else []:
        upcoming = events[(events["kind"] == kind) & (events["date"] > as_of)]
        if len(upcoming):
            nxt = upcoming.iloc[0]
            table.add(f"{kind}.next.date", nxt["date"], "date", f"next {kind} event after the as-of session", end=nxt["date"])
            table.add(f"{kind}.next.label", nxt["label"], "text", f"next {kind} event", end=nxt["date"])
        elif kind in UPDATABLE:
            last = events[events["kind"] == kind].iloc[-1]
            table.add(f"{kind}.calendar.end", last["date"], "date", f"last {kind} event in the calendar (none is known after the as-of session)", end=last["date"])
            table.add(f"{kind}.calendar.end_label", last["label"], "text", f"last {kind} event in the calendar", end=last["date"])
        study = event_study(closes, events, as_of, kind)
        if study.empty:
            continue
        last_date, last = study.index[-1], study.iloc[-1]
        table.add(f"{kind}.last.date", last_date, "date", f"session of the latest {kind} event", end=last_date)
        table.add(f"{kind}.last.label", last["label"], "text", f"latest {kind} event", end=last_date)
        for symbol in closes.columns:
            key, label = key_of(symbol), table.labels[symbol]
            table.add(f"{key}.{kind}.last.day", last[f"{symbol} day"], "pct", f"{label} move on the {last['label']} release session", end=last_date, symbol=symbol)
            table.add(f"{key}.{kind}.last.since", last[f"{symbol} to next"], "pct", f"{label} change from the close before the {last['label']} release to the as-of", last_date, as_of, symbol)
            moves = study[f"{symbol} day"].abs().iloc[:-1]  # the releases before this one: what it is compared with
            if len(moves):
                table.add(f"{key}.{kind}.avg_abs_day", moves.mean(), "pct", f"{label} average absolute move on the {len(moves)} {kind} sessions before the latest", study.index[0], study.index[-2], symbol)
            _add_biggest_since(table, key, label, symbol, closes[symbol].dropna().loc[:as_of], events, kind, last_date)


def _add_biggest_since(table, key, label, symbol, series, events, kind, last_date) -> None:
    """"Its biggest move on a release day since May 2022": the last earlier event session that
    moved the index at least as much (either way), or the first one in the data."""
    rets = series.pct_change(fill_method=None)
    mine = events[(events["kind"] == kind) & (events["date"] <= last_date)]
    sessions = event_sessions(series.index, mine["date"]).drop_duplicates()
    moves = rets.reindex(sessions.to_numpy()).dropna().abs()
    if last_date not in moves.index:
        return
    today, earlier = moves.loc[last_date], moves.loc[: last_date].iloc[:-1]
    bigger = earlier[earlier >= today]
    if len(bigger):
        table.add(f"{key}.{kind}.last.day_since", bigger.index[-1], "date", f"{label}: last {kind} session with a move at least as big", bigger.index[-1], last_date, symbol)
    elif len(earlier) >= 24:
        table.add(f"{key}.{kind}.last.day_data_start", earlier.index[0], "date", f"{label}: biggest {kind}-session move since the first one in the data", earlier.index[0], last_date, symbol)
