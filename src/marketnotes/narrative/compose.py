"""Editorial rules: which sentences a week deserves, in what order.

What is notable leads: the headline goes to the week's biggest mover unless a rotation day
stood out more (measured in standard deviations); quiet facts are dropped (a 0.3-sigma week
gets no "alone" sentence, a week without a rotation day gets no rotation-day sentence).
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Phrasebook, Sentence

BIG_DAY_SIGMA = 2.0
ROTATION_HEADLINE_SIGMA = 2.5
EVENT_NOUNS = {"cpi": "release"}
NEAR_HIGH = 0.05  # record-close counts are news only within 5% of the high
NOTABLE_WEEK_SESSIONS = 63  # "worst week since ..." only when that reaches back a quarter


def _notable_week(facts: FactTable, symbol: str) -> bool:
    k = key_of(symbol)
    return f"{k}.week_extreme.data_start" in facts or facts.value(f"{k}.week_extreme.sessions", 0) >= NOTABLE_WEEK_SESSIONS


def lead_window(facts: FactTable, symbols: list[str]) -> str:
    return "1w" if all(f"{key_of(s)}.ret.1w" in facts for s in symbols) else "1d"


def biggest_mover(facts: FactTable, symbols: list[str], window: str) -> str:
    """The index with the largest absolute return over the lead window (ties: listing order)."""
    return max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.ret.{window}", 0.0)))


def compose(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None = None, template: str = "phrasebook.j2") -> Narrative:
    book = Phrasebook(facts, template)
    say = book.say
    if not all(f"{key_of(s)}.ret.1d" in facts for s in symbols):
        first = [say("first_session", s) for s in symbols]
        return Narrative(facts.as_of, first[0], first, [])

    w = lead_window(facts, symbols)
    mover = biggest_mover(facts, symbols, w)
    rest = [s for s in symbols if s != mover]

    headline = say("headline", mover, w)
    leader = facts.value("rotday.week.leader")
    if leader and facts.value("rotday.week.z", 0) >= max(ROTATION_HEADLINE_SIGMA, abs(facts.value(f"{key_of(mover)}.z.{w}", 0))):
        headline = say("headline_rotation", leader, [s for s in symbols if s != leader])

    lead = [say("lead_mover", mover, w, extreme=_notable_week(facts, mover))]
    if rest:
        lead.append(say("others", rest, w))
    big = [s for s in symbols if abs(facts.value(f"{key_of(s)}.z.1d", 0)) >= BIG_DAY_SIGMA]
    if w == "1w" and big:
        # among the unusual days, name the biggest move in percent (what a reader will quote)
        lead.append(say("big_day", max(big, key=lambda s: abs(facts.value(f"{key_of(s)}.ret.1d"))), score=BIG_DAY_SIGMA))

    sections = [
        Section("Leaders and laggards", _leaders(facts, say, symbols, mover)),
        Section("Distance from highs", _highs(facts, say, symbols)),
        Section("The rotation", _rotation(facts, say, symbols, pair)),
        Section("Events", _events(facts, say, symbols)),
        Section("What to watch", _watch(facts, say, symbols)),
    ]
    return Narrative(facts.as_of, headline, [s for s in lead if s], [s for s in sections if s.sentences])


def _leaders(facts, say, symbols, mover) -> list[Sentence]:
    out = []
    if len(symbols) > 1:
        for w in ("1m", "3m", "ytd", "1y"):
            ranked = [s for s in symbols if f"{key_of(s)}.ret.{w}" in facts]
            if len(ranked) == len(symbols):
                ranked.sort(key=lambda s: facts.value(f"{key_of(s)}.ret.{w}"), reverse=True)
                out.append(say("window_leaders", ranked[0], ranked[-1], w))
    if f"{key_of(mover)}.week.best.date" in facts and facts.value(f"{key_of(mover)}.week.best.date") != facts.value(f"{key_of(mover)}.week.worst.date"):
        out.append(say("week_days", mover))
    return [s for s in out if s]


def _highs(facts, say, symbols) -> list[Sentence]:
    out = []
    for s in symbols:
        k = key_of(s)
        out.append(say("highs", s))
        near_high = facts.value(f"{k}.ath.below", -1.0) >= -NEAR_HIGH
        if facts.value(f"{k}.ath.today") != 1 and near_high and facts.value(f"{k}.records.count", 0) >= 3:
            out.append(say("records", s))
        if f"{k}.trend.change" in facts and facts.value(f"{k}.trend.since") != facts.value(f"{k}.ath.date"):
            out.append(say("trend", s))
        if f"{k}.range.sessions" in facts:
            out.append(say("sideways", s))
    return [s for s in out if s]


def _rotation(facts, say, symbols, pair) -> list[Sentence]:
    out = []
    if pair:
        for w in ("1w", "1m", "ytd"):
            if f"rot.spread.{w}" in facts:
                out.append(say("pair_window", *pair, w))
        for side in ("high", "low"):
            if facts.value(f"rot.ratio.{side}_since.sessions", 0) >= NOTABLE_WEEK_SESSIONS:
                out.append(say("pair_extreme", *pair, side))
    leader = facts.value("rotday.week.leader")
    if leader:
        out.append(say("rotation_day", leader, [s for s in symbols if s != leader], score=facts.value("rotday.week.z")))
        if facts.value("rotday.count.ytd", 0) >= 2:
            out.append(say("rotation_count"))
    return [s for s in out if s]


def _event_kinds(facts: FactTable) -> list[str]:
    return sorted({f.id.split(".")[0] for f in facts if f.id.endswith(".last.label") or f.id.endswith(".next.label")})


def _events(facts, say, symbols) -> list[Sentence]:
    out = []
    for kind in _event_kinds(facts):
        if f"{kind}.last.date" not in facts:
            continue
        noun = EVENT_NOUNS.get(kind, "")
        out.append(say("since_event", kind, symbols, noun))
        # the release-day move is news only if the release fell in the note's week
        week = facts.facts.get(f"{key_of(symbols[0])}.ret.1w")
        if week is not None and facts.value(f"{kind}.last.date") > week.start:
            mover = max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.{kind}.last.day")))
            out.append(say("event_day", kind, mover))
    return [s for s in out if s]


def _watch(facts, say, symbols) -> list[Sentence]:
    out = [say("next_event", kind, EVENT_NOUNS.get(kind, "report")) for kind in _event_kinds(facts) if f"{kind}.next.date" in facts]
    for s in symbols:
        below = facts.value(f"{key_of(s)}.ath.below", -1.0)
        if -0.03 < below < 0:
            out.append(say("near_record", s))
    return [s for s in out if s]
