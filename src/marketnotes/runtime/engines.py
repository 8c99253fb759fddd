"""The expensive things a note needs — a kernel and a browser — started *ahead of need*.

A cold note spends most of its time booting: a kernel (~0.6 s) that then imports pandas,
matplotlib and marketnotes (~0.7 s), and Chromium (~0.7 s). None of that depends on the
note's data, so `Engines` starts both before the data is loaded and the facts computed, and
they boot on the other core while the host works.

Each note runs in a kernel that has never run another note: a batch worker takes a fresh one
per note (forked from a warm zygote on Linux, see zygote.py; elsewhere a pre-started spare),
and the used kernel is shut down once its notebook has run. Isolation is by construction,
not by cleaning up.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

from jupyter_client import AsyncKernelManager, BlockingKernelClient

from marketnotes.runtime.kernel_client import NoteKernelManager

WARM_CODE = "import marketnotes.notebook\nimport marketnotes.warmup as _warmup\n_warmup.warm()\ndel _warmup"


class WarmKernels:
    """Kernels started ahead of need, their warm-up imports queued on the shell channel.

    With `keep_spare`, taking a kernel starts the next one at once (a batch worker); without,
    it is one kernel for one note. Kernels are started and stopped on a private event-loop
    thread, so this works whatever loop the caller's thread runs.
    """

    def __init__(self, keep_spare: bool):
        self.keep_spare = keep_spare
        self._spare: tuple[Path, AsyncKernelManager, BlockingKernelClient] | None = None
        self._stopping: list[Future] = []  # shutdowns of used kernels, not waited for
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="marketnotes-kernels", daemon=True)
        self._thread.start()

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def _start(self, cwd: Path) -> tuple[Path, AsyncKernelManager, BlockingKernelClient]:
        from marketnotes.kernelspec import kernel_arguments, kernel_name

        km = NoteKernelManager(kernel_name=kernel_name(), client_class="marketnotes.runtime.kernel_client.QuickReadyClient")
        self._run(km.start_kernel(extra_arguments=kernel_arguments(), cwd=str(cwd)))
        client = BlockingKernelClient()
        client.load_connection_info(km.get_connection_info())
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        # Not waited for: the kernel imports while the host loads data and computes facts.
        # The client stays open until the kernel is taken: closing its socket now would drop
        # the queued request (zmq linger 0) and the kernel would boot cold.
        client.execute(WARM_CODE, silent=True, store_history=False)
        return cwd, km, client

    def prestart(self, cwd: Path) -> None:
        if self._spare is None:
            self._spare = self._start(cwd)

    def take(self, cwd: Path) -> AsyncKernelManager:
        """A kernel whose working directory is `cwd` (the template's folder)."""
        if self._spare is not None and self._spare[0] != cwd:
            self._spare[2].stop_channels()
            self.discard(self._spare[1])
            self._spare = None
        _, km, client = self._spare or self._start(cwd)
        client.stop_channels()
        self._spare = self._start(cwd) if self.keep_spare else None
        return km

    def discard(self, km: AsyncKernelManager) -> None:
        """Shut a used kernel down on the kernels' thread, without waiting (its manager polls
        for the killed process, ~0.1 s): the note's HTML and PDF are made meanwhile. An error
        of an earlier shutdown is raised here, or by close()."""
        self._collect(done_only=True)
        if isinstance(km, NoteKernelManager):
            km.close_clients()
        self._stopping.append(asyncio.run_coroutine_threadsafe(km.shutdown_kernel(now=True), self._loop))

    def _collect(self, done_only: bool) -> None:
        stopping, self._stopping = self._stopping, []
        for shutdown in stopping:
            if done_only and not shutdown.done():
                self._stopping.append(shutdown)
            else:
                shutdown.result()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            if self._spare is not None:
                self._spare[2].stop_channels()
                self.discard(self._spare[1])
                self._spare = None
            self._collect(done_only=False)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self._loop.close()  # its selector and self-pipe: three descriptors a note


class Engines:
    """A kernel source and a PDF backend for one note (`many=False`) or a batch worker's many."""

    def __init__(self, many: bool, pdf: bool = True, pdf_backend: str = "chromium", kernels=None, printer=None):
        """`kernels` is a kernel source to use (a batch's shared zygote); by default one is
        made here: a zygote for many notes on Linux, else pre-started kernels. `printer` is a
        PDF backend to use (a batch's shared browser, runtime/printer.py) instead of one's own."""
        from marketnotes.runtime import zygote
        from marketnotes.render.pdf import get_backend

        if kernels is None:
            kernels = zygote.Zygote() if many and zygote.available() else WarmKernels(keep_spare=many)
        self.kernels = kernels
        self.pdf = (printer or get_backend(pdf_backend)) if pdf else None
        if self.pdf is not None and printer is None:
            self.pdf.many = many

    @classmethod
    def for_params(cls, params, params_path: Path, output_dir: Path | None = None) -> Engines:
        """Engines for one note (validated `params` from `params_path`), its kernel already
        booting in the template's folder.

        Needs only the params and the template's location (no pandas, no papermill), so a
        caller can start this first and import the rest while the kernel boots. A template
        error, an output folder that cannot be written and a missing Chromium are raised
        here, before anything has started.
        """
        from marketnotes.templates import locate_template

        template = locate_template(params.template, params_path)
        cls.preflight(params, output_dir)
        engines = cls(many=False, pdf="pdf" in params.formats)
        engines.kernels.prestart(template.parent)
        return engines

    @staticmethod
    def preflight(params, output_dir: Path | None = None) -> None:
        """What would fail a note only at its end, checked before anything starts: an output
        folder that cannot be written, and (for a PDF) a missing Chromium."""
        from marketnotes.render.pdf import get_backend
        from marketnotes.transaction import check_writable

        check_writable(output_dir or params.output_dir)
        if "pdf" in params.formats:
            get_backend().check()

    def render(self, spec, prices, template: Path | None = None, on_stage: Callable[[str], None] = lambda stage: None, **options):
        """One note on a fresh kernel and this engine's browser (pipeline.render_note), its
        template found once for both the kernel's folder and the render.

        The kernel is handed back as soon as its notebook has run (the next stage begins), so
        that it shuts down, or a batch's next kernel is forked, while the HTML and PDF are
        made, not after them."""
        from marketnotes import pipeline
        from marketnotes.templates import find_template

        template = template or find_template(spec)
        with self.kernel(template.parent) as kernel:

            def stage(name: str) -> None:
                if kernel.ran:
                    kernel.release()
                kernel.ran |= name == "notebook"
                on_stage(name)

            return pipeline.render_note(spec, prices, pdf_backend=self.pdf, kernel=kernel.km, template=template, on_stage=stage, **options)

    @contextmanager
    def kernel(self, template_dir: Path) -> Iterator[_TakenKernel]:
        """A fresh kernel for one note, handed back by `release()`, or at the latest when the
        block ends, whatever happens."""
        kernel = _TakenKernel(self.kernels, self.kernels.take(template_dir))
        try:
            yield kernel
        finally:
            kernel.release()

    def close(self) -> None:
        try:
            self.kernels.close()
        finally:
            if self.pdf is not None:
                self.pdf.close()

    def __enter__(self) -> Engines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _TakenKernel:
    """A note's kernel, taken from a kernel source and handed back to it once."""

    def __init__(self, source, km):
        self.source, self.km, self.ran = source, km, False

    def release(self) -> None:
        km, self.km = self.km, None
        if km is not None:
            self.source.discard(km)
