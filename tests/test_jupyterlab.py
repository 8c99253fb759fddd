"""A template edited the way people edit one: a real JupyterLab server on 127.0.0.1 and the
system Chromium driven by Playwright open the skeleton, run all its cells, and show the
preview: the note's headline inside it, the check summary, a lint finding named by the cell
number JupyterLab shows.

JupyterLab is the `.[jupyter]` extra, which `make test` (and so CI) installs; without it the
test is skipped. A Lab server with a browser is ~20-40 s on two cores (`pytest -m "not lab"`
leaves it out of a quick run).
With MARKETNOTES_SCREENSHOTS=DIR it also saves the 1,280-px screenshot the README shows.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from conftest import run

pytestmark = pytest.mark.lab
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "marketnotes-lab-test"
LINTED = "note.say(\"{{ the('^IXIC', true) }} {{ move('IXIC.ret.1w') }} {{ window('1w') }} in percent terms.\")"


@pytest.fixture(autouse=True)
def lab_installed():
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed: pip install -e '.[jupyter]'")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"JupyterLab did not answer at {url}")


@pytest.fixture
def lab_server(tmp_path):
    """`jupyter lab` as the guide starts it (as root: --allow-root), on a free loopback port,
    with its config, runtime and workspaces in the test's HOME; the whole process group
    (server and kernels) is killed afterwards."""
    root = tmp_path / "notes"
    (root / "templates").mkdir(parents=True)
    template = root / "templates" / "vix-week.ipynb"
    assert run([sys.executable, "-m", "marketnotes", "templates", "new", str(template)], timeout=60).returncode == 0
    nb = nbformat.read(template, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.source.startswith("note.plot(")) + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(LINTED))
    nb.cells[at]["id"] = "linted"
    nbformat.write(nb, template)
    port = free_port()
    home = tmp_path / "home"
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "LANG": "C.UTF-8",
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None",
    ]
    log = open(tmp_path / "lab.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", time.monotonic() + 60)
        yield {"url": f"http://127.0.0.1:{port}/lab/tree/templates/vix-week.ipynb?token={TOKEN}", "cell": at + 1, "template": template}
    finally:
        os.killpg(server.pid, 9)
        server.wait(timeout=30)
        log.close()


def test_run_all_in_jupyterlab_ends_with_the_preview(lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(lab_server["url"], timeout=60_000)
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)  # the kernel connected, as the status bar says
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
            # Lab 4 draws off-screen cells lazily: wait for the output to exist, then scroll to it
            try:
                preview = page.wait_for_selector(".mn-preview", state="attached", timeout=120_000)
            except Exception:
                page.screenshot(path=str(lab_server["template"].parents[2] / "failed.png"))
                raise
            preview.scroll_into_view_if_needed()
            for button in page.get_by_role("button", name="No", exact=True).all():  # "get notified about Jupyter news?"
                button.click()
                button.wait_for(state="detached")
            summary = preview.query_selector("p").inner_text()
            findings = [li.inner_text() for li in preview.query_selector_all("li")]
            frame = page.frame_locator("iframe[title='note preview']")
            headline = frame.locator("h2.mn-headline").inner_text(timeout=30_000)
            volatility = frame.locator("h3.mn-section", has_text="Volatility").count()
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").evaluate_all("els => els.map(e => e.textContent)")
            shots = os.environ.get("MARKETNOTES_SCREENSHOTS")
            if shots:
                page.screenshot(path=str(Path(shots) / "preview-in-jupyterlab.png"))
        finally:
            browser.close()
    assert summary.startswith("fact check PASSED: ") and "editorial lint: " in summary
    assert any(f.startswith(f"lint cell {lab_server['cell']}: [banned-phrase]") for f in findings), findings
    assert headline.startswith("NASDAQ Composite enters a bear market") and volatility == 1
    assert any("EditorialLint: [banned-phrase]" in e for e in errors)  # the cell itself showed its finding, one line
