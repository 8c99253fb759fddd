"""The Jinja2 machinery that turns facts into traceable sentences.

Templates (phrasebook.j2) never see raw numbers: they call `n(fact_id, fmt)`, `move(fact_id)`,
`the(symbol)` and friends, which render `<span data-fact=...>` elements and record which facts
each sentence used. That is what lets a reader, a test or the fact checker trace every number
in the note back to the facts table.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from marketnotes.cache import cache_root
from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import formats, words
from marketnotes.narrative.reading import reading_angle

WINDOW_PHRASES = {"1d": "on the day", "1w": "this week", "1m": "over the past month", "3m": "over the past three months", "ytd": "so far this year", "1y": "over the past year"}
POINTS_INDICES = {"^DJI"}  # told in points as well as percent (house style, docs/style.md)
# windows that run to now take the present perfect ("so far this year the Dow has led")
RUNNING = {"1m", "3m", "ytd", "1y"}


@dataclass
class Sentence:
    html: Markup
    facts: list[str]
    score: float = 0.0
    kind: str = ""
    numbers: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        from marketnotes.narrative.check import plain_text

        return plain_text(str(self.html))


@dataclass
class Writer:
    """Renders spans for one note; remembers which synonym each move got, note-wide."""

    facts: FactTable
    used: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    turns: dict[tuple[int, int], int] = field(default_factory=dict)
    chosen: dict[str, int] = field(default_factory=dict)
    said_once: set[str] = field(default_factory=set)
    strong: set[tuple[int, int]] = field(default_factory=set)  # exceptional moves that got the plain verb
    brief_headline: bool = False  # compose's second try at a headline over 65 characters

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.facts.as_of)

    def _span(self, fid: str, text: str, **attrs: str) -> Markup:
        for one in fid.split():
            if one not in self.facts:
                raise KeyError(f"template asked for missing fact {one}")
            self.used.append(one)
        extra = "".join(f' data-{k}="{escape(v)}"' for k, v in attrs.items())
        return Markup(f'<span data-fact="{escape(fid)}"{extra}>{escape(text)}</span>')

    # -- template globals ------------------------------------------------------------
    def n(self, fid: str, fmt: str) -> Markup:
        text = formats.render(self.facts.value(fid), fmt, self.as_of)
        if fmt in formats.NUMERIC:
            self.numbers.append(statement(self.facts[fid], text))
        return self._span(fid, text, fmt=fmt)

    def n_all(self, fids: list[str], fmt: str) -> Markup:
        """One figure true of several facts ("nine-session losing streaks ... for both"): every
        fact must write the same text, and the span cites them all, so the check verifies each."""
        texts = {formats.render(self.facts.value(f), fmt, self.as_of) for f in fids}
        if len(texts) != 1:
            raise ValueError(f"n_all: {fids} do not read alike as {fmt}: {sorted(texts)}")
        text = texts.pop()
        if fmt in formats.NUMERIC:
            self.numbers.extend(statement(self.facts[f], text) for f in fids)
        return self._span(" ".join(fids), text, fmt=fmt)

    def since_all(self, symbols: list[str], since: list[str], start: list[str]) -> Markup | None:
        """"since July 2012" or "since at least 1999" when it is the same for every index (each
        fact cited), else None: the sentence then names each index's own."""
        if all(f in self.facts for f in since):
            texts = {formats.render(self.facts.value(f), "era", self.as_of) for f in since}
            return Markup("since ") + self.n_all(since, "era") if len(texts) == 1 else None
        if all(f in self.facts for f in start) and not any(self.complete(s) for s in symbols):
            firsts = [f"{key_of(s)}.history.start" for s in symbols]
            if len({formats.render(self.facts.value(f), "year", self.as_of) for f in firsts}) == 1:
                return Markup("since at least ") + self.n_all(firsts, "year")
        return None

    def reading(self, role: str = "core") -> str:
        """'hottest', 'coolest' or '': the "since" a release's reading earns (reading.py)."""
        return reading_angle(self.facts, role)

    def has(self, *fids: str) -> bool:
        return all(f in self.facts for f in fids)

    def v(self, fid: str, default=None):
        """A fact's raw value, for template conditions only (never printed)."""
        return self.facts.value(fid, default)

    def word(self, fid: str, form: str = "past") -> Markup:
        """The verb for a move, by its size for its window. A fact keeps its verb for the whole
        note (headline and lead agree); other facts of the same strength take the next synonym."""
        value, sessions = self.facts.value(fid), words.sessions_of(self.facts[fid])
        t = words.tier(value, sessions)
        if fid not in self.chosen:
            slot = (0 if t == 0 else (1 if value > 0 else -1), t)
            strong = t == 4 and slot in self.strong  # "plunged"/"soared" once a note (AP): the next gets a synonym
            if self._biggest_of_its_kind(fid, value, sessions, t) and not strong:
                self.chosen[fid] = 0  # the plain verb ("plunged") goes to the biggest move
                if t == 4:
                    self.strong.add(slot)
            else:  # the other synonyms in turn, never the plain verb
                others = len(words.synonyms(value, t)) - 1
                turn = self.turns.get(slot, 0)
                self.chosen[fid] = 1 + turn % others if others else 0
                self.turns[slot] = turn + 1
        text = words.move_word(value, sessions, form, self.chosen[fid])
        return self._span(fid, text, word=form)

    def _biggest_of_its_kind(self, fid: str, value: float, sessions: int, t: int) -> bool:
        """Whether no other move of the same index-agnostic kind ("ret.1w", "week.worst.ret"),
        sign and tier is bigger: so "sank 6.0%" never sits beside "plunged 5.7%" in a note."""
        if t == 0 or "." not in fid:
            return True
        kind = fid.split(".", 1)[1]
        for fact in self.facts:
            if fact.id != fid and fact.id.endswith("." + kind) and fact.unit == "pct" and isinstance(fact.value, (int, float)):
                if (fact.value > 0) == (value > 0) and words.tier(fact.value, words.sessions_of(fact)) == t and abs(fact.value) > abs(value):
                    return False
        return True

    def move(self, fid: str, form: str = "past", fmt: str = "pct1") -> Markup:
        """"rose 3.6%" or "was little changed": verb and number from one fact."""
        if words.tier_of(self.facts, fid) == 0:
            return self.word(fid, form)
        return Markup(f"{self.word(fid, form)} {self.n(fid, fmt)}")

    def an(self, fid: str, fmt: str) -> Markup:
        """"an eighth", "an 11th", "a ninth": the article that fits the number as written."""
        number = self.n(fid, fmt)
        return Markup(self.article(number.striptags()) + " ") + number

    def article(self, text: str) -> str:
        """"an" before "eighth", "11th", "18.2%", "an 8.5%"; "a" otherwise."""
        return "an" if text[:1] in "aeiou" or text.startswith("8") or re.match(r"1[18](st|nd|rd|th)?\b", text) else "a"

    def tier(self, fid: str) -> int:
        """0 flat .. 4 exceptional: for template conditions only."""
        return words.tier_of(self.facts, fid)

    def window(self, w: str) -> str:
        """"this week" only for a complete calendar week; "on Monday" when the week so far is one
        session (a Monday note's week is Monday's move); "since last Friday" on other days."""
        if w == "1w" and self.facts.value("session.week_complete", 1) != 1:
            day = self.first_day()
            return f"on {day}" if day else "since last Friday"
        return WINDOW_PHRASES[w]

    def first_day(self) -> str:
        """The weekday name when the note's week so far is its first session, else ""."""
        week = next((f for f in self.facts if f.id.endswith(".ret.1w")), None)
        day = self.facts.facts.get(week.id[: -len("1w")] + "1d") if week is not None else None
        if day is None or day.start != week.start:
            return ""
        return formats.render(self.facts.value("session.date"), "day", self.as_of)

    def record(self, symbol: str) -> str:
        """"record" only where the index's record closes are known; otherwise "peak"."""
        return "record" if self.records(symbol) else "peak"

    def records(self, symbol: str) -> bool:
        """Whether "record" is honest at this close: the whole history, or a known record
        close before or inside the data (facts/history.py)."""
        return self.facts.value(f"{key_of(symbol)}.history.records", self.facts.value(f"{key_of(symbol)}.history.complete", 0)) == 1

    def release_on(self, day: str) -> str:
        """The kind of event whose latest release fell on `day` ("cpi"), or ""."""
        return next((f.id.split(".")[0] for f in self.facts if f.id.endswith(".last.date") and f.value == day), "")

    def years_ago(self, years: float) -> str:
        """ISO date `years` before the note, to compare with date facts in conditions."""
        return (self.as_of - dt.timedelta(days=round(365.25 * years))).isoformat()

    def in_points(self, symbol: str) -> bool:
        """Whether a move of this index is told in index points as well as percent: desks quote
        the Dow that way ("fell 617.78 points, or 5.7%"), and no other index."""
        return symbol in POINTS_INDICES and f"{key_of(symbol)}.pts.1d" in self.facts

    def brief(self) -> bool:
        """True while compose writes a headline again because the first was over 65
        characters: macros drop the day and give a year for a date ("best day since 2009")."""
        return self.brief_headline

    def once(self, tag: str) -> bool:
        """True the first time a note asks about `tag`: where the data starts is said in full
        once ("in data going back to January 1999"), then short ("since at least 1999")."""
        if tag in self.said_once:
            return False
        self.said_once.add(tag)
        return True

    def complete(self, symbol: str) -> bool:
        return self.facts.value(f"{key_of(symbol)}.history.complete", 0) == 1

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

    def side(self, fid: str, pos: str, neg: str) -> Markup:
        """"above" / "below" (any pair in words.SIDES, the positive word first) from the sign of
        a fact, so a direction beside a number is never typed by hand:
        `{{ n('DJI.ret.1w') }} {{ side('DJI.ret.1w', 'above', 'below') }} last Friday's close`."""
        if words.OPPOSITE.get(pos) != neg or words.SIDE_OF[pos] != 1:
            pairs = ", ".join(f"{a}/{b}" for a, b in words.SIDES)
            raise ValueError(f"side({fid!r}, {pos!r}, {neg!r}): give a known pair, positive word first ({pairs})")
        return self._span(fid, words.side_word(self.facts.value(fid), pos, neg), word="side", pos=pos, neg=neg)

    def the(self, symbol: str, capital: bool = False) -> Markup:
        label = self.facts.labels[symbol]
        article = "" if label.lower().startswith("the ") else ("The " if capital else "the ")
        return Markup(f'{article}<span data-label="{escape(symbol)}">{escape(label)}</span>')

    def label(self, symbol: str) -> Markup:
        return Markup(f'<span data-label="{escape(symbol)}">{escape(self.facts.labels[symbol])}</span>')

    def labels(self, symbols: list[str]) -> Markup:
        """"A and B" without articles, for headlines."""
        parts = [self.label(s) for s in symbols]
        return parts[0] if len(parts) == 1 else Markup(", ").join(parts[:-1]) + Markup(" and ") + parts[-1]

    def names(self, symbols: list[str]) -> Markup:
        parts = [self.the(s) for s in symbols]
        if len(parts) <= 2:
            return Markup(" and ").join(parts)
        return Markup(", ").join(parts[:-1]) + Markup(" and ") + parts[-1]

    def helpers(self) -> dict:
        """The globals a template writes with: the phrasebook's, and a template's own `note.say`
        (one list, so what a user may write is exactly what the phrasebook may)."""
        names = "n n_all since_all reading an article move rel side word group tier window record records complete brief once in_points years_ago release_on the label labels names has v"
        return {name: getattr(self, name) for name in names.split()}


def statement(fact, text: str) -> str:
    """What a number says, for "each fact once": the same figure about the same index, ending on
    the same day, is one statement even under two fact ids (the week's worst day is also the
    CPI-day move; the bear market's drawdown is also the arc's last leg)."""
    about = key_of(fact.symbol) if fact.symbol else fact.id.split(".")[0]  # the arc's "meanwhile" is about the other index
    return f"{about}|{fact.end}|{text}"


class _BytecodeCache(FileSystemBytecodeCache):
    """Jinja's (atomic) file cache, except that a write that fails (a full disk) is dropped:
    the next process compiles again, and the note is not failed for a cache."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """The compiled phrasebook on disk (Jinja's own cache, keyed by the templates' source):
    a cold render compiles it in ~0.003 s instead of ~0.2 s, in the host and again in the
    kernel. A cache folder that cannot be made (a read-only home) means compiling, not failing."""
    folder = cache_root() / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


@lru_cache(maxsize=4)
def environment() -> Environment:
    """Built once per process: compiling the phrasebook costs more than writing a note."""
    env = Environment(
        loader=PackageLoader("marketnotes", "narrative"),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(key=key_of, running=RUNNING.__contains__)
    env.filters["rotday_id"] = lambda symbol: f"rotday.week.{key_of(symbol)}.ret"
    env.filters["suffix"] = lambda text, tail: f"{text}{tail}"
    env.filters["suffix_key"] = lambda symbol, tail: f"{key_of(symbol)}{tail}"  # an index's fact id: ^GSPC, ".ret.ytd" -> GSPC.ret.ytd
    env.filters["capitalize_first"] = lambda text: Markup(text[:1].upper()) + Markup(text[1:]) if text else text
    return env


class Phrasebook:
    """Renders one macro of phrasebook.j2 into a `Sentence` that knows its facts."""

    def __init__(self, facts: FactTable, template: str = "phrasebook.j2"):
        self.writer = Writer(facts)
        self.module = environment().get_template(template).make_module(self.writer.helpers())

    def say(self, macro: str, *args, score: float = 0.0, **kwargs) -> Sentence | None:
        self.writer.used, self.writer.numbers = [], []
        html = str(getattr(self.module, macro)(*args, **kwargs)).strip()
        html = " ".join(html.split())
        if not html:
            return None
        return Sentence(Markup(html), list(dict.fromkeys(self.writer.used)), score, macro, list(dict.fromkeys(self.writer.numbers)))
