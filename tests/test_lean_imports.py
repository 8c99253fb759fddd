"""What marketnotes' processes decline to import, and what a Dask forkserver prepares once."""

import subprocess
import sys

from marketnotes.runtime.lean_imports import UNUSED_FORMAT_CHECKERS

VALIDATE = """
import sys
import {module}
import nbformat
nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]))
print(sorted(n for n in sys.modules if n.split(".")[0] in {names!r} and sys.modules[n] is not None))
"""


def _probe(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_process_that_declines_them_validates_notebooks_without_importing_them():
    """rfc3987_syntax alone builds a parser for ~1 s when jsonschema imports it: every render
    and every Dask worker would pay it before its first note."""
    assert _probe(VALIDATE.format(module="marketnotes.runtime.lean_imports", names=set(UNUSED_FORMAT_CHECKERS))) == "[]"


def test_a_dask_forkserver_declines_them_too_and_leaves_its_workers_nothing_to_collect():
    """Workers forked from it inherit the imports and the warm HTML exporter, frozen out of
    the garbage collector's reach like a local batch's workers."""
    assert _probe(VALIDATE.format(module="marketnotes.runtime.forkserver_preload", names=set(UNUSED_FORMAT_CHECKERS))) == "[]"
    frozen = _probe("import gc, sys, marketnotes.runtime.forkserver_preload as p\n"
                    "print(gc.get_freeze_count() > 100000, 'exchange_calendars' in sys.modules, 'marketnotes.runtime.dask_executor' in sys.modules)")
    assert frozen == "True True True"
