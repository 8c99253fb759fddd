"""Executed notebook -> one self-contained HTML note, through nbconvert with our own template.

The `marketnotes` nbconvert template (nbtemplates/marketnotes) extends JupyterLab's output
rendering but writes its own page: no input cells, no prompts, no scripts, no CDN; images are
embedded as data URIs so the file reads offline and attaches to an email as-is. Header and
footer text comes from the spec and is escaped in the template. Given the note's facts table,
every cited figure is then told its source (render/sources.py).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources as pkg_resources
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from marketnotes import __version__
from marketnotes.facts.table import FactTable
from marketnotes.render.sources import annotate
from marketnotes.spec import NoteSpec

TEMPLATES = Path(str(pkg_resources.files("marketnotes") / "render" / "nbtemplates"))


@lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """Built once per process: nbconvert's template lookup and Jinja compile are not free."""
    return HTMLExporter(
        template_name="marketnotes",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        filters={"b64encode": _b64encode},
    )


def _b64encode(text: str | list[str]) -> str:
    """An SVG output as a data URI's payload (nbformat may hold it as a list of lines)."""
    return base64.b64encode("".join(text).encode("utf-8")).decode("ascii")


@lru_cache(maxsize=1)
def house_css() -> str:
    return (TEMPLATES / "marketnotes" / "note.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageInfo:
    """What the header and footer say; built from the spec and the data actually used."""

    title: str
    as_of: str
    as_of_phrase: str
    index_set: str
    source: str
    data_range: str
    generated: str

    @classmethod
    def for_note(cls, spec: NoteSpec, source: str, ranges: dict[str, tuple[str, str]]) -> PageInfo:
        labels = spec.params.labels
        span = "; ".join(f"{labels.get(s, s)} {a} to {b}" for s, (a, b) in ranges.items())
        return cls(
            title=spec.params.title,
            as_of=spec.as_of_iso,
            as_of_phrase=spec.as_of_phrase,
            index_set=" · ".join(labels.values()),
            source=source,
            data_range=f"prices {span}",
            generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )


def warm_up() -> None:
    """Make a tiny page and throw it away: the first page a process makes costs ~0.35 core-s
    more than the next ones (nbconvert's exporter and its Jinja templates, the Markdown
    renderer, and soupsieve compiling the CSS selectors the exporter applies), none of it
    depending on the note. Made with the same `to_html`, so it fills exactly the caches a
    note's page would, and the notes that follow are identical to a cold one."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    shown = {"text/html": "<p>a</p>", "text/plain": "a", "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'/>"}
    nb = new_notebook(cells=[new_markdown_cell("a *b*"), new_code_cell("", outputs=[new_output("display_data", data=shown)])])
    to_html(nb, PageInfo("", "", "", "", "", "", ""))


def to_html(nb: nbformat.NotebookNode, page: PageInfo, facts: FactTable | None = None) -> str:
    """The page; with `facts` (the table facts.json is written from, after the fact check has
    read the prose), each cited figure also carries its fact's description, window and id."""
    info = {**page.__dict__, "version": __version__, "css": house_css()}
    body, _ = exporter().from_notebook_node(nb, resources={"marketnotes": info})
    return body if facts is None else annotate(body, facts)
