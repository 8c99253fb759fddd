"""Batch and backfill: date expansion, isolation between notes, failure isolation, the summary."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yfinance as yf

from marketnotes import pipeline
from marketnotes.runtime.batch import backfill_dates, run_batch
from marketnotes.runtime.worker import Job
from test_execute import make_project
from test_yahoo import FakeTicker
from conftest import run

pytestmark = pytest.mark.slow

POLLUTE = """import matplotlib as mpl, pandas as pd, marketnotes.charts as charts, marketnotes.narrative.words as words
mpl.rcParams["lines.linewidth"] = 9
charts.HOUSE_STYLE["axes.grid"] = False
words.UP[2] = [("skyrocketed", "skyrockets", "skyrocketed")]
pd.set_option("display.precision", 1)
leaked = "state from another note"
"""


def test_backfill_resolves_holidays_and_removes_duplicates():
    # Good Friday 2018-03-30 was a holiday: that week's note is as of Thursday
    assert backfill_dates("2018-03-19", "2018-04-08") == ["2018-03-23", "2018-03-29", "2018-04-06"]
    # every day of a weekend resolves to the same Friday: one note, not three
    assert backfill_dates("2018-04-06", "2018-04-08", "day") == ["2018-04-06"]


def chart_pngs(path):
    nb = nbformat.read(path, as_version=4)
    return [o["data"]["image/png"] for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]


def test_a_note_is_identical_alone_and_after_a_polluting_note_in_the_same_worker(tmp_path, repo):
    params = make_project(tmp_path, repo)
    polluter_nb = nbformat.read(tmp_path / "templates" / "weekly-rotation.ipynb", as_version=4)
    polluter_nb.cells.append(nbformat.v4.new_code_cell(POLLUTE))
    nbformat.write(polluter_nb, tmp_path / "templates" / "polluter.ipynb")
    polluter = tmp_path / "params" / "polluter.yaml"
    polluter.write_text(params.read_text() + "template: polluter\nname: polluter\n")

    alone_dir = tmp_path / "alone"
    spec, prices = pipeline.prepare(params, output_dir=alone_dir)
    alone = pipeline.render_note(spec, prices)

    jobs = [Job(0, polluter, "2018-12-14"), Job(1, polluter, "2018-12-21"), Job(2, params, "2018-12-21", (), tmp_path / "batch")]
    summary = run_batch(jobs, workers=1)
    assert [r.status for r in summary.results] == ["ok", "ok", "ok"], [r.error for r in summary.results]
    batch_dir = tmp_path / "batch" / "2018-12-21" / "t"
    assert (batch_dir / "facts.json").read_text() == alone.paths["facts"].read_text()
    assert chart_pngs(batch_dir / "note.ipynb") == chart_pngs(alone.paths["notebook"])
    html_alone, html_batch = alone.paths["html"].read_text(), (batch_dir / "note.html").read_text()
    strip = lambda h: h.split("Generated")[0]  # the footer's generation time differs, nothing else
    assert strip(html_batch) == strip(html_alone) and "skyrocketed" not in html_batch


def test_one_failing_note_does_not_stop_the_others_and_the_summary_says_why(tmp_path, repo):
    params = make_project(tmp_path, repo, [(3, "raise ValueError('bad cell')")])
    good = tmp_path / "params" / "good.yaml"
    good.write_text(params.read_text().replace("weekly-rotation", "unused") + "name: good\n")
    (tmp_path / "templates" / "good.ipynb").write_bytes((repo / "templates" / "weekly-rotation.ipynb").read_bytes())
    good.write_text(good.read_text() + "template: good\n")
    bad_data = tmp_path / "params" / "baddata.yaml"
    bad_data.write_text(good.read_text().replace("^IXIC", "^NOPE").replace("name: good", "name: baddata"))
    out = tmp_path / "reports"
    proc = run(
        [sys.executable, "-m", "marketnotes", "batch", str(good), str(params), str(bad_data), "--as-of", "2018-12-21", "--workers", "2"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "250"},
    )
    assert proc.returncode == 1, proc.stderr
    summary_file = next(out.glob("batch-*.json"))
    summary = json.loads(summary_file.read_text())
    assert summary["notes"] == 3 and summary["failed"] == 2, summary["results"]
    by_note = {r["note"]: r for r in summary["results"]}
    assert by_note["good"]["status"] == "ok" and (out / "2018-12-21" / "good" / "note.html").exists()
    assert by_note["t"]["status"] == "failed" and "cell 4" in by_note["t"]["error"] and by_note["t"]["error_type"] == "TemplateCellFailed"
    assert by_note["baddata"]["error_type"] == "UnknownSymbol"
    assert all(r["seconds"] > 0 for r in summary["results"])
    assert "good" in proc.stdout and "failed" in proc.stdout and str(summary_file) in proc.stdout


def test_backfill_fetches_live_data_once(tmp_path, repo, monkeypatch):
    FakeTicker.calls, FakeTicker.behaviour = [], {}
    monkeypatch.setattr(yf, "Ticker", FakeTicker)
    params = make_project(tmp_path, repo)
    params.write_text(
        params.read_text().replace("source: sample", f"source: yahoo\nsource_options: {{cache_dir: {tmp_path / 'cache'}}}\nevents: []")
        .replace("as_of: 2018-12-21", "as_of: 2024-02-23")
    )
    jobs = [Job(i, params, d) for i, d in enumerate(backfill_dates("2024-02-01", "2024-02-29"))]
    summary = run_batch(jobs, workers=2)
    assert [r.status for r in summary.results] == ["ok"] * 4, [r.error for r in summary.results]
    assert sorted(c[0] for c in FakeTicker.calls) == ["^GSPC", "^IXIC"]  # one fetch per symbol, for all four weeks


def test_each_notes_kernel_runs_in_its_own_templates_folder(tmp_path, repo):
    """Templates that read files beside them (a logo, a disclaimer) work in a mixed batch."""
    read_marker = "from IPython.display import Markdown\nMarkdown(open('marker.txt').read())"
    jobs = []
    for i, team in enumerate(["alpha", "beta"]):
        params = make_project(_mkdir(tmp_path / team), repo, [(3, read_marker)])
        (tmp_path / team / "templates" / "marker.txt").write_text(f"written for team {team}")
        jobs.append(Job(i, params, "2018-12-21", (), tmp_path / "out" / team))
    summary = run_batch(jobs, workers=1)
    assert [r.status for r in summary.results] == ["ok", "ok"], [r.error for r in summary.results]
    for team in ["alpha", "beta"]:
        html = (tmp_path / "out" / team / "2018-12-21" / "t" / "note.html").read_text()
        assert f"written for team {team}" in html


def _mkdir(path):
    path.mkdir()
    return path


def test_a_kernel_that_dies_fails_its_note_and_the_worker_goes_on(tmp_path, repo):
    params = make_project(tmp_path, repo)
    crasher_nb = nbformat.read(tmp_path / "templates" / "weekly-rotation.ipynb", as_version=4)
    crasher_nb.cells.insert(3, nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"))
    nbformat.write(crasher_nb, tmp_path / "templates" / "crasher.ipynb")
    crasher = tmp_path / "params" / "crasher.yaml"
    crasher.write_text(params.read_text() + "template: crasher\nname: crasher\n")
    summary = run_batch([Job(0, crasher, "2018-12-21"), Job(1, params, "2018-12-21")], workers=1)
    by_note = {r.note: r for r in sorted(summary.results, key=lambda r: r.index)}
    crashed = by_note["crasher"]
    assert crashed.status == "failed" and crashed.error_type == "KernelDied", crashed.error
    assert "cell 4 [import os, signal] killed its kernel" in crashed.error and "2018-12-21/crasher.failed.ipynb" in crashed.error
    assert by_note["t"].status == "ok" and (tmp_path / "reports" / "2018-12-21" / "t" / "note.html").exists()


def _live_processes_matching(text):
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_bytes().decode(errors="replace") and "Z" not in (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]:
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _live_processes_tagged(tag: str) -> list[int]:
    """Live processes (other than this one) whose environment carries MARKETNOTES_TEST_TAG=tag:
    every descendant of a run started with it (workers, zygote, kernels, Playwright's driver,
    Chromium), whoever re-parented them, and nothing of another run on the same machine."""
    found, needle = [], f"MARKETNOTES_TEST_TAG={tag}".encode()
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int(proc.name) != os.getpid() and needle in (proc / "environ").read_bytes().split(b"\0"):
                if "Z" not in (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]:
                    found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_ctrl_c_stops_the_batch_at_once_and_leaves_no_process_behind(tmp_path, repo):
    out = tmp_path / "reports"
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--from", "2018-01-01", "--to", "2018-06-30", "--output-dir", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env={**os.environ, "MARKETNOTES_TEST_TAG": str(tmp_path)},
    )
    deadline = time.monotonic() + 60
    while not list(out.glob("*/demo/note.html")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    try:
        stdout, err = proc.communicate(timeout=30)
    finally:
        _kill_group_if_alive(proc)
    assert proc.returncode == 130 and "Traceback" not in err, (stdout[-2000:], err)
    time.sleep(1)
    assert _live_processes_tagged(str(tmp_path)) == []


def test_a_kernel_named_by_the_user_runs_the_batch_too(tmp_path, repo, monkeypatch):
    """MARKETNOTES_KERNEL names another kernelspec: workers then pre-start kernels of that spec
    (the fork zygote serves only the interpreter's own python3 kernel)."""
    spec_dir = tmp_path / "jupyter" / "kernels" / "desk"
    spec_dir.mkdir(parents=True)
    spec_dir.joinpath("kernel.json").write_text(json.dumps(
        {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": "desk", "language": "python"}
    ))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MARKETNOTES_KERNEL", "desk")
    params = make_project(tmp_path, repo)
    summary = run_batch([Job(0, params, "2018-12-14"), Job(1, params, "2018-12-21")], workers=1)
    assert [r.status for r in summary.results] == ["ok", "ok"], [r.error for r in summary.results]
    assert (tmp_path / "reports" / "2018-12-21" / "t" / "note.html").exists()


def test_a_network_failure_fails_that_files_notes_with_the_network_error(tmp_path, repo, monkeypatch):
    FakeTicker.calls, FakeTicker.behaviour = [], {"^IXIC": [ConnectionError("Network is unreachable")] * 5}
    monkeypatch.setattr(yf, "Ticker", FakeTicker)
    offline_ok = make_project(tmp_path, repo)
    live = tmp_path / "params" / "live.yaml"
    live.write_text(
        offline_ok.read_text().replace("source: sample", f"source: yahoo\nsource_options: {{cache_dir: {tmp_path / 'cache'}}}\nevents: []")
        .replace("as_of: 2018-12-21", "as_of: 2024-02-23") + "name: live\n"
    )
    jobs = [Job(0, live, "2024-02-16"), Job(1, live, "2024-02-23"), Job(2, offline_ok, "2018-12-21")]
    summary = run_batch(jobs, workers=1)
    by_index = {r.index: r for r in summary.results}
    assert [by_index[i].error_type for i in (0, 1)] == ["SourceUnavailable"] * 2  # not "the cache lacks …"
    assert "Network is unreachable" in by_index[0].error
    assert by_index[2].status == "ok"


def test_closing_the_zygote_right_after_a_fork_leaves_no_kernel_running(repo, tmp_path, monkeypatch):
    """The end of every batch discards a spare kernel forked moments earlier: it must die too,
    or cron runs pile up orphan kernels."""
    from marketnotes.runtime.zygote import Zygote

    monkeypatch.setenv("MARKETNOTES_TEST_TAG", str(tmp_path))
    for _ in range(10):
        zygote = Zygote()
        zygote.discard(zygote.take(repo / "templates"))
        zygote.close()
    time.sleep(1)
    assert _live_processes_tagged(str(tmp_path)) == []


def _batch(repo, out, env, *extra, timeout=120, watch=None):
    """A batch of 13 notes, tagged with `out`; `watch()` is called every 0.05 s while it runs."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--from", "2018-01-01", "--to", "2018-03-31", "--output-dir", str(out), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env={**os.environ, "MARKETNOTES_TEST_TAG": str(out), **env},
    )
    try:
        deadline = time.monotonic() + timeout
        while watch is not None and proc.poll() is None and time.monotonic() < deadline:
            watch()  # the batch's output is a few lines: it fits the pipes meanwhile
            time.sleep(0.05)
        stdout, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        _kill_group_if_alive(proc)
    return proc.returncode, stdout, err


def _kill_group_if_alive(proc) -> None:
    """A test that failed while its batch still runs must not leave the batch running."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


@pytest.mark.parametrize(
    "fault, code, said",
    [
        ("prefetch:SIGINT:group", 130, "interrupted"),  # Ctrl-C while the kernel zygote imports
        ("prefetch:SIGTERM", 143, "terminated"),  # kill while the data loads
        ("workers:SIGINT:group", 130, "interrupted"),  # Ctrl-C as the workers have just forked
        ("notebook:SIGTERM:group", 143, "terminated"),  # systemd stopping the whole unit mid-note
        ("pdf:SIGTERM:group", 143, "terminated"),  # each worker gets the group's SIGTERM, then the batch's
        ("publish:SIGTERM:group", 143, "terminated"),  # while a note is being published
        ("pdf:SIGKILL:group", -9, None),  # `timeout -s KILL`, the OOM killer: no cleanup code runs
    ],
)
def test_a_signal_at_any_stage_of_a_batch_ends_it_cleanly(tmp_path, repo, fault, code, said):
    """One line (or none for SIGKILL), no traceback, no summary file, no process left
    (workers, kernels, browsers), and no note folder half-written."""
    out = tmp_path / "reports"
    got, stdout, err = _batch(repo, out, {"MARKETNOTES_FAULT": fault, "MARKETNOTES_FAULT_ONCE": str(tmp_path / "fired")})
    assert got == code, (stdout[-2000:], err)
    if said:
        assert err.strip().splitlines()[-1] == said and "Traceback" not in err, err
    assert not list(out.glob("batch-*.json"))  # an interrupt is not reported as note failures
    deadline = time.monotonic() + 30
    while _live_processes_tagged(str(out)) and time.monotonic() < deadline:
        time.sleep(0.2)  # a SIGKILLed parent's children die a moment after it
    assert _live_processes_tagged(str(out)) == []
    for note in out.glob("*/demo"):
        assert sorted(p.name for p in note.iterdir()) == ["facts.json", "manifest.json", "note.html", "note.ipynb", "note.pdf"]
    if code != -9:  # only a SIGKILL may leave a staging folder (for the next run to remove)
        assert not list(out.glob("*/.demo.staging-*"))


def test_a_worker_killed_mid_note_is_retried_and_the_batch_completes(tmp_path, repo):
    """...and the kernel it was running dies with it, while the batch goes on, not when the
    batch ends: a long backfill does not carry a killed worker's kernels along."""
    out, fired = tmp_path / "reports", tmp_path / "fired"
    env = {"MARKETNOTES_FAULT": "notebook:SIGKILL", "MARKETNOTES_FAULT_ONCE": str(fired)}
    seen, at_the_kill, all_gone = [set()], [], []

    def watch():
        zygotes, kernels = _zygotes_and_kernels(str(out))
        if not at_the_kill and fired.exists():  # the worker is killing itself mid-note
            # its kernel ran the note's facts stage: it was there at the last look, if not now
            at_the_kill.append((zygotes, seen[0] | kernels))
        elif at_the_kill and not all_gone:
            zygote, before = at_the_kill[0]
            if zygote and zygote <= zygotes and not before & set(_live_processes_tagged(str(out))):
                all_gone.append(True)  # gone while the same zygote still serves
        seen[0] = kernels

    code, stdout, err = _batch(repo, out, env, "--format", "html", "--retries", "1", "--workers", "2", watch=watch)
    assert code == 0, (stdout[-2000:], err)
    summary = json.loads(next(out.glob("batch-*.json")).read_text())
    assert summary["notes"] == 13 and summary["failed"] == 0
    assert sorted(r["attempts"] for r in summary["results"]) == [1] * 12 + [2]
    assert at_the_kill and at_the_kill[0][1], "no kernel was running when the worker was killed"
    assert all_gone, f"kernels running when the worker was killed were still running when the batch closed its zygote: {at_the_kill[0][1]}"


def test_without_retries_a_killed_worker_fails_only_its_note(tmp_path, repo):
    out = tmp_path / "reports"
    env = {"MARKETNOTES_FAULT": "notebook:SIGKILL", "MARKETNOTES_FAULT_ONCE": str(tmp_path / "fired")}
    code, stdout, err = _batch(repo, out, env, "--format", "html")
    assert code == 1, (stdout[-2000:], err)
    summary = json.loads(next(out.glob("batch-*.json")).read_text())
    assert summary["failed"] == 1 and [r["error_type"] for r in summary["results"] if r["status"] != "ok"] == ["WorkerDied"]
    assert len(list(out.glob("*/demo/manifest.json"))) == 12


def test_a_deterministic_failure_is_not_retried(tmp_path, repo):
    params = make_project(tmp_path, repo, [(3, "raise ValueError('bad chart')")])
    summary = run_batch([Job(0, params, "2018-12-21")], workers=1, retries=2)
    (result,) = summary.results
    assert result.error_type == "TemplateCellFailed" and result.attempts == 1


def _csv_project(tmp_path, repo, through: str):
    """A params file on a csv folder holding the sample's prices through `through`."""
    from marketnotes.data import make_source
    from conftest import write_yahoo_csv

    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for symbol in ("^GSPC", "^IXIC"):
        frame = make_source("sample", {}).load(symbol, pd.Timestamp(through))
        write_yahoo_csv(data / f"{symbol.lstrip('^')}.csv", frame.loc[:through])
    params = make_project(tmp_path, repo) if not (tmp_path / "params" / "t.yaml").exists() else tmp_path / "params" / "t.yaml"
    text = params.read_text()
    if "source: sample" in text:
        params.write_text(text.replace("source: sample", f"source: csv\nsource_options: {{path: {data}}}"))
    return params


def _backfill(params, out, to, *extra):
    proc = run(
        [sys.executable, "-m", "marketnotes", "batch", str(params), "--from", "2018-11-30", "--to", to, "--output-dir", str(out), *extra],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "250"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    summary = json.loads(max(out.glob("batch-*.json"), key=lambda p: p.stat().st_mtime_ns).read_text())
    for p in out.glob("batch-*.json"):
        p.unlink()  # one summary per run, for the next call to find
    return {r["as_of"]: r["status"] for r in summary["results"]}


def test_a_rerun_backfill_renders_only_notes_whose_inputs_changed(tmp_path, repo):
    out = tmp_path / "reports"
    params = _csv_project(tmp_path, repo, "2018-12-14")
    first = _backfill(params, out, "2018-12-14")
    assert first == {"2018-11-30": "ok", "2018-12-07": "ok", "2018-12-14": "ok"}
    made = {p: p.stat().st_mtime_ns for p in out.rglob("note.html")}
    assert set(_backfill(params, out, "2018-12-14").values()) == {"up-to-date"}  # nothing changed
    assert {p: p.stat().st_mtime_ns for p in out.rglob("note.html")} == made  # and nothing was touched
    _csv_project(tmp_path, repo, "2018-12-21")  # a week of new prices
    assert _backfill(params, out, "2018-12-21") == {"2018-11-30": "up-to-date", "2018-12-07": "up-to-date", "2018-12-14": "up-to-date", "2018-12-21": "ok"}
    template = tmp_path / "templates" / "weekly-rotation.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A line the desk added."))
    nbformat.write(nb, template)
    assert set(_backfill(params, out, "2018-12-21").values()) == {"ok"}  # a template edit re-renders all
    assert set(_backfill(params, out, "2018-12-21", "--force").values()) == {"ok"}
    (out / "2018-12-07" / "t" / "note.html").write_text("damaged")
    assert _backfill(params, out, "2018-12-21")["2018-12-07"] == "ok"  # a damaged note is not up to date


def _browsers(tag: str) -> tuple[str, ...]:
    """Chromium browser processes of a run, each as its command line and parent: not their
    renderer, GPU or utility children (`--type=`), nor a crash handler Chromium may start
    beside a browser (`chrome_crashpad_handler`, which is no second browser), nor a child the
    browser has forked but not yet exec'd, which for that moment shows the browser's own
    command line (a loaded machine can stretch the moment past a 0.1 s poll): a browser
    whose parent is a Chromium process is such a child, not a second browser."""
    argv_of, parent_of = {}, {}
    for pid in _live_processes_tagged(tag):
        try:
            argv_of[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").replace("\0", " ").split()
            parent_of[pid] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue

    def chromium(pid: int) -> bool:
        name = Path(argv_of[pid][0]).name if argv_of.get(pid) else ""
        return "chrom" in name and "crashpad" not in name

    found = [
        f"{' '.join(argv[:3])} (pid {pid}, parent {parent_of[pid]})"
        for pid, argv in argv_of.items()
        if chromium(pid) and not any(a.startswith("--type=") for a in argv) and not chromium(parent_of[pid])
    ]
    return tuple(sorted(found))


def argv_and_parent(pids) -> dict[int, tuple[bytes, int]]:
    """Each of `pids` still running: its raw command line and its parent's pid."""
    found = {}
    for pid in pids:
        try:
            found[pid] = (Path(f"/proc/{pid}/cmdline").read_bytes(), int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]))
        except OSError:
            continue
    return found


def _zygotes(tag: str) -> int:
    """Kernel zygotes of a run: the processes running the zygote module whose parent does not
    (a kernel is the zygote's fork, and shows the zygote's command line)."""
    return len(_zygotes_and_kernels(tag)[0])


def _zygotes_and_kernels(tag: str) -> tuple[set[int], set[int]]:
    """A run's kernel zygotes, and the live kernels they forked."""
    argv_of = argv_and_parent(_live_processes_tagged(tag))
    zygote = b"marketnotes.runtime.zygote"
    zygotes = {pid for pid, (argv, parent) in argv_of.items() if zygote in argv and zygote not in argv_of.get(parent, (b"", 0))[0]}
    return zygotes, {pid for pid, (_, parent) in argv_of.items() if parent in zygotes}


def batch_watching_browsers(repo, out, *extra, timeout=180):
    """Run a batch (with a test tag) and count its Chromium browsers every 0.1 s until it
    ends; the batch is killed if it outlives `timeout`. Returns (exit code, stderr, counts,
    and the counts of kernel zygotes)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--output-dir", str(out), "--workers", "2", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True, env={**os.environ, "MARKETNOTES_TEST_TAG": str(out)},
    )
    seen, zygotes, most, deadline = set(), set(), (), time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            browsers = _browsers(str(out))
            seen.add(len(browsers))
            zygotes.add(_zygotes(str(out)))
            most = max(most, browsers, key=len)
            time.sleep(0.1)
    finally:
        _kill_group_if_alive(proc)
    _, err = proc.communicate(timeout=30)
    if len(most) > 1:  # which processes were counted, for the failure message
        err += "\nbrowsers seen at once: " + " | ".join(most)
    return proc.returncode, err, seen, zygotes


def test_the_workers_of_a_batch_print_with_one_browser(tmp_path, repo):
    out = tmp_path / "reports"
    from marketnotes.runtime.printer import FALLBACK

    code, err, seen, _ = batch_watching_browsers(repo, out, "--from", "2018-01-01", "--to", "2018-03-31")
    assert code == 0, err
    # one browser for both workers, not one each (or a worker said why it started its own)
    assert max(seen) == 1 or (max(seen) == 2 and FALLBACK in err), (seen, err[-2000:])
    assert len(list(out.glob("*/demo/note.pdf"))) == 13


def test_a_printer_that_dies_mid_batch_leaves_the_workers_printing_with_their_own(tmp_path, repo):
    out = tmp_path / "reports"
    env = {"MARKETNOTES_FAULT": "printer:SIGKILL", "MARKETNOTES_FAULT_ONCE": str(tmp_path / "fired")}
    code, stdout, err = _batch(repo, out, env)
    assert code == 0, (stdout[-2000:], err)
    assert (tmp_path / "fired").exists()  # the printer was killed as it took a print
    from marketnotes.runtime.printer import FALLBACK

    assert FALLBACK in err  # and the workers said they print with browsers of their own
    summary = json.loads(next(out.glob("batch-*.json")).read_text())
    assert summary["failed"] == 0 and all(r["attempts"] == 1 for r in summary["results"])
    assert len(list(out.glob("*/demo/note.pdf"))) == 13
    assert not _live_processes_tagged(str(out))
