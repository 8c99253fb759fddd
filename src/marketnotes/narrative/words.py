"""Magnitude words, calibrated to the index's own volatility and guarded by absolute size.

A move's tier is the smaller of its volatility tier (how many standard deviations) and its
absolute tier (how many percent), so a quiet index never "soars" on +0.2% however calm it
was; and a move of 10% or more is never less than "large", of 20% or more always
"exceptional", so a wild market never merely "slips" 29%. Each tier has synonyms; the choice is a stable hash of the fact id and the as-of
date, so the same inputs always give the same text while consecutive weeks vary.
"""

from __future__ import annotations

import zlib

import numpy as np

from marketnotes.facts.table import key_of
from typing import Literal

Form = Literal["past", "present", "perfect"]

# tier -> synonyms as (past, present, perfect participle)
UP = {
    1: [("edged up", "edges up", "edged up"), ("inched up", "inches up", "inched up")],
    2: [("rose", "rises", "risen"), ("gained", "gains", "gained"), ("climbed", "climbs", "climbed")],
    3: [("rallied", "rallies", "rallied"), ("jumped", "jumps", "jumped"), ("leapt", "leaps", "leapt")],
    4: [("soared", "soars", "soared"), ("surged", "surges", "surged")],
}
DOWN = {
    1: [("edged down", "edges down", "edged down"), ("slipped", "slips", "slipped")],
    2: [("fell", "falls", "fallen"), ("lost", "loses", "lost"), ("declined", "declines", "declined")],
    3: [("tumbled", "tumbles", "tumbled"), ("slid", "slides", "slid"), ("slumped", "slumps", "slumped")],
    4: [("plunged", "plunges", "plunged"), ("sank", "sinks", "sunk")],
}
FLAT = [("was little changed", "is little changed", "been little changed"), ("was flat", "is flat", "been flat")]
# group verbs after "while the X and Y ...": only the sign is claimed
GROUP = {1: ("rose", "rise", "risen"), -1: ("fell", "fall", "fallen")}
# relative performance, from the sign of a spread
RELATIVE = {1: "outperformed", -1: "trailed"}

FLAT_BELOW = 0.0005  # |move| under 0.05% is "little changed"
SIGMA_EDGES = (0.5, 1.25, 2.25)
PERCENT_EDGES = (0.3, 1.0, 2.0)
ABSOLUTE_FLOORS = ((0.10, 3), (0.20, 4))  # a move this large is never described as less


def tier(value: float, z: float | None) -> int:
    """0 flat, 1 small, 2 ordinary, 3 large, 4 exceptional."""
    size = abs(value)
    if size < FLAT_BELOW:
        return 0
    by_percent = 1 + sum(size * 100 >= edge for edge in PERCENT_EDGES)
    if z is None:
        return by_percent
    by_sigma = 1 + sum(abs(z) >= edge for edge in SIGMA_EDGES)
    floor = max((t for edge, t in ABSOLUTE_FLOORS if size >= edge), default=1)
    return max(min(by_sigma, by_percent), floor)


def z_for(facts, fid: str) -> float | None:
    """How many standard deviations a move is, for any move fact.

    Window returns have their own `.z.` fact; other moves (a best day, a move since an
    event or a turning point) are scaled by the index's daily volatility and the number
    of weekdays the fact spans, which the checker can recompute from the same table.
    """
    zid = fid.replace(".ret.", ".z.")
    if zid != fid and zid in facts:
        return facts.value(zid)
    fact = facts[fid]
    if fact.symbol is None:
        return None
    vol = facts.value(f"{key_of(fact.symbol)}.vol.1d")
    if not vol:
        return None
    days = 1
    if fact.start and fact.end:
        days = max(1, int(np.busday_count(fact.start, fact.end)))
    return fact.value / (vol * days**0.5)


def choose(options: list, seed: str):
    return options[zlib.crc32(seed.encode()) % len(options)]


def move_word(value: float, z: float | None, seed: str, form: Form = "past") -> str:
    t = tier(value, z)
    slot = {"past": 0, "present": 1, "perfect": 2}[form]
    if t == 0:
        return choose(FLAT, seed)[slot]
    return choose((UP if value > 0 else DOWN)[t], seed)[slot]


def allowed_words(value: float, z: float | None) -> set[str]:
    """Every form of every synonym that the checker accepts for this move."""
    t = tier(value, z)
    if t == 0:
        return {w for triple in FLAT for w in triple}
    return {w for triple in (UP if value > 0 else DOWN)[t] for w in triple}


def direction_of(word: str) -> int | None:
    """+1 for any up word, -1 for any down word, 0 for flat words, None if not a move word."""
    for sign, table in ((1, UP), (-1, DOWN)):
        if any(word in triple for triples in table.values() for triple in triples):
            return sign
    if any(word in triple for triple in FLAT):
        return 0
    if any(word in triple for triple in GROUP.values()):
        return next(s for s, t in GROUP.items() if word in t)
    return None


ALL_WORDS = sorted(
    {w for table in (UP, DOWN) for triples in table.values() for triple in triples for w in triple}
    | {w for triple in FLAT for w in triple},
    key=len,
    reverse=True,
)
