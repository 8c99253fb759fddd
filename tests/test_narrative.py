"""The prose: calibrated words, traceable numbers, and a checker that catches what is wrong."""

import re

import numpy as np
import pandas as pd
import pytest
from markupsafe import Markup

from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.data.records import bundled_records
from marketnotes.narrative import check_html, compose, write_note
from marketnotes.narrative.words import DOWN, UP, allowed_words, move_word, tier
from test_facts import panel


def test_verbs_follow_the_size_of_the_move_for_its_window():
    # 1% is a big day, an ordinary week, an ordinary year: one size, three strengths
    assert tier(0.02, 1) == 3 and tier(0.02, 5) == 2 and tier(0.06, 130) == 2
    # a 6% year-to-date gain is never "inched up"; a 20.8% one soars
    assert move_word(0.06, 130) == "rose" and move_word(0.208, 130) == "soared"
    # a bigger fall over the same window never gets a milder verb than a smaller one
    for sessions in (1, 5, 21, 63, 250):
        sizes = [x / 1000 for x in range(1, 400)]
        assert [tier(-x, sessions) for x in sizes] == sorted(tier(-x, sessions) for x in sizes)
    # down words for falls, whatever synonym a note's rotation picks
    for turn in range(5):
        assert move_word(-0.01, 1, turn=turn) in {t[0] for triples in DOWN.values() for t in triples}
    assert move_word(0.0001, 1) == "was little changed"
    assert move_word(0.03, 1) in allowed_words(0.03, 1) and "edged up" not in allowed_words(0.03, 250)
    # each tier's synonyms are one strength: no "slid" beside "tumbled"
    assert "slid" not in {w for triples in DOWN.values() for t in triples for w in t}


def test_one_fact_keeps_its_verb_and_other_facts_vary():
    closes = panel(A=np.linspace(100, 130, 60), B=np.linspace(100, 131, 60))
    facts = compute_facts(closes, closes.index[-1], FactsConfig({"A": "Alpha", "B": "Beta"}, ("1d", "1w", "1m"), ("A", "B")))
    narrative, check = write_note(facts, ["A", "B"], ("A", "B"))
    assert check.ok, check.problems
    verbs = {}
    for sentence in narrative.all_sentences():
        for fid, text in re.findall(r'data-fact="([^"]+)" data-word="\w+">([^<]+)<', str(sentence.html)):
            verbs.setdefault(fid, set()).add(UP_FORMS.get(text, text))
    assert all(len(v) == 1 for v in verbs.values()), verbs


UP_FORMS = {t[1]: t[0] for triples in UP.values() for t in triples} | {t[2]: t[0] for triples in UP.values() for t in triples}


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
    overstated = '<span data-fact="B.ret.1w" data-word="past">plunged</span>'  # a 0.4% weekly fall
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


# --- the stories a desk would lead with, on the bundled sample --------------------------------

SAMPLE = ["^IXIC", "^GSPC", "^DJI"]
LABELS = {"^GSPC": "S&P 500", "^IXIC": "NASDAQ Composite", "^DJI": "Dow"}


@pytest.fixture(scope="module")
def sample_note():
    from marketnotes.calendar import resolve_as_of
    from marketnotes.data import load_prices, make_source
    from marketnotes.events import load_events

    prices = load_prices(make_source("sample", {}), SAMPLE, resolve_as_of("2018-12-31"))
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), ("^IXIC", "^DJI"), complete=prices.complete, known_records=bundled_records())
    events = load_events(["cpi"])

    def note(day):
        as_of = resolve_as_of(day).session
        facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events)
        narrative, check = write_note(facts, SAMPLE, ("^IXIC", "^DJI"))
        assert check.ok and not check.style, (check.problems, check.style)
        return narrative

    return note


def test_the_best_day_since_the_thirties_leads_not_the_weekly_move(sample_note):
    n = sample_note("2008-10-17")
    # "surges", not "soars": the plain verb goes to the week's biggest day, the Nasdaq's 11.8%
    assert n.headline.text == "Dow surges 11.1% on Monday, best day since 1933"
    assert n.lead[0].text.startswith("The Dow surged 936.42 points, or 11.1%, on Monday, its biggest one-day gain since 1933, and sank 733.08 points, or 7.9%, on Wednesday")  # the Dow in points too


def test_a_bear_market_and_a_correction_are_named(sample_note):
    n = sample_note("2018-12-21")
    assert n.headline.text.startswith("NASDAQ Composite enters a bear market, 21.9% below its record")  # brief: 65 characters at most
    assert "The S&P 500 is in a correction, 17.5% below its record close of Sept. 20." in n.to_text()


def test_a_superlative_over_fifteen_months_of_data_is_not_told(sample_note):
    """April 2000: the Nasdaq's sample starts in January 1999, so "its worst week since at least
    1999" would be a non-statement; the move and the bear market are the story."""
    n = sample_note("2000-04-14")
    assert n.headline.text == "NASDAQ Composite plunges 25.3% this week"
    assert n.lead[0].text.startswith("The NASDAQ Composite plunged 25.3% this week to close at 3,321.29")
    assert "since at least" not in n.to_text() and "in data going back" not in n.to_text()
    assert "The NASDAQ Composite entered a bear market on Wednesday" in n.to_text()  # a threshold crossed is always in the lead


def test_a_tuesday_note_says_since_last_friday(sample_note):
    n = sample_note("2018-12-18")
    assert "since last Friday" in n.to_text() and "this week" not in n.to_text()


def test_record_is_said_only_where_the_data_covers_the_history(sample_note):
    text = sample_note("2016-11-11").to_text()  # the Dow (from 1885) at a record; the S&P 500 and Nasdaq data start in 1999
    assert "a record" in text and "S&P 500 is 1.2% short of its record close" in text


def test_the_arc_sentence_tells_peak_decline_range_and_rally_with_their_events():
    """A peak on the April CPI day, a 12% decline, a month sideways, a rally from the June CPI day:
    one sentence, turning points dated, events named only where they coincide."""
    from test_facts_arc import story_frame

    closes, events = story_frame()
    closes["B"] = closes["A"].iloc[0] * np.linspace(1.0, 1.15, len(closes))  # the other side kept rising
    facts = compute_facts(closes, closes.index[-1], FactsConfig({"A": "Russell 2000", "B": "Nasdaq-100"}, ("1d", "1w", "1m"), ("A", "B")), events=events)
    narrative, check = write_note(facts, ["A", "B"], ("A", "B"))
    assert check.ok and not check.style, (check.problems, check.style)
    story = next(s for s in narrative.sections if s.title == "The story so far")
    arc, other = (s.text for s in story.sentences)
    assert re.fullmatch(
        r"The Russell 2000 (fell|declined|lost|tumbled|slumped|plunged|sank) \d+\.\d% from a peak at the April CPI release in (early |mid-|late )\w+, "
        r"traded in a \d\.\d% range until (early |mid-|late )\w+ and has (jumped|rallied|soared|surged|risen|gained|climbed) \d+\.\d% since the June CPI release on \w+\.? \d+\.",
        arc,
    ), arc
    assert re.fullmatch(r"Since (early |mid-|late )\w+ the Nasdaq-100 has (risen|gained|climbed|jumped|rallied) \d+\.\d%\.", other), other


def test_a_weeks_multi_year_low_leads_even_when_the_week_ended_higher(sample_note):
    n = sample_note("2009-03-13")
    assert n.headline.text == "Dow surges 9.0%; Monday's close lowest since April 1997"
    assert n.lead[0].text == "On Monday the Dow closed at 6,547.05, its lowest close since April 1997."
    # a bear-market rally (Nov. 2008 to Jan. 2009) does not restart the bear market: measured from the 2007 peak
    assert "The S&P 500 is in a bear market, 51.7% below its record close of October 2007." in n.to_text()


def test_a_run_of_records_outranks_an_ordinary_week(sample_note):
    n = sample_note("2013-05-17")
    assert n.headline.text == "S&P 500 sets its 16th record close since late March"  # the Dow its 21st, in the lead


def test_a_release_is_named_for_a_turn_only_when_it_made_the_first_move():
    """A release a session or two off a turn did not cause it: the turn keeps its own date and
    the release is not named at all (once "around the June CPI release", blaming it)."""
    from test_facts_arc import PEAK, RALLY, events_at, story

    closes = panel(A=story())
    closes["B"] = closes["A"].iloc[0] * np.linspace(1.0, 1.15, len(closes))
    idx = closes.index
    events = events_at([idx[PEAK + 2], idx[RALLY + 1]], ["April CPI", "June CPI"], ["cpi", "cpi"])
    facts = compute_facts(closes, idx[-1], FactsConfig({"A": "Russell 2000", "B": "Nasdaq-100"}, ("1d", "1w", "1m"), ("A", "B")), events=events)
    narrative, check = write_note(facts, ["A", "B"], ("A", "B"))
    assert check.ok and not check.style, (check.problems, check.style)
    arc = next(s for s in narrative.sections if s.title == "The story so far").sentences[0].text
    assert "at the April CPI release" not in arc and "from a peak in" in arc
    # the range before the rally closed lower than its last day: the turn is a date, not "its low"
    assert re.search(r"since \w+\.? \d+\.$", arc) and "CPI" not in arc, arc


def test_a_correction_entered_and_left_in_one_week_is_told_up_front(sample_note):
    """2015-08-28: the week's rarest story is the two-day rally (the biggest since 2008-2009 for
    all three); each index's touch of a correction is told in the lead or right after it."""
    n = sample_note("2015-08-28")
    assert n.headline.kind == "headline_two_day"
    told = [s.text for s in n.lead + next(sec.sentences for sec in n.sections if sec.title == "Also this week")]
    # dated by its last close in correction territory, and measured from the same May 21 high as the 10% test
    assert ("The S&P 500 closed in correction territory on Monday, its first close in correction territory "
            "since December 2011, but recovered to end the week 6.7% below its May 21 high.") in told


def test_a_midweek_note_tells_the_running_week_in_the_present_perfect(sample_note):
    n = sample_note("2007-02-27")  # a Tuesday
    assert "It has tumbled 4.3% since last Friday, to 2,407.86." in n.lead[1].text


def test_a_correction_is_counted_within_its_bull_market(sample_note):
    text = sample_note("2010-05-07").to_text()
    assert "entered a correction on Friday, its first close in correction territory since March 2009," in text


def test_every_index_that_crossed_a_threshold_says_so(sample_note):
    """2010-08-27: the Dow closed in a correction on Tuesday and left it; the others already were in one."""
    text = sample_note("2010-08-27").to_text()
    assert "The Dow closed in correction territory on Tuesday, its first close in correction territory since July 7, but recovered to end the week 9.4% below its April 26 high." in text
    assert "The S&P 500 is in a correction, 12.5% below its high of April 23." in text


def test_the_compiled_phrasebook_is_cached_and_a_cache_that_cannot_be_written_is_no_failure(tmp_path, monkeypatch):
    """A cold render compiles the phrasebook from its cache (the host and the kernel each would
    spend ~0.2 s compiling it); an unwritable cache folder means compiling, never an error."""
    import subprocess
    import sys

    code = "from marketnotes.narrative.writer import environment; environment().get_template('phrasebook.j2'); print('ok')"
    env = {**__import__("os").environ, "MARKETNOTES_CACHE": str(tmp_path / "cache")}
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert list((tmp_path / "cache" / "jinja").glob("__jinja2_*.cache"))
    (tmp_path / "a-file").write_text("")  # a cache path under a file: no folder can be made there, even by root
    env["MARKETNOTES_CACHE"] = str(tmp_path / "a-file" / "cache")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
