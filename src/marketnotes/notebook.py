"""What a template calls. Templates stay thin: one `Note.load(...)` with the parameters, then
one call per output (`note.headline()`, `note.section(...)`, `note.chart(...)`).

A template may also say things of its own (docs/templates.md): `note.facts_frame()` to browse
what can be cited, `note.add_fact(...)` / `note.add_series(...)` for numbers it computes,
`note.say(...)` for a paragraph written with the phrasebook's helpers, and `note.plot(...)`
for its own series in the house style. What it says is fact-checked here, as it is said, so
a hand-typed number fails in its own cell; what it added reaches the host through
`authored.json` (see analysis.py), which merges it into facts.json and checks it again.

It runs inside the papermill kernel and equally in a Jupyter session where a user edits a
template: with no `price_snapshot` it loads the data itself (the bundled sample needs no
network), so a template runs as-is.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from IPython import get_ipython
from IPython.display import HTML
from markupsafe import Markup, escape

from marketnotes import atomic, charts
from marketnotes import preview as note_preview
from marketnotes.cell_outputs import Recorder
from marketnotes.charts import months as month_charts
from marketnotes.charts import releases as release_charts
from marketnotes.analysis import AUTHORED_FILE, Analysis, Authored, Said, analyse
from marketnotes.calendar import ResolvedAsOf, resolve_as_of
from marketnotes.data import PriceData, load_prices, make_source
from marketnotes.errors import FactRejected, SayCheckFailed, TemplateError
from marketnotes.events import load_events
from marketnotes.facts import Fact, FactTable, key_of
from marketnotes.facts.catalogue import family_of, subject_keys
from marketnotes.facts.moves import add_move_facts
from marketnotes.facts.table import UNITS, iso
from marketnotes.narrative import formats, said, write_note
from marketnotes.narrative.check import plain_text
from marketnotes.narrative.numbers import by_the_numbers
from marketnotes.narrative.stated import stated_in
from marketnotes.narrative.writer import environment
from marketnotes.params import validate
from marketnotes.spec import NoteSpec

WINDOW_TITLES = {"1d": "Day", "1w": "Week", "1m": "Month", "3m": "3 months", "ytd": "YTD", "1y": "1 year"}


RENAMED_SECTIONS = {"Distance from highs": "Records and drawdowns"}  # templates written before Narrative 2.0 keep working

FACT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+")  # <subject>.<what>: the subject is what "each number once" compares
EVENT_IDS = re.compile(r"\.(last|next)\.(date|label)$")  # how the phrasebook recognises an event release
NUMERIC_UNITS = UNITS - {"date", "text"}
STOCK_CHARTS = {"release-days": "cpi-reaction", "month": "monthly-review"}  # chart -> the note kind whose facts it draws


class NoteKindMismatch(TemplateError):
    """A stock note's output asked of a note of another kind: its facts were not computed
    (params `note_kind` gates them, so a weekly note does not pay for them)."""

    exit_code = 4

    def __init__(self, call: str, needs: str, kind: str):
        self.call, self.needs, self.kind = call, needs, kind
        super().__init__(f"{call} draws on the facts of a {needs} note, and this note is {kind}: set 'note_kind: {needs}' in its params file")


class EditorialLint(UserWarning):
    """An editorial-lint finding about a template's own paragraph: shown in its cell while the
    template is edited and counted in the note's check summary; the numbers are right, the
    style is not (docs/style.md), so it does not stop the render."""


def _one_line_lint(format_warning):
    """`warnings.formatwarning` for EditorialLint: its one documented line
    (`EditorialLint: [rule] … -- in: '…'`), not `/tmp/ipykernel_…/….py:1: EditorialLint: …`
    followed by the line of marketnotes that warned; other warnings as before."""

    def formatwarning(message, category, filename, lineno, line=None):
        if isinstance(category, type) and issubclass(category, EditorialLint):
            return f"{category.__name__}: {message}\n"
        return format_warning(message, category, filename, lineno, line)

    formatwarning.marketnotes = True
    return formatwarning


if not getattr(warnings.formatwarning, "marketnotes", False):  # once, however often this module is reloaded
    warnings.formatwarning = _one_line_lint(warnings.formatwarning)


class Cell(NamedTuple):
    """The template cell running now, as IPython sees it (both under papermill and in Jupyter)."""

    key: object  # survives a re-run in JupyterLab (its cellId); otherwise the execution count
    count: int | None  # what papermill records as the cell's execution_count
    line: str  # the cell's first line


def current_cell() -> Cell:
    ip = get_ipython()
    if ip is None:
        return Cell(None, None, "")
    # In[N] is stored before cell N runs; ip.execution_count is already N+1 then in IPython 9
    history = ip.user_ns.get("In") or [""]
    count = len(history) - 1 or None
    lines = str(history[-1]).strip().splitlines()
    kernel = getattr(ip, "kernel", None)
    parent = kernel.get_parent() if kernel is not None and hasattr(kernel, "get_parent") else {}
    return Cell((parent.get("metadata") or {}).get("cellId") or count, count, lines[0] if lines else "")


@dataclass
class Note:
    spec: NoteSpec
    prices: PriceData
    analysis: Analysis
    events: pd.DataFrame
    sidecar: Path | None = None  # authored.json for the host; None in a Jupyter session
    authored: Authored = field(default_factory=Authored)
    added: dict[str, Cell] = field(default_factory=dict)  # fact id -> the cell that added it
    said_in: list[Cell] = field(default_factory=list)  # the cell of each of authored.said
    shown: Recorder | None = None  # each cell's output, for preview(); in a Jupyter session only

    def __post_init__(self) -> None:
        self.writer = said.writer_for(self.analysis.facts, self.analysis.narrative)

    @classmethod
    def load(cls, price_snapshot: str | None = None, facts_snapshot: str | None = None, **parameters: Any) -> Note:
        """Validate the template's parameters with the params model, then load and analyse.

        Under marketnotes the host passes the prices and facts it already computed (snapshots),
        so the kernel neither reloads data nor recomputes facts; in Jupyter both are computed here.
        """
        params = validate({k: v for k, v in parameters.items() if v is not None or k == "rotation"}, "template parameters")
        if price_snapshot:
            prices = PriceData.from_parquet(price_snapshot)
            resolved = ResolvedAsOf(str(params.as_of), prices.as_of)
        else:
            resolved = resolve_as_of(params.as_of)
            prices = load_prices(make_source(params.source, params.source_options), params.symbols, resolved)
        spec = NoteSpec.build(params, resolved, prices.as_of)
        if facts_snapshot:
            facts = FactTable.from_json(Path(facts_snapshot).read_text(encoding="utf-8"))
            narrative, check = write_note(facts, params.symbols, params.rotation_pair)
            analysis = Analysis(facts, narrative, check)
        else:
            analysis = analyse(spec, prices)
        snapshot = facts_snapshot or price_snapshot
        sidecar = Path(snapshot).parent / AUTHORED_FILE if snapshot else None
        note = cls(spec, prices, analysis, load_events(params.events), sidecar)
        if sidecar is None:  # a Jupyter session: record what each cell shows, for note.preview()
            note.shown = Recorder.install(current_cell, skip=(note_preview.Preview,))
        return note

    @property
    def as_of(self) -> pd.Timestamp:
        """The note's session, for computing facts of your own."""
        return self.prices.as_of

    # -- prose ---------------------------------------------------------------------------
    def headline(self) -> HTML:
        """The headline and the lead, and the week's other rare news that did not fit in the
        lead ("Also this week"): it belongs with the lead, so every template shows it."""
        n = self.analysis.narrative
        return HTML(str(n.headline_html() + n.lead_html()) + self.section("Also this week").data)

    def section(self, title: str) -> HTML:
        """One prose section by title (Also this week, The story so far, Leaders and laggards,
        Records and drawdowns, The rotation, Events, What to watch); empty when the week gave
        it nothing to say."""
        title = RENAMED_SECTIONS.get(title, title)
        found = [s for s in self.analysis.narrative.sections if s.title == title]
        if not found:
            return HTML("")
        sentences = " ".join(str(s.html) for s in found[0].sentences)
        return HTML(f'<h3 class="mn-section">{escape(title)}</h3><p class="mn-prose">{sentences}</p>')

    def sections(self, *titles: str) -> HTML:
        return HTML("".join(self.section(t).data for t in titles))

    # -- charts and tables -----------------------------------------------------------------
    def chart(self, name: str) -> charts.Chart | HTML:
        p, closes = self.spec.params, self.prices.closes
        source = f"Source: {self.prices.source}. {self.spec.as_of_phrase}."
        facts = self.analysis.facts
        if name in STOCK_CHARTS:
            return self._stock_chart(name, source)
        if name == "performance":
            arc = self._arc_told()
            return charts.for_screens(lambda size: charts.performance(closes, facts, self.events, p.chart_years, source, arc, size=size))
        if name == "ratio":
            return charts.for_screens(lambda size: charts.ratio(closes, facts, p.rotation_pair, p.chart_years, source, size=size)) if p.rotation_pair else HTML("")
        if name == "drawdown":
            return charts.for_screens(lambda size: charts.drawdown(closes, facts, p.chart_years, source, size=size))
        if name == "returns":
            return charts.for_screens(lambda size: charts.window_returns(facts, p.symbols, p.lookback, source, size=size))
        raise ValueError(f"unknown chart {name!r}; known: performance, ratio, drawdown, returns, release-days (cpi-reaction), month (monthly-review)")

    # -- the stock notes' own outputs (params note_kind: cpi-reaction, monthly-review) -----------
    def _stock_chart(self, name: str, source: str) -> charts.Chart:
        self._needs(STOCK_CHARTS[name], f"note.chart({name!r})")
        closes, facts = self.prices.closes, self.analysis.facts
        if name == "release-days":
            source = f"Source: {self.prices.source}; CPI release dates: BLS. {self.spec.as_of_phrase}."
            return charts.for_screens(lambda size: release_charts.release_days(closes, facts, self.events, "cpi", source, size))
        return charts.for_screens(lambda size: month_charts.month_path(closes, facts, source, size))

    def monthly_table(self) -> HTML:
        """The monthly review's heat-table: each index's return in each of the last 12 calendar
        months (the note's last), coloured by sign and size, then the year to date."""
        self._needs("monthly-review", "note.monthly_table()")
        return HTML(str(month_charts.heat_table(self.analysis.facts, self.spec.params.symbols)))

    def _needs(self, kind: str, call: str) -> None:
        have = self.analysis.facts.value("note.kind", "weekly")
        if have != kind:
            raise NoteKindMismatch(call, kind, have)

    def plot(self, data: pd.Series | pd.DataFrame, title: str, ylabel: str = "", source: str | None = None, years: float | None = None, **values: Any) -> charts.Chart:
        """Your own series (one line per column; a column named by an index's symbol takes its
        label) in the house style, over the note's chart window (`years`, default the params'
        `chart_years`) to its as-of session. The title states the chart's point and is written
        and checked like a `say` sentence: its numbers only through facts."""
        title_html = self._checked(title, values, "title")
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        start = self.as_of - pd.DateOffset(months=max(1, round(12 * (years or self.spec.params.chart_years))))
        shown = frame.loc[start : self.as_of].rename(columns=lambda c: self.analysis.facts.labels.get(c, c))
        default = f"Source: {self.prices.source}. {self.spec.as_of_phrase}."
        title_text = plain_text(str(title_html))
        return charts.for_screens(lambda size: charts.line(shown, title_text, source or default, ylabel, size=size))

    def _arc_told(self) -> str | None:
        """The index whose story arc the prose tells ("The story so far"), so the chart shades
        the same phases the text names; None when the note tells no arc."""
        keys = {key_of(s): s for s in self.spec.params.symbols}
        for section in self.analysis.narrative.sections:
            for sentence in section.sentences:
                if sentence.kind == "arc":
                    return next((keys[f.split(".arc.")[0]] for f in sentence.facts if ".arc." in f and f.split(".arc.")[0] in keys), None)
        return None

    def numbers(self, title: str = "By the numbers") -> HTML:
        """Each index's week in figures, a column per index: the week's move and how far back its
        rank reaches, the session's move, the week's notable days, a streak, the close and since
        when it is the highest or lowest, the month at a month's end. Every figure is a traced
        span, and the table is fact-checked before it is shown (narrative/numbers.py)."""
        return HTML(str(by_the_numbers(self.analysis.facts, self.spec.params.symbols, title)))

    def returns_table(self) -> HTML:
        """Index x window returns and distance from the record, straight from the facts table
        (each cell names its fact, so the page can show a reader where the figure comes from)."""
        facts, p = self.analysis.facts, self.spec.params
        rows = []
        for symbol in p.symbols:
            k = key_of(symbol)
            cells = [f'<td data-fact="{k}.close">{facts.value(f"{k}.close"):,.2f}</td>']
            for w in p.lookback:
                value = facts.value(f"{k}.ret.{w}")
                cells.append("<td>—</td>" if value is None else f'<td class="{"up" if value > 0 else "down" if value < 0 else ""}" data-fact="{k}.ret.{w}">{value * 100:+.1f}%</td>')
            cells.append(f'<td data-fact="{k}.ath.below">{facts.value(f"{k}.ath.below") * 100:.1f}%</td>')
            rows.append(f"<tr><th>{escape(facts.labels[symbol])}</th>{''.join(cells)}</tr>")
        head = "".join(f"<th>{WINDOW_TITLES.get(w, w)}</th>" for w in p.lookback)
        return HTML(
            f'<table class="mn-table"><thead><tr><th></th><th>Close</th>{head}<th>From high</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


    def preview(self) -> note_preview.Preview | None:
        """The note as `marketnotes render` would publish it from the cells run so far (the
        page, charts included), its fact-check summary, each lint finding with the cell it
        came from, and any cell that failed; built from the facts and outputs already in the
        kernel, so it takes well under a second (preview.py). Under marketnotes it shows
        nothing: a template that kept its `note.preview()` cell publishes no preview."""
        if self.shown is None:
            return None
        return note_preview.build(self, self.shown)

    # -- the template's own facts and prose --------------------------------------------------
    def facts_frame(self, match: str = "") -> pd.DataFrame:
        """Every fact a sentence can cite (ids containing `match`): `written` is how `n(id)`
        writes it, `added` marks the template's own facts, `family` groups them (the
        catalogue: `marketnotes facts --list`, facts/catalogue.py), and `stated` says where the
        note already states the figure ("lead", a section, or a cell of the template's own that
        said it), so citing it again would be a `repeated-fact` finding (narrative/stated.py);
        empty where it does not."""
        as_of = self.as_of.date()
        cells = note_preview.Numbering()
        own = [(cells.where(c.key, c.count) if c.count is not None else "your paragraph", p.html) for p, c in zip(self.authored.said, self.said_in, strict=True) if p.kind == "say"]
        stated, keys = stated_in(self.analysis.narrative, self.analysis.facts, own), subject_keys(self.analysis.facts.labels)
        rows = [
            (f.id, f.value, f.unit, f.description, f.start, f.end, _written(f, as_of), f.id in self.added, family_of(f.id, keys), stated.get(f.id, ""))
            for f in self.analysis.facts
            if match in f.id
        ]
        return pd.DataFrame(rows, columns=["id", "value", "unit", "description", "start", "end", "written", "added", "family", "stated"])

    def add_fact(self, fid: str, value: Any, unit: str, description: str, start: Any = None, end: Any = None) -> None:
        """A number the template computed, added to the note's facts table like any other: `say`
        can cite it, it is checked, and it lands in facts.json. `unit` is one of the table's
        (pct as a fraction: 0.036 is 3.6%; level, pts, count, date, text); `start` and `end`
        date a change, and size its verb for that window (a change without a start is told as
        one session's move); `end` defaults to the note's session."""
        if not isinstance(fid, str) or not FACT_ID.fullmatch(fid):
            raise FactRejected(str(fid), "malformed id: write <subject>.<what>, letters, digits and _ between dots, e.g. 'VIX.high.1y'")
        if EVENT_IDS.search(fid):
            raise FactRejected(fid, "ids ending in .last/.next .date/.label are how the phrasebook finds event releases; choose another ending")
        if unit not in UNITS:
            raise FactRejected(fid, f"unknown unit {unit!r}; units: {', '.join(sorted(UNITS))}")
        if not str(description).strip():
            raise FactRejected(fid, "give a description: it is what facts.json and facts_frame() say the number is")
        value = value.item() if hasattr(value, "item") else value
        if unit in NUMERIC_UNITS and (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)):
            raise FactRejected(fid, f"a {unit} fact needs a finite number, not {value!r}")
        if unit == "date":
            value = _iso(fid, "value", value)
        elif unit == "text" and not isinstance(value, str):
            raise FactRejected(fid, f"a text fact needs a string, not {value!r}")
        end = self.as_of if end is None else end
        self._add([Fact(fid, value, unit, str(description), _iso(fid, "start", start), _iso(fid, "end", end))], current_cell())

    def add_series(self, symbol: str, label: str, closes: pd.Series) -> None:
        """The facts each of the note's indices gets for its moves (close, volatility, returns over
        the note's windows, each with its sessions) for a series of your own, under its key:
        `^VIX` gives `VIX.close`, `VIX.ret.1w`, ..., so `move('VIX.ret.1w')` is dated and sized
        exactly like the indices' moves; `label` is what `the('^VIX')` writes."""
        closes = closes.dropna().sort_index()
        key = key_of(symbol)
        if symbol in self.analysis.facts.labels or any(f.id.split(".")[0] == key for f in self.analysis.facts):
            raise FactRejected(f"{key}.close", f"the note already has facts for {symbol!r}; add_series is for series of your own")
        if closes.empty or closes.index[-1] != self.as_of:
            raise FactRejected(f"{key}.close", f"{symbol} has no close on the note's session {self.as_of.date()}")
        scratch = FactTable(self.analysis.facts.as_of, {symbol: label})
        add_move_facts(scratch, symbol, closes, self.as_of, tuple(self.spec.params.lookback))
        self.authored.labels[symbol] = self.analysis.facts.labels[symbol] = label
        self._add(list(scratch), current_cell())

    def say(self, text: str, title: str | None = None, **values: Any) -> HTML:
        """A paragraph of your own, written as Jinja with the phrasebook's helpers: numbers and
        dates only as `{{ n('ID') }}`, move verbs as `{{ move('ID') }}` / `{{ word('ID') }}`,
        index names as `{{ the('^GSPC') }}`. It is fact-checked now (a hand-typed number raises
        `SayCheckFailed`, which fails the render naming this cell) and linted with the note's
        own prose (findings are `EditorialLint` warnings, counted in the note's summary)."""
        head = f'<h3 class="mn-section">{self._checked(title, values, "title")}</h3>' if title else ""
        html = self._checked(text, values, "say")
        paragraphs = [p.html for p in self.authored.said if p.kind == "say"]
        for finding in said.lint_said(self.analysis.narrative, self.analysis.facts, paragraphs)[-1]:
            warnings.warn(str(finding), EditorialLint, stacklevel=2)
        return HTML(f'{head}<p class="mn-prose">{html}</p>')

    def _checked(self, text: str, values: dict, kind: str) -> Markup:
        """Render template prose, fact-check it, and record it (for the lint and the host)."""
        cell = current_cell()
        html = said.render(text, self.writer, values)
        result = said.check_one(str(html), self.analysis.facts)
        if result.problems:
            raise SayCheckFailed(result.problems, plain_text(str(html)), cell.count, cell.line)
        # a cell re-run in Jupyter replaces what it said before (under papermill each cell runs once)
        kept = [(p, c) for p, c in zip(self.authored.said, self.said_in, strict=True) if c.key != cell.key or c.count == cell.count]
        self.authored.said = [p for p, _ in kept] + [Said(str(html), cell.count, cell.line, kind)]
        self.said_in = [c for _, c in kept] + [cell]
        self._save()
        return html

    def _add(self, facts: list[Fact], cell: Cell) -> None:
        """Join the note's table. An id is the template's once: re-running the cell that added
        it (in Jupyter) replaces it; adding it again anywhere else is an error."""
        table = self.analysis.facts
        for fact in facts:
            if fact.id in table and fact.id not in self.added:
                raise FactRejected(fact.id, f"a built-in fact already has this id ({table[fact.id].description}); choose another, e.g. 'my.{fact.id}'")
            before = self.added.get(fact.id)
            if before is not None and (before.key != cell.key or before.count == cell.count):
                where = "earlier in this cell" if before.key == cell.key else f"by the cell [{before.line}]"
                raise FactRejected(fact.id, f"already added {where}; each id is added once")
        for fact in facts:
            table.facts[fact.id] = fact
            self.added[fact.id] = cell
        ids = {f.id for f in facts}
        self.authored.facts = [f for f in self.authored.facts if f.id not in ids] + facts
        self._save()

    def _save(self) -> None:
        if self.sidecar is not None:
            atomic.write_text(self.sidecar, self.authored.to_json())


def _iso(fid: str, what: str, day: Any) -> str | None:
    if day is None:
        return None
    try:
        return iso(pd.Timestamp(day))
    except (ValueError, TypeError):
        raise FactRejected(fid, f"{what} {day!r} is not a date") from None


def _written(fact: Fact, as_of) -> str:
    fmt = said.DEFAULT_FORMATS.get(fact.unit)
    return "" if fmt is None or fact.value is None else formats.render(fact.value, fmt, as_of)
