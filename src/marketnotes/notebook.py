"""What a template calls. Templates stay thin: one `Note.load(...)` with the parameters, then
one call per output (`note.headline()`, `note.section(...)`, `note.chart(...)`).

It runs inside the papermill kernel and equally in a Jupyter session where a user edits a
template: with no `price_snapshot` it loads the data itself (the bundled sample needs no
network), so a template runs as-is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML
from markupsafe import escape

from marketnotes import charts
from marketnotes.calendar import ResolvedAsOf, resolve_as_of
from marketnotes.data import PriceData, load_prices, make_source
from marketnotes.events import load_events
from marketnotes.facts import FactTable, key_of
from marketnotes.narrative import write_note
from marketnotes.narrative.writer import environment
from marketnotes.params import validate
from marketnotes.analysis import Analysis, analyse
from marketnotes.spec import NoteSpec

WINDOW_TITLES = {"1d": "Day", "1w": "Week", "1m": "Month", "3m": "3 months", "ytd": "YTD", "1y": "1 year"}


RENAMED_SECTIONS = {"Distance from highs": "Records and drawdowns"}  # templates written before Narrative 2.0 keep working


@dataclass
class Note:
    spec: NoteSpec
    prices: PriceData
    analysis: Analysis
    events: pd.DataFrame

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
        return cls(spec, prices, analysis, load_events(params.events))

    # -- prose ---------------------------------------------------------------------------
    def headline(self) -> HTML:
        n = self.analysis.narrative
        return HTML(str(n.headline_html() + n.lead_html()))

    def section(self, title: str) -> HTML:
        """One prose section by title (The story so far, Leaders and laggards, Records and
        drawdowns, The rotation, Events, What to watch); empty when the week gave it nothing to say."""
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
        if name == "performance":
            return charts.performance(closes, self.analysis.facts, self.events, p.chart_years, source)
        if name == "ratio":
            return charts.ratio(closes, self.analysis.facts, p.rotation_pair, p.chart_years, source) if p.rotation_pair else HTML("")
        if name == "drawdown":
            return charts.drawdown(closes, self.analysis.facts, p.chart_years, source)
        if name == "returns":
            return charts.window_returns(self.analysis.facts, p.symbols, p.lookback, source)
        raise ValueError(f"unknown chart {name!r}; known: performance, ratio, drawdown, returns")

    def returns_table(self) -> HTML:
        """Index x window returns and distance from the record, straight from the facts table."""
        facts, p = self.analysis.facts, self.spec.params
        rows = []
        for symbol in p.symbols:
            k = key_of(symbol)
            cells = [f"<td>{facts.value(f'{k}.close'):,.2f}</td>"]
            for w in p.lookback:
                value = facts.value(f"{k}.ret.{w}")
                cells.append("<td>—</td>" if value is None else f'<td class="{"up" if value > 0 else "down" if value < 0 else ""}">{value * 100:+.1f}%</td>')
            cells.append(f"<td>{facts.value(f'{k}.ath.below') * 100:.1f}%</td>")
            rows.append(f"<tr><th>{escape(facts.labels[symbol])}</th>{''.join(cells)}</tr>")
        head = "".join(f"<th>{WINDOW_TITLES.get(w, w)}</th>" for w in p.lookback)
        return HTML(
            f'<table class="mn-table"><thead><tr><th></th><th>Close</th>{head}<th>From high</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )


def warm() -> None:
    """Fill this process's caches (phrasebook, fonts) before a note needs them.

    Batch workers run this in a kernel started ahead of need. It only builds caches whose
    content is the same for every note, so a note rendered in a warmed kernel is identical
    to one rendered cold.
    """
    environment().get_template("phrasebook.j2")
    import matplotlib.font_manager

    matplotlib.font_manager.findfont("DejaVu Sans")
