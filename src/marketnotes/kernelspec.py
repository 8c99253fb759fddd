"""Which kernel runs a note, and with which options: a module of its own, with no imports,
so the runtime can start a kernel before papermill, nbformat and pandas are loaded (importing
`execute.py` for two names cost a cold render ~0.5 s before its kernel started)."""

from __future__ import annotations

import os

# ipykernel warns on every start that loopback TCP is unencrypted; keep cron mail quiet. A
# note's kernel keeps no IPython history: a backfill would otherwise append every template
# cell of every note to the user's ~/.ipython history database (and open it per kernel).
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]


def kernel_name() -> str:
    """`MARKETNOTES_KERNEL`, else the `python3` kernel of the interpreter running marketnotes."""
    return os.environ.get("MARKETNOTES_KERNEL", "python3")


def kernel_arguments() -> list[str]:
    """Our options for our own kernel; another kernel gets none (its options may differ)."""
    return KERNEL_ARGS if kernel_name() == "python3" else []
