"""A test hook that sends a signal at a named point of a run, so kill points are chosen, not timed.

`MARKETNOTES_FAULT=<point>:<SIGNAL>[:group]` (e.g. `publish:SIGKILL`, `notebook:SIGTERM:group`)
makes the process that reaches `<point>` send `<SIGNAL>` to itself, or with `:group` to its
whole process group (what a terminal's Ctrl-C, `timeout -s KILL` or the OOM killer's cgroup
kill reach). Points: every stage a note announces (`loading data`, `facts`, `notebook`,
`html`, `pdf`, `manifest`), `publish` (staged, before the swap), `publish-between-renames`
(the fallback's gap), and in a batch `zygote`, `prefetch`, `workers` and `printer` (the
shared browser's process, as it takes a print). Unset, it costs a
dictionary lookup. With `MARKETNOTES_FAULT_ONCE=<path>`, only the first process to reach the
point fires (it creates `<path>`), so "one worker dies mid-note" can be staged. The signal
tests and `scripts/stress_signals.py` use it.
"""

from __future__ import annotations

import os
import signal


def checkpoint(point: str) -> None:
    wanted = os.environ.get("MARKETNOTES_FAULT")
    if not wanted:
        return
    name, _, rest = wanted.partition(":")
    if name != point:
        return
    once = os.environ.get("MARKETNOTES_FAULT_ONCE")
    if once:
        try:
            os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
    signame, _, scope = rest.partition(":")
    signum = signal.Signals[signame or "SIGTERM"]
    if scope == "group":
        os.killpg(os.getpgrp(), signum)
    else:
        os.kill(os.getpid(), signum)
