"""The Jinja2 machinery that turns facts into traceable sentences.

Templates (phrasebook.j2) never see raw numbers: they call `n(fact_id, fmt)`, `move(fact_id)`,
`the(symbol)` and friends, which render `<span data-fact=...>` elements and record which facts
each sentence used. That is what lets a reader, a test or the fact checker trace every number
in the note back to the facts table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import formats, words

WINDOW_PHRASES = {"1d": "on the day", "1w": "this week", "1m": "over the month", "3m": "over three months", "ytd": "so far this year", "1y": "over the past year"}


@dataclass
class Sentence:
    html: Markup
    facts: list[str]
    score: float = 0.0
    kind: str = ""

    @property
    def text(self) -> str:
        from marketnotes.narrative.check import plain_text

        return plain_text(str(self.html))


@dataclass
class Writer:
    facts: FactTable
    used: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.facts.as_of)

    def _span(self, fid: str, text: str, **attrs: str) -> Markup:
        if fid not in self.facts:
            raise KeyError(f"template asked for missing fact {fid}")
        self.used.append(fid)
        extra = "".join(f' data-{k}="{escape(v)}"' for k, v in attrs.items())
        return Markup(f'<span data-fact="{escape(fid)}"{extra}>{escape(text)}</span>')

    # -- template globals ------------------------------------------------------------
    def n(self, fid: str, fmt: str) -> Markup:
        return self._span(fid, formats.render(self.facts.value(fid), fmt, self.as_of), fmt=fmt)

    def has(self, *fids: str) -> bool:
        return all(f in self.facts for f in fids)

    def v(self, fid: str, default=None):
        """A fact's raw value, for template conditions only (never printed)."""
        return self.facts.value(fid, default)

    def word(self, fid: str, form: str = "past") -> Markup:
        z = words.z_for(self.facts, fid)
        text = words.move_word(self.facts.value(fid), z, f"{fid}|{self.facts.as_of}|{form}", form)
        return self._span(fid, text, word=form)

    def move(self, fid: str, form: str = "past", fmt: str = "pct1") -> Markup:
        """"rose 3.6%" or "was little changed": verb and number from one fact."""
        if words.tier(self.facts.value(fid), words.z_for(self.facts, fid)) == 0:
            return self.word(fid, form)
        return Markup(f"{self.word(fid, form)} {self.n(fid, fmt)}")

    def group(self, fids: list[str], form: str = "past") -> Markup:
        """One verb for several facts of the same sign ("while the S&P 500 and Dow fell")."""
        signs = {1 if self.facts.value(f) > 0 else -1 for f in fids}
        if len(signs) != 1:
            raise ValueError(f"group verb over facts of mixed sign: {fids}")
        text = words.GROUP[signs.pop()][{"past": 0, "present": 1, "perfect": 2}[form]]
        for f in fids:
            self.used.append(f)
        return Markup(f'<span data-fact="{escape(" ".join(fids))}" data-word="group">{escape(text)}</span>')

    def rel(self, fid: str) -> Markup:
        """"outperformed" / "trailed" from the sign of a spread."""
        text = words.RELATIVE[1 if self.facts.value(fid) >= 0 else -1]
        return self._span(fid, text, word="rel")

    def the(self, symbol: str, capital: bool = False) -> Markup:
        label = self.facts.labels[symbol]
        article = "" if label.lower().startswith("the ") else ("The " if capital else "the ")
        return Markup(f'{article}<span data-label="{escape(symbol)}">{escape(label)}</span>')

    def label(self, symbol: str) -> Markup:
        return Markup(f'<span data-label="{escape(symbol)}">{escape(self.facts.labels[symbol])}</span>')

    def names(self, symbols: list[str]) -> Markup:
        parts = [self.the(s) for s in symbols]
        if len(parts) <= 2:
            return Markup(" and ").join(parts)
        return Markup(", ").join(parts[:-1]) + Markup(" and ") + parts[-1]


@lru_cache(maxsize=4)
def environment() -> Environment:
    """Built once per process: compiling the phrasebook costs more than writing a note."""
    env = Environment(
        loader=PackageLoader("marketnotes", "narrative"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(key=key_of, window=WINDOW_PHRASES.get)
    env.filters["rotday_id"] = lambda symbol: f"rotday.week.{key_of(symbol)}.ret"
    return env


class Phrasebook:
    """Renders one macro of phrasebook.j2 into a `Sentence` that knows its facts."""

    def __init__(self, facts: FactTable, template: str = "phrasebook.j2"):
        self.writer = Writer(facts)
        w = self.writer
        helpers = dict(
            n=w.n, move=w.move, rel=w.rel, word=w.word, group=w.group,
            the=w.the, label=w.label, names=w.names, has=w.has, v=w.v,
        )
        self.module = environment().get_template(template).make_module(helpers)

    def say(self, macro: str, *args, score: float = 0.0, **kwargs) -> Sentence | None:
        self.writer.used = []
        html = str(getattr(self.module, macro)(*args, **kwargs)).strip()
        html = " ".join(html.split())
        if not html:
            return None
        return Sentence(Markup(html), list(dict.fromkeys(self.writer.used)), score, macro)
