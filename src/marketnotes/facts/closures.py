"""Market closures: weekdays with no session, two or more in a row, near a note's event.

Frames in, facts out, no I/O. A single weekday without a session is a holiday and no news;
two or more in a row are a closure a reader remembers -- four sessions after Sept. 11, 2001,
two for Hurricane Sandy in October 2012 -- and a CPI note whose release came in the days
after one says so. The sessions are the price data's own (the union of the indices' closes),
so the facts need no exchange calendar and say only what the data shows.

Ids: `market.closure.sessions` (count of weekdays shut), `.first` and `.last` (dates), and
`.reopened` (date): the latest such closure from `start` through `end`.
"""

from __future__ import annotations

import pandas as pd

from marketnotes.facts.table import FactTable

MIN_DAYS = 2


def closures(sessions: pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """(first, last, weekdays) of each run of `MIN_DAYS`+ weekdays without a session that ends
    between `start` and `end` and is followed by a session."""
    days = pd.bdate_range(start, end)
    shut = days[~days.isin(sessions)]
    out, run = [], []
    for day in shut:
        if run and day != run[-1] + pd.offsets.BDay(1):  # not the next weekday: a new run
            if len(run) >= MIN_DAYS:
                out.append((run[0], run[-1], len(run)))
            run = []
        run.append(day)
    if len(run) >= MIN_DAYS:
        out.append((run[0], run[-1], len(run)))
    return [c for c in out if (sessions > c[1]).any()]


def add_closure_facts(table: FactTable, sessions: pd.DatetimeIndex, start: pd.Timestamp, end: pd.Timestamp) -> None:
    found = closures(sessions, start, end)
    if not found:
        return
    first, last, count = found[-1]
    reopened = sessions[sessions > last][0]
    p = "market.closure"
    table.add(f"{p}.sessions", count, "count", "weekdays in a row the market was shut (no close in the data)", first, last)
    table.add(f"{p}.first", first, "date", "the first weekday of the closure", end=first)
    table.add(f"{p}.last", last, "date", "the last weekday of the closure", end=last)
    table.add(f"{p}.reopened", reopened, "date", "the first session after the closure", end=reopened)
