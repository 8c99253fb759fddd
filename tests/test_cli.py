"""The command line as a user meets it: real subprocesses, exit codes, one-line errors."""

import subprocess
import sys

import pytest

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


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["archive", "{root}", "--keep", "abc"], "invalid value for '--keep': Input should be a valid integer, unable to parse string as an integer (see `python -m marketnotes archive --help`)"),
        (["archive", "{root}", "--keep"], "option '--keep' requires an argument"),
        (["render"], "missing argument 'params_file'"),
        (["render", "{root}/x.yaml", "--bogus"], "no such option: --bogus"),
        (["rendr", "x.yaml"], "no such command 'rendr'"),
        (["batch", "{root}/x.yaml", "--retries", "-1"], "invalid value for '--retries'"),
        (["verify", "{root}/nope"], "is not a folder"),
        (["send", "{root}"], "missing option '--to'"),
    ],
)
def test_every_usage_error_is_one_error_line_and_exit_2(tmp_path, args, says):
    """Click's usage errors go through the CLI's one handler: one `error:` line naming the
    problem and the command's --help, exit 2, never Typer's framed usage box."""
    root = tmp_path / "reports"
    (root / "2018-12-21" / "demo").mkdir(parents=True)
    (root / "2018-12-21" / "demo" / "note.html").write_text("kept")
    code, out, err = run(*(a.format(root=root) for a in args))
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: ") and says in err, err
    assert "╭" not in err and "Usage:" not in err and "Traceback" not in err
    assert out == ""
    assert [p.name for p in root.rglob("*")] == ["2018-12-21", "demo", "note.html"]  # nothing touched


def test_no_arguments_still_print_the_help():
    code, out, err = run()
    assert code == 2 and "Usage:" in out and "render" in out and err == ""
    code, out, err = run("--help")
    assert code == 0 and "render" in out and err == ""


def test_a_rotation_of_an_index_against_itself_fails_params_check_in_one_line(tmp_path):
    params = tmp_path / "rut.yaml"
    params.write_text(
        "as_of: 2018-12-21\nindices:\n  - {symbol: '^RUT', label: Russell 2000}\n  - {symbol: '^GSPC', label: S&P 500}\n"
        f"rotation: {{lead: '^RUT', lag: '^RUT'}}\noutput_dir: {tmp_path / 'reports'}\n"
    )
    for command in ("params check", "render", "facts"):
        code, out, err = run(*command.split(), str(params))
        assert code == 2, err
        assert err == f"error: {params}: field 'rotation': lead and lag are both '^RUT'; the pair is two different indices\n"
    assert not (tmp_path / "reports").exists()
