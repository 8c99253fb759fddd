"""Around the release: the weekly note's event scan, run for the CPI note.

A release day is rarely a story alone. The CPI of Oct. 11, 2018 came on the second day of a
rout (the Nasdaq's worst day since 2011 on the Wednesday, the S&P 500's sixth straight
loss); the August 2001 CPI on Sept. 18, 2001 came the day after markets reopened from a
four-session closure. The weekly note's scan finds such messages (narrative/scan.py, with
angles.py's for each index's days, streaks, records and thresholds); this module calls it,
keeps the kinds a CPI note can tell about the days around its release, drops the release
day's own move (the note's lead tells it), and ranks the rest by the scan's own score in
years. The rarest joins the lead; the others, the closure and where the note's first index
stands against its record close make the section "Around the release".
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import angles, scan
from marketnotes.narrative.compose import grouped

KINDS = {"big_day", "streak", "regime", "touch", "record", "milestone", "streak_end", "brink", "week_record", "whipsaw", "week_level", "week_extreme"}
RARE = 1.0  # a message a year rare is context worth a sentence
LEAD = 3.0  # and one three years rare joins the lead
MAX = 3


def messages(facts: FactTable, symbols: list[str], pair, first: str) -> list[angles.Angle]:
    """The scan's messages about the days around the release, rarest first, one per kind and index."""
    release = facts.value("cpi.release.date")
    found = angles.candidates(facts, symbols, pair, first, "1w") + scan.scan(facts, symbols)
    out, seen = [], set()
    for a in angles.ranked(found):
        if a.kind not in KINDS or a.score < RARE or (a.kind, a.symbol) in seen:
            continue
        if a.kind in ("big_day", "week_level") and facts.value(f"{key_of(a.symbol)}.week.{a.args[1]}.date") == release:
            continue  # the release day's own move: the lead tells it
        if a.kind == "big_day" and any(b.kind == "big_day" and facts.value(f"{key_of(b.symbol)}.week.{b.args[1]}.date") == facts.value(f"{key_of(a.symbol)}.week.{a.args[1]}.date") for b in out):
            continue  # one index's big day tells that session
        seen.add((a.kind, a.symbol))
        out.append(a)
    out, _ = grouped(facts, out, [])  # the same streak of two indices: one sentence
    return out[:MAX]


HEADLINE = 10.0  # a day before the release this rare (in years) frames the headline
HEADLINE_KINDS = {"regime", "big_day", "week_extreme"}


def headline_context(facts: FactTable, found: list[angles.Angle], first: str, release_years: float) -> angles.Angle | None:
    """A bear market entered, or a rout, on a session before the release that is rarer than
    anything the release day did: the headline says the release day came after it ("... on CPI
    day after Dow enters bear market"), as a desk would on Sept. 18, 2001. `found`: messages()."""
    top = found[0] if found else None
    if top is None or top.kind not in HEADLINE_KINDS or top.score < max(HEADLINE, release_years):
        return None
    k = key_of(top.args[0])
    if top.kind == "week_extreme":  # a release at the end of a week rarer than its day: "... caps best week since 1982"
        return top if facts.value("cpi.release.date") == facts.as_of else None
    day = facts.value(f"{k}.regime.entered") if top.kind == "regime" else facts.value(f"{k}.week.{top.args[1]}.date")
    if top.kind == "regime" and facts.value(f"{k}.regime.state") not in ("bear", "correction"):
        return None
    if top.kind == "big_day" and top.args[0] == first:
        return None  # the same index's rebound reads best in the plain headline
    return top if day and day < facts.value("cpi.release.date") else None


def context(facts: FactTable, say, found: list[angles.Angle], first: str) -> tuple[list, list]:
    """(sentences for the lead, sentences for "Around the release"); `found`: messages()."""
    lead = [say("scan_message", a.kind, a.args) for a in found[:1] if a.score >= LEAD]
    rest = [say("scan_message", a.kind, a.args) for a in found[len(lead):]]
    before = [say("closure")] if "market.closure.sessions" in facts else []
    standing = [say("standing_now", first)] if f"{key_of(first)}.ath.below" in facts else []
    return lead, before + rest + standing
