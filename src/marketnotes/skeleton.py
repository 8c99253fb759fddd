"""A new template to edit: the stock weekly note plus a paragraph and a chart of its own.

`marketnotes templates new PATH` (and `scripts/new_template.py`) write it. It is a command of
the package, not only a script of the clone, because a user who installed the wheel has no
`scripts/` folder, and because the command is found the way every other one is (on PATH in
an active venv, or by its full path) without knowing which Python has nbformat.

The skeleton shows the authoring calls (docs/templates.md) on the bundled sample: the VIX
read as "your own data", its facts added with `note.add_series` / `note.add_fact`, a
paragraph in `note.say` and a chart in `note.plot`. Its notebook metadata is what JupyterLab
writes on the first save (the kernelspec's display name, the kernel's `language_info`), so
opening and saving it is not a metadata-only `git diff`.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from marketnotes.errors import MarketNotesError

KERNEL = "python3"  # the kernel templates run on (execute.py) and JupyterLab offers first

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

PREVIEW = """# While you edit: the note as `marketnotes render` would publish it, its fact check and lint
# findings by cell. Under marketnotes this shows nothing, so the cell may stay.
note.preview()"""

OWN_CHART = '''note.plot(vix, "{{ the('^VIX', true) }} {{ move('VIX.ret.1w', 'present') }} {{ window('1w') }}", ylabel="index points",
          source="Source: CBOE VIX daily close, bundled sample (via arch).")'''


class TemplateExists(MarketNotesError):
    """`templates new` never overwrites: the file may hold an author's work."""

    exit_code = 2

    def __init__(self, path: Path):
        super().__init__(f"{path} exists; choose another name (an existing template is never overwritten)")


def lab_metadata() -> dict:
    """The notebook metadata JupyterLab writes when it saves a notebook it ran on this
    environment's `python3` kernel: the kernelspec as the Jupyter server lists it (its
    display name, "Python 3 (ipykernel)") and the kernel's own `language_info` (what
    ipykernel answers to kernel_info, the Python version included). Read from the kernel's
    code and spec rather than by starting a kernel: the same answer, without the second."""
    from ipykernel.ipkernel import IPythonKernel
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
        display_name, language = spec.display_name, spec.language
    except NoSuchKernel:  # ipykernel's own spec, which the server falls back to
        from ipykernel.kernelspec import get_kernel_dict

        native = get_kernel_dict()
        display_name, language = native["display_name"], native["language"]
    return {
        "kernelspec": {"display_name": display_name, "language": language, "name": KERNEL},
        "language_info": dict(IPythonKernel.language_info),
    }


def notebook(body: list[str]) -> nbformat.NotebookNode:
    nb = new_notebook(metadata=lab_metadata())
    nb.cells = [new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), new_code_cell(LOAD)]
    nb.cells += [new_code_cell(src) for src in body]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    return nb


def stock() -> nbformat.NotebookNode:
    """The stock template's cells (templates/weekly-rotation.ipynb)."""
    return notebook(STOCK)


def skeleton() -> nbformat.NotebookNode:
    """The stock note with a VIX paragraph and chart of the template's own before "What to
    watch", and the preview last, so "Run All" in JupyterLab ends with the note itself."""
    return notebook(STOCK[:-2] + [OWN_DATA, OWN_FACTS, OWN_PARAGRAPH, OWN_CHART, *STOCK[-2:], PREVIEW])


def write_template(target: Path, plain: bool = False) -> Path:
    """Write the skeleton (or, `plain`, the stock note's cells) to `target`, a new file."""
    target = Path(target)
    if target.exists():
        raise TemplateExists(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": a file that appeared meanwhile is not overwritten either
        nbformat.write(stock() if plain else skeleton(), handle)
    return target
