"""Every number shows its source (issue 17, item 9): each cited figure in note.html carries its
fact's description, window and facts.json id; hovering (or tapping) it shows them, in a real
Chromium; the fact checker reads the same prose it read before; the PDF shows none of it."""

import html as htmllib
import re

import nbformat
import pytest
from playwright.sync_api import sync_playwright

from conftest import run
from marketnotes import pipeline
from marketnotes.facts import FactTable
from marketnotes.narrative.check import check_html, plain_text
from marketnotes.render.pdf import CHROMIUM_ARGS, find_chromium
from marketnotes.render.sources import UnknownSource, annotate, bare, cited, explain

HOSTILE = '<script>alert("x")</script> & \'quoted\''
WRAPPED = re.compile(r'<span class="mn-src" tabindex="0" title="([^"]*)">(<span data-fact="([^"]+)"[^>]*>[^<]*</span>)</span>')


def table() -> FactTable:
    facts = FactTable("2018-12-21", {"^DJI": "Dow"})
    facts.add("DJI.ret.1w", -0.0687, "pct", "Dow return over the week", "2018-12-14", "2018-12-21", "^DJI")
    facts.add("DJI.close", 22445.37, "level", "Dow close", None, "2018-12-21", "^DJI")
    facts.add("my.bad", 3, "count", HOSTILE, None, "2018-12-21")
    return facts


# -- the page, as text ----------------------------------------------------------------------


def test_each_figure_is_wrapped_with_its_description_window_and_id_and_its_own_markup_kept():
    prose = '<p>The Dow <span data-fact="DJI.ret.1w" data-word="past">sank</span> <span data-fact="DJI.ret.1w" data-fmt="pct1">6.9%</span> to <span data-fact="DJI.close" data-fmt="level">22,445.37</span>.</p>'
    page = annotate(prose, table())
    titles = {fid: htmllib.unescape(title) for title, _, fid in WRAPPED.findall(page)}
    assert titles["DJI.ret.1w"] == "Dow return over the week\n2018-12-14 to 2018-12-21\nfacts.json · DJI.ret.1w"
    assert titles["DJI.close"] == "Dow close\non 2018-12-21\nfacts.json · DJI.close"
    assert [span for _, span, _ in WRAPPED.findall(page)] == re.findall(r"<span data-fact[^>]*>[^<]*</span>", prose)  # byte for byte
    assert plain_text(page) == plain_text(prose) and bare(page) == prose  # the reader's text is unchanged
    assert check_html(page, table()).__dict__ == check_html(prose, table()).__dict__


def test_a_description_is_escaped_and_cannot_open_a_tag_or_leave_its_attribute():
    page = annotate('<span data-fact="my.bad" data-fmt="count">three</span>', table())
    assert "<script" not in page and 'alert("x")' not in page
    (title,) = re.findall(r'title="([^"]*)"', page)
    assert htmllib.unescape(title).startswith(HOSTILE + "\n")


def test_cells_groups_and_hand_written_titles():
    page = annotate('<td class="down" data-fact="DJI.ret.1w">-6.9%</td><span data-fact="DJI.ret.1w DJI.close" data-word="group">fell</span>'
                    '<span data-fact="DJI.close" title="mine">x</span>', table())
    assert re.search(r'<td class="down" data-fact="DJI.ret.1w" tabindex="0" title="Dow return over the week&#10;[^"]+">-6.9%</td>', page)
    group = htmllib.unescape(WRAPPED.findall(page)[0][0])
    assert "facts.json · DJI.ret.1w" in group and "facts.json · DJI.close" in group
    assert page.endswith('<span data-fact="DJI.close" title="mine">x</span>')


def test_a_figure_citing_a_fact_the_table_lacks_stops_the_page():
    with pytest.raises(UnknownSource, match="'DJI.ret.ytd', which is not in facts.json"):
        annotate('<span data-fact="DJI.ret.ytd" data-fmt="pct1">9.2%</span>', table())


def test_a_fact_without_dates_is_still_explained():
    facts = FactTable("2018-12-21", {})
    facts.add("note.kind", "weekly", "text", "which stock note this is")
    assert explain(facts["note.kind"]) == "which stock note this is\nfacts.json · note.kind"


# -- a rendered note ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def note(repo, tmp_path_factory):
    """The demo note from the stock weekly template plus one cell of a template's own: a fact
    whose description is hostile HTML, cited in a `say` paragraph."""
    work = tmp_path_factory.mktemp("sources")
    nb = nbformat.read(repo / "templates" / "weekly-rotation.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        f"note.add_fact('my.sources', 3, 'count', {HOSTILE!r})\n"
        "note.say(\"The desk counted {{ n('my.sources', 'count') }} sources.\")"
    ))
    template = work / "sourced.ipynb"
    nbformat.write(nb, template)
    spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", [f"template={template}", "timeout=240"], output_dir=work / "reports")
    return pipeline.render_note(spec, prices)


@pytest.mark.slow
def test_every_cited_figure_in_a_rendered_note_carries_its_explanation(note):
    html = note.paths["html"].read_text(encoding="utf-8")
    facts = FactTable.from_json(note.paths["facts"].read_text(encoding="utf-8"))
    ids = cited(html)
    assert len(ids) > 40 and "my.sources" in ids
    untitled = re.findall(r'<(?!span data-fact)[^<>]*\sdata-fact="[^"]*"(?![^<>]*\stitle=)[^<>]*>', html)
    assert untitled == []  # every table cell citing a fact has its title
    for title, _, fid in WRAPPED.findall(html):
        text = htmllib.unescape(title)
        assert text.startswith(facts[fid].description + "\n") and text.endswith(f"facts.json · {fid}")
    assert len(WRAPPED.findall(html)) == len(re.findall(r"<span data-fact=", html))  # every prose figure wrapped
    assert "<script" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, timeout=60_000)
        yield b
        b.close()


SHOWN = "e => { const s = getComputedStyle(e, '::after'); return s.display === 'none' || s.content === 'none' ? '' : s.content }"


@pytest.mark.slow
def test_hovering_a_number_shows_what_fact_it_is(note, browser):
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    page.set_default_timeout(30_000)
    page.goto(note.paths["html"].resolve().as_uri())
    figure = page.locator("p.mn-lead .mn-src").filter(has=page.locator('[data-fmt="pct1"]')).first
    fid = figure.locator("[data-fact]").get_attribute("data-fact")
    description = note.analysis.facts[fid].description
    assert figure.evaluate(SHOWN) == ""  # nothing shown until asked
    figure.hover()
    shown = figure.evaluate(SHOWN)
    assert description in shown and f"facts.json · {fid}" in shown
    box, text = figure.bounding_box(), page.locator("p.mn-lead")
    assert box["width"] > 0 and text.inner_text().count("facts.json") == 0  # the prose reads as before
    assert page.locator("script").count() == 0
    mine = page.locator('.mn-src:has([data-fact="my.sources"])')
    mine.hover()
    assert mine.evaluate(SHOWN).startswith('"' + HOSTILE.replace('"', '\\"'))  # shown as text, not run
    page.close()


@pytest.mark.slow
def test_tapping_a_number_on_a_phone_shows_it_inside_the_screen(note, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(note.paths["html"].resolve().as_uri())
    for figure in (page.locator("p.mn-lead .mn-src").nth(2), page.locator("table.mn-table td[data-fact]").nth(3)):
        figure.scroll_into_view_if_needed()
        figure.tap()
        shown = figure.evaluate(SHOWN)
        assert "facts.json · " in shown
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()


@pytest.mark.slow
def test_the_pdf_shows_no_explanations(note):
    text = run(["pdftotext", str(note.paths["pdf"]), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    assert note.analysis.narrative.headline.text in " ".join(text.split())
    assert "facts.json" not in text and "alert" not in text
