"""Many notes at once: several params files, or one file backfilled over a date range.

Data is fetched once per params file before any worker starts (the latest as-of of the batch),
then workers read it offline from the cache, so a 52-week backfill makes no repeated network
calls. Workers (default: one per core) keep warm state across notes (see worker.py). One note
failing never stops the others; the batch ends with a summary table and
`reports/batch-<timestamp>.json`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from marketnotes import atomic, faults
from marketnotes.calendar import resolve_as_of
from marketnotes.errors import AsOfError, CorruptData, MarketNotesError, SourceUnavailable, UnknownSymbol
from marketnotes.params import load_params
from marketnotes.pipeline import load_data
from marketnotes.runtime.executors import make_executor
from marketnotes.runtime.worker import Job, JobResult

WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "day": None}


def backfill_dates(start: str, end: str, every: str = "friday") -> list[str]:
    """Every chosen weekday in [start, end], each resolved to its session (a holiday Friday
    becomes Thursday), duplicates removed, in order."""
    if every not in WEEKDAYS:
        raise AsOfError(every, f"--every takes one of {', '.join(WEEKDAYS)}")
    days = pd.date_range(start, end, freq="D")
    if WEEKDAYS[every] is not None:
        days = days[days.day_of_week == WEEKDAYS[every]]
    sessions = [resolve_as_of(d.date()).session.date().isoformat() for d in days]
    return list(dict.fromkeys(sessions))


@dataclass
class BatchSummary:
    started: str
    seconds: float
    workers: int
    results: list[JobResult] = field(default_factory=list)
    path: Path | None = None

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def up_to_date(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "up-to-date"]

    def write(self, output_dir: Path) -> Path:
        stamp = self.started.replace(":", "").replace("-", "")
        self.path = output_dir / f"batch-{stamp}.json"
        payload = {
            "started": self.started,
            "seconds": round(self.seconds, 2),
            "workers": self.workers,
            "notes": len(self.results),
            "failed": len(self.failed),
            "up_to_date": len(self.up_to_date),
            "results": [asdict(r) for r in sorted(self.results, key=lambda r: r.index)],
        }
        atomic.write_text(self.path, json.dumps(payload, indent=2))
        return self.path


# Errors of a whole params file's data, whatever the note's date: its notes fail with these
# at once. Others (an as-of past the data's end, say) may hit only the latest dates: those
# notes are left to fail, or not, on their own.
WHOLE_FILE_ERRORS = (SourceUnavailable, UnknownSymbol, CorruptData)


def prefetch(jobs: list[Job], offline: bool) -> tuple[bool, dict[tuple, tuple[MarketNotesError, float]]]:
    """Load each params file's data once, through the latest as-of any of its jobs needs.

    Workers then read it from the cache, offline. Returns whether any note wants a PDF
    (workers then launch Chromium ahead of need) and, per params file, the error that fails
    all its notes (a network failure must say so, not "the cache lacks …") with the seconds
    spent finding out.
    """
    want_pdf, failed = False, {}
    latest: dict[tuple[Path, tuple[str, ...]], str] = {}
    for job in jobs:
        key = (job.params_path, job.overrides)
        latest[key] = max(latest.get(key, job.as_of), job.as_of)
    for key, as_of in latest.items():
        path, overrides = key
        start = time.perf_counter()
        try:
            params = load_params(path, list(overrides), as_of)
            want_pdf = want_pdf or "pdf" in params.formats
            load_data(params.source, params.source_options, params.symbols, params.as_of, offline)
        except WHOLE_FILE_ERRORS as exc:
            failed[key] = (exc, time.perf_counter() - start)
        except MarketNotesError:
            continue
    return want_pdf, failed


def run_batch(
    jobs: list[Job],
    workers: int | None = None,
    offline: bool = False,
    on_progress: Callable[[JobResult | None, int, str], None] = lambda result, index, stage: None,
    retries: int = 0,
    executor: str | object = "local",
    scheduler: str | None = None,
    on_ready: Callable[[], None] = lambda: None,
) -> BatchSummary:
    """Render `jobs` on an executor's warm workers (executors.py). A note that failed for a
    transient reason (errors.MarketNotesError.transient) is tried again, up to `retries`
    more times. The executor starts first (the local one's kernel zygote imports while the
    data loads; a Dask cluster is reached and checked before anything renders); `executor`
    is its name or one already made by `make_executor` (its options checked). `on_ready` is
    called once it has started: the CLI draws its progress bar from then on, so an executor
    that cannot start is one error line with nothing printed above it."""
    started = dt.datetime.now().isoformat(timespec="seconds")
    clock = pd.Timestamp.now()
    faults.checkpoint("zygote")
    with (make_executor(executor, workers, scheduler) if isinstance(executor, str) else executor) as runner:
        on_ready()
        faults.checkpoint("prefetch")
        want_pdf, failed = prefetch(jobs, offline)
        summary = BatchSummary(started, 0.0, 0)
        for job in [j for j in jobs if (j.params_path, j.overrides) in failed]:
            result = JobResult.failure(job, *failed[(job.params_path, job.overrides)])
            summary.results.append(result)
            on_progress(result, job.index, "done")
        jobs = [j for j in jobs if (j.params_path, j.overrides) not in failed]
        if jobs:
            summary.workers = runner.workers_for(len(jobs))
            summary.results += runner.run(jobs, want_pdf, on_progress, retries)
    summary.seconds = (pd.Timestamp.now() - clock).total_seconds()
    return summary
