"""A chart for screens is built once and saved at both sizes (charts/forms.py): each form must
be exactly what a figure built at that size alone gives, so notes look the same as when every
chart was drawn twice."""

import io

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from conftest import REPO
from marketnotes import charts
from marketnotes.charts import forms
from marketnotes.charts.house import HOUSE_STYLE, PHONE, PHONE_DPI, SCREENS, SIZE, figure, finish, key, per_size
from marketnotes.notebook import Note

LOADED = ("title", "note_kind", "as_of", "indices", "source", "source_options", "rotation", "lookback", "chart_years", "events", "page_size")
NOTES = [  # params file, as-of, the charts its template draws
    ("demo.yaml", "2018-12-21", ["performance", "drawdown", "ratio", "returns"]),
    ("demo.yaml", "2008-10-10", ["performance"]),  # the arc's phases shaded and named, events along the top
    ("monthly-review.yaml", "2018-12-31", ["month", "drawdown"]),
    ("cpi-reaction.yaml", "2018-10-11", ["release-days", "performance"]),  # CPI and FOMC days, a quarter wide
]


def load(params_file: str, as_of: str) -> Note:
    params = yaml.safe_load((REPO / "params" / params_file).read_text(encoding="utf-8"))
    return Note.load(**{**{k: v for k, v in params.items() if k in LOADED}, "as_of": as_of})


@pytest.fixture(scope="module")
def drawings():
    """Every chart the stock templates draw, and two of a template's own (`note.plot`, one
    with an offset on its y axis), as the `draw` each hands to `for_screens`."""
    found = []

    def capture(draw):
        found.append(draw)
        return forms.for_screens(draw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(charts, "for_screens", capture)
        for params_file, as_of, names in NOTES:
            note = load(params_file, as_of)
            for name in names:
                note.chart(name)
        closes = note.prices.closes
        note.plot(closes, "All three", ylabel="close")
        note.plot(25_000 + closes[closes.columns[0]].pct_change().fillna(0).cumsum(), "A level near twenty-five thousand", ylabel="level")
    assert len(found) == sum(len(names) for *_, names in NOTES) + 2
    return found


def test_each_form_is_the_chart_built_at_that_size_alone(drawings):
    for i, draw in enumerate(drawings):
        both = forms.for_screens(draw)
        column, phone = draw(SIZE), draw(PHONE)
        assert column.png is None and phone.svg is None
        assert both.title == column.title == phone.title
        assert both.svg == column.svg, f"drawing {i}: the column-width SVG differs from one built alone"
        assert both.png == phone.png, f"drawing {i}: the phone PNG differs from one built alone"


def test_a_chart_for_screens_builds_its_figure_once(drawings, monkeypatch):
    built = []
    monkeypatch.setattr(forms, "Figure", lambda **kw: built.append(kw) or Figure(**kw))
    chart = forms.for_screens(drawings[0])
    assert chart.svg.startswith(b"<?xml") and chart.png.startswith(b"\x89PNG")
    assert built == [{"figsize": SIZE}]


def test_what_depends_on_the_width_is_placed_again_at_each_size_and_only_its_last_placing_stays():
    widths = []
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(SCREENS)
        ax = fig.add_subplot()
        ax.plot(pd.date_range("2018-01-01", periods=30), np.arange(30), label="a")
        ax.plot(pd.date_range("2018-01-01", periods=30), np.arange(30)[::-1], label="b")
        key(ax)

        def one_label_an_inch():
            widths.append(fig.get_size_inches()[0])
            for i in range(int(fig.get_size_inches()[0])):
                ax.text(i / 10, 0.5, f"label {i}")

        per_size(fig, one_label_an_inch)
        chart = finish(fig, "A title long enough to take two lines at phone width, not at column width", "Source: a test.")
    assert widths == [SIZE[0], PHONE[0]]
    assert len(ax.texts) == int(PHONE[0])  # the column-width labels are gone
    assert len(fig.texts) == 1  # one source line
    assert ax.get_legend() is not None
    assert ax.get_title(loc="left").count("\n") == 1
    assert chart.svg and chart.png


def _matplotlib_png(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PHONE_DPI)
    return np.asarray(Image.open(buf).convert("RGBA"))


@pytest.mark.parametrize("facecolor, mode", [("white", "RGB"), ("none", "RGBA")])
def test_the_phone_png_has_matplotlibs_pixels_and_an_alpha_channel_only_when_it_is_transparent(facecolor, mode):
    with mpl.rc_context(HOUSE_STYLE):
        fig = Figure(figsize=PHONE, facecolor=facecolor)
        ax = fig.add_subplot()
        ax.plot([0, 1, 2], [1, 3, 2])
        ax.set_title("A title")
        FigureCanvasAgg(fig)
        ours = Image.open(io.BytesIO(forms._png(fig)))
        expected = _matplotlib_png(fig)
    assert ours.mode == mode and ours.size == (PHONE[0] * PHONE_DPI, PHONE[1] * PHONE_DPI)
    assert round(ours.info["dpi"][0]) == PHONE_DPI
    assert np.array_equal(np.asarray(ours.convert("RGBA")), expected)


def test_a_charts_svg_carries_its_text_as_text_in_the_font_it_was_laid_out_with(drawings):
    """Text as text, not outlines (a PDF's labels can be searched, and print cheaper), in the
    house font the SVG itself carries: a reader without DejaVu Sans sees the chart as drawn.
    Each face used is embedded with every character its text uses, ones beyond the house's
    usual set (a title from a user's params) included."""
    import base64
    import re

    from fontTools.ttLib import TTFont

    from marketnotes.charts import svgfont

    svg = forms.for_screens(drawings[0]).svg.decode("utf-8")
    assert "<text" in svg and "rebased to 100" in svg
    faces = re.findall(r"font-weight:(\d+);src:url\(data:font/ttf;base64,([^)]*)\)", svg)
    assert sorted(weight for weight, _ in faces) == ["400", "700"]
    title = "Índice Ωmega gains 2% — «near» its high"
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(SIZE)
        fig.add_subplot().plot([1, 2, 3])
        chart = finish(fig, title, "Source: a test.")
    svg = chart.svg.decode("utf-8")
    bold = next(data for weight, data in re.findall(r"font-weight:(\d+);src:url\(data:font/ttf;base64,([^)]*)\)", svg) if weight == "700")
    embedded = TTFont(io.BytesIO(base64.b64decode(bold)))
    covered = {chr(c) for c in embedded.getBestCmap()}
    assert set(title) <= covered and svgfont.USUAL <= covered | {" "}
    # a title with two "$" is mathtext, each letter styled on its own <tspan>: still both faces
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(SIZE)
        fig.add_subplot().plot([1, 2, 3])
        priced = finish(fig, "Oil at $80 and gold at $2000", "Source: a test.").svg.decode("utf-8")
    assert sorted(re.findall(r"font-weight:(\d+);src:url", priced)) == ["400", "700"]
    # a template's chart in a font of its own keeps its text as outlines: no font to carry
    with mpl.rc_context(HOUSE_STYLE):
        fig = figure(SIZE)
        fig.add_subplot().plot([1, 2, 3])
        fig.axes[0].set_ylabel("level", family="DejaVu Serif")
        serif = finish(fig, "A plain title", "Source: a test.").svg.decode("utf-8")
    assert "<text" not in serif and "@font-face" not in serif
    # the font file's own date, not the time of the render: a note rendered again is the same file
    assert embedded["head"].modified == TTFont(svgfont._font_file("bold"))["head"].modified
