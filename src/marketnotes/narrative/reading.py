"""What the release said, tied to how the market took it: the CPI note's opening.

A desk does not write "the Dow rose 1.0% on CPI day" and, three sentences later, what the
report showed; it writes "stocks rallied even as core prices rose the most since 2005". So
the reading is judged here (interpretation, in the terms of nlg-architecture.md), and the
CPI note's lead opens with one sentence that holds both:

- the reading's *temperature*: hot or cool when its "since" reaches back a year ("the
  biggest rise since March 2005"), else measured against the recent trend, the average
  monthly change of the year before (facts/readings.py: no consensus forecast is free, so
  the note compares with the trend and says so: "above the 0.18% monthly average of the
  previous 12 months"), else in line;
- the market's *stance* to it: a hot reading is bad news for stocks (rates go up), a cool
  one good, so stocks rising on a hot reading rose "even as" it came out, falling on a cool
  one fell "even as", and the rest moved "as" it did; an in-line reading is only dated;
- the Fed, where it decided in the note's window (facts/policy.py): a cut is good news and
  a hike bad, by the same rule; a decision on the release day or the note's day is told
  with that day's move, a rare one ("its first increase since June 2006") in the headline.

Sentences come from releases.j2 (`reaction`, `reading_rest`, `fed`, `headline_reaction`,
`headline_fed`).
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.angles import years_between

KIND = "cpi"
RARE_YEARS = 1.0  # a "since" that reaches back less than a year is not news
IN_LINE = 0.0005  # within 0.05 point of the year's average monthly change: in line with the trend
STREAK_TOLD = 3  # "a third straight cooler reading": two in a row is not yet a trend


def reading_angle(facts: FactTable, role: str = "core") -> str:
    """Which "since" a reading earns: 'hottest' ("the biggest rise since March 2005"),
    'coolest' ("the smallest rise since ...", "the biggest fall since ..."), or '' when
    neither reaches back a year (or the reading rounds to nothing)."""
    return max(reading_reach(facts, role).items(), key=lambda kv: kv[1], default=("", 0.0))[0]


def reading_reach(facts: FactTable, role: str = "core") -> dict[str, float]:
    """{'hottest' or 'coolest': years its "since" reaches back}, for one reaching a year."""
    m = f"{KIND}.{role}.mom"
    value, month = facts.value(m), facts.value(f"{KIND}.reading.month")
    if value is None or abs(value) < 0.00005:
        return {}
    reach = {}
    for word in ("hottest", "coolest"):
        if f"{m}.{word}_since" in facts:
            reach[word] = years_between(month, facts.value(f"{m}.{word}_since"))
        elif f"{m}.{word}_data_start" in facts:
            reach[word] = years_between(month, facts.value(f"{m}.{word}_data_start")) + 1.0
    if value < 0:
        reach.pop("hottest", None)  # the smallest fall is no superlative a reader wants
    best = max(reach, key=reach.get, default="")
    return {best: reach[best]} if best and reach[best] >= RARE_YEARS else {}


def temperature(facts: FactTable) -> str:
    """'hot', 'cool' or '' (in line, or no trend to judge it by)."""
    angle = reading_angle(facts)
    if angle:
        return "hot" if angle == "hottest" else "cool"
    vs = facts.value(f"{KIND}.core.mom.vs_avg12")
    if vs is None or abs(vs) < IN_LINE:
        return ""
    return "hot" if vs > 0 else "cool"


def stance(good_news: bool | None, up: bool) -> str:
    """'as' when the market moved the way the news pointed, 'even as' against it, '' when
    the news pointed nowhere."""
    if good_news is None:
        return ""
    return "as" if good_news == up else "even as"


def trend_word(facts: FactTable) -> str:
    """How the reading compares with the year's average: 'above', 'below', 'in line', or ''."""
    vs = facts.value(f"{KIND}.core.mom.vs_avg12")
    if vs is None:
        return ""
    return "in line" if abs(vs) < IN_LINE else "above" if vs > 0 else "below"


def streak_told(facts: FactTable) -> bool:
    return abs(facts.value(f"{KIND}.core.mom.trend", 0)) >= STREAK_TOLD


def subject(facts: FactTable, first: str, moved: list[str]) -> list[str]:
    """Who the opening is about: every index ("Stocks") when all moved the same way, else the first."""
    signs = {facts.value(f"{key_of(s)}.{KIND}.release.day") > 0 for s in moved}
    zero = any(facts.value(f"{key_of(s)}.{KIND}.release.day") == 0 for s in moved)
    return moved if len(moved) > 1 and len(signs) == 1 and not zero else [first]


# -- the Fed ------------------------------------------------------------------------------


def fed_told(facts: FactTable) -> bool:
    return "fomc.decision.date" in facts


def fed_change(facts: FactTable) -> int:
    """+1 raised, -1 cut, 0 held (the ceiling's move: a single rate to a range moved both)."""
    after, before = facts.value("fomc.target.upper"), facts.value("fomc.target.before_upper")
    return 0 if abs(after - before) < 1e-9 else 1 if after > before else -1


def fed_reach(facts: FactTable) -> float:
    """Years since the last change the same way ("its first increase since June 2006"); a
    change from one rate to a range (Dec. 16, 2008) as rare as a first; 0 for a hold or a run."""
    day = facts.value("fomc.decision.date")
    if "fomc.target.prev_same" in facts and facts.value("fomc.target.run", 0) == 1:
        return years_between(day, facts.value("fomc.target.prev_same"))
    if "fomc.target.same_data_start" in facts:
        return years_between(day, facts.value("fomc.target.same_data_start")) + 1.0
    if fed_change(facts) and "fomc.target.change_bp" not in facts:
        return 25.0  # a new kind of target (a single rate to a range near zero, Dec. 16, 2008): the rarest decision
    return 0.0


def fed_day(facts: FactTable) -> str:
    """'release' when the decision was on the release session, 'today' on the note's day, else ''."""
    day = facts.value("fomc.decision.date")
    if day == facts.value(f"{KIND}.release.date"):
        return "release"
    return "today" if day == facts.as_of else ""
