"""Event calendars that stay current: the recorded official sources read into calendars, the
cache merged over the bundled calendars, and what a note says once it runs past the last
known release (weekly, CPI-reaction and monthly notes, fact-checked and linted)."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from marketnotes.calendar import resolve_as_of
from marketnotes.data import load_prices, make_source
from marketnotes.events import load_events
from marketnotes.events.calendars import Cached, bundled, cache_dir, cache_path, known, read_cache, write_cache
from marketnotes.events.errors import CalendarCacheError, CalendarInputError, CalendarSourceError
from marketnotes.events.update import read_schedule, update_calendar
from marketnotes.facts import FactsConfig, compute_facts
from marketnotes.narrative import write_note

DATA = Path(__file__).parent / "data" / "events"
SYMBOLS = ["^IXIC", "^GSPC", "^DJI"]
LABELS = {"^IXIC": "NASDAQ Composite", "^GSPC": "S&P 500", "^DJI": "Dow"}
PAIR = ("^IXIC", "^DJI")


def schedule(name):
    return read_schedule((DATA / name).read_bytes(), name)


def short_cache(folder, kind, last, covers_to="2026-12-31"):
    """A cached calendar that knows nothing after `last` up to `covers_to`: the bundled
    calendar, cut short, as a test's stand-in for one that has run out."""
    events = bundled(kind)
    write_cache(Cached(kind, cache_path(kind, folder), "test", "2026-12-01T00:00:00+00:00",
                       ((dt.date(1999, 1, 1), dt.date.fromisoformat(covers_to)),), events[events["date"] <= last]))


# --- the recorded sources --------------------------------------------------------------


def test_the_bls_feed_gives_each_cpi_release_with_the_month_it_measures():
    got = schedule("bls-2018-2019.ics")
    assert got.kind == "cpi" and got.what == "BLS iCalendar feed"
    assert got.covers == (dt.date(2018, 1, 12), dt.date(2019, 12, 11))
    real = bundled("cpi").query("'2018-01-01' <= date <= '2019-12-31'").reset_index(drop=True)
    pd.testing.assert_frame_equal(got.events, real)  # the recorded feed holds the real dates
    assert got.events.iloc[0].tolist() == [pd.Timestamp("2018-01-12"), "December CPI", "2017-12"]


def test_the_feed_is_read_tolerantly():
    feed = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0",
        # a UTC time is the New York date; a folded title; the month from the description
        "BEGIN:VEVENT", "UID:a", "DTSTART:20190111T133000Z", "SUMMARY:Consumer Pri", " ce Index", "DESCRIPTION:Data for December 2018", "END:VEVENT",
        # a date without a time, and no month anywhere: the month before the release
        "BEGIN:VEVENT", "UID:b", "DTSTART;VALUE=DATE:20190213", "SUMMARY:CPI", "END:VEVENT",
        # a cancelled release and another release are skipped
        "BEGIN:VEVENT", "UID:c", "DTSTART:20190220T083000", "SUMMARY:Consumer Price Index for March 2019", "STATUS:CANCELLED", "END:VEVENT",
        "BEGIN:VEVENT", "UID:d", "DTSTART:20190214T083000", "SUMMARY:Producer Price Index for January 2019", "END:VEVENT",
        "END:VCALENDAR", ""])
    got = read_schedule(("\ufeff" + feed).encode(), "feed.ics")
    assert got.events.values.tolist() == [[pd.Timestamp("2019-01-11"), "December CPI", "2018-12"], [pd.Timestamp("2019-02-13"), "January CPI", "2019-01"]]


def test_the_fed_page_gives_each_decision_on_the_meetings_last_day():
    got = schedule("fomccalendars-2018-2019.htm")
    assert got.kind == "fomc" and got.covers == (dt.date(2018, 1, 1), dt.date(2019, 12, 31))
    real = bundled("fomc").query("'2018-01-01' <= date <= '2019-12-31'").reset_index(drop=True)
    pd.testing.assert_frame_equal(got.events, real)  # Jul/Aug 31-1, Apr/May 30-1, "11 (unscheduled)" included


def test_the_bls_schedule_page_is_read_too():
    got = schedule("bls-cpi-schedule-2019.htm")
    assert got.kind == "cpi" and len(got.events) == 12
    assert got.events.iloc[0].tolist() == [pd.Timestamp("2019-01-11"), "December CPI", "2018-12"]


@pytest.mark.parametrize("name, data, says", [
    ("notes.txt", b"hello, world", "neither an iCalendar feed nor a BLS or Federal Reserve schedule page (it begins 'hello, world')"),
    ("broken.ics", b"BEGIN:VCALENDAR\r\nthis is not a content line\r\n", "not a readable iCalendar feed"),
    ("bls-no-cpi.ics", (DATA / "bls-no-cpi.ics").read_bytes(), "no CPI release date in the iCalendar feed (4 events, none of them a Consumer Price Index release)"),
    ("empty-fed.htm", b"<html><h4>2019 FOMC Meetings</h4><p>none</p></html>", "no FOMC meeting on the page"),
])
def test_a_source_that_is_no_calendar_is_one_error(name, data, says):
    with pytest.raises(CalendarSourceError) as err:
        read_schedule(data, name)
    assert says in str(err.value) and err.value.exit_code == 3


# --- the cache over the bundled calendars ------------------------------------------------


def test_the_cache_lives_beside_the_price_cache(monkeypatch, tmp_path):
    from marketnotes.data.yahoo import default_cache_dir

    for env in ({"MARKETNOTES_CACHE": str(tmp_path / "mine")}, {"XDG_CACHE_HOME": str(tmp_path / "xdg")}):
        monkeypatch.delenv("MARKETNOTES_CACHE", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert cache_dir().parent == default_cache_dir().parent and cache_dir().name == "events"


def test_without_a_cache_the_bundled_calendar_is_used(tmp_path):
    cal = known("cpi", tmp_path)
    assert cal.cached is None and cal.events.equals(bundled("cpi"))


def test_the_cache_wins_for_the_dates_it_covers_and_the_bundled_calendar_keeps_the_rest(tmp_path):
    update_calendar("cpi", str(DATA / "bls-2018-2019.ics"), tmp_path)
    moved = read_cache("cpi", tmp_path)
    moved.events.loc[moved.events["reference"] == "2018-12", "date"] = pd.Timestamp("2019-01-15")  # a rescheduled release
    write_cache(moved)
    cal = known("cpi", tmp_path)
    assert cal.cached.source == str(DATA / "bls-2018-2019.ics")
    december = cal.events[cal.events["reference"] == "2018-12"]
    assert december["date"].tolist() == [pd.Timestamp("2019-01-15")]  # moved, and not listed twice
    assert cal.events["date"].min() == pd.Timestamp("1999-01-14") and cal.last["date"] == pd.Timestamp("2026-12-10")
    assert len(cal.events) == len(bundled("cpi"))


def test_an_update_keeps_what_earlier_updates_learned(tmp_path):
    short_cache(tmp_path, "cpi", "2018-12-12")
    update_calendar(None, str(DATA / "bls-cpi-schedule-2019.htm"), tmp_path)  # covers 2019-01-11 .. 2019-12-11
    cached = read_cache("cpi", tmp_path)
    assert cached.covers == ((dt.date(1999, 1, 1), dt.date(2026, 12, 31)),)
    dates = cached.events["date"]
    assert pd.Timestamp("2018-12-12") in set(dates) and pd.Timestamp("2019-01-11") in set(dates)
    assert known("cpi", tmp_path).last["date"] == pd.Timestamp("2019-12-11")


def test_a_failed_update_leaves_the_cache_as_it_was(tmp_path):
    update_calendar("cpi", str(DATA / "bls-2018-2019.ics"), tmp_path)
    before = cache_path("cpi", tmp_path).read_bytes()
    with pytest.raises(CalendarSourceError):
        update_calendar("cpi", str(DATA / "bls-no-cpi.ics"), tmp_path)
    with pytest.raises(CalendarSourceError, match="holds the fomc calendar, not the cpi one"):
        update_calendar("cpi", str(DATA / "fomccalendars-2018-2019.htm"), tmp_path)
    with pytest.raises(CalendarInputError, match="no such file"):
        update_calendar("cpi", str(tmp_path / "nope.ics"), tmp_path)
    with pytest.raises(CalendarInputError, match="offline"):
        update_calendar("cpi", "https://www.bls.gov/schedule/news_release/bls.ics", tmp_path, offline=True)
    assert cache_path("cpi", tmp_path).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["cpi.json"]  # no temporary file left


def test_a_damaged_cache_is_one_error_and_an_update_repairs_it(tmp_path):
    cache_path("cpi", tmp_path).write_text("{not json")
    with pytest.raises(CalendarCacheError, match="run `marketnotes events update` or delete the file"):
        known("cpi", tmp_path)
    update_calendar("cpi", str(DATA / "bls-2018-2019.ics"), tmp_path)
    assert known("cpi", tmp_path).cached is not None


# --- what a note says past the end of its calendar ---------------------------------------


@pytest.fixture(scope="module")
def prices():
    return load_prices(make_source("sample", {}), SYMBOLS, resolve_as_of("2018-12-31"))


def watch(prices, events, kind, day):
    as_of = pd.Timestamp(day)
    config = FactsConfig(LABELS, ("1d", "1w", "1m", "ytd"), PAIR, complete=prices.complete, kind=kind)
    facts = compute_facts(prices.closes.loc[:as_of], as_of, config, prices.highs.loc[:as_of], events)
    narrative, check = write_note(facts, SYMBOLS, PAIR)
    assert check.ok and not check.style, (check.problems, check.style)
    return facts, next(s for s in narrative.sections if s.title == "What to watch")


@pytest.mark.parametrize("kind, day", [("weekly", "2018-12-21"), ("cpi-reaction", "2018-12-14"), ("monthly-review", "2018-12-31")])
def test_a_note_past_the_calendar_says_where_it_ends_and_invents_no_date(prices, monkeypatch, tmp_path, kind, day):
    monkeypatch.setenv("MARKETNOTES_CACHE", str(tmp_path))
    short_cache(tmp_path / "events", "cpi", "2018-12-12")
    facts, section = watch(prices, load_events(["cpi"]), kind, day)
    assert "cpi.next.date" not in facts and facts.value("cpi.calendar.end") == "2018-12-12"
    assert [s.text for s in section.sentences] == [
        "The next CPI release date is not in the calendar, which ends with the November CPI on Dec. 12; run marketnotes events update."]
    assert '<span data-fact="cpi.calendar.end" data-fmt="date">Dec. 12</span>' in str(section.sentences[0].html)


def test_the_command_is_named_once_when_both_calendars_end(prices, monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETNOTES_CACHE", str(tmp_path))
    short_cache(tmp_path / "events", "cpi", "2018-12-12")
    short_cache(tmp_path / "events", "fomc", "2018-12-19")
    _, section = watch(prices, load_events(["cpi", "fomc"]), "weekly", "2018-12-21")
    assert [s.text for s in section.sentences] == [
        "The next CPI release date is not in the calendar, which ends with the November CPI on Dec. 12; run marketnotes events update.",
        "The next FOMC decision date is not in the calendar, which ends with the FOMC decision on Dec. 19."]


def test_after_an_update_the_note_names_the_next_release(prices, monkeypatch, tmp_path):
    monkeypatch.setenv("MARKETNOTES_CACHE", str(tmp_path))
    short_cache(tmp_path / "events", "cpi", "2018-11-14")
    update_calendar("cpi", str(DATA / "bls-2018-2019.ics"))
    facts, section = watch(prices, load_events(["cpi"]), "weekly", "2018-12-07")  # due within the week
    assert "cpi.calendar.end" not in facts
    assert [s.text for s in section.sentences] == ["The November CPI release is due Dec. 12."]
