"""The CPI and FOMC calendars a note reads: the bundled ones, with a fresher cached copy over them.

The package ships the dates as they were known when it was built, and those run out: a note
written after the last bundled release would silently have no next release to watch. So
`marketnotes events update` keeps a copy of each official schedule in the user cache, beside
the price cache and under the same rule (`MARKETNOTES_CACHE`, else `$XDG_CACHE_HOME/marketnotes`,
else `~/.cache/marketnotes`; here the `events` folder). A note reads the cached calendar for
the dates it covers and the bundled one for the rest, so an old cache never hides dates a
newer package knows, a missing cache is no error, and a rescheduled release is never counted
twice. A render never fetches: calendars change a few times a year, and notes stay
reproducible offline (the batch's input hash includes the calendar, so an update re-renders).

A cache file is one JSON document per calendar (`cpi.json`, `fomc.json`), written atomically:
where it came from, when, the date ranges the source covered, and the events.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from marketnotes.cache import cache_root
from marketnotes import atomic
from marketnotes.events.errors import CalendarCacheError

BUNDLED = {"cpi": "us_cpi_releases.csv", "fomc": "fomc_decisions.csv"}
TITLES = {"cpi": "US CPI releases (BLS)", "fomc": "FOMC decisions (Federal Reserve)"}
COLUMNS = ["date", "label", "reference"]
Covers = tuple[tuple[dt.date, dt.date], ...]


def cache_dir() -> Path:
    """`<cache>/events`, where `<cache>` is the folder the Yahoo price cache sits in."""
    return cache_root() / "events"


def to_dates(days) -> pd.Series:
    """ISO dates (strings, dates or timestamps) as the bundled CSVs' dates are parsed, so every
    calendar's column has one dtype whatever pandas' default resolution."""
    return pd.to_datetime(pd.Series([str(d)[:10] for d in days], dtype=str))


def cpi_label(reference: str) -> str:
    """"2026-11" -> "November CPI": the release is named after the month it measures."""
    return pd.Timestamp(f"{reference}-01").strftime("%B") + " CPI"


def bundled(kind: str) -> pd.DataFrame:
    with resources.files("marketnotes.events").joinpath(BUNDLED[kind]).open("r") as fh:
        raw = pd.read_csv(fh, dtype=str)
    if kind == "cpi":
        return pd.DataFrame({"date": to_dates(raw["date"]), "label": raw["reference_month"].map(cpi_label), "reference": raw["reference_month"]})
    return pd.DataFrame({"date": to_dates(raw["date"]), "label": raw["label"], "reference": ""})


@dataclass(frozen=True)
class Cached:
    """One calendar as `events update` last fetched it."""

    kind: str
    path: Path
    source: str  # the URL or file it was read from
    fetched: str  # ISO time, UTC
    covers: Covers  # the date ranges the source spoke for (its events are all there were)
    events: pd.DataFrame  # COLUMNS

    def covered(self, dates: pd.Series) -> pd.Series:
        mask = pd.Series(False, index=dates.index)
        for first, last in self.covers:
            mask |= (dates >= pd.Timestamp(first)) & (dates <= pd.Timestamp(last))
        return mask


def cache_path(kind: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{kind}.json"


def read_cache(kind: str, folder: Path | None = None) -> Cached | None:
    path = cache_path(kind, folder)
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None  # no update yet: the bundled calendar alone
    except OSError as exc:
        raise CalendarCacheError(path, f"unreadable ({exc.strerror or exc})") from None
    try:
        doc = json.loads(text)
        covers = tuple((dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in doc["covers"])
        events = pd.DataFrame({
            "date": to_dates(dt.date.fromisoformat(e["date"]) for e in doc["events"]),
            "label": [str(e["label"]) for e in doc["events"]],
            "reference": [str(e.get("reference", "")) for e in doc["events"]],
        })
        if doc["kind"] != kind:
            raise ValueError(f"holds the {doc['kind']!r} calendar")
        return Cached(kind, path, str(doc["source"]), str(doc["fetched"]), covers, events[COLUMNS])
    except (ValueError, KeyError, TypeError) as exc:
        raise CalendarCacheError(path, f"not a marketnotes calendar ({exc})") from None


def write_cache(cached: Cached) -> Path:
    events = cached.events.sort_values("date")
    doc = {
        "kind": cached.kind,
        "source": cached.source,
        "fetched": cached.fetched,
        "covers": [[a.isoformat(), b.isoformat()] for a, b in cached.covers],
        "events": [{"date": d.date().isoformat(), "label": label, "reference": ref} for d, label, ref in events[COLUMNS].itertuples(index=False)],
    }
    return atomic.write_text(cached.path, json.dumps(doc, indent=1) + "\n")


def join_covers(covers: list[tuple[dt.date, dt.date]]) -> Covers:
    """Overlapping or touching ranges as one: the ranges a cache speaks for, in order."""
    out: list[tuple[dt.date, dt.date]] = []
    for first, last in sorted(covers):
        if out and first <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return tuple(out)


@dataclass(frozen=True)
class Known:
    """What marketnotes knows of one calendar: the merged events, and the cache behind them."""

    kind: str
    events: pd.DataFrame  # COLUMNS, sorted by date
    cached: Cached | None

    @property
    def last(self) -> pd.Series | None:
        return None if self.events.empty else self.events.iloc[-1]


def known(kind: str, folder: Path | None = None) -> Known:
    """The cached calendar where it covers dates, the bundled one everywhere else."""
    base, cached = bundled(kind), read_cache(kind, folder)
    if cached is not None:
        base = pd.concat([base[~cached.covered(base["date"])], cached.events], ignore_index=True)
    events = base.sort_values("date", kind="stable").drop_duplicates(["date", "label"]).reset_index(drop=True)
    return Known(kind, events, cached)
