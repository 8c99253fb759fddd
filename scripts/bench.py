"""Side-by-side benchmark: the naive per-note CLI chain vs. `marketnotes batch`, in one run.

The same N notes (the demo params, N consecutive Fridays of the bundled sample) are rendered
to HTML + PDF two ways on this machine:

  (a) naive: per note, `papermill` CLI -> `jupyter nbconvert --to html --no-input` ->
      headless Chromium `--print-to-pdf` (the same browser binary marketnotes prints with),
      one note after another (what a cron loop does);
  (b) `marketnotes batch params/demo.yaml --from .. --to ..` with its default workers, on
      the local executor and on the Dask executor (a LocalCluster of as many workers).

It prints per-note medians, the throughput ratios, each executor's per-stage time per note
(median and p95, from the batch summary), the core-seconds each way costs per note (the CPU
time of the whole process tree: every process is waited for by its parent, so its time
reaches ours), a projection for a 3,000-note backfill on N workers, the peak total memory of
each executor's whole process tree (proportional set size, so shared pages count once), and
one cold `marketnotes render` of a single note. Nothing here is asserted: figures are for
reading. `--markdown` ends with the README's "How fast" table from this run.

    .venv/bin/python scripts/bench.py            # 20 notes
    .venv/bin/python scripts/bench.py --notes 6  # quicker
    .venv/bin/python scripts/bench.py --long 300 # and a 300-note batch's peak memory against it
    .venv/bin/python scripts/bench.py --cold 5 --cold-only  # the median of 5 cold renders, alone
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def fridays(n: int) -> list[str]:
    from marketnotes.runtime.batch import backfill_dates

    return backfill_dates("2018-01-01", "2018-12-31")[:n]


def run(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - start


def core_seconds() -> float:
    """CPU time (user + system) of every child process waited for so far, and of theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stages(summary: dict) -> dict[str, list[float]]:
    """Each stage's seconds per note, from a batch summary's per-note detail ('facts 0.31s, ...')."""
    found: dict[str, list[float]] = {}
    for result in summary["results"]:
        for part in (result.get("detail") or "").split(", "):
            name, _, seconds = part.partition(" ")
            if seconds.endswith("s"):
                found.setdefault(name, []).append(float(seconds[:-1]))
        found.setdefault("in worker", []).append(result["seconds"])
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def naive_note(as_of: str, out: Path, chromium: str) -> float:
    out.mkdir(parents=True)
    nb, html, pdf = out / "note.ipynb", out / "note.html", out / "note.pdf"
    start = time.perf_counter()
    run([str(BIN / "papermill"), str(REPO / "templates" / "weekly-rotation.ipynb"), str(nb),
         "-k", "python3", "--cwd", str(REPO / "templates"), "-r", "as_of", as_of, "--no-progress-bar"])
    run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb), "--output", html.stem])
    with tempfile.TemporaryDirectory() as profile:
        run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
             "--no-pdf-header-footer", html.as_uri()])
    assert pdf.stat().st_size > 10_000, f"naive chain wrote no PDF for {as_of}"
    return time.perf_counter() - start


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    """pid and all processes below it, from /proc (forked kernels re-parent to the zygote)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


class TreeMemory(threading.Thread):
    """Samples a batch's whole process tree twice a second (main process, workers, printer,
    kernel zygote and kernels, Playwright's driver, Chromium; for Dask also the scheduler
    and its workers) and keeps the peak of the total proportional set size, shared pages
    split between the processes that map them, so the total counts each page once."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.parts, self.stop = pid, 0.0, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            parts: dict[str, float] = {}
            for p in descendants(self.pid):
                kind = _kind(p)
                parts[kind] = parts.get(kind, 0.0) + pss_mb(p)
            if sum(parts.values()) > self.peak:
                self.peak, self.parts = sum(parts.values()), parts


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _kind(pid: int) -> str:
    cmdline = _cmdline(pid)
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "other"
    if comm.startswith("chrom"):
        return "chromium"
    if "marketnotes.runtime.zygote" in cmdline:
        return "kernel zygote + kernels"
    if comm.startswith("node"):
        return "playwright driver"
    if "distributed" in cmdline or "dask" in cmdline:
        return "dask"
    return "marketnotes processes" if comm.startswith(("python", "marketnotes")) else comm


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes", type=int, default=20)
    ap.add_argument("--workers", type=int, default=None, help="batch workers (default: cores)")
    ap.add_argument("--markdown", action="store_true", help="end with the README's 'How fast' table")
    ap.add_argument("--long", type=int, default=0, metavar="N", help="also a local batch of N notes (up to 1,043 Fridays): is its peak memory the short batch's?")
    ap.add_argument("--cold", type=int, default=1, metavar="N", help="cold `marketnotes render`s to take the median of (default 1)")
    ap.add_argument("--cold-only", action="store_true", help="measure the cold renders only")
    args = ap.parse_args()
    from marketnotes.render.pdf import find_chromium

    chromium = find_chromium()
    if not chromium:
        sys.exit("bench: needs a Chromium (make system-deps, or MARKETNOTES_CHROMIUM=/path)")
    dates = fridays(args.notes)
    work = Path(tempfile.mkdtemp(prefix="marketnotes-bench-"))
    what = "cold renders only" if args.cold_only else f"{len(dates)} notes ({dates[0]} .. {dates[-1]})"
    print(f"{what}, HTML + PDF, {os.cpu_count()} cores, {chromium}; work in {work}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (figures are only as quiet as the machine)")

    colds, cold_cpus = [], []
    for i in range(max(1, args.cold)):
        cpu = core_seconds()
        colds.append(run([str(BIN / "marketnotes"), "render", str(REPO / "params" / "demo.yaml"), "--output-dir", str(work / f"cold-{i}")]))
        cold_cpus.append(core_seconds() - cpu)
    cold, cold_cpu = statistics.median(colds), statistics.median(cold_cpus)
    runs = f" (median of {len(colds)}: {', '.join(f'{c:.2f}' for c in sorted(colds))}; load average now {os.getloadavg()[0]:.2f})" if len(colds) > 1 else ""
    print(f"cold `marketnotes render` (one note, HTML+PDF): {cold:.2f} s, {cold_cpu:.2f} core-s{runs}")
    if args.cold_only:
        shutil.rmtree(work, ignore_errors=True)
        return 0

    naive = []
    cpu = core_seconds()
    for i, day in enumerate(dates):
        naive.append(naive_note(day, work / "naive" / day, chromium))
        print(f"\r naive chain: {i + 1}/{len(dates)} notes, last {naive[-1]:.1f} s", end="", flush=True)
    naive_total, naive_cpu = sum(naive), (core_seconds() - cpu) / len(dates)
    print(f"\nnaive chain: {naive_total:.1f} s in all, median {statistics.median(naive):.2f} s per note, {naive_cpu:.2f} core-s per note")

    base = [str(BIN / "marketnotes"), "batch", str(REPO / "params" / "demo.yaml"), "--from", dates[0], "--to", dates[-1]]
    base += ["--workers", str(args.workers)] if args.workers else []
    totals, cpus, workers, per_stage, busy = {}, {}, {}, {}, {}
    for executor in ("local", "dask"):
        cmd = [*base, "--executor", executor]
        cpu, start = core_seconds(), time.perf_counter()
        subprocess.run([*cmd, "--output-dir", str(work / executor)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        totals[executor], cpus[executor] = time.perf_counter() - start, (core_seconds() - cpu) / len(dates)
        summary = json.loads(next((work / executor).glob("batch-*.json")).read_text())
        workers[executor], per_stage[executor] = summary["workers"], stages(summary)
        # the workers' time in the notes' stages (facts to manifest): the same span on both
        # executors ("in worker" is not: a Dask worker's note leaves loading and publishing to the client)
        busy[executor] = sum(sum(v) for k, v in per_stage[executor].items() if k != "in worker") / summary["workers"]
        print(f"marketnotes batch --executor {executor}: {totals[executor]:.1f} s in all on {summary['workers']} workers "
              f"({totals[executor] / len(dates):.2f} s per note; median {statistics.median(per_stage[executor]['in worker']):.2f} s inside a worker; "
              f"{cpus[executor]:.2f} core-s per note, start-up included)")
        print(f"  ratio (naive total / batch total): {naive_total / totals[executor]:.1f}x")
        print("  per stage, s per note (median / p95): " + ", ".join(f"{k} {statistics.median(v):.2f}/{p95(v):.2f}" for k, v in per_stage[executor].items()))
        print(f"  all but the notes' stages: {totals[executor] - busy[executor]:.1f} s (the batch's time less its workers' time in the stages: start-up, loading, publishing)")
    # A fixed start-up (Dask's: its forkserver imports what a local batch's workers inherit)
    # weighs less the longer the batch: the second ratio is the one a long backfill nears.
    print(f"dask / local: {totals['dask'] / totals['local']:.2f} (time; 1.00 = as fast); the workers' time in the notes' stages alone {busy['dask'] / busy['local']:.2f}")
    print("3,000 notes (a 20-year backfill of three note kinds), CPU-bound, one core per worker: "
          + ", ".join(f"{n} workers ~{3000 * cpus['local'] / n / 60:.0f} min" for n in (2, 4, 8))
          + f" (local, {cpus['local']:.2f} core-s per note); at this run's pace on {workers['local']} workers "
          f"{3000 * totals['local'] / len(dates) / 60:.0f} min; the naive chain {3000 * statistics.median(naive) / 60:.0f} min")

    # Memory in second, untimed runs: sampling /proc costs CPU the timed runs should not pay.
    peaks = {}
    for executor in ("local", "dask"):
        proc = subprocess.Popen([*base, "--executor", executor, "--output-dir", str(work / f"{executor}-memory")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = TreeMemory(proc.pid)
        memory.start()
        proc.wait()
        memory.stop.set()
        memory.join()
        peaks[executor] = memory
        parts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(memory.parts.items(), key=lambda kv: -kv[1]))
        print(f"memory, --executor {executor}: peak total PSS of the whole process tree {memory.peak:.0f} MB ({parts})")
    if args.long:  # flat memory over a long backfill: the same peak as the short batch's, within 10%
        from marketnotes.runtime.batch import backfill_dates

        days = backfill_dates("1999-01-01", "2018-12-31")[-args.long:]
        cmd = [str(BIN / "marketnotes"), "batch", str(REPO / "params" / "demo.yaml"), "--from", days[0], "--to", days[-1], "--output-dir", str(work / "long")]
        proc = subprocess.Popen([*cmd, *(["--workers", str(args.workers)] if args.workers else [])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        memory = TreeMemory(proc.pid)
        memory.start()
        proc.wait()
        memory.stop.set()
        memory.join()
        parts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(memory.parts.items(), key=lambda kv: -kv[1]))
        print(f"memory, a local batch of {len(days)} notes: peak {memory.peak:.0f} MB, {memory.peak / peaks['local'].peak:.2f}x the {len(dates)}-note batch's ({parts})")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.markdown:
        n, local, dask = len(dates), totals["local"] / len(dates), totals["dask"] / len(dates)
        stage = per_stage["local"]
        print(f"""
| | |
|---|---|
| naive chain, median per note | {statistics.median(naive):.2f} s ({naive_cpu:.2f} core-s) |
| `marketnotes batch`, wall per note ({workers['local']} workers) | {local:.2f} s — **{naive_total / totals['local']:.1f}×** the naive chain; {cpus['local']:.2f} core-s per note |
| `marketnotes batch --executor dask` ({workers['dask']} workers) | {dask:.2f} s — {naive_total / totals['dask']:.1f}×, {totals['dask'] / totals['local']:.2f}× the local batch's time ({busy['dask'] / busy['local']:.2f}× its workers' time in the notes' stages; all else {totals['dask'] - busy['dask']:.1f} s against {totals['local'] - busy['local']:.1f}); {cpus['dask']:.2f} core-s per note |
| a local batch's note, per stage (median / p95) | {", ".join(f"{k} {statistics.median(v):.2f}/{p95(v):.2f} s" for k, v in stage.items())} |
| one cold `marketnotes render` | {cold:.2f} s |
| peak memory, whole batch, {workers['local']} workers | local **{peaks['local'].peak / 1024:.2f} GB**; Dask {peaks['dask'].peak / 1024:.2f} GB |
| 3,000 notes | ~{3000 * cpus['local'] / 2 / 60:.0f} min on 2 workers, ~{3000 * cpus['local'] / 8 / 60:.0f} on 8 (the naive chain: {3000 * statistics.median(naive) / 60:.0f} min) |
""")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
