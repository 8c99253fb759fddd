"""A chart's forms, and how both come from one drawing of its data.

A note shows each chart twice: at column width as vectors (the HTML on wide screens, the PDF)
and at phone width as a raster (the HTML on phones, the email, Jupyter's fallback). The two
differ only in their size and in what is placed for the size: the title's lines, the key's
columns, the date ticks, marker labels that would overprint at the narrower width, the margins.
Building the figure (axes, lines, ticks, key) is about a third of a chart's cost, so a chart for
screens is built once: saved at column width, then resized, its size-dependent parts placed
again (`per_size`), and saved at phone width. Each form is the same, byte for byte, as a figure
built at that size alone (tests/test_charts.py compares). What is left is drawing and
writing each form (~70% of a chart, half of that matplotlib laying out and rendering text), so
this saves ~6%: a weekly note's four charts 0.53 -> 0.50 core-s.
"""

from __future__ import annotations

import base64
import io
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from marketnotes.charts import svgfont

Size = tuple[float, float]
SIZE: Size = (7.2, 3.3)  # inches: fits an A4 or Letter column with 15 mm margins
# A phone shows a chart ~360 CSS px wide: drawn 4 in wide, its 9 pt text stays ~9 pt there
# (the column-width chart, shrunk to fit, would be set in 5 pt).
PHONE: Size = (4.0, 3.6)
PHONE_DPI = 160  # 640 px: sharp on a phone screen, and the width of an email's column
SCREENS: tuple[Size, ...] = (SIZE, PHONE)  # what `for_screens` draws, in this order
Sizes = Size | tuple[Size, ...]  # what a chart function is drawn at: one size, or several in turn


@dataclass
class Chart:
    """A rendered chart, the title doubling as its alt text, in up to two forms:

    - `svg`, drawn at column width as vectors: the HTML on wide screens and the PDF, crisp at
      any zoom and on paper (and cheaper to write than a 144-dpi PNG);
    - `png`, drawn at phone width: the HTML on phones, and the image an email inlines (mail
      clients do not show SVG; most mail is read on phones anyway) and Jupyter falls back to.
    """

    title: str
    svg: bytes | None = None
    png: bytes | None = None

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, meta = {"text/plain": f"<Chart: {self.title}>"}, {}
        if self.svg is not None:
            data["image/svg+xml"] = self.svg.decode("utf-8")
            meta["image/svg+xml"] = {"alt": self.title}
        if self.png is not None:
            data["image/png"] = base64.b64encode(self.png).decode("ascii")
            meta["image/png"] = {"alt": self.title}
        return data, meta


def for_screens(draw: Callable[[Sizes], Chart]) -> Chart:
    """`draw` at column width (vectors), carrying the same chart at phone width (raster): laid
    out again (ticks, title lines, key rows, labels) rather than shrunk, so it stays legible.
    `draw` is a chart function given its `size`; given both, it builds its figure once."""
    return draw(SCREENS)


@dataclass
class _Plan:
    """What a figure is to be saved at, and what must be placed again at each size."""

    sizes: tuple[Size, ...]
    placers: list[tuple[Callable[[], None], list[Artist]]] = field(default_factory=list)


_PLANS: weakref.WeakKeyDictionary[Figure, _Plan] = weakref.WeakKeyDictionary()


def figure(size: Sizes = SIZE) -> Figure:
    """A house figure at `size`, or at the first of several sizes (`SCREENS`), each saved in
    turn by `render`."""
    sizes = tuple(size) if isinstance(size[0], tuple) else (size,)
    fig = Figure(figsize=sizes[0])
    _PLANS[fig] = _Plan(sizes)
    return fig


def _artists(fig: Figure) -> list[Artist]:
    return [*fig.get_children(), *(a for ax in fig.axes for a in ax.get_children())]


def per_size(fig: Figure, place: Callable[[], None]) -> None:
    """Run `place()` now, and again at each further size the figure is saved at, after what it
    placed the last time is removed: for what depends on the figure's width (the key's
    columns, labels spaced in inches, the title's lines, the margins). Placers run again in
    the order they were first run, so what they place is drawn in the same order."""
    before = {id(a) for a in _artists(fig)}
    place()
    plan = _PLANS.get(fig)
    if plan is not None and len(plan.sizes) > 1:
        plan.placers.append((place, [a for a in _artists(fig) if id(a) not in before]))


def _resize(fig: Figure, size: Size, plan: _Plan) -> None:
    """Make the figure what a new one of this size would be before its size-dependent parts
    are placed: their artists gone, the subplot at the default margins (the y ticks are
    located for that height before `fit` measures them), the title positioned automatically
    again (a title placed at one size may need to clear an offset label at another)."""
    for _, placed in plan.placers:
        for artist in placed:
            artist.remove()
    fig.set_size_inches(size)
    fig.subplots_adjust(**{k: mpl.rcParams[f"figure.subplot.{k}"] for k in ("left", "right", "bottom", "top", "wspace", "hspace")})
    for ax in fig.axes:
        ax._autotitlepos = None  # as Axes.clear leaves it: set_title(y=...) only ever turns it off
    for i, (place, _) in enumerate(plan.placers):
        before = {id(a) for a in _artists(fig)}
        place()
        plan.placers[i] = (place, [a for a in _artists(fig) if id(a) not in before])


def render(fig: Figure, title: str) -> Chart:
    """The figure saved at each of its sizes: at column width as SVG, its text as text in the
    house font it carries (the same glyphs everywhere, svgfont.py), narrower as PNG."""
    plan = _PLANS.pop(fig, None) or _Plan((tuple(fig.get_size_inches()),))
    forms: dict[str, bytes] = {}
    for i, size in enumerate(plan.sizes):
        if i:
            _resize(fig, size, plan)
        FigureCanvasAgg(fig)
        if size[0] >= 5:
            svg = svgfont.embed(_svg(fig, "none"))
            forms["svg"] = svg if svg is not None else _svg(fig, "path")  # a font the SVG cannot carry: outlines
        else:
            forms["png"] = _png(fig)
    return Chart(title, **forms)


def _svg(fig: Figure, fonttype: str) -> bytes:
    """The figure as SVG, its text as text (`none`, then carrying its font: svgfont.py) or as
    outlines (`path`)."""
    buf = io.BytesIO()
    with mpl.rc_context({"svg.fonttype": fonttype}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def _png(fig: Figure) -> bytes:
    """The figure at PHONE_DPI as a PNG, without the alpha channel when nothing is transparent
    (a house chart is opaque): the same pixels as matplotlib's own RGBA PNG, ~9% smaller and
    ~3 ms quicker to write. zlib level 1: ~6% bigger than level 6, which costs ~10% of a chart."""
    fig.savefig(io.BytesIO(), format="rgba", dpi=PHONE_DPI)
    rgba = np.asarray(fig.canvas.buffer_rgba())  # what that draw rendered: height x width x 4, not copied
    image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
    if rgba[..., 3].min() == 255:
        image = image.convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1, dpi=(PHONE_DPI, PHONE_DPI))
    return buf.getvalue()
