"""Release-day reactions: each index's move on the session of a scheduled release, set
against every earlier release day in the data.

A CPI report comes out at 08:30 ET, so it moves the session of its date (the first session
on or after it). The CPI note (`note_kind: cpi-reaction`) is about the latest release whose
session is on or before the as-of: the note runs on the release day or a day or two after,
and "since the release" is the move from the release day's close to the as-of close.

What a reader of that note asks, each a fact here:
- how big was the move, for this index, against its history of release days (its rank,
  the share of earlier release days it beat, the average release-day move, and whether
  release days move the index more than other days do);
- when it last moved as much in the same direction on a release day ("its biggest
  release-day drop since March 2020"), and on any day ("its biggest one-day drop since
  October 1987": a release day can be the day of the year, or of decades);
- how the rotation pair reacted (the lead's move minus the lag's, in points, and when the
  gap was last as wide in the same direction);
- what it has done since.

These facts are computed only for notes that ask for them (compute_facts, by note kind): a
weekly note does not pay for them. Ids: `<kind>.release.*` for the release itself,
`<KEY>.<kind>.release.*` per index, `rot.<kind>.release.*` for the pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.facts.closures import add_closure_facts
from marketnotes.facts.events import event_sessions
from marketnotes.facts.extremes import DATA_START_DAYS, last_as_extreme
from marketnotes.facts.table import FactTable, key_of

CLOSURE_DAYS = 10  # a closure this many days before the release session is part of its story
DATA_START_RELEASES = 24  # "in data going back to ..." only after two years of monthly releases


def release_moves(closes: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp, kind: str) -> pd.DataFrame:
    """Release sessions (rows, oldest first, up to as-of) x symbols: each index's close-to-close
    return on that session (NaN where it has no close, or none the session before), plus the
    release's `label` column. The charts plot exactly this, so chart and prose agree."""
    panel = closes.loc[:as_of]
    mine = events[(events["kind"] == kind) & (events["date"] <= as_of)]
    if mine.empty or panel.empty:
        return pd.DataFrame(columns=[*closes.columns, "label"])
    sessions = event_sessions(panel.index, mine["date"])
    # a release on a day the market was shut (Good Friday, April 14, 2017) moved no session of
    # its own: left out of the history, told only as the note's own release (`published`)
    shut = mine.loc[sessions.index, "date"].to_numpy() != sessions.to_numpy()
    shut[-1:] = False
    sessions = sessions[~shut]
    labels = pd.Series(mine.loc[sessions.index, "label"].to_numpy(), index=sessions.to_numpy())
    labels = labels[~labels.index.duplicated(keep="last")]  # two releases on one session: the later names it
    out = pd.DataFrame(index=labels.index)
    for symbol in panel.columns:
        rets = panel[symbol].dropna().pct_change(fill_method=None)
        out[symbol] = rets.reindex(labels.index)
    out["label"] = labels
    return out


def add_release_facts(table: FactTable, closes: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp, kind: str, pair: tuple[str, str] | None = None) -> None:
    moves = release_moves(closes, events, as_of, kind)
    if moves.empty:
        return
    session, label = moves.index[-1], moves["label"].iloc[-1]
    table.add(f"{kind}.release.date", session, "date", f"session of the latest {kind} release on or before the as-of (the note's release)", end=session)
    table.add(f"{kind}.release.label", label, "text", f"the note's {kind} release", end=session)
    published = pd.Timestamp(events.loc[(events["kind"] == kind) & (events["date"] <= as_of), "date"].iloc[-1])
    if published != session and published < session:
        table.add(f"{kind}.release.published", published, "date", f"the day the {label} came out, when the market was shut (its session is the next)", end=published)
    panel = closes.loc[:as_of]
    after = int((panel.index > session).sum())
    table.add(f"{kind}.release.sessions_after", after, "count", f"sessions from the {label} release to the as-of", session, as_of)
    # a closure in the days before the release (or since): four sessions after Sept. 11, 2001
    add_closure_facts(table, panel.dropna(how="all").index, session - pd.Timedelta(days=CLOSURE_DAYS), as_of)
    for symbol in closes.columns:
        _add_index(table, symbol, panel[symbol].dropna(), moves[symbol].dropna(), session, as_of, kind, label)
    if pair:
        _add_pair(table, moves, pair, session, kind, label)


def _add_index(table: FactTable, symbol: str, series: pd.Series, moves: pd.Series, session, as_of, kind: str, label: str) -> None:
    if session not in moves.index:
        return
    key, name = key_of(symbol), table.labels[symbol]
    p = f"{key}.{kind}.release"
    day, earlier = float(moves.loc[session]), moves.loc[: session].iloc[:-1]
    # a one-session move: no start, so its verb is sized for a day even across a holiday weekend
    table.add(f"{p}.day", day, "pct", f"{name} move on the {label} release session", end=session, symbol=symbol)
    _add_day_since(table, p, name, symbol, series.loc[:session], day)
    if session < as_of:
        table.add(f"{p}.after", series.loc[as_of] / series.loc[session] - 1, "pct", f"{name} change from the close of the {label} release session to the as-of", session, as_of, symbol)
        _add_biggest_after(table, p, name, symbol, series, session, as_of)
    if earlier.empty:
        return
    first, last = earlier.index[0], earlier.index[-1]
    size, sizes = abs(day), earlier.abs()
    table.add(f"{p}.count", len(earlier), "count", f"{kind} release sessions in the data before the {label} release", first, last, symbol)
    table.add(f"{p}.first", first, "date", f"{name}: first {kind} release session in the data", end=first, symbol=symbol)
    table.add(f"{p}.rank", int((sizes > size).sum()) + 1, "count", f"{name}: rank of the {label} release-day move by size among all release days to it (1 = biggest)", first, session, symbol)
    table.add(f"{p}.share_smaller", float((sizes < size).mean()), "pct", f"{name}: share of earlier release days with a smaller move (either way)", first, last, symbol)
    table.add(f"{p}.share_bigger", float((sizes > size).mean()), "pct", f"{name}: share of earlier release days with a bigger move (either way)", first, last, symbol)
    table.add(f"{p}.avg_abs", float(sizes.mean()), "pct", f"{name}: average move, either way, on the {len(earlier)} earlier {kind} release sessions", first, last, symbol)
    daily = series.loc[first:last].pct_change(fill_method=None).iloc[1:]
    others = daily.drop(earlier.index, errors="ignore").dropna()
    if len(others):
        table.add(f"{p}.avg_abs_other", float(others.abs().mean()), "pct", f"{name}: average move, either way, on the other sessions over the same years", first, last, symbol)
    direction = 1 if day > 0 else -1
    hit = last_as_extreme(earlier.to_numpy(), day, len(earlier), direction) if day != 0 else None
    if hit is not None:
        table.add(f"{p}.since", earlier.index[hit], "date", f"{name}: last earlier release session with a move as big in the same direction", earlier.index[hit], session, symbol)
    elif day != 0 and len(earlier) >= DATA_START_RELEASES:
        table.add(f"{p}.data_start", first, "date", f"{name}: the biggest release-day {'gain' if day > 0 else 'drop'} since the first release in the data", first, session, symbol)


def _add_day_since(table: FactTable, p: str, name: str, symbol: str, series: pd.Series, day: float) -> None:
    """The last earlier session of any kind with a move as big the same way as the release
    day's ("its biggest one-day drop since ..."); `series` ends on the release session."""
    rets = series.pct_change(fill_method=None).to_numpy()
    if day == 0 or len(rets) < 2:
        return
    direction = 1 if day > 0 else -1
    hit = last_as_extreme(rets, rets[-1], len(rets) - 1, direction)
    word = "gain" if day > 0 else "drop"
    if hit is not None:
        table.add(f"{p}.day_since", series.index[hit], "date", f"{name}: last earlier session of any kind with a {word} as big", series.index[hit], series.index[-1], symbol)
    elif np.count_nonzero(~np.isnan(rets[:-1])) >= DATA_START_DAYS:
        table.add(f"{p}.day_data_start", series.index[0], "date", f"{name}: the biggest one-day {word} since the data starts", series.index[0], series.index[-1], symbol)


def _add_biggest_after(table: FactTable, p: str, name: str, symbol: str, series: pd.Series, session, as_of) -> None:
    """The biggest one-day move (either way) after the release session, and since when none
    was as big that way: a note written weeks later tells the crash in between (Aug. 8, 2011)."""
    rets = series.loc[:as_of].pct_change(fill_method=None)
    after = rets.loc[session:].iloc[1:].dropna()
    if after.empty:
        return
    day = after.abs().idxmax()
    pos, move = rets.index.get_loc(day), float(rets.loc[day])
    table.add(f"{p}.after_big", move, "pct", f"{name}: its biggest one-day move after the release session", end=day, symbol=symbol)
    table.add(f"{p}.after_big_date", day, "date", f"{name}: the session of that move", end=day, symbol=symbol)
    hit = last_as_extreme(rets.to_numpy(), move, pos, 1 if move > 0 else -1) if move else None
    if hit is not None:
        table.add(f"{p}.after_big_since", rets.index[hit], "date", f"{name}: the last earlier session with a move as big that way", rets.index[hit], day, symbol)


def _add_pair(table: FactTable, moves: pd.DataFrame, pair: tuple[str, str], session, kind: str, label: str) -> None:
    """The pair's reaction in points (lead minus lag), like the weekly note's daily gap."""
    lead, lag = pair
    gaps = ((moves[lead] - moves[lag]) * 100).dropna()
    if session not in gaps.index:
        return
    names = f"{table.labels[lead]} minus {table.labels[lag]}"
    gap, earlier = float(gaps.loc[session]), gaps.loc[: session].iloc[:-1]
    table.add(f"rot.{kind}.release.gap", gap, "pts", f"{names} on the {label} release session, in points", end=session)
    a, b = float(moves.loc[session, lead]), float(moves.loc[session, lag])
    if a < 0 and b < 0:  # both fell: the one ahead "fell less", never "outperformed"
        table.add(f"rot.{kind}.release.fall_gap", (abs(max(a, b)) - abs(min(a, b))) * 100, "pts", f"how much more the index that fell less fell than the other on the {label} release session, in points (negative: less)", end=session)
    if earlier.empty:
        return
    table.add(f"rot.{kind}.release.gap_avg", float(earlier.abs().mean()), "pts", f"{names}: average gap, either way, on the {len(earlier)} earlier release sessions, in points", earlier.index[0], earlier.index[-1])
    hit = last_as_extreme(earlier.to_numpy(), gap, len(earlier), 1 if gap > 0 else -1) if gap != 0 else None
    if hit is not None:
        table.add(f"rot.{kind}.release.gap_since", earlier.index[hit], "date", "last earlier release session with a gap as wide the same way", earlier.index[hit], session)
    elif gap != 0 and len(earlier) >= DATA_START_RELEASES:
        table.add(f"rot.{kind}.release.gap_data_start", earlier.index[0], "date", "the widest release-day gap this way since the first release in the data", earlier.index[0], session)


def release_summary(moves: pd.DataFrame, symbol: str) -> tuple[np.ndarray, float | None]:
    """The earlier release-day moves of one index and this release's (None when it has none):
    what the distribution chart draws."""
    column = moves[symbol].dropna()
    if column.empty or column.index[-1] != moves.index[-1]:
        return column.to_numpy(), None
    return column.iloc[:-1].to_numpy(), float(column.iloc[-1])
