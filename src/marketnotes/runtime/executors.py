"""Where a batch's notes run: a small registry, like the data sources'.

An executor is a context manager (start its workers or reach its cluster; stop them) with
`workers_for(n)` and `run(jobs, want_pdf, on_progress, retries) -> [JobResult]`. Built-ins:
`local` (worker processes on this machine, local.py) and `dask` (a Dask cluster,
dask_executor.py, with the optional `dask` extra). A user's executor registers the same way.
"""

from __future__ import annotations

from importlib import import_module

from marketnotes.errors import ExecutorError

_EXECUTORS: dict[str, type] = {}
_BUILT_IN = {"local": "marketnotes.runtime.local", "dask": "marketnotes.runtime.dask_executor"}


def register_executor(name: str):
    def deco(cls):
        _EXECUTORS[name] = cls
        return cls

    return deco


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None):
    if name not in _EXECUTORS and name in _BUILT_IN:
        try:
            import_module(_BUILT_IN[name])  # registers itself; imported on demand (dask is optional)
        except ImportError as exc:
            raise ExecutorError(name, f"needs {exc.name}: pip install 'marketnotes[dask]'") from None
    try:
        return _EXECUTORS[name](workers=workers, scheduler=scheduler)
    except KeyError:
        raise ExecutorError(name, f"unknown executor; known: {', '.join(sorted({*_EXECUTORS, *_BUILT_IN}))}") from None


def in_runs(jobs: list, workers: int) -> list:
    """The jobs in the order to hand them out so that each of `workers` workers taking the
    next one as it is free mostly renders a run of consecutive dates: the list cut into as
    many runs as workers, taken one from each in turn. A weekly note asks what last week's
    led with (analysis.last_week); the worker that wrote last week's note a moment ago knows
    it, and otherwise computes that week's facts again. Any order gives the same notes."""
    if workers <= 1 or len(jobs) <= workers:
        return list(jobs)
    size = -(-len(jobs) // workers)
    runs = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    return [run[i] for i in range(size) for run in runs if i < len(run)]
