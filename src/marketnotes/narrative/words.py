"""Magnitude words: how strong a verb a move deserves, for the window it was made over.

A desk judges a move by its size *for its window*: 1% is a big day for the S&P 500, an
ordinary week and a small year. So the tier of a move is read off a table of percent edges
per window class (day, week, month, quarter, longer), never off the index's volatility
scaled by the square root of time, which pushed a 6% year-to-date gain down to "inched up".
Because the edges are absolute within a window, a bigger move of the same sign over the same
window can never get a milder verb than a smaller one, in any sentence.

Each tier has one plain verb; its synonyms are of the same strength and are only used so a
note does not repeat a verb (the writer rotates them per note, keyed on the fact, so the
headline and the lead tell one move with one verb).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np

Form = Literal["past", "present", "perfect"]
FORMS = {"past": 0, "present": 1, "perfect": 2}

# tier -> synonyms of one strength as (past, present, perfect participle); the first is the plain verb
UP = {
    1: [("edged up", "edges up", "edged up"), ("inched up", "inches up", "inched up")],
    2: [("rose", "rises", "risen"), ("gained", "gains", "gained"), ("climbed", "climbs", "climbed")],
    3: [("jumped", "jumps", "jumped"), ("rallied", "rallies", "rallied")],
    4: [("soared", "soars", "soared"), ("surged", "surges", "surged")],
}
DOWN = {
    1: [("edged down", "edges down", "edged down"), ("dipped", "dips", "dipped")],
    2: [("fell", "falls", "fallen"), ("declined", "declines", "declined"), ("lost", "loses", "lost")],
    3: [("tumbled", "tumbles", "tumbled"), ("slumped", "slumps", "slumped")],
    4: [("plunged", "plunges", "plunged"), ("sank", "sinks", "sunk")],
}
FLAT = [("was little changed", "is little changed", "been little changed"), ("was flat", "is flat", "been flat")]
# group verbs after "while the X and Y ...": only the sign is claimed
GROUP = {1: ("rose", "rise", "risen"), -1: ("fell", "fall", "fallen")}
# relative performance, from the sign of a spread
RELATIVE = {1: "outperformed", -1: "trailed"}

# lower edges (fractions) of tiers 1..4 -- small, ordinary, large, exceptional -- per window class
EDGES = {
    "day": (0.0005, 0.004, 0.0175, 0.035),
    "week": (0.001, 0.0075, 0.025, 0.05),
    "month": (0.002, 0.01, 0.04, 0.08),
    "quarter": (0.003, 0.01, 0.06, 0.12),
    "long": (0.005, 0.01, 0.08, 0.18),  # 1%+ is never "edged": small words are for small moves
}
TIER_NAMES = {0: "flat", 1: "small", 2: "ordinary", 3: "large", 4: "exceptional"}


def window_class(sessions: int) -> str:
    """day (one session), week (up to 5), month (up to 23), quarter (up to 70), long."""
    if sessions <= 1:
        return "day"
    return "week" if sessions <= 5 else "month" if sessions <= 23 else "quarter" if sessions <= 70 else "long"


def sessions_of(fact) -> int:
    """Sessions a move fact spans, from its start and end (weekdays; a fact without a start is one session).

    One-day returns count as one session even across a holiday weekend (Friday to Tuesday).
    """
    if not fact.start or not fact.end or fact.id.endswith(".1d"):
        return 1
    return max(1, weekdays_between(fact.start, fact.end))


def weekdays_between(start: str, end: str) -> int:
    """Weekdays from one ISO date to another (either order): sessions, near enough, without a calendar."""
    a, b = sorted((dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
    return int(np.busday_count(a, b))


def tier(value: float, sessions: int = 1) -> int:
    """0 flat, 1 small, 2 ordinary, 3 large, 4 exceptional, for a move over `sessions` sessions."""
    size = abs(value)
    return sum(size >= edge for edge in EDGES[window_class(sessions)])


def tier_of(facts, fid: str) -> int:
    return tier(facts.value(fid), sessions_of(facts[fid]))


def synonyms(value: float, t: int) -> list[tuple[str, str, str]]:
    if t == 0:
        return FLAT
    return (UP if value > 0 else DOWN)[t]


def move_word(value: float, sessions: int = 1, form: Form = "past", turn: int = 0) -> str:
    """The verb for a move; `turn` picks a same-strength synonym (0 is the plain verb)."""
    t = tier(value, sessions)
    options = synonyms(value, t)
    return options[turn % len(options)][FORMS[form]]


def allowed_words(value: float, sessions: int = 1) -> set[str]:
    """Every form of every synonym that the checker accepts for this move."""
    return {w for triple in synonyms(value, tier(value, sessions)) for w in triple}


def word_tier(word: str) -> tuple[int, int] | None:
    """(sign, tier) of a move word; None if it is not one."""
    for sign, table in ((1, UP), (-1, DOWN)):
        for t, triples in table.items():
            if any(word in triple for triple in triples):
                return sign, t
    if any(word in triple for triple in FLAT):
        return 0, 0
    return None


def triple_of(word: str) -> tuple[str, str, str] | None:
    """The (past, present, perfect) forms a move word belongs to: "soars" -> ("soared", "soars", "soared")."""
    return next((t for table in (UP, DOWN) for ts in table.values() for t in ts if word in t), None) or next((t for t in FLAT if word in t), None)


def direction_of(word: str) -> int | None:
    """+1 for any up word, -1 for any down word, 0 for flat words, None if not a move word."""
    found = word_tier(word)
    if found is not None:
        return found[0]
    return next((s for s, t in GROUP.items() if word in t), None)


ALL_WORDS = sorted(
    {w for table in (UP, DOWN) for triples in table.values() for triple in triples for w in triple}
    | {w for triple in FLAT for w in triple},
    key=len,
    reverse=True,
)


# Direction and comparison words a sentence may put beside a number ("6.9% above last
# Friday's close", "up 3.4%"): (the word for a positive fact, the word for a negative one).
# Next to a cited number such a word is a claim about that fact's sign, so the checker holds
# it to the sign; `side(id, pos, neg)` writes the right one of a pair from the fact itself.
SIDES = (
    ("above", "below"), ("higher", "lower"), ("up", "down"), ("ahead", "behind"),
    ("gain", "loss"), ("gains", "losses"), ("rise", "fall"), ("advance", "decline"),
    ("outperformed", "trailed"), ("outperforms", "trails"), ("outperforming", "trailing"),
    ("increase", "decrease"), ("better", "worse"), ("stronger", "weaker"),
    ("positive", "negative"), ("premium", "discount"), ("more", "less"), ("bigger", "smaller"),
)
SIDE_OF = {w: sign for pos, neg in SIDES for sign, w in ((1, pos), (-1, neg))}
OPPOSITE = {a: b for pos, neg in SIDES for a, b in ((pos, neg), (neg, pos))}
# comparison words that claim something about two numbers, never about one fact's sign:
# beside a cited number they must come from a fact of their own (a difference), via side()
COMPARATIVES = ("more", "less", "fewer", "greater", "smaller", "bigger", "larger")
# words that end the reach of a direction word: a number in another clause is not its number
CLAUSE_BREAK = ".;:!?,()—–"
REACH = 3  # free words allowed between a direction word and the number it qualifies


def side_word(value: float, pos: str, neg: str) -> str:
    """`pos` for a fact at or above zero, `neg` below: as `rel` says "outperformed" at zero."""
    return pos if value >= 0 else neg
