"""The prose: calibrated words, traceable numbers, and a checker that catches what is wrong."""

import numpy as np
import pandas as pd
import pytest
from markupsafe import Markup

from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.facts.table import FactTable
from marketnotes.narrative import check_html, compose, write_note
from marketnotes.narrative.words import DOWN, UP, allowed_words, move_word, tier
from test_facts import panel


def test_magnitude_words_respect_size_and_sign():
    # +0.2% never "soars", however calm the index (z = 5)
    assert tier(0.002, 5.0) == 1 and move_word(0.002, 5.0, "x") in {t[0] for t in UP[1]}
    # a 3-sigma, 4% drop is the strongest tier; a 0.5-sigma 0.4% gain is ordinary
    assert move_word(-0.04, -3.0, "x") in {t[0] for t in DOWN[4]}
    assert move_word(0.004, 0.6, "x") in {t[0] for t in UP[2]}
    # negative numbers never get an up word, whatever the seed
    for seed in map(str, range(50)):
        assert move_word(-0.01, -1.0, seed) in {t[0] for triples in DOWN.values() for t in triples}
    assert move_word(0.0001, 0.01, "x") in ("was little changed", "was flat")
    # in a wild market a 29% monthly fall is under one sigma, yet never merely "slid"
    assert tier(-0.294, -0.8) == 4 and tier(-0.12, -0.5) == 3 and tier(0.12, 0.5) == 3
    assert move_word(0.03, None, "x") in allowed_words(0.03, None)


def test_same_inputs_same_text_and_every_number_is_traced():
    closes = panel(A=np.linspace(100, 130, 60), B=np.linspace(100, 90, 60))
    facts = compute_facts(closes, closes.index[-1], FactsConfig({"A": "Alpha", "B": "Beta"}, ("1d", "1w", "1m"), ("A", "B")))
    one, check = write_note(facts, ["A", "B"], ("A", "B"))
    two, _ = write_note(facts, ["A", "B"], ("A", "B"))
    assert one.to_text() == two.to_text()
    assert check.ok, check.problems
    html = str(one.to_html())
    assert '<span data-fact="A.ret.1w" data-fmt="pct1">' in html
    assert set(one.fact_ids) <= set(facts.facts)


def _facts():
    closes = panel(A=np.linspace(100, 130, 60), B=np.linspace(100, 90, 60))
    return compute_facts(closes, closes.index[-1], FactsConfig({"A": "Alpha", "B": "Beta"}, ("1d", "1w"), None))


def test_checker_rejects_a_number_typed_by_hand():
    result = check_html(Markup("<p>The index rose 3.6% this week.</p>"), _facts())
    assert not result.ok
    assert any("unsourced number '3.6%'" in p for p in result.problems)
    assert any("move word 'rose' is not tied to a fact" in p for p in result.problems)


def test_checker_rejects_wrong_rounding_and_wrong_direction():
    facts = _facts()
    value = facts.value("B.ret.1w")  # negative
    wrong_number = f'<span data-fact="B.ret.1w" data-fmt="pct1">{abs(value) * 100 + 0.3:.1f}%</span>'
    assert "does not match B.ret.1w" in check_html(wrong_number, facts).problems[0]
    wrong_word = '<span data-fact="B.ret.1w" data-word="past">rose</span>'
    assert "contradicts the sign of B.ret.1w" in check_html(wrong_word, facts).problems[0]
    overstated = '<span data-fact="B.ret.1w" data-word="past">plunged</span>'
    problems = check_html(overstated, facts).problems
    assert problems and "overstates or understates" in problems[0]
    assert "unknown fact" in check_html('<span data-fact="Z.ret.1w" data-fmt="pct1">1.0%</span>', facts).problems[0]


def test_labels_with_digits_are_not_numbers_and_are_escaped():
    closes = panel(A=np.linspace(100, 130, 30), B=np.linspace(100, 95, 30))
    labels = {"A": "Russell 2000", "B": "<script>alert(1)</script>"}
    facts = compute_facts(closes, closes.index[-1], FactsConfig(labels, ("1d", "1w"), None))
    narrative, check = write_note(facts, ["A", "B"])
    assert check.ok, check.problems
    html = str(narrative.to_html())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Russell 2000" in narrative.to_text()


def test_first_session_note_passes_the_check():
    closes = panel(A=[100.0, 101.0], B=[50.0, 51.0])
    facts = compute_facts(closes, closes.index[0], FactsConfig({"A": "Alpha", "B": "Beta"}))
    narrative, check = write_note(facts, ["A", "B"])
    assert check.ok and "the first session in the data" in narrative.to_text()


def test_flat_market_is_little_changed():
    closes = panel(A=[100.0] * 30, B=[50.0] * 30)
    facts = compute_facts(closes, closes.index[-1], FactsConfig({"A": "Alpha", "B": "Beta"}, ("1d", "1w")))
    narrative, check = write_note(facts, ["A", "B"])
    assert check.ok, check.problems
    assert "little changed" in narrative.headline.text or "flat" in narrative.headline.text


def test_rotation_day_sentence_reads_like_the_brief():
    a = [100] * 25 + [100, 103.6, 103.7]
    b = [100] * 25 + [100, 99, 99.5]
    c = [100] * 25 + [100, 98.5, 99]
    closes = panel("2024-01-02", A=a, B=b, C=c) * (1 + np.r_[np.random.default_rng(2).normal(0, 0.004, 25), [0, 0, 0]])[:, None]
    labels = {"A": "Russell 2000", "B": "S&P 500", "C": "Nasdaq-100"}
    facts = compute_facts(closes, closes.index[-1], FactsConfig(labels, ("1d", "1w"), ("A", "C")))
    narrative = compose(facts, ["A", "B", "C"], ("A", "C"))
    text = narrative.to_text()
    day = pd.Timestamp(facts.value("rotday.week.date")).day_name()
    assert f"On {day} the Russell 2000" in text and "while the S&P 500 and the Nasdaq-100 fell" in text
