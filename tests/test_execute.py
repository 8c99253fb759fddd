"""Failures a template author meets: a failing cell, a missing template, escaping, atomicity."""

import json
import sys

import nbformat
import pytest

from marketnotes import pipeline
from marketnotes.errors import TemplateCellFailed, TemplateNotFound
from conftest import run

pytestmark = pytest.mark.slow


def make_project(tmp_path, repo, template_cells=None, title="Test note", extra=""):
    (tmp_path / "templates").mkdir()
    (tmp_path / "params").mkdir()
    nb = nbformat.read(repo / "templates" / "weekly-rotation.ipynb", as_version=4)
    if template_cells:
        for index, source in template_cells:
            nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, tmp_path / "templates" / "weekly-rotation.ipynb")
    params = tmp_path / "params" / "t.yaml"
    params.write_text(
        f"title: {json.dumps(title)}\nas_of: 2018-12-21\nsource: sample\nformats: [html]\n"
        f"output_dir: {tmp_path / 'reports'}\n"
        "indices:\n  - {symbol: '^GSPC', label: S&P 500}\n  - {symbol: '^IXIC', label: NASDAQ}\n" + extra
    )
    return params


def test_failing_cell_names_template_cell_and_error_and_keeps_the_notebook(tmp_path, repo):
    params = make_project(tmp_path, repo, [(3, "x = 1\nraise ValueError('chart data looks wrong')")])
    spec, prices = pipeline.prepare(params)
    with pytest.raises(TemplateCellFailed) as exc:
        pipeline.render_note(spec, prices)
    err = exc.value
    assert err.cell == 4 and err.ename == "ValueError" and "chart data looks wrong" in err.evalue
    assert "[x = 1]" in str(err) and "weekly-rotation.ipynb" in str(err)
    failed = spec.out_dir.parent / "t.failed.ipynb"  # beside the note folder, never in it
    assert failed.exists() and str(failed) in str(err)
    assert not spec.out_dir.exists()  # no half-made note
    assert sorted(p.name for p in spec.out_dir.parent.iterdir()) == [".t.lock", "t.failed.ipynb"]  # no staging left


def test_cli_shows_one_line_for_a_failing_cell(tmp_path, repo):
    params = make_project(tmp_path, repo, [(3, "raise KeyError('boom')")])
    proc = run([sys.executable, "-m", "marketnotes", "render", str(params)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "300"})
    assert proc.returncode == 4
    assert "failed in cell 4 [raise KeyError('boom')]: KeyError" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_a_failed_rerun_leaves_the_previous_good_note(tmp_path, repo):
    params = make_project(tmp_path, repo)
    spec, prices = pipeline.prepare(params)
    good = pipeline.render_note(spec, prices).paths["html"].read_bytes()
    broken = tmp_path / "templates" / "weekly-rotation.ipynb"
    nb = nbformat.read(broken, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("1/0"))
    nbformat.write(nb, broken)
    with pytest.raises(TemplateCellFailed):
        pipeline.render_note(spec, prices)
    assert spec.path("note.html").read_bytes() == good


def test_text_from_params_is_escaped(tmp_path, repo):
    params = make_project(tmp_path, repo, title="<script>alert(1)</script> & co")
    params.write_text(params.read_text().replace("label: NASDAQ", "label: '<b>NASDAQ</b>'"))
    spec, prices = pipeline.prepare(params)
    html = pipeline.render_note(spec, prices).paths["html"].read_text()
    assert "<script>alert(1)</script>" not in html and "<b>NASDAQ</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;NASDAQ&lt;/b&gt;" in html


def test_missing_template_lists_where_it_looked(tmp_path, repo):
    params = make_project(tmp_path, repo, extra="template: nope\n")
    spec, prices = pipeline.prepare(params)
    with pytest.raises(TemplateNotFound, match="template 'nope' not found"):
        pipeline.render_note(spec, prices)


def test_work_handed_to_when_cells_start_runs_once_the_kernel_is_ready_and_before_any_cell(tmp_path, repo):
    from marketnotes.execute import when_cells_start

    params = make_project(tmp_path, repo, [(0, "open('first-cell-ran', 'w').close()")])
    marker = tmp_path / "templates" / "first-cell-ran"  # the kernel runs in the template's folder
    seen = []
    spec, prices = pipeline.prepare(params)
    with when_cells_start(lambda: seen.append(marker.exists())):
        pipeline.render_note(spec, prices)
    assert seen == [False] and marker.exists()
    marker.unlink()
    pipeline.render_note(spec, prices)  # outside the block: nothing is called
    assert seen == [False] and marker.exists()
