"""One note, as a straight line: params -> as-of -> data -> spec -> facts -> prose -> notebook -> outputs.

Each step is a call into the stage that owns it; this module only wires them in order, and
the CLI and the batch runner both go through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from marketnotes.calendar import ResolvedAsOf, resolve_as_of
from marketnotes.data import PriceData, load_prices, make_source
from marketnotes.errors import FactCheckFailed
from marketnotes.events import load_events
from marketnotes.facts import FactsConfig, FactTable, compute_facts
from marketnotes.narrative import CheckResult, Narrative, write_note
from marketnotes.params import NoteParams, load_params
from marketnotes.spec import NoteSpec


@dataclass(frozen=True)
class Analysis:
    facts: FactTable
    narrative: Narrative
    check: CheckResult


def read_params(path: Path, overrides: list[str], as_of: str | None) -> NoteParams:
    return load_params(path, overrides, as_of)


def resolve(as_of) -> ResolvedAsOf:
    return resolve_as_of(as_of)


def load_data(source: str, options: dict, symbols: list[str], as_of, offline: bool = False) -> PriceData:
    return load_prices(make_source(source, options, offline), symbols, resolve_as_of(as_of))


def prepare(
    params_path: Path,
    overrides: list[str] | None = None,
    as_of: str | None = None,
    offline: bool = False,
    output_dir: Path | None = None,
) -> tuple[NoteSpec, PriceData]:
    """Validate params, resolve the as-of, load the data, and freeze it all into a spec."""
    params = load_params(params_path, overrides or [], as_of)
    resolved = resolve_as_of(params.as_of)
    prices = load_prices(make_source(params.source, params.source_options, offline), params.symbols, resolved)
    spec = NoteSpec.build(params, resolved, prices.as_of, output_dir, offline, params_path)
    return spec, prices


def analyse(spec: NoteSpec, prices: PriceData, strict: bool = True) -> Analysis:
    """Facts, prose and the fact check; a failed check is an error unless `strict` is off."""
    base = spec.params_path.parent if spec.params_path else None
    events = load_events(spec.params.events, base)
    facts = compute_facts(prices.closes, spec.as_of, FactsConfig.from_params(spec.params), prices.highs, events)
    narrative, check = write_note(facts, spec.params.symbols, spec.params.rotation_pair)
    if strict and not check.ok:
        raise FactCheckFailed(check.problems)
    return Analysis(facts, narrative, check)


def describe_as_of(resolved: ResolvedAsOf, session: pd.Timestamp) -> str:
    day = session.strftime("%A %Y-%m-%d")
    if resolved.requested in {"latest", "last-friday"}:
        return f"as of {day} close ({resolved.requested})"
    if resolved.requested != session.date().isoformat():
        return f"as of {day} close ({resolved.requested} is not a trading session)"
    return f"as of {day} close"
