"""FRED's economic series from its public CSV download (no API key), behind a cache.

`https://fred.stlouisfed.org/graph/fredgraph.csv?id=CPILFESL` answers with the series'
latest vintage: `observation_date,CPILFESL` rows, "." for a missing month. One plain HTTP
GET with a timeout; the answer is cached in the user cache beside the prices
(`<cache>/fred/<ID>.json`: the CSV as served, where from, and when), written atomically.

The rules are the price cache's (data/yahoo.py): a cache that holds the month a note needs
serves it with no request; otherwise the series is fetched again whole (FRED revises earlier
months, so a fresh copy replaces the old one rather than being appended to it); `--offline`
serves from the cache alone and names the month it lacks. The vintage a note used -- FRED's
latest as fetched on a given day -- goes into the note's manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
from pydantic import Field

from marketnotes import __version__, atomic
from marketnotes.data.macro import DAILY, MacroSource, Series, check_series, read_series_csv, register_macro_source
from marketnotes.cache import cache_root
from marketnotes.errors import CorruptData, SeriesCacheMiss, SourceUnavailable, UnknownSeries

FRED_CSV = "https://fred.stlouisfed.org/graph/fredgraph.csv"
SERIES_ID = re.compile(r"[A-Z0-9][A-Z0-9_]{0,39}")  # FRED ids: CPIAUCSL, DFEDTARU, T10Y2Y
MAX_BYTES = 8 << 20  # a monthly series is tens of kilobytes


def default_cache_dir() -> Path:
    """`<cache>/fred`, beside `<cache>/yahoo` (MARKETNOTES_CACHE, else XDG_CACHE_HOME/marketnotes)."""
    return cache_root() / "fred"


def vintage_of(fetched: str) -> str:
    return f"FRED latest, as fetched on {fetched[:10]}"


@register_macro_source
class FredMacro(MacroSource):
    name = "fred"

    class Options(MacroSource.Options):
        cache_dir: Path | None = None
        url: str = FRED_CSV  # the fredgraph.csv endpoint (tests serve a recorded answer on 127.0.0.1)
        timeout: float = Field(default=30.0, gt=0, le=600)

    def __init__(self, options, offline: bool = False):
        super().__init__(options, offline)
        self.folder = (options.cache_dir or default_cache_dir()).expanduser()
        self.calls = 0  # requests made: tests check the cache answers without one

    def describe(self) -> str:
        return f"FRED ({self.options.url}; cache {self.folder})"

    def path(self, series_id: str) -> Path:
        return self.folder / f"{series_id}.json"

    def load(self, series_id: str, through: pd.Timestamp | None = None) -> Series:
        if not SERIES_ID.fullmatch(series_id):
            raise UnknownSeries(series_id, self.name, "not a FRED series id (capital letters, digits and _, such as CPILFESL)")
        cached = self._read_cache(series_id)
        if cached is not None and (through is None or cached.values.index[-1] >= through):
            return cached
        if self.offline:
            when = "%Y-%m-%d" if series_id in DAILY else "%B %Y"  # a rate by day, a reading by month
            lacks = "the series" if cached is None else f"{pd.Timestamp(through):{when}} (it holds through {cached.values.index[-1]:{when}})"
            raise SeriesCacheMiss(series_id, lacks, self.path(series_id))
        data = self._download(series_id)
        url = self._url(series_id)
        if not _looks_like_csv(data, series_id):
            head = data[:80].decode("utf-8", errors="replace").strip().splitlines()
            raise UnknownSeries(series_id, self.name, f"FRED answered without a CSV of it ({head[0][:60] if head else 'an empty body'!r}); check the series id")
        try:
            values = read_series_csv(data, series_id, url, series_id)
        except CorruptData as err:
            raise SourceUnavailable(series_id, self.name, f"the CSV FRED sent cannot be read: {err.problem}") from None
        fetched = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        record = {"series": series_id, "url": url, "fetched": fetched, "csv": data.decode("utf-8")}
        atomic.write_text(self.path(series_id), json.dumps(record))
        return Series(series_id, values, self.describe(), vintage_of(fetched), fetched)

    def _url(self, series_id: str) -> str:
        return f"{self.options.url}?id={series_id}"

    def _read_cache(self, series_id: str) -> Series | None:
        path = self.path(series_id)
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            values = read_series_csv(record["csv"], series_id, path, series_id)
            fetched = str(record["fetched"])
        except (OSError, ValueError, KeyError, TypeError, CorruptData) as exc:
            raise CorruptData(series_id, path, f"cache file unreadable ({type(exc).__name__}); delete it to fetch the series again") from None
        return Series(series_id, check_series(values, series_id, path), self.describe(), vintage_of(fetched), fetched)

    def _download(self, series_id: str) -> bytes:
        import requests  # already installed (the calendars and yfinance use it); imported only to fetch

        url, timeout = self._url(series_id), self.options.timeout
        headers = {"User-Agent": f"marketnotes/{__version__} (economic series)"}
        self.calls += 1
        try:
            with requests.get(url, timeout=timeout, headers=headers, stream=True) as resp:
                if resp.status_code in (400, 404):
                    raise UnknownSeries(series_id, self.name, f"FRED has no such series (HTTP {resp.status_code} from {url})")
                if resp.status_code >= 400:
                    err = SourceUnavailable(series_id, self.name, f"HTTP {resp.status_code} {resp.reason or ''}".rstrip() + "; try again later, or add --offline to use the local cache")
                    err.transient = resp.status_code >= 500 or resp.status_code == 429
                    raise err
                chunks, size = [], 0
                for chunk in resp.iter_content(1 << 16):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise SourceUnavailable(series_id, self.name, f"more than {MAX_BYTES >> 20} MB from {url}: not a monthly series")
        except requests.Timeout:
            raise SourceUnavailable(series_id, self.name, f"no answer within {timeout:g}s; try again later, or add --offline to use the local cache") from None
        except requests.RequestException as exc:
            errno = re.search(r"\[Errno -?\d+\] [^'\")]+", str(exc))
            why = errno.group(0).strip() if errno else type(exc).__name__
            raise SourceUnavailable(series_id, self.name, f"network error ({why}); check the connection, or add --offline to use the local cache") from None
        return b"".join(chunks)


def _looks_like_csv(data: bytes, series_id: str) -> bool:
    """FRED's CSV starts with a header naming a date column and the series."""
    first = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip().lower()
    return "," in first and series_id.lower() in first.split(",")[1:] and first.split(",")[0] in ("observation_date", "date")
