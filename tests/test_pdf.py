"""PDF backend selection and the missing-browser error."""

import pytest

from marketnotes.errors import BrowserNotFound
from marketnotes.render import pdf


def test_explicit_chromium_path_must_exist(monkeypatch):
    monkeypatch.setenv("MARKETNOTES_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(BrowserNotFound, match="MARKETNOTES_CHROMIUM=/nonexistent/chromium"):
        pdf.find_chromium()


def test_no_browser_anywhere_says_how_to_install_one(monkeypatch, tmp_path):
    monkeypatch.delenv("MARKETNOTES_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))  # Playwright's own: absent
    with pytest.raises(BrowserNotFound) as exc, pdf.get_backend("chromium") as backend:
        backend.render("<p>x</p>", tmp_path / "x.pdf", "t", "A4")
    assert "apt-get install chromium" in str(exc.value) and "--format html" in str(exc.value)
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_backend_and_page_sizes(tmp_path):
    with pytest.raises(Exception, match="unknown PDF backend 'wkhtml'"):
        pdf.get_backend("wkhtml")
    with pdf.get_backend() as backend:
        letter = backend.render("<h1>Letter</h1>", tmp_path / "l.pdf", "Title <b>", "Letter")
        a4 = backend.render("<h1>A4</h1>", tmp_path / "a.pdf", "Title", "A4")
    from pypdf import PdfReader

    assert [round(float(x)) for x in PdfReader(letter).pages[0].mediabox[2:]] == [612, 792]
    assert [round(float(x)) for x in PdfReader(a4).pages[0].mediabox[2:]] == [596, 843]


def test_a_browser_that_went_away_is_relaunched_for_the_next_pdf(tmp_path):
    """A batch worker keeps one Chromium for all its notes; if it crashes, the next note
    still gets its PDF."""
    from pypdf import PdfReader

    with pdf.get_backend() as backend:
        backend.render("<h1>first</h1>", tmp_path / "1.pdf", "t", "A4")
        backend._thread.submit(lambda: backend._browser.close()).result()  # the browser is gone
        second = backend.render("<h1>second</h1>", tmp_path / "2.pdf", "t", "A4")
    assert "second" in PdfReader(second).pages[0].extract_text()


def test_a_long_run_of_pdfs_keeps_one_tab_each_pdf_its_own_page(tmp_path):
    """A batch prints TAB_NOTES notes in a tab before a fresh one (a fresh tab per note costs
    Chromium a third of a print): across several tabs' worth of notes, each PDF shows its own
    note and nothing of the one before, and the browser holds one tab, not one per note."""
    from pypdf import PdfReader

    notes = 2 * pdf.ChromiumPdf.TAB_NOTES + 1
    with pdf.get_backend() as backend:
        made = [backend.render(f"<h1>Note {i}</h1>", tmp_path / f"{i}.pdf", f"Note {i}", "A4") for i in range(notes)]
        tabs = backend._thread.submit(lambda: sum(len(c.pages) for c in backend._browser.contexts)).result()
    assert [PdfReader(p).pages[0].extract_text().split("\n")[0] for p in made] == [f"Note {i}" for i in range(notes)]
    assert tabs == 1
