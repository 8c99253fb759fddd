"""Write a fresh copy of the stock template (templates/weekly-rotation.ipynb), without outputs.

    python scripts/new_template.py [templates/my-note.ipynb]

Edit the result in Jupyter; `marketnotes templates check` lints it.
"""

from __future__ import annotations

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

BODY = [
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


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = [new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), new_code_cell(LOAD)]
    nb.cells += [new_code_cell(src) for src in BODY]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "templates/weekly-rotation.ipynb")
    nbformat.write(build(), target)
    print(f"wrote {target}")
