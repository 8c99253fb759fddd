"""One note, as a straight line: params -> as-of -> data -> spec -> facts -> prose -> notebook -> outputs.

Each step is a call into the stage that owns it; this module only wires them in order.
What runs it — one note cold from the CLI, a batch worker, a Dask worker — lives in
`runtime/` and calls in here; nothing here imports the runtime.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from marketnotes import atomic, faults
from marketnotes.calendar import ResolvedAsOf, resolve_as_of
from marketnotes.data import PriceData, load_prices, make_source
from marketnotes.analysis import AUTHORED_FILE, Analysis, Authored, analyse, note_events, note_macro, with_authored
from marketnotes.errors import NoteTimedOut, SayCheckFailed, TemplateCellFailed
from marketnotes.params import NoteParams, load_params
from marketnotes.spec import NoteSpec
from marketnotes.templates import find_template
from marketnotes.transaction import NoteTransaction


def read_params(path: Path, overrides: list[str], as_of: str | None) -> NoteParams:
    return load_params(path, overrides, as_of)


def resolve(as_of) -> ResolvedAsOf:
    return resolve_as_of(as_of)


def load_data(source: str, options: dict, symbols: list[str], as_of, offline: bool = False) -> PriceData:
    return load_prices(make_source(source, options, offline), symbols, resolve_as_of(as_of))


def prepare(
    params_path: Path,
    overrides: list[str] | None = None,
    as_of: str | None = None,
    offline: bool = False,
    output_dir: Path | None = None,
    params: NoteParams | None = None,
) -> tuple[NoteSpec, PriceData]:
    """Validate params (unless the caller already did: `params`), resolve the as-of, load
    the data, and freeze it all into a spec."""
    params = params or load_params(params_path, overrides or [], as_of)
    resolved = resolve_as_of(params.as_of)
    prices = load_prices(make_source(params.source, params.source_options, offline), params.symbols, resolved)
    spec = NoteSpec.build(params, resolved, prices.as_of, output_dir, offline, params_path)
    return spec, prices


def describe_as_of(resolved: ResolvedAsOf, session: pd.Timestamp) -> str:
    day = session.strftime("%A %Y-%m-%d")
    if resolved.requested in {"latest", "last-friday"}:
        return f"as of {day} close ({resolved.requested})"
    if resolved.requested != session.date().isoformat():
        return f"as of {day} close ({resolved.requested} is not a trading session)"
    return f"as of {day} close"


@dataclass
class RenderResult:
    spec: NoteSpec
    paths: dict[str, Path]
    timings: dict[str, float]
    analysis: Analysis | None  # None when the note was up to date and not rendered again
    up_to_date: bool = False


def render_note(
    spec: NoteSpec,
    prices: PriceData,
    pdf_backend=None,
    on_stage: Callable[[str], None] = lambda stage: None,
    kernel=None,
    force: bool = True,
    template: Path | None = None,
) -> RenderResult:
    """facts -> notebook -> HTML -> PDF -> facts.json + manifest, staged and published as one.

    `template` is the note's template when the caller already found it (or a copy: a Dask
    worker gets the template's bytes with the task). Without `force`, a note whose inputs
    (manifest.input_hash) are those its intact folder was made from is left as it is: a
    re-run backfill renders only what changed.

    Everything is written into the note's staging folder (transaction.py); the folder
    replaces the previous version only once complete, so a failure or a kill at any point
    leaves the previous note exactly as it was.

    `pdf_backend` lets a batch pass one open browser for all its notes, and `kernel` a fresh
    kernel it started ahead of need; alone, both are started and closed here.
    """
    from marketnotes import execute, manifest
    from marketnotes.narrative.left_out import left_out as sections_left_out
    from marketnotes.render.html import PageInfo, to_html
    from marketnotes.render.pdf import get_backend

    timings: dict[str, float] = {}
    clock = _Clock(timings, on_stage, Deadline(spec))
    with NoteTransaction(spec.out_dir) as folder:
        template, events = template or find_template(spec), note_events(spec)
        macro = note_macro(spec, events)
        inputs = manifest.input_hash(spec, prices, template, events, macro)
        if not force and manifest.up_to_date(spec.out_dir, inputs):
            return RenderResult(spec, {}, {}, None, up_to_date=True)
        with clock("facts"):
            analysis = analyse(spec, prices, events=events, macro=macro)
        with clock("notebook"), tempfile.TemporaryDirectory(prefix="marketnotes-") as work:
            snapshot, facts_file = Path(work) / "prices.parquet", Path(work) / "facts.json"
            prices.to_parquet(snapshot)
            facts_json = analysis.facts.to_json()
            facts_file.write_text(facts_json, encoding="utf-8")
            declared = execute.declared_parameters(template, template.stat().st_mtime_ns)
            parameters = execute.template_parameters(spec, snapshot, declared, facts_file)
            nb = execute.execute(template, parameters, folder, kernel, clock.deadline)
            merged = _with_template_prose(analysis, Path(work) / AUTHORED_FILE, nb, template)
            if merged is not analysis:  # the template added facts or prose of its own
                analysis, facts_json = merged, merged.facts.to_json()
        written = [folder.path("note.ipynb")]
        with clock("html"):
            html = to_html(nb, PageInfo.for_note(spec, prices.source, prices.ranges()), analysis.facts)
            if "html" in spec.params.formats:
                written.append(atomic.write_text(folder.path("note.html"), html))
        if "pdf" in spec.params.formats:
            with clock("pdf"):
                args = (html, folder.path("note.pdf"), spec.params.title, spec.params.page_size)
                if pdf_backend is None:
                    with get_backend() as backend:
                        written.append(backend.render(*args))
                else:
                    written.append(pdf_backend.render(*args))
        with clock("manifest"):
            written.append(atomic.write_text(folder.path("facts.json"), facts_json))
            left_out = sections_left_out(analysis.facts, analysis.narrative, spec.params.symbols, spec.params.rotation_pair)
            written.append(manifest.write_manifest(spec, prices, template, written, timings, analysis.check, folder.path("manifest.json"), inputs, macro, left_out))
        folder.publish()
    kinds = {"note.ipynb": "notebook", "note.html": "html", "note.pdf": "pdf", "facts.json": "facts", "manifest.json": "manifest"}
    return RenderResult(spec, {kinds[p.name]: spec.path(p.name) for p in written}, timings, analysis)


def _with_template_prose(analysis: Analysis, sidecar: Path, nb, template: Path) -> Analysis:
    """Merge what the template added and said (note.add_fact, note.say: the kernel's
    authored.json) into the note's facts, and check it again here, where facts.json is
    written. A failure names the template cell, as a failing cell does."""
    if not sidecar.exists():
        return analysis
    from marketnotes import execute

    try:
        return with_authored(analysis, Authored.from_json(sidecar.read_text(encoding="utf-8")), lambda count: execute.template_cell_of(nb, count, template))
    except SayCheckFailed as err:
        cell = execute.template_cell_of(nb, err.cell, template)
        if cell is None:
            raise
        raise TemplateCellFailed(template.name, cell, type(err).__name__, str(err), err.source, None) from None


class Deadline:
    """The note's time limit (params `timeout`), checked as each stage starts and handed to
    the notebook run as its cell timeout, so a hung cell ends the note on time."""

    def __init__(self, spec: NoteSpec):
        self.note, self.seconds = spec.name, spec.params.timeout
        self.end = time.monotonic() + self.seconds

    def remaining(self, stage: str) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise NoteTimedOut(self.note, self.seconds, stage)
        return left

    def expired(self) -> bool:
        return time.monotonic() >= self.end


class _Clock:
    """Times each stage into `timings` and announces it (the CLI shows progress from this)."""

    def __init__(self, timings: dict[str, float], on_stage: Callable[[str], None], deadline: Deadline):
        self.timings, self.on_stage, self.deadline = timings, on_stage, deadline

    @contextmanager
    def __call__(self, stage: str):
        self.deadline.remaining(stage)
        self.on_stage(stage)
        faults.checkpoint(stage)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = time.perf_counter() - start
