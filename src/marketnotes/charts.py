"""Charts from facts and prices, in one explicit house style.

Figures are built with `matplotlib.figure.Figure` (no pyplot, no global figure registry) inside
`rc_context(HOUSE_STYLE)`, so nothing depends on, or leaks into, matplotlib's global state: a
chart looks the same alone, in Jupyter, or after forty other notes in a batch worker.
Every title states the chart's point with numbers taken from the facts table.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

from marketnotes.facts import FactTable, key_of
from marketnotes.narrative.formats import render as fmt
from marketnotes.narrative.words import RELATIVE

HOUSE_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": mpl.cycler(color=["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6"]),
    "legend.frameon": False,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "savefig.dpi": 144,
    "lines.linewidth": 1.6,
}
SIZE = (7.2, 3.3)  # inches: fits an A4 or Letter column with 15 mm margins


@dataclass
class Chart:
    """A rendered chart: PNG bytes plus the title, which doubles as the image's alt text."""

    png: bytes
    title: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": f"<Chart: {self.title}>"}
        return data, {"image/png": {"alt": self.title}}


# Margins in inches around the plot. Every house chart has one title line above, date or
# window labels and the source line below, and a y label at the left: only the width of the
# y tick labels varies, and `_fit` measures it.
TOP, BOTTOM, RIGHT, EDGE = 0.36, 0.55, 0.15, 0.06


KEY_ROW, KEY_COLUMNS = 0.2, 4  # the series key sits in rows of four between title and plot


def _figure() -> Figure:
    return Figure(figsize=SIZE)


def _fit(fig: Figure) -> None:
    """Place the plot inside margins sized for this chart's own labels, before the one draw
    that renders it. A layout engine (constrained or tight) draws every chart twice, once to
    measure and once to render, and so costs ~45% of a chart's time; here the y tick labels
    are measured from the font's metrics (no drawing), and the rest of the frame is fixed."""
    ax = fig.axes[0]
    ticks = FontProperties(size=mpl.rcParams["ytick.labelsize"] if mpl.rcParams["ytick.labelsize"] != "medium" else mpl.rcParams["font.size"])
    widest = max((text_to_path.get_text_width_height_descent(t.get_text(), ticks, ismath=False)[0] for t in ax.get_yticklabels()), default=0.0)
    ylabel = mpl.rcParams["font.size"] * 1.2 + mpl.rcParams["axes.labelpad"] if ax.get_ylabel() else 0.0
    tick = mpl.rcParams["ytick.major.size"] + mpl.rcParams["ytick.major.pad"]
    left = EDGE + (widest + tick + ylabel) / 72
    width, height = fig.get_size_inches()
    lines = _wrap(ax.get_title(loc="left"), (width - left - RIGHT) * 72)
    key_rows = -(-len(ax.get_legend().get_texts()) // KEY_COLUMNS) if ax.get_legend() else 0
    ax.set_title("\n".join(lines), loc="left", pad=mpl.rcParams["axes.titlepad"] + key_rows * KEY_ROW * 72)
    top = TOP + (len(lines) - 1) * mpl.rcParams["axes.titlesize"] * 1.2 / 72 + key_rows * KEY_ROW
    fig.subplots_adjust(left=left / width, right=1 - RIGHT / width, top=1 - top / height, bottom=BOTTOM / height)


def _wrap(title: str, points: float) -> list[str]:
    """The title's words in lines no wider than the plot (measured in the title's own bold
    font): a title states the chart's point, and a clipped one loses it."""
    font = FontProperties(size=mpl.rcParams["axes.titlesize"], weight=mpl.rcParams["axes.titleweight"])
    lines: list[str] = []
    words: list[str] = []
    for word in title.split():
        if words and word[:1] in "−+-0123456789":  # a figure stays with the words it measures
            words[-1] += f" {word}"
        else:
            words.append(word)
    for word in words:
        wider = f"{lines[-1]} {word}" if lines else word
        if lines and text_to_path.get_text_width_height_descent(wider, font, ismath=False)[0] <= points:
            lines[-1] = wider
        else:
            lines.append(word)
    return lines or [""]


def _finish(fig: Figure, title: str, source: str) -> Chart:
    fig.axes[0].set_title(title, loc="left")
    fig.text(EDGE / fig.get_size_inches()[0], 0.02, source, fontsize=7, color="#666666", ha="left", va="bottom")
    _fit(fig)
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=HOUSE_STYLE["savefig.dpi"], metadata={"Software": None})
    return Chart(buf.getvalue(), title)


def _key(ax) -> None:
    """The series key above the plot, under the title, where it never covers a line or a
    label however the market moved (inside the plot, any corner can be where the data is)."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=KEY_COLUMNS, borderaxespad=0.15, handlelength=1.6, columnspacing=1.4)


def _headroom(ax, top: float = 0.0, bottom: float = 0.0) -> None:
    """Extend the y range by these fractions, so labels written along the top (events) and
    bottom (phases) of the plot sit above and below the data instead of on it."""
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo - (hi - lo) * bottom, hi + (hi - lo) * top)


def _window(closes: pd.DataFrame, as_of: pd.Timestamp, years: float) -> pd.DataFrame:
    start = as_of - pd.DateOffset(months=max(1, round(years * 12)))
    return closes.loc[start:as_of]


EVENT_LABEL_GAP_IN = 0.16  # a label closer than this to the last one would overprint it
PLOT_WIDTH_IN = SIZE[0] - 1.0  # about: the figure less the y labels and the right margin


def _mark_events(ax, events: pd.DataFrame | None, start: pd.Timestamp, as_of: pd.Timestamp) -> None:
    """A dotted line per event, labelled along it ("CPI · May 15"), so a reader can tie a
    turn in the lines to the release without a legend. A label that would overprint the
    previous one is left off (its line stays)."""
    if events is None or events.empty:
        return
    shown = events[(events["date"] >= start) & (events["date"] <= as_of)].sort_values("date")
    days_per_inch = max((as_of - start).days, 1) / PLOT_WIDTH_IN
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


def _shade_phases(ax, facts: FactTable, symbol: str, start: pd.Timestamp) -> None:
    """The phases of the arc the note tells ("fell, went sideways, then rallied"), shaded
    behind the lines and named along the bottom with their facts-table change. Labels are
    placed latest first (the phase the week belongs to matters most) wherever they do not
    overprint one already placed."""
    k = key_of(symbol)
    as_of = pd.Timestamp(facts.as_of)
    days_per_inch = max((as_of - start).days, 1) / PLOT_WIDTH_IN
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
        half = (text_to_path.get_text_width_height_descent(label, FontProperties(size=6.5), ismath=False)[0] / 72 + 0.06) / 2
        middle = min(max(((a - start).days + (b - a).days / 2) / days_per_inch, half), PLOT_WIDTH_IN - half)
        if all(middle + half <= lo or middle - half >= hi for lo, hi in placed):
            placed.append((middle - half, middle + half))
            ax.text(start + pd.Timedelta(days=middle * days_per_inch), 0.015, label, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=6.5, color=colour, zorder=1)


def performance(closes: pd.DataFrame, facts: FactTable, events: pd.DataFrame | None, years: float, source: str, phases_of: str | None = None) -> Chart:
    """Each index rebased to 100 at the start of the chart window, events labelled, the as-of
    marked, and (`phases_of`) the phases of that index's story arc shaded."""
    as_of = pd.Timestamp(facts.as_of)
    with mpl.rc_context(HOUSE_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        window = _window(closes, as_of, years)
        for symbol in window.columns:
            series = window[symbol].dropna()
            ax.plot(series.index, series / series.iloc[0] * 100, label=facts.labels[symbol])
        if phases_of is not None:
            _shade_phases(ax, facts, phases_of, window.index[0])
        _mark_events(ax, events, window.index[0], as_of)
        ax.axvline(as_of, color="#333333", linewidth=0.8)
        ax.set_ylabel("rebased to 100")
        _headroom(ax, top=0.42 if events is not None and not events.empty else 0.0, bottom=0.12 if phases_of else 0.0)
        _key(ax)
        return _finish(fig, _performance_title(facts, list(closes.columns)), source)


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


def ratio(closes: pd.DataFrame, facts: FactTable, pair: tuple[str, str], years: float, source: str) -> Chart:
    lead, lag = pair
    as_of = pd.Timestamp(facts.as_of)
    with mpl.rc_context(HOUSE_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        series = (closes[lead] / closes[lag]).dropna()
        shown = _window(series.to_frame("r"), as_of, years)["r"]
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
        return _finish(fig, title, source)


def drawdown(closes: pd.DataFrame, facts: FactTable, years: float, source: str) -> Chart:
    """Distance below the running all-time closing high (full history), shown over the window."""
    as_of = pd.Timestamp(facts.as_of)
    with mpl.rc_context(HOUSE_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        for symbol in closes.columns:
            series = closes[symbol].dropna().loc[:as_of]
            dd = _window((series / series.cummax() - 1).to_frame("d") * 100, as_of, years)["d"]
            ax.plot(dd.index, dd, label=facts.labels[symbol])
        ax.set_ylabel("% below highest close")
        _key(ax)
        deepest = min(closes.columns, key=lambda s: facts.value(f"{key_of(s)}.ath.below"))
        word = "record" if facts.value(f"{key_of(deepest)}.history.complete") == 1 else "peak"
        title = f"{facts.labels[deepest]} is {fmt(facts.value(f'{key_of(deepest)}.ath.below'), 'pct1', None)} below its {word} close"
        return _finish(fig, title, source)


def window_returns(facts: FactTable, symbols: list[str], windows: tuple[str, ...], source: str) -> Chart:
    shown = [w for w in windows if all(f"{key_of(s)}.ret.{w}" in facts for s in symbols)]
    table = pd.DataFrame({facts.labels[s]: [facts.value(f"{key_of(s)}.ret.{w}") * 100 for w in shown] for s in symbols}, index=shown)
    with mpl.rc_context(HOUSE_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(symbols))
        for i, label in enumerate(table.columns):
            ax.bar([x + i * width for x in range(len(shown))], table[label], width=width, label=label)
        ax.set_xticks([x + width * (len(symbols) - 1) / 2 for x in range(len(shown))], [w.upper() for w in shown])
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_ylabel("return, %")
        _key(ax)
        w = "1w" if "1w" in shown else shown[0]
        mover = max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.ret.{w}")))
        title = f"{facts.labels[mover]} moved most this week: {fmt(facts.value(f'{key_of(mover)}.ret.{w}'), 'spct1', None)}" if w == "1w" else "Returns by window"
        return _finish(fig, title, source)


def line(frame: pd.DataFrame, title: str, source: str, ylabel: str = "") -> Chart:
    """A template's own series in the house style (`Note.plot`): one line per column, a legend
    when there is more than one, and the size, fonts, title and source line of the charts above."""
    with mpl.rc_context(HOUSE_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        for column in frame.columns:
            series = frame[column].dropna()
            ax.plot(series.index, series, label=str(column))
        if ylabel:
            ax.set_ylabel(ylabel)
        if len(frame.columns) > 1:
            _key(ax)
        return _finish(fig, title, source)
