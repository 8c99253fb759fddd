"""The NYSE trading calendar (exchange_calendars' XNYS): resolving as-of dates, finding gaps.

A note is always "as of" a session close. Weekends and holidays resolve to the previous
session and the resolution is reported, so a note can say "as of Friday 2018-12-21 close"
when the user asked for Christmas Eve's Sunday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd

from marketnotes.errors import AsOfError

if TYPE_CHECKING:
    import exchange_calendars as xcals

NEW_YORK = ZoneInfo("America/New_York")
CALENDAR_START = "1885-01-01"


@lru_cache(maxsize=1)
def nyse() -> xcals.ExchangeCalendar:
    """XNYS over its whole range; built once per process (about 0.4 s, so imported lazily)."""
    import exchange_calendars as xcals

    return xcals.get_calendar("XNYS", start=CALENDAR_START)


@dataclass(frozen=True)
class ResolvedAsOf:
    requested: str
    session: pd.Timestamp

    @property
    def moved(self) -> bool:
        return self.requested not in {"latest", "last-friday"} and self.requested != self.session.date().isoformat()

    def describe(self) -> str:
        day = self.session.strftime("%A %Y-%m-%d")
        if self.moved:
            return f"as of {day} close ({self.requested} is not a trading session)"
        return f"as of {day} close"


def last_closed_session(now: dt.datetime | None = None) -> pd.Timestamp:
    """The most recent session whose close has happened, judged in New York time."""
    now = now or dt.datetime.now(tz=NEW_YORK)
    cal = nyse()
    today = pd.Timestamp(now.astimezone(NEW_YORK).date())
    session = cal.date_to_session(today, direction="previous")
    if session == today and now.astimezone(NEW_YORK) < cal.session_close(session).tz_convert(NEW_YORK):
        session = cal.previous_session(session)
    return session


def resolve_as_of(value: dt.date | str, now: dt.datetime | None = None) -> ResolvedAsOf:
    """Map a date or keyword to a session; refuse the future. `now` is for tests."""
    now = now or dt.datetime.now(tz=NEW_YORK)
    today = now.astimezone(NEW_YORK).date()
    cal = nyse()
    if value == "latest":
        return ResolvedAsOf("latest", last_closed_session(now))
    if value == "last-friday":
        friday = today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)
        return ResolvedAsOf("last-friday", _previous(cal, friday))
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise AsOfError(value, "expected YYYY-MM-DD, 'latest' or 'last-friday'") from None
    if value > today:
        raise AsOfError(value, f"is in the future (today is {today.isoformat()})")
    if pd.Timestamp(value) < cal.first_session:
        raise AsOfError(value, f"is before the NYSE calendar starts ({cal.first_session.date()})")
    return ResolvedAsOf(value.isoformat(), _previous(cal, value))


def _previous(cal: xcals.ExchangeCalendar, day: dt.date) -> pd.Timestamp:
    return cal.date_to_session(pd.Timestamp(day), direction="previous")


def sessions_between(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    return nyse().sessions_in_range(start, end)


def missing_sessions(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Sessions the calendar expects between the first and last date that the data lacks."""
    if len(dates) == 0:
        return pd.DatetimeIndex([])
    expected = sessions_between(dates.min(), dates.max())
    return expected.difference(dates)
