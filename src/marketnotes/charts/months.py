"""The monthly review's chart and table: the month's path for each index, and the 12-month
returns heat-table.

The heat-table is HTML, not a picture: its numbers stay text (searchable, copyable, sharp
at any zoom and in the PDF), and on a phone it scrolls sideways like the note's other
tables. Each cell is coloured by the sign and size of its month's return; labels are
escaped. Every figure in both comes from the facts table (facts.months).
"""

from __future__ import annotations

import matplotlib as mpl
import pandas as pd
from markupsafe import Markup, escape
from matplotlib.ticker import FuncFormatter

from marketnotes.charts.house import HOUSE_STYLE, SIZE, Chart, Sizes, figure, finish, headroom, key
from marketnotes.facts import FactTable, key_of
from marketnotes.narrative.formats import render as fmt

FULL_COLOUR = 0.10  # a month of +/-10% or more gets the strongest shade
UP, DOWN = (46, 125, 50), (179, 38, 30)  # the note's --up and --down colours (note.css)


def month_path(closes: pd.DataFrame, facts: FactTable, source: str, size: Sizes = SIZE) -> Chart:
    """Each index's change from the previous month's last close, session by session; the
    month's best and worst sessions shaded and labelled along the top, as events are."""
    as_of, start = pd.Timestamp(facts.as_of), pd.Timestamp(facts.value("month.start"))
    symbols = [s for s in closes.columns if f"{key_of(s)}.month.ret" in facts]
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        for symbol in symbols:
            series = closes[symbol].dropna().loc[start:as_of]
            ax.plot(series.index, (series / series.iloc[0] - 1) * 100, label=facts.labels[symbol])
        for side, colour in (("best", "#2e7d32"), ("worst", "#b3261e")):
            days: dict[str, list[str]] = {}
            for symbol in symbols:
                days.setdefault(facts.value(f"{key_of(symbol)}.month.{side}.date"), []).append(facts.labels[symbol])
            for day, labels in days.items():
                when = pd.Timestamp(day)
                before = closes.loc[:when].index[-2]  # the day's move is the segment from the close before
                ax.axvspan(before, when, color=colour, alpha=0.14, linewidth=0, zorder=0)
                who = "" if len(labels) == len(symbols) else f" ({', '.join(labels)})"
                ax.text(when, 0.99, f"{side} day{who}", transform=ax.get_xaxis_transform(), rotation=90, ha="right", va="top", fontsize=6, color=colour)
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_xlim(start - pd.Timedelta(hours=12), as_of + pd.Timedelta(hours=12))
        headroom(ax, top=0.3)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:+.0f}%".replace("-", "−") if y else "0%"))
        ax.set_ylabel(f"since {fmt(facts.value('month.start'), 'date', as_of.date())} close")
        key(ax)
        return finish(fig, _title(facts, symbols), source)


def _title(facts: FactTable, symbols: list[str]) -> str:
    month = fmt(facts.value("session.date"), "month_year", pd.Timestamp(facts.as_of).date())
    ranked = sorted(symbols, key=lambda s: facts.value(f"{key_of(s)}.month.ret"), reverse=True)
    phrase = f"in {month}" if facts.value("month.complete") == 1 else f"so far in {month}"
    best = ranked[0]
    text = f"{facts.labels[best]} {fmt(facts.value(f'{key_of(best)}.month.ret'), 'spct1', None)} {phrase}"
    if len(ranked) > 1:
        worst = ranked[-1]
        text += f"; {facts.labels[worst]} {fmt(facts.value(f'{key_of(worst)}.month.ret'), 'spct1', None)}"
    return text


def _shade(value: float) -> str:
    """A cell's background: the up or down colour, stronger for a bigger month."""
    alpha = min(abs(value) / FULL_COLOUR, 1.0) * 0.55 + 0.08
    r, g, b = UP if value > 0 else DOWN
    return f"background-color: rgba({r}, {g}, {b}, {alpha:.2f})"


def heat_table(facts: FactTable, symbols: list[str]) -> Markup:
    """Index x month returns over the last 12 calendar months (the note's month last), then
    the year to date; a month the data lacks is a dash."""
    months = sorted({f.id.rsplit(".", 1)[1] for f in facts if f.id.count(".") == 2 and f.id.split(".")[1] == "month" and f.id.rsplit(".", 1)[1][:4].isdigit()})
    ytd = any(f"{key_of(s)}.ret.ytd" in facts for s in symbols)
    head = []
    for i, m in enumerate(months):
        period = pd.Period(m.replace("_", "-"), freq="M")
        head.append(f"<th>{period.strftime('%b')}{'<br>' + str(period.year) if i == 0 or period.month == 1 else ''}</th>")
    if ytd:
        head.append("<th>YTD</th>")
    rows = []
    for symbol in symbols:
        k = key_of(symbol)
        cells = []
        for m in months:
            value = facts.value(f"{k}.month.{m}")
            cells.append("<td>—</td>" if value is None else f'<td style="{_shade(value)}" data-fact="{escape(f"{k}.month.{m}")}">{fmt(value, "spct1", None)}</td>')
        if ytd:
            value = facts.value(f"{k}.ret.ytd")
            cells.append("<td>—</td>" if value is None else f'<td class="{"up" if value > 0 else "down"}" data-fact="{escape(f"{k}.ret.ytd")}"><b>{fmt(value, "spct1", None)}</b></td>')
        rows.append(f"<tr><th>{escape(facts.labels[symbol])}</th>{''.join(cells)}</tr>")
    return Markup(
        f'<div class="mn-wide"><table class="mn-table mn-heat"><thead><tr><th></th>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
