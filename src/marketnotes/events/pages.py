"""Schedules published as web pages: the Federal Reserve's FOMC calendar and a BLS release page.

Read with the standard library's HTMLParser, not a scraper dependency: the pages are plain
markup and only a few elements matter. The Fed's page has a panel per year ("2026 FOMC
Meetings") of rows with a month cell (`fomc-meeting__month`: "January", "Apr/May") and a
date cell (`fomc-meeting__date`: "27-28", "28-29*", "15 (unscheduled)"); the decision is
announced on the meeting's last day. A year's panel lists every meeting of that year, so the
schedule speaks for whole years. The BLS page for one release is a table of reference months
and release dates ("November 2026 | Dec. 10, 2026 | 08:30 AM").
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pandas as pd

from marketnotes.events.calendars import COLUMNS, to_dates
from marketnotes.events.errors import CalendarSourceError
from marketnotes.events.feeds import Schedule, cpi_schedule, month_number, reference_month

ROLES = {"fomc-meeting__month": "month", "fomc-meeting__date": "date", "panel-heading": "heading"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
FULL_DATE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
UNSCHEDULED = re.compile(r"unscheduled|notation vote|conference call", re.I)


class _Reader(HTMLParser):
    """A page flattened into what the parsers need, in document order: ("heading", text),
    ("month" | "date", text) for the Fed's meeting cells, ("row", [cell texts]) for tables."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, object]] = []
        self._open: list[tuple[str, str | None, list[str]]] = []
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        role = next((r for c, r in ROLES.items() if c in classes), None)
        if role is None and tag in HEADINGS:
            role = "heading"
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            role = "cell"
        self._open.append((tag, role, []))

    def handle_endtag(self, tag):
        if not any(t == tag for t, _, _ in self._open):
            return  # a stray end tag
        while self._open:  # elements left open inside it close with it
            name, role, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if role == "cell" and self._row is not None:
                self._row.append(text)
            elif role is not None:
                self.items.append((role, text))
            if name == tag:
                break
        if tag == "tr" and self._row is not None:
            self.items.append(("row", self._row))
            self._row = None

    def handle_data(self, data):
        for _, role, parts in self._open:
            if role is not None:
                parts.append(data)


def _items(text: str) -> list[tuple[str, object]]:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return reader.items


def _decision(year: int, month_text: str, date_text: str) -> tuple[dt.date, str] | None:
    """("Apr/May", "30-1*") in 2024 -> (2024-05-01, "FOMC decision"); None for a cancelled meeting."""
    if "cancel" in date_text.lower():
        return None
    months = [m for m in (month_number(p) for p in re.split(r"[/-]", month_text) if p.strip()) if m]
    days = [int(d) for d in re.findall(r"\d{1,2}", date_text.split("(")[0])]
    if not months or not days:
        return None
    try:
        day = dt.date(year + (months[-1] < months[0]), months[-1], days[-1])
    except ValueError:
        return None
    return day, "FOMC decision (unscheduled)" if UNSCHEDULED.search(date_text) else "FOMC decision"


def fed_page(text: str, source: str) -> Schedule:
    """FOMC decisions from the Federal Reserve's meeting calendar page."""
    year, month, rows, years = None, None, [], set()
    for role, value in _items(text):
        if role == "heading":
            found = re.search(r"(\d{4})\s+FOMC\s+Meetings", str(value), re.I)
            year, month = (int(found.group(1)), None) if found else (year, month)
        elif role == "month" and year is not None:
            month = str(value)
        elif role == "date" and year is not None and month is not None:
            decision = _decision(year, month, str(value))
            if decision is not None:
                rows.append(decision)
                years.add(year)
            month = None
    if not rows:
        raise CalendarSourceError(source, "no FOMC meeting on the page (the Federal Reserve's calendar lists them under 'YYYY FOMC Meetings')")
    events = pd.DataFrame(sorted(set(rows)), columns=["date", "label"]).assign(reference="")
    events["date"] = to_dates(events["date"])
    return Schedule("fomc", events[COLUMNS], (dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)), "Federal Reserve FOMC calendar page")


def _full_date(cell: str) -> dt.date | None:
    found = FULL_DATE.search(cell)
    month = month_number(found.group(1)) if found else None
    try:
        return dt.date(int(found.group(3)), month, int(found.group(2))) if month else None
    except ValueError:
        return None


def bls_page(text: str, source: str) -> Schedule:
    """CPI releases from a BLS schedule page: rows with a reference month and a release date."""
    rows = []
    for role, cells in _items(text):
        if role != "row":
            continue
        day = next((d for d in map(_full_date, cells) if d), None)
        ref = next((r for c in cells if not _full_date(c) and (r := reference_month(c))), None)
        if day and ref:
            rows.append((day, ref))
    if not rows:
        raise CalendarSourceError(source, "no CPI release date on the page (a BLS schedule page has a table of reference months and release dates)")
    return cpi_schedule(rows, "BLS schedule page")
