"""What each template cell showed in a Jupyter session, recorded as it ran, for `note.preview()`.

A kernel keeps no copy of its cells' outputs: the front end has them. The preview needs them
to lay out the note as a render would, so `Note.load` (in a Jupyter session only) installs a
`Recorder`: IPython's pre_run_cell / post_run_cell hooks keep each cell's displayed result
(its mimebundle, as the kernel formatted it) and what it printed, keyed by the cell, so a
re-run cell replaces what it showed before.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from IPython import get_ipython

_HOOK: list[Callable] = []  # the recorder registered in this kernel (one: the latest Note.load's)


@dataclass
class Shown:
    """What one template cell showed when it last ran."""

    key: Any  # the cell's id in the notebook (JupyterLab's cellId), else its execution count
    count: int | None
    line: str  # its first line
    order: int  # when it first ran: the page order of cells the notebook file does not have yet
    data: dict = field(default_factory=dict)  # its result's mimebundle, as the kernel displayed it
    metadata: dict = field(default_factory=dict)
    error: str | None = None  # the one line it failed with: a render fails there
    streams: list[tuple[str, str]] = field(default_factory=list)  # what it printed: stdout is published, stderr is not


class _Tee:
    """A cell's sys.stdout or sys.stderr while it runs: everything goes on to the kernel's own
    stream (the cell's output in Lab) and is kept, as a render's notebook keeps it."""

    def __init__(self, name: str, stream, kept: list[tuple[str, str]]):
        self._name, self._stream, self._kept = name, stream, kept

    def write(self, text: str) -> int:
        if text:
            self._kept.append((self._name, text))
        return self._stream.write(text)

    def __getattr__(self, attr: str):
        return getattr(self._stream, attr)


class Recorder:
    """Records what each cell showed (its result, from post_run_cell, and what it printed),
    keyed by the cell, so a re-run cell replaces what it showed before. Installed once per
    `Note.load`: a new load starts a new note, and the previous recorder is unregistered."""

    def __init__(self, cell_of: Callable[[], Any], skip: tuple[type, ...]):
        self.cell_of, self.skip, self.shown = cell_of, skip, {}
        self._order = itertools.count()
        self._streams: list[tuple[str, str]] = []
        self._saved: tuple | None = None

    def before(self, info) -> None:
        """pre_run_cell: keep what the cell prints, passing it on."""
        self._streams = []
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout, sys.stderr = _Tee("stdout", sys.stdout, self._streams), _Tee("stderr", sys.stderr, self._streams)

    def _restore(self) -> None:
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None

    @classmethod
    def install(cls, cell_of: Callable[[], Any], skip: tuple[type, ...] = ()) -> Recorder | None:
        ip = get_ipython()
        if ip is None:
            return None
        for old in _HOOK:
            ip.events.unregister("pre_run_cell", old.before)
            ip.events.unregister("post_run_cell", old)
            old._restore()
        recorder = cls(cell_of, skip)
        _HOOK[:] = [recorder]
        ip.events.register("pre_run_cell", recorder.before)
        ip.events.register("post_run_cell", recorder)
        return recorder

    def __call__(self, result) -> None:
        self._restore()
        if result.info.silent or not result.info.store_history:
            return
        cell, value = self.cell_of(), result.result
        if isinstance(value, self.skip):
            return  # the preview's own cell is not part of the note
        error = result.error_before_exec or result.error_in_exec
        before = self.shown.pop(cell.key, None)
        order = before.order if before else next(self._order)
        shown = Shown(cell.key, cell.count, cell.line, order, streams=_joined(self._streams))
        if error is not None:
            lines = error._render_traceback_() if hasattr(error, "_render_traceback_") else [f"{type(error).__name__}: {error}"]
            shown.error = " ".join(lines)
        elif value is not None:
            shown.data, shown.metadata = get_ipython().display_formatter.format(value)
        if shown.error or shown.data or shown.streams:
            self.shown[cell.key] = shown


def _joined(streams: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive writes to one stream as one output, as the kernel sends them."""
    out: list[tuple[str, str]] = []
    for name, text in streams:
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + text)
        else:
            out.append((name, text))
    return out
