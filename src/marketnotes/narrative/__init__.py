"""Facts -> sentences: news judgment (angles), the phrasebook (Jinja2), the fact check and the editorial lint."""

from marketnotes.narrative.check import CheckResult, StyleFinding, check_html
from marketnotes.narrative.compose import biggest_mover, compose
from marketnotes.narrative import lint
from marketnotes.narrative.lint import Finding
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative import months, releases  # the stock notes' composers (they build on compose)

__all__ = ["CheckResult", "Finding", "Narrative", "Section", "biggest_mover", "check_html", "compose", "lint", "write_note"]  # lint: the module (lint.lint, lint.RULES)

COMPOSERS = {"cpi-reaction": releases.compose_release, "monthly-review": months.compose_month}


def write_note(facts, symbols, pair=None, previous=None) -> tuple[Narrative, CheckResult]:
    """Compose the prose, check its facts and lint its style; the caller decides what is fatal.
    A stock note of another kind (params note_kind, recorded as the `note.kind` fact) has
    its own composer; a weekly note has no such fact. `previous`: the lead of last week's
    weekly note (series.last_week_lead), which this one does not repeat."""
    kind = facts.value("note.kind")
    if kind in COMPOSERS:
        narrative = COMPOSERS[kind](facts, list(symbols), pair)
    else:
        narrative = compose(facts, list(symbols), pair, previous=previous)
    result = check_html(str(narrative.to_html()), facts)
    result.style = [StyleFinding.of(f) for f in lint.lint(narrative, facts)]
    return narrative, result
