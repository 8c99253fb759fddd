"""The fact checker: reads generated prose back and verifies it against the facts table.

Part of the product: rendering refuses a note that fails it. For every traced number it
re-renders the fact with the rounding the text used and also parses the number back and
compares it with the fact; every direction or magnitude word must match the sign (and the
size for its window) of its fact; and any digit or move word outside a traced span is
an unsourced claim: no number is ever typed into prose by hand.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from marketnotes.facts.table import FactTable
from marketnotes.narrative import formats, words


@dataclass
class Span:
    attrs: dict[str, str]
    text: str = ""


class SpanReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[Span] = []
        self.free: list[str] = []
        self.stream: list[Span | str] = []  # free text and traced spans, in reading order
        self._stack: list[Span | None] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        traced = tag == "span" and ("data-fact" in a or "data-label" in a)
        self._stack.append(Span(a) if traced else None)

    def handle_endtag(self, tag):
        if self._stack:
            span = self._stack.pop()
            if span is not None:
                self.spans.append(span)
                self.stream.append(span)
        self.free.append(" ")
        self.stream.append(" ")

    def handle_data(self, data):
        current = next((s for s in reversed(self._stack) if s is not None), None)
        if current is not None:
            current.text += data
        else:
            self.free.append(data)
            self.stream.append(data)


def plain_text(markup: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", markup))


@dataclass(frozen=True)
class StyleFinding:
    """One editorial-lint finding as a note reports it (render's output, manifest.json's
    `editorial_lint`): the rule, what it says about which sentence, and the template cell
    whose paragraph it is about, numbered as JupyterLab numbers the template's cells (None
    for the note's own prose). `str()` is the finding as the lint writes it."""

    rule: str
    text: str
    cell: int | None = None

    @classmethod
    def of(cls, finding, cell: int | None = None) -> StyleFinding:
        """From a lint.Finding (rule, sentence, detail)."""
        return cls(finding.rule, f"{finding.detail} -- in: {finding.sentence!r}", cell)

    def __str__(self) -> str:
        return f"[{self.rule}] {self.text}"


@dataclass
class CheckResult:
    """The fact check's problems (fatal: a note that states a wrong number is not published)
    and the editorial lint's findings (reported: the numbers are right, the style is not)."""

    problems: list[str] = field(default_factory=list)
    numbers: int = 0
    words: int = 0
    style: list[StyleFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        state = "PASSED" if self.ok else f"FAILED ({len(self.problems)} problems)"
        lint = f"; editorial lint: {len(self.style)} finding{'s' * (len(self.style) != 1)}" if self.style else "; editorial lint clean"
        return f"fact check {state}: {self.numbers} numbers and dates, {self.words} direction words verified{lint}"


def check_html(markup: str, facts: FactTable, context: str | None = None) -> CheckResult:
    """`context`, when given, is the text an unsourced number is quoted in (a template's own
    sentence as its reader sees it, labels and all); by default, the free text around it."""
    reader = SpanReader()
    reader.feed(str(markup))
    result = CheckResult()
    as_of = dt.date.fromisoformat(facts.as_of)
    for span in reader.spans:
        if "data-label" in span.attrs:
            continue
        fids = span.attrs["data-fact"].split()
        missing = [f for f in fids if f not in facts]
        if missing:
            result.problems.append(f"{span.text!r} cites unknown fact {missing[0]}")
        elif "data-fmt" in span.attrs:
            result.numbers += 1
            for fid in fids:  # a figure true of several facts ("for both") is checked against each
                _check_number(result, span, facts[fid].value, fid, as_of)
        elif "data-word" in span.attrs:
            result.words += 1
            _check_word(result, span, facts, fids)
    free = " ".join("".join(reader.free).split())
    for match in re.finditer(r"[+−-]?\d[\d,.]*%?", free):
        where = free[max(0, match.start() - 40): match.end() + 20]
        if context is not None:
            at = max(0, context.find(match.group(0)))
            where = context if len(context) <= 160 else "…" + context[max(0, at - 60): at + 60] + "…"
        result.problems.append(f"unsourced number {match.group(0)!r} in: {where!r}")
    for word in words.ALL_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", free):
            result.problems.append(f"move word {word!r} is not tied to a fact")
    _check_directions(result, reader.stream, facts)
    return result


def _check_directions(result: CheckResult, stream: list[Span | str], facts: FactTable) -> None:
    """A direction word typed beside a cited number ("6.9% above", "up 3.4%") claims that
    number's sign: it must agree with the fact, or the sentence is false however right the
    number. A comparison word ("more than 3%") or a direction word beside a level ("above
    25,000") claims more than the one fact can say, so it must be written with `side()` from
    a fact that holds the comparison. Reach: the nearest cited number in the same clause, at
    most `words.REACH` words away, the one before the word first ("6.9% above")."""
    tokens: list[Span | str] = []
    for item in stream:
        if isinstance(item, Span):
            tokens.append(item)
        else:
            tokens.extend(re.findall(rf"[\w'’-]+|[{re.escape(words.CLAUSE_BREAK)}]", item))
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            continue
        word = token.lower()
        if word not in words.SIDE_OF and word not in words.COMPARATIVES:
            continue
        # "more than 3%", "3% more": a comparative qualifies a number only right beside it or
        # through "than" ("a more recent peak" says nothing about the figure before it)
        comparing = word in words.COMPARATIVES and not (i + 1 < len(tokens) and tokens[i + 1] == "than")
        reach = 0 if comparing else words.REACH
        span = _number_within_reach(tokens, i, -1, reach) or _number_within_reach(tokens, i, 1, reach if not comparing else 0)
        if span is None:
            continue
        fid = span.attrs["data-fact"].split()[0]
        value = facts.value(fid)
        fix = "add the comparison as a fact of its own and write side(ID, 'more', 'less')"
        result.words += 1
        if word in words.COMPARATIVES:
            result.problems.append(f"{token!r} beside {span.text!r} compares it with something no fact states: {fix}")
        elif span.attrs["data-fmt"] in ("level", "round") or not isinstance(value, (int, float)):
            result.problems.append(f"{token!r} beside {span.text!r} ({fid}, a level) is a direction no fact states: cite a fact with a sign and write side(ID, ...)")
        elif (value >= 0) != (words.SIDE_OF[word] > 0):
            pos, neg = (word, words.OPPOSITE[word]) if words.SIDE_OF[word] > 0 else (words.OPPOSITE[word], word)
            result.problems.append(
                f"{token!r} contradicts {fid} = {value:+.4f} ({'negative' if value < 0 else 'positive'}): "
                f"write side({fid!r}, {pos!r}, {neg!r})"
            )


def _number_within_reach(tokens: list[Span | str], at: int, step: int, reach: int = words.REACH) -> Span | None:
    """The cited number `step`-wards of tokens[at], within reach and in the same clause."""
    between, i = 0, at + step
    while 0 <= i < len(tokens):
        token = tokens[i]
        if isinstance(token, Span):
            numeric = "data-fmt" in token.attrs and token.attrs["data-fmt"] in formats.NUMERIC
            return token if numeric else None
        if token in words.CLAUSE_BREAK or between == reach:
            return None
        between, i = between + 1, i + step
    return None


def _check_number(result: CheckResult, span: Span, value, fid: str, as_of: dt.date) -> None:
    fmt = span.attrs["data-fmt"]
    expected = formats.render(value, fmt, as_of)
    if span.text != expected:
        result.problems.append(f"{span.text!r} does not match {fid} = {value!r} (expected {expected!r})")
        return
    if fmt in formats.NUMERIC:
        stated = formats.parse_number(span.text)
        truth = (abs(value) if fmt not in ("level", "round", "spct1") else value) * formats.NUMERIC[fmt]
        tolerance = 0.5 * 10 ** -formats.DECIMALS[fmt] + 1e-9
        if stated is None or abs(abs(stated) - abs(truth)) > tolerance:
            result.problems.append(f"{span.text!r} is not {fid} = {value!r} rounded")


def _check_word(result: CheckResult, span: Span, facts: FactTable, fids: list[str]) -> None:
    kind, text = span.attrs["data-word"], span.text
    if kind == "side":
        pos, neg = span.attrs.get("data-pos", ""), span.attrs.get("data-neg", "")
        value = facts.value(fids[0])
        if words.OPPOSITE.get(pos) != neg or words.SIDE_OF[pos] != 1:
            result.problems.append(f"{text!r}: side() takes a known pair, the positive word first (such as 'above', 'below'), not {pos!r}, {neg!r}")
        elif text != words.side_word(value, pos, neg):
            result.problems.append(f"{text!r} contradicts {fids[0]} = {value:+.4f}")
        return
    if kind == "rel":
        sign = 1 if facts.value(fids[0]) >= 0 else -1
        if text != words.RELATIVE[sign]:
            result.problems.append(f"{text!r} contradicts {fids[0]} = {facts.value(fids[0]):+.4f}")
        return
    direction = words.direction_of(text)
    for fid in fids:
        value = facts.value(fid)
        sessions = words.sessions_of(facts[fid])
        actual = 0 if words.tier(value, sessions) == 0 else (1 if value > 0 else -1)
        if direction is None:
            result.problems.append(f"{text!r} is not a known move word ({fid})")
        elif kind == "group":
            if direction != (1 if value > 0 else -1):
                result.problems.append(f"{text!r} contradicts the sign of {fid} = {value:+.4f}")
        elif direction != actual:
            result.problems.append(f"{text!r} contradicts the sign of {fid} = {value:+.4f}")
        elif text not in words.allowed_words(value, sessions):
            grade = words.TIER_NAMES[words.tier(value, sessions)]
            result.problems.append(f"{text!r} overstates or understates {fid} = {value:+.2%} (a {grade} move over {sessions} sessions)")
