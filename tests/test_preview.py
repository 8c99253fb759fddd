"""`note.preview()` on a real kernel, as JupyterLab runs a template: the page it shows is the
page `marketnotes render` publishes from the same cells, its summary is the render's check
line, and each lint finding and failing cell is named by its cell number in the notebook."""

import html
import json
import os
import re
import sys

import nbformat
import pytest

from conftest import run
from marketnotes.kernelspec import KERNEL_ARGS

LINTED = "note.say(\"{{ the('^IXIC', true) }} {{ move('IXIC.ret.1w') }} {{ window('1w') }} in percent terms.\")"
FAILING = "note.say(\"{{ the('^DJI', true) }} closed at 30.11.\")"
PREVIEW = "note.preview()"  # the skeleton's last cell ends with it
STATED = 'note.facts_frame("VIX.close").stated.iloc[0]'
DISPLAYED = "from IPython.display import HTML, display\ndisplay(HTML('<p class=\"mn-prose\">Shown with display().</p>'))\nprint('Printed by the template.')"


def page_of(bundle) -> str:
    return html.unescape(re.search(r'srcdoc="([^"]*)"', bundle["text/html"]).group(1))


def published_form(page: str) -> str:
    """What a reader sees of a page: without the time it was generated, the cell ids nbconvert
    writes as anchors, and the empty wrappers of cells that show nothing (a render has those
    of the parameters cells, the preview only cells that showed something)."""
    page = re.sub(r"Generated [0-9-]+ [0-9:]+ UTC", "Generated …", page)
    page = re.sub(r' id="cell-id=[^"]*"', "", page)
    return re.sub(r'<div class="jp-Cell [^"]*jp-mod-noOutputs[^"]*">\s*</div>', "", page)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A project with the skeleton plus a linted paragraph and a preview cell (the template a
    render gets), and the same notebook with a failing cell and a second preview after it,
    run on a python3 kernel that knows its notebook (JPY_SESSION_NAME, as Jupyter's server
    starts kernels); the render of the template alongside."""
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("preview")
    (root / "templates").mkdir()
    (root / "params").mkdir()
    template = root / "templates" / "vix.ipynb"
    assert run([sys.executable, "-m", "marketnotes", "templates", "new", str(template)], timeout=60).returncode == 0
    nb = nbformat.read(template, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.source.startswith("note.plot(")) + 1
    nb.cells[at:at] = [nbformat.v4.new_code_cell(LINTED), nbformat.v4.new_code_cell(DISPLAYED)]
    assert nb.cells[-1].source.endswith(PREVIEW)  # the skeleton ends with the preview
    nbformat.write(nb, template)
    params = root / "params" / "vix.yaml"
    params.write_text(
        f"template: vix\nas_of: 2018-12-21\nsource: sample\nformats: [html]\noutput_dir: {root / 'reports'}\n"
        "title: 'Weekly market note: tech vs the blue chips'\n"
        "indices:\n  - {symbol: '^IXIC', label: NASDAQ Composite}\n  - {symbol: '^GSPC', label: S&P 500}\n  - {symbol: '^DJI', label: Dow}\n"
        "rotation: {lead: '^IXIC', lag: '^DJI', threshold_pct: 1.0}\nlookback: [1d, 1w, 1m, 3m, ytd]\nchart_years: 1.0\nevents: [cpi]\n"
    )
    proc = run([sys.executable, "-m", "marketnotes", "render", str(params)], capture_output=True, text=True, timeout=240, env={**os.environ, "COLUMNS": "400"})
    assert proc.returncode == 0, proc.stderr

    session = root / "session.ipynb"
    nb.cells += [nbformat.v4.new_code_cell(FAILING), nbformat.v4.new_code_cell(PREVIEW), nbformat.v4.new_code_cell(STATED)]
    nbformat.write(nb, session)  # saved, as JupyterLab saves before and while it runs
    nb = nbformat.read(session, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60, allow_errors=True, extra_arguments=KERNEL_ARGS, resources={"metadata": {"path": str(root)}})
    client.execute(env={**os.environ, "JPY_SESSION_NAME": str(session)})
    numbers = {name: next(i for i, c in enumerate(nb.cells, start=1) if c.source == src) for name, src in (("linted", LINTED), ("failing", FAILING))}
    previews = [c for c in nb.cells if c.source.endswith(PREVIEW)]
    bundles = [next(o.data for o in c.outputs if o.output_type == "execute_result") for c in previews]
    numbers["say"] = next(i for i, c in enumerate(nb.cells, start=1) if c.source.startswith("note.say(\"{{ the('^VIX'"))
    stated = next(o.data["text/plain"] for o in nb.cells[-1].outputs if o.output_type == "execute_result")
    return {"root": root, "render": proc.stdout, "bundles": bundles, "numbers": numbers, "stated": stated, "folder": root / "reports" / "2018-12-21" / "vix"}


@pytest.mark.slow
def test_the_preview_is_the_page_render_publishes(lab):
    published = (lab["folder"] / "note.html").read_text(encoding="utf-8")
    page = page_of(lab["bundles"][0])
    assert published_form(page) == published_form(published)
    assert "Volatility</h3>" in page and page.count("data:image/svg+xml;base64,") == 5  # four house charts and the VIX's
    assert "Shown with display().</p>" in page and "Printed by the template." in page  # displayed and printed, as a render publishes them
    assert "mn-preview" not in published  # the template's own preview cell shows nothing in a render


@pytest.mark.slow
def test_the_preview_says_what_render_says_with_each_finding_by_cell(lab):
    manifest = json.loads((lab["folder"] / "manifest.json").read_text())
    summary, *rest = lab["bundles"][0]["text/plain"].splitlines()
    assert summary == manifest["fact_check"] and "editorial lint: " in summary
    n = lab["numbers"]["linted"]
    assert n in {f["cell"] for f in manifest["editorial_lint"]}
    assert [line for line in rest if line.startswith("  lint")] == [f"  lint {'cell ' + str(f['cell']) if f['cell'] else 'stock prose'}: [{f['rule']}] {f['text']}" for f in manifest["editorial_lint"]]
    # a section with nothing to say is named with the reason, in the preview and in the manifest
    assert [line for line in rest if line.startswith("  left out")] == [f"  left out: {s['section']}: {s['why']}" for s in manifest["sections_left_out"]]
    assert {"section": "Events", "why": "no release in the note's week (the last: CPI release Dec. 12)"} in manifest["sections_left_out"]
    assert f"lint cell {n}: [banned-phrase]" in lab["render"]


@pytest.mark.slow
def test_a_failing_cell_is_named_and_left_out_of_the_page(lab):
    after = lab["bundles"][1]
    lines = after["text/plain"].splitlines()
    n = lab["numbers"]["failing"]
    assert lines[1] == f"  cell {n} FAILED (a render stops here): SayCheckFailed: unsourced number '30.11.' in: 'The Dow closed at 30.11.' (numbers, dates and move verbs come only from facts: {{{{ n('ID') }}}}, {{{{ move('ID') }}}}; note.facts_frame() lists the ids)"
    assert "color:#b42318" in after["text/html"]  # the summary shows red
    assert published_form(page_of(after)) == published_form(page_of(lab["bundles"][0]))


@pytest.mark.slow
def test_facts_the_templates_own_paragraph_stated_are_marked_with_its_cell(lab):
    assert lab["stated"] == f"'cell {lab['numbers']['say']}'"  # VIX.close, said by the skeleton's VIX paragraph
