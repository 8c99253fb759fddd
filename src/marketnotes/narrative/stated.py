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
from marketnotes.narrative.check import SpanReader
from marketnotes.narrative.model import Narrative
from marketnotes.narrative.said import DEFAULT_FORMATS
from marketnotes.narrative.writer import statement

LINTED = {"pct", "pts", "level", "count"}  # units whose default format the lint compares (pct1, pts1, level, count)
LINTED_FORMATS = {"pct1", "pct0", "pts1", "level", "count", "ordinal"}  # the formats lint.repeated_fact compares


def stated_in(narrative: Narrative, facts: FactTable, paragraphs: list[tuple[str, str]] = ()) -> dict[str, str]:
    """fact id -> where the stock prose states it ("lead" or a section's title), or else one of
    the template's own `paragraphs` ((where, html): "cell 14", its checked HTML), which the
    lint reads with the stock prose; facts none states are absent. The headline is left
    out: the lint lets the lead restate it."""
    where: dict[str, str] = {}
    said: dict[str, str] = {}
    parts = [("lead", narrative.lead), *((s.title, s.sentences) for s in narrative.sections)]
    for name, sentences in parts:
        for sentence in sentences:
            for fid in sentence.facts:
                where.setdefault(fid, name)
            for number in sentence.numbers:
                said.setdefault(number, name)
    for name, html in paragraphs:
        reader = SpanReader()
        reader.feed(html)
        for span in reader.spans:
            fid = span.attrs.get("data-fact")
            if fid in facts:
                where.setdefault(fid, name)
                if span.attrs.get("data-fmt") in LINTED_FORMATS:
                    said.setdefault(statement(facts[fid], span.text), name)
    as_of = dt.date.fromisoformat(facts.as_of)
    for fact in facts:
        if fact.id in where or fact.unit not in LINTED or fact.value is None or isinstance(fact.value, str):
            continue
        found = said.get(statement(fact, formats.render(fact.value, DEFAULT_FORMATS[fact.unit], as_of)))
        if found:
            where[fact.id] = found
    return where
