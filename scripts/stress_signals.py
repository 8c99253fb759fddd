"""Signal stress test: `marketnotes batch` killed at random moments must always end cleanly.

The signal tests (tests/test_batch.py) kill a batch at named points (faults.py); this script
kills it at *random* times, to find the windows between those points. It runs N batches of
the demo params (26 weekly notes, 2018-01 .. 2018-06) one after another; each gets, after a
random delay, one of: SIGINT to the process group (a terminal's Ctrl-C), SIGTERM to the main
pid (`kill`), SIGTERM to the group (systemd), SIGKILL to the group (`timeout -s KILL`, OOM).

Checked per run: exit code (130 / 143 / -9, or 0 if the batch finished first) within 5 s,
stderr's last line ("interrupted" / "terminated") and no "Traceback", no new batch-*.json
after a signal; 5 s after exit no process left (cmdline naming the output folder, or a
zygote / Chromium / Playwright driver the batch started); every note folder intact
(manifest.verify); new `.demo.staging-*` folders, and the zygote's /tmp/marketnotes-kernels-<pid>-*
folder, only after SIGKILL (counted apart; the script removes the latter, nothing else does).
A run still alive 5 s after INT/TERM is a HANG: its process tree and a `py-spy dump` (if on
PATH) of each of its Python processes are printed, then its group is SIGKILLed.

Output folders alternate: odd runs share one folder, so they re-render notes that exist
(the renameat2 exchange) and recover the staging left by earlier SIGKILLs; even runs get a
fresh folder (first publication, plain rename). Processes are told apart from a concurrent
test run's by an environment variable set for each batch (inherited by its zygote, kernels,
driver and Chromium): a new zygote/Chromium without it is shown as foreign, not counted.

The default delays (0.5..15 s) hit start-up and the first half of a ~20-30 s batch; add
`--min-delay 15 --max-delay 40` to reach its end (the last notes, Zygote.close, the summary).

    .venv/bin/python scripts/stress_signals.py --runs 3
    .venv/bin/python scripts/stress_signals.py --runs 30 --seed 1 --keep
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TAG = "MARKETNOTES_STRESS_RUN"
WATCHED = ("marketnotes.runtime.zygote", "chrom", "run-driver")
# name: (signal, to the whole group, expected exit code, expected last stderr line)
SIGNALS = {
    "INT group": (signal.SIGINT, True, 130, "interrupted"),
    "TERM pid": (signal.SIGTERM, False, 143, "terminated"),
    "TERM group": (signal.SIGTERM, True, 143, "terminated"),
    "KILL group": (signal.SIGKILL, True, -9, None),
}
GRACE = 5.0
TOTALS = ("runs", "finished", "problem runs", "hangs", "tracebacks", "bad exits", "summaries", "processes left", "bad folders",
          "staging left", "kernel dirs left")
ALLOWED_AFTER_KILL = ("staging left", "kernel dirs left")  # a SIGKILLed batch runs no cleanup


def scan() -> dict[int, tuple[str, str]]:
    """Live (non-zombie) processes: pid -> (cmdline, value of TAG in its environment or "")."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            env = [v for v in (entry / "environ").read_bytes().split(b"\0") if v.startswith(TAG.encode() + b"=")]
            found[int(entry.name)] = (cmd, env[0].split(b"=", 1)[1].decode() if env else "")
        except (OSError, IndexError):
            continue
    return found


def leftovers(out: Path, token: str, baseline: set[int]) -> tuple[list[str], list[str]]:
    """(ours, foreign): processes of this batch still alive, and new watched ones of others."""
    ours, foreign = [], []
    for pid, (cmd, tag) in sorted(scan().items()):
        if tag == token or str(out) in cmd:
            ours.append(f"{pid}: {cmd[:200]}")
        elif pid not in baseline and any(w in cmd for w in WATCHED):
            foreign.append(f"{pid}: {cmd[:120]}")
    return ours, foreign


def wait_clean(out: Path, token: str, baseline: set[int]) -> tuple[list[str], list[str]]:
    deadline = time.monotonic() + GRACE
    while (found := leftovers(out, token, baseline))[0] and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def dump_hang(token: str) -> None:
    """The hung batch's process tree (with kernel wait channels) and each Python stack."""
    pids = [pid for pid, (_, tag) in scan().items() if tag == token]
    ps = ["ps", "-o", "pid,ppid,pgid,stat,wchan:24,etime,args", "-p", ",".join(map(str, pids))]
    print("\n".join(line[:240] for line in _run(ps, 10).splitlines()), flush=True)
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(BIN))
    for pid in pids if spy else []:
        if "python" in scan().get(pid, ("", ""))[0]:
            print(f"--- py-spy dump --pid {pid}\n" + _run([spy, "dump", "--pid", str(pid)], 30), flush=True)
    if not spy:
        print("(py-spy not found: no Python stacks)")


def _run(cmd: list[str], timeout: float) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        return (done.stdout + done.stderr).rstrip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"({' '.join(cmd[:2])} failed: {exc})"


def signal_batch(proc: subprocess.Popen, sig_name: str, delay: float, token: str) -> tuple[float, bool]:
    """Signal the batch after `delay` unless it finished first; (seconds to exit, hung)."""
    signum, group, _, _ = SIGNALS[sig_name]
    try:
        proc.wait(timeout=delay)
        return 0.0, False
    except subprocess.TimeoutExpired:
        sent = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        (os.killpg if group else os.kill)(proc.pid, signum)
    try:
        proc.wait(timeout=GRACE)
        return time.monotonic() - sent, False
    except subprocess.TimeoutExpired:
        print(f"    HANG: pid {proc.pid} alive {GRACE:.0f} s after {sig_name}, at:", flush=True)
        dump_hang(token)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return time.monotonic() - sent, True


def check_exit(proc: subprocess.Popen, sig_name: str, stderr: str, hang: bool, new_json: set[Path]) -> dict[str, list[str]]:
    """Exit code, stderr's last line, tracebacks and summary files: problem lines by total."""
    _, _, code, said = SIGNALS[sig_name]
    last, rc = (stderr.strip().splitlines() or [""])[-1], proc.returncode
    found = {"hangs": [f"HANG after {sig_name}; stderr tail {stderr[-300:]!r}"] if hang else []}
    found["tracebacks"] = ["Traceback on stderr:\n" + stderr[max(0, stderr.index("Traceback") - 200) :][:3000]] if "Traceback" in stderr else []
    wrong = not hang and rc != 0 and (rc != code or (said is not None and last != said))
    found["bad exits"] = [f"exit {rc}, last stderr line {last!r} (expected {code} {said or ''})"] if wrong else []
    found["summaries"] = [f"summary written after the signal: {sorted(new_json)}"] if rc != 0 and new_json else []
    return found


def check_leftovers(out: Path, pid: int, staging_before: set[Path], ours: list[str]) -> dict[str, list[str]]:
    """Processes left, note folders (manifest.verify; no stray `.demo.*` beside them), new
    staging folders, and the zygote's runtime folder of kernel connection files and sockets."""
    from marketnotes.manifest import note_folders, verify
    from marketnotes.runtime.zygote import RUNTIME_PREFIX

    bad = [f"{f.relative_to(out)}: {p}" for f in note_folders(out) for p in verify(f)]
    bad += [f"unexpected {p.relative_to(out)}" for p in out.glob("*/.demo.*") if p.name != ".demo.lock" and ".staging-" not in p.name]
    staged = set(out.glob("*/.demo.staging-*")) - staging_before
    runtimes = list(Path(tempfile.gettempdir()).glob(f"{RUNTIME_PREFIX}{pid}-*"))  # zygote.Zygote.runtime
    found = {"processes left": [f"left {GRACE:.0f} s after exit: {p}" for p in ours], "bad folders": bad}
    found["staging left"] = [f"staging folder left: {s.relative_to(out)}" for s in sorted(staged)]
    found["kernel dirs left"] = [f"kernel runtime folder left: {r} {[p.name for p in r.iterdir()]}" for r in runtimes]
    for runtime in runtimes:
        shutil.rmtree(runtime, ignore_errors=True)  # the next batch would; the next run here starts clean
    return found


def one_run(i: int, sig_name: str, delay: float, out: Path, work: Path) -> tuple[dict, bool]:
    """Start, signal, wait for and check one batch: (counts for the totals, had a problem)."""
    out.mkdir(parents=True, exist_ok=True)
    staging_before, json_before = set(out.glob("*/.demo.staging-*")), set(out.glob("batch-*.json"))
    baseline, token = {p for p, (cmd, _) in scan().items() if any(w in cmd for w in WATCHED)}, f"{os.getpid()}-{i}"
    cmd = [str(BIN / "marketnotes"), "batch", str(REPO / "params" / "demo.yaml"), "--from", "2018-01-01", "--to", "2018-06-30", "--output-dir", str(out)]
    err_file = work / f"run-{i:03d}.stderr"
    with open(err_file, "w") as err, open(os.devnull, "w") as null:
        proc = subprocess.Popen(cmd, stdout=null, stderr=err, start_new_session=True, env={**os.environ, TAG: token}, cwd=REPO)
    seconds, hang = signal_batch(proc, sig_name, delay, token)
    found = check_exit(proc, sig_name, err_file.read_text(errors="replace"), hang, set(out.glob("batch-*.json")) - json_before)
    ours, foreign = wait_clean(out, token, baseline)
    found |= check_leftovers(out, proc.pid, staging_before, ours)
    killed = proc.returncode == -signal.SIGKILL  # staging and kernel folders are allowed then
    problems = [p for k, v in found.items() if not (killed and k in ALLOWED_AFTER_KILL) for p in v]
    counts = {k: len(v) for k, v in found.items()} | {"runs": 1, "finished": int(proc.returncode == 0), "problem runs": int(bool(problems))}
    counts["bad folders"] = len({b.split(":")[0] for b in found["bad folders"]})
    outcome = "finished" if proc.returncode == 0 else f"exit {proc.returncode}"
    extra = "".join(f" {k}={len(found[k])}" for k in ALLOWED_AFTER_KILL if found[k])
    print(f"run {i:3d} {out.name:9s} {sig_name:10s} at {delay:5.2f}s: {outcome:8s} in {seconds:5.2f}s{extra}"
          + (f"  PROBLEMS: {len(problems)}" if problems else ""), flush=True)
    for p in problems:
        print("    " + p.replace("\n", "\n      "))
    if foreign:
        print(f"    ({len(foreign)} new zygote/browser processes of another run, not counted: {', '.join(f.split(':')[0] for f in foreign)})")
    return counts | {"seconds": seconds}, bool(problems)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--min-delay", type=float, default=0.5)
    ap.add_argument("--max-delay", type=float, default=15.0)
    ap.add_argument("--keep", action="store_true", help="keep the output folders and stderr files")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    rng, work = random.Random(seed), Path(tempfile.mkdtemp(prefix="marketnotes-stress-"))
    print(f"{args.runs} runs, seed {seed}, delays {args.min_delay}..{args.max_delay} s; work in {work}", flush=True)
    totals, max_seconds, problems = dict.fromkeys(TOTALS, 0), 0.0, False
    for i in range(1, args.runs + 1):
        sig_name, delay = rng.choice(list(SIGNALS)), rng.uniform(args.min_delay, args.max_delay)
        out = work / "shared" if i % 2 else work / f"fresh-{i:03d}"
        counts, found = one_run(i, sig_name, delay, out, work)
        max_seconds, problems = max(max_seconds, counts.pop("seconds")), problems or found
        totals = {k: totals[k] + counts[k] for k in TOTALS}
    print("\nsummary" + "".join(f"\n  {k:20s} {v}" for k, v in totals.items()) + f"\n  {'max seconds to exit':20s} {max_seconds:.2f}")
    if args.keep or problems:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
