"""The week's event scan: messages about every index and every session that the week-level
angles (angles.py) cannot see, each scored in years of rarity like them so the planner
ranks all of them together.

A desk reads every index on every session before choosing a lead (docs/style.md, "Scan the
whole week"): the Nasdaq's first close above 5,000 on Thursday, four straight days of 4%
swings, a ten-session winning streak snapped, records set on Tuesday that Friday's close
hides, an index 19.8% below its record. The facts come from facts/milestones.py,
whipsaws.py, streaks.py, peaks.py and regime.py; here they become `Angle`s.
"""

from __future__ import annotations

from marketnotes.facts.milestones import roundness
from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.angles import Angle, rarity, size, years_between

MIN_MILESTONE_YEARS = 0.5  # "the first close above 10,000 since" half a year or more
# a first close ever past a level: by how round it is ("5,000" among the hundreds)
FIRST_CROSSING = {10: 7.0, 5: 4.0, 1: 1.5}  # a first close ever above 5,000 leads the week; above 9,900 barely counts
FIRST_IN_SHORT_DATA = 0.8  # "above 1,700 for the first time since at least 1999" is weak news
ROUND_BONUS = {10: 1.0, 5: 0.5, 1: 0.0}
WHIPSAW_BASE = 2.0
MIN_STREAK_END_YEARS = 1.0
MIN_TWO_DAY_YEARS = 1.0
WEEK_RECORD = 1.5  # a record earlier in the week outranks an ordinary week, not a rare one
ROUTINE_RECORDS = 10  # the tenth record of a run without a 5% pullback is routine (2017): it weighs less
ROUTINE_RECORD = 1.0
BRINK_SCORE = 6.0


def scan(facts: FactTable, symbols: list[str]) -> list[Angle]:
    out: list[Angle] = []
    for s in symbols:
        out += _milestone(facts, s) + _streak_end(facts, s) + _brink(facts, s) + _two_day(facts, s)
    out += _whipsaws(facts, symbols) + _week_records(facts, symbols)
    return out


def _milestone(facts: FactTable, s: str) -> list[Angle]:
    p = f"{key_of(s)}.milestone"
    if f"{p}.level" not in facts:
        return []
    r = roundness(facts.value(f"{p}.level"))
    if f"{p}.since" in facts:
        years = years_between(facts.value(f"{p}.date"), facts.value(f"{p}.since"))
        # "back above 10,000" is news; "below 8,100 for the first time since 1998" is a number
        # that happens to be round in the index's units, not a level anyone watches
        if years < MIN_MILESTONE_YEARS or r == 1:
            return []
        return [Angle("milestone", years + ROUND_BONUS[r], (s,), s)]
    # a first close past a level in data that starts after the index did is told as "since
    # at least 1999" (phrasebook), never as "for the first time"
    ever = facts.value(f"{key_of(s)}.history.complete") == 1 or f"{p}.first_ever" in facts  # facts/history.py
    return [Angle("milestone", FIRST_CROSSING[r] if ever or r > 1 else FIRST_IN_SHORT_DATA, (s,), s)]


def _two_day(facts: FactTable, s: str) -> list[Angle]:
    """Two sessions that ran the same way (facts/twodays.py), when the pair is rarer than
    either of its days: 8.5% on Thursday and Friday, neither day the S&P 500's biggest since 1999."""
    p, k = f"{key_of(s)}.two_day", key_of(s)
    years = rarity(facts, f"{p}.since", f"{p}.data_start", facts.value(f"{p}.last"))
    if years is None or years < MIN_TWO_DAY_YEARS:
        return []
    days = {facts.value(f"{p}.first"), facts.value(f"{p}.last")}
    single = [rarity(facts, f"{k}.week.{side}.since", f"{k}.week.{side}.data_start", facts.value(f"{k}.week.{side}.date")) or 0.0
              for side in ("best", "worst") if facts.value(f"{k}.week.{side}.date") in days]
    if single and years <= max(single) + 0.5:
        return []  # one of its days is the bigger story, told as a big day
    return [Angle("two_day", years + size(facts, f"{p}.ret"), (s,), s)]


def whipsaw_days(facts: FactTable, s: str) -> list[str]:
    p = f"{key_of(s)}.whipsaw"
    return [facts.value(f"{p}.day{i}") for i in range(int(facts.value(f"{p}.sessions", 0)))]


def _whipsaws(facts: FactTable, symbols: list[str]) -> list[Angle]:
    """One message per set of swing days: indices that swung on the same sessions are told
    together, the one with the rarest days in full ("the S&P 500 and the Dow swung the same
    way"). It outranks its own big days (it tells them), so the lead tells the swing once."""
    by_days: dict[tuple[str, ...], list[tuple[float, str]]] = {}
    for s in symbols:
        days = tuple(whipsaw_days(facts, s))
        if not days:
            continue
        k, score = key_of(s), WHIPSAW_BASE + len(days) / 2
        for side in ("best", "worst"):
            p = f"{k}.week.{side}"
            years = rarity(facts, f"{p}.since", f"{p}.data_start", facts.value(f"{p}.date"))
            if years is not None and facts.value(f"{p}.date") in days:
                score = max(score, years + size(facts, f"{p}.ret") + 0.5)
        by_days.setdefault(days, []).append((score, s))
    out = []
    for days, scored in by_days.items():
        score, first = max(scored, key=lambda x: x[0])
        out.append(Angle("whipsaw", score, (first, days, tuple(s for _, s in scored if s != first)), first))
    return out


def _streak_end(facts: FactTable, s: str) -> list[Angle]:
    p = f"{key_of(s)}.streak.ended"
    if p not in facts:
        return []
    years = rarity(facts, f"{p}_since", f"{p}_data_start", facts.value(f"{p}_date"))
    if years is None or years < MIN_STREAK_END_YEARS:
        return []
    # a streak's end is half the news the streak was (last week's note could tell it running)
    return [Angle("streak_end", years / 2 + 0.5, (s,), s)]


def _brink(facts: FactTable, s: str) -> list[Angle]:
    """An index in a correction whose deepest close of the week came within a point of a bear
    market (facts/regime.py)."""
    if f"{key_of(s)}.regime.brink.date" not in facts:
        return []
    return [Angle("brink", BRINK_SCORE, (s,), s)]


def _week_records(facts: FactTable, symbols: list[str]) -> list[Angle]:
    """Records set before the as-of close, one message for the indices that set them on the
    same latest day ("The S&P 500 and the Dow closed at records on Tuesday")."""
    days: dict[str, list[str]] = {}
    for s in symbols:
        k = key_of(s)
        day = facts.value(f"{k}.week.record.date")
        if day is None or day == facts.as_of or facts.value(f"{k}.history.records") != 1 or facts.value(f"{k}.ath.today") == 1:
            continue
        days.setdefault(day, []).append(s)
    return [Angle("week_record", _record_weight(facts, group) + 0.25 * (len(group) - 1), (tuple(group), day), group[0]) for day, group in sorted(days.items())]


def _record_weight(facts: FactTable, group: list[str]) -> float:
    routine = all(facts.value(f"{key_of(s)}.records.run_count", 0) >= ROUTINE_RECORDS for s in group)
    return ROUTINE_RECORD if routine else WEEK_RECORD


def told_days(angle: Angle) -> set[str]:
    """The sessions whose one-day moves a message tells, so a big day inside a told whipsaw
    is not told again; with the indices it speaks for."""
    return set(angle.args[1]) if angle.kind == "whipsaw" else set()


def told_symbols(angle: Angle) -> set[str]:
    return {angle.symbol, *angle.args[2]} if angle.kind == "whipsaw" else {angle.symbol}
