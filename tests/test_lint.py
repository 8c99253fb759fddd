"""The editorial lint: each rule catches the bad sentence it was written for, and lets a good one pass."""

import pandas as pd
import pytest
from markupsafe import Markup

from marketnotes.facts.table import FactTable
from marketnotes.narrative import lint
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Sentence

AS_OF = "2024-07-12"  # a Friday


def table(week_complete=1, complete=None) -> FactTable:
    t = FactTable(AS_OF, {"^RUT": "Russell 2000", "^NDX": "Nasdaq-100"})
    t.add("session.date", AS_OF, "date", "as-of")
    t.add("session.week_complete", week_complete, "count", "")
    for key, c in (complete or {"RUT": 1, "NDX": 1}).items():
        t.add(f"{key}.history.complete", c, "count", "")
    t.add("RUT.ret.1w", 0.06, "pct", "", "2024-07-05", AS_OF, "^RUT")
    t.add("NDX.ret.1w", -0.01, "pct", "", "2024-07-05", AS_OF, "^NDX")
    t.add("RUT.ret.ytd", 0.06, "pct", "", "2023-12-29", AS_OF, "^RUT")
    t.add("NDX.ret.ytd", 0.208, "pct", "", "2023-12-29", AS_OF, "^NDX")
    t.add("RUT.ret.1m", -0.092, "pct", "", "2024-06-12", AS_OF, "^RUT")
    t.add("NDX.ret.1m", -0.083, "pct", "", "2024-06-12", AS_OF, "^NDX")
    t.add("rot.spread.1w", 0.03, "pts", "", "2024-07-05", AS_OF)
    t.add("RUT.records.run_count", 3, "count", "", "2024-05-15", AS_OF, "^RUT")
    t.add("RUT.ath.below", -0.238, "pct", "", "2021-11-08", AS_OF, "^RUT")
    t.add("RUT.hi52.below", -0.236, "pct", "", "2024-03-28", AS_OF, "^RUT")
    t.add("RUT.ath.date", "2021-11-08", "date", "", end="2021-11-08", symbol="^RUT")
    t.add("cpi.last.date", "2024-06-12", "date", "", end="2024-06-12")
    t.add("cpi.last.label", "May CPI", "text", "", end="2024-06-12")
    return t


RUT = '<span data-label="^RUT">Russell 2000</span>'
NDX = '<span data-label="^NDX">Nasdaq-100</span>'


def num(fid, text, fmt="pct1"):
    return f'<span data-fact="{fid}" data-fmt="{fmt}">{text}</span>'


def verb(fid, text, form="past"):
    return f'<span data-fact="{fid}" data-word="{form}">{text}</span>'


def note(*lead, headline="The week", sections=()) -> Narrative:
    s = lambda html, kind="": Sentence(Markup(html), [], 0.0, kind)  # noqa: E731
    return Narrative(AS_OF, s(headline), [s(x) for x in lead], [Section(t, [s(x) for x in xs]) for t, xs in sections])


def rules(narrative, facts, closes=None):
    return {f.rule for f in lint.lint(narrative, facts, closes)}


GOOD = f"The {RUT} {verb('RUT.ret.1w', 'soared')} {num('RUT.ret.1w', '6.0%')} this week."


def test_a_clean_sentence_passes():
    assert rules(note(GOOD), table()) == set()


def test_weak_verb_on_a_big_move():
    bad = f"So far this year the {RUT} has {verb('RUT.ret.ytd', 'inched up', 'perfect')} {num('RUT.ret.ytd', '6.0%')}."
    assert "weak-verb" in rules(note(bad), table())


def test_inverted_verbs_in_one_paragraph():
    bad = (f"Over the past month the {RUT} has {verb('RUT.ret.1m', 'dipped', 'perfect')} {num('RUT.ret.1m', '9.2%')} "
           f"and the {NDX} has {verb('NDX.ret.1m', 'tumbled', 'perfect')} {num('NDX.ret.1m', '8.3%')}.")
    assert "inverted-verbs" in rules(note(bad), table())


def test_zero_value_and_sub_threshold_gap():
    facts = table()
    facts.facts.pop("rot.spread.1w")
    facts.add("rot.spread.1w", 0.02, "pts", "", "2024-07-05", AS_OF)
    bad = f"This week the {RUT} trailed the {NDX} by {num('rot.spread.1w', '0.0', 'pts1')} percentage points."
    found = rules(note(bad), facts)
    assert {"zero-value", "sub-threshold"} <= found


def test_numerals_under_ten_are_words():
    bad = f"The {RUT} has set {num('RUT.records.run_count', '3', 'count')} record closes."
    assert "numeral-under-ten" in rules(note(bad), table())
    good = f"The {RUT} has set {num('RUT.records.run_count', 'three', 'count')} record closes."
    assert "numeral-under-ten" not in rules(note(good), table())


def test_a_fact_stated_twice():
    again = f"The {RUT} ended {num('RUT.ret.1w', '6.0%')} higher."
    assert "repeated-fact" in rules(note(GOOD, again), table())


def test_two_distances_under_a_point_apart_are_one_statement():
    bad = f"The {RUT} is {num('RUT.ath.below', '23.8%')} below its record and {num('RUT.hi52.below', '23.6%')} below its more recent peak."
    assert "same-distance-twice" in rules(note(bad), table())


def test_this_week_on_a_tuesday():
    assert "this-week-midweek" in rules(note(GOOD), table(week_complete=0))


def test_record_needs_the_whole_history():
    bad = f"The {RUT} is {num('RUT.ath.below', '23.8%')} below its record close."
    assert "record-without-history" in rules(note(bad), table(complete={"RUT": 0, "NDX": 1}))
    assert "record-without-history" not in rules(note(bad), table())


def test_jargon_in_prose():
    bad = f"The {RUT} {verb('RUT.ret.1w', 'soared')} {num('RUT.ret.1w', '6.0%')}, a 3.3-standard-deviation move."
    assert "jargon" in rules(note(bad), table())


def test_a_stale_event_told_on_its_own():
    bad = f"Since the {num('cpi.last.label', 'May CPI', 'text')} release on {num('cpi.last.date', 'June 12', 'date')}, prices moved."
    assert "stale-event" in rules(note(bad), table())


def test_gaps_are_percentage_points():
    bad = f"The {RUT} beat the {NDX} by {num('rot.spread.1w', '3.0', 'pts1')}% this week."
    assert "gap-units" in rules(note(bad), table())


def test_ambiguous_pronouns():
    two = f"The {RUT} {verb('RUT.ret.1w', 'soared')} {num('RUT.ret.1w', '6.0%')} while the {NDX} slid, its worst week."
    assert "ambiguous-pronoun" in rules(note(two), table())
    dangling = f"The {RUT} and the {NDX} parted ways. It was a strange week."
    assert "ambiguous-pronoun" in rules(note(dangling), table())


def test_banned_phrases():
    bad = f"Over the month the {NDX} held up best, though it fell. The June CPI report is due on Aug. 14."
    found = [f.detail for f in lint.lint(note(bad), table()) if f.rule == "banned-phrase"]
    assert any("held up best" in d for d in found) and any("due on" in d for d in found)


def test_present_perfect_for_periods_running_to_now():
    bad = f"So far this year the {NDX} led, having gained, while the {RUT} {verb('RUT.ret.ytd', 'rose')} {num('RUT.ret.ytd', '6.0%')}."
    assert "tense" in rules(note(bad), table())
    midweek = f"The {RUT} {verb('RUT.ret.1w', 'soared')} {num('RUT.ret.1w', '6.0%')} since last Friday."
    assert "tense" in rules(note(midweek), table(week_complete=0))


def test_headline_and_lead_tell_one_move_with_one_verb():
    head = f"The {RUT} {verb('RUT.ret.1w', 'surges', 'present')} {num('RUT.ret.1w', '6.0%')} this week"
    assert "headline-matches-lead" in rules(note(GOOD, headline=head), table())
    same = f"The {RUT} {verb('RUT.ret.1w', 'soars', 'present')} {num('RUT.ret.1w', '6.0%')} this week"
    assert "headline-matches-lead" not in rules(note(GOOD, headline=same), table())


def test_worst_week_since_is_recomputed_friday_to_friday():
    days = pd.bdate_range("2024-01-01", "2024-07-12")
    closes = pd.DataFrame({"^RUT": 100.0}, index=days)
    closes.loc["2024-03-04":"2024-03-08", "^RUT"] = 90.0  # week ending March 8: -10%
    closes.loc["2024-03-11":, "^RUT"] = 100.0
    closes.loc["2024-07-12", "^RUT"] = 95.0  # this week: -5%, the worst since the week of March 8
    facts = table()
    sentence = lambda day: f"The {RUT} had its worst week since {num('RUT.week_extreme.since', day, 'month_year')}."  # noqa: E731
    facts.add("RUT.week_extreme.since", "2024-03-08", "date", "", symbol="^RUT")
    assert "week-since" not in rules(note(sentence("March 2024")), facts, closes)
    facts.facts.pop("RUT.week_extreme.since")
    facts.add("RUT.week_extreme.since", "2024-03-06", "date", "", symbol="^RUT")  # a rolling five-session window's answer
    assert "week-since" in rules(note(sentence("March 2024")), facts, closes)


def test_a_headline_over_65_characters():
    long = f"The {RUT} briefly closes in a correction, the first time since December 2011"
    assert "headline-length" in rules(note(GOOD, headline=long), table())
    assert "headline-length" not in rules(note(GOOD, headline=f"{RUT} briefly in correction"), table())


def test_plunged_and_soared_once_a_note():
    """The headline may restate the lead's verb; a second "soared" in the body may not."""
    again = f"Over the past month the {NDX} {verb('NDX.ret.1m', 'soared')} {num('NDX.ret.1m', '8.3%')}."
    assert "strong-verb-twice" in rules(note(GOOD, again, headline=f"{RUT} soars 6.0%"), table())
    assert "strong-verb-twice" not in rules(note(GOOD, headline=f"{RUT} soars 6.0%"), table())


def test_slipped_never_on_a_big_day():
    facts = table()
    facts.add("RUT.ret.1d", -0.031, "pct", "", "2024-07-11", AS_OF, "^RUT")
    bad = f"The {RUT} slipped {num('RUT.ret.1d', '3.1%')} on Friday."
    assert "slipped-on-a-big-day" in rules(note(bad), facts)
    facts.facts["RUT.ret.1d"] = facts.facts["RUT.ret.1d"].__class__(**{**facts.facts["RUT.ret.1d"].__dict__, "value": -0.004})
    assert "slipped-on-a-big-day" not in rules(note(bad), facts)


def test_record_is_honest_with_a_known_record_before_the_data():
    """A file that starts after the record: `history.records` (a known record) makes "record" true."""
    bad = f"The {RUT} is {num('RUT.ath.below', '23.8%')} below its record close."
    facts = table(complete={"RUT": 0, "NDX": 1})
    facts.add("RUT.history.records", 1, "count", "", symbol="^RUT")
    assert "record-without-history" not in rules(note(bad), facts)


@pytest.mark.parametrize("name", sorted(lint.RULES))
def test_every_rule_has_a_test_here(name):
    import inspect, sys

    source = inspect.getsource(sys.modules[__name__])
    assert f'"{name}"' in source, f"rule {name} has no test"
