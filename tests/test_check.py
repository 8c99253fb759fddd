"""The fact check (narrative/check.py) as an adversary would test it: take real notes of all
three kinds from different years, turn each direction word into its opposite ("rose" into
"fell", "above" into "below", "outperformed" into "trailed"), and expect the check to refuse
every mutant. A word the check lets through is a false sentence it would publish as PASSED."""

import re

import pandas as pd
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.data.records import bundled_records
from marketnotes.narrative import check_html, formats, words, write_note

SYMBOLS = ["^IXIC", "^GSPC", "^DJI"]
LABELS = {"^IXIC": "NASDAQ Composite", "^GSPC": "S&P 500", "^DJI": "Dow"}
PAIR = ("^IXIC", "^DJI")
# a sample across regimes: the dot-com top and bust, 2008, 2011, 2015, 2018's December
NOTES = [
    ("weekly", "2000-03-10"), ("weekly", "2002-07-26"), ("weekly", "2008-10-17"), ("weekly", "2011-08-12"),
    ("weekly", "2015-08-28"), ("weekly", "2017-07-21"), ("weekly", "2018-12-21"), ("weekly", "2003-12-12"),
    ("cpi-reaction", "2018-10-11"), ("cpi-reaction", "2008-10-16"), ("cpi-reaction", "2001-09-21"),
    ("monthly-review", "2018-12-31"), ("monthly-review", "2009-03-31"), ("monthly-review", "2016-11-30"),
    *(("weekly", f"{year}-0{3 + year % 7}-1{year % 10}") for year in range(1999, 2019)),  # one more a year
]
WORD_SPAN = re.compile(r'(<span data-fact="[^"]*" data-word="[^"]*"[^>]*>)([^<]*)(</span>)')
NUMBER = r'<span data-fact="[^"]*" data-fmt="(?:%s)"[^>]*>[^<]*</span>' % "|".join(formats.NUMERIC)
SIDE_WORDS = "|".join(sorted(words.SIDE_OF, key=len, reverse=True))
# a direction word typed right beside a cited number, on either side ("6.9% above", "up 3.4%")
FREE_WORD = (re.compile(rf"{NUMBER} ({SIDE_WORDS})\b"), re.compile(rf"\b({SIDE_WORDS}) (?={NUMBER})"))


def opposite(word: str) -> str | None:
    """The same word for the other direction: "tumbled" -> "plunged"'s tier partner "tumbled"
    among down words, i.e. the up verb of the same strength and form; None for a flat word."""
    if word in words.OPPOSITE:
        return words.OPPOSITE[word]
    for sign, table, other in ((1, words.UP, words.DOWN), (-1, words.DOWN, words.UP)):
        for t, triples in table.items():
            for i, triple in enumerate(triples):
                if word in triple:
                    partner = other[t][min(i, len(other[t]) - 1)]
                    return partner[triple.index(word)]
    for sign, forms in words.GROUP.items():
        if word in forms:
            return words.GROUP[-sign][forms.index(word)]
    return None


def mutants(markup: str):
    """(description, mutated markup) for every direction word in the note."""
    for match in WORD_SPAN.finditer(markup):
        flipped = opposite(match.group(2))
        if flipped is not None:
            yield f"span {match.group(2)!r}->{flipped!r}", markup[: match.start(2)] + flipped + markup[match.end(2):]
    for match in (m for pattern in FREE_WORD for m in pattern.finditer(markup)):
        word = match.group(1)
        yield f"free {word!r}->{words.OPPOSITE[word]!r}", markup[: match.start(1)] + words.OPPOSITE[word] + markup[match.end(1):]


@pytest.fixture(scope="module")
def notes():
    prices = load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))
    events = load_events(["cpi"])
    made = []
    for kind, day in NOTES:
        as_of = resolve_as_of(day).session
        config = FactsConfig(LABELS, ("1d", "1w", "1m", "3m", "ytd"), PAIR, complete=prices.complete, kind=kind, known_records=bundled_records())
        facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events)
        narrative, check = write_note(facts, SYMBOLS, PAIR)
        assert check.ok, (kind, day, check.problems)
        made.append((f"{kind} {day}", str(narrative.to_html()), facts))
    return made


def test_every_mutated_direction_word_fails_the_check(notes):
    tried, escaped, free = 0, [], 0
    for name, markup, facts in notes:
        for what, mutant in mutants(markup):
            tried += 1
            free += what.startswith("free")
            if check_html(mutant, facts).ok:
                escaped.append(f"{name}: {what}")
    print(f"\nmutation test of the fact check: {tried - len(escaped)} of {tried} mutated direction words caught ({free} typed beside a number)")
    assert tried > 300 and free > 50  # the sample really exercises both kinds of word
    assert escaped == []


@pytest.mark.parametrize(
    "sentence, word",
    [
        ('The Dow closed <span data-fact="DJI.ret.1w" data-fmt="pct1">6.9%</span> above last Friday\'s close.', "'above' contradicts DJI.ret.1w = -0.0687 (negative): write side('DJI.ret.1w', 'above', 'below')"),
        ('The Dow was up <span data-fact="DJI.ret.1w" data-fmt="pct1">6.9%</span>.', "'up' contradicts DJI.ret.1w = -0.0687"),
        ('The Dow lost <span data-fact="DJI.ret.1w" data-fmt="pct1">6.9%</span>, a <span data-fact="DJI.ret.1w" data-fmt="pct1">6.9%</span> gain.', "'gain' contradicts"),
        ('The Dow closed <span data-fact="DJI.close" data-fmt="level">22,445.37</span>, up.', None),
        ('The Dow closed above <span data-fact="DJI.close" data-fmt="level">22,445.37</span>.', "beside '22,445.37' (DJI.close, a level) is a direction no fact states"),
        ('The Dow fell more than <span data-fact="DJI.ret.1w" data-fmt="pct1">6.9%</span>.', "'more' beside '6.9%' compares it with something no fact states"),
    ],
)
def test_a_typed_direction_word_beside_a_number_must_agree_with_its_fact(notes, sentence, word):
    facts = next(f for name, _, f in notes if name == "weekly 2018-12-21")
    problems = [p for p in check_html(sentence, facts).problems if "move word" not in p]
    if word is None:  # "up" after a comma is another clause: not this number's direction
        assert problems == []
    else:
        assert len(problems) == 1 and word in problems[0]


def test_a_side_span_states_the_sign_of_its_fact_from_a_known_pair(notes):
    facts = next(f for name, _, f in notes if name == "weekly 2018-12-21")
    span = '<span data-fact="DJI.ret.1w" data-word="side" data-pos="{}" data-neg="{}">{}</span>'
    assert check_html(span.format("above", "below", "below"), facts).ok
    assert "contradicts DJI.ret.1w" in check_html(span.format("above", "below", "above"), facts).problems[0]
    assert "known pair" in check_html(span.format("below", "below", "below"), facts).problems[0]


def test_a_figure_said_of_several_facts_is_checked_against_each():
    """"ended nine-session losing streaks ... for both": one figure cites both streaks, and a
    sentence where only one of them was nine sessions fails."""
    import dataclasses

    from marketnotes.facts.table import FactTable
    from marketnotes.narrative.check import check_html

    facts = FactTable("2016-11-11", {"^GSPC": "S&P 500", "^IXIC": "Nasdaq"})
    facts.add("GSPC.streak.ended", -9, "count", "", symbol="^GSPC")
    facts.add("IXIC.streak.ended", -9, "count", "", symbol="^IXIC")
    both = '<span data-fact="GSPC.streak.ended IXIC.streak.ended" data-fmt="count">nine</span>-session losing streaks'
    assert check_html(both, facts).ok
    facts.facts["IXIC.streak.ended"] = dataclasses.replace(facts["IXIC.streak.ended"], value=-8)
    assert not check_html(both, facts).ok
