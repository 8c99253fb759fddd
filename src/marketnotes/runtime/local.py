"""The local executor: worker processes on this machine, sharing one kernel zygote.

Workers are forked (where fork is safe) after the host-side imports, so they start warm;
each keeps a fresh-kernel source across notes (worker.py), and all print through one shared
Chromium (printer.py). Results, stage reports and retries travel over multiprocessing
queues; Ctrl-C and SIGTERM stop every worker within STOP_GRACE seconds, and workers die
with this process even on SIGKILL.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing as mp
import os
import queue
import signal
import time

from marketnotes import faults
from marketnotes.runtime import zygote
from marketnotes.runtime.executors import in_runs, register_executor
from marketnotes.runtime.printer import Printer
from marketnotes.runtime.worker import JobResult, preload, run_worker

# A stopped worker normally exits in milliseconds (its staging folder removed, its kernel
# killed). The bound is for one that hangs; it is generous because on a machine busy with
# other work the unwinding can take seconds, and a worker killed before it is done leaves
# its staging folder for the next run to remove instead of removing it itself.
STOP_GRACE = 6.0


@register_executor("local")
class LocalExecutor:
    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = workers
        forking = "fork" in mp.get_all_start_methods()
        self.ctx = mp.get_context("fork" if forking else "spawn")
        self.kernels = None

    def __enter__(self) -> LocalExecutor:
        system_allocator_for_arrow()
        # The kernel zygote imports while the data loads; the workers share it, each over a
        # connection of its own (zygote.ZygoteConnection).
        if self.ctx.get_start_method() == "fork" and zygote.available():
            self.kernels = zygote.Zygote(listen=True)
        return self

    def __exit__(self, *exc) -> None:
        if self.kernels is not None:
            self.kernels.close()

    def workers_for(self, jobs: int) -> int:
        return max(1, min(self.workers or os.cpu_count() or 1, jobs))

    def run(self, jobs, want_pdf, on_progress, retries) -> list[JobResult]:
        if self.ctx.get_start_method() == "fork":
            preload()
        todo, results, stages = self.ctx.Queue(), self.ctx.Queue(), self.ctx.Queue()
        for job in in_runs(jobs, self.workers_for(len(jobs))):
            todo.put(job)
        # Daemon workers: if this process dies, nothing waits for them at exit (they also die
        # with it, see worker.py). A signal that arrives while they are being forked is held
        # until all have started and set their own handlers, then acted on here.
        procs, printer, clean = [], None, False
        try:
            with _signals_deferred(), _frozen_for_fork(self.ctx.get_start_method() == "fork"):
                # One browser for all workers (printer.py), booting while they fork.
                printer = Printer(self.ctx, os.getpid()) if want_pdf else None
                args = (todo, results, stages, True, want_pdf, self.kernels and self.kernels.address, os.getpid(), printer and printer.client())
                procs = [self.ctx.Process(target=run_worker, args=args, daemon=True) for _ in range(self.workers_for(len(jobs)))]
                for p in procs:
                    p.start()
            faults.checkpoint("workers")
            collected = _collect(jobs, procs, todo, results, stages, on_progress, retries)
            clean = True
            return collected
        except BaseException:
            _stop_workers(procs, todo)
            raise
        finally:
            if printer is not None:
                printer.close(clean)


def system_allocator_for_arrow() -> None:
    """pyarrow's default allocator (mimalloc) keeps what a note freed for reuse: ~40 MB more
    in each worker and kernel, which each read a few MB of parquet once per note. The system
    allocator returns it. Set here for this process (the workers fork from it) and in the
    environment for the zygote and its kernels; a user's own setting wins."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system":
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())


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


@contextlib.contextmanager
def _frozen_for_fork(forking: bool):
    """What the workers inherit (the preloaded modules, the prices, the calendar: ~170,000
    objects) is moved out of the garbage collector's reach while they fork, as the zygote
    does for its kernels: a worker's full collections then neither walk those objects (~0.15
    s each) nor write to their pages, which stay shared with this process instead of being
    copied into each worker. This process takes them back once the workers are forked, so a
    program that runs batches one after another still collects its own garbage; a program
    that froze objects itself keeps them frozen (unfreeze would release its too)."""
    if not forking or gc.get_freeze_count():
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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


def _collect(jobs, procs, todo, results, stages, on_progress, retries) -> list[JobResult]:
    """Wait for every job's result, reporting progress; a worker that dies fails its note.
    Transient failures go back on the queue while they have retries left."""
    pending = {j.index: j for j in jobs}
    tries = dict.fromkeys(pending, 0)
    in_flight: dict[int, int] = {}  # job index -> pid of the worker rendering it
    done: set[int] = set()
    collected: list[JobResult] = []
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
            collected.append(result)
            on_progress(result, result.index, "done")
    for _ in procs:
        todo.put(None)  # every note is done: workers may go
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    return collected


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
