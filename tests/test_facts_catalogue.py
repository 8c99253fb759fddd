"""The facts catalogue an author browses: every fact in a family with a one-line explanation,
where the stock prose already states it, and why a section is left out of a note."""

import sys

import pytest

from conftest import REPO, run
from marketnotes import pipeline
from marketnotes.analysis import analyse
from marketnotes.facts.catalogue import FAMILIES, family_of, grouped, subject_keys
from marketnotes.narrative.left_out import SECTIONS, left_out
from marketnotes.narrative.stated import stated_in


def analysed(name, as_of=None):
    spec, prices = pipeline.prepare(REPO / "params" / f"{name}.yaml", [], as_of, True)
    return spec, analyse(spec, prices, strict=False)


@pytest.mark.parametrize(
    "fid, family",
    [("IXIC.ret.1w", "ret"), ("rot.spread.ytd", "rot"), ("DJI.week_extreme.since", "week_extreme"), ("IXIC.cpi.release.rank", "cpi"),
     ("cpi.core.mom", "cpi"), ("session.date", "session"), ("GSPC.level_in_reach.level", "level_in_reach"), ("earnings.next.date", "earnings")],
)
def test_a_facts_family_is_read_from_its_id(fid, family):
    assert family_of(fid) == family == family_of(fid, {"IXIC", "GSPC", "DJI"})


def test_an_id_about_no_index_of_the_note_is_the_notes_own_family():
    assert family_of("standings.ytd.changed", {"IXIC"}) == "standings" and family_of("VIX.ret.1w", {"IXIC", "VIX"}) == "ret"


@pytest.mark.parametrize("name", ["demo", "cpi-reaction", "monthly-review"])
def test_every_family_of_the_stock_notes_is_explained(name):
    """A family added to the facts without its line here fails: add it to facts/catalogue.py."""
    _, result = analysed(name)
    families = grouped([f.id for f in result.facts], subject_keys(result.facts.labels))
    assert [f for f in families if f not in FAMILIES] == []
    assert list(families) == [f for f in FAMILIES if f in families]  # the catalogue's order


def test_already_stated_is_what_the_lint_would_call_a_repeat():
    """A fact counts as stated when the lead or a section cites it, or states its figure about
    the same index under another id (the lint's rule); the headline alone does not count."""
    _, result = analysed("demo")
    stated = stated_in(result.narrative, result.facts)
    assert stated["IXIC.ret.1w"] == "lead" and "IXIC.ret.1m" not in stated
    assert stated["IXIC.ath.below"] == "lead"  # 21.9% below the record: the bear market's drawdown, one statement
    cited = {f for sec in result.narrative.sections for s in sec.sentences for f in s.facts} | {f for s in result.narrative.lead for f in s.facts}
    assert cited <= set(stated)


def test_a_section_left_out_says_why():
    spec, result = analysed("demo")
    p = spec.params
    reasons = dict(left_out(result.facts, result.narrative, p.symbols, p.rotation_pair))
    present = {s.title for s in result.narrative.sections}
    assert set(reasons) == set(SECTIONS["weekly"]) - present and all(reasons.values())  # every section, shown or said why not
    assert reasons["Events"] == "no release in the note's week (the last: CPI release Dec. 12)"
    assert reasons["What to watch"] == "no release due within 7 days (next: CPI release Jan. 11, 2019) and no watched round level within reach of a close"
    spec, result = analysed("cpi-reaction", "2018-12-12")  # on the release day itself
    assert ("Since the release", "the note is on the release day: nothing has moved since it yet") in left_out(result.facts, result.narrative, spec.params.symbols, spec.params.rotation_pair)


def test_facts_list_prints_the_catalogue_by_family():
    proc = run([sys.executable, "-m", "marketnotes", "facts", str(REPO / "params" / "demo.yaml"), "--list"], capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "COLUMNS": "300", "HOME": "/tmp"})
    assert proc.returncode == 0, proc.stderr
    rows = [[cell.strip() for cell in line.strip("│ ").split("│")] for line in proc.stdout.splitlines() if line.startswith("│")]
    by_id = {r[0]: r for r in rows}
    assert by_id["ret"][4].startswith(FAMILIES["ret"]) and by_id["week_extreme"][4].startswith(FAMILIES["week_extreme"])
    assert by_id["IXIC.ret.1w"][1:4] == ["8.4%", "pct", "lead"] and by_id["IXIC.ret.1m"][3] == ""
    families = [r[0] for r in rows if not r[1] and r[0] in FAMILIES]
    assert families[:4] == ["session", "history", "close", "ret"] and "rot" in families
