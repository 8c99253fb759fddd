"""Editorial rules: what leads, what the note tells after it, and what it leaves out.

The rarest angle of the week takes the headline and the lead (`angles.py`); the biggest
mover follows it, or leads when nothing rarer happened. Then the arc of the last months for
the rotation pair, the leaders over longer windows, records and drawdowns, the rotation,
the week's events and what comes next -- each sentence only if it says something, and no
number twice: a sentence that would restate a figure already in the note is dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import angles, formats, words
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Phrasebook, Sentence, statement

EVENT_NOUNS = {"cpi": "release"}
SECOND_ANGLE = 1.0  # a second rare angle joins the lead when it reaches back a year
EVEN_PTS = 0.5  # a gap under half a point is "roughly in line"
WINDOW_OVERLAP_SESSIONS = 10
MIN_ARC_SESSIONS = 20  # about a month
CROSSINGS = {"regime", "touch"}  # a threshold crossed this week is always in the lead
SINGLE_INDEX = {"big_day", "regime", "touch", "record", "streak", "event_day", "week_level"}  # lead sentences about one index  # a window whose start is this close to a stated one adds nothing


def lead_window(facts: FactTable, symbols: list[str]) -> str:
    return "1w" if all(f"{key_of(s)}.ret.1w" in facts for s in symbols) else "1d"


def biggest_mover(facts: FactTable, symbols: list[str], window: str) -> str:
    """The index with the largest absolute return over the lead window (ties: listing order)."""
    return max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.ret.{window}", 0.0)))


@dataclass
class Draft:
    """Sentences in order; a sentence restating a number already said is dropped."""

    said: set[str] = field(default_factory=set)

    def says(self, facts: FactTable, fid: str, fmt: str) -> bool:
        """Whether the note already states this fact's figure (under any fact id)."""
        return fid in facts and statement(facts[fid], formats.render(facts.value(fid), fmt, dt.date.fromisoformat(facts.as_of))) in self.said

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
    # a bear market or correction is always named; the arc then tells that leg without its number
    highs = draft.keep(_highs(facts, say, symbols, pair))
    sections = [
        Section("The story so far", _arc(facts, say, pair, top, draft)),
        Section("Leaders and laggards", draft.keep(_leaders(facts, say, symbols, mover))),
        Section("Records and drawdowns", highs),
        Section("The rotation", draft.keep(_rotation(facts, say, symbols, pair, ranked))),
        Section("Events", draft.keep(_events(facts, say, symbols, ranked))),
        Section("What to watch", draft.keep(_watch(facts, say))),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in sections if s.sentences])


def _lead(facts, say, symbols, ranked, mover, w) -> list[Sentence | None]:
    top = ranked[0]
    # a week's low or high reached on the as-of close is told by the week's own sentence
    level_today = top.kind == "week_level" and facts.value(f"{key_of(top.symbol)}.week.{top.args[1]}.date") == facts.as_of
    own = top.kind in ("mover", "week_extreme") or level_today
    extremes = [a.symbol for a in ranked if a.kind == "week_extreme" and (a is top or a.score >= SECOND_ANGLE)]
    # the week's move follows the angle's index (with "It"), so the lead stays on one subject
    first = top.symbol if own or top.kind in SINGLE_INDEX else mover
    out = [] if own else [say(f"lead_{top.kind}", *top.args)]
    pronoun = bool(out) and top.symbol == first and top.kind in SINGLE_INDEX
    close = facts[f"{key_of(first)}.close"]
    told_close = bool(out) and out[0] is not None and statement(close, formats.render(close.value, "level", None)) in out[0].numbers
    out.append(say("lead_mover", first, w, extreme=first in extremes, pronoun=pronoun, with_close=not told_close))
    # another index's "worst week since" gets a sentence of its own, so each "its" has one referent
    rest = [s for s in symbols if s != first]
    out += [say("others", [s], w, [s]) for s in rest if s in extremes]
    if [s for s in rest if s not in extremes]:
        out.append(say("others", [s for s in rest if s not in extremes], w))
    told = [top]
    for a in ranked[1:]:
        if a.kind in ("mover", "week_extreme") or a.score < SECOND_ANGLE or any(a.kind == t.kind and a.args == t.args for t in told):
            continue
        if a.kind == "week_level" and a.symbol == first and level_today:
            continue
        # one more angle; and a threshold crossed this week is always in the lead
        if len(told) == 1 or (a.kind in CROSSINGS and not CROSSINGS & {t.kind for t in told}):
            out.append(say(f"lead_{a.kind}", *a.args))
            told.append(a)
    return out


def _arc(facts, say, pair, top, draft: Draft) -> list[Sentence]:
    if not pair:
        return []
    # tell the arc of the pair member the lead is about, else of the one whose last phase moved most
    # an arc is the story of months: one that began a few sessions ago is this week's news, told above
    told = [s for s in pair if facts.value(f"{key_of(s)}.arc.count", 0) >= 1
            and words.weekdays_between(facts.value(f"{key_of(s)}.arc.0.start"), facts.as_of) >= MIN_ARC_SESSIONS]
    if not told:
        return []
    if top.symbol in told:
        first = top.symbol
    else:
        first = max(told, key=lambda s: abs(facts.value(f"{key_of(s)}.arc.{facts.value(f'{key_of(s)}.arc.count') - 1}.change", 0)))
    other = pair[1] if first == pair[0] else pair[0]
    k = key_of(first)
    quiet = draft.says(facts, f"{k}.arc.{facts.value(f'{k}.arc.count') - 1}.change", "pct1")
    arc = draft.keep([say("arc", first, other, quiet=quiet)])
    if not arc:
        return []  # the "meanwhile" means nothing without the arc it answers
    return arc + draft.keep([say("arc_other", first, other) if f"{k}.arc.other.change" in facts else None])


def _leaders(facts, say, symbols, mover) -> list[Sentence | None]:
    out: list[Sentence | None] = []
    if len(symbols) > 1:
        starts: list[str] = [facts[f"{key_of(symbols[0])}.ret.1w"].start] if f"{key_of(symbols[0])}.ret.1w" in facts else []
        told: list[tuple[str, str]] = []
        for w in ("ytd", "3m", "1m"):
            if not all(f"{key_of(s)}.ret.{w}" in facts for s in symbols):
                continue
            start = facts[f"{key_of(symbols[0])}.ret.{w}"].start
            if any(words.weekdays_between(start, s) < WINDOW_OVERLAP_SESSIONS for s in starts):
                continue
            ranked = sorted(symbols, key=lambda s: facts.value(f"{key_of(s)}.ret.{w}"), reverse=True)
            best, worst = ranked[0], ranked[-1]
            if (best, worst) in told:
                continue  # the same leader and laggard as a longer window: nothing new
            if (facts.value(f"{key_of(best)}.ret.{w}") - facts.value(f"{key_of(worst)}.ret.{w}")) * 100 < EVEN_PTS:
                continue
            starts.append(start)
            told.append((best, worst))
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
        # every index that crossed a threshold this week says so ("is in" only if it already was)
        if state in ("bear", "correction", "bull") and angles.in_week(facts, s, facts.value(f"{k}.regime.entered")):
            out.append(say("lead_regime", s))
        elif facts.value(f"{k}.regime.touched"):
            out.append(say("lead_touch", s))
        elif state in ("bear", "correction", "bull"):
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
        # the week's gap restates the lead's numbers; the year's is the rotation's running score
        if "rot.spread.ytd" in facts and abs(facts.value("rot.spread.ytd")) >= EVEN_PTS:
            out.append(say("pair_window", *pair, "ytd"))
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


def _events(facts, say, symbols, ranked) -> list[Sentence | None]:
    """A release in the note's week, when the move on its day was rare (the biggest release-day
    move in a year or more); an older release is told, if at all, in the arc."""
    out: list[Sentence | None] = []
    for kind in angles.event_kinds(facts):
        if not angles.in_week(facts, symbols[0], facts.value(f"{kind}.last.date")):
            continue
        mover = max(symbols, key=lambda s: abs(facts.value(f"{key_of(s)}.{kind}.last.day")))
        if any(a.kind == "event_day" and a.args == (kind, mover) for a in ranked):
            out.append(say("event_day", kind, mover, EVENT_NOUNS.get(kind, "")))
    return out


def _watch(facts, say) -> list[Sentence | None]:
    """The next event of each kind; past a calendar's last known date, where it ends (the
    command that extends it is named once)."""
    out: list[Sentence | None] = []
    for kind in angles.event_kinds(facts):
        if f"{kind}.next.date" in facts:
            out.append(say("next_event", kind, EVENT_NOUNS.get(kind, "")))
        elif f"{kind}.calendar.end" in facts:
            first = not any(s is not None and any(f.endswith(".calendar.end") for f in s.facts) for s in out)
            out.append(say("next_event", kind, EVENT_NOUNS.get(kind, ""), command=first))
    return out
