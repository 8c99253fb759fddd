"""A note's analysis: facts from prices, prose from facts, and the fact check of the prose.

Pure of I/O beyond the events calendar; both the pipeline and the template API
(notebook.py) use it, which is why it is its own module and not part of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from marketnotes.data import PriceData
from marketnotes.errors import FactCheckFailed
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, FactTable, compute_facts
from marketnotes.narrative import CheckResult, Narrative, write_note
from marketnotes.spec import NoteSpec


@dataclass(frozen=True)
class Analysis:
    facts: FactTable
    narrative: Narrative
    check: CheckResult


def note_events(spec: NoteSpec) -> pd.DataFrame:
    return load_events(spec.params.events, spec.params_path.parent if spec.params_path else None)


def analyse(spec: NoteSpec, prices: PriceData, strict: bool = True, events: pd.DataFrame | None = None) -> Analysis:
    """Facts, prose and the fact check; a failed check is an error unless `strict` is off."""
    events = note_events(spec) if events is None else events
    facts = compute_facts(prices.closes, spec.as_of, FactsConfig.from_params(spec.params, prices.complete), prices.highs, events)
    narrative, check = write_note(facts, spec.params.symbols, spec.params.rotation_pair)
    if strict and not check.ok:
        raise FactCheckFailed(check.problems)
    return Analysis(facts, narrative, check)
