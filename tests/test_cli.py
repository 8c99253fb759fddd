"""The command line as a user meets it: real subprocesses, exit codes, one-line errors."""

import subprocess
import sys
from conftest import run as bounded_run


def run(*args, cwd=None):
    proc = bounded_run([sys.executable, "-m", "marketnotes", *args], capture_output=True, text=True, cwd=cwd, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    return proc.returncode, proc.stdout, proc.stderr


def test_data_show_prints_resolved_session_and_recent_closes():
    code, out, err = run("data", "show", "^GSPC", "^IXIC", "^DJI", "--source", "sample", "--as-of", "2018-12-23")
    assert code == 0, err
    assert "as of Friday 2018-12-21 close (2018-12-23 is not a trading session)" in out
    assert "2,416.62" in out and "6,332.99" in out and "22,445.37" in out
    assert "1885-02-16" in out


def test_errors_are_one_line_with_exit_codes_and_no_traceback():
    code, out, err = run("data", "show", "^NOPE", "--as-of", "2018-12-21")
    assert code == 3 and "unknown symbol '^NOPE'" in err and "Traceback" not in err
    code, _, err = run("data", "show", "^GSPC", "--as-of", "2099-01-01")
    assert code == 2 and "in the future" in err and len(err.strip().splitlines()) == 1


def test_params_check(repo):
    code, out, _ = run("params", "check", str(repo / "params" / "demo.yaml"), str(repo / "params" / "weekly-rotation.yaml"))
    assert code == 0 and out.count("ok ") == 2
    code, _, err = run("params", "check", str(repo / "params" / "demo.yaml"), "--set", "page_size=A3")
    assert code == 2 and "page_size" in err and "'A3'" in err


def test_version_prints_the_installed_version():
    from marketnotes import __version__

    code, out, err = run("--version")
    assert code == 0 and out.strip() == f"marketnotes {__version__}", err


def test_ctrl_c_during_render_says_interrupted_and_nothing_else(tmp_path, repo):
    import os
    import signal
    import time

    from test_batch import _live_processes_matching

    # Ctrl-C reaches the whole group (render, kernel, Playwright's driver, Chromium) as the
    # notebook stage starts: the kernel is up and Chromium is booting (faults.py)
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "MARKETNOTES_FAULT": "notebook:SIGINT:group"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "marketnotes", "render", str(repo / "params" / "demo.yaml"), "--output-dir", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and "interrupted" in err
    assert "Traceback" not in err and "Future exception" not in err and "Exception" not in err, err
    time.sleep(1)
    assert _live_processes_matching(str(tmp_path / "runtime")) == []  # the kernel is gone
