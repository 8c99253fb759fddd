"""The house font inside each column-width SVG, so its text is real text that looks the same
everywhere.

A chart's SVG carries its text as text (`svg.fonttype: none`), not as one path per glyph:
Chromium prints a note's PDF ~0.09 core-s quicker (it drew every glyph's outline as a
vector path), the PDF is half the size and its chart labels can be selected and searched,
and the HTML is ~30% smaller. Text, though, is drawn by whoever shows the SVG, in the font it
names; a reader without DejaVu Sans would see another font, at other widths than the ones
matplotlib laid the chart out with. So each SVG carries the glyphs it uses of the very font
files matplotlib measured (`@font-face` with a data URI, which an SVG shown as an image may
load): one subset of the house's usual characters per face, made once per process (the
kernel zygote makes it for every kernel it forks), and a subset of its own only for a chart
with characters beyond those (a title or label from a user's params).

Subsets drop the hinting (matplotlib's own outlines are unhinted too) and the kerning
tables: keeping them made a subset ~12 times dearer to make (~0.4 s a face) for shifts of a
fraction of a point, and every label keeps its anchor (start, middle or end) where matplotlib
placed it. fontTools (a matplotlib dependency) makes them, and the same characters give the
same bytes, so notes stay reproducible.
"""

from __future__ import annotations

import base64
import html
import io
import re
from functools import lru_cache
from pathlib import Path

# What house charts say: ASCII, and the typography the phrasebook and axes use.
USUAL = frozenset(chr(c) for c in range(32, 127)) | frozenset("·−–—‘’“”…°×±€£¥§\u00a0")  # mathtext spaces are no-break
WEIGHTS = {"normal": "", "bold": "font-weight: 700"}  # the faces house charts use, as matplotlib writes them

# A text element and what it says up to its next tag: matplotlib styles each <tspan> of a
# mathtext label ("$80 and gold at $2000") on its own, and a plain label on its <text>.
_TEXT = re.compile(rb"<(?:text|tspan)\b([^>]*)>([^<]*)")


def embed(svg: bytes) -> bytes:
    """`svg` (matplotlib's, text as text) with an `@font-face` rule for each face its text
    uses. Mathtext's oblique letters are drawn slanted from the regular face by the reader."""
    used: dict[str, set[str]] = {}
    for attributes, content in _TEXT.findall(svg):
        said = {c for c in html.unescape(content.decode("utf-8")) if c >= " "}  # not the markup's line breaks
        if said:
            weight = "bold" if WEIGHTS["bold"].encode() in attributes else "normal"
            used.setdefault(weight, set()).update(said)
    if not used:
        return svg
    rules = "".join(_face(weight, USUAL | chars) for weight, chars in sorted(used.items()))  # USUAL itself, mostly
    # Glyphs at their exact widths: Chromium otherwise rounds small text's advances to whole
    # pixels of the SVG's own units when it prints, and the labels come out letter-spaced
    style = f'<style type="text/css">{rules}text{{text-rendering:geometricPrecision}}</style>'.encode()
    head_end = svg.index(b">", svg.index(b"<svg")) + 1
    return svg[:head_end] + b"\n" + style + svg[head_end:]


def warm() -> None:
    """Make the usual subsets of both faces now (~0.04 s each), in a process whose children
    (the zygote's kernels) then find them made."""
    for weight in WEIGHTS:
        _face(weight, USUAL)


@lru_cache(maxsize=16)
def _face(weight: str, chars: frozenset[str]) -> str:
    family = "DejaVu Sans"
    data = base64.b64encode(_subset(_font_file(family, weight), "".join(sorted(chars)))).decode("ascii")
    return f"@font-face{{font-family:'{family}';font-weight:{'700' if weight == 'bold' else '400'};src:url(data:font/ttf;base64,{data}) format('truetype')}}"


def _font_file(family: str, weight: str) -> Path:
    """The file matplotlib itself draws `family` at `weight` with."""
    from matplotlib.font_manager import FontProperties, findfont

    return Path(findfont(FontProperties(family=family, weight=weight), fallback_to_default=False))


def _subset(path: Path, text: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(layout_features=[], hinting=False, desubroutinize=True, name_IDs=[1, 2], notdef_outline=True)
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a reader's renderer uses
    font = TTFont(path, lazy=True, recalcTimestamp=False)  # the font's own date, not now: the same bytes every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
