"""The CPI note's prose (note_kind: cpi-reaction): what the release did to each index, how
rare that was against every earlier release day, how the rotation pair reacted, what has
happened since, and when the next release is due.

News judgment as in the weekly note (angles.py): the headline goes to the rarest thing,
measured in years since it last happened -- an index's biggest release-day move in the
same direction since X, or the pair's widest release-day margin since X -- and, when
nothing reaches back a year, to the index that moved most. Sentences come from
releases.j2; a sentence restating a figure already said is dropped (compose.Draft).
"""

from __future__ import annotations

from marketnotes.facts.releases import DATA_START_RELEASES
from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.angles import years_between
from marketnotes.narrative.compose import Draft, compose
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Phrasebook

KIND = "cpi"
RARE_YEARS = 1.0  # a "since" that reaches back less than a year is not news
SAME_MOVE = 0.1  # release days move an index "about as much as other days" within 10%
EVEN_PTS = 0.5
TOP_RANK = 10  # "its fourth-biggest release-day move" down to the 10th; beyond, the share of release days it beat


def rarity(facts: FactTable, prefix: str, since: str, start: str) -> float:
    """Years since the release-day move (or gap) was last as big; the release data's length plus one if never."""
    day = facts.value(f"{KIND}.release.date")
    if f"{prefix}{since}" in facts:
        return years_between(day, facts.value(f"{prefix}{since}"))
    if f"{prefix}{start}" in facts:
        return years_between(day, facts.value(f"{prefix}{start}")) + 1.0
    return 0.0


def compose_release(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None = None) -> Narrative:
    say = Phrasebook(facts, "releases.j2").say
    moved = [s for s in symbols if f"{key_of(s)}.{KIND}.release.day" in facts]
    if not moved:
        return compose(facts, symbols, pair)  # no release in the data yet: the weekly note
    rare = {s: rarity(facts, f"{key_of(s)}.{KIND}.release", ".since", ".data_start") for s in moved}
    gap_rare = rarity(facts, f"rot.{KIND}.release", ".gap_since", ".gap_data_start") if pair and f"rot.{KIND}.release.gap" in facts else 0.0
    biggest = max(moved, key=lambda s: abs(facts.value(f"{key_of(s)}.{KIND}.release.day")))
    first = max(moved, key=lambda s: (rare[s], abs(facts.value(f"{key_of(s)}.{KIND}.release.day")))) if max(rare.values()) >= RARE_YEARS else biggest
    pair_leads = bool(pair) and gap_rare >= RARE_YEARS and gap_rare > rare[first] and abs(facts.value(f"rot.{KIND}.release.gap")) >= EVEN_PTS
    if pair_leads:
        headline = say("headline_pair", *pair, KIND)
    else:
        headline = say("headline_release", first, KIND, rare[first] >= RARE_YEARS)
    draft = Draft()
    rest = sorted((s for s in moved if s != first), key=lambda s: -abs(facts.value(f"{key_of(s)}.{KIND}.release.day")))
    lead = draft.keep([
        say("pair_release", *pair, KIND, True) if pair_leads else None,
        say("lead_release", first, KIND, rare[first] >= RARE_YEARS),
        say("others_release", rest, KIND) if rest else None,
    ])
    sections = [
        Section("Against past release days", draft.keep(_history(facts, say, [first, *rest]))),
        Section("The pair", draft.keep(_pair(facts, say, pair, gap_rare, pair_leads))),
        Section("Since the release", draft.keep([say("after_release", moved, KIND) if all(f"{key_of(s)}.{KIND}.release.after" in facts for s in moved) else None])),
        Section("What to watch", draft.keep([say("watch", KIND) if f"{KIND}.next.date" in facts else None])),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in sections if s.sentences])


def _history(facts: FactTable, say, symbols: list[str]) -> list:
    # against a handful of releases a rank or a share says nothing: two years of them first
    ranked = [s for s in symbols if facts.value(f"{key_of(s)}.{KIND}.release.count", 0) >= DATA_START_RELEASES]
    if not ranked:
        return []
    p = {s: f"{key_of(s)}.{KIND}.release" for s in ranked}
    others = ranked[1:]
    same_days = all(facts.value(f"{p[s]}.count") == facts.value(f"{p[ranked[0]]}.count") for s in others)
    ranks = {facts.value(f"{p[s]}.rank") for s in ranked}
    if others and same_days and len(ranks) == 1 and min(ranks) <= TOP_RANK:
        out = [say("standing_alike", ranked, KIND)]  # "For the A, the B and the C alike it was the second-biggest ..."
    elif others and same_days and min(ranks) > TOP_RANK:
        out = [say("standing", ranked[0], KIND), say("standing_others", others, KIND)]  # "of them": the same release days
    else:
        out = [say("standing", s, KIND) for s in ranked]  # a rank is told index by index
    ratios = [facts.value(f"{p[s]}.avg_abs") / facts.value(f"{p[s]}.avg_abs_other") for s in ranked if f"{p[s]}.avg_abs_other" in facts]
    versus = ""
    if len(ratios) == len(ranked):
        versus = "same" if all(abs(r - 1) <= SAME_MOVE for r in ratios) else "more" if all(r > 1 + SAME_MOVE for r in ratios) else ""
    out.append(say("typical", ranked, KIND, versus))
    return out


def _pair(facts: FactTable, say, pair, gap_rare: float, told: bool) -> list:
    if not pair or f"rot.{KIND}.release.gap" not in facts:
        return []
    out = [] if told else [say("pair_release", *pair, KIND, gap_rare >= RARE_YEARS)]
    if facts.value(f"rot.{KIND}.release.gap_avg", 0) >= EVEN_PTS:  # a typical gap under half a point is no gap
        out.append(say("pair_typical", KIND))
    return out
