"""One note from the command line, cold: its kernel and browser start ahead of need."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from marketnotes import faults, pipeline
from marketnotes.params import NoteParams, load_params
from marketnotes.runtime.engines import Engines


def render_one(
    params_path: Path,
    overrides: list[str] | None = None,
    as_of: str | None = None,
    offline: bool = False,
    output_dir: Path | None = None,
    on_stage: Callable[[str], None] = lambda stage: None,
    engines=None,
    params: NoteParams | None = None,
) -> pipeline.RenderResult:
    """One note from a params file, cold: the kernel boots while the data loads and the facts
    are worked out, and Chromium while the notebook runs (when the host core is idle; earlier,
    it would compete with the kernel's imports for the two cores).

    `engines` are ones already started by the caller (the CLI starts them before it imports
    the pipeline), with the `params` it validated; by default both are made here. The params
    file is read once either way.
    """
    params = params or load_params(params_path, overrides or [], as_of)
    engines = engines or Engines.for_params(params, params_path, output_dir)

    def stage(name: str) -> None:
        if name == "notebook" and engines.pdf is not None:
            engines.pdf.prelaunch()
        on_stage(name)

    with engines:
        on_stage("loading data")
        faults.checkpoint("loading data")
        spec, prices = pipeline.prepare(params_path, overrides, as_of, offline, output_dir, params)
        return engines.render(spec, prices, on_stage=stage)
