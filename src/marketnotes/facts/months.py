"""Calendar months: each index's return per month, the month's best and worst sessions, and
"its worst month since February 2009".

The monthly review (`note_kind: monthly-review`) is about the calendar month of its as-of:
a month runs from the last close of the previous month to the month's last session, so a
note on the last session of December tells December, and a note on Dec. 14 tells December
so far (`month.complete` is 0 and the prose says "so far in December"). The 12-month
heat-table reads `<KEY>.month.<YYYY_MM>`: the twelve calendar months ending with the
note's, the last of them running to the as-of.

These facts are computed only for notes that ask for them (compute_facts, by note kind): a
weekly note does not pay for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.calendar import nyse
from marketnotes.facts.closures import add_closure_facts
from marketnotes.facts.extremes import _add_day_since, daily_returns
from marketnotes.facts.month_events import add_month_events
from marketnotes.facts.month_runs import add_month_runs
from marketnotes.facts.periods import add_periods_facts, period_returns
from marketnotes.facts.table import FactTable, key_of

HEAT_MONTHS = 12
DATA_START_MONTHS = 24  # "its worst month in data going back to ..." only after two years of months


def is_month_complete(as_of: pd.Timestamp) -> bool:
    """True when `as_of` is the last session of its calendar month (the NYSE calendar is a
    library table, not I/O); outside the calendar's range, when no weekday of the month follows it."""
    day = pd.Timestamp(as_of).normalize()
    try:
        following = nyse().date_to_session(day + pd.Timedelta(days=1), direction="next")
    except ValueError:  # exchange_calendars' DateOutOfBounds
        following = day + pd.offsets.BDay(1)
    return following.to_period("M") != day.to_period("M")


def monthly_returns(closes: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per calendar month up to as-of's (facts/periods.period_returns)."""
    return period_returns(closes, as_of, "M")


def add_month_facts(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, complete: bool) -> None:
    history = closes.loc[:as_of].dropna()
    months = monthly_returns(history, as_of)
    if months.empty or months.index[-1] != as_of.to_period("M"):
        return
    key, label = key_of(symbol), table.labels[symbol]
    now = months.iloc[-1]
    start, ret = now["start"], float(now["ret"])
    table.add(f"{key}.month.ret", ret, "pct", f"{label} return over the calendar month{'' if complete else ' to date'}", start, as_of, symbol)
    for period, row in months.iloc[-HEAT_MONTHS:].iterrows():
        table.add(f"{key}.month.{period.year}_{period.month:02d}", row["ret"], "pct", f"{label} return in {period.strftime('%B %Y')}", row["start"], row["end"], symbol)
    recent = months.iloc[-HEAT_MONTHS:]
    table.add(f"{key}.months.count", len(recent), "count", f"months in {label}'s heat-table row (12 once the data allows)", recent["start"].iloc[0], as_of, symbol)
    table.add(f"{key}.months.up", int((recent["ret"] > 0).sum()), "count", f"months {label} rose in, of the last {len(recent)}", recent["start"].iloc[0], as_of, symbol)
    if complete:
        _add_month_since(table, key, label, symbol, months)
        add_month_runs(table, key, label, symbol, months)
    add_month_events(table, symbol, history, months, start, as_of, complete)
    rets = daily_returns(history)
    days = rets.loc[start:].iloc[1:]
    table.add(f"{key}.month.sessions", len(days), "count", f"{label} sessions in the month{'' if complete else ' so far'}", start, as_of, symbol)
    table.add(f"{key}.month.up_days", int((days > 0).sum()), "count", f"{label} sessions that closed higher in the month", start, as_of, symbol)
    best, worst = days.idxmax(), days.idxmin()
    for side, day, direction in (("best", best, 1), ("worst", worst, -1)):
        table.add(f"{key}.month.{side}.date", day, "date", f"{label} {side} session of the month", end=day, symbol=symbol)
        table.add(f"{key}.month.{side}.ret", days[day], "pct", f"{label} return on its {side} session of the month", end=day, symbol=symbol)
        if days[day] * direction > 0:
            _add_day_since(table, f"{key}.month.{side}", label, symbol, rets, day, direction)


def _add_month_since(table: FactTable, key: str, label: str, symbol: str, months: pd.DataFrame) -> None:
    """The last earlier month at least as good (bad) as this one, or the data's start."""
    values, now = months["ret"].to_numpy(), float(months["ret"].iloc[-1])
    earlier = values[:-1]
    hits = (earlier >= now) if now > 0 else (earlier <= now)
    word = "best" if now > 0 else "worst"
    if hits.any():
        at = months["end"].iloc[int(hits.nonzero()[0][-1])]
        table.add(f"{key}.month.since", at, "date", f"{label}: last month as {'good' if now > 0 else 'bad'} as this one ended on this session", at, months["end"].iloc[-1], symbol)
    elif len(earlier) >= DATA_START_MONTHS:
        table.add(f"{key}.month.data_start", months["start"].iloc[0], "date", f"{label}: its {word} month in the data, which starts here", months["start"].iloc[0], months["end"].iloc[-1], symbol)


def add_months_facts(table: FactTable, closes: pd.DataFrame, as_of: pd.Timestamp) -> None:
    """The month facts of every index, and whether the month is over."""
    complete = is_month_complete(as_of)
    table.add("month.complete", int(complete), "count", "1 when the as-of session is the last of its calendar month", end=as_of)
    for symbol in closes.columns:
        add_month_facts(table, symbol, closes[symbol], as_of, complete)
    first = next((table[f"{key_of(s)}.month.ret"] for s in closes.columns if f"{key_of(s)}.month.ret" in table), None)
    if first is not None:
        table.add("month.start", first.start, "date", "the close the month's returns are measured from (the previous month's last session)", end=first.start)
        add_closure_facts(table, closes.loc[:as_of].dropna(how="all").index, pd.Timestamp(first.start), as_of)  # the four sessions after Sept. 11, 2001
    add_periods_facts(table, closes, as_of, complete)
