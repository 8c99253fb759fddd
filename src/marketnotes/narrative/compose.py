"""Editorial rules: what leads, what the note tells after it, and what it leaves out.

The rarest angle of the week takes the headline and the lead (`angles.py`); the biggest
mover follows it, or leads when nothing rarer happened. Then the arc of the last months for
the rotation pair, the leaders over longer windows, records and drawdowns, the rotation,
the week's events and what comes next -- each sentence only if it says something, and no
number twice: a sentence that would restate a figure already in the note is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import angles, words
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Phrasebook, Sentence

EVENT_NOUNS = {"cpi": "release"}
SECOND_ANGLE = 1.0  # a second rare angle joins the lead when it reaches back a year
EVEN_PTS = 0.5  # a gap under half a point is "roughly in line"
WINDOW_OVERLAP_SESSIONS = 10
SINGLE_INDEX = {"big_day", "regime", "record", "streak", "event_day"}  # lead sentences about one index  # a window whose start is this close to a stated one adds nothing


def lead_window(facts: FactTable, symbols: list[str]) -> str:
    return "1w" if all(f"{key_of(s)}.ret.1w" in facts for s in symbols) else "1d"


def biggest_mover(facts: FactTable, symbols: list[str], window: str) -> str:
    """The index with the largest absolute return over the lead window (ties: listing order)."""
    return max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.ret.{window}", 0.0)))


@dataclass
class Draft:
    """Sentences in order; a sentence restating a number already said is dropped."""

    said: set[str] = field(default_factory=set)

    def keep(self, sentences: list[Sentence | None]) -> list[Sentence]:
        out = []
        for s in sentences:
            if s is None or set(s.numbers) & self.said:
                continue
            self.said |= set(s.numbers)
            out.append(s)
        return out


def compose(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None = None, template: str = "phrasebook.j2") -> Narrative:
    say = Phrasebook(facts, template).say
    if not all(f"{key_of(s)}.ret.1d" in facts for s in symbols):
        first = [say("first_session", s) for s in symbols]
        return Narrative(facts.as_of, first[0], first, [])

    w = lead_window(facts, symbols)
    mover = biggest_mover(facts, symbols, w)
    ranked = angles.ranked(angles.candidates(facts, symbols, pair, mover, w))
    top = ranked[0]
    headline = say(f"headline_{top.kind}", *top.args)
    draft = Draft()
    lead = draft.keep(_lead(facts, say, symbols, ranked, mover, w))
    sections = [
        Section("The story so far", draft.keep(_arc(facts, say, pair, top))),
        Section("Leaders and laggards", draft.keep(_leaders(facts, say, symbols, mover))),
        Section("Records and drawdowns", draft.keep(_highs(facts, say, symbols, pair))),
        Section("The rotation", draft.keep(_rotation(facts, say, symbols, pair, ranked))),
        Section("Events", draft.keep(_events(facts, say, symbols))),
        Section("What to watch", draft.keep(_watch(facts, say))),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in sections if s.sentences])


def _lead(facts, say, symbols, ranked, mover, w) -> list[Sentence | None]:
    top = ranked[0]
    extremes = [a.symbol for a in ranked if a.kind == "week_extreme" and (a is top or a.score >= SECOND_ANGLE)]
    # the week's move follows the angle's index (with "It"), so the lead stays on one subject
    first = top.symbol if top.kind in ("mover", "week_extreme") or top.kind in SINGLE_INDEX else mover
    out = [] if top.kind in ("mover", "week_extreme") else [say(f"lead_{top.kind}", *top.args)]
    pronoun = bool(out) and top.symbol == first and top.kind in SINGLE_INDEX
    out.append(say("lead_mover", first, w, extreme=first in extremes, pronoun=pronoun))
    # one more "worst week since" at most, told first among the others so "its" has one referent
    other_extreme = next((s for s in extremes if s != first), None)
    rest = sorted((s for s in symbols if s != first), key=lambda s: s != other_extreme)
    if rest:
        out.append(say("others", rest, w, [other_extreme] if other_extreme else []))
    told = {top.kind, "week_extreme"}
    second = next((a for a in ranked[1:] if a.kind not in told and a.kind != "mover" and a.score >= SECOND_ANGLE), None)
    if second is not None:
        out.append(say(f"lead_{second.kind}", *second.args))
    return out


def _arc(facts, say, pair, top) -> list[Sentence | None]:
    if not pair:
        return []
    # tell the arc of the pair member the lead is about, else of the one whose last phase moved most
    told = [s for s in pair if facts.value(f"{key_of(s)}.arc.count", 0) >= 2]
    if not told:
        return []
    if top.symbol in told:
        first = top.symbol
    else:
        first = max(told, key=lambda s: abs(facts.value(f"{key_of(s)}.arc.{facts.value(f'{key_of(s)}.arc.count') - 1}.change", 0)))
    other = pair[1] if first == pair[0] else pair[0]
    return [say("arc", first, other), say("arc_other", first, other) if f"{key_of(first)}.arc.other.change" in facts else None]


def _leaders(facts, say, symbols, mover) -> list[Sentence | None]:
    out: list[Sentence | None] = []
    if len(symbols) > 1:
        starts: list[str] = [facts[f"{key_of(symbols[0])}.ret.1w"].start] if f"{key_of(symbols[0])}.ret.1w" in facts else []
        for w in ("ytd", "3m", "1m"):
            if not all(f"{key_of(s)}.ret.{w}" in facts for s in symbols):
                continue
            start = facts[f"{key_of(symbols[0])}.ret.{w}"].start
            if any(words.weekdays_between(start, s) < WINDOW_OVERLAP_SESSIONS for s in starts):
                continue
            ranked = sorted(symbols, key=lambda s: facts.value(f"{key_of(s)}.ret.{w}"), reverse=True)
            best, worst = ranked[0], ranked[-1]
            if (facts.value(f"{key_of(best)}.ret.{w}") - facts.value(f"{key_of(worst)}.ret.{w}")) * 100 < EVEN_PTS:
                continue
            starts.append(start)
            out.append(say("leaders", best, worst, w, len(symbols)))
            if len(out) == 2:
                break
    k = key_of(mover)
    if f"{k}.week.best.date" in facts and facts.value(f"{k}.week.best.date") != facts.value(f"{k}.week.worst.date"):
        if max(words.tier_of(facts, f"{k}.week.best.ret"), words.tier_of(facts, f"{k}.week.worst.ret")) >= 3:
            out.append(say("week_days", mover))
    return out


def _highs(facts, say, symbols, pair) -> list[Sentence | None]:
    out = []
    for s in symbols:
        k = key_of(s)
        state, before = facts.value(f"{k}.regime.state", "none"), facts.value(f"{k}.regime.prev_state", "none")
        if state in ("bear", "correction", "bull"):
            out.append(say("regime_state", s))
        elif before in ("bear", "correction"):
            out.append(say("left_regime", s))
        else:
            out.append(say("highs", s, with_trend=not pair or s not in pair))
    return out


def _rotation(facts, say, symbols, pair, ranked) -> list[Sentence | None]:
    out: list[Sentence | None] = []
    lead_kinds = {ranked[0].kind}
    if pair:
        for w in ("1w", "ytd"):
            if f"rot.spread.{w}" not in facts:
                continue
            even = abs(facts.value(f"rot.spread.{w}")) < EVEN_PTS
            if even and w == "1w":
                out.append(say("pair_even", *pair, w))
            elif not even:
                out.append(say("pair_window", *pair, w))
        if "gap" not in lead_kinds and any(a.kind == "gap" for a in ranked):
            out.append(say("lead_gap", *pair))
        if "ratio" not in lead_kinds:
            for a in ranked:
                if a.kind == "ratio":
                    out.append(say("pair_extreme", *a.args))
                    break
    leader = facts.value("rotday.week.leader")
    if leader and "rotation" not in lead_kinds:
        out.append(say("rotation_day", leader, [s for s in symbols if s != leader]))
    if leader and facts.value("rotday.count.ytd", 0) >= 2:
        out.append(say("rotation_count"))
    return out


def _events(facts, say, symbols) -> list[Sentence | None]:
    out: list[Sentence | None] = []
    for kind in angles.event_kinds(facts):
        day = facts.value(f"{kind}.last.date")
        if not angles.in_week(facts, symbols[0], day):
            continue  # an older release is told, if at all, in the arc
        noun = EVENT_NOUNS.get(kind, "")
        mover = max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.{kind}.last.day")))
        out.append(say("event_day", kind, mover, noun))
        if day != facts.as_of:
            out.append(say("since_event", kind, symbols, noun or "event"))
    return out


def _watch(facts, say) -> list[Sentence | None]:
    return [say("next_event", kind, EVENT_NOUNS.get(kind, "")) for kind in angles.event_kinds(facts) if f"{kind}.next.date" in facts]
