"""The house style every chart shares: size, fonts, colours, one title line stating the point,
the series key above the plot, the source line, and a layout solved without drawing twice.

Figures are built with `matplotlib.figure.Figure` (no pyplot, no global figure registry) inside
`rc_context(HOUSE_STYLE)`, so nothing depends on, or leaks into, matplotlib's global state: a
chart looks the same alone, in Jupyter, or after forty other notes in a batch worker.
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
PLOT_WIDTH_IN = SIZE[0] - 1.0  # about: the figure less the y labels and the right margin


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


def figure() -> Figure:
    return Figure(figsize=SIZE)


def fit(fig: Figure) -> None:
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
    lines = wrap(ax.get_title(loc="left"), (width - left - RIGHT) * 72)
    key_rows = -(-len(ax.get_legend().get_texts()) // KEY_COLUMNS) if ax.get_legend() else 0
    ax.set_title("\n".join(lines), loc="left", pad=mpl.rcParams["axes.titlepad"] + key_rows * KEY_ROW * 72)
    top = TOP + (len(lines) - 1) * mpl.rcParams["axes.titlesize"] * 1.2 / 72 + key_rows * KEY_ROW
    fig.subplots_adjust(left=left / width, right=1 - RIGHT / width, top=1 - top / height, bottom=BOTTOM / height)


def wrap(title: str, points: float) -> list[str]:
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


def finish(fig: Figure, title: str, source: str) -> Chart:
    fig.axes[0].set_title(title, loc="left")
    fig.text(EDGE / fig.get_size_inches()[0], 0.02, source, fontsize=7, color="#666666", ha="left", va="bottom")
    fit(fig)
    buf = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buf, format="png", dpi=HOUSE_STYLE["savefig.dpi"], metadata={"Software": None})
    return Chart(buf.getvalue(), title)


def key(ax) -> None:
    """The series key above the plot, under the title, where it never covers a line or a
    label however the market moved (inside the plot, any corner can be where the data is)."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=KEY_COLUMNS, borderaxespad=0.15, handlelength=1.6, columnspacing=1.4)


def headroom(ax, top: float = 0.0, bottom: float = 0.0) -> None:
    """Extend the y range by these fractions, so labels written along the top (events) and
    bottom (phases) of the plot sit above and below the data instead of on it."""
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo - (hi - lo) * bottom, hi + (hi - lo) * top)


def window_of(closes: pd.DataFrame, as_of: pd.Timestamp, years: float) -> pd.DataFrame:
    start = as_of - pd.DateOffset(months=max(1, round(years * 12)))
    return closes.loc[start:as_of]


def line(frame: pd.DataFrame, title: str, source: str, ylabel: str = "") -> Chart:
    """A template's own series in the house style (`Note.plot`): one line per column, a legend
    when there is more than one, and the size, fonts, title and source line of the charts above."""
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure()
        ax = fig.add_subplot()
        for column in frame.columns:
            series = frame[column].dropna()
            ax.plot(series.index, series, label=str(column))
        if ylabel:
            ax.set_ylabel(ylabel)
        if len(frame.columns) > 1:
            key(ax)
        return finish(fig, title, source)
