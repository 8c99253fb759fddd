import datetime as dt

import pandas as pd
import pytest

from marketnotes.calendar import NEW_YORK, last_closed_session, missing_sessions, resolve_as_of
from marketnotes.errors import AsOfError


def test_weekend_and_holiday_resolve_to_previous_session_and_say_so():
    sunday = resolve_as_of("2018-12-23")
    assert sunday.session == pd.Timestamp("2018-12-21") and sunday.moved
    assert "Friday 2018-12-21" in sunday.describe() and "not a trading session" in sunday.describe()
    christmas = resolve_as_of(dt.date(2018, 12, 25))
    assert christmas.session == pd.Timestamp("2018-12-24")
    # the national day of mourning for G. H. W. Bush closed the NYSE
    assert resolve_as_of("2018-12-05").session == pd.Timestamp("2018-12-04")


def test_future_date_is_refused_with_today():
    now = dt.datetime(2024, 6, 14, 12, tzinfo=NEW_YORK)
    with pytest.raises(AsOfError, match="in the future \\(today is 2024-06-14\\)"):
        resolve_as_of("2024-06-17", now=now)


def test_keywords():
    friday_evening = dt.datetime(2024, 6, 14, 18, tzinfo=NEW_YORK)
    friday_noon = dt.datetime(2024, 6, 14, 12, tzinfo=NEW_YORK)
    assert last_closed_session(friday_evening) == pd.Timestamp("2024-06-14")
    assert last_closed_session(friday_noon) == pd.Timestamp("2024-06-13")
    tuesday = dt.datetime(2024, 6, 18, 9, tzinfo=NEW_YORK)
    assert resolve_as_of("last-friday", now=tuesday).session == pd.Timestamp("2024-06-14")
    # Good Friday 2024 (March 29) was a holiday: last-friday falls back to Thursday
    assert resolve_as_of("last-friday", now=dt.datetime(2024, 4, 1, 9, tzinfo=NEW_YORK)).session == pd.Timestamp("2024-03-28")


def test_missing_sessions_are_found_not_filled():
    days = pd.DatetimeIndex(["2024-06-10", "2024-06-11", "2024-06-13", "2024-06-14"])
    assert list(missing_sessions(days)) == [pd.Timestamp("2024-06-12")]
