"""Calendar weeks: is the as-of week over, each week's closing level, and "its worst week since".

A week is a calendar week, Monday to Sunday, closed by its last session: Friday to Friday,
Thursday to Thursday around a Good Friday. Monday-based weeks (rather than Friday-ending
periods) keep the Saturday sessions of the Dow's pre-1952 history in the week they end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from marketnotes.calendar import nyse
from marketnotes.facts.extremes import last_as_extreme
from marketnotes.facts.table import FactTable, key_of

DATA_START_WEEKS = 52  # "since the data starts" only after a year of earlier weeks


def is_week_complete(as_of: pd.Timestamp) -> bool:
    """True when `as_of` is the last session of its calendar week.

    A Friday always is; an earlier day is when every later weekday of its week is an NYSE
    holiday (Thursday before Good Friday). The exchange calendar is a library table, not I/O;
    outside its range, fall back to the weekday alone.
    """
    day = pd.Timestamp(as_of).normalize()
    if day.day_of_week >= 4:
        return True
    try:
        following = nyse().date_to_session(day + pd.Timedelta(days=1), direction="next")
    except ValueError:  # exchange_calendars' DateOutOfBounds
        return False
    return week_id(following) != week_id(day)


def week_id(day: pd.Timestamp) -> int:
    return int(week_ids(pd.DatetimeIndex([day]))[0])


def week_ids(index: pd.DatetimeIndex) -> np.ndarray:
    """A running number per Monday-to-Sunday week (1970-01-01 was a Thursday, hence the +3)."""
    days = index.values.astype("datetime64[D]").astype(np.int64)
    return (days + 3) // 7


def week_last_positions(index: pd.DatetimeIndex) -> np.ndarray:
    """Positions of each calendar week's last session in a sorted session index."""
    ids = week_ids(index)
    return np.flatnonzero(np.r_[ids[1:] != ids[:-1], True])


def weekly_closes(closes: pd.Series) -> pd.Series:
    """The close of each calendar week, dated by the session that closed it (the last one may be partial)."""
    return closes.iloc[week_last_positions(closes.index)]


def completed_weekly_closes(closes: pd.Series, as_of: pd.Timestamp, complete: bool) -> pd.Series:
    """Weekly closes through `as_of`, dropping the as-of week unless it is over."""
    weekly = weekly_closes(closes.loc[:as_of])
    return weekly if complete else weekly.iloc[:-1]


def add_week_extreme(table: FactTable, symbol: str, closes: pd.Series, as_of: pd.Timestamp, complete: bool) -> None:
    """"Its worst week since October 2008": the last earlier calendar week that did as badly (well).

    Only for a finished week: a Tuesday's "week" is two sessions old and ranks against nothing.
    """
    if not complete:
        return
    history = closes.loc[:as_of]
    positions = week_last_positions(history.index)
    weekly = history.iloc[positions]
    if len(weekly) < 2:
        return
    key, label = key_of(symbol), table.labels[symbol]
    rets = weekly.pct_change(fill_method=None).to_numpy()
    ret, current = rets[-1], len(rets) - 1
    direction = 1 if ret >= 0 else -1
    word = "best" if direction > 0 else "worst"
    hit = last_as_extreme(rets, ret, current, direction)
    if hit is not None:
        since = weekly.index[hit]
        weeks = week_id(as_of) - week_id(since)
        sessions = len(history) - 1 - int(positions[hit])
        table.add(f"{key}.week_extreme.since", since, "date", f"{label}: its {word} week since the week ending on this date", since, as_of, symbol)
        table.add(f"{key}.week_extreme.weeks", weeks, "count", f"calendar weeks since {label} had a week as {'good' if direction > 0 else 'bad'}", since, as_of, symbol)
        table.add(f"{key}.week_extreme.sessions", sessions, "count", f"sessions since {label} had a week as {'good' if direction > 0 else 'bad'}", since, as_of, symbol)
    elif current - 1 >= DATA_START_WEEKS:  # earlier weeks with a return: all but the first
        table.add(f"{key}.week_extreme.data_start", history.index[0], "date", f"{label}: its {word} week since the data starts", history.index[0], as_of, symbol)
