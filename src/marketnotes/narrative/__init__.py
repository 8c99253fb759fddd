"""Facts -> sentences: the phrasebook (Jinja2), editorial rules, and the fact checker."""

from marketnotes.narrative.check import CheckResult, check_html
from marketnotes.narrative.compose import biggest_mover, compose
from marketnotes.narrative.model import Narrative, Section

__all__ = ["CheckResult", "Narrative", "Section", "biggest_mover", "check_html", "compose", "write_note"]


def write_note(facts, symbols, pair=None) -> tuple[Narrative, CheckResult]:
    """Compose the prose and check it; the caller decides whether a failure is fatal."""
    narrative = compose(facts, list(symbols), pair)
    return narrative, check_html(str(narrative.to_html()), facts)
