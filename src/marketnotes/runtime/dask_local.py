"""How a local Dask cluster is started: worker processes as close to a local batch's as
Dask allows. A user's own scheduler and workers keep their own configuration.
"""

from __future__ import annotations

from multiprocessing import forkserver

import dask.config
from distributed.utils import get_mp_context

# Imported by the forkserver a local cluster's workers are forked from (ForkedWorkers): what
# a worker's first note needs, imported and warmed once, then frozen (see the module).
WORKER_IMPORTS = ("marketnotes.runtime.forkserver_preload",)

# What a local cluster's processes would do for a dashboard it does not have: each worker
# samples its own stack every 10 ms for the profile page, and every process checks its event
# loop's health 50 times a second to log a warning that silence_logs hides. Without them a
# 26-note Dask batch takes 44.6 -> 42.0 core-s of the machine's CPU (3 interleaved pairs).
# A user's own scheduler and workers keep their configuration.
QUIET_LOCAL_CLUSTER = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s"}
# distributed has a nanny set MALLOC_TRIM_THRESHOLD_=65536 in its own environment before it
# starts a worker, so that glibc hands freed memory back to the system at once; the worker,
# its kernel zygote and every kernel inherit it. A note allocates and frees large arrays all
# the time, and each came back as fresh pages to fault in: ~0.05 core-s more a note in the
# facts stage and as much in the kernel. A local cluster's processes allocate as a local
# batch's do (None unsets it; a user's own environment variable still wins).
LOCAL_ALLOCATOR = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


class ForkedWorkers:
    """A local cluster's worker processes forked from a forkserver that imported what a note
    needs (WORKER_IMPORTS) once, rather than spawned: a spawned worker imports distributed,
    pandas, papermill, nbconvert (its validator compiles a grammar) and marketnotes on its
    own, ~3 core-s each before its first note, and keeps a private copy of all those pages,
    where a local batch's forked workers share the batch's. The allocators are the local
    batch's too (pyarrow's system pool, local.system_allocator_for_arrow: ~40 MB less in
    each worker and kernel; glibc's without distributed's trim threshold, LOCAL_ALLOCATOR),
    and the cluster is configured without what only a dashboard would read
    (QUIET_LOCAL_CLUSTER). For the executor's lifetime; the forkserver, if we
    started it, is stopped (and waited for, so its workers' CPU time counts in ours) at the
    end."""

    def __init__(self) -> None:
        from marketnotes.runtime.local import system_allocator_for_arrow

        system_allocator_for_arrow()
        self.config = dask.config.set({"distributed.worker.multiprocessing-method": "forkserver", **QUIET_LOCAL_CLUSTER, **LOCAL_ALLOCATOR})
        get_mp_context()  # distributed's own forkserver preload, which ours extends
        server = getattr(forkserver, "_forkserver", None)
        self.ours = server is not None and getattr(server, "_forkserver_pid", 0) is None
        forkserver.set_forkserver_preload(list(dict.fromkeys([*getattr(server, "_preload_modules", ["distributed"]), *WORKER_IMPORTS])))

    def close(self) -> None:
        self.config.__exit__(None, None, None)
        if self.ours:
            try:
                forkserver._forkserver._stop()
            except (OSError, AttributeError):
                pass
