"""What a local Dask cluster's forkserver does once, before it forks the workers.

A forkserver's preload list can only import modules, so importing this one does the work, in
this order:

1. declines the optional format checkers nbformat's validator would import (lean_imports;
   ~1.3 s of the cluster's start-up with rfc3987_syntax installed);
2. imports what a worker's first note would (worker.preload: the pipeline's stages,
   nbconvert's, pyarrow's parquet, Playwright) and the NYSE calendar's package, and makes the
   throwaway HTML page that fills the exporter's caches: the workers inherit all of it;
3. moves every object made so far out of the garbage collector's reach (`gc.freeze`), as a
   local batch does for the workers it forks (local._frozen_for_fork): a worker's full
   collections then neither walk those ~200,000 objects nor write to their pages, which stay
   shared with the forkserver.
"""

from __future__ import annotations

import gc

from marketnotes.runtime import lean_imports  # noqa: F401  (first: before nbformat's import)
from marketnotes.runtime.worker import preload

preload()
import exchange_calendars  # noqa: E402,F401  (the NYSE calendar a worker builds for its first note)

import marketnotes.runtime.dask_executor  # noqa: E402,F401  (the module a worker's tasks run in)

gc.collect()
gc.freeze()
