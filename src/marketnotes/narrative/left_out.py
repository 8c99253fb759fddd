"""Why a section of the note is not in it, in one line each.

`note.section("Events")` is empty when the week gave the section nothing to say, and an empty
section is left out of the page; an author who sees it vanish needs the reason (no release in
the week, nothing within reach ...) more than the rule. The reasons are read from the same
facts, and against the same thresholds, that narrative/compose.py writes the sections from;
a section whose sentences were written and then dropped because each of their figures had
been stated earlier is said to be so ("each number once", docs/style.md).
"""

from __future__ import annotations

import datetime as dt

from marketnotes.facts import FactTable, key_of
from marketnotes.narrative import angles, formats
from marketnotes.narrative.sections import MIN_ARC_SESSIONS, WATCH_DAYS
from marketnotes.narrative.model import Narrative
from marketnotes.narrative.words import weekdays_between

WEEKLY = ["Also this week", "The story so far", "Leaders and laggards", "Records and drawdowns", "The rotation", "Events", "What to watch"]
SECTIONS = {
    "weekly": WEEKLY,
    "cpi-reaction": ["Against past release days", "The pair", "Since the release", "What to watch"],
    "monthly-review": ["Month by month", "The year", "Drawdowns", "Best and worst days", "What to watch"],
}
NAMES = {"cpi": "CPI release", "fomc": "FOMC decision"}
ALREADY = "its sentences' figures were all stated earlier in the note (each number once)"


def left_out(facts: FactTable, narrative: Narrative, symbols: list[str], pair: tuple[str, str] | None) -> list[tuple[str, str]]:
    """(section, why) for each section the note's kind has and this note leaves out."""
    kind = facts.value("note.kind", "weekly")
    present = {s.title for s in narrative.sections}
    cited = set(narrative.fact_ids)
    return [(title, _why(title, kind, facts, symbols, pair, cited)) for title in SECTIONS.get(kind, WEEKLY) if title not in present]


def _why(title: str, kind: str, facts: FactTable, symbols: list[str], pair, cited: set[str]) -> str:
    if kind != "weekly":
        if title == "Since the release" and facts.value("cpi.last.date") == facts.as_of:
            return "the note is on the release day: nothing has moved since it yet"
        return _watch(facts, symbols) if title == "What to watch" else "nothing in this note's facts for it this time"
    if title == "Also this week":
        return "no other news of the week reaches back two years or more beyond what the lead tells"
    if title == "The story so far":
        return _arc(facts, pair)
    if title == "Leaders and laggards":
        return "the note has one index" if len(symbols) < 2 else ALREADY
    if title == "The rotation":
        if not pair:
            return "the params name no rotation pair"
        if facts.value("rotday.week.leader"):
            return ALREADY
        if "standings.pair.changed" in facts and not facts.value("standings.pair.changed") and not facts.value("standings.pair.widest"):
            return "no rotation day this week, and the pair's lead this year neither changed hands nor reached its widest"
        return "no rotation day this week, and the pair's gap was told elsewhere or too small to tell"
    if title == "Events":
        return _events(facts, symbols, cited)
    if title == "What to watch":
        return _watch(facts, symbols)
    return ALREADY


def _arc(facts: FactTable, pair) -> str:
    if not pair:
        return "the params name no rotation pair, whose story it tells"
    phases = [(s, facts.value(f"{key_of(s)}.arc.0.start")) for s in pair if facts.value(f"{key_of(s)}.arc.count", 0) >= 1]
    if not phases:
        return "neither index of the rotation pair has a story arc of turning points in the data"
    if all(weekdays_between(start, facts.as_of) < MIN_ARC_SESSIONS for _, start in phases):
        return f"the pair's current phase began under {MIN_ARC_SESSIONS} sessions ago: this week's news, told above"
    return ALREADY


def _events(facts: FactTable, symbols: list[str], cited: set[str]) -> str:
    kinds = angles.event_kinds(facts)
    if not kinds:
        return "the params list no events calendar"
    as_of = dt.date.fromisoformat(facts.as_of)
    week = [k for k in kinds if angles.in_week(facts, symbols[0], facts.value(f"{k}.last.date"))]
    if not week:
        last = [f"{NAMES.get(k, k)} {_day(facts, f'{k}.last.date', as_of)}" for k in kinds if f"{k}.last.date" in facts]
        return "no release in the note's week" + (f" (the last: {', '.join(last)})" if last else "")
    named = ", ".join(f"{NAMES.get(k, k)} of {_day(facts, f'{k}.last.date', as_of)}" for k in week)
    if any(f"{key_of(s)}.{k}.last.day" in cited for s in symbols for k in week):
        return f"the move on the {named} is told above"
    return f"no index's move on the {named} was its biggest on such a day in a year or more"


def _watch(facts: FactTable, symbols: list[str]) -> str:
    as_of = dt.date.fromisoformat(facts.as_of)
    nexts = [f"{NAMES.get(k, k)} {_day(facts, f'{k}.next.date', as_of)}" for k in angles.event_kinds(facts) if f"{k}.next.date" in facts]
    due = f"no release due within {WATCH_DAYS} days" + (f" (next: {', '.join(nexts)})" if nexts else "")
    if any(f"{key_of(s)}.level_in_reach.level" in facts for s in symbols):
        return ALREADY
    return due + " and no watched round level within reach of a close"


def _day(facts: FactTable, fid: str, as_of: dt.date) -> str:
    return formats.render(facts.value(fid), "date", as_of)
