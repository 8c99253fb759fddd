"""The Dask executor: a batch's notes on a Dask cluster, local or remote.

- The client loads each note's data (from the cache the batch's prefetch filled) and ships
  the price snapshot and the template's bytes with the task: workers need no data source,
  network, cache or shared filesystem.
- Each Dask worker keeps its expensive state warm across tasks in a `WorkerPlugin` (a
  kernel zygote and Chromium, the same `Engines` a local worker uses); every note still gets
  a kernel that has never run another note, started ahead of need in the template's folder,
  which stays the same from note to note. On a local cluster the workers share the client's
  host: they print through one browser the client starts (printer.py), fork their kernels
  from one zygote the client starts (zygote.ZygoteConnection), and are forked themselves
  from a forkserver that imported what a note needs once (dask_local.ForkedWorkers).
- Notes are prepared and submitted as workers free up (IN_FLIGHT per worker), so the
  scheduler holds a few notes' prices, never a whole backfill's.
- Workers render into a private temporary folder and return the note's files; the client
  publishes them exactly as a local batch does (one atomic swap per note folder, lock,
  manifest), so the output is the same wherever the note ran.
- Failures: a note that fails deterministically comes back as a failure record and is not
  retried; its partial notebook comes back with it and is kept beside the note folder as
  `<name>.failed.ipynb`, as a local batch keeps it. A worker process that dies mid-note is
  rescheduled by Dask, and a note that keeps killing workers is reported as `KilledWorker`
  without stopping the others.
- A scheduler address is parsed by distributed's own parser when the executor is made,
  before anything starts (a typo is one line, exit 2). An unreachable scheduler (refused,
  unknown host, silent for CONNECT_SECONDS) or workers on another marketnotes version is
  one error line before anything renders.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import multiprocessing
import os
import resource
import signal
import socket
import tempfile
import time
from pathlib import Path

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from distributed.comm import get_address_host_port, parse_address
from distributed.scheduler import KilledWorker

from marketnotes import __version__, atomic, manifest, pipeline
from marketnotes.analysis import note_events, note_macro
from marketnotes.errors import ExecutorError, MarketNotesError
from marketnotes.runtime import zygote
from marketnotes.runtime.dask_local import ForkedWorkers
from marketnotes.runtime.executors import in_runs, register_executor
from marketnotes.runtime.printer import Printer
from marketnotes.runtime.worker import Job, JobResult
from marketnotes.templates import find_template
from marketnotes.transaction import NoteTransaction

PLUGIN = "marketnotes-engines"
CONNECT_SECONDS = 5  # to reach a running scheduler (distributed.Client's timeout); said in the error
WORKERS_SECONDS = 10  # for a first worker to join the cluster once it is reached
WHERE = "--scheduler or MARKETNOTES_DASK_SCHEDULER"
IN_FLIGHT = 3  # notes submitted and not yet collected, per worker (DaskExecutor._run)


def scheduler_address(address: str) -> str:
    """`address` as distributed reads it (`tcp://` by default), checked by distributed's own
    parser for a known scheme, a host and a port: a typo in `--scheduler` or
    MARKETNOTES_DASK_SCHEDULER is one line (exit 2) before anything starts, not a traceback
    out of the client's event loop."""
    try:
        scheme, _ = parse_address(address)
        host, port = get_address_host_port(address)
    except ValueError as exc:
        reason = str(exc)
        if reason.startswith("invalid literal for int()"):  # distributed's int(port)
            reason = f"the port {reason.rsplit(': ', 1)[-1]} is not a number"
        raise _bad_address(address, reason) from None
    if not host:
        raise _bad_address(address, "no host")
    if not 0 < port < 65536:
        raise _bad_address(address, f"the port {port} is not in 1-65535")
    return address if "://" in address else f"{scheme}://{address}"


def _bad_address(address: str, reason: str) -> ExecutorError:
    return ExecutorError("dask", f"bad scheduler address {address!r} ({WHERE}): {reason}; expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")


def _why_unreachable(exc: BaseException, address: str) -> str:
    """What a failed connection met, in a few words, from the causes distributed chained to
    its "Timed out trying to connect" (the last attempt's: refused, unknown host, or itself
    timed out, which is no answer)."""
    chain, inner = [], exc
    while inner is not None and inner not in chain:
        chain.append(inner)
        inner = inner.__cause__ or inner.__context__
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"unknown host {get_address_host_port(address)[0]!r}"
    if said := next((e.strerror for e in chain if isinstance(e, OSError) and e.strerror), None):
        return said[:1].lower() + said[1:]  # connection refused, no route to host
    if isinstance(exc, (OSError, TimeoutError)):
        return "no answer"
    detail = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {detail}"  # a TLS address without TLS settings, a peer that is not a scheduler


def dask_setup(worker) -> None:
    """Dask preload for the workers of a local cluster: a terminal's Ctrl-C reaches the whole
    process group, and the client alone handles it (it cancels the notes and closes the
    cluster); workers interrupted on their own would only print tracebacks on the way out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class NoteEngines(WorkerPlugin):
    """A Dask worker's warm state, built once per worker process: its kernel source and
    browser (its own, or on the client's host the client's), and the templates its notes
    were shipped."""

    def __init__(self, want_pdf: bool, printer=None, kernels: str | None = None):
        """`printer`: the client's shared browser (a `SharedPdf`), and `kernels` the address of
        its kernel zygote, for workers on its host; a remote worker starts its own of each."""
        self.want_pdf, self.printer, self.kernels, self.engines = want_pdf, printer, kernels, None
        self.folder, self.templates = None, {}

    def setup(self, worker) -> None:
        from marketnotes.runtime.engines import Engines
        from marketnotes.runtime.worker import preload

        preload()  # imports and a warm-up HTML page before the first note (inherited, in a worker of our forkserver)
        self.folder = tempfile.TemporaryDirectory(prefix="marketnotes-dask-templates-")
        kernels = zygote.ZygoteConnection(self.kernels) if self.kernels else None
        self.engines = Engines(many=True, printer=self.printer, kernels=kernels)
        if self.want_pdf:
            self.engines.pdf.prelaunch()

    def template(self, name: str, data: bytes, where: str) -> Path:
        """The note's template as a file on this worker, in a folder that stays the same for
        every note of that template: the kernel zygote forks the next note's kernel ahead of
        need in the last note's template folder (zygote._KernelSource.take), so a folder new per
        note would throw that warm kernel away and fork one on the note's critical path. The
        client's own file (`where`) when this host holds it with the same bytes (a local
        cluster, a shared filesystem: the kernel then runs where a local batch's does, and
        the manifest names the same file), else a copy of the shipped bytes of our own."""
        here = Path(where)
        try:
            if here.name == name and here.read_bytes() == data:
                return here
        except OSError:
            pass  # not on this host
        digest = hashlib.sha256(data).hexdigest()
        if (digest, name) not in self.templates:
            copy = Path(self.folder.name) / digest[:16] / name
            copy.parent.mkdir(exist_ok=True)
            copy.write_bytes(data)
            self.templates[digest, name] = copy
        return self.templates[digest, name]

    def teardown(self, worker) -> None:
        try:
            if self.engines is not None:
                self.engines.close()
        finally:
            if self.folder is not None:
                self.folder.cleanup()


def render_remote(spec, prices, template_name: str, template_bytes: bytes, template_path: str = "") -> dict:
    """Runs on a Dask worker: render one note in a private folder and return its files.
    A deterministic failure is returned, not raised, so Dask does not retry it."""
    plugin = get_worker().plugins[PLUGIN]
    engines, template = plugin.engines, plugin.template(template_name, template_bytes, template_path)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marketnotes-dask-") as work:
        here = dataclasses.replace(spec, output_root=Path(work) / "out")
        try:
            result = engines.render(here, prices, template=template)
        except MarketNotesError as exc:
            failure = {"error": str(exc).replace(work, "<worker>"), "error_type": type(exc).__name__, "transient": exc.transient}
            kept = Path(getattr(exc, "failed_notebook", None) or "")
            if kept.name and kept.is_file():  # the partial notebook, for the client to keep beside the note
                failure.update(failed_notebook=kept.read_bytes(), failed_at=str(kept).replace(work, "<worker>"))
            return failure
        files = {p.name: p.read_bytes() for p in here.out_dir.iterdir()}
    return {
        "files": files,
        "timings": result.timings,
        "seconds": time.perf_counter() - start,
        "pid": os.getpid(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


@register_executor("dask")
class DaskExecutor:
    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers, self.scheduler = workers, scheduler and scheduler_address(scheduler)
        self.cluster = self.client = self.forked = self.kernels = None

    def __enter__(self) -> DaskExecutor:
        if self.scheduler:
            self.client = self._connect()
        try:
            if self.client is None:
                self.forked = ForkedWorkers()
                # One kernel zygote for the cluster's workers, as a local batch's share one:
                # it imports while the cluster starts, and its imports are paid once.
                self.kernels = zygote.Zygote(listen=True) if zygote.available() else None
                self.cluster = LocalCluster(
                    n_workers=self.workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None, silence_logs=logging.ERROR,
                    preload=[__name__],
                )
                self.client = Client(self.cluster)
            self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except (OSError, TimeoutError) as exc:
            self.__exit__()
            if self.scheduler:
                raise ExecutorError("dask", f"the scheduler at {self.scheduler} has no workers (none joined within {WORKERS_SECONDS} s); start some with `dask worker {self.scheduler}`") from None
            raise ExecutorError("dask", f"cannot start a local cluster ({type(exc).__name__}: {exc})") from None
        except BaseException:  # interrupted while the cluster starts: nothing left behind
            self.__exit__()
            raise
        self._check_versions()
        return self

    def _connect(self) -> Client:
        """A client of the running scheduler, or one error line within CONNECT_SECONDS."""
        try:
            return Client(self.scheduler, timeout=CONNECT_SECONDS)
        except Exception as exc:  # refused, unknown host, silence, a peer that is no scheduler, TLS unconfigured
            why = _why_unreachable(exc, self.scheduler)
            raise ExecutorError("dask", f"cannot reach {self.scheduler} within {CONNECT_SECONDS} s: {why}; is a Dask scheduler running there? ({WHERE})") from None

    def __exit__(self, *exc) -> None:
        """Every part is closed, in order (client, cluster, kernel zygote, forkserver), even when
        closing another raised."""
        parts = [p for p in (self.client, self.cluster, self.kernels, self.forked) if p is not None]
        self.client = self.cluster = self.kernels = self.forked = None
        with contextlib.ExitStack() as stack:
            for part in reversed(parts):  # an exit stack closes last-in first
                stack.callback(part.close)

    def _check_versions(self) -> None:
        def probe():  # defined here so it is shipped by value, whatever the worker has installed
            import marketnotes

            return getattr(marketnotes, "__version__", "unknown")

        other = {addr: v for addr, v in self.client.run(probe).items() if v != __version__}
        if other:
            addr, version = next(iter(other.items()))
            self.__exit__()
            raise ExecutorError("dask", f"worker {addr} runs marketnotes {version}, this client {__version__}; install the same version on both")

    def workers_for(self, jobs: int) -> int:
        return len(self.client.scheduler_info()["workers"])

    def run(self, jobs: list[Job], want_pdf: bool, on_progress, retries: int) -> list[JobResult]:
        # A local cluster's workers share this host, and so one browser, as local workers do
        # (printer.py); a remote cluster's workers each keep their own.
        printer = Printer(multiprocessing.get_context("spawn"), os.getpid()) if want_pdf and self.cluster is not None else None
        try:
            self.client.register_plugin(NoteEngines(want_pdf, printer and printer.client(), self.kernels and self.kernels.address), name=PLUGIN)
            return self._run(jobs, on_progress, retries)
        finally:
            if printer is not None:
                printer.close()

    def _run(self, jobs: list[Job], on_progress, retries: int) -> list[JobResult]:
        """Notes are prepared and submitted as the batch goes, IN_FLIGHT per worker at a
        time: each worker always has its next note at hand (Dask hands a one-thread worker
        two), while the scheduler holds a few notes' prices, not the whole backfill's."""
        results, futures, specs, tries = [], {}, {}, dict.fromkeys((j.index for j in jobs), 0)
        todo = iter(in_runs(jobs, self.workers_for(len(jobs))))  # runs of consecutive dates per worker, as local
        pending = as_completed()

        def top_up() -> None:
            limit = IN_FLIGHT * max(1, self.workers_for(len(jobs)))
            while len(futures) < limit and (job := next(todo, None)) is not None:
                outcome = self._submit(job, specs, futures)
                if isinstance(outcome, JobResult):
                    results.append(outcome)
                    on_progress(outcome, job.index, "done")
                else:
                    pending.add(outcome)

        try:
            top_up()
            for future in pending:
                job = futures.pop(future)
                outcome = self._collect(job, specs[job.index], future)
                if outcome.transient and tries[job.index] < retries:
                    tries[job.index] += 1
                    again = self._submit(job, specs, futures, resubmit=True)
                    if not isinstance(again, JobResult):
                        pending.add(again)
                        continue
                    outcome = again
                outcome.attempts = tries[job.index] + 1
                results.append(outcome)
                on_progress(outcome, job.index, "done")
                top_up()
        except BaseException:
            self.client.cancel(list(futures))
            raise
        return results

    def _submit(self, job: Job, specs: dict, futures: dict, resubmit: bool = False):
        """Prepare a note here and send it off (returns its future); an up-to-date or
        unpreparable note is answered at once (returns its JobResult)."""
        try:
            spec, prices = pipeline.prepare(job.params_path, list(job.overrides), job.as_of, True, job.output_dir)
            template = find_template(spec)
            if not (job.force or resubmit) and manifest.up_to_date(spec.out_dir, manifest.input_hash(spec, prices, template, events := note_events(spec), note_macro(spec, events))):
                return JobResult(job.index, spec.name, spec.as_of_iso, "up-to-date", 0.0, output=str(spec.out_dir))
        except MarketNotesError as exc:
            return JobResult.failure(job, exc)
        specs[job.index] = spec
        future = self.client.submit(render_remote, spec, prices, template.name, template.read_bytes(), str(template), key=f"note-{job.index}-{os.urandom(4).hex()}", pure=False)
        futures[future] = job
        return future

    def _collect(self, job: Job, spec, future) -> JobResult:
        """A finished task -> published note folder and its result line."""
        try:
            done = future.result()
        except KilledWorker as exc:
            return JobResult(job.index, spec.name, spec.as_of_iso, "failed", 0.0, error=f"the note kept killing Dask workers ({exc})", error_type="KilledWorker")
        if "error" in done:
            error = done["error"] if "failed_notebook" not in done else self._keep_failed(spec, done)
            return JobResult(job.index, spec.name, spec.as_of_iso, "failed", 0.0, error=error, error_type=done["error_type"], transient=done["transient"])
        try:
            with NoteTransaction(spec.out_dir) as folder:
                for name, data in done["files"].items():
                    folder.path(name).write_bytes(data)
                folder.publish()
        except MarketNotesError as exc:
            return JobResult(job.index, spec.name, spec.as_of_iso, "failed", 0.0, error=str(exc), error_type=type(exc).__name__)
        detail = ", ".join(f"{k} {v:.2f}s" for k, v in done["timings"].items())
        return JobResult(job.index, spec.name, spec.as_of_iso, "ok", done["seconds"], output=str(spec.out_dir), detail=detail, peak_rss_mb=done["peak_rss_mb"], pid=done["pid"])

    @staticmethod
    def _keep_failed(spec, done: dict) -> str:
        """Keep a failed note's partial notebook (shipped back by its worker) beside the note
        folder as `<name>.failed.ipynb`, under the note's lock as a local run keeps it, and
        return the error line pointing at it there instead of at the worker's private folder."""
        try:
            with NoteTransaction(spec.out_dir) as folder:
                atomic.write_bytes(folder.failed_notebook, done["failed_notebook"])
        except (MarketNotesError, OSError) as exc:
            return done["error"].replace(f" kept at {done['failed_at']})", f" not kept: {exc})")
        return done["error"].replace(done["failed_at"], str(folder.failed_notebook))
