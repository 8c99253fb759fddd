"""The CPI note's prose (note_kind: cpi-reaction): what the release did to each index, how
rare that was against every earlier release day, how the rotation pair reacted, what has
happened since, and when the next release is due.

News judgment as in the weekly note (angles.py): the headline goes to the rarest thing,
measured in years since it last happened -- an index's biggest one-day move on any day
since X (its own records first: a release-day superlative counts half against it), its
biggest release-day move since X, or the pair's widest release-day margin since X -- and,
when nothing reaches back a year, to the index that moved most, or to all of them when
they moved alike. A note written weeks after its release leads with the move since, when
that is bigger. Where a move sits among earlier release days is told the way a desk says
it: a rank near the top ("its 17th-biggest"), else in words ("moved more than on most").
What the release said closes the lead where the note has the reading (facts/readings.py):
"The report showed core consumer prices up 0.35% in January, the biggest rise since March
2005, and 1.8% higher than a year earlier." Sentences come from releases.j2; a sentence
restating a figure already said is dropped (compose.Draft).
"""

from __future__ import annotations

from marketnotes.facts.releases import DATA_START_RELEASES
from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative import formats, words
from marketnotes.narrative import reading as rd
from marketnotes.narrative import release_context
from marketnotes.narrative.angles import years_between
from marketnotes.narrative.compose import Draft, compose
from marketnotes.narrative.model import Narrative, Section
from marketnotes.narrative.writer import Phrasebook

FRAMED_OVER = 3.0  # how much rarer than the release day's own superlative a framing day must be
PAIR_UNDER = 0.02  # a release day that moved an index 2% or more leads with the move, not the pair's gap
KIND = "cpi"
RARE_YEARS = 1.0  # a "since" that reaches back less than a year is not news
SAME_MOVE = 0.1  # release days move an index "about as much as other days" within 10%
EVEN_PTS = 0.5
NOTABLE_GAP = 2.0  # a pair gap twice the release-day average is worth comparing with it
TOP_SHARE = 0.9  # a move bigger than on nine release days in ten is told by its rank ("its 17th-biggest")
TOP_RANK = 3  # and so is a top-three one against a short history
HEADLINE_CHARS = 65
LATE_SESSIONS = 4  # a note this many sessions after its release leads with the move since, when that is bigger
# where a move sits among earlier release days, in words, by the share of them it beat
STANDINGS = ((0.65, "more"), (0.35, "ordinary"), (0.1, "less"), (0.0, "least"))
TOLD_STANDINGS = ("more", "least")  # a busier release day than most, or one quieter than almost any: news


def rarity(facts: FactTable, prefix: str, since: str, start: str) -> float:
    """Years since the release-day move (or gap) was last as big; the release data's length plus one if never."""
    day = facts.value(f"{KIND}.release.date")
    if f"{prefix}{since}" in facts:
        return years_between(day, facts.value(f"{prefix}{since}"))
    if f"{prefix}{start}" in facts:
        return years_between(day, facts.value(f"{prefix}{start}")) + 1.0
    return 0.0


def superlative(rare: float, day_rare: float) -> str:
    """Which "biggest since" an index's release-day move earns: 'day' (on any day: its own
    records come first, so the release-day one counts half against it), 'release', or ''."""
    if day_rare >= RARE_YEARS and 2 * day_rare >= rare:
        return "day"
    return "release" if rare >= RARE_YEARS else ""


def standing(facts: FactTable, p: str) -> str:
    """'rank' ("the 17th-biggest"), else where the share of earlier release days it beat falls;
    a move within a tenth of the average release-day move is 'ordinary' whatever its share
    (release-day moves are skewed: an average move beats most of them)."""
    if facts.value(f"{p}.rank") <= TOP_RANK or facts.value(f"{p}.share_smaller") >= TOP_SHARE:
        return "rank"
    word = next(word for edge, word in STANDINGS if facts.value(f"{p}.share_smaller") >= edge)
    size, avg = abs(facts.value(f"{p}.day")), facts.value(f"{p}.avg_abs")
    if word == "more" and size <= avg * (1 + SAME_MOVE) or word in ("less", "least") and size >= avg * (1 - SAME_MOVE):
        return "ordinary"
    return word


def alike(facts: FactTable, symbols: list[str]) -> bool:
    """Every index moved the same way by the same figure as written: one move, told once."""
    fids = [f"{key_of(s)}.{KIND}.release.day" for s in symbols]
    texts = {formats.render(facts.value(f), "pct1", None) for f in fids}
    tiers = {(facts.value(f) > 0, words.tier_of(facts, f)) for f in fids}
    return len(symbols) > 1 and len(texts) == 1 and len(tiers) == 1 and words.tier_of(facts, fids[0]) > 0


def compose_release(facts: FactTable, symbols: list[str], pair: tuple[str, str] | None = None) -> Narrative:
    say = Phrasebook(facts, "releases.j2").say
    moved = [s for s in symbols if f"{key_of(s)}.{KIND}.release.day" in facts]
    if not moved:
        return compose(facts, symbols, pair)  # no release in the data yet: the weekly note
    day = {s: abs(facts.value(f"{key_of(s)}.{KIND}.release.day")) for s in moved}
    rare = {s: rarity(facts, f"{key_of(s)}.{KIND}.release", ".since", ".data_start") for s in moved}
    day_rare = {s: rarity(facts, f"{key_of(s)}.{KIND}.release", ".day_since", ".day_data_start") for s in moved}
    best = {s: superlative(rare[s], day_rare[s]) for s in moved}
    reach = {s: max(rare[s], day_rare[s]) if best[s] else 0.0 for s in moved}
    gap_rare = rarity(facts, f"rot.{KIND}.release", ".gap_since", ".gap_data_start") if pair and f"rot.{KIND}.release.gap" in facts else 0.0
    first = max(moved, key=lambda s: (reach[s], day[s]))
    # a rare gap leads; a rout or a rally is told first (Aug. 18, 2011: the Nasdaq's 5.2% plunge, not the gap)
    pair_leads = bool(pair) and abs(facts.value(f"{key_of(first)}.{KIND}.release.day")) < PAIR_UNDER and gap_rare >= RARE_YEARS and gap_rare > reach[first] and abs(facts.value(f"rot.{KIND}.release.gap")) >= EVEN_PTS
    rest = sorted((s for s in moved if s != first), key=lambda s: -day[s])
    # a note written weeks after its release: what has happened since is the news when it is bigger
    after = [s for s in moved if f"{key_of(s)}.{KIND}.release.after" in facts]
    since = sorted(after, key=lambda s: -abs(facts.value(f"{key_of(s)}.{KIND}.release.after"))) if len(after) == len(moved) else []
    late = bool(since) and facts.value(f"{KIND}.release.sessions_after", 0) >= LATE_SESSIONS and abs(facts.value(f"{key_of(since[0])}.{KIND}.release.after")) > max(day.values())
    together = not best[first] and alike(facts, [first, *rest])
    # what the release said and what the Fed did, against how rare the move was (reading.py)
    read = f"{KIND}.core.mom" in facts
    angle, read_years = (rd.reading_angle(facts), max(rd.reading_reach(facts).values(), default=0.0)) if read else ("", 0.0)
    temp = rd.temperature(facts) if read else ""
    up = facts.value(f"{key_of(first)}.{KIND}.release.day") > 0
    fed = rd.fed_told(facts)
    change, fed_when = (rd.fed_change(facts), rd.fed_day(facts)) if fed else (0, "")
    fed_fid = {"release": f"{key_of(first)}.{KIND}.release.day", "today": f"{key_of(first)}.ret.1d"}.get(fed_when, "")
    fed_years = rd.fed_reach(facts) if fed_fid and fed_fid in facts else 0.0
    fed_leads = fed_years >= RARE_YEARS and (late or fed_years >= reach[first])  # weeks after a release its move is old news
    late = late and not fed_leads
    read_leads = not late and not fed_leads and bool(angle) and read_years >= max(reach[first], gap_rare if pair_leads else 0.0)
    pair_leads = pair_leads and not fed_leads and not read_leads
    tie = read and not late and not pair_leads  # the lead opens with the reading and the market's take on it
    found = release_context.messages(facts, symbols, pair, first)  # the weekly note's scan, once: the days around the release
    if late:
        headline = ("headline_since", since[0], KIND)
    elif fed_leads:
        headline = ("headline_fed", first, fed_fid, change, rd.stance(change < 0 if change else None, facts.value(fed_fid) > 0))
    elif read_leads:
        headline = ("headline_reaction", first, KIND, rd.stance(temp == "cool", up), angle)
    elif pair_leads:
        headline = ("headline_pair", *pair, KIND)
    elif together:
        headline = ("headline_alike", [first, *rest], KIND)
    else:
        framed = release_context.headline_context(facts, found, first, max(reach[first], read_years, gap_rare)) if not together else None
        if framed and best[first] and (best[first] == "day" or framed.score < FRAMED_OVER * reach[first]):
            framed = None  # a release day with a superlative of its own keeps it (its worst day at all, always), unless the day before (or the week) reaches far further back
        headline = ("headline_after", first, KIND, framed) if framed else ("headline_release", first, KIND, best[first])
    headline = fitted(say, *headline)
    opening = "late" if late else "none" if pair_leads or tie else "day"  # how the release-day sentence introduces the day
    draft = Draft()
    who = rd.subject(facts, first, moved)
    around = release_context.context(facts, say, found, first)
    lead = draft.keep([
        say("fed_reaction", [first] if fed_when == "today" else who, KIND, change, fed_when, rd.stance(change < 0 if change else None, facts.value(fed_fid) > 0)) if fed_leads else None,
        say("lead_since", since, KIND) if late else None,
        say("biggest_since_release", since[0], KIND) if late and _rare_since(facts, since[0]) else None,
        say("lead_pair", *pair, KIND) if pair_leads and not late else None,
        say("reaction", who, KIND, rd.stance(temp == "cool", facts.value(f"{key_of(who[0])}.{KIND}.release.day") > 0) if len(who) > 1 and temp else "", angle, "" if angle else rd.trend_word(facts), "morning" if fed_leads and fed_when == "release" else "" if len(who) > 1 else "day") if tie else None,
        say("fed", change, "release") if fed and fed_when == "release" and not fed_leads else None,
        say("lead_alike", [first, *rest], KIND, opening) if together else say("lead_release", first, KIND, best[first], opening),
        None if together else say("others_release", rest, KIND) if rest else None,
        *around[0],
        *(_rest_of_reading(facts, say) if tie else _reading(facts, say)),
        say("fed", change, fed_when, first if fed_fid in facts else None) if fed and fed_when != "release" and not fed_leads else None,
    ])
    sections = [
        Section("Around the release", draft.keep(around[1])),
        Section("Against past release days", draft.keep(_history(facts, say, [first, *rest]))),
        Section("The pair", draft.keep(_pair(facts, say, pair, gap_rare, pair_leads and not late))),
        Section("Since the release", draft.keep([say("after_release", moved, KIND) if not late and since else None])),
        Section("What to watch", draft.keep(watch_next(facts, say, (KIND, "fomc")))),
    ]
    return Narrative(facts.as_of, headline, lead, [s for s in sections if s.sentences])


def _rare_since(facts: FactTable, s: str) -> bool:
    """Whether the biggest day after the release reaches back a year ("since December 2008")."""
    p = f"{key_of(s)}.{KIND}.release"
    return f"{p}.after_big_since" in facts and years_between(facts.value(f"{p}.after_big_date"), facts.value(f"{p}.after_big_since")) >= RARE_YEARS


def watch_next(facts: FactTable, say, kinds) -> list:
    """The next event of each kind the note's calendars know, soonest first ("The FOMC decision
    is due June 19. The June CPI release is due July 16."); a calendar that ends says so, last."""
    due = [k for k in kinds if f"{k}.next.date" in facts or f"{k}.calendar.end" in facts]
    return [say("watch", k) for k in sorted(due, key=lambda k: facts.value(f"{k}.next.date") or "9999")]


def fitted(say, macro: str, *args):
    """The headline, in its brief form when the full one runs over 65 characters (AP), and
    with years for months ('year'), then without the period the note is about ('bare'), when
    even that does not fit."""
    said = say(macro, *args)
    for brief in (True, "year", "bare"):
        if said is None or len(said.text) <= HEADLINE_CHARS:
            break
        said = say(macro, *args, brief=brief)
    return said


def _reading(facts: FactTable, say) -> list:
    """What the release showed, in one sentence after the moves (a note led by the move since
    or by the pair): core CPI's month and year, and the headline's where the source has it."""
    if f"{KIND}.core.mom" not in facts:
        return []
    return [say("reading", KIND, rd.reading_angle(facts), rd.streak_told(facts)), *_headline_cpi(facts, say)]


def _rest_of_reading(facts: FactTable, say) -> list:
    """After a lead that opened with the reading: the year's change, a streak, the headline CPI."""
    return [say("reading_rest", KIND, rd.streak_told(facts)), *_headline_cpi(facts, say)]


def _headline_cpi(facts: FactTable, say) -> list:
    if f"{KIND}.headline.mom" not in facts:
        return []

    def same(what: str, fmt: str) -> bool:
        a, b = (f"{KIND}.{role}.{what}" for role in ("core", "headline"))
        if a not in facts or b not in facts or (facts.value(a) > 0) != (facts.value(b) > 0):
            return False
        return formats.render(facts.value(a), fmt, None) == formats.render(facts.value(b), fmt, None)

    return [say("reading_headline", KIND, same("mom", "pct2"), same("yoy", "pct1"))]


def _history(facts: FactTable, say, symbols: list[str]) -> list:
    # against a handful of releases a rank or a share says nothing: two years of them first
    ranked = [s for s in symbols if facts.value(f"{key_of(s)}.{KIND}.release.count", 0) >= DATA_START_RELEASES]
    if not ranked:
        return []
    p = {s: f"{key_of(s)}.{KIND}.release" for s in ranked}
    same_days = all(facts.value(f"{p[s]}.count") == facts.value(f"{p[ranked[0]]}.count") for s in ranked)
    where = {s: standing(facts, p[s]) for s in ranked}
    top = [s for s in ranked if where[s] == "rank"]
    ranks = {facts.value(f"{p[s]}.rank") for s in top}
    out = []
    if len(top) > 1 and same_days and len(ranks) == 1:
        out.append(say("standing_alike", top, KIND))  # "For the A, the B and the C alike it was the second-biggest ..."
    elif len(top) > 1 and same_days:
        out.append(say("standing_ranks", top, KIND))
    else:
        out += [say("standing_rank", s, KIND) for s in top]
    rest = [s for s in ranked if where[s] in TOLD_STANDINGS]  # "had an ordinary release day" says nothing
    if rest and same_days:
        groups: dict[str, list[str]] = {}
        for s in rest:
            groups.setdefault(where[s], []).append(s)
        order = [word for _, word in STANDINGS]
        out.append(say("standing_words", rest[0], sorted(groups.items(), key=lambda g: order.index(g[0])), KIND, bool(top)))  # "Against the 49 earlier release days since ..., the A moved more than on most and the B ..."
    else:
        out += [say("standing_words", s, [(where[s], [s])], KIND, False) for s in rest]
    ratios = [facts.value(f"{p[s]}.avg_abs") / facts.value(f"{p[s]}.avg_abs_other") for s in ranked if f"{p[s]}.avg_abs_other" in facts]
    versus = ""
    if len(ratios) == len(ranked):
        versus = "same" if all(abs(r - 1) <= SAME_MOVE for r in ratios) else "more" if all(r > 1 + SAME_MOVE for r in ratios) else ""
    if versus == "more":  # "On an average release day ..." in every note was boilerplate: only when release days stand out
        out.append(say("typical", ranked, KIND, versus))
    return out


def _pair(facts: FactTable, say, pair, gap_rare: float, told: bool) -> list:
    if not pair or f"rot.{KIND}.release.gap" not in facts:
        return []
    gap, avg = abs(facts.value(f"rot.{KIND}.release.gap")), facts.value(f"rot.{KIND}.release.gap_avg", 0)
    out = [] if told or gap < EVEN_PTS else [say("pair_release", *pair, KIND, gap_rare >= RARE_YEARS)]  # "moved roughly in line" says nothing
    if avg >= EVEN_PTS and gap >= NOTABLE_GAP * avg:  # the average gap is news only beside a gap far wider than it
        out.append(say("pair_typical", *pair, KIND, told))
    return out
