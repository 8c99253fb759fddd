"""The note's body after the lead: the arc of the last months, leaders over longer windows,
records and drawdowns, the rotation, the week's events and what comes next.

Each builder returns sentences or None; `Draft` keeps them in order and drops any that would
restate a number the note already gave. A section says something only when it is news this
week (the year's order when it changed, the distance from a record when it is near): a
sentence that would be the same next week is a number for the table, not prose.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import angles, formats, words
from marketnotes.narrative.writer import Sentence, statement

EVENT_NOUNS = {"cpi": "release"}
EVEN_PTS = 0.5  # a gap under half a point is "roughly in line"
YOUNG_BULL_SESSIONS = 126  # "is in a bull market, 58% above its March low" is news for half a year, then boilerplate
WATCH_DAYS = 7  # a release is worth watching in the week it falls in
THRESHOLDS = {"none": 0.10, "bull": 0.10, "correction": 0.20}  # the next line down for each state
NEAR_LINE = 0.01  # within a point of it
NEAR_RECORD = 0.03  # "1.2% short of its record close" is news; "44% below it" every week of a decade is not
MAX_LEVELS = 2
WINDOW_OVERLAP_SESSIONS = 10
MIN_ARC_SESSIONS = 20  # about a month


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


def arc(facts, say, pair, top, draft: Draft) -> list[Sentence]:
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


def leaders(facts, say, symbols, mover, draft: Draft) -> list[Sentence | None]:
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
    for down in (True, False):  # the week a year's gain was erased (or a loss recovered), indices that turned together in one sentence
        turned = [s for s in symbols if facts.value(f"{key_of(s)}.ytd.flipped") == 1 and (facts.value(f"{key_of(s)}.ret.ytd", 0) < 0) == down]
        out += [say("ytd_flip", turned)] if turned else []
    for s in [mover, *(s for s in symbols if s != mover)]:
        out += _big_days(facts, say, s, draft, both=s == mover)
    return out


RARE_DAY_YEARS = 0.5


def _rare_day(facts: FactTable, k: str, side: str) -> bool:
    since = facts.value(f"{k}.week.{side}.since")
    return f"{k}.week.{side}.data_start" in facts or (since is not None and since < (dt.date.fromisoformat(facts.as_of) - dt.timedelta(days=round(365.25 * RARE_DAY_YEARS))).isoformat())


def _big_days(facts, say, s: str, draft: Draft, both: bool) -> list[Sentence | None]:
    """An index's large days the lead did not tell: the mover's best and worst when either was
    large; another index's only when that day was large and its biggest in half a year (the
    Dow's 610-point Friday in the week the Nasdaq led)."""
    k = key_of(s)
    if f"{k}.week.best.date" not in facts or facts.value(f"{k}.week.best.date") == facts.value(f"{k}.week.worst.date"):
        return []
    floor = 3
    if max(words.tier_of(facts, f"{k}.week.best.ret"), words.tier_of(facts, f"{k}.week.worst.ret")) < floor:
        return []
    if not both and not any(_rare_day(facts, k, side) for side in ("best", "worst")):
        return []
    # a day the lead told leaves the other one, when it was large: "its worst was Thursday's 3.0%"
    told = {side for side in ("best", "worst") if draft.says(facts, f"{k}.week.{side}.ret", "pct1")}
    other = ({"best", "worst"} - told).pop() if len(told) == 1 else None
    if not told and both:
        return [say("week_days", s)]
    big = [side for side in ("worst", "best") if side not in told and words.tier_of(facts, f"{k}.week.{side}.ret") >= floor and (both or _rare_day(facts, k, side))]
    return [say("week_day", s, big[0])] if big and (other or not told) else []


def records(facts, say, symbols, pair) -> list[Sentence | None]:
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
    state = facts.value(f"{k}.regime.state", "none")
    line = THRESHOLDS.get(state)
    # a young bull market's regime facts run from its record; a correction from its recent high
    drawdown = facts.value(f"{k}.hi52.below" if state == "bull" else f"{k}.regime.drawdown")
    return line is not None and drawdown is not None and -line < drawdown <= -line + NEAR_LINE


def rotation(facts, say, symbols, pair, ranked) -> list[Sentence | None]:
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


def events(facts, say, symbols, ranked) -> list[Sentence | None]:
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


def watch(facts, say, symbols) -> list[Sentence | None]:
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