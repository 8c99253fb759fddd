"""What *runs* notes, apart from the stages that *make* one (pipeline.py and its stages).

- `engines.py`: a note's kernel and browser, started ahead of need;
- `zygote.py`: fresh kernels forked from a warm process (`zygote_process.py`, its own side);
- `single.py`: one note from the command line, cold;
- `worker.py`: a process that renders many notes with warm state;
- `batch.py`: many notes — prefetch, summary — on an executor;
- `executors.py`: where a batch's notes run: `local.py` (worker processes here, with
  queues, retries and signal handling) or `dask_executor.py` (a Dask cluster);
- `printer.py`: one browser shared by a batch's workers; `dask_local.py` and
  `forkserver_preload.py`: how a local Dask cluster's workers are started and what they are
  forked with; `lean_imports.py`: optional packages declined.

Stages never import from here; this package imports the stages.
"""
