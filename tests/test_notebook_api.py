"""The authoring API a template writer uses (docs/templates.md): facts_frame, add_fact,
add_series, say, plot -- in a Jupyter-like session (in process) and in a real render."""

import json
import re
import shutil
import sys
import warnings

import nbformat
import pandas as pd
import pytest

from conftest import REPO, run
from marketnotes.analysis import AUTHORED_FILE, Authored, Said, with_authored
from marketnotes.charts import Chart
from marketnotes.errors import FactRejected, SayCheckFailed
from marketnotes.narrative.check import check_html, plain_text
from marketnotes.notebook import Cell, EditorialLint, Note
from marketnotes.runtime.template_check import check_template

sys.path.insert(0, str(REPO / "scripts"))
import new_template  # noqa: E402

PARAMS = dict(
    title="t",
    as_of="2018-12-21",
    indices=[{"symbol": "^IXIC", "label": "NASDAQ Composite"}, {"symbol": "^GSPC", "label": "S&P 500"}, {"symbol": "^DJI", "label": "Dow"}],
    source="sample",
    rotation={"lead": "^IXIC", "lag": "^DJI", "threshold_pct": 1.0},
    lookback=["1d", "1w", "1m", "3m", "ytd"],
    events=["cpi"],
)
VIX_WEEK = "{{ the('^VIX', true) }} {{ move('VIX.ret.1w') }} {{ window('1w') }}"


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory):
    """Prices and facts as the host hands them to the kernel, made once."""
    note = Note.load(**PARAMS)
    folder = tmp_path_factory.mktemp("snap")
    note.prices.to_parquet(folder / "prices.parquet")
    (folder / "facts.json").write_text(note.analysis.facts.to_json())
    return folder


@pytest.fixture
def note(snapshots, tmp_path):
    """A note loaded the way the kernel loads it, in its own folder (its authored.json is its own)."""
    for name in ("prices.parquet", "facts.json"):
        shutil.copy(snapshots / name, tmp_path / name)
    return Note.load(price_snapshot=str(tmp_path / "prices.parquet"), facts_snapshot=str(tmp_path / "facts.json"), **PARAMS)


def vix_closes(note):
    path = REPO / "src/marketnotes/data/sample/^VIX.csv.gz"
    return pd.read_csv(path, index_col="Date", parse_dates=True, na_values=".")["Close"].dropna().loc[: note.as_of]


# -- in a session ------------------------------------------------------------------------


def test_facts_frame_lists_what_can_be_cited_and_how_n_writes_it(note):
    frame = note.facts_frame()
    assert list(frame.columns) == ["id", "value", "unit", "description", "start", "end", "written", "added", "family", "stated"]
    assert len(frame) == len(note.analysis.facts) and not frame["added"].any()
    week = note.facts_frame("IXIC.ret.1w").set_index("id").loc["IXIC.ret.1w"]
    assert week["unit"] == "pct" and week["written"] == "8.4%" and week["start"] == "2018-12-14"


def test_facts_frame_says_each_facts_family_and_where_the_prose_already_states_it(note):
    """The column that lets an author foresee a repeated-fact finding: the Nasdaq's week
    (8.4%) is in the lead, its month is stated nowhere; and citing the stated one again is
    exactly what the lint reports."""
    frame = note.facts_frame().set_index("id")
    assert frame.loc["IXIC.ret.1w", "family"] == "ret" and frame.loc["rot.spread.ytd", "family"] == "rot"
    assert frame.loc["IXIC.week_extreme.since", "family"] == "week_extreme" and frame.loc["cpi.next.date", "family"] == "cpi"
    assert frame.loc["IXIC.ret.1w", "stated"] == "lead" and frame.loc["IXIC.ret.1m", "stated"] == ""
    assert frame.loc["IXIC.week.worst.ret", "stated"] == "Leaders and laggards"
    with pytest.warns(EditorialLint, match=r"\[repeated-fact\] IXIC.ret.1w"):
        note.say("{{ the('^IXIC', true) }} {{ move('IXIC.ret.1w') }} {{ window('1w') }}.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", EditorialLint)
        note.say("{{ the('^IXIC', true) }} had a {{ n('IXIC.ret.1m') }} {{ side('IXIC.ret.1m', 'gain', 'loss') }} over the month.")
    assert not [w for w in caught if "[repeated-fact]" in str(w.message)]
    assert note.facts_frame("IXIC.ret.1m").set_index("id").loc["IXIC.ret.1m", "stated"] == "your paragraph"  # now the template has said it


def test_an_added_fact_is_cited_by_say_and_marked_in_the_frame(note):
    note.add_fact("my.IXIC.low.date", "2018-12-21", "date", "the Nasdaq's lowest close of the year")
    html = note.say("{{ the('^IXIC', true) }} closed at its lowest of the year on {{ n('my.IXIC.low.date') }}.").data
    assert '<span data-fact="my.IXIC.low.date" data-fmt="day">Friday</span>' in html
    assert note.facts_frame("my.").set_index("id").loc["my.IXIC.low.date", "added"]


def test_add_series_gives_a_series_the_move_facts_an_index_gets(note):
    note.add_series("^VIX", "VIX", vix_closes(note))
    html = note.say(VIX_WEEK + ", to {{ n('VIX.close') }}.").data
    assert plain_text(html) == "The VIX soared 39.2% this week, to 30.11."
    assert note.analysis.facts["VIX.ret.1w"].start == "2018-12-14"  # Friday to Friday, like the indices


@pytest.mark.parametrize(
    "fid, value, unit, description, message",
    [
        ("IXIC.close", 1.0, "level", "x", "a built-in fact already has this id (NASDAQ Composite close); choose another, e.g. 'my.IXIC.close'"),
        ("vix close", 1.0, "level", "x", "malformed id"),
        ("VIX", 1.0, "level", "x", "malformed id"),
        ("my.x", float("nan"), "level", "x", "needs a finite number, not nan"),
        ("my.x", 0.1, "percent", "x", "unknown unit 'percent'"),
        ("my.x", 0.1, "pct", " ", "give a description"),
        ("my.x", "soon", "date", "x", "value 'soon' is not a date"),
        ("earnings.next.date", "2019-01-10", "date", "x", "event releases"),
    ],
)
def test_add_fact_refuses_with_one_clear_line(note, fid, value, unit, description, message):
    with pytest.raises(FactRejected) as exc:
        note.add_fact(fid, value, unit, description)
    assert message in str(exc.value) and str(exc.value).startswith(f"note.add_fact({fid!r}): ")
    assert "\n" not in str(exc.value)


def test_an_id_is_added_once_but_a_rerun_cell_replaces_it(note, monkeypatch):
    cells = iter([Cell("cell-a", 5, "note.add_fact(...)"), Cell("cell-a", 9, "note.add_fact(...)"), Cell("cell-b", 10, "note.add_fact('my.n', 3, ...)")])
    monkeypatch.setattr("marketnotes.notebook.current_cell", lambda: next(cells))
    note.add_fact("my.n", 2, "count", "a count")
    note.add_fact("my.n", 3, "count", "a count")  # the same cell run again in Jupyter
    assert note.analysis.facts.value("my.n") == 3 and [f.value for f in note.authored.facts] == [3]
    with pytest.raises(FactRejected, match=r"already added by the cell \[note.add_fact\(...\)\]"):
        note.add_fact("my.n", 4, "count", "a count")


@pytest.mark.parametrize(
    "text, problem",
    [
        ("The VIX rose 5% this week.", "unsourced number '5%'"),
        ("The Nasdaq rose this week.", "move word 'rose' is not tied to a fact"),
        ("{{ the('^IXIC', true) }} closed at {{ v('IXIC.close') }}.", "unsourced number '6332.99"),
        ("{{ n('IXIC.ret.1wk') }}", "cites unknown fact 'IXIC.ret.1wk' (did you mean IXIC.ret.1w"),
        ("{{ the('^RUT') }}", "no label for '^RUT'"),
        ('<span data-fact="IXIC.close">up 5%</span>', "with neither a format nor a verb"),
        ('<span data-label="^IXIC">Nasdaq, up 5%,</span>', "is marked as the label of '^IXIC'"),
    ],
)
def test_say_refuses_what_does_not_come_from_a_fact(note, text, problem):
    with pytest.raises(SayCheckFailed) as exc:
        note.say(text)
    assert problem in str(exc.value) and "note.facts_frame() lists the ids" in str(exc.value)
    assert note.authored.said == []  # nothing refused reaches the note or the host


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{{ the('^DJI', true) }} closed {{ n('DJI.ret.1w') }} above last Friday's close.", "'above' contradicts DJI.ret.1w = -0.0687 (negative): write side('DJI.ret.1w', 'above', 'below')"),
        ("{{ the('^VIX', true) }} closed {{ n('my.VIX.vs_high.1y') }} above its one-year high.", "'above' contradicts my.VIX.vs_high.1y = -0.1930 (negative)"),
        ("{{ the('^DJI', true) }} closed {{ n('DJI.ret.1w') }} {{ side('DJI.ret.1w', 'below', 'above') }} last Friday's close.", "give a known pair, positive word first"),
    ],
)
def test_a_direction_word_against_its_number_fails_with_one_line(note, text, problem):
    """The issue's two false sentences, once published as "fact check PASSED"."""
    note.add_series("^VIX", "VIX", vix_closes(note))
    note.add_fact("my.VIX.vs_high.1y", -0.193, "pct", "VIX close relative to its one-year high")
    with pytest.raises(SayCheckFailed) as exc:
        note.say(text)
    assert problem in str(exc.value) and "\n" not in str(exc.value)
    assert note.authored.said == []


def test_side_writes_the_direction_the_fact_makes_true(note):
    with pytest.warns(EditorialLint, match="repeated-fact"):  # the lead told the 6.9% first
        html = note.say("{{ the('^DJI', true) }} closed {{ n('DJI.ret.1w') }} {{ side('DJI.ret.1w', 'above', 'below') }} last Friday's close.").data
    assert plain_text(html) == "The Dow closed 6.9% below last Friday's close."


def test_say_keeps_the_verb_the_note_gave_a_fact(note):
    lead = " ".join(s.text for s in note.analysis.narrative.lead)
    html = note.say("{{ the('^IXIC', true) }} {{ word('IXIC.ret.1w') }}.").data
    verb = re.search(r'data-word="past">([^<]+)<', html).group(1)
    assert f"{verb} 8.4% this week" in lead


def test_the_lint_reads_say_with_the_note_and_the_host_counts_it(note):
    with pytest.warns(EditorialLint) as shown:
        note.say("{{ the('^IXIC', true) }} {{ move('IXIC.ret.1w') }} {{ window('1w') }}, a drop of {{ n('IXIC.ret.1w') }} percent.")
    assert {str(w.message).split("]")[0] for w in shown} == {"[banned-phrase", "[repeated-fact", "[strong-verb-twice"}  # "plunged" again, beside the lead's
    host = with_authored(note.analysis, Authored.from_json((note.sidecar).read_text()))
    assert any("[banned-phrase]" in str(f) for f in host.check.style)
    assert any("[repeated-fact] IXIC.ret.1w" in str(f) for f in host.check.style)  # the lead already said 8.4%
    assert "editorial lint: " in host.check.summary() and host.check.ok


def test_the_host_merges_added_facts_and_checks_the_template_prose_again(note):
    note.add_series("^VIX", "VIX", vix_closes(note))
    note.say(VIX_WEEK + ".")
    authored = Authored.from_json((note.sidecar.parent / AUTHORED_FILE).read_text())
    built_in = Note.load(**PARAMS).analysis  # the host's: it never ran the template
    host = with_authored(built_in, authored)
    assert host.facts.value("VIX.close") == 30.11 and host.facts.labels["^VIX"] == "VIX"
    assert list(host.facts.labels)[0] == "^IXIC"  # the note's indices stay first
    assert host.check.numbers == note.analysis.check.numbers + 1 and host.check.words == note.analysis.check.words + 1
    tampered = Authored(authored.labels, authored.facts, [Said("<p>The VIX rose 5%.</p>", 12, "hand_written()")])
    with pytest.raises(SayCheckFailed) as exc:
        with_authored(built_in, tampered)
    assert exc.value.cell == 12 and exc.value.source == "hand_written()"


def test_plot_draws_a_series_in_house_style_under_a_checked_title(note):
    note.add_series("^VIX", "VIX", vix_closes(note))
    chart = note.plot(vix_closes(note), VIX_WEEK.replace("')", "', 'present')", 1), ylabel="index points")
    assert isinstance(chart, Chart) and chart.title == "The VIX soars 39.2% this week" and chart.png.startswith(b"\x89PNG")
    with pytest.raises(SayCheckFailed, match="unsourced number '30'"):
        note.plot(vix_closes(note), "The VIX tops 30")


# -- in a render -------------------------------------------------------------------------


def project(tmp_path, name, edit=None):
    """A project with the skeleton template (scripts/new_template.py), optionally edited."""
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "params").mkdir(exist_ok=True)
    template = tmp_path / "templates" / f"{name}.ipynb"
    assert new_template.main([str(template)]) == 0
    if edit:
        nb = nbformat.read(template, as_version=4)
        edit(nb)
        nbformat.write(nb, template)
    params = tmp_path / "params" / f"{name}.yaml"
    params.write_text(
        f"template: {name}\nas_of: 2018-12-21\nsource: sample\nformats: [html]\noutput_dir: {tmp_path / 'reports'}\n"
        "indices:\n  - {symbol: '^IXIC', label: NASDAQ Composite}\n  - {symbol: '^GSPC', label: S&P 500}\n  - {symbol: '^DJI', label: Dow}\n"
        "rotation: {lead: '^IXIC', lag: '^DJI'}\nlookback: [1d, 1w, 1m, 3m, ytd]\n"
    )
    return template, params


def render(params, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "400"}
    return run([sys.executable, "-m", "marketnotes", "render", str(params)], capture_output=True, text=True, env=env, timeout=240)


def say_cell(nb) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.source.startswith("note.say("))


@pytest.mark.slow
def test_the_skeleton_renders_its_own_paragraph_with_every_number_traced(tmp_path):
    template, params = project(tmp_path, "vix")
    assert check_template(template, run=False) == []
    assert new_template.main([str(template)]) == 2  # never overwrites a template
    proc = render(params, tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "reports" / "2018-12-21" / "vix"
    html = (folder / "note.html").read_text()
    paragraph = re.search(r'<h3 class="mn-section">Volatility</h3><p class="mn-prose">(.*?)</p>', html).group(1)
    spans = re.findall(r'<span data-fact="([^"]+)" data-(?:fmt|word)="[^"]+">([^<]+)</span>', paragraph)
    assert [t for _, t in spans] == ["soared", "39.2%", "30.11", "37.32", "Feb. 5"]
    facts = json.loads((folder / "facts.json").read_text())
    by_id = {f["id"]: f for f in facts["facts"]}
    assert by_id["VIX.high.1y"]["value"] == 37.32 and by_id["VIX.high.1y.date"]["value"] == "2018-02-05"
    assert facts["labels"]["^VIX"] == "VIX"
    from marketnotes.facts import FactTable

    assert check_html(paragraph, FactTable.from_json((folder / "facts.json").read_text())).ok  # facts.json backs every number
    assert 'alt="The VIX soars 39.2% this week"' in html


@pytest.mark.slow
def test_a_hand_typed_number_in_say_fails_the_render_naming_its_cell(tmp_path):
    def hand_typed(nb):
        nb.cells[say_cell(nb)].source = 'note.say("{{ the(\'^VIX\', true) }} closed at 30.11.")'

    template, params = project(tmp_path, "typed", hand_typed)
    number = say_cell(nbformat.read(template, as_version=4)) + 1
    proc = render(params, tmp_path)
    assert proc.returncode == 4
    line = proc.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert f"template typed.ipynb failed in cell {number} [note.say(\"{{{{ the('^VIX', true) }}}} closed at 30.11.\")]: SayCheckFailed: unsourced number '30.11." in line
    reports = tmp_path / "reports" / "2018-12-21"
    assert not (reports / "typed").exists() and (reports / "typed.failed.ipynb").exists()
    kept = nbformat.read(reports / "typed.failed.ipynb", as_version=4)  # papermill's failure: the same one line
    errors = [o for c in kept.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].traceback == [f"SayCheckFailed: {errors[0].evalue}"] and "unsourced number '30.11.'" in errors[0].evalue


@pytest.mark.slow
def test_the_host_recheck_names_the_cell_whose_prose_it_refuses(tmp_path):
    """A sentence that reaches authored.json without the kernel's check (here written by hand)
    is refused by the host before publishing, naming the cell that wrote it."""
    smuggle = (
        "from marketnotes.analysis import Said\n"
        "from marketnotes.notebook import current_cell\n"
        "note.authored.said.append(Said('<p>The VIX rose 5%.</p>', current_cell().count, current_cell().line))\n"
        "note._save()"
    )

    def smuggled(nb):
        nb.cells.append(nbformat.v4.new_code_cell(smuggle))

    template, params = project(tmp_path, "smuggled", smuggled)
    number = len(nbformat.read(template, as_version=4).cells)
    proc = render(params, tmp_path)
    assert proc.returncode == 4
    assert f"template smuggled.ipynb failed in cell {number} [from marketnotes.analysis import Said]: SayCheckFailed: unsourced number '5%'" in proc.stderr
    assert not (tmp_path / "reports" / "2018-12-21" / "smuggled").exists()


@pytest.mark.slow
def test_lint_findings_are_listed_by_render_and_in_the_manifest_with_their_cell(tmp_path):
    """Each finding about the template's own paragraph: one line of render's output and one
    {rule, text, cell} of manifest.json, the cell numbered as JupyterLab numbers the template's
    (papermill's injected parameters cell not counted); the summary says '1 finding'."""
    def one_finding(nb):
        nb.cells[say_cell(nb)].source = "note.say(\"{{ the('^VIX', true) }} {{ move('VIX.ret.1w') }} {{ window('1w') }} in percent terms.\")"

    template, params = project(tmp_path, "linted", one_finding)
    number = say_cell(nbformat.read(template, as_version=4)) + 1
    proc = render(params, tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = "The VIX soared 39.2% this week in percent terms."
    listed = [line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("lint ")]
    assert listed == [f"lint cell {number}: [banned-phrase] '\\\\bpercent\\\\b': use % -- in: {text!r}"], proc.stdout
    assert "editorial lint: 1 finding;" in proc.stdout
    manifest = json.loads((tmp_path / "reports" / "2018-12-21" / "linted" / "manifest.json").read_text())
    assert manifest["editorial_lint"] == [{"rule": "banned-phrase", "text": f"'\\\\bpercent\\\\b': use % -- in: {text!r}", "cell": number}]
    assert manifest["fact_check"].endswith("editorial lint: 1 finding")
