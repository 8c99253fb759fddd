"""The rendered note as a reader meets it: HTML in a real Chromium, the PDF's text and pixels."""

import json

import matplotlib.image as mpimg
import nbformat
import pytest
from playwright.sync_api import sync_playwright

from marketnotes import pipeline
from marketnotes.charts.house import PHONE, PHONE_DPI, SIZE
from marketnotes.render.pdf import CHROMIUM_ARGS, find_chromium
from conftest import run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(repo, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", output_dir=out)
    return pipeline.render_note(spec, prices)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_outputs_land_where_promised(demo):
    names = sorted(p.name for p in demo.spec.out_dir.iterdir())
    assert names == ["facts.json", "manifest.json", "note.html", "note.ipynb", "note.pdf"]
    assert demo.spec.out_dir.parts[-2:] == ("2018-12-21", "demo")


def test_html_opens_cleanly_in_chromium(demo, browser):
    page = browser.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("data:", "file:")) else None)
    page.goto(demo.paths["html"].resolve().as_uri(), wait_until="load")
    assert errors == [] and requests == []  # self-contained: nothing fetched from a network
    headline = page.inner_text("h2.mn-headline")
    assert headline == demo.analysis.narrative.headline.text
    body = page.inner_text("body")
    assert demo.analysis.narrative.lead[0].text in body.replace("\n", " ")
    sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(sizes) == 4 and all(ok and w > 0 and h > 0 for ok, w, h in sizes)
    assert page.locator("script").count() == 0
    assert "Not investment advice" in body and "as of Friday 2018-12-21 close" in body
    # no code showing
    assert "Note.load" not in body and "import" not in body
    # every traced number points at a fact in facts.json
    facts = {f["id"] for f in json.loads(demo.paths["facts"].read_text())["facts"]}
    cited = page.eval_on_selector_all("[data-fact]", "els => els.flatMap(e => e.dataset.fact.split(' '))")
    assert cited and set(cited) <= facts
    page.close()


def test_readable_on_a_phone(demo, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(demo.paths["html"].resolve().as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.close()


@pytest.mark.parametrize("width, shown", [(390, "image/png"), (1024, "image/svg+xml")])
def test_each_screen_gets_a_chart_drawn_for_its_width(demo, browser, width, shown):
    """On a phone the charts are the ones laid out 4 inches wide (their text stays ~9 pt), as
    640-px images; on a desktop, and so in the PDF, the column-width ones, as vectors."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(demo.paths["html"].resolve().as_uri())
    page.wait_for_load_state("load")
    images = page.evaluate("[...document.querySelectorAll('figure.mn-figure img')].map(i => [i.currentSrc.slice(5, 25), i.naturalWidth, i.clientWidth])")
    page.close()
    assert len(images) == 4
    for source, natural, on_screen in images:
        assert source.startswith(shown)
        inches = PHONE[0] if shown == "image/png" else SIZE[0]
        assert abs(natural - inches * (PHONE_DPI if shown == "image/png" else 96)) <= 1  # an SVG's size is in CSS px
        assert on_screen <= width


def test_the_pdfs_charts_are_vectors(demo):
    """Charts print as paths, not pictures: crisp at any zoom and on paper. Page 1 holds the
    performance chart; the only raster images in the PDF would be charts."""
    listing = run(["pdfimages", "-list", str(demo.paths["pdf"])], capture_output=True, text=True, check=True).stdout
    assert len(listing.strip().splitlines()) == 2  # the header lines, and no image


def test_pdf_has_the_prose_and_no_code(demo):
    text = run(["pdftotext", "-layout", str(demo.paths["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert demo.analysis.narrative.headline.text in flat
    assert "Page 1 of" in flat and demo.spec.params.title in flat
    for code in ("Note.load", "import ", "note.chart", "price_snapshot"):
        assert code not in flat
    info = run(["pdfinfo", str(demo.paths["pdf"])], capture_output=True, text=True, check=True).stdout
    assert "pts (A4)" in info  # pdfinfo names the paper size


def test_the_pdfs_chart_labels_are_text_a_reader_can_search(demo):
    """Charts print their titles, keys and axis labels as text in the house font (charts/
    svgfont.py): a reader finds "rebased to 100" with the PDF viewer's search, and every
    font is embedded (the charts' own among them), so it prints the same on any machine."""
    text = " ".join(run(["pdftotext", str(demo.paths["pdf"]), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "rebased to 100" in text and "below highest close" in text
    fonts = run(["pdffonts", str(demo.paths["pdf"])], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert len(fonts) > 3  # the page's three faces, and the charts'
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column


def test_page_one_charts_stay_inside_the_margins(demo, tmp_path):
    run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(demo.paths["pdf"]), str(tmp_path / "p")], check=True)
    page = mpimg.imread(next(tmp_path.glob("p*.png")))[:, :, :3]
    height, width = page.shape[:2]
    margin = int(width * 10 / 210)  # 10 mm of 210: inside the 15 mm print margin
    ink = page.min(axis=2) < 0.9
    assert not ink[:, :margin].any() and not ink[:, -margin:].any(), "something crosses the side margins"
    assert ink[:, margin:-margin].mean() > 0.02  # and the page is not blank


def test_manifest_records_what_the_note_was_made_from(demo):
    manifest = json.loads(demo.paths["manifest"].read_text())
    assert manifest["as_of"] == {"requested": "2018-12-21", "session": "2018-12-21", "phrase": "as of Friday 2018-12-21 close"}
    assert manifest["params"]["indices"][0]["symbol"] == "^IXIC"
    assert len(manifest["data"]["sha256"]) == 64 and manifest["fact_check"].startswith("fact check PASSED")
    assert set(manifest["timings_seconds"]) == {"facts", "notebook", "html", "pdf"}
    assert "note.pdf" in manifest["files"] and manifest["versions"]["papermill"]


def test_the_executed_notebook_keeps_its_parameters(demo):
    nb = nbformat.read(demo.paths["notebook"], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "as_of = \"2018-12-21\"" in injected[0].source


def test_the_executed_notebook_is_written_once_as_nbformat_writes_it(demo):
    """papermill's final write is published as note.ipynb (not serialised a second time): it
    must be exactly what nbformat writes for the notebook, the injected cell's id pinned so
    the same note gives the same file, and nothing of the run left beside it."""
    raw = demo.paths["notebook"].read_bytes()
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    assert nbformat.writes(nb).encode("utf-8") == raw
    assert [c.id for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])] == ["injected-parameters"]
    assert oct(demo.paths["notebook"].stat().st_mode & 0o777) == "0o644"
    assert not list(demo.paths["notebook"].parent.glob(".*running*"))
