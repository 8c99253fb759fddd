"""By the numbers (issue 17, item 8): each index's week in figures, every one a traced span
that passes the fact check, on weeks of the bundled sample whose figures are known."""

import re

import nbformat
import pytest
from markupsafe import Markup

from marketnotes import pipeline
from marketnotes.narrative import numbers
from marketnotes.narrative.check import check_html, plain_text
from marketnotes.narrative.numbers import NumbersCheckFailed, by_the_numbers
from marketnotes.notebook import Note

INDICES = [{"symbol": "^IXIC", "label": "NASDAQ Composite"}, {"symbol": "^GSPC", "label": "S&P 500"}, {"symbol": "^DJI", "label": "Dow"}]
TRACED = re.compile(r'<span data-(?:fact|label)="[^"]+"[^>]*>[^<]*</span>')


def load(as_of: str, **params) -> Note:
    return Note.load(title="Weekly", as_of=as_of, indices=INDICES, source="sample", rotation={"lead": "^IXIC", "lag": "^DJI"}, **params)


def table(html: str) -> dict[str, list[str]]:
    """Row title -> each index's cell as a reader reads it (the note under the figure after a /)."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html)[1:]:
        head, *cells = re.findall(r"<t[hd]>(.*?)</t[hd]>", row)
        out[plain_text(head)] = [" ".join(plain_text(c.replace('<span class="mn-rank">', " / ")).split()) for c in cells]
    return out


@pytest.fixture(scope="module")
def week():
    note = load("2018-12-21")
    return note, str(by_the_numbers(note.analysis.facts, note.spec.params.symbols))


def test_the_weeks_moves_their_ranks_the_session_the_streaks_and_the_close(week):
    _, html = week
    rows = table(html)
    assert [plain_text(h) for h in re.findall(r"<th>(.*?)</th>", html.split("</thead>")[0])] == ["", "NASDAQ Composite", "S&P 500", "Dow"]
    assert rows["This week"] == ["−8.4% / worst since November 2008", "−7.1% / worst since August 2011", "−6.9% / worst since October 2008"]
    assert rows["Friday"] == ["−3.0%", "−2.1%", "−1.8%"]
    assert rows["Streak"] == ["three days down"] * 3 and rows["Weekly streak"] == ["three weeks down"] * 3
    assert rows["Close"] == ["6,332.99 / lowest since August 2017", "2,416.62 / lowest since July 2017", "22,445.37 / lowest since September 2017"]
    assert list(rows) == ["This week", "Friday", "Streak", "Weekly streak", "Close"]  # no notable other day, not a month's end


def test_every_figure_is_a_traced_span_and_the_table_passes_the_fact_check(week):
    note, html = week
    result = check_html(html, note.analysis.facts)
    assert result.ok, result.problems
    spans = re.findall(r'data-fmt="([^"]+)"', html)
    assert result.numbers == len(spans) > 20
    assert not re.search(r"\d", plain_text(TRACED.sub("", html)))  # no digit outside a span
    assert 'data-word="side" data-pos="up" data-neg="down">down</span>' in html  # the direction from the fact's sign


@pytest.mark.parametrize(
    "as_of, row, expected",
    [
        ("2008-10-17", "Best day", ["+11.8% Monday / best since January 2001", "+11.6% Monday / best since at least 1999", "+11.1% Monday / best since 1933"]),
        ("2008-10-17", "Worst day", ["", "−9.0% Wednesday / worst since at least 1999", "−7.9% Wednesday / worst since October 1987"]),
        ("2011-08-12", "Best day", ["+5.3% Tuesday / best since March 2009", "+4.7% Tuesday / best since March 2009", "+4.0% Tuesday / best since March 2009"]),
        ("2017-07-21", "Streak", ["10 days up / ended Friday; longest since February 2015", "", ""]),
        ("2018-09-21", "Close", ["7,986.96", "2,929.67", "26,743.50 / record close"]),
        ("2018-09-21", "This week", ["−0.3%", "+0.8%", "+2.3% / best since July 13"]),  # a recent reach is dated to the day
        ("2017-07-21", "Friday", ["0.0%", "0.0%", "−0.1%"]),  # a move that rounds to nothing has no sign
    ],
)
def test_rows_pinned_on_weeks_of_the_sample(as_of, row, expected):
    note = load(as_of)
    rows = table(str(by_the_numbers(note.analysis.facts, note.spec.params.symbols)))
    assert rows[row] == expected


def test_a_one_session_week_is_one_row_and_a_week_in_progress_has_no_rank():
    rows = table(str(by_the_numbers(load("2018-12-24").analysis.facts, [i["symbol"] for i in INDICES])))
    assert "Monday" not in rows and list(rows)[0] != "This week"
    assert all("/" not in cell for cell in rows[list(rows)[0]])


def test_the_months_move_at_its_end_only_where_the_facts_have_it():
    monthly = load("2018-12-31", note_kind="monthly-review")
    rows = table(monthly.numbers().data)
    assert rows["December"] == ["−9.5% / worst since November 2008", "−9.2% / worst since February 2009", "−8.7% / worst since February 2009"]
    weekly = table(load("2018-11-30").numbers().data)  # a month's end, but a weekly note computes no calendar-month facts
    assert "November" not in weekly and weekly["This week"][0] == "+5.6% / best since December 2011"


def test_a_table_that_fails_the_fact_check_is_an_error_not_a_page(week, monkeypatch):
    note, _ = week
    monkeypatch.setattr(numbers, "move", lambda w, fid: Markup("−9.9%"))  # a figure typed by hand
    with pytest.raises(NumbersCheckFailed, match=r"By the numbers: fact check failed: unsourced number '−9.9%'"):
        by_the_numbers(note.analysis.facts, note.spec.params.symbols)


def test_labels_and_title_are_escaped():
    note = Note.load(title="x", as_of="2018-12-21", indices=[{"symbol": "^DJI", "label": "<b>Dow</b>"}], source="sample")
    html = note.numbers("<i>Numbers</i>").data
    assert "<b>" not in html and "<i>" not in html and "&lt;b&gt;Dow&lt;/b&gt;" in html and "&lt;i&gt;Numbers" in html


def test_the_stock_weekly_template_shows_the_table_after_the_lead(repo):
    nb = nbformat.read(repo / "templates" / "weekly-rotation.ipynb", as_version=4)
    calls = [c.source.strip() for c in nb.cells if c.cell_type == "code"]
    assert calls.index("note.numbers()") == calls.index("note.headline()") + 1


@pytest.mark.slow
def test_a_rendered_note_has_the_table_and_its_figures_explain_themselves(repo, tmp_path):
    spec, prices = pipeline.prepare(repo / "params" / "demo.yaml", ["formats=[html]", "timeout=240"], output_dir=tmp_path)
    html = pipeline.render_note(spec, prices).paths["html"].read_text(encoding="utf-8")
    found = re.search(r'<table class="mn-table mn-numbers">.*?</table>', html, re.S)
    assert found and "By the numbers" in html
    assert html.index("mn-numbers") < html.index("The story so far")
    assert found.group(0).count('class="mn-src"') == found.group(0).count("<span data-fact=") > 20  # item 9 applies here too
