"""Optional packages marketnotes' own processes decline: importing this module declines them.

jsonschema (imported by nbformat) imports the checkers of optional string formats when they
are installed, as they are beside JupyterLab (`jsonschema[format-nongpl]`): rfc3987_syntax
builds a parser on import (~1 s); the others (rfc3986_validator compiling its grammar,
isoduration bringing arrow, rfc3339_validator six) cost ~0.03 core-s together. The notebook
schemas, nbformat's and the only ones validated here, use no "format" at all, so the
processes that run notes (the command line, a local Dask cluster's workers) decline them:
jsonschema then treats them as not installed, and a format it cannot check passes, as
without the extra. Kernels and Jupyter itself are untouched.

The work is done at import because a forkserver's preload list, which Dask's local workers
are forked from (dask_local.ForkedWorkers), can only import; it must come before
nbformat's first import to have any effect.
"""

from __future__ import annotations

import sys

UNUSED_FORMAT_CHECKERS = ("rfc3987_syntax", "rfc3986_validator", "rfc3339_validator", "isoduration", "uri_template", "webcolors", "fqdn")


def decline_unused_format_checkers() -> None:
    """Mark each as not installed (a `None` in `sys.modules`), unless already imported."""
    for name in UNUSED_FORMAT_CHECKERS:
        sys.modules.setdefault(name, None)


decline_unused_format_checkers()
