"""A template's errors as a template author meets them in JupyterLab: a real kernel (nbclient,
as Lab and papermill run cells) shows SayCheckFailed, FactRejected and NoteKindMismatch as their
one documented line (IPython's `_render_traceback_`), and an editorial-lint finding as one
`EditorialLint: …` line on the cell's stderr, not a traceback through marketnotes' code."""

import sys

import nbformat
import pytest

from conftest import REPO
from marketnotes.kernelspec import KERNEL_ARGS

sys.path.insert(0, str(REPO / "scripts"))
import new_template  # noqa: E402

FAILING = {
    "say": "note.say(\"{{ the('^DJI', true) }} closed at 30.11.\")",
    "add_fact": 'note.add_fact("VIX 52w high", 37.32, "level", "VIX highest close over the past year")',
    "kind": "note.monthly_table()",
    "lint": "note.say(\"{{ the('^IXIC', true) }} {{ move('IXIC.ret.1w') }} {{ window('1w') }}, a drop of {{ n('IXIC.ret.1w') }} percent.\")",
}


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """The skeleton's parameters and Note.load cells, then one failing cell per error, run on a
    real python3 kernel with nbclient; returns each cell's outputs by name."""
    from nbclient import NotebookClient

    folder = tmp_path_factory.mktemp("lab")
    assert new_template.main([str(folder / "skeleton.ipynb")]) == 0
    nb = nbformat.read(folder / "skeleton.ipynb", as_version=4)
    nb.cells = nb.cells[:2] + [nbformat.v4.new_code_cell(source) for source in FAILING.values()]
    client = NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60, allow_errors=True, extra_arguments=KERNEL_ARGS, resources={"metadata": {"path": str(folder)}})
    client.execute()
    assert not [o for c in nb.cells[:2] for o in c.outputs if o.output_type == "error"], nb.cells[1].outputs
    return {name: cell.outputs for name, cell in zip(FAILING, nb.cells[2:], strict=True)}


def error_of(outputs):
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1, outputs
    return errors[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cell", "ename", "line"),
    [
        ("say", "SayCheckFailed", "SayCheckFailed: unsourced number '30.11.' in: 'The Dow closed at 30.11.' (numbers, dates and move verbs come only from facts: {{ n('ID') }}, {{ move('ID') }}; note.facts_frame() lists the ids)"),
        ("add_fact", "FactRejected", "FactRejected: note.add_fact('VIX 52w high'): malformed id: write <subject>.<what>, letters, digits and _ between dots, e.g. 'VIX.high.1y'"),
        ("kind", "NoteKindMismatch", "NoteKindMismatch: note.monthly_table() draws on the facts of a monthly-review note, and this note is weekly: set 'note_kind: monthly-review' in its params file"),
    ],
)
def test_a_failing_cell_shows_its_one_documented_line(ran, cell, ename, line):
    error = error_of(ran[cell])
    assert error.ename == ename
    assert error.traceback == [line]  # what Lab draws under the cell: no frames, no docstrings
    assert f"{ename}: {error.evalue}" == line


@pytest.mark.slow
def test_a_lint_finding_is_one_line_on_the_cells_stderr(ran):
    outputs = ran["lint"]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    lines = stderr.splitlines()
    assert {"EditorialLint: [banned-phrase", "EditorialLint: [repeated-fact"} <= {line.split("]")[0] for line in lines}, stderr  # and any other rule's finding, each on its line
    assert all(line.startswith("EditorialLint: [") for line in lines), stderr
    assert all(line.endswith("-- in: 'The NASDAQ Composite plunged 8.4% this week, a drop of 8.4% percent.'") for line in lines), stderr
    assert "ipykernel" not in stderr and "warnings.warn" not in stderr
