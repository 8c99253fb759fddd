"""The monthly review's scan of the month: what a desk finds beyond each index's return.

The monthly review told the month's return and its rank and little else; the month's
stories hide in its weeks and sessions (docs: market-prose.md, section 7). From the facts of
facts/month_events.py this module chooses, in years of rarity like every other angle:
- a same-calendar-month record, in the lead when it reaches a decade back and well past
  the month's own rank ("The Dow had its worst December since 1931");
- a threshold crossed, with its true date: every index into a correction during the month
  told at once (August 2015), an index that was already in one since an earlier month said so
  ("first closed in correction territory on Nov. 23"), one that crossed and came back "closed in
  correction territory on Aug. 21 ... but ended the month 9.7% below its record close";
- the month's best or worst week when it reaches a year back; a round level crossed for
  the first time (or in years), with the month's record closes; the Dow's biggest point
  gain when it is a record or years rare (desks quote the Dow in points).
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import reading as rd
from marketnotes.narrative.angles import years_between

RARE_YEARS = 1.0
SAME_MONTH_YEARS = 10.0  # "worst December since 1931" joins the lead from a decade back ...
SAME_MONTH_OVER = 1.5  # ... and well past the month's own "worst month since"
POINTS = ("^DJI",)
FED_YEARS = 2.0  # a change of the target weighs as a two-year event; a first hike or cut in years, as its years
RUN_MONTHS = 4  # "a fourth straight monthly loss"
ENDED_MONTHS = 5  # "the month ended a winning run of 10 months"
POINTS_YEARS = 12.0  # a record in points comes with every higher level: it weighs as about a decade, not as 1885
FIRST_EVER_YEARS = 25.0  # a round level never closed above before (the Nasdaq's 5,000 in March 2000)
CLOSURE_YEARS = 50.0  # markets shut for days on end: the month's first fact  # desks quote the Dow in points (house style 8)


def reach(facts: FactTable, p: str, since: str, start: str, at: str | None = None) -> float:
    at = at or facts.as_of
    if f"{p}.{since}" in facts:
        return years_between(at, facts.value(f"{p}.{since}"))
    if f"{p}.{start}" in facts:
        return years_between(at, facts.value(f"{p}.{start}")) + 1.0
    return 0.0


def same_month(facts: FactTable, say, told: list[str], month_rare: dict[str, float]) -> list:
    """Lead sentences for same-calendar-month records, indices that reach the same year together."""
    groups: dict[str, list[str]] = {}
    for s in told:
        p = f"{key_of(s)}.month"
        years = reach(facts, p, "same_since", "same_data_start")
        if years >= SAME_MONTH_YEARS and years >= SAME_MONTH_OVER * month_rare[s]:
            groups.setdefault(str(facts.value(f"{p}.same_since") or facts.value(f"{p}.same_data_start"))[:4], []).append(s)
    return [say("same_month", group) for _, group in sorted(groups.items())]  # the oldest year, the rarest, first


def corrected_in_month(facts: FactTable, s: str) -> bool:
    day = facts.value(f"{key_of(s)}.month.first_correction")
    return day is not None and day > facts.value("month.start") and f"{key_of(s)}.month.first_bear" not in facts


def all_corrected(facts: FactTable, told: list[str]) -> bool:
    return len(told) > 1 and all(corrected_in_month(facts, s) for s in told)


def first_crossed_before(facts: FactTable, s: str) -> bool:
    """The regime module dates a re-entry; a desk dates the first close past the line. An index
    whose correction (bear market) began before the month did not enter it this month."""
    k = key_of(s)
    state = facts.value(f"{k}.regime.state")
    first = facts.value(f"{k}.month.first_bear" if state == "bear" else f"{k}.month.first_correction")
    return state in ("bear", "correction") and first is not None and first <= facts.value("month.start")


def drawdown(facts: FactTable, say, s: str, entered: bool, told_all: bool):
    """The Drawdowns sentence of an index with a correction's true first date, else None
    (the regime sentence as before)."""
    k = key_of(s)
    if told_all or f"{k}.month.first_correction" not in facts or f"{k}.month.first_bear" in facts:
        return None
    state = facts.value(f"{k}.regime.state")
    if state == "correction" or (state not in ("bear", "correction") and corrected_in_month(facts, s) and facts.value(f"{k}.month.first_correction") > facts.value(f"{k}.ath.date", "")):
        return say("corrected", s)  # a correction measured from the record close it fell from, or from its regime's peak
    return None


def events(facts: FactTable, say, told: list[str]) -> list:
    """The month's events: a closure of the market, rare weeks, round levels and records, the
    Dow's points; each with its rarity in years (the planner puts the rarest in the lead)."""
    out = [(say("closure"), CLOSURE_YEARS)] if "market.closure.sessions" in facts else []
    change = rd.fed_change(facts) if rd.fed_told(facts) else 0
    if change:  # a change of the Fed's target is the month's news; a hold is not
        out.append((say("fed_month", change), max(FED_YEARS, rd.fed_reach(facts))))
    for side in ("worst", "best"):
        rare = {s: reach(facts, f"{key_of(s)}.month.week_{side}", "since", "data_start", facts.value(f"{key_of(s)}.month.week_{side}.date")) for s in told if f"{key_of(s)}.month.week_{side}.date" in facts}
        if not rare or max(rare.values()) < RARE_YEARS:
            continue
        first = max(rare, key=rare.get)
        day = facts.value(f"{key_of(first)}.month.week_{side}.date")
        same = sorted((s for s in told if facts.value(f"{key_of(s)}.month.week_{side}.date") == day), key=lambda s: -abs(facts.value(f"{key_of(s)}.month.week_{side}.ret")))
        out.append((say("week_of", same, side, first), rare[first]))
    out += levels(facts, say, told)
    out += runs(facts, say, told)
    for s in told:
        p = f"{key_of(s)}.month"
        if f"{p}.milestone.level" in facts:
            first = f"{p}.milestone.since" not in facts and (facts.value(f"{key_of(s)}.history.complete") == 1 or f"{p}.milestone.first_ever" in facts)
            out.append((say("milestone", s), FIRST_EVER_YEARS if first else 5.0))
        elif f"{p}.records" in facts:
            out.append((say("records_of", s), 1.0))
        for side in ("best", "worst") if s in POINTS else ():
            if f"{p}.{side}.pts" in facts:
                years = reach(facts, f"{p}.{side}", "pts_since", "pts_data_start", facts.value(f"{p}.{side}.pts_date"))
                if years >= RARE_YEARS:
                    out.append((say("points_day", s, side), min(years, POINTS_YEARS)))
    return out


def levels(facts: FactTable, say, told: list[str]) -> list:
    """The month's lowest close when none was lower for a year ("its lowest close since April
    2017"), and its highest when none was higher for a year and it was no record (records are
    told as records); indices that had theirs on the same session, together."""
    out = []
    for side in ("low", "high"):
        found: dict[str, list[tuple[str, float]]] = {}
        for s in told:
            p = f"{key_of(s)}.month.{side}"
            if f"{p}.date" not in facts or (side == "high" and (f"{p}.since" not in facts or f"{key_of(s)}.month.records" in facts)):
                continue
            years = reach(facts, p, "since", "data_start", facts.value(f"{p}.date"))
            if years >= RARE_YEARS:
                found.setdefault(facts.value(f"{p}.date"), []).append((s, years))
        for _, group in sorted(found.items()):
            out.append((say("month_level", [s for s, _ in group], side), max(y for _, y in group)))
    return out


def runs(facts: FactTable, say, told: list[str]) -> list:
    """Months in a row the same way (from `RUN_MONTHS`), and a run the month ended (from
    `ENDED_MONTHS`): the indices with the same run together, the rarest run's reach said."""
    out = []
    for which, least in (("run", RUN_MONTHS), ("ended", ENDED_MONTHS)):
        groups: dict[tuple, list[str]] = {}
        for s in told:
            length = facts.value(f"{key_of(s)}.months.{which}")
            if length is not None and length >= least:
                groups.setdefault((length, facts.value(f"{key_of(s)}.month.ret") > 0), []).append(s)
        for group in groups.values():
            rare = {s: reach(facts, f"{key_of(s)}.months", f"{which}_since", f"{which}_data_start") for s in group}
            rarest = max(group, key=rare.get)
            out.append((say("month_run", group, which, rarest if rare[rarest] >= RARE_YEARS else None), rare[rarest]))
    return out
