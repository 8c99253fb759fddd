"""HTML note -> PDF through a real Chromium driven by Playwright.

Why not nbconvert's `--to webpdf`: it cannot be pointed at a system Chromium and prints Letter
only. We reuse nbconvert's HTML and drive Playwright ourselves: the system Chromium when present
(Debian's /usr/bin/chromium, or MARKETNOTES_CHROMIUM), Playwright's own browser otherwise.

Backends sit in a small registry so another engine can be plugged in the same way; a backend
is a context manager, so a batch keeps one browser open for all its PDFs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

from markupsafe import escape

from marketnotes import atomic
from marketnotes.errors import BrowserNotFound, RenderError

# The headless shell first: Chromium's own build for headless use (what Playwright runs for
# headless by default), without the full browser's UI processes. Against Debian's full
# `chromium` it prints a note in ~0.10 s instead of ~0.17 s, in ~245 MB instead of ~420 MB.
SYSTEM_CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a closed network and a root user (see README, troubleshooting).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-software-rasterizer",  # a PDF needs no GPU raster: ~15 MB less in the GPU process
]
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}

_BACKENDS: dict[str, Callable[[], PdfBackend]] = {}


def register_backend(name: str):
    def deco(factory):
        _BACKENDS[name] = factory
        return factory

    return deco


def get_backend(name: str = "chromium") -> PdfBackend:
    try:
        return _BACKENDS[name]()
    except KeyError:
        raise RenderError("pdf", f"unknown PDF backend {name!r}; known: {', '.join(sorted(_BACKENDS))}") from None


class PdfBackend:
    many = True  # prints many notes: may prepare the next print ahead; False for one `render`

    def __enter__(self) -> PdfBackend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass

    def prelaunch(self) -> PdfBackend:
        """Start booting ahead of the first render (a no-op for backends with nothing to boot)."""
        return self

    def check(self) -> None:
        """Raise now if this backend cannot print at all (a missing browser), before a note
        spends its seconds on the notebook only to fail at the PDF."""

    def render(self, html: str, target: Path, title: str, page_size: str) -> Path:  # pragma: no cover
        raise NotImplementedError


def find_chromium() -> str | None:
    """MARKETNOTES_CHROMIUM, then a system Chromium on PATH; None means try Playwright's own."""
    explicit = os.environ.get("MARKETNOTES_CHROMIUM")
    if explicit:
        if not (Path(explicit).is_file() and os.access(explicit, os.X_OK)):
            raise BrowserNotFound([f"MARKETNOTES_CHROMIUM={explicit} (not an executable file)"])
        return explicit
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _playwright_chromium_installed() -> bool:
    """Whether `playwright install chromium` has put a browser where Playwright looks for it
    (PLAYWRIGHT_BROWSERS_PATH, else ~/.cache/ms-playwright): a look at the folder, not a launch."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache" / "ms-playwright")
    return root == "0" or any(Path(root).glob("chromium*"))


def footer_template(title: str) -> str:
    return (
        '<div style="font-family: DejaVu Sans, Arial, sans-serif; font-size: 7.5px; color: #5b6573; '
        'width: 100%; padding: 0 15mm; display: flex; justify-content: space-between;">'
        f"<span>{escape(title)}</span>"
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )


@register_backend("chromium")
class ChromiumPdf(PdfBackend):
    """One browser per instance, reused for every PDF it prints.

    Playwright's sync API must stay on the thread that started it, so every browser call runs
    on one private thread. That is also what lets `prelaunch()` boot Chromium (~0.7 s) while
    the notebook executes: a launch failure is kept and raised by the first `render()`.
    """

    TAB_NOTES = 4  # notes printed in one tab before the next gets a fresh one (_next_tab)

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="marketnotes-chromium")
        self._launched: Future | None = None
        self._playwright = None
        self._browser = None
        # A fresh tab every TAB_NOTES notes, opened ahead of need once the last print is done: a
        # tab that printed many notes keeps growing (~136 MB after one note, ~300 MB after forty)
        self._page = None
        self._printed = 0  # notes the current tab has printed

    def check(self) -> None:
        if find_chromium() is None and not _playwright_chromium_installed():
            raise BrowserNotFound(["MARKETNOTES_CHROMIUM", *SYSTEM_CANDIDATES, "Playwright's own browser"])

    def prelaunch(self) -> ChromiumPdf:
        if self._launched is None:
            self._launched = self._thread.submit(self._launch)
        return self

    def _launch(self):
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        path = find_chromium()
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            self._stop()
            if path is None and "Executable doesn't exist" in str(exc):
                raise BrowserNotFound(["MARKETNOTES_CHROMIUM", *SYSTEM_CANDIDATES, "Playwright's own browser"]) from None
            raise RenderError("pdf", f"Chromium at {path or 'playwright default'} failed to start: {str(exc).splitlines()[0]}", transient=True) from None
        # The first note's tab too, while the notebook runs: opening it at print time put
        # ~0.05 s on a cold note's path (later notes' tabs are opened ahead by _fresh_tab).
        with suppress(PlaywrightError):
            self._new_tab()
        return self._browser

    def render(self, html: str, target: Path, title: str, page_size: str) -> Path:
        self.prelaunch()
        self._launched.result()
        pdf = self._thread.submit(self._print, html, title, page_size).result()
        if self.many:
            self._thread.submit(self._next_tab)  # for the next note, while this one is written
        return atomic.write_bytes(target, pdf)

    def _next_tab(self) -> None:
        """After a print: the same tab for the next note until it has printed TAB_NOTES, then
        a fresh one. A fresh tab per note costs Chromium ~0.1 core-s (its renderer's document
        state torn down and built again: about a third of a print, measured over 20 distinct
        notes, 0.36 vs 0.24 core-s), while a tab that keeps printing grows ~16 MB a note."""
        self._printed += 1
        if self._printed >= self.TAB_NOTES:
            self._fresh_tab()

    def _new_tab(self) -> None:
        self._page, self._printed = self._browser.new_page(), 0

    def _fresh_tab(self) -> None:
        from playwright.sync_api import Error as PlaywrightError

        used, self._page = self._page, None
        try:
            if used is not None:
                used.close()
            if self._browser is not None and self._browser.is_connected():
                self._new_tab()
        except PlaywrightError:
            self._page = None  # the next print relaunches what is gone

    def _print(self, html: str, title: str, page_size: str) -> bytes:
        """Print on the current tab (a fresh one per note in a batch). A browser that died
        under us (first launch after install, a crash between notes) is relaunched once and
        the print retried: not the note's fault."""
        from playwright.sync_api import Error as PlaywrightError

        for attempt in (1, 2):
            if self._browser is None or not self._browser.is_connected():
                self._stop()
                self._launch()
            try:
                return self._print_once(html, title, page_size)
            except PlaywrightError as exc:
                self._page = None  # a fresh tab next time
                gone = not self._browser.is_connected() or "has been closed" in str(exc)
                if attempt == 2 or not gone:
                    raise RenderError("pdf", f"Chromium failed while printing: {str(exc).splitlines()[0]}", transient=True) from None
                self._stop()
        raise AssertionError("unreachable")  # pragma: no cover

    def _print_once(self, html: str, title: str, page_size: str) -> bytes:
        if self._page is None or self._page.is_closed():
            self._new_tab()
        page = self._page
        page.set_content(html, wait_until="load")
        page.emulate_media(media="print")
        return page.pdf(
            format=page_size,
            margin=MARGINS,
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=footer_template(title),
        )

    def _stop(self) -> None:
        """Close the tab, browser and driver; whatever is already gone is skipped."""
        from playwright.sync_api import Error as PlaywrightError

        self._page = None
        browser, driver, self._browser, self._playwright = self._browser, self._playwright, None, None
        with suppress(PlaywrightError):
            if browser is not None:
                browser.close()
        with suppress(PlaywrightError):
            if driver is not None:
                driver.stop()

    def close(self) -> None:
        if self._launched is not None:
            self._thread.submit(self._stop).result()
            self._launched = None
        self._thread.shutdown(wait=True)
