"""A kernel's per-process caches, filled before its first note asks for them.

The kernel zygote (runtime/zygote.py) runs `warm()` once for every kernel it forks, and a
kernel started ahead of need (runtime/engines.py, WARM_CODE) runs it while the host loads
the data; both have imported `marketnotes.notebook` first, as a note's first cell does.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd


def warm() -> None:
    """The phrasebook, the fonts and their SVG subsets, the number formats, the parquet reader.

    Only caches whose content is the same for every note, so a note rendered in a warmed
    kernel is identical to one rendered cold. Measured in a kernel forked after it:
    `Note.load` 102 -> 61 ms (median of 5), most of it babel loading its locale data on the
    first number and pyarrow setting up its first read, which every note paid again.
    """
    import matplotlib.font_manager
    from babel.dates import format_date
    from babel.numbers import format_decimal, format_percent

    from marketnotes.charts import svgfont
    from marketnotes.narrative.formats import LOCALE
    from marketnotes.narrative.writer import environment

    environment().get_template("phrasebook.j2")
    format_decimal(1234.5, "#,##0", locale=LOCALE)
    format_percent(0.1, "#,##0.0%", locale=LOCALE)
    format_date(pd.Timestamp("2018-01-05"), "MMMM", locale=LOCALE)
    with tempfile.TemporaryDirectory(prefix="marketnotes-warm-") as folder:
        path = Path(folder) / "warm.parquet"
        pd.DataFrame({"date": [pd.Timestamp("2018-01-05")], "close": [1.0]}).to_parquet(path)
        pd.read_parquet(path)
    matplotlib.font_manager.findfont("DejaVu Sans")
    svgfont.warm()
