"""`marketnotes events update`: fetch an official schedule, read it, and fold it into the cache.

The source is the official URL of each calendar, or `--from` a URL or a saved file (a mirror,
a copy made on a machine with network access, a recorded feed in the tests). Whatever it is,
it is recognised by its content (`read_schedule`), so a wrong file is an error naming it.

The cache keeps what earlier updates learned: a feed lists the releases of a year or two, so
the dates it no longer lists are kept, and only the range the new schedule covers is replaced
(a rescheduled release moves, it is never listed twice). The file is written atomically, so a
kill or a full disk leaves the previous calendar; a source that fails leaves it untouched.
Offline (`--offline`), nothing is fetched: a URL is refused and a file is read as usual.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pandas as pd

from marketnotes import __version__
from marketnotes.events import feeds, pages
from marketnotes.events.calendars import Cached, Known, cache_path, join_covers, known, read_cache, write_cache
from marketnotes.events.errors import CalendarCacheError, CalendarInputError, CalendarSourceError

OFFICIAL = {
    "cpi": "https://www.bls.gov/schedule/news_release/bls.ics",
    "fomc": "https://www.federalreserve.gov/monetarypolicy/fomccalendars.htm",
}
TIMEOUT = 30.0  # seconds to connect and between bytes
MAX_BYTES = 20 * 2**20  # the BLS feed is ~1 MB; anything far bigger is not a schedule


def fetch(source: str, offline: bool = False, timeout: float = TIMEOUT) -> bytes:
    """The bytes of a URL (http, https, file) or a file path."""
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if offline:
            raise CalendarInputError(source, "offline, so not fetched; run without --offline, or pass --from a saved copy")
        return _download(source, timeout)
    if scheme == "file":
        path = Path(url2pathname(parts.path))
    elif len(scheme) > 1:  # one letter is a Windows drive
        raise CalendarInputError(source, f"unsupported URL scheme {scheme!r}; give an http(s) URL or a file path")
    else:
        path = Path(source).expanduser()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CalendarInputError(source, "no such file") from None
    except IsADirectoryError:
        raise CalendarInputError(source, "is a folder, not a calendar file") from None
    except OSError as exc:
        raise CalendarInputError(source, f"cannot be read ({exc.strerror or exc})") from None


def _download(url: str, timeout: float) -> bytes:
    import requests  # yfinance's HTTP client, already installed; imported only to fetch

    headers = {"User-Agent": f"marketnotes/{__version__} (event calendar update)"}
    try:
        with requests.get(url, timeout=timeout, headers=headers, stream=True) as resp:
            if resp.status_code >= 400:
                raise CalendarSourceError(url, f"HTTP {resp.status_code} {resp.reason or ''}".rstrip(), transient=resp.status_code >= 500 or resp.status_code == 429)
            data, size = [], 0
            for chunk in resp.iter_content(1 << 16):
                data.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    raise CalendarSourceError(url, f"more than {MAX_BYTES >> 20} MB: not a release schedule")
    except requests.Timeout:
        raise CalendarSourceError(url, f"no answer within {timeout:g}s; try again later, or pass --from a saved copy", transient=True) from None
    except requests.RequestException as exc:
        errno = re.search(r"\[Errno -?\d+\] [^'\")]+", str(exc))
        why = errno.group(0).strip() if errno else type(exc).__name__
        raise CalendarSourceError(url, f"unreachable ({why}); check the address and the connection, or pass --from a saved copy", transient=True) from None
    return b"".join(data)


def read_schedule(data: bytes, source: str) -> feeds.Schedule:
    """Any source `--from` accepts, recognised by what it holds, not by its name."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text[:15].upper() == "BEGIN:VCALENDAR":
        return feeds.bls_ics(text, source)
    if re.search(r"\d{4}\s+FOMC\s+Meetings", text, re.I):
        return pages.fed_page(text, source)
    if text.startswith("<") and re.search(r"consumer\s+price\s+index", text, re.I):
        return pages.bls_page(text, source)
    head = " ".join(text[:60].split())
    raise CalendarSourceError(source, f"neither an iCalendar feed nor a BLS or Federal Reserve schedule page (it begins {head!r})")


@dataclass(frozen=True)
class Updated:
    source: str
    schedule: feeds.Schedule  # what the source said
    cached: Cached  # what the cache holds now
    calendar: Known  # what notes read now: the cache over the bundled calendar


def update_calendar(kind: str | None, source: str | None = None, folder: Path | None = None, offline: bool = False, timeout: float = TIMEOUT) -> Updated:
    """Fetch one calendar (`kind`, or whichever `source` holds) and fold it into the cache."""
    if kind is None and source is None:
        raise ValueError("a calendar kind or a source is needed")
    src = source or OFFICIAL[kind]
    if "://" not in src:
        src = str(Path(src).expanduser().absolute())
    schedule = read_schedule(fetch(src, offline, timeout), src)
    if kind is not None and schedule.kind != kind:
        raise CalendarSourceError(src, f"holds the {schedule.kind} calendar, not the {kind} one")
    try:
        old = read_cache(schedule.kind, folder)
    except CalendarCacheError:
        old = None  # an unreadable cache is replaced, not an obstacle to repairing it
    first, last = (pd.Timestamp(d) for d in schedule.covers)
    kept = old.events[(old.events["date"] < first) | (old.events["date"] > last)] if old else schedule.events.iloc[:0]
    cached = Cached(
        schedule.kind,
        cache_path(schedule.kind, folder),
        src,
        dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        join_covers([*(old.covers if old else ()), schedule.covers]),
        pd.concat([kept, schedule.events], ignore_index=True).sort_values("date").reset_index(drop=True),
    )
    try:
        write_cache(cached)
    except OSError as exc:
        raise CalendarInputError(cached.path.parent, f"cannot write the calendar cache ({exc.strerror or exc}); set MARKETNOTES_CACHE to a writable folder") from None
    return Updated(src, schedule, cached, known(schedule.kind, folder))
