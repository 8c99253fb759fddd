"""The one price-frame shape every source returns, and the checks that guard it.

Per symbol: a DataFrame indexed by timezone-naive session dates (name `date`), columns
open, high, low, close, adj_close, volume (floats; open/high/low/adj_close/volume may be NaN
where a series only has closes). Checks raise typed errors naming the symbol, file and date.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from marketnotes.errors import CorruptData

COLUMNS = ["open", "high", "low", "close", "adj_close", "volume"]
YAHOO_HEADER = {
    "date": "date",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "volume": "volume",
}


def normalise_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Map Yahoo-style headers (`Adj Close`, any case) onto ours and add missing optional ones."""
    renamed = frame.rename(columns=lambda c: YAHOO_HEADER.get(str(c).strip().lower(), str(c).strip().lower()))
    for col in COLUMNS:
        if col not in renamed.columns:
            renamed[col] = np.nan
    return renamed


# first cells of the three header rows: `group_by="column"` (the default) or `group_by="ticker"`
YFINANCE_HEADERS = {("Price", "Ticker", "Date"), ("Ticker", "Price", "Date")}


def is_yfinance_csv(path: Path) -> bool:
    """`yf.download(...).to_csv()` writes a three-row header (Price, Ticker, Date rows); a plain export writes one."""
    if path.suffix == ".parquet":
        return False
    try:
        head = pd.read_csv(path, header=None, nrows=3, usecols=[0], dtype=str)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError):
        return False  # unreadable: the plain reader reports it
    return tuple(head[0].fillna("").str.strip()) in YFINANCE_HEADERS


def read_yfinance_csv(path: Path, symbol: str) -> pd.DataFrame:
    """One ticker's columns of a yfinance export, flat like a plain export.

    Columns are (Price, Ticker) pairs; a file may hold several tickers, so the one asked for
    is picked, and a file without it is refused rather than read as some other index. Rows
    where this ticker has no value at all are sessions only the other tickers traded.
    """
    table = pd.read_csv(path, header=[0, 1], index_col=0)
    tickers = list(dict.fromkeys(table.columns.get_level_values("Ticker")))
    if symbol not in tickers:
        raise CorruptData(symbol, path, f"has no {symbol} columns (its tickers: {', '.join(tickers)})")
    one = table.xs(symbol, axis=1, level="Ticker").dropna(how="all")
    return one.rename_axis("Date").reset_index()


def read_price_file(path: Path, symbol: str) -> pd.DataFrame:
    """Read a CSV (Yahoo export or `yf.download(...).to_csv()` layout) or Parquet file into the checked frame shape."""
    try:
        if path.suffix == ".parquet":
            raw = pd.read_parquet(path)
            if "date" not in {str(c).lower() for c in raw.columns}:
                raw = raw.reset_index()
        else:
            raw = read_yfinance_csv(path, symbol) if is_yfinance_csv(path) else pd.read_csv(path)
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorruptData(symbol, path, f"cannot be read as a price table ({type(exc).__name__}: {exc})") from None
    if raw.empty:
        raise CorruptData(symbol, path, "has no rows")
    frame = normalise_columns(raw)
    if "date" not in frame.columns:
        raise CorruptData(symbol, path, f"has no Date column (columns: {', '.join(map(str, raw.columns))})")
    dates = local_dates(frame["date"])
    if dates.isna().any():
        bad_row = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise CorruptData(symbol, path, f"unreadable date {frame['date'].iloc[bad_row]!r} on data row {bad_row + 1}")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    frame = frame.assign(date=dates.dt.normalize()).set_index("date")
    for col in COLUMNS:
        numeric = pd.to_numeric(frame[col], errors="coerce")
        bad = numeric.isna() & frame[col].notna()
        if bad.any():
            when = frame.index[bad.to_numpy()][0].date()
            raise CorruptData(symbol, path, f"non-numeric {col} value {frame.loc[frame.index[bad.to_numpy()][0], col]!r}", when)
        frame[col] = numeric.astype(float)
    return check_prices(frame[COLUMNS], symbol, path)


def local_dates(column: pd.Series) -> pd.Series:
    """Each row's date as the exchange printed it. `Ticker.history().to_csv()` writes local
    times with their UTC offset, which changes at daylight saving; pandas refuses to mix
    offsets, and converting to UTC would move Asian sessions to the previous day, so the
    local date is read from the text itself."""
    try:
        return pd.to_datetime(column, errors="coerce", format="mixed")
    except ValueError:  # mixed UTC offsets
        return pd.to_datetime(column.astype(str).str.slice(0, 10), errors="coerce", format="%Y-%m-%d")


def check_prices(frame: pd.DataFrame, symbol: str, path: Path | str | None = None) -> pd.DataFrame:
    """Refuse frames that would silently corrupt every fact computed from them."""
    if frame.empty:
        raise CorruptData(symbol, path, "has no rows")
    index = frame.index
    dupes = index[index.duplicated()]
    if len(dupes):
        raise CorruptData(symbol, path, "duplicate date", dupes[0].date())
    if not index.is_monotonic_increasing:
        pos = int(np.flatnonzero(np.diff(index.asi8) < 0)[0]) + 1
        raise CorruptData(symbol, path, "rows out of date order", index[pos].date())
    close = frame["close"]
    if close.isna().any():
        raise CorruptData(symbol, path, "missing close", close.index[close.isna().to_numpy()][0].date())
    if (close <= 0).any():
        raise CorruptData(symbol, path, f"non-positive close {close[close <= 0].iloc[0]}", close.index[(close <= 0).to_numpy()][0].date())
    return frame


def to_panel(frames: dict[str, pd.DataFrame], column: str = "close") -> pd.DataFrame:
    """Sessions x symbols; sessions where a symbol has no row stay NaN (never forward-filled)."""
    return pd.DataFrame({sym: f[column] for sym, f in frames.items()}).sort_index()
