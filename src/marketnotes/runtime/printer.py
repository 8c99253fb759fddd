"""One Chromium per batch, shared by its workers: a print server on this host.

A Chromium with Playwright's node driver holds ~400 MB (browser, GPU and renderer
processes, the driver), and printing is a small part of a note's time (~0.2 s of ~1 s). So
one browser serves every worker of a batch instead of one each: the batch starts a printer
process, a `multiprocessing` manager holding one `ChromiumPdf`, and each worker prints through
a proxy (`SharedPdf`, a `PdfBackend` like any other). Prints take turns on the browser's one
thread, each in a fresh tab; each worker still renders its notes in kernels of their own.

The printer writes the PDF straight into the note's staging folder (same host, no bytes sent
back). A browser that crashes is relaunched in the printer and the print retried once
(`ChromiumPdf._print`); a printer process that dies (killed, out of memory) is replaced, in
each worker, by a browser of the worker's own, so the batch goes on at the old cost. Errors
cross back whole (`MarketNotesError` pickles by state), transient flag included.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from multiprocessing.managers import BaseManager
from pathlib import Path

from marketnotes import faults
from marketnotes.render.pdf import ChromiumPdf, PdfBackend
from marketnotes.runtime.zygote import die_with_parent

_printer: _Printer | None = None
_printer_lock = threading.Lock()


class _Printer:
    """Lives in the printer process. The manager serves each worker's connection on its own
    thread; `ChromiumPdf` runs every browser call on its one private thread, in turn."""

    def __init__(self) -> None:
        self.pdf = ChromiumPdf().prelaunch()

    def print_pdf(self, html: str, target: str, title: str, page_size: str) -> str:
        faults.checkpoint("printer")
        return str(self.pdf.render(html, Path(target), title, page_size))

    def close(self) -> None:
        self.pdf.close()


def _the_printer() -> _Printer:
    """Every proxy refers to one printer (one browser), made by the first that asks."""
    global _printer
    with _printer_lock:
        if _printer is None:
            _printer = _Printer()
        return _printer


class PrinterManager(BaseManager):
    pass


PrinterManager.register("Printer", callable=_the_printer)


def _serve_init(parent: int) -> None:  # pragma: no cover - runs in the printer process
    die_with_parent(parent)  # a SIGKILLed batch takes its printer (and so Chromium) along
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle; it closes us
    # Playwright's node driver keeps up to 16 MB per young-generation semi-space by default;
    # it only relays a few small messages per PDF, and at 1 MB holds ~35 MB less, no slower.
    os.environ.setdefault("NODE_OPTIONS", "--max-semi-space-size=1")
    # Started with both held (local._signals_deferred): a SIGTERM already sent now ends us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


class Printer:
    """The batch's side: start the printer process (its browser boots at once, while the data
    loads), hand workers a `SharedPdf`, close browser and process at the end."""

    def __init__(self, ctx, parent: int) -> None:
        self.authkey = os.urandom(32)  # handed to the workers: Dask's are not our children
        self.manager = PrinterManager(authkey=self.authkey, ctx=ctx)
        self.manager.start(_serve_init, (parent,))
        self._proxy = self.manager.Printer()  # creates the printer: Chromium starts booting

    def client(self) -> SharedPdf:
        return SharedPdf(self.manager.address, self.authkey)

    def close(self, clean: bool = True) -> None:
        """Close the browser, then the process. Interrupted (`clean=False`), skip straight to
        the process: its end closes the driver's pipe, and Chromium exits with it."""
        try:
            if clean:
                self._proxy.close()
        except (OSError, EOFError):
            pass  # the printer is already gone
        finally:
            self.manager.shutdown()


FALLBACK = "printer unreachable, this worker prints with its own browser"  # one line on stderr


class SharedPdf(PdfBackend):
    """A worker's PDF backend: prints through the batch's printer; if the printer is gone,
    launches a browser of its own and keeps printing."""

    def __init__(self, address, authkey: bytes) -> None:
        self.address, self.authkey = address, authkey
        self._proxy = None
        self._own: ChromiumPdf | None = None

    def check(self) -> None:
        ChromiumPdf().check()

    def render(self, html: str, target: Path, title: str, page_size: str) -> Path:
        if self._own is None:
            try:
                printer, lost = self._printer(), None
            except (OSError, EOFError) as exc:  # its socket is gone: the printer died before this print
                printer, lost = None, exc
            try:
                if printer is not None:
                    return Path(printer.print_pdf(html, str(target), title, page_size))
            except (ConnectionError, EOFError) as exc:  # it died during this print
                lost = exc
            # Not the note's fault: print it, and the rest, with a browser of our own, and say
            # so (a second browser costs memory a user should know about). An error the printer
            # raised, a RenderError or an OSError writing the PDF, comes back as itself and
            # fails the note like any other backend's.
            print(f"{FALLBACK}: {type(lost).__name__}", file=sys.stderr, flush=True)
            self._own = ChromiumPdf()
        return self._own.render(html, target, title, page_size)

    def _printer(self):
        if self._proxy is None:
            manager = PrinterManager(address=self.address, authkey=self.authkey)
            manager.connect()
            self._proxy = manager.Printer()
        return self._proxy

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
