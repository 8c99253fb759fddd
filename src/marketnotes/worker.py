"""A batch worker: a process that keeps its expensive state warm across notes.

Warm state: host-side imports and the nbconvert exporter (built once), one Chromium open for
all PDFs, and one spare kernel started *ahead of need* with the heavy imports and caches done.
Each note runs in a kernel that has never run another note (the spare is taken, a new spare
is started at once, the used kernel is shut down), so nothing a note does in its kernel can
leak into the next: isolation is by construction, not by cleaning up.
"""

from __future__ import annotations

import asyncio
import os
import resource
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import AsyncKernelManager, BlockingKernelClient

from marketnotes.errors import MarketNotesError

WARM_CODE = "import marketnotes.notebook as _mn\n_mn.warm()\ndel _mn"


class WarmKernels:
    """Always one spare kernel booting or booted, its warm-up code queued on the shell channel.

    Kernels are started and stopped on a private event-loop thread: the worker's own thread
    hosts Playwright's loop (one browser for all PDFs), where asyncio.run cannot be called.
    """

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self._spare: AsyncKernelManager | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="marketnotes-kernels", daemon=True)
        self._thread.start()

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def _start(self) -> AsyncKernelManager:
        from marketnotes.execute import KERNEL_ARGS, kernel_name

        km = AsyncKernelManager(kernel_name=kernel_name())
        self._run(km.start_kernel(extra_arguments=KERNEL_ARGS, cwd=str(self.cwd)))
        client = BlockingKernelClient()
        client.load_connection_info(km.get_connection_info())
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        # Not waited for: the kernel imports while this worker renders the current note.
        client.execute(WARM_CODE, silent=True, store_history=False)
        client.stop_channels()
        return km

    def take(self) -> AsyncKernelManager:
        km = self._spare or self._start()
        self._spare = self._start()
        return km

    def discard(self, km: AsyncKernelManager) -> None:
        self._run(km.shutdown_kernel(now=True))

    def close(self) -> None:
        if self._spare is not None:
            self.discard(self._spare)
            self._spare = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


@dataclass
class Job:
    index: int
    params_path: Path
    as_of: str
    overrides: tuple[str, ...] = ()
    output_dir: Path | None = None


@dataclass
class JobResult:
    index: int
    note: str
    as_of: str
    status: str  # "ok" | "failed"
    seconds: float
    output: str | None = None
    error: str | None = None
    error_type: str | None = None
    detail: str | None = None  # traceback for unexpected failures (bugs), for the summary file
    peak_rss_mb: float = 0.0
    pid: int = 0


def run_worker(jobs, results, stages, offline: bool) -> None:
    """Worker process main loop: take jobs until a None sentinel, report each result."""
    from marketnotes import pipeline
    from marketnotes.render.pdf import get_backend

    kernels = None  # zygote.Zygote on Linux, WarmKernels elsewhere; started with the first note
    with get_backend() as browser:
        try:
            while (job := jobs.get()) is not None:
                start = time.perf_counter()
                label = f"{job.params_path.stem} {job.as_of}"
                try:
                    spec, prices = pipeline.prepare(job.params_path, list(job.overrides), job.as_of, offline, job.output_dir)
                    if kernels is None:
                        from marketnotes import zygote
                        from marketnotes.execute import find_template

                        cwd = find_template(spec).parent
                        kernels = zygote.Zygote(cwd) if zygote.available() else WarmKernels(cwd)
                    km = kernels.take()
                    try:
                        result = pipeline.render_note(spec, prices, pdf_backend=browser if "pdf" in spec.params.formats else None, on_stage=lambda s, label=label: stages.put((job.index, s)), kernel=km)
                    finally:
                        kernels.discard(km)
                    outcome = JobResult(job.index, spec.name, spec.as_of_iso, "ok", 0.0, output=str(spec.out_dir))
                    outcome.detail = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
                except MarketNotesError as exc:
                    outcome = JobResult(job.index, job.params_path.stem, job.as_of, "failed", 0.0, error=str(exc), error_type=type(exc).__name__)
                except Exception as exc:  # a bug must not sink the other notes; keep type and traceback
                    outcome = JobResult(job.index, job.params_path.stem, job.as_of, "failed", 0.0, error=f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__, detail=traceback.format_exc())
                outcome.seconds = time.perf_counter() - start
                outcome.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                outcome.pid = os.getpid()
                results.put(outcome)
        finally:
            if kernels is not None:
                kernels.close()
