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
from marketnotes.narrative import angles, formats, scan, words
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Phrasebook, Sentence, statement

EVENT_NOUNS = {"cpi": "release"}
SECOND_ANGLE = 1.0  # a second rare angle joins the lead when it reaches back a year
RARE_LEAD = 2.0  # and every further one that reaches back two years, up to
MAX_LEAD_ANGLES = 6
LEAD_EXTRAS = 2  # other indices' rare news in the lead paragraph; more goes to "Also this week"
# news a year rare that the lead had no room for, told after it; the other sections tell the rest
SPARE_KINDS = {"milestone", "streak_end", "week_record", "record", "streak"}
MAX_SPARE = 2
EVEN_PTS = 0.5  # a gap under half a point is "roughly in line"
YOUNG_BULL_SESSIONS = 126  # "is in a bull market, 58% above its March low" is news for half a year, then boilerplate
WATCH_DAYS = 7  # a release is worth watching in the week it falls in
THRESHOLDS = {"none": 0.10, "bull": 0.10, "correction": 0.20}  # the next line down for each state
NEAR_LINE = 0.01  # within a point of it
NEAR_RECORD = 0.03  # "1.2% short of its record close" is news; "44% below it" every week of a decade is not
MAX_LEVELS = 2
CLEAR_LEAD = 0.005  # another index leads the note only if it moved half a point more than the first
WINDOW_OVERLAP_SESSIONS = 10
MIN_ARC_SESSIONS = 20  # about a month
CROSSINGS = {"regime", "touch"}  # a threshold crossed this week is always in the lead
SINGLE_INDEX = {"big_day", "regime", "touch", "record", "streak", "event_day", "week_level", "milestone", "whipsaw", "streak_end", "brink"}  # lead sentences about one index  # a window whose start is this close to a stated one adds nothing


def lead_window(facts: FactTable, symbols: list[str]) -> str:
    return "1w" if all(f"{key_of(s)}.ret.1w" in facts for s in symbols) else "1d"


def biggest_mover(facts: FactTable, symbols: list[str], window: str) -> str:
    """The index with the largest absolute return over the lead window; the note's first index
    (its headline index, by the params' order) unless another moved clearly more: a week in
    which all three moved 0.3-0.4% is the headline index's, not whichever rounded largest."""
    size = {s: abs(facts.value(f"{key_of(s)}.ret.{window}", 0.0)) for s in symbols}
    top = max(symbols, key=size.__getitem__)
    return symbols[0] if size[top] - size[symbols[0]] < CLEAR_LEAD else top


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
    book = Phrasebook(facts, template)
    say = book.say
    if not all(f"{key_of(s)}.ret.1d" in facts for s in symbols):
        first = [say("first_session", s) for s in symbols]
        return Narrative(facts.as_of, first[0], first, [])

    w = lead_window(facts, symbols)
    mover = biggest_mover(facts, symbols, w)
    ranked = angles.ranked(angles.candidates(facts, symbols, pair, mover, w) + scan.scan(facts, symbols))
    top = ranked[0]
    headline = _fit(book, f"headline_{top.kind}", top.args)
    draft = Draft()
    lead_sentences, also = _lead(facts, say, symbols, ranked, mover, w)
    lead = draft.keep(lead_sentences)
    also_kept = draft.keep(also)
    # a bear market or correction is always named; the arc then tells that leg without its number
    highs = draft.keep(_highs(facts, say, symbols, pair))
    sections = [
        Section("Also this week", also_kept),
        Section("The story so far", _arc(facts, say, pair, top, draft)),
        Section("Leaders and laggards", draft.keep(_leaders(facts, say, symbols, mover, draft))),
        Section("Records and drawdowns", highs),
        Section("The rotation", draft.keep(_rotation(facts, say, symbols, pair, ranked))),
        Section("Events", draft.keep(_events(facts, say, symbols, ranked))),
        Section("What to watch", draft.keep(_watch(facts, say, symbols))),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in sections if s.sentences])


HEADLINE_CHARS = 65  # AP: a headline that fits one line of a phone or a wire budget


def _fit(book: Phrasebook, macro: str, args) -> Sentence:
    """The headline, or its brief form (no weekday, years for dates) when it runs long."""
    headline = book.say(macro, *args)
    if len(headline.text) <= HEADLINE_CHARS:
        return headline
    book.writer.brief_headline = True
    try:
        return book.say(macro, *args)
    finally:
        book.writer.brief_headline = False


def _lead(facts, say, symbols, ranked, mover, w) -> tuple[list[Sentence | None], list[Sentence | None]]:
    """The lead's sentences, and the rare news that did not fit in it (for "Also this week")."""
    top = ranked[0]
    # a week's low or high reached on the as-of close is told by the week's own sentence
    level_today = top.kind == "week_level" and facts.value(f"{key_of(top.symbol)}.week.{top.args[1]}.date") == facts.as_of
    own = top.kind in ("mover", "week_extreme") or level_today
    extremes = [a.symbol for a in ranked if a.kind == "week_extreme" and (a is top or a.score >= SECOND_ANGLE)]
    # the week's move follows the angle's index (with "It"), so the lead stays on one subject
    first = top.symbol if own or top.kind in SINGLE_INDEX else mover
    out = [] if own else [say(f"lead_{top.kind}", *top.args)]
    pronoun = bool(out) and top.symbol == first and top.kind in SINGLE_INDEX and top.kind != "whipsaw"  # its last sentence names a day
    close = facts[f"{key_of(first)}.close"]
    told_close = bool(out) and out[0] is not None and statement(close, formats.render(close.value, "level", None)) in out[0].numbers
    out.append(say("lead_mover", first, w, extreme=first in extremes, pronoun=pronoun, with_close=not told_close))
    # another index's "worst week since" gets a sentence of its own, so each "its" has one referent
    rest = [s for s in symbols if s != first]
    # ... and indices whose weeks reach back to the same week are told together
    alike: dict[tuple, list[str]] = {}
    for s in (s for s in rest if s in extremes):
        alike.setdefault(_extreme_reach(facts, s), []).append(s)
    out += [say("others", group, w, group) if len(group) == 1 else say("others_alike", group, w) for group in alike.values()]
    if [s for s in rest if s not in extremes]:
        out.append(say("others", [s for s in rest if s not in extremes], w))
    told, spare = [top], []
    for a in ranked[1:]:
        if a.kind in ("mover", "week_extreme") or a.score < SECOND_ANGLE or any(a.kind == t.kind and a.args == t.args for t in told):
            continue
        if a.kind == "week_level" and a.symbol == first and facts.value(f"{key_of(first)}.week.{a.args[1]}.date") == facts.as_of:
            continue  # the week's move tells a level reached on its own close
        if a.kind == "big_day" and any(a.symbol in scan.told_symbols(t) and facts.value(f"{key_of(a.symbol)}.week.{a.args[1]}.date") in scan.told_days(t) for t in told):
            continue  # the whipsaw told that day
        # one more angle; a threshold crossed this week; and every angle rarer than two years
        if len(told) == 1 or (a.kind in CROSSINGS and not CROSSINGS & {t.kind for t in told}) or (a.score >= RARE_LEAD and len(told) < MAX_LEAD_ANGLES):
            told.append(a)
        elif a.kind in SPARE_KINDS:
            spare.append(a)
    # the top day's twin (the same index's other big day) joins the top sentence
    twin = next((a for a in told[1:] if top.kind == "big_day" and a.kind == "big_day" and a.symbol == top.symbol), None)
    if twin is not None:
        out[0] = say("lead_big_days", top.symbol)
        told.remove(twin)
    # each index's news together: the top angle's index right after it, the rest after the week's moves
    extra = [_merged(a, told) for a in told[1:] if not _merged_away(a, told)]
    order = list(dict.fromkeys([top.symbol, first, *(t.symbol for t in told)]))
    extra.sort(key=lambda a: order.index(a.symbol))
    own_index = [say(f"lead_{a.kind}", *a.args) for a in extra if a.symbol == top.symbol and out and not own]
    rest = [say(f"lead_{a.kind}", *a.args) for a in extra if not (a.symbol == top.symbol and out and not own)]
    # a lead is a paragraph, not the week's log: what does not fit follows it
    also = rest[LEAD_EXTRAS:] + [say(f"lead_{a.kind}", *a.args) for a in spare[:MAX_SPARE]]
    return out[:1] + own_index + out[1:] + rest[:LEAD_EXTRAS], also


def _extreme_reach(facts: FactTable, s: str) -> tuple:
    """(best or worst, since when) of an index's week: equal for indices told together."""
    k = key_of(s)
    return (facts.value(f"{k}.ret.1w", 0) > 0, facts.value(f"{k}.week_extreme.since"), f"{k}.week_extreme.since" in facts)


def _merged(a: angles.Angle, told: list[angles.Angle]) -> angles.Angle:
    """An index's best and worst days, both in the lead after its first sentence, are one
    sentence ("surged 11.6% on Monday ... and sank 9.0% on Wednesday ...")."""
    return angles.Angle("big_days", a.score, (a.symbol,), a.symbol) if len(_twins(a, told)) == 2 else a


def _merged_away(a: angles.Angle, told: list[angles.Angle]) -> bool:
    """The second of an index's two big days: the first one's merged sentence tells it."""
    twins = _twins(a, told)
    return len(twins) == 2 and a is twins[1]


def _twins(a: angles.Angle, told: list[angles.Angle]) -> list[angles.Angle]:
    return [t for t in told[1:] if t.kind == "big_day" and t.symbol == a.symbol] if a.kind == "big_day" else []


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
    return arc + draft.keep([say("arc_other", first, other) if _arc_other_news(facts, first) else None])


ARC_APART = 0.05  # the other index's path over the arc is told when it parted from this one's by five points


def _arc_other_news(facts: FactTable, s: str) -> bool:
    """"Since mid-April the Dow has fallen 8%" answers the arc only when the pair parted ways
    (another sign, five points apart) or the other set records; otherwise it is the same story twice."""
    k = key_of(s)
    if f"{k}.arc.other.change" not in facts:
        return False
    mine = 1.0
    for i in range(int(facts.value(f"{k}.arc.count", 0))):
        mine *= 1 + facts.value(f"{k}.arc.{i}.change", 0.0)
    theirs = facts.value(f"{k}.arc.other.change")
    return (theirs > 0) != (mine - 1 > 0) or abs(theirs - (mine - 1)) >= ARC_APART or facts.value(f"{k}.arc.other.records", 0) >= 2


def _leaders(facts, say, symbols, mover, draft: Draft) -> list[Sentence | None]:
    out: list[Sentence | None] = []
    if len(symbols) > 1:
        starts: list[str] = [facts[f"{key_of(symbols[0])}.ret.1w"].start] if f"{key_of(symbols[0])}.ret.1w" in facts else []
        told: list[tuple[str, str]] = []
        year: tuple[str, str] | None = None
        for w in ("ytd", "3m", "1m"):
            if not all(f"{key_of(s)}.ret.{w}" in facts for s in symbols):
                continue
            start = facts[f"{key_of(symbols[0])}.ret.{w}"].start
            ranked = sorted(symbols, key=lambda s: facts.value(f"{key_of(s)}.ret.{w}"), reverse=True)
            best, worst = ranked[0], ranked[-1]
            if w == "ytd":
                year = (best, worst)
                if not _standings_news(facts, "ytd"):
                    continue  # the year's order, unchanged and no wider than before, is next week's sentence too
            elif year and (best == year[0] or worst == year[1]):
                continue  # a shorter window tells a story only where it turns the year's order round
            if any(words.weekdays_between(start, s) < WINDOW_OVERLAP_SESSIONS for s in starts):
                continue
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
            # a day the lead told leaves the other one, when it was large: "its worst was Thursday's 3.0%"
            told = {side for side in ("best", "worst") if draft.says(facts, f"{k}.week.{side}.ret", "pct1")}
            other = ({"best", "worst"} - told).pop() if len(told) == 1 else None
            if not told:
                out.append(say("week_days", mover))
            elif other and words.tier_of(facts, f"{k}.week.{other}.ret") >= 3:
                out.append(say("week_day", mover, other))
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
        elif _near_line(facts, s):  # within a point of the next line down: what to watch
            out.append(say("near_line", s, "a bear market" if state == "correction" else "a correction"))
        elif state in ("bear", "correction") or (state == "bull" and facts.value(f"{k}.regime.sessions", 0) <= YOUNG_BULL_SESSIONS):
            out.append(say("regime_state", s))
        elif before in ("bear", "correction"):
            out.append(say("left_regime", s))
        elif facts.value(f"{k}.ath.today") == 1 or facts.value(f"{k}.ath.below", -1.0) > -NEAR_RECORD:
            out.append(say("highs", s, with_trend=not pair or s not in pair))
        # further off, the distance from the record is a standing number (note.numbers()), not news
    return out


def _near_line(facts: FactTable, s: str) -> bool:
    """Within a point of a correction (from none or a bull market) or of a bear market (from a correction)."""
    k = key_of(s)
    line = THRESHOLDS.get(facts.value(f"{k}.regime.state", "none"))
    drawdown = facts.value(f"{k}.regime.drawdown")
    return line is not None and drawdown is not None and -line < drawdown <= -line + NEAR_LINE


def _rotation(facts, say, symbols, pair, ranked) -> list[Sentence | None]:
    out: list[Sentence | None] = []
    lead_kinds = {ranked[0].kind}
    if pair:
        # the week's gap restates the lead's numbers; the year's is the rotation's running score
        # ... unless the year's leaders and laggards are the pair: that sentence gave the score
        if "rot.spread.ytd" in facts and abs(facts.value("rot.spread.ytd")) >= EVEN_PTS and _standings_news(facts, "pair") and not _ytd_ends_are(facts, symbols, pair):
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


def _standings_news(facts: FactTable, name: str) -> bool:
    """The year's order is news when it changed this week or its gap is the widest of the year
    (facts/standings.py); without those facts (a single index) it is told as before."""
    if f"standings.{name}.changed" not in facts:
        return True
    return facts.value(f"standings.{name}.changed") == 1 or facts.value(f"standings.{name}.widest") == 1


def _ytd_ends_are(facts, symbols, pair) -> bool:
    """Whether the year's leader and laggard (the leaders section's ytd sentence) are the pair."""
    ids = [f"{key_of(s)}.ret.ytd" for s in symbols]
    if len(symbols) < 2 or not all(i in facts for i in ids):
        return False
    ranked = sorted(symbols, key=lambda s: facts.value(f"{key_of(s)}.ret.ytd"))
    return {ranked[0], ranked[-1]} == set(pair)


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


def _watch(facts, say, symbols) -> list[Sentence | None]:
    """What the coming week holds: a release due in it (past a calendar's last known date,
    where it ends, with the command that extends it named once), a round level within reach
    (an index within a point of a correction is said in "Records and drawdowns", with its
    distance). Nothing, when nothing is near:
    "the next CPI release is due" in every note was boilerplate."""
    out: list[Sentence | None] = []
    as_of = dt.date.fromisoformat(facts.as_of)
    for kind in angles.event_kinds(facts):
        if f"{kind}.next.date" in facts:
            if (dt.date.fromisoformat(facts.value(f"{kind}.next.date")) - as_of).days <= WATCH_DAYS:
                out.append(say("next_event", kind, EVENT_NOUNS.get(kind, "")))
        elif f"{kind}.calendar.end" in facts:
            first = not any(s is not None and any(f.endswith(".calendar.end") for f in s.facts) for s in out)
            out.append(say("next_event", kind, EVENT_NOUNS.get(kind, ""), command=first))
    out += [say("watch_level", s) for s in symbols if f"{key_of(s)}.level_in_reach.level" in facts][:MAX_LEVELS]
    return out