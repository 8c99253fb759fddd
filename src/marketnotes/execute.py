"""Notebook execution through papermill's Python API (never its CLI's `-p` type guessing).

Parameters are the validated params as JSON-native values. The kernel is `python3`, which
jupyter_client starts with the *current* interpreter (it rewrites a bare `python` in the
kernelspec to sys.executable), so a venv works without activating it; MARKETNOTES_KERNEL names
another kernel. A failing cell becomes `TemplateCellFailed` with the template's cell number,
its first lines and the error, and the partial notebook is kept beside the note folder as
`<name>.failed.ipynb` (the folder itself keeps the previous complete note).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.exceptions import PapermillExecutionError

from marketnotes.kernelspec import kernel_arguments, kernel_name
from marketnotes import atomic
from marketnotes.errors import CellTimedOut, KernelDied, NoteTimedOut, TemplateCellFailed
from marketnotes.spec import NoteSpec
from marketnotes.transaction import NoteTransaction

CELL_TIMEOUT = 300


class _SavedAtTheEnd(NotebookExecutionManager):
    """papermill writes the whole notebook at every cell's start and end: ~30 writes, ~60 ms of
    JSON per note, and all but the last read by no one. Here only a run that did not finish
    is written by the engine (in its `finally`), so one that fails or whose kernel dies still
    leaves the partial notebook, its running cell marked (what `_running_cell` reads); a run
    that finished is written once, by papermill's own final write, and that file becomes
    note.ipynb as it is (a notebook is ~1 MB of JSON: each write costs ~20 ms)."""

    _ending = False
    finished = False

    def save(self, **kwargs):
        if self._ending and not self.finished:
            super().save(**kwargs)

    def notebook_complete(self, **kwargs):
        self._ending = True
        super().notebook_complete(**kwargs)


class NoteEngine(NBClientEngine):
    """papermill's nbclient engine, registered under its own name, writing the notebook once."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kwargs):
        nb_man = _SavedAtTheEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output, autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            nb_man.finished = True  # ran to the end or to a failing cell: papermill writes it next
        finally:
            nb_man.cleanup_pbar()
            _stable_injected_cell_id(nb_man.nb)
            nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register("marketnotes", NoteEngine)

_on_cells_start: ContextVar[Callable[[], None] | None] = ContextVar("marketnotes_on_cells_start", default=None)


@contextmanager
def when_cells_start(callback: Callable[[], None]) -> Iterator[None]:
    """Call `callback` as each notebook run in this block (this thread) has its kernel ready
    and is about to run its first cell: from then on the host mostly waits for the kernel,
    so that is when a cold note can do work it would otherwise do after the notebook.

    It is nbclient's own `on_notebook_start` hook; a context variable carries it here, so the
    stages between the caller and the notebook run (pipeline.render_note) pass nothing on.
    """
    token = _on_cells_start.set(callback)
    try:
        yield
    finally:
        _on_cells_start.reset(token)


@lru_cache(maxsize=32)
def declared_parameters(template: Path, mtime_ns: int) -> frozenset[str]:
    return frozenset(papermill.inspect_notebook(str(template)).keys())


def template_parameters(spec: NoteSpec, snapshot: Path | None, declared: set[str], facts: Path | None = None) -> dict[str, Any]:
    """The validated params as JSON-native values, for the names a template declares."""
    values = spec.params.model_dump(mode="json")
    values["as_of"] = spec.as_of_iso
    base = spec.params_path.parent if spec.params_path else Path.cwd()
    values["events"] = [e if "/" not in e and not e.endswith(".csv") else str((base / e).resolve()) for e in spec.params.events]
    values["price_snapshot"] = str(snapshot) if snapshot else None
    values["facts_snapshot"] = str(facts) if facts else None
    return {k: v for k, v in values.items() if k in declared}


def parameters_cell_index(nb: nbformat.NotebookNode) -> int | None:
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def execute(template: Path, parameters: dict, folder: NoteTransaction, kernel=None, deadline=None) -> nbformat.NotebookNode:
    """Run the template; return the executed notebook (written to the staging folder).

    `kernel` is an already started kernel manager (a batch worker's warm spare); without it
    papermill starts one. Either way the kernel is fresh: it has never run another note.
    `deadline` (the note's time limit) caps every cell's timeout by the time left.
    """
    running = folder.path(".note.running.ipynb")
    timeout = CELL_TIMEOUT if deadline is None else min(CELL_TIMEOUT, max(1, math.ceil(deadline.remaining("notebook"))))
    callback = _on_cells_start.get()
    hooks = {"on_notebook_start": lambda notebook: callback()} if callback is not None else {}
    try:
        nb = papermill.execute_notebook(
            str(template),
            str(running),
            parameters=parameters,
            kernel_name=kernel_name(),
            engine_name="marketnotes",
            progress_bar=False,
            log_output=False,
            # papermill then also saves when the kernel dies mid-run (its engine's `finally`),
            # which is the only way to keep a partial notebook for a DeadKernelError
            request_save_on_cell_execute=True,
            cwd=str(template.parent),
            execution_timeout=timeout,
            extra_arguments=kernel_arguments(),
            **({"km": kernel} if kernel is not None else {}),
            **hooks,
        )
    except PapermillExecutionError as exc:
        failed = _keep_failed(running, folder.failed_notebook)
        cell = template_cell_number(exc.cell_index, template)
        raise TemplateCellFailed(template.name, cell, exc.ename, exc.evalue, exc.source, failed) from None
    except (DeadKernelError, CellTimeoutError) as exc:
        failed = _keep_failed(running, folder.failed_notebook)
        if deadline is not None and deadline.expired():
            raise NoteTimedOut(deadline.note, deadline.seconds, "notebook") from None
        cell, source = _running_cell(failed, template)
        error = KernelDied if isinstance(exc, DeadKernelError) else CellTimedOut
        raise error(template.name, cell, source, failed) from None
    else:
        # papermill's final write of the finished notebook (the injected cell's id pinned
        # before it) is the note's notebook: published as it is, not serialised again
        atomic.publish(running, folder.path("note.ipynb"))  # as marketnotes' atomic writes make theirs
    finally:
        running.unlink(missing_ok=True)
    return nb


def _stable_injected_cell_id(nb: nbformat.NotebookNode) -> None:
    """papermill gives its injected cell a random id, which nbconvert writes into the HTML:
    pin it so the same note rendered twice (alone or in a batch) gives identical files."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"


def template_cell_number(executed_index: int, template: Path) -> int:
    """1-based number, in the template as its author sees it, of a cell of the executed
    notebook: papermill injected one cell after the parameters cell."""
    param_idx = parameters_cell_index(nbformat.read(template, as_version=4))
    return executed_index + (0 if param_idx is not None and executed_index > param_idx else 1)


def template_cell_of(nb: nbformat.NotebookNode, execution_count: int | None, template: Path) -> int | None:
    """The template's number of the executed cell that ran as `execution_count` (a kernel's
    In[N]), so a check made after the run can still name its cell."""
    index = next((i for i, c in enumerate(nb.cells) if execution_count is not None and c.get("execution_count") == execution_count), None)
    return None if index is None else template_cell_number(index, template)


def _running_cell(partial: Path | None, template: Path) -> tuple[int | None, str]:
    """The template's number and source of the last cell papermill started, if any."""
    if partial is None:
        return None, ""
    nb = nbformat.read(partial, as_version=4)
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None, ""
    return template_cell_number(started[-1], template), nb.cells[started[-1]].source


def _keep_failed(running: Path, target: Path) -> Path | None:
    if running.exists():
        os.replace(running, target)
        return target
    return None
