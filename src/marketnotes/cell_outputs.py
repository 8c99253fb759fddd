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
    outputs: list[dict] = field(default_factory=list)  # nbformat outputs, in order: what it printed (stdout is published, stderr is not), displayed, and its result
    error: str | None = None  # the one line it failed with: a render fails there


class _Tee:
    """A cell's sys.stdout or sys.stderr while it runs: everything goes on to the kernel's own
    stream (the cell's output in Lab) and is kept, as a render's notebook keeps it."""

    def __init__(self, name: str, stream, kept: list[dict]):
        self._name, self._stream, self._kept = name, stream, kept

    def write(self, text: str) -> int:
        if text:
            last = self._kept[-1] if self._kept else {}
            if last.get("output_type") == "stream" and last["name"] == self._name:
                last["text"] += text  # consecutive writes to one stream are one output, as the kernel sends them
            else:
                self._kept.append({"output_type": "stream", "name": self._name, "text": text})
        return self._stream.write(text)

    def __getattr__(self, attr: str):
        return getattr(self._stream, attr)


class Recorder:
    """Records what each cell showed (what it printed and displayed while it ran, and its
    result, from post_run_cell), keyed by the cell, so a re-run cell replaces what it showed
    before. Installed once per `Note.load`: a new load starts a new note, and the previous
    recorder is unregistered."""

    def __init__(self, cell_of: Callable[[], Any], skip: tuple[type, ...]):
        self.cell_of, self.skip, self.shown = cell_of, skip, {}
        self._order = itertools.count()
        self._kept: list[dict] = []
        self._saved: tuple | None = None

    def before(self, info) -> None:
        """pre_run_cell: keep what the cell prints and displays, passing it on."""
        self._kept = kept = []
        pub = get_ipython().display_pub
        self._saved = (sys.stdout, sys.stderr, pub, pub.publish)
        sys.stdout, sys.stderr = _Tee("stdout", sys.stdout, kept), _Tee("stderr", sys.stderr, kept)
        original = pub.publish

        def publish(data, metadata=None, *args, **kwargs):
            if not kwargs.get("update"):
                kept.append({"output_type": "display_data", "data": data, "metadata": metadata or {}})
            return original(data, metadata, *args, **kwargs)

        pub.publish = publish

    def _restore(self) -> None:
        if self._saved is not None:
            sys.stdout, sys.stderr, pub, publish = self._saved
            pub.publish = publish
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
        shown = Shown(cell.key, cell.count, cell.line, order, list(self._kept))
        if error is not None:
            lines = error._render_traceback_() if hasattr(error, "_render_traceback_") else [f"{type(error).__name__}: {error}"]
            shown.error = " ".join(lines)
        elif value is not None:
            data, metadata = get_ipython().display_formatter.format(value)
            shown.outputs.append({"output_type": "execute_result", "data": data, "metadata": metadata, "execution_count": cell.count})
        if shown.error or shown.outputs:
            self.shown[cell.key] = shown
