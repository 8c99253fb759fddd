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


# --- the built calendar, kept in the cache folder -----------------------------------------


@pytest.fixture
def calendar_cache(tmp_path, monkeypatch):
    """A cache folder of the test's own, and a calendar built or read afresh in it."""
    from marketnotes.calendar import nyse

    monkeypatch.setenv("MARKETNOTES_CACHE", str(tmp_path / "cache"))
    nyse.cache_clear()
    yield tmp_path / "cache" / "exchange_calendars" / "XNYS.pickle"
    nyse.cache_clear()


def _same_calendar(a, b) -> bool:
    return a.sessions.equals(b.sessions) and a.opens.equals(b.opens) and a.closes.equals(b.closes) and a.first_session == b.first_session and a.last_session == b.last_session


def test_a_built_calendar_is_kept_and_the_next_process_reads_the_same_calendar_back(calendar_cache):
    from marketnotes.calendar import nyse

    built = nyse()
    assert calendar_cache.is_file()
    written = calendar_cache.stat()
    nyse.cache_clear()  # as a new process would
    read = nyse()
    assert read is not built and _same_calendar(read, built)
    again = calendar_cache.stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # read, not built and written again
    assert resolve_as_of("2018-12-05").session == pd.Timestamp("2018-12-04")  # the day of mourning, from the kept calendar
    assert [p.name for p in calendar_cache.parent.iterdir()] == ["XNYS.pickle"]  # one file, no temporary left


def test_a_damaged_or_foreign_cached_calendar_is_built_again_and_replaced(calendar_cache):
    from marketnotes.calendar import nyse

    reference = nyse()
    key = calendar_cache.read_bytes().split(b"\n", 1)[0]
    for damaged in (key + b"\nnot a pickle", key + b"\n" + calendar_cache.read_bytes().split(b"\n", 1)[1][:1000], key.replace(b"exchange_calendars", b"exchange_calendars 0.0") + b"\n"):
        calendar_cache.write_bytes(damaged)
        nyse.cache_clear()
        assert _same_calendar(nyse(), reference)
        assert calendar_cache.read_bytes().split(b"\n", 1)[0] == key and calendar_cache.stat().st_size > 100_000


def test_a_cache_that_cannot_be_written_costs_a_build_never_a_failure(tmp_path, monkeypatch):
    from marketnotes.calendar import nyse

    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("MARKETNOTES_CACHE", str(tmp_path / "a-file" / "cache"))
    nyse.cache_clear()
    try:
        assert resolve_as_of("2018-12-23").session == pd.Timestamp("2018-12-21")
    finally:
        nyse.cache_clear()


def test_a_calendar_that_cannot_be_pickled_is_used_and_not_kept(calendar_cache, monkeypatch):
    import pickle

    from marketnotes.calendar import nyse

    def refuse(*args, **kwargs):
        raise pickle.PicklingError("a future library's calendar")

    monkeypatch.setattr(pickle, "dumps", refuse)
    assert nyse().date_to_session(pd.Timestamp("2018-12-25"), direction="previous") == pd.Timestamp("2018-12-24")
    assert not calendar_cache.exists()
