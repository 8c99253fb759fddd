"""Official schedules, read into calendars: the BLS iCalendar feed here, web pages in `pages.py`.

The BLS publishes every release it schedules as one iCalendar feed (bls.ics: Employment
Situation, PPI, JOLTS, …, the CPI among them) and as a web page per release; the Federal
Reserve's FOMC calendar is a web page. `update.read_schedule` tells them apart by their
content, not by a file name or a content type, so a saved copy or a mirror reads like the
original.

Feeds change shape over the years, so the reading is tolerant where it can be sure: a CPI
release is any event whose title starts "Consumer Price Index" (or "CPI"); the month it
measures is read from the title or the description ("… for November 2026") and otherwise is
the month before the release, as it has been for every release since 1999. What it cannot
be sure of is an error, never a guess: a source that is not a calendar, or holds no event
of the kind asked for, leaves the cache as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from marketnotes.events.calendars import COLUMNS, cpi_label, to_dates
from marketnotes.events.errors import CalendarSourceError

NEW_YORK = ZoneInfo("America/New_York")
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
MONTH_YEAR = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,?\s+(\d{4})\b", re.I)
CPI_TITLE = re.compile(r"^\s*(the\s+)?(consumer\s+price\s+index|cpi)\b", re.I)


@dataclass(frozen=True)
class Schedule:
    """What one source says: its events, and the dates it speaks for (all there were in them)."""

    kind: str
    events: pd.DataFrame  # COLUMNS
    covers: tuple[dt.date, dt.date]
    what: str  # "BLS iCalendar feed", for the user


def month_number(name: str) -> int | None:
    return MONTHS.get(name.strip().lower()[:3])


def reference_month(text: str) -> str | None:
    """"Consumer Price Index for November 2026" -> "2026-11"."""
    found = MONTH_YEAR.search(text)
    return f"{found.group(2)}-{month_number(found.group(1)):02d}" if found else None


def month_before(day: dt.date) -> str:
    first = day.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year}-{first.month:02d}"


def cpi_schedule(rows: list[tuple[dt.date, str]], what: str) -> Schedule:
    """Releases as (date, reference month) -> a CPI schedule; the last listing of a month wins."""
    frame = pd.DataFrame(rows, columns=["day", "reference"]).drop_duplicates("reference", keep="last")
    events = pd.DataFrame({"date": to_dates(frame["day"]).to_numpy(), "label": frame["reference"].map(cpi_label), "reference": frame["reference"]})
    events = events.sort_values("date").reset_index(drop=True)[COLUMNS]
    return Schedule("cpi", events, (min(frame["day"]), max(frame["day"])), what)


def bls_ics(text: str, source: str) -> Schedule:
    """The CPI releases in a BLS iCalendar feed (any feed of VEVENTs will do)."""
    import icalendar  # ~0.1 s: only `events update` pays for it

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise CalendarSourceError(source, f"not a readable iCalendar feed ({first})") from None
    rows, seen, undated = [], 0, 0
    for event in calendar.walk("VEVENT"):
        seen += 1
        title = str(event.get("SUMMARY", ""))
        if not CPI_TITLE.match(title) or str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        day = _event_day(event.get("DTSTART"))
        if day is None:
            undated += 1
            continue
        rows.append((day, reference_month(title) or reference_month(str(event.get("DESCRIPTION", ""))) or month_before(day)))
    if not rows:
        why = f"{undated} CPI events without a readable date" if undated else f"{seen} events, none of them a Consumer Price Index release"
        raise CalendarSourceError(source, f"no CPI release date in the iCalendar feed ({why})")
    return cpi_schedule(rows, "BLS iCalendar feed")


def _event_day(prop) -> dt.date | None:
    """The release date as New York sees it: a UTC time is converted, a local one kept."""
    value = getattr(prop, "dt", None)
    if isinstance(value, dt.datetime):
        return value.astimezone(NEW_YORK).date() if value.tzinfo is not None else value.date()
    return value if isinstance(value, dt.date) else None
