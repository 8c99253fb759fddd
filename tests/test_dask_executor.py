"""Batches on a real Dask cluster of worker processes on 127.0.0.1: the same notes as a local
batch, a worker killed mid-batch, and the two ways a cluster can be unusable."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from conftest import run
from marketnotes.runtime.batch import backfill_dates, run_batch
from marketnotes.runtime.worker import Job

pytestmark = pytest.mark.slow


def jobs(repo, out, start="2018-11-30", end="2018-12-21"):
    return [Job(i, repo / "params" / "demo.yaml", d, ("formats=[html]",), out) for i, d in enumerate(backfill_dates(start, end))]


def note_text(folder: Path) -> str:
    """The note as a reader sees it, without the line that says when it was generated."""
    return re.sub(r"Generated [^<]* by marketnotes", "", (folder / "note.html").read_text())


def children() -> set[int]:
    """The live processes whose parent is this one, but multiprocessing's resource tracker
    (one per process, for its lifetime, whoever started it)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            tracker = b"resource_tracker" in (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and not tracker:
            found.add(int(stat.parent.name))
    return found


def test_a_dask_batch_makes_the_same_notes_as_a_local_one(repo, tmp_path):
    trim = os.environ.get("MALLOC_TRIM_THRESHOLD_")
    local = run_batch(jobs(repo, tmp_path / "local"), workers=2)
    before = children()
    remote = run_batch(jobs(repo, tmp_path / "dask"), workers=2, executor="dask")
    assert [r.status for r in remote.results] == ["ok"] * 4 == [r.status for r in local.results], [r.error for r in remote.results]
    for note in sorted((tmp_path / "local").glob("*/demo")):
        twin = tmp_path / "dask" / note.relative_to(tmp_path / "local")
        assert (twin / "facts.json").read_bytes() == (note / "facts.json").read_bytes()
        assert note_text(twin) == note_text(note)
        # on the client's host the workers render from the client's own template file, as local
        assert json.loads((twin / "manifest.json").read_text())["template"] == json.loads((note / "manifest.json").read_text())["template"]
    # the cluster, its workers, the process they are forked from and the printer are all gone
    deadline = time.monotonic() + 30
    while children() - before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert children() - before == set(), [Path(f"/proc/{p}/cmdline").read_bytes()[:200] for p in children() - before]
    code = run([sys.executable, "-m", "marketnotes", "verify", str(tmp_path / "dask")], capture_output=True, text=True, timeout=60)
    assert code.returncode == 0 and "4 of 4 notes intact" in code.stdout
    # the cluster's processes, and so their kernels, allocated memory as a local batch's do:
    # distributed's nanny would have set this in our environment for the workers to inherit
    assert os.environ.get("MALLOC_TRIM_THRESHOLD_") == trim


def test_a_worker_without_the_clients_template_file_renders_from_one_folder_per_template(tmp_path):
    """A remote worker (no shared filesystem) writes the shipped template once, into a folder
    that stays the same for every note of that template: the next note's kernel is started
    ahead of need in the last note's template folder, and a folder new per note would throw
    it away. The client's file itself is used where this host holds it with the same bytes."""
    from marketnotes.runtime.dask_executor import NoteEngines

    plugin = NoteEngines(want_pdf=False)
    plugin.folder = tempfile.TemporaryDirectory(dir=tmp_path)
    elsewhere = str(tmp_path / "client-only" / "weekly.ipynb")  # not on this "worker"
    first = plugin.template("weekly.ipynb", b"v1", elsewhere)
    assert first.read_bytes() == b"v1" and first.name == "weekly.ipynb"
    assert plugin.template("weekly.ipynb", b"v1", elsewhere) == first
    edited = plugin.template("weekly.ipynb", b"v2", elsewhere)
    assert edited.read_bytes() == b"v2" and edited.parent != first.parent and first.read_bytes() == b"v1"

    shared = tmp_path / "shared" / "weekly.ipynb"
    shared.parent.mkdir()
    shared.write_bytes(b"v1")
    assert plugin.template("weekly.ipynb", b"v1", str(shared)) == shared
    assert plugin.template("weekly.ipynb", b"v3", str(shared)).read_bytes() == b"v3"  # not the bytes shipped: a copy
    plugin.folder.cleanup()


@pytest.fixture
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None) as c:
        yield c


def test_a_worker_killed_mid_batch_and_the_batch_still_completes(repo, tmp_path, cluster):
    out = tmp_path / "reports"
    with Client(cluster) as client:
        pids = list(client.run(os.getpid).values())

    def kill_one_worker_once_a_note_is_out():
        deadline = time.monotonic() + 120
        while not list(out.glob("*/demo/note.html")) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker_once_a_note_is_out, daemon=True)
    killer.start()
    summary = run_batch(jobs(repo, out, "2018-10-01", "2018-12-21"), scheduler=cluster.scheduler_address, executor="dask")
    killer.join(timeout=5)
    assert [r.status for r in summary.results] == ["ok"] * 12, [r.error for r in summary.results]
    with Client(cluster) as client:
        assert pids[0] not in client.run(os.getpid).values()  # it really died (and was replaced)


def local_cluster_workers() -> list[int]:
    """This process's local Dask cluster's worker processes: forked from the forkserver that
    this process started, and so showing its command line, as their parent does."""
    from test_batch import argv_and_parent

    forked = b"multiprocessing.forkserver"
    info = argv_and_parent(int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit())
    server = {pid for pid, (argv, parent) in info.items() if forked in argv and parent == os.getpid()}
    return sorted(pid for pid, (argv, parent) in info.items() if forked in argv and parent in server)


def test_a_local_cluster_worker_killed_mid_batch_and_the_batch_still_completes(repo, tmp_path):
    """The killed worker's note is rescheduled; its kernels die with it (the client's zygote,
    which every worker shares, kills a gone client's kernels) and the zygote serves the rest."""
    out = tmp_path / "reports"
    killed = []

    def kill_one_worker_once_a_note_is_out():
        deadline = time.monotonic() + 120
        while not list(out.glob("*/demo/note.html")) and time.monotonic() < deadline:
            time.sleep(0.05)
        if workers := local_cluster_workers():
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    killer = threading.Thread(target=kill_one_worker_once_a_note_is_out, daemon=True)
    killer.start()
    summary = run_batch(jobs(repo, out, "2018-10-01", "2018-12-21"), workers=2, executor="dask")
    killer.join(timeout=5)
    assert killed, "no worker was found to kill"
    assert [r.status for r in summary.results] == ["ok"] * 12, [r.error for r in summary.results]


def batch_cli(repo, tmp_path, *args, env=None):
    return run(
        [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--output-dir", str(tmp_path / "out"), *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "300", **(env or {})},
    )


@pytest.mark.parametrize("how", ["--scheduler", "MARKETNOTES_DASK_SCHEDULER"])
def test_a_malformed_scheduler_address_is_one_line_before_anything_starts(repo, tmp_path, how):
    bad = "tcp://127.0.0.1:eighty"
    proc = batch_cli(repo, tmp_path, "--executor", "dask", "--scheduler", bad) if how == "--scheduler" else batch_cli(repo, tmp_path, env={how: bad})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"error: executor dask: bad scheduler address '{bad}' (--scheduler or MARKETNOTES_DASK_SCHEDULER): the port 'eighty' is not a number; expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786"]
    assert proc.stdout == "" and not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line_within_the_connect_timeout_and_no_progress_first(repo, tmp_path):
    from marketnotes.runtime.dask_executor import CONNECT_SECONDS

    with socket.socket() as probe:  # a port nobody listens on: bound, then let go
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    proc = batch_cli(repo, tmp_path, "--scheduler", address)
    assert proc.returncode == 2, proc.stderr
    # one line: no progress bar ("starting workers 0/1") above it, no traceback. The reason is
    # the last attempt's: refused, or (on a loaded machine) an attempt that itself timed out.
    [line] = proc.stderr.splitlines()
    assert re.fullmatch(
        rf"error: executor dask: cannot reach {address} within {CONNECT_SECONDS} s: (connection refused|no answer); "
        r"is a Dask scheduler running there\? \(--scheduler or MARKETNOTES_DASK_SCHEDULER\)", line,
    ), line
    assert proc.stdout == "" and not (tmp_path / "out").exists()


def test_workers_on_another_marketnotes_version_are_refused(repo, tmp_path):
    fake = tmp_path / "other" / "marketnotes"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('__version__ = "0.0.1-other"\n')
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None) as cluster:
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
            env={**os.environ, "PYTHONPATH": str(tmp_path / "other")}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            proc = run(
                [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--output-dir", str(tmp_path / "out"), "--scheduler", cluster.scheduler_address],
                capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "300"},
            )
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "runs marketnotes 0.0.1-other" in proc.stderr and "Traceback" not in proc.stderr


def test_ctrl_c_stops_a_dask_batch_with_one_line_and_no_process_left(repo, tmp_path):
    from test_batch import _live_processes_tagged

    out = tmp_path / "reports"
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketnotes", "batch", str(repo / "params" / "demo.yaml"), "--from", "2018-06-01", "--to", "2018-12-21", "--output-dir", str(out), "--executor", "dask", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env={**os.environ, "MARKETNOTES_TEST_TAG": str(tmp_path)},
    )
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*/demo/note.html")) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the client and every Dask worker
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "interrupted" and "Traceback" not in err, err[-3000:]
    deadline = time.monotonic() + 30
    while _live_processes_tagged(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _live_processes_tagged(str(tmp_path)) == []
    assert not list(out.glob("*/.demo.staging-*"))


def test_a_failing_note_is_a_record_and_a_note_that_kills_workers_is_killedworker(repo, tmp_path):
    """A raising cell fails its note once (no retry); a cell that kills its Dask worker is
    rescheduled until Dask gives up (KilledWorker); the other notes are unaffected. On a
    scheduler of the user's own, whose workers fork their kernels from zygotes of their own
    (a local cluster's share the client's), so a cell can find its worker."""
    import dask
    import nbformat

    from test_execute import make_project

    params = make_project(tmp_path, repo)
    source = nbformat.read(tmp_path / "templates" / "weekly-rotation.ipynb", as_version=4)
    for name, cell in [
        ("raises", "raise ValueError('bad chart')"),
        # the kernel's parent is the zygote, whose parent is the Dask worker process
        ("killer", "import os, signal\nos.kill(int(open(f'/proc/{os.getppid()}/stat').read().rsplit(')', 1)[1].split()[1]), signal.SIGKILL)"),
    ]:
        nb = nbformat.from_dict(source)
        nb.cells.insert(3, nbformat.v4.new_code_cell(cell))
        nbformat.write(nb, tmp_path / "templates" / f"{name}.ipynb")
        (tmp_path / "params" / f"{name}.yaml").write_text(params.read_text() + f"template: {name}\nname: {name}\n")
    batch = [Job(0, tmp_path / "params" / "raises.yaml", "2018-12-21"), Job(1, tmp_path / "params" / "killer.yaml", "2018-12-21"), Job(2, params, "2018-12-21")]
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None
    ) as cluster:
        summary = run_batch(batch, executor="dask", scheduler=cluster.scheduler_address, retries=2)
    by_note = {r.note: r for r in summary.results}
    assert by_note["raises"].error_type == "TemplateCellFailed" and by_note["raises"].attempts == 1
    assert by_note["killer"].error_type == "KilledWorker"
    assert by_note["t"].status == "ok"


def test_the_workers_of_a_local_cluster_share_the_clients_one_browser_and_one_kernel_zygote(repo, tmp_path):
    from marketnotes.runtime.printer import FALLBACK
    from test_batch import batch_watching_browsers

    out = tmp_path / "reports"
    code, err, seen, zygotes = batch_watching_browsers(repo, out, "--from", "2018-11-01", "--to", "2018-12-21", "--executor", "dask")
    assert code == 0, err
    # one browser for both Dask workers, not one each; a worker that could not reach the
    # printer (a machine under heavy load) may start its own, and must say so
    assert max(seen) == 1 or (max(seen) == 2 and FALLBACK in err), (seen, err[-2000:])
    # their kernels are forked from one zygote, which imported once (~95 MB and ~1.5 core-s each)
    assert max(zygotes) == 1, zygotes
    assert len(list(out.glob("*/demo/note.pdf"))) == 8


def test_a_failing_note_on_dask_keeps_its_partial_notebook_beside_the_note_folder(repo, tmp_path, cluster):
    """As a local run does: the worker's partial notebook comes back and is kept as
    `<name>.failed.ipynb` beside the note folder, the error line points at it there, and the
    previous note is left as it was."""
    import json

    import nbformat

    from test_execute import make_project

    params = make_project(tmp_path, repo)
    batch = [sys.executable, "-m", "marketnotes", "batch", str(params), "--scheduler", cluster.scheduler_address]
    first = run(batch, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "300"})
    assert first.returncode == 0, first.stderr
    day = tmp_path / "reports" / "2018-12-21"
    before = {p.name: p.read_bytes() for p in (day / "t").iterdir()}

    template = tmp_path / "templates" / "weekly-rotation.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("x = 1\nraise ValueError('chart data looks wrong')"))
    nbformat.write(nb, template)
    proc = run(batch, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "300"})
    assert proc.returncode == 1, proc.stderr

    failed = day / "t.failed.ipynb"
    summary = max((tmp_path / "reports").glob("batch-*.json"))  # the second run's (named by its start time)
    [record] = json.loads(summary.read_text())["results"]
    assert record["error_type"] == "TemplateCellFailed"
    assert record["error"].endswith(f"(executed notebook kept at {failed})"), record["error"]
    kept = nbformat.read(failed, as_version=4)
    ran = [c for c in kept.cells if c.cell_type == "code" and c.get("execution_count")]
    assert ran and ran[-1].source.startswith("x = 1") and ran[-1].outputs[-1]["ename"] == "ValueError"
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in ran)  # the cells before it ran too
    assert {p.name: p.read_bytes() for p in (day / "t").iterdir()} == before  # the previous note, untouched
    assert sorted(p.name for p in day.iterdir()) == [".t.lock", "t", "t.failed.ipynb"]  # nothing staged left
