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

from marketnotes import atomic
from marketnotes.cache import cache_root
from marketnotes.errors import AsOfError

if TYPE_CHECKING:
    import exchange_calendars as xcals

NEW_YORK = ZoneInfo("America/New_York")
CALENDAR_START = "1885-01-01"


@lru_cache(maxsize=1)
def nyse() -> xcals.ExchangeCalendar:
    """XNYS over its whole range, once per process (imported lazily: ~0.07 s of imports).

    Building it computes every session since 1885 from the holiday rules, ~0.16 core-s in
    each cold process (a cold render, every batch worker), so the built calendar is kept in
    the cache folder and read back in ~0.015 s. It is the library's own object, pickled;
    see `_cached_calendar` for when it is built again.
    """
    import exchange_calendars as xcals

    return _cached_calendar(lambda: xcals.get_calendar("XNYS", start=CALENDAR_START), _calendar_key(xcals))


def _calendar_key(xcals) -> str:
    """What a built calendar depends on: its range (from CALENDAR_START to the library's
    default end, a year past today, so a new day builds a new one), the library's version
    (its holiday rules), and the versions whose objects a pickle holds (pandas, numpy) or
    reads them back (Python)."""
    import sys

    import numpy as np
    from exchange_calendars.exchange_calendar_xnys import XNYSExchangeCalendar

    versions = f"exchange_calendars {xcals.__version__}, pandas {pd.__version__}, numpy {np.__version__}, python {sys.version_info[0]}.{sys.version_info[1]}"
    return f"XNYS {CALENDAR_START}..{XNYSExchangeCalendar.default_end().date()}; {versions}"


def _cached_calendar(build, key: str):
    """The calendar from `<cache>/exchange_calendars/XNYS.pickle` when that file's first line
    is `key`, else built and written there for the next process.

    One file, replaced as a whole (marketnotes.atomic), so a reader sees a whole calendar
    or the previous one, and files of past days do not pile up. The cache is a pickle: it
    is read from the user's own cache folder only, as written by marketnotes. A file that
    cannot be read back (truncated, from another build of a library) means building, and a
    calendar that cannot be kept (a read-only home, a full disk, a library version whose
    calendar does not pickle) is simply not kept: never a failure.
    """
    import pickle

    path = cache_root() / "exchange_calendars" / "XNYS.pickle"
    header = key.encode("utf-8") + b"\n"
    try:
        with open(path, "rb") as fh:
            if fh.readline() == header:
                return pickle.load(fh)
    except Exception:  # noqa: BLE001  (anything a damaged or foreign pickle raises: build instead)
        pass
    calendar = build()
    try:
        atomic.write_bytes(path, header + pickle.dumps(calendar, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001  (a folder that cannot be written, or a calendar a future library cannot pickle)
        pass
    return calendar


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
