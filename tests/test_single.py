"""One note cold (runtime/single.py): what starts ahead of need changes nothing in the note."""

import os
import re
import threading
from collections import Counter

import nbformat
import pytest

from marketnotes import pipeline
from marketnotes.render import html
from marketnotes.runtime.single import render_one
from test_execute import make_project

pytestmark = pytest.mark.slow


def test_a_cold_note_is_the_note_rendered_without_its_head_starts(tmp_path, repo):
    """render_one warms the HTML exporter on a thread while the cells run and boots Chromium
    then; the note is the one pipeline.render_note makes without either."""
    params = make_project(tmp_path, repo, extra="formats: [html, pdf]\n")
    html.exporter.cache_clear()  # as in a new process: the warm-up builds the exporter the note uses
    stages = []
    cold = render_one(params, output_dir=tmp_path / "cold", on_stage=stages.append)
    assert stages == ["loading data", "facts", "notebook", "html", "pdf", "manifest"]

    spec, prices = pipeline.prepare(params, output_dir=tmp_path / "plain")
    plain = pipeline.render_note(spec, prices)
    assert cold.paths["facts"].read_bytes() == plain.paths["facts"].read_bytes()
    strip = lambda page: page.split("Generated")[0]  # the footer's generation time differs, nothing else
    assert strip(cold.paths["html"].read_text()) == strip(plain.paths["html"].read_text())
    outputs = lambda path: [o.get("data") for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", [])]
    assert outputs(cold.paths["notebook"]) == outputs(plain.paths["notebook"])
    assert cold.paths["pdf"].read_bytes()[:5] == b"%PDF-"


def test_a_note_that_fails_in_its_notebook_leaves_no_warm_up_thread_behind(tmp_path, repo):
    from marketnotes.errors import TemplateCellFailed

    params = make_project(tmp_path, repo, [(3, "raise ValueError('bad cell')")])
    with pytest.raises(TemplateCellFailed):
        render_one(params, output_dir=tmp_path / "out")
    assert [t.name for t in threading.enumerate() if t.name.startswith("marketnotes-")] == []


def test_notes_rendered_one_after_another_in_one_process_leave_nothing_running(tmp_path, repo):
    """A notebook session or script that renders note after note holds after the third what
    it held after the first: no kernel client's heartbeat thread, zmq context or socket is
    left per note (nbclient leaves open the client of a kernel it did not start), and a batch
    forked from that process later does not inherit them."""
    params = make_project(tmp_path, repo)
    held = []
    for n in range(3):
        render_one(params, output_dir=tmp_path / f"out-{n}")
        fds = sorted(re.sub(r"\[\d+\]|#\d+", "", os.readlink(f"/proc/self/fd/{fd}")) for fd in os.listdir("/proc/self/fd") if os.path.exists(f"/proc/self/fd/{fd}"))
        held.append((sorted(t.name for t in threading.enumerate()), fds))  # what they are, not which
    assert held[2][0] == held[0][0]
    assert Counter(held[2][1]) - Counter(held[0][1]) == Counter(), Counter(held[2][1]) - Counter(held[0][1])
