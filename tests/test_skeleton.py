"""A new template as its author starts it: `marketnotes templates new` (and the clone's
scripts/new_template.py, from any Python), and a skeleton whose first save in JupyterLab
changes nothing but what the author changed."""

import json
import os
import sys

import nbformat
import pytest

from conftest import REPO, run
from marketnotes.kernelspec import KERNEL_ARGS

MARKETNOTES = [sys.executable, "-m", "marketnotes"]


def test_templates_new_writes_the_skeleton_and_never_overwrites(tmp_path):
    target = tmp_path / "templates" / "mine.ipynb"
    proc = run([*MARKETNOTES, "templates", "new", str(target)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    nb = nbformat.read(target, as_version=4)
    assert any(c.source.startswith("note.say(") for c in nb.cells) and nb.cells[0].metadata.tags == ["parameters"]
    target.write_text("my work")
    again = run([*MARKETNOTES, "templates", "new", str(target)], capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and again.stderr.strip() == f"error: {target} exists; choose another name (an existing template is never overwritten)"
    assert target.read_text() == "my work"


def test_the_script_runs_from_a_python_without_marketnotes(tmp_path):
    """`python scripts/new_template.py` as the docs once wrote it, with the venv not active:
    the interpreter lacks nbformat and marketnotes, and the script re-runs itself with the
    clone's .venv/bin/python."""
    bare = sys._base_executable  # this venv's base interpreter: none of the venv's packages
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    assert run([bare, "-c", "import nbformat"], capture_output=True, env=env, timeout=30).returncode != 0
    proc = run([bare, str(REPO / "scripts" / "new_template.py"), "t.ipynb", "--stock"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "wrote t.ipynb"
    assert not [c for c in nbformat.read(tmp_path / "t.ipynb", as_version=4).cells if c.source.startswith("note.say(")]


@pytest.mark.slow
def test_running_the_skeleton_changes_no_metadata(tmp_path):
    """What Lab writes on the first save: nbclient (the client Lab's server and papermill
    share) records the kernel's language_info after running it, and Lab the kernelspec it
    lists; the skeleton already holds both, so executing it adds outputs and nothing else."""
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient

    target = tmp_path / "fresh.ipynb"
    assert run([*MARKETNOTES, "templates", "new", str(target)], timeout=60).returncode == 0
    written = json.loads(target.read_text())
    nb = nbformat.read(target, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60, extra_arguments=KERNEL_ARGS, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.metadata == written["metadata"]
    spec = KernelSpecManager().get_kernel_spec("python3")
    assert written["metadata"]["kernelspec"] == {"display_name": spec.display_name, "language": "python", "name": "python3"}
    assert written["metadata"]["language_info"]["version"] == ".".join(map(str, sys.version_info[:3]))
    nbformat.write(nb, target)  # saved after the run: the metadata lines of the file are as written
    saved = json.loads(target.read_text())
    assert saved["metadata"] == written["metadata"] and saved["nbformat_minor"] == written["nbformat_minor"]
    assert [c["source"] for c in saved["cells"]] == [c["source"] for c in written["cells"]]
    assert all(c["outputs"] is not None for c in saved["cells"]) and os.path.getsize(target) > 10_000
