"""The CPI note's chart: every release day's move, one row per index, with this release marked.

A strip of dots (one per earlier release day) shows what a release day usually does to each
index; this release's move is the large marker, labelled with its figure, so a reader sees at
once whether it was routine or rare. The dots are spread vertically by a fixed pattern, not
at random, so the same note draws the same chart every time. The moves are those the facts
were computed from (facts.releases.release_moves): chart and prose cannot disagree.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from marketnotes.charts.house import HOUSE_STYLE, SIZE, Chart, Sizes, figure, finish, key
from marketnotes.facts import FactTable, key_of
from marketnotes.facts.releases import release_moves, release_summary
from marketnotes.narrative.formats import render as fmt

SPREAD = 0.5  # height of a row's strip of dots, in rows
EARLIER = "#9aa5b1"


def spread(n: int) -> np.ndarray:
    """Vertical offsets for n dots: a golden-ratio sequence, even and the same on every run."""
    return ((np.arange(n) * 0.6180339887) % 1.0 - 0.5) * SPREAD


def release_days(closes: pd.DataFrame, facts: FactTable, events: pd.DataFrame, kind: str, source: str, size: Sizes = SIZE) -> Chart:
    as_of = pd.Timestamp(facts.as_of)
    moves = release_moves(closes, events, as_of, kind)
    symbols = list(closes.columns)
    colors = HOUSE_STYLE["axes.prop_cycle"].by_key()["color"]
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        for i, symbol in enumerate(symbols):
            row = len(symbols) - 1 - i  # the first index on top
            earlier, now = release_summary(moves, symbol) if symbol in moves else (np.array([]), None)
            ax.scatter(earlier * 100, row + spread(len(earlier)), s=9, color=EARLIER, alpha=0.7, linewidths=0, zorder=2,
                       label="earlier release days" if i == 0 else None)
            if now is not None:
                color = colors[i % len(colors)]
                ax.scatter([now * 100], [row], s=70, marker="D", color=color, edgecolors="white", linewidths=0.8, zorder=4)
                ax.annotate(fmt(now, "spct1", None), (now * 100, row), xytext=(0, 9), textcoords="offset points",
                            ha="center", va="bottom", fontsize=8, fontweight="bold", color=color, zorder=5)
        if len(moves):
            day = pd.Timestamp(moves.index[-1])
            ax.scatter([], [], s=40, marker="D", color="#333333", label=f"this release, {fmt(day.date().isoformat(), 'date', as_of.date())}")
        ax.axvline(0, color="#333333", linewidth=0.8, zorder=1)
        # each index named above its own strip, not in a y axis: the strips keep the width on a phone
        for i, symbol in enumerate(symbols):
            ax.text(0.0, len(symbols) - 1 - i + SPREAD / 2 + 0.08, facts.labels[symbol], transform=ax.get_yaxis_transform(),
                    ha="left", va="bottom", fontsize=8, fontweight="bold", color="#333333")
        ax.set_yticks([])
        ax.set_ylim(-0.45, len(symbols) - 0.1)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:+.0f}%".replace("-", "−") if x else "0%"))
        key(ax)
        return finish(fig, _title(facts, symbols, kind), source)


def _title(facts: FactTable, symbols: list[str], kind: str) -> str:
    """The point: the index whose release-day move was the least routine, against its history."""
    told = [s for s in symbols if f"{key_of(s)}.{kind}.release.day" in facts]
    if not told:
        return f"No {kind.upper()} release in the data yet"
    label = facts.value(f"{kind}.release.label")
    ranked = [s for s in told if f"{key_of(s)}.{kind}.release.share_smaller" in facts]
    if not ranked:
        s = max(told, key=lambda s: abs(facts.value(f"{key_of(s)}.{kind}.release.day")))
        return f"{facts.labels[s]} {fmt(facts.value(f'{key_of(s)}.{kind}.release.day'), 'spct1', None)} on {label} day"
    s = max(ranked, key=lambda s: facts.value(f"{key_of(s)}.{kind}.release.share_smaller"))
    p = f"{key_of(s)}.{kind}.release"
    share, rank, since = facts.value(f"{p}.share_smaller"), facts.value(f"{p}.rank"), fmt(facts.value(f"{p}.first"), "year", None)
    head = f"{facts.labels[s]} {fmt(facts.value(f'{p}.day'), 'spct1', None)} on {label} day"
    if rank <= 10:  # as the prose says it: a share would round a second-biggest up to "100%"
        return f"{head}, its {'' if rank == 1 else fmt(rank, 'ordinal', None) + '-'}biggest release-day move since {since}"
    against = f"bigger than on {fmt(share, 'pct0', None)}" if share >= 0.5 else f"smaller than on {fmt(facts.value(f'{p}.share_bigger'), 'pct0', None)}"
    return f"{head}, {against} of release days since {since}"
