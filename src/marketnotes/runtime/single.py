"""One note from the command line, cold: its kernel and browser start ahead of need."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from marketnotes import faults, pipeline
from marketnotes.execute import when_cells_start
from marketnotes.params import NoteParams, load_params
from marketnotes.runtime.engines import Engines

WARM_UP_WAIT = 5.0  # seconds a failing note waits for the HTML warm-up (~0.35 s of work) to end


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
    are worked out; Chromium boots, and the HTML exporter warms up (`HtmlWarmUp`), while the
    notebook's cells run, when this process only waits for its kernel.

    Both start as the first cell is sent (execute.when_cells_start), not as the notebook
    stage begins: the host's own work before that (the snapshots, the template's parameters,
    papermill's set-up, ~0.1 s) is on the note's critical path, and a thread importing
    Playwright or compiling templates beside it would share the interpreter with it. Earlier
    still, Chromium would compete with the kernel's imports for the two cores.

    `engines` are ones already started by the caller (the CLI starts them before it imports
    the pipeline), with the `params` it validated; by default both are made here. The params
    file is read once either way.
    """
    params = params or load_params(params_path, overrides or [], as_of)
    engines = engines or Engines.for_params(params, params_path, output_dir)
    warm_up = HtmlWarmUp()

    def cells_start() -> None:
        if engines.pdf is not None:
            engines.pdf.prelaunch()
        warm_up.start()

    def stage(name: str) -> None:
        if name == "html":
            warm_up.join()
        on_stage(name)

    with engines, when_cells_start(cells_start):
        try:
            on_stage("loading data")
            faults.checkpoint("loading data")
            spec, prices = pipeline.prepare(params_path, overrides, as_of, offline, output_dir, params)
            return engines.render(spec, prices, on_stage=stage)
        finally:
            warm_up.join(timeout=WARM_UP_WAIT)  # a note that failed in its notebook leaves no thread behind


class HtmlWarmUp:
    """The first HTML page a process makes costs ~0.35 core-s, the next ones ~0.06
    (`render.html.warm_up`). A cold note would pay that between its notebook and its PDF,
    on its critical path; here the warm-up page is made on a thread while the notebook's
    cells run. It is joined before the note's own page is made (the exporter is not shared
    between threads), and a failure here is left for the note's own page to meet, never
    raised.
    """

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            thread = threading.Thread(target=self._run, name="marketnotes-html-warm-up", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no thread to be had: the note's own page warms up
                return
            self._thread = thread

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @staticmethod
    def _run() -> None:
        try:
            from marketnotes.render.html import warm_up

            warm_up()
        except Exception:  # noqa: BLE001  (a warm-up only: the note's own page reports what is wrong)
            pass
