"""`note.preview()`: the note as it will be published, shown in the notebook that makes it.

An author editing a template sees cell outputs, not the note: the page, the fact-check
summary and the lint findings once needed a terminal and a render. The preview builds them
in the kernel from what is already there, so it takes a fraction of a second:

- the outputs: each template cell's result as the kernel displayed it and what it printed,
  recorded when the cell ran (cell_outputs.py, installed by `Note.load` in a Jupyter
  session), a re-run cell's output replacing its earlier one;
- the page: those outputs through the render stage's own HTML code (render/html.py: the
  nbconvert template, no inputs, every figure told its source), in an iframe so the note's
  stylesheet is the page's alone and not JupyterLab's;
- the check: the template's facts and sentences merged and checked against the note's facts
  and lint run over its prose and the template's together, by the host's own function
  (analysis.with_authored), so the summary is the line `marketnotes render` prints.

A cell is named as JupyterLab numbers it when the kernel knows its notebook (Jupyter's
server tells the kernel through JPY_SESSION_NAME, which ipykernel keeps as `__session__`)
and the cell has been saved; otherwise by its execution count, `In [12]` (`Numbering`).
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from IPython import get_ipython

from marketnotes.cell_outputs import Recorder


class Numbering:
    """Cells as JupyterLab numbers them (from 1), from the notebook file the kernel runs for:
    by cell id (JupyterLab sends it with each cell it runs), else by the cell's source where
    the file holds that source once (clients that send no id, such as nbclient). Without a
    notebook file, or for a cell not saved yet, a cell is named by its execution count."""

    def __init__(self) -> None:
        self.by_id: dict[Any, int] = {}
        self.by_source: dict[str, int] = {}
        ip = get_ipython()
        session = (ip.user_ns.get("__session__") if ip is not None else None) or os.environ.get("JPY_SESSION_NAME")
        path = Path(session) if session else None
        found = next((c for c in (path, Path.cwd() / path.name) if c.suffix == ".ipynb" and c.is_file()), None) if path else None
        if found is None:
            return
        try:
            cells = json.loads(found.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            return
        sources: dict[str, list[int]] = {}
        for number, cell in enumerate(cells, start=1):
            if cell.get("id"):
                self.by_id[cell["id"]] = number
            source = "".join(cell.get("source", "")).strip()
            sources.setdefault(source, []).append(number)
        self.by_source = {source: numbers[0] for source, numbers in sources.items() if len(numbers) == 1 and source}

    def number(self, key: Any, count: int | None) -> int | None:
        if key in self.by_id:
            return self.by_id[key]
        ip = get_ipython()
        raw = ip.history_manager.input_hist_raw if ip is not None else []
        return self.by_source.get(raw[count].strip()) if count is not None and 0 < count < len(raw) else None

    def where(self, key: Any, count: int | None) -> str:
        number = self.number(key, count)
        return f"cell {number}" if number is not None else f"In [{count}]" if count is not None else "a cell"


@dataclass
class Preview:
    """The note as `marketnotes render` would publish it from this session's cells, and the
    findings an author acts on. Shown in Jupyter as the check summary, each finding with the
    cell it came from, and the page; `html` is the page itself (note.html)."""

    html: str
    summary: str
    ok: bool
    findings: list[tuple[str, str]]  # (cell, finding)
    failed: list[tuple[str, str]]  # (cell, the one line it failed with)
    left_out: list[str] = field(default_factory=list)  # "Events: why": each section the note has nothing for

    def lines(self) -> list[str]:
        out = [self.summary]
        out += [f"  {cell} FAILED (a render stops here): {line}" for cell, line in self.failed]
        out += [f"  lint {cell}: {finding}" for cell, finding in self.findings]
        out += [f"  left out: {reason}" for reason in self.left_out]
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok and not self.failed else "#b42318"
        head, *rest = self.lines()
        items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in rest)
        fit = "this.style.height=(this.contentWindow.document.documentElement.scrollHeight+24)+'px'"
        return (
            f'<div class="mn-preview"><p style="color:{colour};font-weight:600;margin:0 0 .3em">{html.escape(head)}</p>'
            + (f'<ul style="margin:0 0 .6em;padding-left:1.2em">{items}</ul>' if items else "")
            + f'<iframe title="note preview" srcdoc="{html.escape(self.html, quote=True)}" onload="{fit}" '
            'style="width:100%;max-width:60rem;height:900px;border:1px solid #d0d7de;background:#fff"></iframe></div>'
        )


def build(note, recorder: Recorder) -> Preview:
    """The preview of `note` (marketnotes.notebook.Note) from what `recorder` saw."""
    import nbformat

    from marketnotes.analysis import Analysis, with_authored
    from marketnotes.facts import FactTable
    from marketnotes.narrative.left_out import left_out
    from marketnotes.render.html import PageInfo, to_html

    cells = Numbering()
    shown = sorted(recorder.shown.values(), key=lambda s: (cells.number(s.key, s.count) or 1_000_000, s.order))
    a = note.analysis
    built_in = FactTable(a.facts.as_of, dict(a.facts.labels), {i: f for i, f in a.facts.facts.items() if i not in note.added})
    checked = with_authored(replace(a, facts=built_in) if isinstance(a, Analysis) else a, note.authored)
    said_by = {c.count: c for c in note.said_in}
    findings = [(cells.where(said_by[f.cell].key, f.cell) if f.cell in said_by else "stock prose", str(f)) for f in checked.check.style]
    nb = nbformat.v4.new_notebook()
    for s in shown:
        if s.error is None:
            nb.cells.append(nbformat.v4.new_code_cell(outputs=[nbformat.from_dict(o) for o in s.outputs]))
    page = to_html(nb, PageInfo.for_note(note.spec, note.prices.source, note.prices.ranges()), checked.facts)
    failed = [(cells.where(s.key, s.count), s.error) for s in shown if s.error is not None]
    params = note.spec.params
    gone = [f"{section}: {why}" for section, why in left_out(a.facts, a.narrative, params.symbols, params.rotation_pair)]
    return Preview(page, checked.check.summary(), checked.check.ok, findings, failed, gone)
