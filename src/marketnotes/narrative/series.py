"""A series of notes never leads with last week's headline.

A user who runs one params file every Friday, or backfills years of them, reads the notes in
order: "S&P 500 sets its 13th record close since late February" the week after "... its 10th
record close since late February" is the same headline twice. The previous week's lead is
worked out from that week's own facts (the close of the last session before this week), and
an angle that led it -- the same kind of news about the same index -- gives way to the next
one this week; it is still told, after it. The plain weekly move ("rises 1.2% this week") is
the fallback headline either way and never counts as a repeat.

Only the week before is looked at: a headline that gave way last week is compared with what
that week would have led with, not with what it did (the chain would run back to the data's
start), so two weeks' headlines can at most match the week before last.
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import angles, scan

Lead = tuple[str, str]  # (angle kind, its index)


def lead_of(ranked: list[angles.Angle]) -> Lead | None:
    top = ranked[0]
    return None if top.kind == "mover" else (top.kind, top.symbol)


LAST_WEEK = "lead.last_week"


def record(facts: FactTable, previous: Lead | None) -> None:
    """Keep last week's lead in the note's facts: whatever composes the note from them (the
    template's kernel, from facts.json; the email) then avoids it too."""
    if previous is not None:
        facts.add(f"{LAST_WEEK}.kind", previous[0], "text", "what last week's note led with (a series never leads with it again)")
        facts.add(f"{LAST_WEEK}.index", previous[1], "text", "the index last week's lead was about")


def recorded(facts: FactTable) -> Lead | None:
    kind, index = facts.value(f"{LAST_WEEK}.kind"), facts.value(f"{LAST_WEEK}.index")
    return (kind, index) if kind and index else None


def avoiding(ranked: list[angles.Angle], previous: Lead | None) -> list[angles.Angle]:
    """`ranked` with last week's lead moved behind the first angle that is not a repeat."""
    if previous is None or lead_of(ranked) != previous:
        return ranked
    fresh = next(a for a in ranked if (a.kind, a.symbol) != previous)  # the mover is never the repeat
    return [fresh, *(a for a in ranked if a is not fresh)]


def ranking(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None) -> tuple[list[angles.Angle], str, str]:
    """Every angle of the week, rarest first, with the week's biggest mover and the lead window."""
    w = angles.lead_window(facts, symbols)
    mover = angles.biggest_mover(facts, symbols, w)
    return angles.ranked(angles.candidates(facts, symbols, pair, mover, w) + scan.scan(facts, symbols)), mover, w


def last_week_lead(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None) -> Lead | None:
    """What the note for last week's close (`facts`) leads with, by the same ranking."""
    if not all(f"{key_of(s)}.ret.1d" in facts for s in symbols):
        return None
    return lead_of(ranking(facts, symbols, pair)[0])
