"""Start a new template: the stock note plus a paragraph and a chart of your own, without outputs.

    python scripts/new_template.py templates/my-note.ipynb            # the skeleton
    python scripts/new_template.py templates/my-note.ipynb --stock    # a plain copy of the stock template

The skeleton shows the authoring calls (docs/templates.md) on the bundled sample: the VIX
read as "your own data", its facts added with `note.add_series` / `note.add_fact`, a
paragraph in `note.say` and a chart in `note.plot`. Edit it in Jupyter; `marketnotes
templates check` lints it. An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

PARAMETERS = '''# Parameters: papermill replaces these values with a validated params file.
# The defaults run offline on the bundled sample, so this notebook works as-is in Jupyter.
title = "Weekly market note: tech vs the blue chips"
as_of = "2018-12-21"
indices = [
    {"symbol": "^IXIC", "label": "NASDAQ Composite"},
    {"symbol": "^GSPC", "label": "S&P 500"},
    {"symbol": "^DJI", "label": "Dow"},
]
source = "sample"
source_options = {}
rotation = {"lead": "^IXIC", "lag": "^DJI", "threshold_pct": 1.0}
lookback = ["1d", "1w", "1m", "3m", "ytd"]
chart_years = 1.0
events = ["cpi"]
page_size = "A4"
price_snapshot = None  # set by marketnotes: prices the host already loaded
facts_snapshot = None  # set by marketnotes: facts the host already computed'''

LOAD = '''from marketnotes.notebook import Note

note = Note.load(
    title=title, as_of=as_of, indices=indices, source=source, source_options=source_options,
    rotation=rotation, lookback=lookback, chart_years=chart_years, events=events,
    page_size=page_size, price_snapshot=price_snapshot, facts_snapshot=facts_snapshot,
)'''

STOCK = [
    "note.headline()",
    'note.section("The story so far")',
    'note.chart("performance")',
    'note.section("Leaders and laggards")',
    "note.returns_table()",
    'note.section("Records and drawdowns")',
    'note.chart("drawdown")',
    'note.section("The rotation")',
    'note.chart("ratio")',
    'note.sections("Events", "What to watch")',
    'note.chart("returns")',
]

OWN_DATA = '''# Your own data: here the VIX closes bundled with marketnotes (they mark holidays with ".").
import pandas as pd
from marketnotes.data.files import sample_folder

vix = pd.read_csv(sample_folder() / "^VIX.csv.gz", index_col="Date", parse_dates=True, na_values=".")
vix = vix["Close"].dropna().loc[: note.as_of]'''

OWN_FACTS = '''# Facts the paragraph can cite: note.facts_frame("VIX") lists them with how n() writes each.
note.add_series("^VIX", "VIX", vix)  # VIX.close, VIX.ret.1w, ...: the facts each index gets
year = vix.loc[note.as_of - pd.DateOffset(years=1) :]
note.add_fact("VIX.high.1y", year.max(), "level", "VIX highest close over the past year", start=year.index[0], end=year.idxmax())
note.add_fact("VIX.high.1y.date", year.idxmax(), "date", "the day of the VIX's highest close over the past year")'''

OWN_PARAGRAPH = '''note.say("{{ the('^VIX', true) }} {{ move('VIX.ret.1w') }} {{ window('1w') }}, to {{ n('VIX.close') }}; "
         "its highest close of the past year was {{ n('VIX.high.1y') }}, on {{ n('VIX.high.1y.date') }}.", title="Volatility")'''

OWN_CHART = '''note.plot(vix, "{{ the('^VIX', true) }} {{ move('VIX.ret.1w', 'present') }} {{ window('1w') }}", ylabel="index points",
          source="Source: CBOE VIX daily close, bundled sample (via arch).")'''


def notebook(body: list[str]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), new_code_cell(LOAD)]
    nb.cells += [new_code_cell(src) for src in body]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def stock() -> nbformat.NotebookNode:
    """The stock template's cells (templates/weekly-rotation.ipynb)."""
    return notebook(STOCK)


def skeleton() -> nbformat.NotebookNode:
    """The stock note with a VIX paragraph and chart of the template's own before "What to watch"."""
    body = STOCK[:-2] + [OWN_DATA, OWN_FACTS, OWN_PARAGRAPH, OWN_CHART, *STOCK[-2:]]
    return notebook(body)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="where to write the template, e.g. templates/my-note.ipynb")
    parser.add_argument("--stock", action="store_true", help="a plain copy of the stock template")
    args = parser.parse_args(argv)
    if args.target.exists():
        print(f"{args.target} exists; choose another name", file=sys.stderr)
        return 2
    nbformat.write(stock() if args.stock else skeleton(), args.target)
    print(f"wrote {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
