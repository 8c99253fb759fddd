"""The host's analysis of a weekly note: last week's lead (a series) and what a CPI release in
the week showed, as `marketnotes render` computes them."""

from conftest import REPO
from marketnotes import pipeline
from marketnotes.analysis import analyse


def analysed(as_of):
    spec, prices = pipeline.prepare(REPO / "params" / "demo.yaml", [], as_of, True)
    return analyse(spec, prices)


def test_a_weekly_note_says_what_the_release_in_its_week_showed():
    """Feb. 14, 2018: core CPI up 0.3% in January as published (0.35% in revised data), and the
    Nasdaq jumped 1.9% that day; a reading only a year rare is told without a superlative."""
    result = analysed("2018-02-16")
    said = [s for s in result.narrative.all_sentences() if "cpi.core.mom" in s.facts]
    assert len(said) == 1 and said[0].text.endswith("the NASDAQ Composite jumped 1.9%, its biggest move on a release day since December 2014, as the report showed core consumer prices up 0.3%.")
    assert result.check.ok


def test_a_week_without_a_release_reads_no_report():
    assert "cpi.core.mom" not in analysed("2018-02-23").facts


def test_a_series_note_does_not_repeat_last_weeks_lead():
    """May 30, 2014, rendered alone: it knows May 23 led with the S&P 500's run of records."""
    result = analysed("2014-05-30")
    assert result.narrative.headline.kind != "headline_record"


def test_the_template_writes_the_same_lead_from_facts_json():
    """The kernel composes the note from the facts snapshot alone: last week's lead travels in
    the facts, so the published headline keeps the series rule (2018-01-19)."""
    from marketnotes.facts import FactTable
    from marketnotes.narrative import write_note

    spec, prices = pipeline.prepare(REPO / "params" / "demo.yaml", [], "2018-01-19", True)
    host = analyse(spec, prices)
    facts = FactTable.from_json(host.facts.to_json())  # what the kernel reads
    kernel, _ = write_note(facts, spec.params.symbols, spec.params.rotation_pair)
    assert kernel.headline.text == host.narrative.headline.text
    assert "lead.last_week.kind" in facts
