"""A batch worker: a process that keeps its expensive state warm across notes.

Warm state: host-side imports and the HTML exporter (built once, before the fork), one
Chromium open for all PDFs, and a fresh kernel per note forked ahead of need from a warm
zygote (engines.py).
Nothing a note does in its kernel can leak into the next: each kernel runs exactly one note.
"""

from __future__ import annotations

import functools
import importlib
import os
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from marketnotes import stopping
from marketnotes.errors import MarketNotesError, OutputNotWritable
from marketnotes.runtime import zygote


@dataclass
class Job:
    index: int
    params_path: Path
    as_of: str
    overrides: tuple[str, ...] = ()
    output_dir: Path | None = None
    attempt: int = 0  # 0 the first time; a retry of a transient failure counts up
    force: bool = True  # render even if the note is up to date (see pipeline.render_note)


@dataclass
class JobResult:
    index: int
    note: str
    as_of: str
    status: str  # "ok" | "up-to-date" | "failed"
    seconds: float
    output: str | None = None
    error: str | None = None
    error_type: str | None = None
    detail: str | None = None  # traceback for unexpected failures (bugs), for the summary file
    peak_rss_mb: float = 0.0
    pid: int = 0
    email: str | None = None  # delivery outcome, with `batch --email`
    transient: bool = False  # may pass on another try (errors.MarketNotesError.transient)
    attempts: int = 1

    @classmethod
    def failure(cls, job: Job, exc: MarketNotesError, seconds: float = 0.0) -> JobResult:
        """A job that failed with an expected error, before or while rendering its note."""
        return cls(job.index, job.params_path.stem, job.as_of, "failed", seconds, error=str(exc), error_type=type(exc).__name__, transient=exc.transient)


# What a worker's first note would import otherwise (papermill brings requests, click,
# tenacity: ~150 modules), imported once before the workers start so they share these pages
# instead of each holding a private copy: Playwright (imported only; the driver starts in the
# printer), pyarrow's parquet (the price snapshot each note hands its kernel), the pipeline's
# stages and nbconvert's (render.html).
PRELOADED = ("playwright.sync_api", "pyarrow.parquet", "marketnotes.execute", "marketnotes.manifest", "marketnotes.pipeline", "marketnotes.runtime.engines", "marketnotes.render.html")


@functools.cache
def preload() -> None:
    """Host-side state every worker needs, built once per process (in the batch process before
    it forks the workers, or a Dask forkserver's) and inherited by the workers: the heavy
    imports, and what the first HTML page of a process builds (`render.html.warm_up`: ~0.35
    core-s a worker otherwise). (The NYSE calendar and the price cache are already there: the
    batch loaded the data before forking.)"""
    for name in PRELOADED:
        importlib.import_module(name)
    from marketnotes.render.html import warm_up

    warm_up()


def run_worker(jobs, results, stages, offline: bool, want_pdf: bool = True, zygote_address: str | None = None, batch_pid: int | None = None, printer=None) -> None:
    """Worker process main loop: take jobs until a None sentinel, report each result.

    The kernel zygote and Chromium start before the first job is read, so they boot while
    the first note's data loads. A job that does not want a PDF simply never uses the browser.
    `zygote_address` is the batch's shared kernel zygote, `printer` its shared browser
    (runtime/printer.py); without them, a zygote and a browser of our own.
    """
    _handle_signals(results, stages)
    if batch_pid is not None:
        zygote.die_with_parent(batch_pid)  # a SIGKILLed batch takes its workers along
    from marketnotes import pipeline
    from marketnotes.runtime.engines import Engines

    full = FullDisks()
    kernels = zygote.ZygoteConnection(zygote_address) if zygote_address else None
    with Engines(many=True, kernels=kernels, pdf=want_pdf, printer=printer) as engines:
        if want_pdf:
            engines.pdf.prelaunch()
        while (job := jobs.get()) is not None:
            start = time.perf_counter()
            stages.put((job.index, "starting", os.getpid(), job.attempt))
            try:
                spec, prices = pipeline.prepare(job.params_path, list(job.overrides), job.as_of, offline, job.output_dir)
                full.check(spec.out_dir)
                result = engines.render(spec, prices, force=job.force, on_stage=lambda s, j=job: stages.put((j.index, s, os.getpid(), j.attempt)))
                status = "up-to-date" if result.up_to_date else "ok"
                outcome = JobResult(job.index, spec.name, spec.as_of_iso, status, 0.0, output=str(spec.out_dir))
                outcome.detail = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
            except MarketNotesError as exc:
                outcome = JobResult.failure(job, exc)
                full.remember(exc)
            except Exception as exc:  # a bug must not sink the other notes; keep type and traceback
                outcome = JobResult(job.index, job.params_path.stem, job.as_of, "failed", 0.0, error=f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__, detail=traceback.format_exc())
            outcome.seconds = time.perf_counter() - start
            outcome.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            outcome.pid = os.getpid()
            results.put(outcome)


class FullDisks:
    """The filesystems this worker found full (or over quota, or read-only), by device.

    A backfill into a full disk would otherwise render every remaining note for seconds
    only to fail at its first write: once one note failed for lack of room, the next notes
    bound for the same filesystem fail at once with the same line, naming their own folder,
    and nothing is started there. Each worker learns it from its own first failure."""

    def __init__(self) -> None:
        self.refused: dict[int, OutputNotWritable] = {}

    def remember(self, exc: MarketNotesError) -> None:
        if isinstance(exc, OutputNotWritable) and exc.disk_full:
            self.refused[_device(Path(exc.folder))] = exc

    def check(self, folder: Path) -> None:
        known = self.refused.get(_device(folder)) if self.refused else None
        if known is not None:
            raise OutputNotWritable(folder.parent, known.reason, known.hint, known.os_errno)


def _device(folder: Path) -> int:
    """The device of the filesystem `folder` is (or would be created) on."""
    existing = next(p for p in (folder, *folder.absolute().parents) if p.exists())
    return existing.stat().st_dev


def _handle_signals(results, stages) -> None:
    """Ctrl-C reaches every process of the terminal's group; the batch process alone handles
    it and stops the workers with SIGTERM. On SIGTERM a worker unwinds (its kernel and browser
    closed by their context managers) and exits: it drops unsent reports rather than wait on
    the queues' feeder threads for a reader that has stopped reading, and an alarm ends it if
    the unwinding itself hangs."""

    def terminate(signum, frame):
        # Once: the batch's own SIGTERM follows the one a group kill already delivered, and
        # a second SystemExit would cut short the cleanup the first one started.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sys.unraisablehook = stopping.raise_again_if_swallowed  # raised inside a weakref callback, it would be lost
        results.cancel_join_thread()
        stages.cancel_join_thread()
        signal.alarm(STOP_SECONDS)  # SIGALRM's default action ends the process
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, terminate)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})  # held since the fork (batch._signals_deferred)


STOP_SECONDS = 5  # within the batch's STOP_GRACE (local.py), which then SIGKILLs
