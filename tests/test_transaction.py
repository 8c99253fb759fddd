"""A note folder is one transaction: after a kill at any point it holds the previous complete
note or the new one, `verify` says so, and the next run cleans up; runs of one note exclude
each other; an unwritable folder is one line."""

import hashlib
import os
import sys
import time
from pathlib import Path

import pytest

from marketnotes.errors import NoteBusy
from marketnotes.transaction import NoteTransaction
from test_batch import _live_processes_tagged
from conftest import run

pytestmark = pytest.mark.slow

ENV = {"COLUMNS": "300", "PATH": "/usr/bin:/bin"}


def cli(*args, env=None, tmp_path, timeout=120):
    proc = run(
        [sys.executable, "-m", "marketnotes", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env={**ENV, "HOME": str(tmp_path), **(env or {})},
    )
    return proc.returncode, proc.stdout, proc.stderr


def render(repo, out, tmp_path, env=None, *extra):
    return cli("render", repo / "params" / "demo.yaml", "--output-dir", out, "--format", "html", *extra, env=env, tmp_path=tmp_path)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def good_note(repo, tmp_path_factory):
    """A complete demo note, rendered once; tests copy it and try to break the copy."""
    tmp = tmp_path_factory.mktemp("good")
    code, _, err = render(repo, tmp / "reports", tmp)
    assert code == 0, err
    return tmp / "reports"


def copy_reports(good_note, tmp_path) -> Path:
    out = tmp_path / "reports"
    run(["cp", "-a", str(good_note), str(out)], check=True, timeout=30)
    return out


@pytest.mark.parametrize(
    "fault, code",
    [("notebook:SIGKILL", -9), ("html:SIGTERM", 143), ("manifest:SIGKILL", -9), ("publish:SIGKILL", -9), ("publish:SIGINT", 130)],
)
def test_a_rerender_killed_at_any_point_leaves_the_previous_note_whole(repo, good_note, tmp_path, fault, code):
    out = copy_reports(good_note, tmp_path)
    note = out / "2018-12-21" / "demo"
    before = digest(note)
    got, _, err = render(repo, out, tmp_path, {"MARKETNOTES_FAULT": fault, "MARKETNOTES_TEST_TAG": str(tmp_path)}, "--set", "title=Changed title")
    assert got == code, err
    if code > 0:
        assert err.strip() == ("terminated" if code == 143 else "interrupted")
    assert digest(note) == before  # the previous version, byte for byte, nothing beside it
    deadline = time.monotonic() + 30
    while _live_processes_tagged(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)  # even after SIGKILL, its kernel and browser go when they see it gone
    assert _live_processes_tagged(str(tmp_path)) == []
    code, stdout, _ = cli("verify", out, tmp_path=tmp_path)
    assert code == 0 and "1 of 1 notes intact" in stdout
    # the next run finishes the job and leaves no staging folder behind
    code, _, err = render(repo, out, tmp_path, None, "--set", "title=Changed title")
    assert code == 0, err
    assert "Changed title" in (note / "note.html").read_text()
    assert sorted(p.name for p in note.parent.iterdir()) == [".demo.lock", "demo"]


def test_a_kill_between_the_fallback_renames_is_repaired_by_the_next_run(repo, good_note, tmp_path):
    """Where the system cannot swap two folders in one step, publishing is two renames; a kill
    between them leaves no note folder for a moment, and the next run puts the old one back."""
    out = copy_reports(good_note, tmp_path)
    note = out / "2018-12-21" / "demo"
    before = digest(note)
    no_exchange = "import marketnotes.transaction as t, marketnotes.cli as c; t._exchange = lambda a, b: False; c.main()"
    proc = run(
        [sys.executable, "-c", no_exchange, "render", str(repo / "params" / "demo.yaml"), "--output-dir", str(out), "--format", "html", "--set", "title=Second"],
        capture_output=True, text=True, timeout=120, env={**ENV, "HOME": str(tmp_path), "MARKETNOTES_FAULT": "publish-between-renames:SIGKILL"},
    )
    assert proc.returncode == -9 and not note.exists()
    with NoteTransaction(note):  # what any next run of this note does first, under its lock
        assert digest(note) == before
    code, _, err = render(repo, out, tmp_path)
    assert code == 0, err
    assert sorted(p.name for p in note.parent.iterdir()) == [".demo.lock", "demo"]


def test_a_second_render_of_the_same_note_is_refused_while_one_runs(repo, tmp_path):
    out = tmp_path / "reports"
    with NoteTransaction(out / "2018-12-21" / "demo"):
        code, _, err = render(repo, out, tmp_path)
    assert code == 7 and "is being rendered by another marketnotes run" in err and f"pid {os.getpid()}" in err
    assert len(err.strip().splitlines()) == 1
    with NoteTransaction(out / "2018-12-21" / "demo"), pytest.raises(NoteBusy):
        NoteTransaction(out / "2018-12-21" / "demo").__enter__()


def test_an_unwritable_output_folder_is_one_line_naming_it(repo, tmp_path):
    for command in (["render", repo / "params" / "demo.yaml"], ["batch", repo / "params" / "demo.yaml"]):
        code, _, err = cli(*command, "--output-dir", "/proc/marketnotes-reports", tmp_path=tmp_path)
        assert code == 2, err
        assert err.strip().startswith("error: cannot write notes to /proc/marketnotes-reports") and len(err.strip().splitlines()) == 1


def test_verify_finds_a_changed_a_missing_and_a_stray_file(good_note, tmp_path):
    out = copy_reports(good_note, tmp_path)
    note = out / "2018-12-21" / "demo"
    (note / "facts.json").write_text("{}")
    (note / "note.html").unlink()
    (note / ".note.running.ipynb").write_text("{}")
    code, stdout, _ = cli("verify", out, tmp_path=tmp_path)
    assert code == 4 and "0 of 1 notes intact" in stdout
    assert "facts.json differs from the manifest" in stdout and "note.html is missing" in stdout
    assert ".note.running.ipynb is not in the manifest" in stdout


def test_a_missing_chromium_fails_before_the_note_runs(repo, tmp_path):
    code, _, err = cli(
        "render", repo / "params" / "demo.yaml", "--output-dir", tmp_path / "reports",
        env={"MARKETNOTES_CHROMIUM": "/nonexistent/chromium"}, tmp_path=tmp_path,
    )
    assert code == 6 and "no Chromium found" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*"))  # nothing was started


def test_a_cell_that_kills_its_kernel_is_our_one_line_only(repo, tmp_path):
    from test_execute import make_project

    params = make_project(tmp_path, repo, [(3, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")])
    code, _, err = cli("render", params, tmp_path=tmp_path)
    assert code == 4 and "killed its kernel" in err
    assert len(err.strip().splitlines()) == 1, err


def test_a_note_over_its_time_limit_fails_and_its_kernel_is_killed(repo, tmp_path):
    from test_batch import _live_processes_matching
    from test_execute import make_project

    params = make_project(tmp_path, repo, [(3, "import time\ntime.sleep(120)")])
    code, _, err = cli("render", params, "--timeout", "4", env={"JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}, tmp_path=tmp_path)
    assert code == 4 and "timed out after 4s (in notebook)" in err and len(err.strip().splitlines()) == 1, err
    assert _live_processes_matching(str(tmp_path / "rt")) == []
    assert not (tmp_path / "reports" / "2018-12-21" / "t").exists()
