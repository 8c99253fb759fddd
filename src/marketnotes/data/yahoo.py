"""Live daily prices from Yahoo Finance through yfinance, behind a per-symbol Parquet cache.

What yfinance users trip over, handled here: `auto_adjust` is passed explicitly (its default
changed to True in 0.2.51, which silently turns Close into an adjusted close); MultiIndex
columns are flattened; the timezone-aware index becomes plain session dates; a rate limit
(`YFRateLimitError`) is retried with backoff; an empty frame ("possibly delisted") becomes
`UnknownSymbol`. The cache makes a repeated request free and a later as-of fetch only the
sessions it lacks; `offline` serves from the cache alone and names what is missing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from marketnotes import atomic
from marketnotes.calendar import sessions_between
from marketnotes.data.frame import COLUMNS, check_prices, normalise_columns
from marketnotes.cache import cache_root
from marketnotes.data.registry import PriceSource, register_source
from marketnotes.errors import CacheMiss, CorruptData, SourceUnavailable, UnknownSymbol

HISTORY_START = pd.Timestamp("1927-12-30")  # earliest index history Yahoo serves (^GSPC)


def default_cache_dir() -> Path:
    return cache_root() / "yahoo"


def tidy_yahoo_frame(raw: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """yfinance output (any of its shapes) -> our checked frame, or an empty frame."""
    frame = raw.copy()
    if isinstance(frame.columns, pd.MultiIndex):
        # ('Close', '^RUT') from yf.download; keep the price level.
        level = 0 if {"Close", "close"} & set(frame.columns.get_level_values(0)) else 1
        frame.columns = frame.columns.get_level_values(level)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        # Daily bars are stamped at midnight exchange time: keep the local calendar date.
        index = index.tz_localize(None)
    frame.index = index.normalize().rename("date")
    frame = normalise_columns(frame)[COLUMNS].astype(float)
    frame = frame.dropna(subset=["close"])
    return frame[~frame.index.duplicated(keep="last")].sort_index()


@contextmanager
def yfinance_log() -> Iterator[list[str]]:
    """Collect what yfinance logs during a call instead of letting it reach the terminal.

    yfinance reports a bad ticker or a network failure by logging ("possibly delisted",
    "Failed to get ticker …") and returning an empty frame; we turn that into one typed error
    and quote yfinance's last words in it, rather than printing them above our own message.
    """
    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger = logging.getLogger("yfinance")
    handler, propagate = Keep(level=logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class ParquetCache:
    """One Parquet file per symbol; writes are atomic so a kill never corrupts it."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, symbol: str) -> Path:
        return self.folder / f"{symbol.replace('/', '_')}.parquet"

    def read(self, symbol: str) -> pd.DataFrame | None:
        path = self.path(symbol)
        if not path.exists():
            return None
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            raise CorruptData(symbol, path, f"cache file unreadable ({exc}); delete it to refetch") from None

    def write(self, symbol: str, frame: pd.DataFrame) -> None:
        atomic.write_with(self.path(symbol), lambda tmp: frame.to_parquet(tmp))


@register_source
class YahooSource(PriceSource):
    name = "yahoo"

    class Options(PriceSource.Options):
        cache_dir: Path | None = None
        auto_adjust: bool = False
        retries: int = 4
        backoff_seconds: float = 2.0

    def __init__(self, options, offline: bool = False, sleep: Callable[[float], None] = time.sleep):
        super().__init__(options, offline)
        self.cache = ParquetCache((options.cache_dir or default_cache_dir()).expanduser())
        self.sleep = sleep
        self.calls = 0  # network requests made; tests and `data update` report it
        self.last_message = ""  # what yfinance logged when it returned nothing

    def describe(self) -> str:
        from importlib.metadata import version

        return f"Yahoo Finance via yfinance {version('yfinance')} (cache {self.cache.folder})"

    def history_complete(self, symbol: str) -> bool:
        # every fetch starts at HISTORY_START, before any index Yahoo serves begins
        return True

    def load(self, symbol: str, end: pd.Timestamp) -> pd.DataFrame:
        cached = self.cache.read(symbol)
        start = self._missing_from(cached, end)
        if start is None:
            return check_prices(cached.loc[:end], symbol, self.cache.path(symbol))
        if self.offline:
            if cached is None:
                raise CacheMiss(symbol, "all history", self.cache.path(symbol))
            raise CacheMiss(symbol, f"sessions {start.date()} .. {end.date()}", self.cache.path(symbol))
        fresh = self._download(symbol, start, end)
        if fresh.empty and cached is None:
            said = f"; yfinance said: {self.last_message}" if self.last_message else ""
            raise UnknownSymbol(symbol, self.name, f"Yahoo returned no prices (mistyped or delisted?){said}")
        merged = fresh if cached is None else pd.concat([cached, fresh])
        merged = merged[~merged.index.duplicated(keep="last")].sort_index()
        self.cache.write(symbol, merged)
        return check_prices(merged.loc[:end], symbol, self.cache.path(symbol))

    def _missing_from(self, cached: pd.DataFrame | None, end: pd.Timestamp) -> pd.Timestamp | None:
        """First date to fetch, or None when the cache already holds every session up to `end`."""
        if cached is None or cached.empty:
            return HISTORY_START
        last = cached.index.max()
        if last >= end:
            return None
        if len(sessions_between(last + pd.Timedelta(days=1), end)) == 0:
            return None
        return last + pd.Timedelta(days=1)

    def _download(self, symbol: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        # yfinance (and curl_cffi) cost ~0.4 s to import: only a live fetch pays for them
        import yfinance as yf
        from curl_cffi.requests.exceptions import RequestException
        from yfinance.exceptions import YFRateLimitError, YFTickerMissingError

        delay = self.options.backoff_seconds
        for attempt in range(self.options.retries + 1):
            try:
                self.calls += 1
                with yfinance_log() as said:
                    raw = yf.Ticker(symbol).history(
                        start=start.date().isoformat(),
                        end=(end + pd.Timedelta(days=1)).date().isoformat(),  # yfinance's end is exclusive
                        interval="1d",
                        auto_adjust=self.options.auto_adjust,
                        actions=False,
                    )
                if raw is None or raw.empty:
                    self.last_message = said[-1] if said else ""
                    return pd.DataFrame(columns=COLUMNS)
                return tidy_yahoo_frame(raw, symbol)
            except YFRateLimitError:
                if attempt == self.options.retries:
                    raise SourceUnavailable(symbol, self.name, f"rate limited after {attempt + 1} attempts") from None
                self.sleep(delay)
                delay *= 2
            except (RequestException, ConnectionError, TimeoutError) as exc:
                first = str(exc).split(". See ")[0]  # curl appends a link to its error list
                raise SourceUnavailable(symbol, self.name, f"network error: {first}; check the connection, or add --offline to use the local cache") from None
            except YFTickerMissingError as exc:
                raise UnknownSymbol(symbol, self.name, str(exc)) from None
        raise AssertionError("unreachable")  # pragma: no cover
