"""Cost per note (issue 21): what makes notes cheaper must leave every note as it was.

Behaviour only, never a wall-clock time: `scripts/bench.py` is the measure.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from marketnotes import analysis, pipeline
from marketnotes.analysis import LEADS, analyse, note_events
from marketnotes.runtime.executors import in_runs

# Consecutive Fridays where the series rule moves a headline (2008, 2011) and a quiet run
SERIES = ["2008-10-03", "2008-10-10", "2008-10-17", "2008-10-24", "2011-08-05", "2011-08-12", "2011-08-19"]


def _note(repo, day):
    spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", as_of=day)
    result = analyse(spec, prices, events=note_events(spec))
    return result.facts.to_json(), str(result.narrative.to_html())


def test_a_remembered_lead_of_last_week_gives_the_note_worked_out_alone(repo, monkeypatch):
    """A backfill's worker remembers what each note led with and the next week's note reads it
    instead of computing last week's facts again: the facts and prose are those of the note
    rendered alone, with nothing remembered, in any order."""
    calls = []
    compute = analysis.compute_facts
    monkeypatch.setattr(analysis, "compute_facts", lambda *a, **k: calls.append(a[1]) or compute(*a, **k))
    LEADS.clear()
    in_order = [_note(repo, day) for day in SERIES]
    # last week's facts were computed only for the first note of each run of Fridays
    assert len(calls) == len(SERIES) + 2, calls
    alone = []
    for day in reversed(SERIES):
        LEADS.clear()
        alone.append(_note(repo, day))
    alone.reverse()
    assert in_order == alone
    LEADS.clear()


def test_a_lead_is_remembered_for_exactly_the_prices_it_was_worked_out_from(repo):
    spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", as_of="2018-03-02")
    closes, highs, events = prices.closes, prices.highs, note_events(spec)
    config = analysis.FactsConfig.from_params(spec.params, prices.complete)
    key = LEADS.key(closes, highs, spec.as_of, config, events, spec.params)
    assert key == LEADS.key(closes.copy(), highs.copy(), spec.as_of, config, events.copy(), spec.params)
    revised = closes.copy()
    revised.loc[revised.index[100], "^DJI"] *= 1.0001  # one close of 1885 revised: another history
    assert LEADS.key(revised, highs, spec.as_of, config, events, spec.params) != key
    assert LEADS.key(closes, highs, spec.as_of, config, events.iloc[:-1], spec.params) != key
    other = analysis.FactsConfig.from_params(spec.params.model_copy(update={"lookback": ["1d", "1w"]}), prices.complete)
    assert LEADS.key(closes, highs, spec.as_of, other, events, spec.params) != key


def test_the_leads_remembered_are_bounded():
    LEADS.clear()
    for i in range(LEADS.KEPT + 10):
        LEADS.keep((pd.Timestamp("2018-01-01"), str(i)), None)
    assert len(LEADS) == LEADS.KEPT and (pd.Timestamp("2018-01-01"), "0") not in LEADS
    LEADS.clear()


@pytest.mark.parametrize(
    ("jobs", "workers", "order"),
    [
        (list(range(10)), 2, [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]),
        (list(range(7)), 2, [0, 4, 1, 5, 2, 6, 3]),
        (list(range(7)), 3, [0, 3, 6, 1, 4, 2, 5]),
        (list(range(3)), 4, [0, 1, 2]),
        (list(range(5)), 1, [0, 1, 2, 3, 4]),
    ],
)
def test_a_batch_hands_each_worker_a_run_of_consecutive_dates(jobs, workers, order):
    assert in_runs(jobs, workers) == order
    assert sorted(in_runs(jobs, workers)) == jobs


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, state) of each process whose parent is `pid`; a zombie's state is 'Z'."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.append((int(entry.name), fields[0]))
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts processes and descriptors in /proc")
def test_a_long_run_of_notes_accumulates_no_descriptors_or_processes(repo, tmp_path):
    """A backfill's worker over many notes holds what it held after its first: the same open
    files, one spare kernel at most under its zygote, and no zombie (each kernel is reaped
    as it exits). Counted after the second note and after the fourth."""
    from marketnotes.runtime import zygote
    from marketnotes.runtime.engines import Engines

    if not zygote.available():
        pytest.skip("kernels are forked from a zygote on Linux only")
    days = ["2018-11-02", "2018-11-09", "2018-11-16", "2018-11-23"]
    counts = []
    with Engines(many=True, pdf=False) as engines:
        for i, day in enumerate(days):
            spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", ["formats=[html]"], day, output_dir=tmp_path)
            engines.render(spec, prices)
            if i in (1, len(days) - 1):
                kernels = _children(engines.kernels.proc.pid)
                deadline = time.monotonic() + 30  # the used kernel was SIGKILLed a moment ago: let it go
                while len(kernels) > 1 and time.monotonic() < deadline:
                    time.sleep(0.1)
                    kernels = _children(engines.kernels.proc.pid)
                counts.append((len(os.listdir("/proc/self/fd")), len(kernels), [pid for pid, state in kernels if state == "Z"]))
    (fds_early, kernels_early, zombies_early), (fds_late, kernels_late, zombies_late) = counts
    assert fds_late == fds_early
    assert kernels_late <= 1 and kernels_early <= 1  # the next note's spare, forked ahead
    assert zombies_early == zombies_late == []


FIRST_NOTE = """
import sys, tempfile
from pathlib import Path
import marketnotes.notebook as mn
from marketnotes.runtime.zygote_process import first_use
from marketnotes.warmup import warm
warm()
first_use()
from marketnotes import pipeline
from marketnotes.analysis import analyse
spec, prices = pipeline.prepare(Path(sys.argv[1]), [], "2018-03-02")
work = Path(tempfile.mkdtemp())
prices.to_parquet(work / "prices.parquet")
(work / "facts.json").write_text(analyse(spec, prices).facts.to_json())
before = set(sys.modules)
note = mn.Note.load(price_snapshot=str(work / "prices.parquet"), facts_snapshot=str(work / "facts.json"), **{**spec.params.model_dump(mode="json"), "as_of": spec.as_of_iso})
note.chart("performance")._repr_mimebundle_()
print(sorted(m for m in set(sys.modules) - before if m.split(".")[0] in {"pyarrow", "PIL", "matplotlib"}))
"""


def test_a_forked_kernel_imports_nothing_for_its_note_the_zygote_could_have(repo):
    """The zygote imports what a note's parquet read and charts pull in (first_use), so no
    kernel forked from it pays those imports again."""
    from conftest import run

    done = run([sys.executable, "-c", FIRST_NOTE, str(repo / "params" / "demo.yaml")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def _open_files() -> dict[int, str]:
    """This process's open descriptors: number -> what it points at."""
    found = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            found[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the descriptor listdir itself used, closed since
            continue
    return found


def _tagged(tag: str) -> list[int]:
    """Live processes whose environment carries MARKETNOTES_TEST_TAG=tag: every descendant
    of the batch (workers, zygote, kernels, printer, Playwright's driver, Chromium), whoever
    re-parented them."""
    found, needle = [], f"MARKETNOTES_TEST_TAG={tag}".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int(proc.name) != os.getpid() and needle in (proc / "environ").read_bytes().split(b"\0"):
                if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(proc.name))
        except OSError:
            continue
    return found


def _gone(tag: str, within: float = 60.0) -> list[int]:
    """The batch's processes still alive once those that are exiting have exited: a process
    killed as the batch closed may take a moment to go. Bounded, and never a timing
    assertion: a leaked process is still there after `within` seconds."""
    deadline = time.monotonic() + within
    while (alive := _tagged(tag)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts processes and descriptors in /proc")
def test_a_longer_batch_leaves_the_process_that_ran_it_as_a_short_one_did(repo, tmp_path, monkeypatch):
    """Issue 21, item 5: a backfill's main process holds after twelve weekly notes what it
    held after two: the same open descriptors and child processes, and nothing of either
    batch (workers, zygote, kernels, printer, Chromium) left running. Comparing a short
    batch with a longer one leaves out what the first batch of a process starts once and
    keeps; anything a batch or a note leaves behind shows as a difference."""
    from marketnotes.errors import BrowserNotFound
    from marketnotes.render.pdf import get_backend
    from marketnotes.runtime.batch import backfill_dates, run_batch
    from marketnotes.runtime.worker import Job

    try:
        get_backend().check()
        formats = "formats=[html,pdf]"  # the batch's shared printer and its Chromium too
    except BrowserNotFound:
        formats = "formats=[html]"
    tag = str(tmp_path)
    monkeypatch.setenv("MARKETNOTES_TEST_TAG", tag)
    fridays = backfill_dates("2018-09-28", "2018-12-14")
    assert len(fridays) == 12
    held = []
    for days in (fridays[:2], fridays):
        jobs = [Job(i, repo / "params" / "demo.yaml", day, (formats,), tmp_path / f"reports-{len(days)}") for i, day in enumerate(days)]
        summary = run_batch(jobs, workers=2, offline=True)
        assert [r.status for r in summary.results] == ["ok"] * len(days), [r.error for r in summary.results]
        assert _gone(tag) == []
        held.append((_open_files(), sorted(_children(os.getpid()))))
    (files_short, children_short), (files_long, children_long) = held
    assert files_long == files_short, {fd: files_long.get(fd) for fd in set(files_long) ^ set(files_short)}
    assert children_long == children_short  # (pid, state): a zombie is a child not reaped


class _KernelSource:
    """A kernel source that records what the engines ask of it."""

    def __init__(self, events):
        self.events = events

    def take(self, cwd):
        self.events.append("take")
        return "kernel"

    def discard(self, km):
        self.events.append(f"discard {km}")

    def close(self):
        self.events.append("close")


@pytest.mark.parametrize("fails_in", [None, "notebook", "pdf"])
def test_a_notes_kernel_is_handed_back_once_its_notebook_has_run(monkeypatch, fails_in):
    """So that it shuts down (or a batch worker's next kernel is forked) while the HTML and
    PDF are made, not after them; exactly once, whichever stage fails."""
    from marketnotes.runtime.engines import Engines

    events = []

    def render_note(spec, prices, pdf_backend=None, on_stage=None, kernel=None, template=None, **options):
        assert kernel == "kernel"
        for stage in ("facts", "notebook", "html", "pdf", "manifest"):
            on_stage(stage)
            if stage == fails_in:
                raise RuntimeError(stage)
        return "done"

    monkeypatch.setattr(pipeline, "render_note", render_note)
    with Engines(many=False, pdf=False, kernels=_KernelSource(events)) as engines:
        try:
            engines.render(None, None, template=Path("templates/t.ipynb"), on_stage=events.append)
        except RuntimeError as exc:
            assert str(exc) == fails_in
    stages = ["facts", "notebook", "discard kernel", "html", "pdf", "manifest"]
    if fails_in == "notebook":
        stages = ["facts", "notebook", "discard kernel"]
    elif fails_in == "pdf":
        stages = stages[:5]
    assert events == ["take", *stages, "close"]


def test_a_kernel_shutdown_that_failed_is_raised_when_the_kernels_close():
    """Used kernels are shut down without waiting; an error in doing so is not lost."""
    from marketnotes.runtime.engines import WarmKernels

    class Stubborn:
        async def shutdown_kernel(self, now=False):
            raise RuntimeError("kernel would not die")

    kernels = WarmKernels(keep_spare=False)
    kernels.discard(Stubborn())
    with pytest.raises(RuntimeError, match="would not die"):
        kernels.close()
