"""Side-by-side benchmark: the naive per-note CLI chain vs. `marketnotes batch`, in one run.

The same N notes (the demo params, N consecutive Fridays of the bundled sample) are rendered
to HTML + PDF two ways on this machine:

  (a) naive: per note, `papermill` CLI -> `jupyter nbconvert --to html --no-input` ->
      headless `chromium --print-to-pdf`, one note after another (what a cron loop does);
  (b) `marketnotes batch params/demo.yaml --from .. --to ..` with its default workers.

It prints per-note medians, the throughput ratio, memory per batch worker (proportional set
size of the worker and everything it started: zygote, kernels, Chromium), and one cold
`marketnotes render` of a single note. Nothing here is asserted: figures are for reading.

    .venv/bin/python scripts/bench.py            # 20 notes
    .venv/bin/python scripts/bench.py --notes 6  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
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


class WorkerMemory(threading.Thread):
    """Samples each batch worker's tree once a second: the worker, its kernels (zygote and
    forks), Playwright's driver and Chromium, by proportional set size (shared pages split)."""

    def __init__(self, batch_pid: int):
        super().__init__(daemon=True)
        self.batch_pid, self.peak, self.parts, self.stop = batch_pid, {}, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(1.0):
            workers = [p for p in descendants(self.batch_pid) if p != self.batch_pid and _ppid(p) == self.batch_pid]
            for w in workers:
                parts: dict[str, float] = {}
                top = "zygote" if "marketnotes.runtime.zygote" in _cmdline(w) else "worker"
                for p in descendants(w):
                    kind = top if p == w else _kind(p)
                    parts[kind] = parts.get(kind, 0.0) + pss_mb(p)
                total = sum(parts.values())
                if total > self.peak.get(w, 0.0):
                    self.peak[w], self.parts[w] = total, parts


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _kind(pid: int) -> str:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "other"
    if comm.startswith("chrom"):
        return "chromium"
    if comm.startswith("python"):
        return "kernels"
    return "playwright driver" if comm.startswith("node") else comm


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes", type=int, default=20)
    ap.add_argument("--workers", type=int, default=None, help="batch workers (default: cores)")
    args = ap.parse_args()
    chromium = shutil.which("chromium") or os.environ.get("MARKETNOTES_CHROMIUM")
    if not chromium:
        sys.exit("bench: needs a Chromium (make system-deps, or MARKETNOTES_CHROMIUM=/path)")
    dates = fridays(args.notes)
    work = Path(tempfile.mkdtemp(prefix="marketnotes-bench-"))
    print(f"{len(dates)} notes ({dates[0]} .. {dates[-1]}), HTML + PDF, {os.cpu_count()} cores; work in {work}")

    cold = run([str(BIN / "marketnotes"), "render", str(REPO / "params" / "demo.yaml"), "--output-dir", str(work / "cold")])
    print(f"cold `marketnotes render` (one note, HTML+PDF): {cold:.2f} s")

    naive = []
    for i, day in enumerate(dates):
        naive.append(naive_note(day, work / "naive" / day, chromium))
        print(f"\r naive chain: {i + 1}/{len(dates)} notes, last {naive[-1]:.1f} s", end="", flush=True)
    naive_total = sum(naive)
    print(f"\nnaive chain: {naive_total:.1f} s in all, median {statistics.median(naive):.2f} s per note")

    cmd = [str(BIN / "marketnotes"), "batch", str(REPO / "params" / "demo.yaml"), "--from", dates[0], "--to", dates[-1]]
    cmd += ["--workers", str(args.workers)] if args.workers else []
    start = time.perf_counter()
    subprocess.run([*cmd, "--output-dir", str(work / "batch")], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    batch_total = time.perf_counter() - start
    summary = json.loads(next((work / "batch").glob("batch-*.json")).read_text())
    in_worker = [r["seconds"] for r in summary["results"]]
    print(f"marketnotes batch: {batch_total:.1f} s in all on {summary['workers']} workers "
          f"({batch_total / len(dates):.2f} s per note; median {statistics.median(in_worker):.2f} s inside a worker)")
    print(f"ratio (naive total / batch total): {naive_total / batch_total:.1f}x")

    # Memory in a second, untimed run: sampling /proc costs CPU the timed run should not pay.
    proc = subprocess.Popen([*cmd, "--output-dir", str(work / "batch-memory")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = WorkerMemory(proc.pid)
    memory.start()
    proc.wait()
    memory.stop.set()
    memory.join()
    rss = max(r["peak_rss_mb"] for r in summary["results"])
    print(f"memory per worker: worker process peak RSS {rss:.0f} MB")
    for w, total in memory.peak.items():
        parts = ", ".join(f"{k} {v:.0f}" for k, v in sorted(memory.parts[w].items(), key=lambda kv: -kv[1]))
        what = "kernel zygote + kernels, shared by the workers" if "zygote" in memory.parts[w] else "worker + its Chromium"
        print(f"  {what}: peak PSS {total:.0f} MB ({parts})")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
