"""The weekly note's charts, each titled with its point in numbers from the facts table."""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd

from marketnotes.charts.house import HOUSE_STYLE, SIZE, Chart, Sizes, figure, finish, headroom, key, window_of
from marketnotes.charts.markers import mark_events, shade_phases
from marketnotes.facts import FactTable, key_of
from marketnotes.narrative.formats import render as fmt
from marketnotes.narrative.words import RELATIVE


def performance(closes: pd.DataFrame, facts: FactTable, events: pd.DataFrame | None, years: float, source: str, phases_of: str | None = None, size: Sizes = SIZE) -> Chart:
    """Each index rebased to 100 at the start of the chart window, events labelled, the as-of
    marked, and (`phases_of`) the phases of that index's story arc shaded."""
    as_of = pd.Timestamp(facts.as_of)
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        window = window_of(closes, as_of, years)
        for symbol in window.columns:
            series = window[symbol].dropna()
            ax.plot(series.index, series / series.iloc[0] * 100, label=facts.labels[symbol])
        if phases_of is not None:
            shade_phases(ax, facts, phases_of, window.index[0])
        mark_events(ax, events, window.index[0], as_of)
        ax.axvline(as_of, color="#333333", linewidth=0.8)
        ax.set_ylabel("rebased to 100")
        headroom(ax, top=0.42 if events is not None and not events.empty else 0.0, bottom=0.12 if phases_of else 0.0)
        key(ax)
        return finish(fig, _performance_title(facts, list(closes.columns)), source)


def _performance_title(facts: FactTable, symbols: list[str]) -> str:
    w = "ytd" if all(f"{key_of(s)}.ret.ytd" in facts for s in symbols) else "1d"
    ranked = sorted(symbols, key=lambda s: facts.value(f"{key_of(s)}.ret.{w}"), reverse=True)
    best = ranked[0]
    phrase = "so far this year" if w == "ytd" else "on the day"
    verb = "leads" if facts.value(f"{key_of(best)}.ret.{w}") >= 0 else "falls least"
    text = f"{facts.labels[best]} {verb} {phrase} at {fmt(facts.value(f'{key_of(best)}.ret.{w}'), 'spct1', None)}"
    if len(ranked) > 1:
        worst = ranked[-1]
        text += f"; {facts.labels[worst]} {fmt(facts.value(f'{key_of(worst)}.ret.{w}'), 'spct1', None)}"
    return text


def ratio(closes: pd.DataFrame, facts: FactTable, pair: tuple[str, str], years: float, source: str, size: Sizes = SIZE) -> Chart:
    lead, lag = pair
    as_of = pd.Timestamp(facts.as_of)
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        series = (closes[lead] / closes[lag]).dropna()
        shown = window_of(series.to_frame("r"), as_of, years)["r"]
        ax.plot(shown.index, shown, color="#1f4e79")
        ax.set_ylabel(f"{facts.labels[lead]} / {facts.labels[lag]}")
        w = next((w for w in ("1m", "1w", "ytd") if f"rot.spread.{w}" in facts), None)
        if w is None:
            title = f"{facts.labels[lead]} relative to {facts.labels[lag]}"
        else:
            spread = facts.value(f"rot.spread.{w}")
            phrase = {"1w": "this week", "1m": "over the past month", "ytd": "so far this year"}[w]
            if abs(spread) < 0.5:  # house style: a gap under half a point is no gap
                title = f"{facts.labels[lead]} and the {facts.labels[lag]} roughly in line {phrase}"
            else:
                title = f"{facts.labels[lead]} {RELATIVE[1 if spread >= 0 else -1]} the {facts.labels[lag]} by {fmt(spread, 'pts1', None)} percentage points {phrase}"
        return finish(fig, title, source)


def drawdown(closes: pd.DataFrame, facts: FactTable, years: float, source: str, size: Sizes = SIZE) -> Chart:
    """Distance below the running all-time closing high (full history), shown over the window."""
    as_of = pd.Timestamp(facts.as_of)
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        for symbol in closes.columns:
            series = closes[symbol].dropna().loc[:as_of]
            dd = window_of((series / series.cummax() - 1).to_frame("d") * 100, as_of, years)["d"]
            ax.plot(dd.index, dd, label=facts.labels[symbol])
        ax.set_ylabel("% below highest close")
        key(ax)
        deepest = min(closes.columns, key=lambda s: facts.value(f"{key_of(s)}.ath.below"))
        word = "record" if facts.value(f"{key_of(deepest)}.history.records", facts.value(f"{key_of(deepest)}.history.complete")) == 1 else "peak"
        title = f"{facts.labels[deepest]} is {fmt(facts.value(f'{key_of(deepest)}.ath.below'), 'pct1', None)} below its {word} close"
        return finish(fig, title, source)


def window_returns(facts: FactTable, symbols: list[str], windows: tuple[str, ...], source: str, size: Sizes = SIZE) -> Chart:
    shown = [w for w in windows if all(f"{key_of(s)}.ret.{w}" in facts for s in symbols)]
    table = pd.DataFrame({facts.labels[s]: [facts.value(f"{key_of(s)}.ret.{w}") * 100 for w in shown] for s in symbols}, index=shown)
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(symbols))
        for i, label in enumerate(table.columns):
            ax.bar([x + i * width for x in range(len(shown))], table[label], width=width, label=label)
        ax.set_xticks([x + width * (len(symbols) - 1) / 2 for x in range(len(shown))], [w.upper() for w in shown])
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylabel("return, %")
        key(ax)
        w = "1w" if "1w" in shown else shown[0]
        mover = max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.ret.{w}")))
        title = f"{facts.labels[mover]} moved most this week: {fmt(facts.value(f'{key_of(mover)}.ret.{w}'), 'spct1', None)}" if w == "1w" else "Returns by window"
        return finish(fig, title, source)
