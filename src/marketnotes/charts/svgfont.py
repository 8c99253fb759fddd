"""The house font inside each column-width SVG, so its text is real text that looks the same
everywhere.

A chart's SVG carries its text as text (`svg.fonttype: none`), not as one path per glyph:
Chromium prints a note's PDF ~0.09 core-s quicker (it drew every glyph's outline as a
vector path), the PDF is ~28% smaller and its chart labels can be selected and searched,
and the HTML ~13% smaller. Text, though, is drawn by whoever shows the SVG, in the font it
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
import hashlib
import html
import io
import re
from functools import lru_cache
from pathlib import Path

FAMILY = "DejaVu Sans"  # the house font (house.HOUSE_STYLE), as matplotlib names it in an SVG
# What house charts say: ASCII, and the typography the phrasebook and axes use.
USUAL = frozenset(chr(c) for c in range(32, 127)) | frozenset("·−–—‘’“”…°×±€£¥§\u00a0")  # mathtext spaces are no-break
WEIGHTS = ("normal", "bold")  # DejaVu Sans's faces: matplotlib draws any weight from 600 up in the bold one

# A text element and what it says up to its next tag: matplotlib styles each <tspan> of a
# mathtext label ("$80 and gold at $2000") on its own, and a plain label on its <text>.
_TEXT = re.compile(rb"<(?:text|tspan)\b([^>]*)>([^<]*)")
_WEIGHT = re.compile(rb"font-weight: (\d+)")
_FAMILY = re.compile(rb"font-family: ([^;\"]+)")


def embed(svg: bytes) -> bytes | None:
    """`svg` (matplotlib's, text as text) carrying the faces its text uses, under a family
    name of their own (so an SVG inlined into a page, as classic Jupyter does, neither
    replaces the page's DejaVu Sans nor shares a name with another chart's subset). None
    when its text names another family (a template's own font, a mathtext font set): that
    chart keeps its text as outlines. Mathtext's oblique letters are slanted from the
    regular face by the reader."""
    used: dict[str, set[str]] = {}
    house = f"'{FAMILY}'".encode()
    for attributes, content in _TEXT.findall(svg):
        said = {c for c in html.unescape(content.decode("utf-8")) if c >= " "}  # not the markup's line breaks
        if not said:
            continue
        family, weight = _FAMILY.search(attributes), _WEIGHT.search(attributes)
        if family is not None and family.group(1).strip() != house:
            return None
        used.setdefault("bold" if weight is not None and int(weight.group(1)) >= 600 else "normal", set()).update(said)
    if not used:
        return svg
    faces = {face: USUAL | chars for face, chars in sorted(used.items())}  # USUAL itself, mostly
    name = "mn-" + hashlib.sha1(repr([(face, sorted(chars)) for face, chars in faces.items()]).encode()).hexdigest()[:10]
    rules = "".join(
        f"@font-face{{font-family:'{name}';font-weight:{'700' if face == 'bold' else '400'};src:url(data:font/ttf;base64,{_subset(face, chars)}) format('truetype')}}"
        for face, chars in faces.items()
    )
    # Glyphs at their exact widths: Chromium otherwise rounds small text's advances to whole
    # pixels of the SVG's own units when it prints, and the labels come out letter-spaced
    style = f'<style type="text/css">{rules}text{{text-rendering:geometricPrecision}}</style>'.encode()
    svg = svg.replace(b"font-family: " + house, f"font-family: '{name}', {house.decode()}".encode())
    head_end = svg.index(b">", svg.index(b"<svg")) + 1
    return svg[:head_end] + b"\n" + style + svg[head_end:]


def warm() -> None:
    """Make the usual subsets of both faces now (~0.04 s each), in a process whose children
    (the zygote's kernels) then find them made."""
    for face in WEIGHTS:
        _subset(face, USUAL)


@lru_cache(maxsize=16)
def _subset(face: str, chars: frozenset[str]) -> str:
    """The face's glyphs for `chars`, as a base64 TrueType file."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(layout_features=[], hinting=False, desubroutinize=True, name_IDs=[1, 2], notdef_outline=True)
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a reader's renderer uses
    font = TTFont(_font_file(face), lazy=True, recalcTimestamp=False)  # the font's own date, not now: the same bytes every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")


def _font_file(face: str) -> Path:
    """The file matplotlib itself draws the house font's `face` with."""
    from matplotlib.font_manager import FontProperties, findfont

    return Path(findfont(FontProperties(family=FAMILY, weight=face), fallback_to_default=False))
