"""The editor in the test suite: house-style rules that run beside the fact check.

The fact check asks "is every number and verb true?"; the lint asks "would an editor let
this through?" -- a weak verb on a big move, a bigger fall told with a milder verb, a 0.0,
a gap too small to mention, a fact said twice, "3" where AP wants "three", "this week" on
a Tuesday, "record" where the data does not cover the index's history, jargon, an event
five weeks old told on its own, a pronoun that could point at two indices, a headline
whose verb differs from its lead's. Each rule is a function over the parsed note; rules
are registered in RULES, so a desk can add its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import words
from marketnotes.narrative.angles import in_week
from marketnotes.narrative.check import Span, SpanReader, plain_text
from marketnotes.narrative.model import Narrative
from marketnotes.narrative.writer import statement


@dataclass(frozen=True)
class Finding:
    rule: str
    sentence: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.detail} -- in: {self.sentence!r}"


@dataclass
class Parsed:
    """One sentence of the note: its plain text, its traced spans, its paragraph."""

    text: str
    spans: list[Span]
    paragraph: int
    kind: str

    def labels(self) -> list[str]:
        return [s.attrs["data-label"] for s in self.spans if "data-label" in s.attrs]

    def cited(self) -> list[str]:
        return [f for s in self.spans if "data-fact" in s.attrs for f in s.attrs["data-fact"].split()]


def parse(narrative: Narrative) -> list[Parsed]:
    """Headline is paragraph 0, the lead 1, then one paragraph per section."""
    groups = [[narrative.headline], narrative.lead, *(sec.sentences for sec in narrative.sections)]
    out = []
    for number, sentences in enumerate(groups):
        for sentence in sentences:
            reader = SpanReader()
            reader.feed(str(sentence.html))
            out.append(Parsed(plain_text(str(sentence.html)), reader.spans, number, sentence.kind))
    return out


Rule = Callable[[list[Parsed], FactTable, "pd.DataFrame | None"], list[Finding]]
RULES: dict[str, Rule] = {}


def rule(fn: Rule) -> Rule:
    RULES[fn.__name__.replace("_", "-")] = fn
    return fn


def lint(narrative: Narrative, facts: FactTable, closes: pd.DataFrame | None = None) -> list[Finding]:
    """Every rule over the note; `closes` lets the week rule recompute calendar weeks itself."""
    parsed = parse(narrative)
    return [finding for fn in RULES.values() for finding in fn(parsed, facts, closes)]


def _moves(p: Parsed, facts: FactTable):
    """(span, fact id, value, sessions) for each calibrated move word in a sentence."""
    for span in p.spans:
        if span.attrs.get("data-word") in ("past", "present", "perfect"):
            fid = span.attrs["data-fact"].split()[0]
            if fid in facts:
                yield span, fid, facts.value(fid), words.sessions_of(facts[fid])


@rule
def weak_verb(parsed, facts, closes):
    """"Edged up" on a 6% gain, "fell" on a 25% crash: small words on big moves, whatever the tables say."""
    out = []
    for p in parsed:
        for span, fid, value, _ in _moves(p, facts):
            found = words.word_tier(span.text)
            if found and ((found[1] <= 1 and abs(value) >= 0.01) or (found[1] <= 2 and abs(value) >= 0.10)):
                out.append(Finding("weak-verb", p.text, f"{span.text!r} for a {abs(value):.1%} move ({fid})"))
    return out


@rule
def inverted_verbs(parsed, facts, closes):
    """In one paragraph, a bigger move of the same sign over the same kind of window never gets a milder verb."""
    out = []
    for paragraph in sorted({p.paragraph for p in parsed}):
        moves = [(p, span, v, words.window_class(n)) for p in parsed if p.paragraph == paragraph for span, _, v, n in _moves(p, facts)]
        for p, span, v, cls in moves:
            for _, other, w, cls2 in moves:
                a, b = words.word_tier(span.text), words.word_tier(other.text)
                if a and b and cls == cls2 and a[0] == b[0] != 0 and (v > 0) == (w > 0) and abs(v) > abs(w) and a[1] < b[1]:
                    out.append(Finding("inverted-verbs", p.text, f"{span.text!r} for {abs(v):.1%} but {other.text!r} for {abs(w):.1%}"))
    return out


@rule
def zero_value(parsed, facts, closes):
    return [
        Finding("zero-value", p.text, f"{s.text!r} says nothing")
        for p in parsed for s in p.spans
        if "data-fmt" in s.attrs and re.fullmatch(r"[+−-]?0(\.0+)?%?", s.text.strip())
    ]


@rule
def sub_threshold(parsed, facts, closes):
    """A gap under half a point is "roughly in line", not a number."""
    return [
        Finding("sub-threshold", p.text, f"a gap of {s.text} points is not worth stating")
        for p in parsed for s in p.spans
        if s.attrs.get("data-fmt") == "pts1" and abs(float(facts.value(s.attrs["data-fact"].split()[0], 0) or 0)) < 0.5
    ]


@rule
def numeral_under_ten(parsed, facts, closes):
    return [
        Finding("numeral-under-ten", p.text, f"{s.text!r}: one to nine in words")
        for p in parsed for s in p.spans
        if s.attrs.get("data-fmt") in ("count", "ordinal") and re.fullmatch(r"[1-9](st|nd|rd|th)?", s.text.strip())
    ]


@rule
def repeated_fact(parsed, facts, closes):
    """Each number once per note (the headline may restate the lead)."""
    seen: dict[str, str] = {}
    out = []
    for p in parsed:
        if p.paragraph == 0:
            continue
        for s in p.spans:
            if "data-fmt" in s.attrs and s.attrs["data-fmt"] in ("pct1", "pct0", "pts1", "level", "count", "ordinal"):
                for fid in s.attrs["data-fact"].split():  # "nine-session streaks ... for both" states each
                    said = statement(facts[fid], s.text)
                    if said in seen and seen[said] != p.text:
                        out.append(Finding("repeated-fact", p.text, f"{fid} ({s.text}) was already stated in {seen[said]!r}"))
                    seen.setdefault(said, p.text)
    return out


DISTANCES = (".ath.below", ".hi52.below", ".regime.drawdown", ".trend.change")


@rule
def same_distance_twice(parsed, facts, closes):
    """"23.8% below its record and 23.8% below its more recent peak" is one statement."""
    out = []
    for p in parsed:
        ids = [s.attrs["data-fact"] for s in p.spans if s.attrs.get("data-fmt") == "pct1" and s.attrs.get("data-fact", "").endswith(DISTANCES)]
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                if abs(facts.value(a) - facts.value(b)) < 0.01:
                    out.append(Finding("same-distance-twice", p.text, f"{a} and {b} differ by under a point"))
    return out


@rule
def this_week_midweek(parsed, facts, closes):
    if facts.value("session.week_complete", 1) == 1:
        return []
    return [Finding("this-week-midweek", p.text, "'this week' before the week is over") for p in parsed if "this week" in p.text.lower()]


@rule
def record_without_history(parsed, facts, closes):
    """"Record" and "all-time" only where the index's record closes are known (facts/history.py);
    "on record" of a move only where the data covers the whole history."""
    out = []
    for p in parsed:
        if not re.search(r"\brecords?\b|all-time|on record", p.text):
            continue
        for fid in p.cited():
            head = fid.split(".")[0]
            known = facts.value(f"{head}.history.records", facts.value(f"{head}.history.complete", 0)) == 1
            if any(part in fid for part in (".ath.", ".records.", ".regime.peak", ".regime.drawdown")) and not known or any(part in fid for part in ("_data_start", ".data_start")) and facts.value(f"{head}.history.complete", 0) != 1:
                out.append(Finding("record-without-history", p.text, f"{fid}: the data does not cover this index's history"))
                break
    return out


@rule
def jargon(parsed, facts, closes):
    return [Finding("jargon", p.text, "technical measure in prose") for p in parsed if re.search(r"standard[- ]deviation|sigma|z-score", p.text, re.I)]


@rule
def stale_event(parsed, facts, closes):
    """An event from before the note's week is told only as part of the arc."""
    out = []
    first = next(iter(facts.labels), None)
    for p in parsed:
        if p.kind in ("arc", "arc_other", "next_event"):
            continue
        for fid in p.cited():
            if fid.endswith(".last.date") or fid.endswith(".last.label"):
                day = facts.value(fid.rsplit(".", 1)[0] + ".date")
                if f"{key_of(first)}.ret.1w" in facts and not in_week(facts, first, day):
                    out.append(Finding("stale-event", p.text, f"{fid} is older than the note's week"))
                    break
    return out


@rule
def gap_units(parsed, facts, closes):
    out = []
    for p in parsed:
        for s in p.spans:
            fmt, after = s.attrs.get("data-fmt"), p.text.split(s.text, 1)[-1][:22]
            if fmt == "pts1" and not after.startswith(" percentage points") and not after.startswith(" points"):
                out.append(Finding("gap-units", p.text, f"{s.text}: gaps between returns are percentage points"))
            if fmt in ("pct1", "pct0") and after.startswith(" percentage point"):
                out.append(Finding("gap-units", p.text, f"{s.text}: a return is a percentage, not points"))
    return out


@rule
def ambiguous_pronoun(parsed, facts, closes):
    """"It"/"its" must point at one index: never after a second index in the same sentence,
    and a sentence opening with "It" needs a previous sentence about exactly one index."""
    out = []
    previous: Parsed | None = None
    for p in parsed:
        labels = p.labels()
        if len(set(labels)) >= 2:
            names = [s.text for s in p.spans if "data-label" in s.attrs]
            cut = p.text.find(names[1], p.text.find(names[0]) + len(names[0]))
            if cut >= 0 and re.search(r"\b(it|its|it's)\b", p.text[cut:], re.I):
                out.append(Finding("ambiguous-pronoun", p.text, "'it' after two indices"))
        if re.match(r"(It|Its)\b", p.text) and (previous is None or previous.paragraph != p.paragraph or len(set(previous.labels())) != 1):
            out.append(Finding("ambiguous-pronoun", p.text, "'It' does not follow a sentence about one index"))
        previous = p
    return out


BANNED = {  # pattern -> why
    r"held up best, though": "say 'fell least'",
    r"\bdue on\b": "AP: 'due Dec. 12'",
    r"\bpercent\b": "use %",
    r"\bThere have been\b": "lead with the subject",
    r"(?i)so far this year, the": "no comma before the subject",
}


@rule
def banned_phrase(parsed, facts, closes):
    return [Finding("banned-phrase", p.text, f"{pattern!r}: {why}") for p in parsed for pattern, why in BANNED.items() if re.search(pattern, p.text)]


@rule
def tense(parsed, facts, closes):
    """Periods that run to now take the present perfect: "so far this year the Dow has led",
    "it has risen 1.4% since last Friday" (a single day inside the week stays in the past)."""
    out = []
    for p in parsed:
        running = bool(re.match(r"(So far this year|Over the past)\b", p.text))
        midweek = "since last Friday" in p.text
        past = [s for s in p.spans if s.attrs.get("data-word") == "past" and (running or s.attrs["data-fact"].endswith(".ret.1w"))]
        if (running or midweek) and past:
            out.append(Finding("tense", p.text, f"{past[0].text!r} in a period running to now"))
    return out


@rule
def headline_matches_lead(parsed, facts, closes):
    """Headline and lead tell the same move with the same verb."""
    lead = [p for p in parsed if p.paragraph == 1]
    out = []
    for head in (p for p in parsed if p.paragraph == 0):
        for span, fid, value, _ in _moves(head, facts):
            told = [s for p in lead for s, f, _, _ in _moves(p, facts) if f == fid]
            mine = words.triple_of(span.text)
            if told and mine and not any(s.text in mine for s in told):
                out.append(Finding("headline-matches-lead", head.text, f"headline {span.text!r}, lead {told[0].text!r}"))
    return out


@rule
def week_since(parsed, facts, closes):
    """"Worst week since X", recomputed here from closes on calendar weeks, independently of the facts layer."""
    if closes is None:
        return []
    out = []
    for p in parsed:
        for fid in p.cited():
            if not fid.endswith(".week_extreme.since"):
                continue
            symbol = next(s for s in closes.columns if key_of(s) == fid.split(".")[0])
            expected = _week_since(closes[symbol].dropna().loc[: facts.as_of])
            if expected != facts.value(fid):
                out.append(Finding("week-since", p.text, f"{fid} = {facts.value(fid)}, Friday to Friday gives {expected}"))
    return out


def _week_since(series: pd.Series) -> str | None:
    week_end = series.groupby(series.index.to_period("W-SUN")).apply(lambda s: s.index[-1])  # Monday..Sunday: old Saturday sessions stay in their week
    weekly = series.loc[week_end.to_numpy()]
    rets = weekly.pct_change().dropna()
    now, earlier = rets.iloc[-1], rets.iloc[:-1]
    hits = earlier[earlier <= now] if now < 0 else earlier[earlier >= now]
    return hits.index[-1].date().isoformat() if len(hits) else None


HEADLINE_CHARS = 65


@rule
def headline_length(parsed, facts, closes):
    """AP: a headline of 65 characters or fewer (compose writes a brief form when it runs long)."""
    return [Finding("headline-length", p.text, f"{len(p.text)} characters, over {HEADLINE_CHARS}") for p in parsed if p.paragraph == 0 and len(p.text) > HEADLINE_CHARS]


STRONG = {"plunge": r"\bplunge[sd]?\b", "soar": r"\bsoar(s|ed)?\b"}


@rule
def strong_verb_twice(parsed, facts, closes):
    """"Plunged" and "soared" once a note, for the move that earns them (the headline may restate the lead)."""
    out = []
    for verb, pattern in STRONG.items():
        hits = [p for p in parsed if p.paragraph > 0 for _ in re.finditer(pattern, p.text)]
        out += [Finding("strong-verb-twice", p.text, f"{verb!r} a second time in the note") for p in hits[1:]]
    return out


@rule
def slipped_on_a_big_day(parsed, facts, closes):
    """"Slipped" is for a small move: never beside a day of 2% or more."""
    out = []
    for p in parsed:
        if not re.search(r"\bslip", p.text, re.I):
            continue
        for fid in p.cited():
            fact = facts.facts.get(fid)
            if fact is not None and fact.unit == "pct" and words.sessions_of(fact) == 1 and isinstance(fact.value, float) and abs(fact.value) >= 0.02:
                out.append(Finding("slipped-on-a-big-day", p.text, f"'slipped' beside a {abs(fact.value):.1%} day ({fid})"))
                break
    return out
