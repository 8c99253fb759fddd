"""Editorial rules: what leads, what the note tells after it, and what it leaves out.

The rarest angle of the week takes the headline and the lead (`angles.py`); the biggest
mover follows it, or leads when nothing rarer happened. Then the arc of the last months for
the rotation pair, the leaders over longer windows, records and drawdowns, the rotation,
the week's events and what comes next -- each sentence only if it says something, and no
number twice: a sentence that would restate a figure already in the note is dropped.
"""

from __future__ import annotations

from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import angles, formats, scan, sections, series, words
from marketnotes.narrative.angles import biggest_mover, lead_window  # noqa: F401  (biggest_mover: the package's API)
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.sections import MIN_ARC_SESSIONS, WATCH_DAYS, Draft  # noqa: F401  (the stock notes and left_out read them here)
from marketnotes.narrative.writer import Phrasebook, Sentence, statement

SECOND_ANGLE = 1.0  # a second rare angle joins the lead when it reaches back a year
RARE_LEAD = 2.0  # and every further one that reaches back two years, up to
MAX_LEAD_ANGLES = 6
LEAD_EXTRAS = 2  # other indices' rare news in the lead paragraph; more goes to "Also this week"
# news a year rare that the lead had no room for, told after it; the other sections tell the rest
SPARE_KINDS = {"milestone", "streak_end", "week_record", "record", "streak", "big_day", "two_day"}
MAX_SPARE = 3
CROSSINGS = {"regime", "touch"}  # a threshold crossed this week is always in the lead
SINGLE_INDEX = {"big_day", "regime", "touch", "record", "streak", "event_day", "week_level", "milestone", "whipsaw", "streak_end", "brink"}  # lead sentences about one index


def compose(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None = None, template: str = "phrasebook.j2", previous: series.Lead | None = None) -> Narrative:
    """`previous`: what last week's note led with (series.py), so a series never repeats it."""
    book = Phrasebook(facts, template)
    say = book.say
    if not all(f"{key_of(s)}.ret.1d" in facts for s in symbols):
        first = [say("first_session", s) for s in symbols]
        return Narrative(facts.as_of, first[0], first, [])

    ranked, mover, w = series.ranking(facts, symbols, pair)
    ranked = series.avoiding(ranked, previous or series.recorded(facts))
    top = ranked[0]
    headline = _fit(book, f"headline_{top.kind}", top.args)
    draft = Draft()
    lead_sentences, also = _lead(facts, say, symbols, ranked, mover, w)
    lead = draft.keep(lead_sentences)
    also_kept = draft.keep(also)
    # a bear market or correction is always named; the arc then tells that leg without its number
    highs = draft.keep(sections.records(facts, say, symbols, pair))
    body = [
        Section("Also this week", also_kept),
        # a release-day move (and what the report showed) before the sessions the leaders section lists
        Section("Events", draft.keep(sections.events(facts, say, symbols, ranked))),
        Section("The story so far", sections.arc(facts, say, pair, top, draft)),
        Section("Leaders and laggards", draft.keep(sections.leaders(facts, say, symbols, mover, draft))),
        Section("Records and drawdowns", highs),
        Section("The rotation", draft.keep(sections.rotation(facts, say, symbols, pair, ranked))),
        Section("What to watch", draft.keep(sections.watch(facts, say, symbols))),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in body if s.sentences])


HEADLINE_CHARS = 65  # AP: a headline that fits one line of a phone or a wire budget


def _fit(book: Phrasebook, macro: str, args) -> Sentence:
    """The headline, or its brief form (no weekday, years for dates) when it runs long."""
    headline = book.say(macro, *args)
    if len(headline.text) <= HEADLINE_CHARS:
        return headline
    book.writer.brief_headline = True
    try:
        return book.say(macro, *args)
    finally:
        book.writer.brief_headline = False


def _lead(facts, say, symbols, ranked, mover, w) -> tuple[list[Sentence | None], list[Sentence | None]]:
    """The lead's sentences, and the rare news that did not fit in it (for "Also this week")."""
    top = ranked[0]
    # a week's low or high reached on the as-of close is told by the week's own sentence
    level_today = top.kind == "week_level" and facts.value(f"{key_of(top.symbol)}.week.{top.args[1]}.date") == facts.as_of
    own = top.kind in ("mover", "week_extreme") or level_today
    extremes = [a.symbol for a in ranked if a.kind == "week_extreme" and (a is top or a.score >= SECOND_ANGLE)]
    # the week's move follows the angle's index (with "It"), so the lead stays on one subject
    first = top.symbol if own or top.kind in SINGLE_INDEX else mover
    out = [] if own else [say(f"lead_{top.kind}", *top.args)]
    pronoun = bool(out) and top.symbol == first and top.kind in SINGLE_INDEX and top.kind != "whipsaw"  # its last sentence names a day
    close = facts[f"{key_of(first)}.close"]
    told_close = bool(out) and out[0] is not None and statement(close, formats.render(close.value, "level", None)) in out[0].numbers
    out.append(say("lead_mover", first, w, extreme=first in extremes, pronoun=pronoun, with_close=not told_close))
    # another index's "worst week since" gets a sentence of its own, so each "its" has one referent
    rest = [s for s in symbols if s != first]
    # ... and indices whose weeks reach back to the same week are told together
    alike: dict[tuple, list[str]] = {}
    for s in (s for s in rest if s in extremes):
        alike.setdefault(_extreme_reach(facts, s), []).append(s)
    out += [say("others", group, w, group) if len(group) == 1 else say("others_alike", group, w) for group in alike.values()]
    if [s for s in rest if s not in extremes]:
        out.append(say("others", [s for s in rest if s not in extremes], w))
    told, spare = [top], []
    for a in ranked[1:]:
        if a.kind in ("mover", "week_extreme") or a.score < SECOND_ANGLE or any(a.kind == t.kind and a.args == t.args for t in told):
            continue
        if a.kind == "week_level" and a.symbol == first and facts.value(f"{key_of(first)}.week.{a.args[1]}.date") == facts.as_of:
            continue  # the week's move tells a level reached on its own close
        if a.kind == "big_day" and any(a.symbol in scan.told_symbols(t) and facts.value(f"{key_of(a.symbol)}.week.{a.args[1]}.date") in scan.told_days(t) for t in told):
            continue  # the whipsaw told that day
        # one more angle; a threshold crossed this week; and every angle rarer than two years
        if len(told) == 1 or (a.kind in CROSSINGS and not CROSSINGS & {t.kind for t in told}) or (a.score >= RARE_LEAD and len(told) < MAX_LEAD_ANGLES):
            told.append(a)
        elif a.kind in SPARE_KINDS:
            spare.append(a)
    # the top day's twin (the same index's other big day) joins the top sentence
    twin = next((a for a in told[1:] if top.kind == "big_day" and a.kind == "big_day" and a.symbol == top.symbol), None)
    if twin is not None:
        out[0] = say("lead_big_days", top.symbol)
        told.remove(twin)
    # each index's news together: the top angle's index right after it, the rest after the week's moves
    extra, spare = grouped(facts, [_merged(a, told) for a in told[1:] if not _merged_away(a, told)], spare)
    order = list(dict.fromkeys([top.symbol, first, *(t.symbol for t in told)]))
    extra.sort(key=lambda a: order.index(a.symbol))
    mine = [a for a in extra if a.symbol == top.symbol and a.kind in SINGLE_INDEX and out and not own]  # "It" follows them
    own_index = [say(f"lead_{a.kind}", *a.args) for a in mine]
    stated = statement(close, formats.render(close.value, "level", None))
    if not told_close and any(x is not None and stated in x.numbers for x in own_index):
        # a record told just before states the close: the week's move follows without it (else it would be dropped whole)
        out[1] = say("lead_mover", first, w, extreme=first in extremes, pronoun=pronoun, with_close=False)
    rest = [say(f"lead_{a.kind}", *a.args) for a in extra if a not in mine]
    # a lead is a paragraph, not the week's log: what does not fit follows it
    also = rest[LEAD_EXTRAS:] + [say(f"lead_{a.kind}", *a.args) for a in spare[:MAX_SPARE]]
    closure = [say("week_closure")] if "market.closure.reopened" in facts else []  # the week's moves start after it
    return out[:1] + closure + own_index + out[1:] + rest[:LEAD_EXTRAS], also


GROUPS = {"week_level": lambda facts, a: (a.args[1], facts.value(f"{key_of(a.symbol)}.week.{a.args[1]}.date")),
          "big_day": lambda facts, a: (a.args[1], facts.value(f"{key_of(a.symbol)}.week.{a.args[1]}.date")),
          "streak": lambda facts, a: (a.args[1], facts.value(f"{key_of(a.symbol)}.streak.{a.args[1]}")),
          "two_day": lambda facts, a: (facts.value(f"{key_of(a.symbol)}.two_day.ret") > 0, facts.value(f"{key_of(a.symbol)}.two_day.last")),
          "streak_end": lambda facts, a: (facts.value(f"{key_of(a.symbol)}.streak.ended") > 0, facts.value(f"{key_of(a.symbol)}.streak.ended_date"))}


def grouped(facts: FactTable, extra: list[angles.Angle], spare: list[angles.Angle]) -> tuple[list[angles.Angle], list[angles.Angle]]:
    """The same message about several indices is one sentence: two indices' lowest closes in
    years on the same Monday, two streaks that ended the same day. A spare angle (for "Also
    this week") joins a lead angle it matches."""
    by: dict[tuple, list[angles.Angle]] = {}
    for a in [*extra, *spare]:
        if a.kind not in GROUPS:
            continue
        by.setdefault((a.kind, GROUPS[a.kind](facts, a)), []).append(a)
    merged: dict[int, angles.Angle] = {}
    for (kind, sig), group in by.items():
        if len(group) > 1:
            symbols = tuple(dict.fromkeys(a.symbol for a in group))
            args = (symbols, sig[0]) if kind in ("week_level", "big_day", "streak") else (symbols,)
            merged[id(group[0])] = angles.Angle(f"{kind}_group", max(a.score for a in group), args, symbols[0])
            merged.update({id(a): None for a in group[1:]})
    keep = lambda items: [merged.get(id(a), a) for a in items if merged.get(id(a), a) is not None]  # noqa: E731
    return keep(extra), keep(spare)


def _extreme_reach(facts: FactTable, s: str) -> tuple:
    """(best or worst, since when) of an index's week: equal for indices told together."""
    k = key_of(s)
    return (facts.value(f"{k}.ret.1w", 0) > 0, facts.value(f"{k}.week_extreme.since"), f"{k}.week_extreme.since" in facts)


def _merged(a: angles.Angle, told: list[angles.Angle]) -> angles.Angle:
    """An index's best and worst days, both in the lead after its first sentence, are one
    sentence ("surged 11.6% on Monday ... and sank 9.0% on Wednesday ...")."""
    return angles.Angle("big_days", a.score, (a.symbol,), a.symbol) if len(_twins(a, told)) == 2 else a


def _merged_away(a: angles.Angle, told: list[angles.Angle]) -> bool:
    """The second of an index's two big days: the first one's merged sentence tells it."""
    twins = _twins(a, told)
    return len(twins) == 2 and a is twins[1]


def _twins(a: angles.Angle, told: list[angles.Angle]) -> list[angles.Angle]:
    return [t for t in told[1:] if t.kind == "big_day" and t.symbol == a.symbol] if a.kind == "big_day" else []
