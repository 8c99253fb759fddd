"""The facts catalogue: which family a fact id belongs to, and what that family is, in a line.

A note has ~280 facts; an author browsing them (`marketnotes facts --list`,
`note.facts_frame()`) needs to know what `IXIC.week_extreme.since` or `rot.spread.ytd` are
without reading the modules that compute them. Ids read `<KEY>.<family>.<detail>` for an
index's facts (KEY: the symbol without its caret) and `<family>.<detail>` for the note's
own (the session, the rotation pair, the events). The lines here are the catalogue's
wording; each fact's own description still says exactly what it is.
"""

from __future__ import annotations

from marketnotes.facts.table import key_of

FAMILIES: dict[str, str] = {
    "session": "the note's session: its date, and whether its calendar week is complete ('this week' or 'since last Friday')",
    "note": "which stock note this is (params note_kind): it decides which facts are computed",
    "history": "where each index's data starts, and whether it covers the index's whole history ('record' or only 'peak')",
    "close": "each index's close on the note's session",
    "ret": "the return over each lookback window (1d 1w 1m 3m ytd 1y), with the first and last session it covers",
    "pts": "the same moves in index points, as desks quote the Dow",
    "vol": "daily volatility: the standard deviation of daily returns over three months",
    "z": "each move in standard deviations for its window: what sizes the verbs; not stated in prose",
    "week": "the week's sessions: its best and worst day, its high and low, and how far back each ranks",
    "week_extreme": "a best or worst week: the last week as big, and how many weeks back that is",
    "streak": "sessions or weeks in a row up or down, and a long streak that just ended",
    "ath": "the record close: its level and date, the distance below it, whether the session set one",
    "ath_intraday": "the all-time intraday high",
    "hi52": "the 52-week closing high and the distance below it",
    "lo52": "the 52-week closing low and the distance above it",
    "low_since": "a close that is the lowest since an earlier date, and how many sessions back",
    "milestone": "a round level crossed this week (10,000; 25,000) and when it was last crossed",
    "level_in_reach": "a watched round level within 1.5% of the close, for What to watch",
    "whipsaw": "straight sessions of large moves alternating in sign this week",
    "lead": "what last week's note led with, kept so a series never leads with it again (analysis.py)",
    "two_day": "the week's biggest move over two sessions running the same way, and since when none as big",
    "range": "sessions spent in a narrow range",
    "regime": "bull, bear or correction: the peak or trough it is measured from, the drawdown, since when",
    "trend": "the current phase, rising or falling: since when, its change, its extreme",
    "records": "record closes in the current run (no 5% pullback between them)",
    "quarter": "at a quarter's end (monthly review): the quarter's return, the last quarter as good or bad, quarters in a row the same way",
    "year": "at a year's end (monthly review): the year's return, the last year as good or bad, years in a row, the first annual gain or loss since",
    "arc": "the phases of the rotation pair's recent story (The story so far): each leg's start, end and change",
    "rot": "the rotation pair: the ratio of lead to lag and the spread of their returns over each window",
    "rotday": "rotation days: one index up by the threshold while all the others fell",
    "standings": "the year's standings: whether the leader, the laggard or the pair's lead changed this week, or its gap is the year's widest",
    "cpi": "CPI releases: the last and next dates, each index's move on release days and its rank, the reading",
    "fomc": "FOMC decisions: the last and next dates, and each index's move on the day",
    "month": "the calendar month: whether it is complete, each index's return in each of the last months",
    "months": "the monthly heat-table: months counted and months up",
}
NOTE_LEVEL = {"session", "note", "rot", "rotday", "standings", "month", "cpi", "fomc"}  # ids that start with their family
EVENT_PARTS = {"last", "next", "calendar"}  # `<event>.last.date`: a calendar of your own (events: [x.csv])


def family_of(fid: str, keys: set[str] | None = None) -> str:
    """The family of a fact id: `IXIC.ret.1w` -> ret, `rot.spread.ytd` -> rot,
    `IXIC.cpi.release.rank` -> cpi, `earnings.next.date` -> earnings. With `keys` (the
    note's index and series keys: `subject_keys`) an id not about one of them is the note's
    own, whose first part is its family."""
    parts = fid.split(".")
    if len(parts) < 2 or parts[0] in NOTE_LEVEL or (keys is not None and parts[0] not in keys):
        return parts[0]
    if parts[1] in EVENT_PARTS:
        return parts[0]
    return parts[1]


def subject_keys(labels: dict[str, str]) -> set[str]:
    """The keys ids start with for each labelled index or series (`^IXIC` -> IXIC)."""
    return {key_of(symbol) for symbol in labels}


def explain(family: str) -> str:
    """The family's one line; an event calendar of the params' own is named as one."""
    return FAMILIES.get(family, "")


def grouped(ids: list[str], keys: set[str] | None = None) -> dict[str, list[str]]:
    """Ids by family, the families in the catalogue's order and then any others as met."""
    out: dict[str, list[str]] = {family: [] for family in FAMILIES}
    for fid in ids:
        out.setdefault(family_of(fid, keys), []).append(fid)
    return {family: found for family, found in out.items() if found}
