"""The monthly review's prose (note_kind: monthly-review): the month for each index, the
last 12 months, the year, drawdowns and regimes, the month's best and worst days, and what
comes next.

News judgment as in the weekly note (angles.py): the headline goes to the rarest thing --
a bear market or correction entered during the month (the weekly note's weights), or an
index's best or worst month since X, in years -- and, when nothing reaches back a year, to
the index that moved most. Sentences come from months.j2; a sentence restating a figure
already said is dropped (compose.Draft).
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.angles import REGIME_WEIGHT, size
from marketnotes.narrative import month_events as me
from marketnotes.narrative import periods
from marketnotes.narrative.compose import Draft, compose
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.releases import fitted, watch_next
from marketnotes.narrative.writer import Phrasebook

RARE_YEARS = 1.0  # "its worst month since" and "its best day since" only when that reaches back a year
LEAD_DAY_YEARS = 10.0  # a day of the month rarer than this (and than the headline's month) joins the lead
LEAD_EVENT_YEARS = 5.0  # a month's event this rare (a first close above 19,000, a record point gain) joins the lead
MAX_LEAD_EVENTS = 2
WATCHED = ("cpi", "fomc")  # the next CPI release and the next Fed decision, where the note's calendars have them
MAX_LEAD = 5  # sentences: a lead is a paragraph, not the whole note
UP_MONTHS_TOLD = (2, 10)  # up in two or fewer, or ten or more, of the last 12 months: worth a sentence
UP_SHARE_TOLD = (0.25, 0.75)  # up in a quarter of the month's sessions or fewer, or three quarters or more
FURTHER = 0.002  # an index that moved this much more than the headline's says so ("fell further, 17.7%")


def month_rarity(facts: FactTable, s: str) -> float:
    return me.reach(facts, f"{key_of(s)}.month", "since", "data_start")


def entered_this_month(facts: FactTable, s: str) -> bool:
    """A bear market, correction or new bull market that began during the note's month."""
    k = key_of(s)
    return facts.value(f"{k}.regime.state") in REGIME_WEIGHT and (facts.value(f"{k}.regime.entered") or "") > facts.value("month.start") and not me.first_crossed_before(facts, s)


def day_rarity(facts: FactTable, prefix: str) -> float:
    """Years since a day as big (the data's length plus one when none was)."""
    return me.reach(facts, prefix, "since", "data_start", facts.value(f"{prefix}.date"))


def compose_month(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None = None) -> Narrative:
    say = Phrasebook(facts, "months.j2").say
    told = [s for s in symbols if f"{key_of(s)}.month.ret" in facts]
    if not told:
        return compose(facts, symbols, pair)  # the data's first month: nothing to compare with
    rare = {s: month_rarity(facts, s) for s in told}
    regime = {s: REGIME_WEIGHT[facts.value(f"{key_of(s)}.regime.state")] for s in told if entered_this_month(facts, s)}
    candidates = [(rare[s], "extreme", s) for s in told if rare[s] >= RARE_YEARS]
    candidates += [(weight, "regime", s) for s, weight in regime.items()]
    candidates += [(size(facts, f"{key_of(s)}.month.ret") / 100, "mover", s) for s in told]  # size alone never outranks a year
    _, angle, first = max(candidates, key=lambda c: c[0])
    if angle == "regime":
        headline = fitted(say, "headline_regime_month", first)
    else:
        headline = fitted(say, "headline_month", first, rare[first] >= RARE_YEARS)
    draft = Draft()
    told_all = me.all_corrected(facts, told)
    # some indices into a correction (Feb. 8, 2018: the S&P 500 and the Dow, not the Nasdaq): the lead says so
    some = [] if told_all else [s for s in told if me.corrected_in_month(facts, s) and s not in regime]
    same = me.same_month(facts, say, told, rare)  # the rarest first
    rest = sorted((s for s in told if s != first), key=lambda s: -abs(facts.value(f"{key_of(s)}.month.ret")))
    extremes = [s for s in rest if rare[s] >= RARE_YEARS]
    plain = [s for s in rest if s not in extremes]
    shared = len(extremes) > 1 and len({periods.since_month(facts, f"{key_of(s)}.month") for s in extremes}) == 1 and len({facts.value(f"{key_of(s)}.month.ret") > 0 for s in extremes}) == 1
    # an index that moved more than the headline's (the rarer month led) says so plainly
    ret = {s: facts.value(f"{key_of(s)}.month.ret") for s in told}
    further = [s for s in rest if (ret[s] > 0) == (ret[first] > 0) and abs(ret[s]) - abs(ret[first]) >= FURTHER]
    lead = draft.keep([
        say("lead_month", first, rare[first] >= RARE_YEARS),
        say("lead_regime_month", first, True) if angle == "regime" else None,
        *([say("others_month", extremes, True, further)] if shared else [say("other_extreme", s, s in further) for s in extremes]),
        say("others_month", plain, False, further) if plain else None,
        *same[:1],
        say("all_corrected", told) if told_all else None,
        say("some_corrected", some) if some else None,
    ])
    # a lead is a paragraph: the two rarest of the month's events join it, the rest follow it
    framing = periods.sentences(facts, say, told)  # the quarter and the year, at their ends
    happened = sorted(me.events(facts, say, told) + framing, key=lambda e: -e[1])
    days = _days(facts, say, told)
    # "the Dow's biggest one-day gain since 1933" is news of the month: the rarest such day joins the lead
    top_day = max((d for d in days if d[0] is not None and d[0].kind != "up_days"), key=lambda d: d[1], default=None)
    if not (top_day and top_day[1] >= LEAD_DAY_YEARS and top_day[1] > (rare[first] if angle == "extreme" else 0.0) and angle != "regime"):
        top_day = None
    room = MAX_LEAD - len(lead) - (1 if top_day else 0)
    to_lead = [sentence for sentence, years in happened if years >= LEAD_EVENT_YEARS][:max(0, min(MAX_LEAD_EVENTS, room))]
    lead += draft.keep(to_lead)
    if top_day:
        lead += draft.keep([top_day[0]])
    counts = {facts.value(f"{key_of(s)}.months.count") for s in told}
    sections = [
        Section("The month's events", draft.keep([*same[1:], *sorted((sentence for sentence, _ in happened if sentence not in to_lead and (sentence, _) not in framing), key=lambda e: e.kind != "closure")])),  # a closure of the market first: the weeks around it read after it
        Section("Month by month", draft.keep([say("up_months", told) if len(counts) == 1 and None not in counts and notable_months(facts, told) else None])),
        Section("The quarter and the year" if framing else "The year", draft.keep([
            *(sentence for sentence, _ in framing if sentence not in to_lead),
            say("year", told) if all(f"{key_of(s)}.ret.ytd" in facts for s in told) and not any(f"{key_of(s)}.year.ret" in facts for s in told) else None,
        ])),
        Section("Drawdowns", draft.keep([me.drawdown(facts, say, s, s in regime, told_all or s in some) or say("drawdown", s, s in regime and not (angle == "regime" and s == first)) for s in told])),
        Section("Best and worst days", draft.keep([d[0] for d in days])),
        Section("What to watch", draft.keep(watch_next(facts, say, WATCHED))),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in sections if s.sentences])


def notable_months(facts: FactTable, told: list[str]) -> bool:
    """"Of the past 12 months ... closed higher in seven" is news only at an extreme: an index
    up in ten or more of them, or in two or fewer."""
    ups = [facts.value(f"{key_of(s)}.months.up") for s in told]
    return any(u is not None and (u >= UP_MONTHS_TOLD[1] or u <= UP_MONTHS_TOLD[0]) for u in ups)


def notable_days(facts: FactTable, told: list[str]) -> bool:
    """"Closed higher in N of the month's 19 sessions" only for a lopsided month: three sessions
    in four up, or one in four."""
    for s in told:
        k = f"{key_of(s)}.month"
        up, sessions = facts.value(f"{k}.up_days"), facts.value(f"{k}.sessions")
        if up is not None and sessions and not UP_SHARE_TOLD[0] < up / sessions < UP_SHARE_TOLD[1]:
            return True
    return False


def _days(facts: FactTable, say, symbols: list[str]) -> list[tuple]:
    """How many sessions closed higher; then the best and the worst day, told together for the
    indices that had it on the same session (as in a selloff or a relief rally), in date order.
    Each sentence comes with how rare its rarest day was, in years (0 for the count)."""
    told = [s for s in symbols if f"{key_of(s)}.month.sessions" in facts]
    if not told:
        return []
    out = [(say("up_days", told), 0.0)] if notable_days(facts, told) else []
    for side, sign in (("best", 1), ("worst", -1)):
        prefixes = {s: f"{key_of(s)}.month.{side}" for s in told}
        moving = [s for s in told if facts.value(f"{prefixes[s]}.ret") * sign > 0]
        rare = {s: day_rarity(facts, prefixes[s]) for s in moving}
        by_day: dict[str, list[str]] = {}
        for s in moving:
            by_day.setdefault(facts.value(f"{prefixes[s]}.date"), []).append(s)
        for day in sorted(by_day):
            group = by_day[day]
            if len(group) == 1:
                out.append((say("day_of", group[0], side, rare[group[0]] >= RARE_YEARS), rare[group[0]]))
                continue
            shared = all(f"{prefixes[s]}.since" in facts for s in group) and min(rare[s] for s in group) >= RARE_YEARS and len({facts.value(f"{prefixes[s]}.since")[:7] for s in group}) == 1
            rarest = max(group, key=lambda s: rare[s])
            out.append((say("days_together", group, side, shared, None if shared or rare[rarest] < RARE_YEARS else rarest, len(group) == len(told)), rare[rarest] if shared or rare[rarest] >= RARE_YEARS else 0.0))
    return out
