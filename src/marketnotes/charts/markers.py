"""What marks a chart's time axis: calendar events labelled along their lines, and the phases
of the story arc the prose tells, shaded and named with their facts-table change."""

from __future__ import annotations

import pandas as pd

from marketnotes.charts.house import per_size, plot_width, text_width
from marketnotes.facts import FactTable, key_of
from marketnotes.narrative.formats import render as fmt

EVENT_LABEL_GAP_IN = 0.16  # a label closer than this to the last one would overprint it


def mark_events(ax, events: pd.DataFrame | None, start: pd.Timestamp, as_of: pd.Timestamp) -> None:
    """A dotted line per event, labelled along it ("CPI · May 15"), so a reader can tie a
    turn in the lines to the release without a legend. A label that would overprint the
    previous one is left off (its line stays): so they are placed again at each size."""
    if events is None or events.empty:
        return
    shown = events[(events["date"] >= start) & (events["date"] <= as_of)].sort_values("date")
    per_size(ax.figure, lambda: _mark_events(ax, shown, start, as_of))


def _mark_events(ax, shown: pd.DataFrame, start: pd.Timestamp, as_of: pd.Timestamp) -> None:
    days_per_inch = max((as_of - start).days, 1) / plot_width(ax.figure)
    last = None
    for _, row in shown.iterrows():
        day = pd.Timestamp(row["date"])
        ax.axvline(day, color="#8c8c8c", linewidth=0.6, linestyle=":", zorder=1)
        if last is not None and (day - last).days / days_per_inch < EVENT_LABEL_GAP_IN:
            continue
        ax.text(day, 0.99, f"{str(row['kind']).upper()} · {day:%b} {day.day}", transform=ax.get_xaxis_transform(),
                rotation=90, ha="right", va="top", fontsize=6, color="#6b6b6b", zorder=1)
        last = day


PHASE_COLOURS = {"rise": "#548235", "fall": "#c00000", "range": "#7f7f7f"}
PHASE_WORDS = {"rise": "rise", "fall": "fall", "range": "sideways"}


def shade_phases(ax, facts: FactTable, symbol: str, start: pd.Timestamp) -> None:
    """The phases of the arc the note tells ("fell, went sideways, then rallied"), shaded
    behind the lines and named along the bottom with their facts-table change. Labels are
    placed latest first (the phase the week belongs to matters most) wherever they do not
    overprint one already placed: so they are placed again at each size."""
    per_size(ax.figure, lambda: _shade_phases(ax, facts, symbol, start))


def _shade_phases(ax, facts: FactTable, symbol: str, start: pd.Timestamp) -> None:
    k = key_of(symbol)
    as_of = pd.Timestamp(facts.as_of)
    days_per_inch = max((as_of - start).days, 1) / plot_width(ax.figure)
    placed: list[tuple[float, float]] = []
    for i in reversed(range(int(facts.value(f"{k}.arc.count", 0) or 0))):
        kind = facts.value(f"{k}.arc.{i}.kind")
        a, b = pd.Timestamp(facts.value(f"{k}.arc.{i}.start")), pd.Timestamp(facts.value(f"{k}.arc.{i}.end"))
        if b <= start:
            continue
        a = max(a, start)
        colour = PHASE_COLOURS.get(kind, "#7f7f7f")
        ax.axvspan(a, b, color=colour, alpha=0.07, linewidth=0, zorder=0)
        label = f"{PHASE_WORDS.get(kind, kind)} {fmt(facts.value(f'{k}.arc.{i}.change'), 'spct1', None)}"
        half = (text_width(label, 6.5) / 72 + 0.06) / 2
        middle = min(max(((a - start).days + (b - a).days / 2) / days_per_inch, half), plot_width(ax.figure) - half)
        if all(middle + half <= lo or middle - half >= hi for lo, hi in placed):
            placed.append((middle - half, middle + half))
            ax.text(start + pd.Timedelta(days=middle * days_per_inch), 0.015, label, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=6.5, color=colour, zorder=1)
