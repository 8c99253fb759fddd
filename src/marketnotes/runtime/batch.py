"""Many notes at once: several params files, or one file backfilled over a date range.

Data is fetched once per params file before any worker starts (the latest as-of of the batch),
then workers read it offline from the cache, so a 52-week backfill makes no repeated network
calls. Workers (default: one per core) keep warm state across notes (see worker.py). One note
failing never stops the others; the batch ends with a summary table and
`reports/batch-<timestamp>.json`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import multiprocessing as mp
import os
import queue
import signal
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from marketnotes import atomic, faults
from marketnotes.runtime import zygote
from marketnotes.calendar import resolve_as_of
from marketnotes.errors import AsOfError, CorruptData, MarketNotesError, SourceUnavailable, UnknownSymbol
from marketnotes.params import load_params
from marketnotes.pipeline import load_data
from marketnotes.runtime.worker import Job, JobResult, preload, run_worker

WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "day": None}


def backfill_dates(start: str, end: str, every: str = "friday") -> list[str]:
    """Every chosen weekday in [start, end], each resolved to its session (a holiday Friday
    becomes Thursday), duplicates removed, in order."""
    if every not in WEEKDAYS:
        raise AsOfError(every, f"--every takes one of {', '.join(WEEKDAYS)}")
    days = pd.date_range(start, end, freq="D")
    if WEEKDAYS[every] is not None:
        days = days[days.day_of_week == WEEKDAYS[every]]
    sessions = [resolve_as_of(d.date()).session.date().isoformat() for d in days]
    return list(dict.fromkeys(sessions))


@dataclass
class BatchSummary:
    started: str
    seconds: float
    workers: int
    results: list[JobResult] = field(default_factory=list)
    path: Path | None = None

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def up_to_date(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "up-to-date"]

    def write(self, output_dir: Path) -> Path:
        stamp = self.started.replace(":", "").replace("-", "")
        self.path = output_dir / f"batch-{stamp}.json"
        payload = {
            "started": self.started,
            "seconds": round(self.seconds, 2),
            "workers": self.workers,
            "notes": len(self.results),
            "failed": len(self.failed),
            "up_to_date": len(self.up_to_date),
            "results": [asdict(r) for r in sorted(self.results, key=lambda r: r.index)],
        }
        atomic.write_text(self.path, json.dumps(payload, indent=2))
        return self.path


# Errors of a whole params file's data, whatever the note's date: its notes fail with these
# at once. Others (an as-of past the data's end, say) may hit only the latest dates: those
# notes are left to fail, or not, on their own.
WHOLE_FILE_ERRORS = (SourceUnavailable, UnknownSymbol, CorruptData)


def prefetch(jobs: list[Job], offline: bool) -> tuple[bool, dict[tuple, tuple[MarketNotesError, float]]]:
    """Load each params file's data once, through the latest as-of any of its jobs needs.

    Workers then read it from the cache, offline. Returns whether any note wants a PDF
    (workers then launch Chromium ahead of need) and, per params file, the error that fails
    all its notes (a network failure must say so, not "the cache lacks …") with the seconds
    spent finding out.
    """
    want_pdf, failed = False, {}
    latest: dict[tuple[Path, tuple[str, ...]], str] = {}
    for job in jobs:
        key = (job.params_path, job.overrides)
        latest[key] = max(latest.get(key, job.as_of), job.as_of)
    for key, as_of in latest.items():
        path, overrides = key
        start = time.perf_counter()
        try:
            params = load_params(path, list(overrides), as_of)
            want_pdf = want_pdf or "pdf" in params.formats
            load_data(params.source, params.source_options, params.symbols, params.as_of, offline)
        except WHOLE_FILE_ERRORS as exc:
            failed[key] = (exc, time.perf_counter() - start)
        except MarketNotesError:
            continue
    return want_pdf, failed


def run_batch(
    jobs: list[Job],
    workers: int | None = None,
    offline: bool = False,
    on_progress: Callable[[JobResult | None, int, str], None] = lambda result, index, stage: None,
    retries: int = 0,
) -> BatchSummary:
    """Render `jobs` on warm workers. A note that failed for a transient reason (see
    errors.MarketNotesError.transient) is tried again, up to `retries` more times."""
    started = dt.datetime.now().isoformat(timespec="seconds")
    clock = pd.Timestamp.now()
    forking = "fork" in mp.get_all_start_methods()
    ctx = mp.get_context("fork" if forking else "spawn")
    # The kernel zygote imports while the data loads; the workers, forked, share it.
    faults.checkpoint("zygote")
    kernels = zygote.Zygote(lock=ctx.Lock()) if forking and zygote.available() else None
    try:
        return _run(jobs, workers, offline, on_progress, ctx, kernels, started, clock, retries)
    finally:
        if kernels is not None:
            kernels.close()


def _run(jobs, workers, offline, on_progress, ctx, kernels, started, clock, retries) -> BatchSummary:
    faults.checkpoint("prefetch")
    want_pdf, failed = prefetch(jobs, offline)
    summary = BatchSummary(started, 0.0, 0)
    for job in [j for j in jobs if (j.params_path, j.overrides) in failed]:
        exc, seconds = failed[(job.params_path, job.overrides)]
        result = JobResult(job.index, job.params_path.stem, job.as_of, "failed", seconds, error=str(exc), error_type=type(exc).__name__)
        summary.results.append(result)
        on_progress(result, job.index, "done")
    jobs = [j for j in jobs if (j.params_path, j.overrides) not in failed]
    if not jobs:
        summary.seconds = (pd.Timestamp.now() - clock).total_seconds()
        return summary
    summary.workers = count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if ctx.get_start_method() == "fork":
        preload()
    todo, results, stages = ctx.Queue(), ctx.Queue(), ctx.Queue()
    for job in jobs:
        todo.put(job)
    # Daemon workers: if this process dies, nothing waits for them at exit (they also die
    # with it, see worker.py). A signal that arrives while they are being forked is held
    # until all have started and set their own handlers, then acted on here.
    procs = [ctx.Process(target=run_worker, args=(todo, results, stages, True, want_pdf, kernels, os.getpid()), daemon=True) for _ in range(count)]
    try:
        with _signals_deferred():
            for p in procs:
                p.start()
        faults.checkpoint("workers")
        return _collect(jobs, procs, todo, results, stages, on_progress, summary, clock, retries)
    except BaseException:
        _stop_workers(procs, todo)
        raise


def _stop_workers(procs, todo) -> None:
    """Interrupted (or failing): SIGTERM every worker, which closes its kernel and browser and
    exits at once; give them STOP_GRACE seconds in all, then SIGKILL. Jobs still queued
    are dropped rather than flushed (a feeder thread must never hold up our exit)."""
    todo.cancel_join_thread()
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + STOP_GRACE
    for p in procs:
        p.join(timeout=max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(timeout=1)


STOP_GRACE = 3.0


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM while workers fork; re-deliver what arrived once they have.

    Two holds. Here, a handler swap rather than only a mask: the mask is per thread, and the
    progress bar's thread would take the signal instead. In the workers, the mask: they
    start with both signals blocked and unblock them once their own handlers are in place
    (worker._handle_signals), so a SIGTERM sent the instant after the fork stays pending
    instead of landing in the window where a new child drops pending Python signals.
    """
    caught: list[int] = []
    held = {signal.SIGINT, signal.SIGTERM}
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in held}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    for signum in caught[:1]:
        signal.raise_signal(signum)


def _collect(jobs, procs, todo, results, stages, on_progress, summary: BatchSummary, clock, retries) -> BatchSummary:
    """Wait for every job's result, reporting progress; a worker that dies fails its note.
    Transient failures go back on the queue while they have retries left."""
    pending = {j.index: j for j in jobs}
    tries = dict.fromkeys(pending, 0)
    in_flight: dict[int, int] = {}  # job index -> pid of the worker rendering it
    done: set[int] = set()
    while pending:
        _drain_stages(stages, in_flight, on_progress, tries, done)
        try:
            arrived = [results.get(timeout=0.2)]
        except queue.Empty:
            arrived = _lost_to_dead_workers(procs, pending, in_flight)
        for result in arrived:
            in_flight.pop(result.index, None)
            if result.transient and tries[result.index] < retries:
                tries[result.index] += 1
                todo.put(dataclasses.replace(pending[result.index], attempt=tries[result.index]))
                on_progress(None, result.index, f"retry {tries[result.index]} of {retries} after {result.error_type}")
                continue
            result.attempts = tries[result.index] + 1
            pending.pop(result.index, None)
            done.add(result.index)
            summary.results.append(result)
            on_progress(result, result.index, "done")
    for _ in procs:
        todo.put(None)  # every note is done: workers may go
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    summary.seconds = (pd.Timestamp.now() - clock).total_seconds()
    return summary


def _drain_stages(stages, in_flight, on_progress, tries, done) -> None:
    """Record which worker renders which note. A report from an earlier attempt (sent by a
    worker just before it died) arrives late: it must not claim the note's retry; nor a
    report that arrives after its note's result (the two queues are not ordered together)."""
    while True:
        try:
            index, stage, pid, attempt = stages.get_nowait()
        except queue.Empty:
            return
        if attempt != tries.get(index) or index in done:
            continue
        in_flight[index] = pid
        on_progress(None, index, stage)


def _lost_to_dead_workers(procs, pending, in_flight) -> list[JobResult]:
    """Failures for the notes of workers that died (killed, out of memory), and for every
    pending note once no worker is left. A worker's death is transient: it may be retried."""
    alive = {p.pid for p in procs if p.is_alive()}
    lost = list(pending) if not alive else [i for i, pid in in_flight.items() if pid not in alive and i in pending]
    return [
        JobResult(i, pending[i].params_path.stem, pending[i].as_of, "failed", 0.0, error="worker process died before finishing this note", error_type="WorkerDied", transient=True)
        for i in lost
    ]
