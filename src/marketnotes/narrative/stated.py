"""Which facts the stock prose already states, and where: so a template author can foresee a
`repeated-fact` finding before citing one again.

The editorial lint's "each number once" (lint.repeated_fact) compares statements, not ids:
the same figure about the same index on the same day is one statement under any fact id
(writer.statement), and the headline may restate the lead. So a fact counts as stated where
the lead or a section cites it, or states the figure `n(id)` would write for it.
"""

from __future__ import annotations

import datetime as dt

from marketnotes.facts import FactTable
from marketnotes.narrative import formats
from marketnotes.narrative.model import Narrative
from marketnotes.narrative.said import DEFAULT_FORMATS
from marketnotes.narrative.writer import statement

LINTED = {"pct", "pts", "level", "count"}  # units whose default format the lint compares (pct1, pts1, level, count)


def stated_in(narrative: Narrative, facts: FactTable) -> dict[str, str]:
    """fact id -> where the stock prose states it ("lead" or a section's title); facts it does
    not state are absent. The headline is left out: the lint lets the lead restate it."""
    where: dict[str, str] = {}
    said: dict[str, str] = {}
    parts = [("lead", narrative.lead), *((s.title, s.sentences) for s in narrative.sections)]
    for name, sentences in parts:
        for sentence in sentences:
            for fid in sentence.facts:
                where.setdefault(fid, name)
            for number in sentence.numbers:
                said.setdefault(number, name)
    as_of = dt.date.fromisoformat(facts.as_of)
    for fact in facts:
        if fact.id in where or fact.unit not in LINTED or fact.value is None or isinstance(fact.value, str):
            continue
        found = said.get(statement(fact, formats.render(fact.value, DEFAULT_FORMATS[fact.unit], as_of)))
        if found:
            where[fact.id] = found
    return where
