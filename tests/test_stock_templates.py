"""The two stock templates beside the weekly one, rendered for real from their params files,
offline on the bundled sample: what a reader of each note sees, HTML and PDF, every number
in its prose traced to facts.json and passing the fact check."""

import json
import re
import sys

import pytest

from conftest import REPO, run
from marketnotes.facts import FactTable
from marketnotes.narrative.check import check_html, plain_text

PROSE = re.compile(r'<h2 class="mn-headline">(.*?)</h2>|<p class="mn-(?:lead|prose)">(.*?)</p>', re.S)
TRACED = re.compile(r'<span data-(?:fact|label)="[^"]+"[^>]*>[^<]*</span>')  # index names ("S&P 500") are traced as labels


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each stock note rendered once with `marketnotes render params/<name>.yaml`."""
    out = tmp_path_factory.mktemp("stock")
    notes = {}
    for name, as_of in (("cpi-reaction", "2018-10-11"), ("monthly-review", "2018-12-31")):
        proc = run([sys.executable, "-m", "marketnotes", "render", str(REPO / "params" / f"{name}.yaml"), "--output-dir", str(out)],
                   capture_output=True, text=True, timeout=240, cwd=REPO)
        assert proc.returncode == 0, proc.stderr
        notes[name] = (out / as_of / name, proc.stdout)
    return notes


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cpi-reaction", "monthly-review"])
def test_a_stock_note_renders_html_and_pdf_with_every_number_traced(rendered, name):
    from pypdf import PdfReader

    folder, stdout = rendered[name]
    html = (folder / "note.html").read_text(encoding="utf-8")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(folder / "note.pdf").pages)
    facts = FactTable.from_json((folder / "facts.json").read_text(encoding="utf-8"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fact_check"].startswith("fact check PASSED") and manifest["fact_check"].endswith("editorial lint clean") and manifest["editorial_lint"] == []
    paragraphs = [a or b for a, b in PROSE.findall(html)]
    assert len(paragraphs) >= 5  # headline, lead and the sections
    for paragraph in paragraphs:
        bare = plain_text(TRACED.sub("", paragraph))
        assert not re.search(r"\d", bare), f"a number without data-fact in: {plain_text(paragraph)!r}"
        assert check_html(paragraph, facts).ok
    headline = plain_text(paragraphs[0])
    assert headline in " ".join(stdout.split())  # what render prints is the note's own headline
    assert " ".join(headline.split()[:4]) in " ".join(pdf_text.split())
    assert "Not investment advice" in pdf_text and "<img" in html


@pytest.mark.slow
def test_the_cpi_note_shows_the_release_against_every_earlier_one(rendered):
    folder, _ = rendered["cpi-reaction"]
    html = (folder / "note.html").read_text(encoding="utf-8")
    assert "Dow tumbles 2.1%, worst CPI day since August 2011" in plain_text(html)
    assert "Stocks fell on Thursday even as the September CPI report showed core consumer prices up 0.1%" in plain_text(html)
    assert 'alt="Dow −2.1% on September CPI day, bigger than on 93% of release days since 1999"' in html
    assert "AGAINST PAST RELEASE DAYS" in plain_text(html).upper() and "The October CPI release is due" in plain_text(html)


@pytest.mark.slow
def test_the_monthly_review_shows_a_coloured_heat_table_of_twelve_months(rendered):
    folder, _ = rendered["monthly-review"]
    html = (folder / "note.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="mn-table mn-heat">.*?</table>', html, re.S).group(0)
    heads = re.findall(r"<th>([^<]*)", table.split("<tbody>")[0])[1:]
    assert heads[0] == "Jan" and heads[-2:] == ["Dec", "YTD"] and len(heads) == 13
    rows = re.findall(r"<tr><th>([^<]+)</th>(.*?)</tr>", table.split("<tbody>")[1])
    assert [label for label, _ in rows] == ["NASDAQ Composite", "S&amp;P 500", "Dow"]
    dow = re.findall(r'<td[^>]*data-fact="DJI\.month\.2018_12"[^>]*>([^<]+)</td>', table)
    assert dow == ["−8.7%"] and "background-color: rgba(179, 38, 30" in table  # December in red
    assert "NASDAQ Composite plunges 9.5% in December, entering a bear market" in plain_text(html)


INDICES = [{"symbol": "^IXIC", "label": "NASDAQ Composite"}, {"symbol": "^DJI", "label": "Dow"}]


def test_a_stock_output_asked_of_a_weekly_note_names_the_params_field_to_set():
    from marketnotes.notebook import Note, NoteKindMismatch

    note = Note.load(title="Weekly", as_of="2018-12-21", indices=INDICES, source="sample")
    with pytest.raises(NoteKindMismatch, match=r"note.chart\('release-days'\) draws on the facts of a cpi-reaction note, and this note is weekly: set 'note_kind: cpi-reaction'"):
        note.chart("release-days")
    with pytest.raises(NoteKindMismatch, match="note_kind: monthly-review"):
        note.monthly_table()


def test_a_cpi_note_needs_the_cpi_calendar():
    from marketnotes.errors import ParamsError
    from marketnotes.params import validate

    with pytest.raises(ParamsError, match="a cpi-reaction note needs 'cpi' in events"):
        validate({"indices": INDICES, "note_kind": "cpi-reaction", "events": ["fomc"]}, "test.yaml")
    with pytest.raises(ParamsError, match="note_kind"):
        validate({"indices": INDICES, "note_kind": "quarterly"}, "test.yaml")
