"""A template's own prose: `note.say(...)` paragraphs and `note.plot(...)` titles.

The user writes a Jinja string with the phrasebook's own helpers (`Writer.helpers`: `n`,
`move`, `word`, `the`, `window`, ...), so numbers, dates, move verbs and index names reach
the text only as traced spans, exactly as in phrasebook.j2. The same fact check (check.py)
then reads it back, and the editorial lint (lint.py) reads it *with the note's own prose*,
so "each number once" and the verb rules hold across both. Nothing here formats a number:
that stays in formats.py, shared with the checker.
"""

from __future__ import annotations

import difflib

from markupsafe import Markup

from marketnotes.errors import SayCheckFailed
from marketnotes.facts.table import FactTable
from marketnotes.narrative import lint, words
from marketnotes.narrative.check import CheckResult, SpanReader, check_html, plain_text
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Sentence, Writer, environment

# the format `n(id)` uses when none is given: how the phrasebook usually writes each unit
# (a date is a weekday inside the note's week, "Aug. 14" further back: docs/style.md)
DEFAULT_FORMATS = {"pct": "pct1", "pts": "pts1", "points": "points", "level": "level", "date": "day", "count": "count", "sigma": "sigma1", "text": "text"}


class SayWriter(Writer):
    """The phrasebook's writer, with failures a template author can act on: an unknown fact or
    label is a `SayCheckFailed` naming it (and the nearest ids), not a KeyError from deep in
    Jinja; and `n(id)` takes the unit's usual format when none is given."""

    def _known(self, *fids: str) -> None:
        for fid in fids:
            if fid not in self.facts:
                near = difflib.get_close_matches(fid, [f.id for f in self.facts], n=3)
                raise SayCheckFailed([f"cites unknown fact {fid!r}" + (f" (did you mean {', '.join(near)}?)" if near else "")])

    def _labelled(self, symbol: str) -> None:
        if symbol not in self.facts.labels:
            known = ", ".join(self.facts.labels)
            raise SayCheckFailed([f"no label for {symbol!r}: labels are the note's indices and series added with note.add_series ({known})"])

    def n(self, fid: str, fmt: str | None = None) -> Markup:
        self._known(fid)
        if fmt is None:
            unit = self.facts[fid].unit
            if unit not in DEFAULT_FORMATS:
                raise SayCheckFailed([f"{fid} is a {unit!r} fact with no usual format: write n({fid!r}, FORMAT)"])
            fmt = DEFAULT_FORMATS[unit]
        return super().n(fid, fmt)

    def word(self, fid: str, form: str = "past") -> Markup:
        self._known(fid)
        return super().word(fid, form)

    def move(self, fid: str, form: str = "past", fmt: str = "pct1") -> Markup:
        self._known(fid)
        return super().move(fid, form, fmt)

    def rel(self, fid: str) -> Markup:
        self._known(fid)
        return super().rel(fid)

    def side(self, fid: str, pos: str, neg: str) -> Markup:
        self._known(fid)
        try:
            return super().side(fid, pos, neg)
        except ValueError as exc:
            raise SayCheckFailed([str(exc)]) from None

    def tier(self, fid: str) -> int:
        self._known(fid)
        return super().tier(fid)

    def group(self, fids: list[str], form: str = "past") -> Markup:
        self._known(*fids)
        return super().group(fids, form)

    def the(self, symbol: str, capital: bool = False) -> Markup:
        self._labelled(symbol)
        return super().the(symbol, capital)

    def label(self, symbol: str) -> Markup:
        self._labelled(symbol)
        return super().label(symbol)


def writer_for(facts: FactTable, narrative: Narrative) -> SayWriter:
    """A writer that continues the note's own: a fact keeps the verb the note's prose gave it
    ("jumped" in the lead is "jumped" in the user's paragraph), and synonyms rotate on from there."""
    writer = SayWriter(facts)
    for sentence in narrative.all_sentences():
        reader = SpanReader()
        reader.feed(str(sentence.html))
        for span in reader.spans:
            fid = span.attrs.get("data-fact", "").split(" ")[0]
            if span.attrs.get("data-word") not in words.FORMS or fid not in facts or fid in writer.chosen:
                continue
            value, sessions = facts.value(fid), words.sessions_of(facts[fid])
            t = words.tier(value, sessions)
            turn = next((i for i, forms in enumerate(words.synonyms(value, t)) if span.text in forms), None)
            if turn is not None:
                slot = (0 if t == 0 else (1 if value > 0 else -1), t)
                writer.chosen[fid] = turn
                writer.turns[slot] = max(writer.turns.get(slot, 0), turn + 1)
    return writer


def render(text: str, writer: SayWriter, values: dict | None = None) -> Markup:
    """The user's Jinja string with the phrasebook's helpers (and any `values` the template
    passes, which cannot shadow a helper); whitespace collapsed as the phrasebook's is."""
    html = environment().from_string(text).render({**(values or {}), **writer.helpers()})
    return Markup(" ".join(html.split()))


def check_one(html: str, facts: FactTable) -> CheckResult:
    """The fact check of one piece of template prose, plus what only hand-written markup can
    get wrong: a span that claims a fact but states it with neither format nor verb, or a
    label span whose text is not the index's label (check.py trusts the phrasebook on both)."""
    result = check_html(html, facts, context=plain_text(html))
    reader = SpanReader()
    reader.feed(html)
    for span in reader.spans:
        if "data-label" in span.attrs:
            symbol = span.attrs["data-label"]
            if facts.labels.get(symbol) != span.text:
                result.problems.append(f"{span.text!r} is marked as the label of {symbol!r}, which is {facts.labels.get(symbol)!r}")
        elif not {"data-fmt", "data-word"} & span.attrs.keys():
            result.problems.append(f"{span.text!r} cites {span.attrs['data-fact']} with neither a format nor a verb: write it with n() or move()")
    return result


def lint_said(narrative: Narrative, facts: FactTable, paragraphs: list[str]) -> list[list[lint.Finding]]:
    """The editorial lint over the note's prose followed by the template's paragraphs, one
    paragraph per `say`; returns, for each of those paragraphs, the findings about it (the
    note's own findings are the phrasebook's, already in its check result)."""
    said = [Sentence(Markup(html), [], kind="said") for html in paragraphs]
    whole = Narrative(narrative.as_of, narrative.headline, narrative.lead, [*narrative.sections, *(Section("said", [s]) for s in said)])
    findings = lint.lint(whole, facts)
    return [[f for f in findings if f.sentence == plain_text(html)] for html in paragraphs]
