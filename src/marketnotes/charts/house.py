"""The house style every chart shares: size, fonts, colours, one title line stating the point,
the series key above the plot, the source line, and a layout solved without drawing twice.

Figures are built with `matplotlib.figure.Figure` (no pyplot, no global figure registry) inside
`rc_context(HOUSE_STYLE)`, so nothing depends on, or leaks into, matplotlib's global state: a
chart looks the same alone, in Jupyter, or after forty other notes in a batch worker.
"""

from __future__ import annotations

from functools import lru_cache

import matplotlib as mpl
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

# A chart's sizes and forms, and drawing both from one figure, are forms.py's; chart modules
# and tests take them from here with the style.
from marketnotes.charts.forms import PHONE, PHONE_DPI, SCREENS, SIZE, Chart, Sizes, figure, for_screens, per_size, render  # noqa: F401

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
    "lines.linewidth": 1.6,
    # Glyphs not snapped to the pixel grid: the column-width SVG's text is set by its reader
    # from an unhinted subset of the font (svgfont.py), and at the phone PNG's 160 dpi hinting
    # changes a glyph by a fraction of a pixel while costing ~15% of every chart (matplotlib
    # 3.11's default hinting loads each glyph's hinted outline anew).
    "text.hinting": "no_hinting",
    "svg.hashsalt": "marketnotes",  # the same ids in every SVG of the same chart: notes are reproducible
}

# Margins in inches around the plot. Every house chart has one title line above, date or
# window labels and the source line below, and a y label at the left: only the width of the
# y tick labels varies, and `_fit` measures it.
TOP, BOTTOM, RIGHT, EDGE = 0.36, 0.55, 0.15, 0.06


KEY_ROW, KEY_COLUMNS = 0.2, 4  # the series key sits in rows of four between title and plot


def plot_width(fig: Figure) -> float:
    """About the plot's width in inches (the figure less the y labels and right margin),
    known before the layout is: markers use it to space their labels."""
    return fig.get_size_inches()[0] - 1.0


def key_columns(fig: Figure) -> int:
    return KEY_COLUMNS if fig.get_size_inches()[0] >= 5 else 2


def _dates(ax) -> None:
    """A date axis with as many ticks as its width holds, labelled concisely ("Mar", "2018"):
    matplotlib's default full dates overprint each other at phone width."""
    if isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator):
        locator = mdates.AutoDateLocator(minticks=3, maxticks=max(4, int(plot_width(ax.figure) * 1.3)))
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def fit(fig: Figure, extra_bottom: float = 0.0) -> None:
    """Place the plot inside margins sized for this chart's own labels, before the one draw
    that renders it. A layout engine (constrained or tight) draws every chart twice, once to
    measure and once to render, and so costs ~45% of a chart's time; here the y tick labels
    are measured from the font's metrics (no drawing), and the rest of the frame is fixed."""
    ax = fig.axes[0]
    size = mpl.rcParams["ytick.labelsize"] if mpl.rcParams["ytick.labelsize"] != "medium" else mpl.rcParams["font.size"]
    widest = max((text_width(t.get_text(), size) for t in ax.get_yticklabels()), default=0.0)
    ylabel = mpl.rcParams["font.size"] * 1.2 + mpl.rcParams["axes.labelpad"] if ax.get_ylabel() else 0.0
    tick = mpl.rcParams["ytick.major.size"] + mpl.rcParams["ytick.major.pad"]
    left = EDGE + (widest + tick + ylabel) / 72
    width, height = fig.get_size_inches()
    lines = wrap(ax.get_title(loc="left"), (width - left - RIGHT) * 72)
    key_rows = -(-len(ax.get_legend().get_texts()) // key_columns(fig)) if ax.get_legend() else 0
    # The title sits on top of the plot. matplotlib would find that out again at every draw
    # (measuring the y tick labels once more, ~8% of a chart) unless the title is placed:
    # placed, unless the y axis shows an offset ("1e4") there, which the title must clear.
    offset = ax.yaxis.get_major_formatter().get_offset() if ax.yaxis.offsetText.get_visible() else ""
    ax.set_title("\n".join(lines), loc="left", pad=mpl.rcParams["axes.titlepad"] + key_rows * KEY_ROW * 72, **({} if offset else {"y": 1.0}))
    top = TOP + (len(lines) - 1) * mpl.rcParams["axes.titlesize"] * 1.2 / 72 + key_rows * KEY_ROW
    fig.subplots_adjust(left=left / width, right=1 - RIGHT / width, top=1 - top / height, bottom=(BOTTOM + extra_bottom) / height)


def wrap(title: str, points: float, font: FontProperties | None = None) -> list[str]:
    """The title's words in lines no wider than the plot (measured in the title's own bold
    font): a title states the chart's point, and a clipped one loses it."""
    font = font or FontProperties(size=mpl.rcParams["axes.titlesize"], weight=mpl.rcParams["axes.titleweight"])
    key = (font.get_size_in_points(), font.get_weight())
    if text_width(title, *key) <= points:
        return [title]
    words: list[str] = []
    for word in title.split():
        if words and word[:1] in "−+-0123456789":  # a figure stays with the words it measures
            words[-1] += f" {word}"
        else:
            words.append(word)
    space = text_width("a a", *key) - text_width("aa", *key)
    lines: list[str] = []
    used = 0.0
    for word in words:
        w = text_width(word, *key)
        if lines and used + space + w <= points:
            lines[-1] += f" {word}"
            used += space + w
        else:
            lines.append(word)
            used = w
    return lines or [""]


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, weight="normal") -> float:
    """Width in points of `text` set in the house font, from its metrics (no drawing);
    remembered, since titles, labels and ticks repeat across a note's charts."""
    return text_to_path.get_text_width_height_descent(text, FontProperties(size=size, weight=weight), ismath=False)[0]


SOURCE_SIZE = 7


def finish(fig: Figure, title: str, source: str) -> Chart:
    """The title, the source line and the frame around the plot, placed for each size the
    figure is saved at (forms.render)."""
    per_size(fig, lambda: _frame(fig, title, source))
    return render(fig, title)


def _frame(fig: Figure, title: str, source: str) -> None:
    fig.axes[0].set_title(title, loc="left")
    width = fig.get_size_inches()[0]
    lines = wrap(source, (width - 2 * EDGE) * 72, FontProperties(size=SOURCE_SIZE))
    fig.text(EDGE / width, 0.02, "\n".join(lines), fontsize=SOURCE_SIZE, color="#666666", ha="left", va="bottom")
    _dates(fig.axes[0])
    fit(fig, extra_bottom=(len(lines) - 1) * SOURCE_SIZE * 1.2 / 72)


def key(ax) -> None:
    """The series key above the plot, under the title, where it never covers a line or a
    label however the market moved (inside the plot, any corner can be where the data is).
    Its columns depend on the width, so it is placed again at each size."""
    per_size(ax.figure, lambda: ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=key_columns(ax.figure), borderaxespad=0.15, handlelength=1.6, columnspacing=1.4))


def headroom(ax, top: float = 0.0, bottom: float = 0.0) -> None:
    """Extend the y range by these fractions, so labels written along the top (events) and
    bottom (phases) of the plot sit above and below the data instead of on it."""
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo - (hi - lo) * bottom, hi + (hi - lo) * top)


def window_of(closes: pd.DataFrame, as_of: pd.Timestamp, years: float) -> pd.DataFrame:
    start = as_of - pd.DateOffset(months=max(1, round(years * 12)))
    return closes.loc[start:as_of]


def line(frame: pd.DataFrame, title: str, source: str, ylabel: str = "", size: Sizes = SIZE) -> Chart:
    """A template's own series in the house style (`Note.plot`): one line per column, a legend
    when there is more than one, and the size, fonts, title and source line of the charts above."""
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(size)
        ax = fig.add_subplot()
        for column in frame.columns:
            series = frame[column].dropna()
            ax.plot(series.index, series, label=str(column))
        if ylabel:
            ax.set_ylabel(ylabel)
        if len(frame.columns) > 1:
            key(ax)
        return finish(fig, title, source)
