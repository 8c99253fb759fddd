"""A note's analysis: facts from prices, prose from facts, and the fact check of the prose.

Pure of I/O beyond the events calendar; both the pipeline and the template API
(notebook.py) use it, which is why it is its own module and not part of the pipeline.

It also owns what a template adds to a note (`Authored`: facts from `note.add_fact`, prose
from `note.say`). The kernel checks each piece as it is said, so a bad sentence fails in its
own cell; it also writes them to `authored.json` beside the facts snapshot, and the host
merges that file into the note's facts (they reach facts.json) and checks the template's
prose again against the merged table (`with_authored`) before anything is published.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd

from marketnotes.data import PriceData
from marketnotes.data.macro import CPI_SERIES, NONE, MacroData, load_series, macro_choice, make_macro_source
from marketnotes.data.records import known_records
from marketnotes.errors import FactCheckFailed, FactRejected, SayCheckFailed, SeriesCacheMiss, SourceUnavailable
from marketnotes.events import load_events
from marketnotes.facts import Fact, FactsConfig, FactTable, compute_facts
from marketnotes.facts.moves import window_start
from marketnotes.data.policy import with_policy
from marketnotes.facts.policy import cpi_note_decision, month_decision
from marketnotes.facts.readings import release_in_window
from marketnotes.narrative import CheckResult, Narrative, said, series, write_note
from marketnotes.narrative.check import StyleFinding, plain_text
from marketnotes.spec import NoteSpec


@dataclass(frozen=True)
class Analysis:
    facts: FactTable
    narrative: Narrative
    check: CheckResult
    macro: MacroData | None = None  # the economic series the facts read (manifest.json records their vintage)


def note_events(spec: NoteSpec) -> pd.DataFrame:
    return load_events(spec.params.events, spec.params_path.parent if spec.params_path else None)


def note_macro(spec: NoteSpec, events: pd.DataFrame) -> MacroData | None:
    """The CPI series a CPI note reads (params `macro`; data/macro.py), through the month its
    release measures; None for other notes, for `macro: none`, and before the first release.
    Offline (`--offline`) a live source serves from its cache alone, as prices do."""
    if spec.params.note_kind == "weekly":
        return week_reading(spec, events)
    if spec.params.note_kind == "monthly-review":
        return month_policy(spec, events)
    if spec.params.note_kind != "cpi-reaction":
        return None
    name = macro_choice(spec.params)
    found = release_in_window(events, spec.as_of, "cpi")
    if name == NONE or found is None:
        return None
    source = make_macro_source(name, spec.params.macro_options, spec.offline)
    return with_policy(load_series(source, CPI_SERIES.values(), through=found[1]), source, cpi_note_decision(events, spec.as_of))


def week_reading(spec: NoteSpec, events: pd.DataFrame) -> MacroData | None:
    """The CPI series for a weekly note whose week had a release: it says what the report
    showed when the market moved on it. The reading is one clause of the note, so a source
    that cannot answer (FRED down, an offline cache without the month) leaves it out rather
    than failing the Friday note; a CPI note, which is about the reading, fails instead."""
    found = release_in_window(events, spec.as_of, "cpi")
    name = macro_choice(spec.params)
    if name == NONE or found is None or not is_in_week(found[0], spec.as_of):
        return None
    try:
        return load_series(make_macro_source(name, spec.params.macro_options, spec.offline), CPI_SERIES.values(), through=found[1])
    except (SourceUnavailable, SeriesCacheMiss):
        return None


def month_policy(spec: NoteSpec, events: pd.DataFrame) -> MacroData | None:
    """The Fed funds target for a monthly review whose month had an FOMC decision (events
    `fomc`): "The Fed cut its target by half a point to 1% on Oct. 29". One sentence of the
    month, so a source that cannot answer leaves it out, as a weekly note's reading does."""
    name = macro_choice(spec.params)
    decision = month_decision(events, spec.as_of)
    if name == NONE or decision is None:
        return None
    try:
        source = make_macro_source(name, spec.params.macro_options, spec.offline)
        return with_policy(MacroData(name), source, decision)
    except (SourceUnavailable, SeriesCacheMiss):
        return None


def is_in_week(day: pd.Timestamp, as_of: pd.Timestamp) -> bool:
    """Whether `day` falls in the calendar week (Monday on) that ends at `as_of`."""
    monday = pd.Timestamp(as_of).normalize() - pd.Timedelta(days=pd.Timestamp(as_of).day_of_week)
    return monday <= pd.Timestamp(day) <= pd.Timestamp(as_of)


_LOAD = object()  # analyse(): load the note's series unless the caller passes them (None: none)


def analyse(spec: NoteSpec, prices: PriceData, strict: bool = True, events: pd.DataFrame | None = None, macro=_LOAD) -> Analysis:
    """Facts, prose and the fact check; a failed check is an error unless `strict` is off."""
    events = note_events(spec) if events is None else events
    macro = note_macro(spec, events) if macro is _LOAD else macro
    config = FactsConfig.from_params(spec.params, prices.complete, known_records(spec.params))
    closes, highs = prices.closes, prices.highs  # each is built anew from the frames: once here
    facts = compute_facts(closes, spec.as_of, config, highs, events, macro)
    if spec.params.note_kind == "weekly" and closes.index[-1] == spec.as_of:  # the next week's note may ask
        LEADS.keep(LEADS.key(closes, highs, spec.as_of, config, events, spec.params), series.last_week_lead(facts, spec.params.symbols, spec.params.rotation_pair))
    # recorded in the facts, so the kernel (which composes from facts.json) and the email write the same lead
    series.record(facts, last_week(spec, prices, config, events, closes, highs))
    narrative, check = write_note(facts, spec.params.symbols, spec.params.rotation_pair)
    if strict and not check.ok:
        raise FactCheckFailed(check.problems)
    return Analysis(facts, narrative, check, macro)


def last_week(
    spec: NoteSpec, prices: PriceData, config: FactsConfig, events: pd.DataFrame | None, closes: pd.DataFrame | None = None, highs: pd.DataFrame | None = None
) -> series.Lead | None:
    """What the weekly note for last week's close led with, so this one does not repeat it
    (narrative/series.py): worked out from that week's own facts, the same for a note rendered
    alone, from cron or in any order in a backfill. A backfill's worker that has just written
    that week's note knows its lead already (`LEADS`) and does not compute its facts again."""
    if spec.params.note_kind != "weekly":
        return None
    closes = prices.closes if closes is None else closes
    highs = prices.highs if highs is None else highs
    previous = window_start(closes[spec.params.symbols[0]].dropna(), spec.as_of, "1w")
    if previous is None or closes.loc[previous].isna().any():
        return None
    closes, highs = closes.loc[:previous], highs.loc[:previous] if highs is not None else None
    key = LEADS.key(closes, highs, previous, config, events, spec.params)
    if key in LEADS:
        return LEADS[key]
    facts = compute_facts(closes, previous, config, highs, events)
    return LEADS.keep(key, series.last_week_lead(facts, spec.params.symbols, spec.params.rotation_pair))


class _Leads(OrderedDict):
    """What the weekly note for a close leads with, by everything it is worked out from: the
    prices and highs through that close (their bytes), the events, the facts config, the
    indices and the pair. A note knows its own lead once its facts are computed, and the next
    week's note needs exactly it (`last_week`): when the same process renders both, as a
    backfill's worker mostly does (runtime/batch.py hands each worker runs of consecutive
    dates), the second compute_facts of a note (~45% of its facts time) is not paid. Leads
    are two strings: the last KEPT are remembered, nothing else is."""

    KEPT = 64

    @staticmethod
    def key(closes: pd.DataFrame, highs: pd.DataFrame | None, as_of: pd.Timestamp, config: FactsConfig, events: pd.DataFrame | None, params) -> tuple:
        digest = hashlib.blake2b(digest_size=20)
        for frame in (closes, highs, events):
            if frame is not None:
                digest.update(repr((list(frame.columns), frame.shape, [str(t) for t in frame.dtypes])).encode())
                digest.update(pd.util.hash_pandas_object(frame.index, index=False).to_numpy().tobytes())
                for column in frame.columns:
                    digest.update(pd.util.hash_array(frame[column].to_numpy()).tobytes())
        digest.update(repr((config, tuple(params.symbols), params.rotation_pair)).encode())
        return pd.Timestamp(as_of), digest.hexdigest()

    def keep(self, key: tuple, lead: series.Lead | None) -> series.Lead | None:
        self[key] = lead
        self.move_to_end(key)
        while len(self) > self.KEPT:
            self.popitem(last=False)
        return lead


LEADS = _Leads()


AUTHORED_FILE = "authored.json"  # written by the kernel beside the facts snapshot, read by the host


@dataclass
class Said:
    """A piece of template prose as the kernel checked it, and the cell that said it."""

    html: str
    cell: int | None  # the kernel's execution count: the host finds the template cell by it
    source: str  # the cell's first line
    kind: str = "say"  # "say": a paragraph (fact check and lint); "title": a chart title (fact check)


@dataclass
class Authored:
    """What a template added to its note: labels and facts for its own series, and its prose."""

    labels: dict[str, str] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"labels": self.labels, "facts": [asdict(f) for f in self.facts], "said": [asdict(s) for s in self.said]}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Authored:
        payload = json.loads(text)
        return cls(payload["labels"], [Fact(**f) for f in payload["facts"]], [Said(**s) for s in payload["said"]])


def with_authored(analysis: Analysis, authored: Authored, cell_of: Callable[[int | None], int | None] = lambda count: count) -> Analysis:
    """The note's analysis plus what its template added: the facts join a copy of the table
    (so facts.json holds every number the note states), each piece of template prose is
    fact-checked against it and the paragraphs linted together with the note's own prose;
    the counts and findings join the note's check result, each finding with the cell of the
    paragraph it is about (`cell_of` turns a kernel's execution count into the template's
    cell number; by default the count is kept). A failed check raises `SayCheckFailed`
    carrying the cell that said it."""
    labels = {**analysis.facts.labels, **{s: label for s, label in authored.labels.items() if s not in analysis.facts.labels}}
    facts = FactTable(analysis.facts.as_of, labels, dict(analysis.facts.facts))  # the note's indices stay first
    for fact in authored.facts:
        if fact.id in facts:
            raise FactRejected(fact.id, f"a built-in fact already has this id ({facts[fact.id].description})")
        facts.facts[fact.id] = fact
    base = analysis.check
    check = CheckResult(list(base.problems), base.numbers, base.words, list(base.style))
    for piece in authored.said:
        result = said.check_one(piece.html, facts)
        if result.problems:
            raise SayCheckFailed(result.problems, plain_text(piece.html), piece.cell, piece.source)
        check.numbers, check.words = check.numbers + result.numbers, check.words + result.words
    pieces = [piece for piece in authored.said if piece.kind == "say"]
    found = said.lint_said(analysis.narrative, facts, [piece.html for piece in pieces])
    check.style += [StyleFinding.of(f, cell_of(piece.cell)) for piece, findings in zip(pieces, found, strict=True) for f in findings]
    return Analysis(facts, analysis.narrative, check, analysis.macro)
