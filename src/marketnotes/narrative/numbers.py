"""By the numbers: the statistics a reader compares week to week, one column per index.

Why a table and not sentences: a wire service's weekly wrap gives these figures as a list
beside the story (the week's move and how far back its rank reaches, Friday's move, a streak,
the close and since when it is the highest or lowest, the month at a month's end). Put in the
prose they would crowd out the news, and the notes stated about half of them (issue 17,
item 8). The prose tells the story; this table states the figures, every week, in one place.

Every figure is written by the phrasebook's own `Writer` (a traced `data-fact` span, so the
page explains it on hover) and the whole table is read back by the fact checker before anyone
sees it: a table that fails is an error, never a page. Only facts that exist are used, so a
row is left out when an index lacks its fact. Not here, for want of facts: the week's move
in points, and a quarter's or year's move and its rank.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from marketnotes.errors import FactCheckFailed
from marketnotes.facts.table import FactTable, key_of
from marketnotes.narrative.check import check_html
from marketnotes.narrative.writer import Writer

NOTABLE_WEEKS = 4  # a week's rank is told once the last week as good (bad) is a month back
NOTABLE_SESSIONS = 20  # likewise a day's rank, and the highest (lowest) close "since"
NOTABLE_STREAK_YEARS = {"days": 1 / 12, "weeks": 0.25}  # "longest since" a month (a quarter) back
STREAK = 3  # sessions (weeks) in a row before a run is a streak worth a line
RECENT_YEARS = 0.5  # a "since" within half a year is dated to the day ("since May 7")
FLAT = 0.0005  # a move that rounds to 0.0% is written without a sign or a colour

Cell = Markup | None
RowMaker = Callable[[Writer, str], Cell]


class NumbersCheckFailed(FactCheckFailed):
    """The table states something its facts do not support (it is checked like the prose)."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.message = "By the numbers: " + self.message


def when(w: Writer, fid: str) -> Markup:
    """A past date as the prose writes one: "May 7" within half a year, "October 2008" further."""
    return w.n(fid, "date" if w.v(fid) >= w.years_ago(RECENT_YEARS) else "era")


def since_or_ever(w: Writer, symbol: str, since: str, start: str) -> Markup | None:
    """"since Oct. 3" from a since-date fact; "on record" / "since at least 1999" when nothing
    in the data was as extreme; None when the facts say neither."""
    if w.has(since):
        return Markup("since ") + when(w, since)
    if w.has(start):
        return Markup("on record") if w.complete(symbol) else Markup("since at least ") + w.n(f"{key_of(symbol)}.history.start", "year")
    return None


def cell(figure: Markup, sign: float | None = None, note: Markup | None = None) -> Markup:
    """A figure (coloured by its sign, when it has one) and, below it, what makes it notable."""
    shown = figure if sign is None or abs(sign) < FLAT else Markup('<span class="{}">{}</span>').format("up" if sign > 0 else "down", figure)
    return shown + (Markup('<span class="mn-rank">{}</span>').format(note) if note else Markup(""))


def move(w: Writer, fid: str) -> Markup:
    """A move with its sign ("−6.9%"), unsigned when it rounds to nothing ("0.0%", not "−0.0%")."""
    return w.n(fid, "spct1" if abs(w.v(fid)) >= FLAT else "pct1")


def ranked(w: Writer, symbol: str, value: float, prefix: str) -> Markup | None:
    """"worst since October 2008" from the since-date (or data-start) facts under `prefix`."""
    reach = since_or_ever(w, symbol, f"{prefix}.since", f"{prefix}.data_start")
    return Markup("{} {}").format("worst" if value < 0 else "best", reach) if reach else None


def week(w: Writer, s: str) -> Cell:
    k = key_of(s)
    if not w.has(f"{k}.ret.1w"):
        return None
    value = w.v(f"{k}.ret.1w")
    notable = w.v(f"{k}.week_extreme.weeks", NOTABLE_WEEKS) >= NOTABLE_WEEKS
    return cell(move(w, f"{k}.ret.1w"), value, ranked(w, s, value, f"{k}.week_extreme") if notable else None)


def one_day(w: Writer, s: str) -> bool:
    """The week so far is the as-of session alone (a Monday): its day is its week."""
    k = key_of(s)
    return w.has(f"{k}.ret.1w", f"{k}.ret.1d") and w.facts[f"{k}.ret.1w"].start == w.facts[f"{k}.ret.1d"].start


def day(w: Writer, s: str) -> Cell:
    """The as-of session's move, and its rank when it was the week's best (worst) day and that
    reaches back a month or more."""
    k = key_of(s)
    if not w.has(f"{k}.ret.1d") or one_day(w, s):
        return None
    value = w.v(f"{k}.ret.1d")
    side = f"{k}.week.{'worst' if value < 0 else 'best'}"
    rank = None
    if w.v(f"{side}.date") == w.v("session.date") and w.v(f"{side}.since_sessions", NOTABLE_SESSIONS) >= NOTABLE_SESSIONS:
        rank = ranked(w, s, value, side)
    return cell(move(w, f"{k}.ret.1d"), value, rank)


def week_day(side: str) -> RowMaker:
    """The week's best (worst) session when it was not the as-of one and its rank reaches back a
    month or more ("+11.1% Monday, best since 1933"): the day a wrap leads its list with."""

    def make(w: Writer, s: str) -> Cell:
        p = f"{key_of(s)}.week.{side}"
        if not w.has(f"{p}.ret", f"{p}.date") or w.v(f"{p}.date") == w.v("session.date"):
            return None
        value = w.v(f"{p}.ret")
        if (value < 0) != (side == "worst") or w.v(f"{p}.since_sessions", NOTABLE_SESSIONS) < NOTABLE_SESSIONS:
            return None
        rank = ranked(w, s, value, p)
        return cell(Markup("{} {}").format(move(w, f"{p}.ret"), w.n(f"{p}.date", "day")), value, rank) if rank else None

    return make


def streak(unit: str) -> RowMaker:
    """A run of `unit` (days, weeks) in progress; for days, else one of six or more that ended
    this week. Its reach ("longest since ...") when it goes back far enough to tell."""

    def reach(w: Writer, s: str, fid: str) -> Markup | None:
        if w.has(f"{fid}_since") and w.v(f"{fid}_since") > w.years_ago(NOTABLE_STREAK_YEARS[unit]):
            return None
        found = since_or_ever(w, s, f"{fid}_since", f"{fid}_data_start")
        return Markup("longest {}").format(found) if found else None

    def make(w: Writer, s: str) -> Cell:
        k = key_of(s)
        fid, ended = f"{k}.streak.{unit}", f"{k}.streak.ended"
        if w.has(fid) and abs(w.v(fid)) >= STREAK:
            return cell(Markup("{} {} {}").format(w.n(fid, "count"), unit, w.side(fid, "up", "down")), None, reach(w, s, fid))
        if unit == "days" and w.has(ended, f"{ended}_date"):
            note = Markup("ended {}").format(w.n(f"{ended}_date", "day"))
            longest = reach(w, s, ended)
            return cell(Markup("{} days {}").format(w.n(ended, "count"), w.side(ended, "up", "down")), None, note + (Markup("; ") + longest if longest else ""))
        return None

    return make


def close(w: Writer, s: str) -> Cell:
    k = key_of(s)
    if not w.has(f"{k}.close"):
        return None
    note = None
    if w.v(f"{k}.ath.today") == 1:
        note = Markup("{} close").format(w.record(s))
    else:
        for side, word in (("high", "highest"), ("low", "lowest")):
            if w.has(f"{k}.{side}_since.date") and w.v(f"{k}.{side}_since.sessions", 0) >= NOTABLE_SESSIONS:
                note = Markup("{} since {}").format(word, when(w, f"{k}.{side}_since.date"))
    return cell(w.n(f"{k}.close", "level"), None, note)


def month(w: Writer, s: str) -> Cell:
    """The calendar month's move, on its last session only (facts of a monthly review)."""
    k = key_of(s)
    if w.v("month.complete") != 1 or not w.has(f"{k}.month.ret"):
        return None
    value = w.v(f"{k}.month.ret")
    return cell(move(w, f"{k}.month.ret"), value, ranked(w, s, value, f"{k}.month"))


def rows(w: Writer) -> list[tuple[Markup, RowMaker]]:
    """Each row's title (itself traced where it states a date) and what fills its cells."""
    title = w.window("1w")
    out = [(Markup(escape(title[:1].upper() + title[1:])), week)]
    if w.has("session.date"):
        out.append((w.n("session.date", "day"), day))
    out += [(Markup("Best day"), week_day("best")), (Markup("Worst day"), week_day("worst"))]
    out += [(Markup("Streak"), streak("days")), (Markup("Weekly streak"), streak("weeks")), (Markup("Close"), close)]
    if w.has("session.date"):
        out.append((w.n("session.date", "month_year"), month))
    return out


def by_the_numbers(facts: FactTable, symbols: list[str], title: str = "By the numbers") -> Markup:
    """The table, fact-checked; empty when no index has a figure to show."""
    w = Writer(facts)
    symbols = [s for s in symbols if s in facts.labels]
    body = []
    for head, make in rows(w):
        cells = [make(w, s) for s in symbols]
        if any(c is not None for c in cells):
            body.append(Markup("<tr><th>{}</th>{}</tr>").format(head, Markup("").join(Markup("<td>{}</td>").format(c or "") for c in cells)))
    if not body:
        return Markup("")
    heads = Markup("").join(Markup("<th>{}</th>").format(w.label(s)) for s in symbols)
    html = Markup(
        '<h3 class="mn-section">{}</h3><table class="mn-table mn-numbers"><thead><tr><th></th>{}</tr></thead><tbody>{}</tbody></table>'
    ).format(title, heads, Markup("").join(body))
    result = check_html(str(html), facts)
    if not result.ok:
        raise NumbersCheckFailed(result.problems)
    return html
