"""News judgment: the week's candidate angles, each scored by how rare it is.

An editor ranks angles by rarity -- "the biggest since X": the further back X lies, the
bigger the news -- then by size. A score here is a number of years: how long since the
thing last happened (the length of the data, plus one, when it never did), plus a size
term (a move as a multiple of what is exceptional for its window, times five) so that
among equally rare angles the bigger move wins. Thresholds crossed (a bear market, a
correction) carry a fixed weight of their own. The week's biggest mover is always a
candidate, scored by size alone: it leads only when nothing rarer happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import words

REGIME_WEIGHT = {"bear": 15.0, "bull": 10.0, "correction": 8.0}  # a threshold crossed outranks all but decades-rare moves
MIN_RARITY = {"week_level": 1.0, "big_day": 1.0, "week_extreme": 0.5, "streak": 1.0, "ratio": 1.0, "gap": 1.0, "event_day": 1.0, "rotation": 0.5}
RECORD_GAP_SESSIONS = 63  # "its first record since ..." only after a quarter without one


@dataclass(frozen=True)
class Angle:
    kind: str  # mover, big_day, week_extreme, regime, record, streak, rotation, gap, ratio, event_day
    score: float
    args: tuple
    symbol: str | None = None


def years_between(later: str, earlier: str) -> float:
    return (dt.date.fromisoformat(later) - dt.date.fromisoformat(earlier)).days / 365.25


SHORT_DATA_YEARS = 3.0  # "its longest streak since at least 1999" from three months of data is no story


def rarity(facts: FactTable, since_id: str, start_id: str, at: str | None = None) -> float | None:
    """Years since this last happened; the data's length plus one if it never did, and None
    (no story) when that data is too short to make "the most since it starts" news."""
    at = at or facts.as_of
    if since_id in facts:
        return years_between(at, facts.value(since_id))
    if start_id in facts:
        span = years_between(at, facts.value(start_id))
        return span + 1.0 if span >= SHORT_DATA_YEARS else None
    return None


def size(facts: FactTable, fid: str) -> float:
    """A move as five times its multiple of the 'exceptional' edge for its window."""
    sessions = words.sessions_of(facts[fid])
    return 5.0 * abs(facts.value(fid)) / words.EDGES[words.window_class(sessions)][3]


def in_week(facts: FactTable, symbol: str, day: str | None) -> bool:
    week = facts.facts.get(f"{key_of(symbol)}.ret.1w")
    return day is not None and week is not None and day > week.start


def candidates(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None, mover: str, window: str) -> list[Angle]:
    out = [Angle("mover", size(facts, f"{key_of(mover)}.ret.{window}"), (mover, window), mover)]
    for s in symbols:
        out += _index_angles(facts, s)
    out += _pair_angles(facts, symbols, pair)
    out += _event_angles(facts, symbols)
    return out


def _index_angles(facts: FactTable, s: str) -> list[Angle]:
    k, out = key_of(s), []
    for side in ("best", "worst"):
        p = f"{k}.week.{side}"
        years = rarity(facts, f"{p}.since", f"{p}.data_start", facts.value(f"{p}.date"))
        if years is not None and years >= MIN_RARITY["big_day"]:
            out.append(Angle("big_day", years + size(facts, f"{p}.ret"), (s, side), s))
    for side in ("low", "high"):
        p = f"{k}.week.{side}"
        at_record = side == "high" and facts.value(f"{p}.date") == facts.as_of and facts.value(f"{k}.ath.today") == 1
        years = rarity(facts, f"{p}.since", f"{p}.data_start", facts.value(f"{p}.date"))
        if years is not None and side == "high":  # a new multi-year high every week of a long climb is routine
            years = min(years, facts.value(f"{p}.run_sessions", 0) / 252)
        if years is not None and years >= MIN_RARITY["week_level"] and not at_record:
            out.append(Angle("week_level", years, (s, side), s))
    years = rarity(facts, f"{k}.week_extreme.since", f"{k}.week_extreme.data_start")
    if years is not None and years >= MIN_RARITY["week_extreme"] and facts.value("session.week_complete", 1) == 1:
        out.append(Angle("week_extreme", years + size(facts, f"{k}.ret.1w"), (s,), s))
    state = facts.value(f"{k}.regime.state", "none")
    entered = facts.value(f"{k}.regime.entered")
    if state in REGIME_WEIGHT and in_week(facts, s, entered):
        out.append(Angle("regime", crossing_score(facts, state, facts.value(f"{k}.regime.previous.date")), (s,), s))
    if facts.value(f"{k}.regime.touched"):
        out.append(Angle("touch", crossing_score(facts, "correction", facts.value(f"{k}.regime.touched_previous")), (s,), s))
    if facts.value(f"{k}.ath.today") == 1 and facts.value(f"{k}.history.records") == 1:
        gap = facts.value(f"{k}.records.gap_sessions", 0)
        if gap >= RECORD_GAP_SESSIONS:
            out.append(Angle("record", 2.0 + gap / 252, (s,), s))
        elif facts.value(f"{k}.records.run_count", 0) >= 10:
            out.append(Angle("record", 3.0, (s,), s))  # "its 21st record close since March" outranks an ordinary week
    for unit, least in (("days", 5), ("weeks", 4)):
        streak = facts.value(f"{k}.streak.{unit}", 0)
        if abs(streak) < least or (unit == "weeks" and facts.value("session.week_complete", 1) != 1):
            continue
        years = rarity(facts, f"{k}.streak.{unit}_since", f"{k}.streak.{unit}_data_start")
        if years is not None and years >= MIN_RARITY["streak"]:
            out.append(Angle("streak", years + 0.5, (s, unit), s))
    return out


def crossing_score(facts: FactTable, state: str, previous: str | None) -> float:
    """A threshold crossed weighs its kind plus the years since the index was last there; a
    correction re-entered weeks after the last one fades with that gap (choppy markets cross
    the line every other week)."""
    if previous is None:
        return REGIME_WEIGHT[state]
    gap = years_between(facts.as_of, previous)
    weight = REGIME_WEIGHT[state] * (min(gap, 1.0) if state == "correction" else 1.0)
    return weight + min(gap, 20.0)


def _pair_angles(facts: FactTable, symbols: list[str], pair) -> list[Angle]:
    out = []
    leader = facts.value("rotday.week.leader")
    if leader:
        years = rarity(facts, "rotday.week.largest_since", "rotday.week.record_since", facts.value("rotday.week.date"))
        if years is None and "rotday.week.record_since" in facts:
            years = MIN_RARITY["rotation"]  # a rotation day is the pair's news even in short data
        if years is not None and years >= MIN_RARITY["rotation"]:
            out.append(Angle("rotation", years + 1.0, (leader, [s for s in symbols if s != leader]), leader))
    if not pair:
        return out
    years = rarity(facts, "rot.gap.week.since", "rot.gap.week.data_start", facts.value("rot.gap.week.date"))
    if years is not None and years >= MIN_RARITY["gap"]:
        out.append(Angle("gap", years + 5.0 * abs(facts.value("rot.gap.week.value")) / 350, pair))
    for side in ("high", "low"):
        if f"rot.ratio.{side}_since.date" not in facts:
            continue
        # the ratio's first extreme in a while is news; a new one every week of a long trend is not
        years = min(years_between(facts.as_of, facts.value(f"rot.ratio.{side}_since.date")), facts.value(f"rot.ratio.{side}_since.run_sessions", 0) / 252)
        if years >= MIN_RARITY["ratio"]:
            out.append(Angle("ratio", years, (*pair, side)))
    return out


def _event_angles(facts: FactTable, symbols: list[str]) -> list[Angle]:
    out = []
    for kind in event_kinds(facts):
        if not in_week(facts, symbols[0], facts.value(f"{kind}.last.date")):
            continue
        for s in symbols:
            p = f"{key_of(s)}.{kind}.last"
            years = rarity(facts, f"{p}.day_since", f"{p}.day_data_start", facts.value(f"{kind}.last.date"))
            k = key_of(s)
            biggest = max(abs(facts.value(f"{k}.week.best.ret", 0)), abs(facts.value(f"{k}.week.worst.ret", 0)))
            # a release day is the story only if it was the index's biggest move of the week
            if years is not None and years >= MIN_RARITY["event_day"] and abs(facts.value(f"{p}.day")) >= biggest:
                # a release-day superlative ranks below the index's own: half the rarity, and no
                # size term (the day's size is already the big-day angle's to judge)
                out.append(Angle("event_day", years / 2, (kind, s), s))
    return out


def event_kinds(facts: FactTable) -> list[str]:
    return sorted({f.id.split(".")[0] for f in facts if f.id.endswith(".last.label") or f.id.endswith(".next.label")})


KIND_ORDER = ["regime", "touch", "brink", "whipsaw", "two_day", "big_day", "week_extreme", "milestone", "week_level", "record", "week_record", "streak", "streak_end", "rotation", "gap", "ratio", "event_day", "mover"]


def ranked(angles: list[Angle]) -> list[Angle]:
    """Rarest first; ties broken by a fixed order of kinds, so the same facts give the same lead."""
    return sorted(angles, key=lambda a: (-round(a.score, 6), KIND_ORDER.index(a.kind)))


CLEAR_LEAD = 0.005  # another index leads the note only if it moved half a point more than the first


def lead_window(facts: FactTable, symbols: list[str]) -> str:
    return "1w" if all(f"{key_of(s)}.ret.1w" in facts for s in symbols) else "1d"


def biggest_mover(facts: FactTable, symbols: list[str], window: str) -> str:
    """The index with the largest absolute return over the lead window; the note's first index
    (its headline index, by the params' order) unless another moved clearly more: a week in
    which all three moved 0.3-0.4% is the headline index's, not whichever rounded largest."""
    size = {s: abs(facts.value(f"{key_of(s)}.ret.{window}", 0.0)) for s in symbols}
    top = max(symbols, key=size.__getitem__)
    return symbols[0] if size[top] - size[symbols[0]] < CLEAR_LEAD else top
