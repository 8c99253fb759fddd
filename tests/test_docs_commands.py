"""docs/templates.md runs as written: its blocks marked `runnable` (```bash runnable,
```yaml runnable file=PATH, ```console runnable) run in order, in one shell with the
project's venv activated as the guide says, in a fresh HOME, and each console command's
output is the one the guide shows (numbers aside, and `…` for any text). A command renamed, a flag gone or an
output changed fails here, not for the next reader."""

import re
import shlex
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, run

GUIDE = REPO / "docs" / "templates.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.M | re.S)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def matches(shown: str, printed: str) -> bool:
    """A line the guide shows against the line printed: numbers (counts, timings) may differ,
    and `…` stands for any text (a headline the prose may word otherwise another day)."""
    pattern = "".join(".*" if part == "…" else re.escape(part) for part in re.split(r"(…)", NUMBER.sub("#", shown)))
    return re.fullmatch(pattern, NUMBER.sub("#", printed)) is not None


def runnable_blocks(text: str) -> list[tuple[str, dict, str]]:
    out = []
    for lang, info, body in BLOCK.findall(text):
        words = info.split()
        if "runnable" in words:
            out.append((lang, dict(w.split("=", 1) for w in words if "=" in w), body))
    return out


def script_and_expected(blocks, outputs: Path) -> tuple[str, list[tuple[str, list[str]]]]:
    """One bash script for every runnable block; each console command's output goes to a
    file, with what the guide shows it printing."""
    lines, expected = ["set -euo pipefail"], []
    for lang, attrs, body in blocks:
        if lang == "bash":
            lines.append(body)
        elif "file" in attrs:
            lines.append(f"mkdir -p \"$(dirname {shlex.quote(attrs['file'])})\"\ncat > {shlex.quote(attrs['file'])} <<'MARKETNOTES_DOC'\n{body}MARKETNOTES_DOC")
        elif lang == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, *shown = chunk.rstrip("\n").split("\n")
                target = outputs / f"{len(expected)}.out"
                lines.append(f"{command} > {shlex.quote(str(target))} 2>&1 || {{ echo 'exit '$?' from: '{shlex.quote(command)}; cat {shlex.quote(str(target))}; exit 1; }}")
                expected.append((command, shown))
        elif lang != "python":  # the guide's notebook cells run on a kernel, below
            raise AssertionError(f"runnable {lang} block without file=: {body[:60]!r}")
    return "\n".join(lines) + "\n", expected


def test_the_guide_marks_its_commands_runnable():
    blocks = runnable_blocks(GUIDE.read_text(encoding="utf-8"))
    commands = " ".join(body for _, _, body in blocks)
    assert "marketnotes templates new" in commands and "marketnotes render" in commands and "templates check" in commands
    assert not re.search(r"^python scripts/", commands, re.M)  # a bare `python` is not the venv's unless activated


@pytest.mark.slow
def test_the_guides_commands_run_as_written(tmp_path):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    script, expected = script_and_expected(runnable_blocks(GUIDE.read_text(encoding="utf-8")), outputs)
    activate = f". {shlex.quote(str(Path(sys.prefix) / 'bin' / 'activate'))}\n"  # `. .venv/bin/activate` in the clone
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "COLUMNS": "200", "LANG": "C.UTF-8"}
    proc = run(["bash", "-c", activate + script], capture_output=True, text=True, env=env, cwd=home, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for i, (command, shown) in enumerate(expected):
        printed = (outputs / f"{i}.out").read_text(encoding="utf-8").splitlines()
        assert len(printed) == len(shown) and all(matches(a, b) for a, b in zip(shown, printed, strict=True)), f"docs/templates.md shows another output for `{command}`:\n" + "\n".join(printed)


@pytest.mark.slow
def test_the_guides_cells_run_on_a_kernel(tmp_path):
    """Sections 3-7 as a notebook: the skeleton's parameters cell (section 2 shows it with
    `...`), then every runnable python block in order, on a python3 kernel; none fails, and
    the chart cell shows what the guide says it shows."""
    from nbclient import NotebookClient

    from marketnotes.kernelspec import KERNEL_ARGS
    from marketnotes.skeleton import PARAMETERS

    cells = [body for lang, _, body in runnable_blocks(GUIDE.read_text(encoding="utf-8")) if lang == "python"]
    assert len(cells) >= 6 and cells[0].startswith("from marketnotes.notebook import Note")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PARAMETERS)] + [nbformat.v4.new_code_cell(body) for body in cells]
    NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60, allow_errors=True, extra_arguments=KERNEL_ARGS, resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [(c.source.splitlines()[0], o.evalue) for c in nb.cells for o in c.outputs if o.output_type == "error"]
    assert errors == []
    chart = next(o.data["text/plain"] for o in nb.cells[-1].outputs if o.output_type == "execute_result")
    assert chart == "<Chart: The VIX soars 39.2% this week>"  # as section 7 says
